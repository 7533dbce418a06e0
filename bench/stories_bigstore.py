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
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from stories_dev import Doc, load_set, stage_vectors
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


def whole(docs: Sequence[Doc], settings: dict[str, object]) -> dict[str, list[int]]:
    """The stage's similarity over ``docs`` clustered as a whole: without the attach rule,
    with it as before #12 part 10 (no crowd condition), and with the defaults; each
    variant's attachments audited (how many put a small story into a larger one holding
    none of its event)."""
    from newsweave.reuse.semantic import english_text
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.repair import attach_small, average_link
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
    return found


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["allsides-all"])
    parser.add_argument("--partition", type=Path, default=None,
                        help="stories_dev.py --partition output (the engine's stories)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="--whole: override a setting, e.g. story_semantic_weight=0 "
                        "(the words alone, as tests/test_stories_quality.py's floor)")
    parser.add_argument("--whole", action="store_true",
                        help="also cluster the stage's similarity as a whole (~3 GB at 9,198)")
    args = parser.parse_args()
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
        if args.whole:
            started = time.process_time()
            for label, other in whole(docs, parse_sets(args.set)).items():
                p, r, f = bcubed(other, gold)
                print(f"  {label}: P {p:.3f} R {r:.3f} F1 {f:.3f}, {len(set(other))} stories")
                size_table(other, docs)
            print(f"  ({time.process_time() - started:.0f} CPU s)", flush=True)


if __name__ == "__main__":
    main()
