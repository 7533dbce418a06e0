"""Where a big store of same-kind events loses precision: the engine's stories against the
gold events, and against the stage's own similarity clustered as a whole.

    python bench/stories_bigstore.py --sets allsides-all allsides-train \
        --partition /tmp/parts.json          # a stories_dev.py --minilm --partition file

For each set: the engine's stories by size (how many, how many hold two or more gold events,
their BCubed precision share), the largest stories, and the partition of the same
similarity (the stage's article vectors, document frequencies over the set, MiniLM
vectors from bench/stories_meaning.py's cache) clustered as a whole by average linkage
without the attach rule, with it as it was and with the defaults (the crowd condition,
#12 part 10), each attachment audited: the partition online assignment and repair approach.
If the whole clustering is precise where the engine is not, the loss is in the online
path (assignment to a story's summed vector, neighbourhood repair); if it is not, in the
similarity or the linkage itself.

    python bench/stories_bigstore.py --sets allsides-train --partition /tmp/parts.json --steps
    python bench/stories_bigstore.py --sets ecb-odd allsides-train --merges

``--steps`` (#12 part 11): in each of the engine's stories holding two or more events,
the reports outside the story's largest event, by how the stage's similarity (as
``--whole`` weighs it) ties them to that event's reports: a mean at or above the
threshold (a join at the threshold), between the attach similarity and the threshold (the
attach rule's range), or below it (joined through the story's mean over other members).
``--merges``: every merge average linkage makes at or above the threshold over the whole
set, right (the two sides share an event) or wrong, by the smaller side's size, with the
evidence each merge had: the height, the words' cosine, the MiniLM cosine across, the
names' cosine and shared names of the two sides, the other clusters within 0.8 / 0.6 of the
height (a crowd), and whether the sides' title-and-lead weekdays, figures or text years
clash; each with its AUC (1: every wrong merge below every right one).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from stories_dev import (
    Doc,
    add_stage_constant_arguments,
    load_set,
    set_stage_constants,
    stage_vectors,
)
from stories_ecb import bcubed, parse_sets

SIZES = ((1, 1), (2, 2), (3, 3), (4, 5), (6, 10), (11, 20), (21, 10**9))


def size_table(pred: Sequence[int], docs: Sequence[Doc]) -> None:
    """The engine's stories by size: count, those mixing events, and the precision lost."""
    members: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(pred):
        members[s].append(i)
    gold = [d["event"] for d in docs]
    n = len(docs)
    print(f"  {'size':<8} {'stories':>7} {'mixed':>6} {'docs':>6} {'P within':>8} "
          f"{'P lost (of 1)':>13}")
    for low, high in SIZES:
        chosen = [m for m in members.values() if low <= len(m) <= high]
        if not chosen:
            continue
        mixed = sum(1 for m in chosen if len({gold[i] for i in m}) > 1)
        docs_in = sum(len(m) for m in chosen)
        # BCubed precision summed over these docs: each doc's share of its story in its event.
        prec = 0.0
        for m in chosen:
            counts = Counter(gold[i] for i in m)
            prec += sum(c * c for c in counts.values()) / len(m)
        label = f"{low}" if low == high else f"{low}-{high if high < 10**9 else ''}"
        print(f"  {label:<8} {len(chosen):>7} {mixed:>6} {docs_in:>6} "
              f"{prec / docs_in:>8.3f} {(docs_in - prec) / n:>13.3f}")
    largest = sorted(members.values(), key=len, reverse=True)[:5]
    print("  largest stories: " + "; ".join(
        f"{len(m)} docs, {len({gold[i] for i in m})} events" for m in largest))


def whole(docs: Sequence[Doc], settings: dict[str, object],
          detaches: Sequence[tuple[float, int]] = ()) -> dict[str, list[int]]:
    """The stage's similarity over ``docs`` clustered as a whole: without the attach rule,
    with it as before #12 part 10 (no crowd condition), and with the defaults; each
    variant's attachments audited (how many put a small story into a larger one holding
    none of its event)."""
    from newsweave.reuse.semantic import english_text
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.linkage import attach_small, average_link
    from newsweave.stories.vectors import SMALL_STORY, pair_matrices
    from stories_meaning import TextVectors

    resolved = load_settings(**settings)
    weights = weights_from(resolved)
    items = stage_vectors(docs, weights)
    if weights.semantic > 0:
        rows = TextVectors().vectors([english_text(d.get("title"), d["text"]) for d in docs])
        for item, row in zip(items, rows, strict=True):
            item.meaning = row
    sims, agree = pair_matrices(items, weights)
    clusters = average_link(sims, resolved.story_threshold)
    gold = [d["event"] for d in docs]
    found = {}
    for label, attach, runner_up in (("whole, no attach", 0.0, None),
                                     ("whole, attach (no crowd rule)", weights.attach, 1.0),
                                     ("whole, attach (defaults)", weights.attach, None)):
        result = attach_small(clusters, sims, agree, attach, SMALL_STORY, runner_up=runner_up)
        pred = [0] * len(docs)
        for c, rows_ in enumerate(result):
            for i in rows_:
                pred[i] = c
        found[label] = pred
        if attach > 0:
            joined, wrong = audit(clusters, pred, gold, SMALL_STORY)
            print(f"  {label}: {joined} small stories attached, {wrong} of them to a story "
                  "holding none of their event")
    for ratio, rivals in detaches:
        result = attach_small(detach(clusters, sims, agree, ratio, rivals), sims, agree,
                              weights.attach, SMALL_STORY)
        pred = [0] * len(docs)
        for c, rows_ in enumerate(result):
            for i in rows_:
                pred[i] = c
        found[f"whole, detach R {ratio} K {rivals}, attach (defaults)"] = pred
    return found


def detach(clusters: Sequence[Sequence[int]], sims: np.ndarray, agree: np.ndarray,
           ratio: float, rivals: int) -> list[list[int]]:
    """Tried, not in the stage (#12 part 11): the attach rule's crowd condition above the
    threshold. A member of a cluster leaves it (alone) where ``rivals`` or more other
    clusters whose names agree with it pass ``ratio`` times its mean similarity to its own
    cluster's other members."""
    order = [i for rows in clusters for i in rows]
    sizes = np.array([len(rows) for rows in clusters], dtype=np.float64)
    starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(int)
    to = np.add.reduceat(sims[:, order], starts, axis=1)  # row -> summed similarity a cluster
    agreeing = np.add.reduceat(agree[:, order], starts, axis=1) / sizes >= 0.5
    result: list[list[int]] = []
    for c, rows in enumerate(clusters):
        if len(rows) < 2:
            result.append(list(rows))
            continue
        kept = []
        for i in rows:
            own = (to[i, c] - sims[i, i]) / (len(rows) - 1)
            other = np.where(agreeing[i], to[i] / sizes, -np.inf)
            other[c] = -np.inf
            if int((other > ratio * own).sum()) >= rivals:
                result.append([i])
            else:
                kept.append(i)
        if kept:
            result.append(kept)
    return result


def audit(clusters: Sequence[Sequence[int]], pred: Sequence[int], gold: Sequence[str],
          small: int) -> tuple[int, int]:
    """Of the clusters of at most ``small`` rows, how many ``pred`` put into a larger story,
    and how many of those into one holding no row of their (most common) event."""
    members: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(pred):
        members[s].append(i)
    joined = wrong = 0
    for rows in clusters:
        if len(rows) > small:
            continue
        story = members[pred[rows[0]]]
        if len(story) == len(rows):
            continue
        joined += 1
        event = Counter(gold[i] for i in rows).most_common(1)[0][0]
        inside = set(rows)
        wrong += not any(gold[i] == event for i in story if i not in inside)
    return joined, wrong


def stage_matrices(docs: Sequence[Doc], settings: dict[str, object]) -> tuple:
    """The stage's article vectors of ``docs`` (MiniLM vectors attached where weighed), the
    resolved settings and the pair matrices, as :func:`whole` builds them."""
    from newsweave.reuse.semantic import english_text
    from newsweave.settings import load_settings
    from newsweave.stories import features as stories_features
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import pair_matrices
    from stories_meaning import TextVectors

    resolved = load_settings(**settings)
    weights = weights_from(resolved)
    before = stories_features.WEEKDAY_PENALTY
    stories_features.WEEKDAY_PENALTY = min(before, 0.99)  # collect the weekdays to audit them
    try:
        items = stage_vectors(docs, weights)
    finally:
        stories_features.WEEKDAY_PENALTY = before
    rows = TextVectors().vectors([english_text(d.get("title"), d["text"]) for d in docs])
    for item, row in zip(items, rows, strict=True):
        item.meaning = row if weights.semantic > 0 else None
    sims, agree = pair_matrices(items, weights)
    return items, resolved, weights, sims, agree, np.asarray(rows, dtype=np.float64)


def steps(docs: Sequence[Doc], pred: Sequence[int], settings: dict[str, object]) -> None:
    """The reports outside their story's largest event, by their mean similarity to it."""
    _, resolved, weights, sims, _, _ = stage_matrices(docs, settings)
    members: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(pred):
        members[s].append(i)
    gold = [d["event"] for d in docs]
    counts = Counter()
    for rows in members.values():
        events = Counter(gold[i] for i in rows)
        if len(events) < 2:
            continue
        top = min(events, key=lambda e: (-events[e], e))
        core = [i for i in rows if gold[i] == top]
        for i in rows:
            if gold[i] == top:
                continue
            mean = float(sims[i, core].mean())
            counts["at or above the threshold" if mean >= resolved.story_threshold else
                   "attach range" if mean >= weights.attach else "below the attach range"] += 1
    total = sum(counts.values())
    print(f"  reports outside their story's largest event: {total}")
    for label in ("at or above the threshold", "attach range", "below the attach range"):
        print(f"    mean similarity to that event's reports {label}: {counts[label]} "
              f"({counts[label] / max(total, 1):.0%})")


def merges(docs: Sequence[Doc], settings: dict[str, object]) -> None:
    """Average linkage's merges at or above the threshold, right and wrong, and the
    evidence each had (see the module's docstring)."""
    items, resolved, _, sims, _, meaning = stage_matrices(docs, settings)
    from newsweave.stories.linkage import average_link
    from newsweave.stories.vectors import _cosines

    threshold = resolved.story_threshold
    words = _cosines([a.arrays() for a in items])
    names = _cosines([a.name_arrays() for a in items])
    mcos = meaning @ meaning.T
    gold = [d["event"] for d in docs]
    rows: list[dict[str, float]] = []

    def record(height: float, pair: tuple[int, int], members: dict[int, list[int]],
               totals: np.ndarray, sizes: np.ndarray, active: np.ndarray) -> None:
        i, j = sorted(pair)
        rows.append(_merge_row(height, members[i], members[j], totals, sizes, active, pair,
                               gold, items, words, names, mcos))

    average_link(sims, threshold, on_merge=record)
    right = [r for r in rows if r["right"]]
    wrong = [r for r in rows if not r["right"]]
    print(f"  merges at or above the threshold: {len(rows)}, right {len(right)}, wrong "
          f"{len(wrong)}")
    for low, high, label in ((1, 1, "1"), (2, 2, "2"), (3, 4, "3-4"), (5, 10**9, "5+")):
        print(f"    smaller side {label}: right {sum(low <= r['small'] <= high for r in right)}"
              f", wrong {sum(low <= r['small'] <= high for r in wrong)}")
    print(f"  {'evidence':<16} {'side':<5} {'right median':>12} {'wrong median':>12} "
          f"{'AUC':>6} {'clash: right / wrong':>22}")
    for key in ("height", "words", "minilm", "names cosine", "names shared", "rivals 0.8",
                "rivals 0.6", "weekdays clash", "figures clash", "years clash"):
        for low, high, label in ((1, 1, "1"), (2, 10**9, "2+")):
            good = [r[key] for r in right if low <= r["small"] <= high and r[key] == r[key]]
            bad = [r[key] for r in wrong if low <= r["small"] <= high and r[key] == r[key]]
            share = (f"{np.mean(good):.3f} / {np.mean(bad):.3f}" if key.endswith("clash")
                     and good and bad else "")
            print(f"  {key:<16} {label:<5} {_median(good):>12.3f} {_median(bad):>12.3f} "
                  f"{_auc(good, bad):>6.3f} {share:>22}")


def _merge_row(height: float, side_a: Sequence[int], side_b: Sequence[int],
               totals: np.ndarray, sizes: np.ndarray, active: np.ndarray,
               pair: tuple[int, int], gold: Sequence[str], items: Sequence[object],
               words: np.ndarray, names: np.ndarray, mcos: np.ndarray) -> dict[str, float]:
    a, b = pair
    rivals = []
    for side in (a, b):
        means = totals[side] / (sizes[side] * sizes)
        means[~active] = -np.inf
        means[[a, b]] = -np.inf
        rivals.append(means)
    cross = np.ix_(list(side_a), list(side_b))
    own_a = names[np.ix_(side_a, side_a)].sum()
    own_b = names[np.ix_(side_b, side_b)].sum()
    keys_a = set().union(*(set(items[i].name_arrays()[0].tolist()) for i in side_a))
    keys_b = set().union(*(set(items[i].name_arrays()[0].tolist()) for i in side_b))

    def clash(field: str) -> float:
        left = set().union(*(getattr(items[i], field) for i in side_a))
        right = set().union(*(getattr(items[i], field) for i in side_b))
        return float(bool(left and right and left.isdisjoint(right)))

    return {
        "right": float(bool({gold[i] for i in side_a} & {gold[i] for i in side_b})),
        "small": min(len(side_a), len(side_b)), "height": height,
        "words": float(words[cross].mean()), "minilm": float(mcos[cross].mean()),
        "names cosine": (float(names[cross].sum() / np.sqrt(own_a * own_b))
                         if own_a > 0 and own_b > 0 else math.nan),
        "names shared": float(len(keys_a & keys_b)),
        "rivals 0.8": float(sum(int((m > 0.8 * height).sum()) for m in rivals)),
        "rivals 0.6": float(sum(int((m > 0.6 * height).sum()) for m in rivals)),
        "weekdays clash": clash("weekdays"), "figures clash": clash("figures"),
        "years clash": clash("dates"),
    }


def _median(values: Sequence[float]) -> float:
    return float(np.median(values)) if len(values) else math.nan


def _auc(right: Sequence[float], wrong: Sequence[float]) -> float:
    """The share of (right, wrong) pairs where the right merge's value is the higher (ties
    half)."""
    if not len(right) or not len(wrong):
        return math.nan
    high = np.asarray(right, dtype=np.float64)[:, None]
    low = np.asarray(wrong, dtype=np.float64)[None, :]
    return float((high > low).mean() + 0.5 * (high == low).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["allsides-all"])
    parser.add_argument("--partition", type=Path, default=None,
                        help="stories_dev.py --partition output (the engine's stories)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="--whole: override a setting, e.g. story_semantic_weight=0 "
                        "(the words alone, as tests/test_stories_quality.py's floor)")
    parser.add_argument("--steps", action="store_true",
                        help="the engine's mixed stories: how their other events' reports "
                        "are tied to the largest (needs --partition)")
    parser.add_argument("--merges", action="store_true",
                        help="average linkage's merges at or above the threshold, right and "
                        "wrong, and their evidence")
    parser.add_argument("--detach", nargs="*", default=[], metavar="R:K",
                        help="--whole: also each R:K of the detach rule tried in #12 part 11 "
                        "(a member leaves its cluster where K or more other clusters pass R "
                        "times its mean to its own), then the attach rule")
    parser.add_argument("--whole", action="store_true",
                        help="also cluster the stage's similarity as a whole (~3 GB at 9,198)")
    add_stage_constant_arguments(parser)
    args = parser.parse_args()
    set_stage_constants(args)
    parts = json.loads(args.partition.read_text()) if args.partition else {}
    for name in args.sets:
        docs = load_set(name)
        gold = [d["event"] for d in docs]
        print(f"{name}: {len(docs)} docs, {len(set(gold))} events")
        if name in parts:
            pred = parts[name]
            p, r, f = bcubed(pred, gold)
            print(f"  engine: P {p:.3f} R {r:.3f} F1 {f:.3f}, {len(set(pred))} stories")
            size_table(pred, docs)
            if args.steps:
                steps(docs, pred, parse_sets(args.set))
        if args.merges:
            merges(docs, parse_sets(args.set))
        if args.whole:
            started = time.process_time()
            detaches = [(float(r), int(k)) for r, k in (d.split(":") for d in args.detach)]
            for label, other in whole(docs, parse_sets(args.set), detaches).items():
                p, r, f = bcubed(other, gold)
                print(f"  {label}: P {p:.3f} R {r:.3f} F1 {f:.3f}, {len(set(other))} stories")
                size_table(other, docs)
            print(f"  ({time.process_time() - started:.0f} CPU s)", flush=True)


if __name__ == "__main__":
    main()
