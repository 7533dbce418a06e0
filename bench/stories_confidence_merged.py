"""A story's confidence and the stories that merged two events (#12 item 4, part 3).

The confidence (``stories.user.confidences``) reads a story's nearest neighbour against the
bar the stage would join them at; a story that swallowed two events of one kind has no such
neighbour left (the other event is inside it), and its cohesion is a mean over all its
pairs, so it reads as sure. This script measures whether the story's *weakest internal
link*, scored with the stage's own pairwise similarities (``vectors.pair_matrices``: words,
names, dates, figures and the stored MiniLM vectors, as repair scores two articles), flags
those stories, alone and as a second term of the confidence (the lower of the two), and at
what cost. Two links are read:

* *loosest*: the lowest mean similarity of one member to the others;
* *cut*: the average-linkage split of the members in two (the dendrogram's last merge):
  the mean similarity across the cut, against the mean inside its sides ("within": the
  lower side's, a one-article side has none) or the story's mean pairwise similarity
  ("cohesion").

Each against the story's own cohesion (``link / (k * cohesion)``, clipped to 0..1: below
``k`` times its cohesion it reads doubtful) or against the join bar ``story_threshold``
(``(link / T - 1) / k``: 0 at the bar). ``k`` scales listed side by side. The forms are
chosen on BASIL, ECB+ odd topics and the AllSides validation split (CHOICE), reported on
ECB+ even topics, the AllSides test split and all of ECB+ (REPORT), with the AUC of a low
confidence for a wrong story over all stories, by size (1, 2-4, 5+ articles), by kind of
wrong (holding two or more events, "mixed" / an event split over stories, each against the
right stories) and the internal term alone on the mixed kind; for the forms of
:data:`CANDIDATES`, the change of the AUC over all stories with its spread over draws of
the stories with replacement (is a change beyond noise?). ``SET/kK`` keeps ``K`` reports
of each event (``stories_thin.thin``, seed 1): events of one kind with a few reports each,
as local news has them, where a merged story is the common wrong. Then the limit of any such
statistic: the labels' own split of each mixed story (its largest event against the rest),
its cross/within ratio against the right stories' cut ratio: a split statistic can flag a
mixed story only where its true cut is looser than the right stories' own cuts.

Cost: CPU ms a story, in pages of ``--page`` stories (a web list asks a page at a time):
``confidences`` with the vectors, and the internal term (the page's members' vectors
weighed in one call, with their stored MiniLM vectors, then one pair matrix a story).

    PYTHONPATH=src python bench/stories_confidence_merged.py --stores /tmp/conf   # CHOICE + REPORT
    PYTHONPATH=src python bench/stories_confidence_merged.py --stores /tmp/conf \
        --sets ecb-odd/k2,allsides-val/k2,basil/k2,ecb-even/k2,allsides/k2,allsides-all
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stories_confidence import CHOICE, CLASSES, _labels, _store, _value, auc_of

REPORT = ("ecb-even", "allsides", "ecb")
Link = dict[str, float]


def two_way(sims: np.ndarray) -> tuple[list[int], list[int]]:
    """The last merge of average linkage over ``sims``: its two sides (row indices)."""
    n = len(sims)
    totals = sims.astype(np.float64).copy()
    sizes = np.ones(n)
    active = np.ones(n, dtype=bool)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while int(active.sum()) > 2:
        rows = np.flatnonzero(active)
        means = totals[np.ix_(rows, rows)] / np.outer(sizes[rows], sizes[rows])
        np.fill_diagonal(means, -np.inf)
        best = int(np.argmax(means))
        a, b = rows[best // len(rows)], rows[best % len(rows)]
        i, j = min(a, b), max(a, b)
        totals[i, :] += totals[j, :]
        totals[:, i] += totals[:, j]
        sizes[i] += sizes[j]
        active[j] = False
        members[i].extend(members.pop(j))
    first, second = members.values()
    return sorted(first), sorted(second)


def _within(sims: np.ndarray, rows: Sequence[int]) -> float:
    if len(rows) < 2:
        return float("nan")
    block = sims[np.ix_(rows, rows)]
    return float((block.sum() - np.trace(block)) / (len(rows) * (len(rows) - 1)))


def cut_links(sims: np.ndarray, sides: tuple[Sequence[int], Sequence[int]]) -> Link:
    """Across a cut of a story's members: the mean similarity across, the lower of its
    sides' inner means (nan when both sides are one article)."""
    first, second = sides
    inner = [w for w in (_within(sims, first), _within(sims, second)) if not math.isnan(w)]
    return {"cross": float(sims[np.ix_(first, second)].mean()),
            "within": min(inner) if inner else float("nan")}


def internal_links(tables, story_ids: Sequence[int], weights, meanings  # type: ignore[no-untyped-def]
                   ) -> tuple[dict[int, Link], dict[int, np.ndarray], dict[int, list[int]]]:
    """Each story of two or more articles: its cohesion from the pair matrix, its loosest
    member's link and its cut's (``cut_links``); with the matrices and member ids."""
    from newsweave.stories.assign import VectorCache, article_vectors
    from newsweave.stories.vectors import pair_matrices

    members = tables.members(story_ids)
    wanted = [a for s in story_ids for a in members.get(s, ())]
    vectors = article_vectors(tables, wanted, weights, VectorCache(meanings))
    found: dict[int, Link] = {}
    matrices: dict[int, np.ndarray] = {}
    ids: dict[int, list[int]] = {}
    for story_id in story_ids:
        items = [vectors[a] for a in sorted(members.get(story_id, ())) if a in vectors]
        n = len(items)
        if n < 2:
            continue
        sims, _agree = pair_matrices(items, weights)
        rest = (sims.sum(axis=1) - np.diag(sims)) / (n - 1)
        cut = cut_links(sims, two_way(sims))
        found[story_id] = {"size": float(n), "cohesion": float(rest.mean()),
                           "loosest": float(rest.min()), "cut": cut["cross"],
                           "within": cut["within"]}
        matrices[story_id], ids[story_id] = sims, [a.id for a in items]
    return found, matrices, ids


def _clip(value: float) -> float:
    return max(0.0, min(1.0, value))


def _ratio(link: str, to: str, k: float) -> Callable[[Link, float], float]:
    def level(found: Link, threshold: float) -> float:
        bar = found["cohesion"] if to == "cohesion" else found[to]
        if math.isnan(bar):
            bar = found["cohesion"]
        return _clip(found[link] / (k * bar)) if bar > 0 else 1.0
    return level


def _over_bar(link: str, k: float) -> Callable[[Link, float], float]:
    def level(found: Link, threshold: float) -> float:
        return _clip((found[link] / threshold - 1.0) / k)
    return level


def _small(level: Callable[[Link, float], float]) -> Callable[[Link, float], float]:
    """``level`` read for stories of at most SMALL_STORY articles only (the stage's own
    line between a small story and a large one: ``linkage.attach_small``)."""
    from newsweave.stories.vectors import SMALL_STORY

    def gated(found: Link, threshold: float) -> float:
        return level(found, threshold) if found["size"] <= SMALL_STORY else 1.0
    return gated


FORMS: list[tuple[str, Callable[[Link, float], float] | None]] = [("chosen (part 2)", None)]
for _k in (0.5, 0.75, 1.0, 1.25):
    FORMS += [(f"loosest / (cohesion x{_k})", _ratio("loosest", "cohesion", _k)),
              (f"cut / (within x{_k})", _ratio("cut", "within", _k)),
              (f"cut / (cohesion x{_k})", _ratio("cut", "cohesion", _k))]
for _k in (0.5, 1.0):
    FORMS += [(f"(loosest / T - 1) / {_k}", _over_bar("loosest", _k)),
              (f"(cut / T - 1) / {_k}", _over_bar("cut", _k))]
for _k in (0.75, 1.0, 1.25):
    FORMS += [(f"cut / (within x{_k}), 2-4", _small(_ratio("cut", "within", _k))),
              (f"loosest / (coh. x{_k}), 2-4", _small(_ratio("loosest", "cohesion", _k)))]
for _k in (0.5, 1.0):
    FORMS += [(f"(cut / T - 1) / {_k}, 2-4", _small(_over_bar("cut", _k)))]


# The forms whose change against part 2 is bootstrapped: the choice sets' best over all
# stories (the whole range of forms), and the best of those read for every size.
CANDIDATES = ("loosest / (coh. x1.0), 2-4", "loosest / (cohesion x0.75)")
DRAWS = 200


def _bootstrap(before: dict[int, float], after: dict[int, float], wrong: dict[int, bool]
               ) -> tuple[float, float, float]:
    """The change of the AUC over all stories from ``before`` to ``after``, and its 5 % and
    95 % points over :data:`DRAWS` draws of the stories with replacement (seed 1)."""
    rng = np.random.default_rng(1)
    ids = sorted(wrong)
    changes = []
    for _ in range(DRAWS):
        drawn = [ids[i] for i in rng.integers(0, len(ids), len(ids))]
        labels = [wrong[s] for s in drawn]
        changes.append(auc_of([after[s] for s in drawn], labels)
                       - auc_of([before[s] for s in drawn], labels))
    low, high = (float(np.quantile(changes, q)) for q in (0.05, 0.95))
    return _auc(after, wrong) - _auc(before, wrong), low, high


class _Level:
    """A story's confidence as the AUC helpers read it."""

    __slots__ = ("confidence",)

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence


def _auc(levels: dict[int, float], wrong: dict[int, bool]) -> float:
    return _value({s: _Level(v) for s, v in levels.items()}, wrong)


def _text(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"


def _docs(name: str) -> list[dict]:
    """Set ``name``'s docs; ``SET/kK`` keeps K reports of each event (seed 1, as
    ``stories_thin.thin``): events of one kind with a few reports each, as local news is,
    where a merged story is common."""
    from stories_dev import load_set

    base, _, thinned = name.partition("/k")
    docs = load_set(base)
    if not thinned:
        return docs
    from stories_thin import thin

    return thin(docs, int(thinned), 1)


def measure(name: str, keep: Path | None, page: int) -> dict[str, tuple[float, float]]:
    """Print one set's cost, AUC and limit lines; each form's AUC (all, mixed)."""
    from newsweave.stories import weights_from
    from newsweave.stories.meaning import weighed_meanings
    from newsweave.stories.user import confidences

    with _store(name, keep, _docs(name)) as (engine, docs):
        tables, weights = engine.store.stories, weights_from(engine.settings)
        threshold = engine.settings.story_threshold
        story_ids = [s.id for s in engine.stories(confidence=False)]
        pages = [story_ids[i:i + page] for i in range(0, len(story_ids), page)]
        spent = {"confidence": 0.0, "internal": 0.0}
        figures: dict[int, float] = {}
        links: dict[int, Link] = {}
        matrices: dict[int, np.ndarray] = {}
        members: dict[int, list[int]] = {}
        for part in pages:
            started = time.process_time()
            found = confidences(tables, part, weights, weighed_meanings(engine.store, weights),
                                threshold)
            spent["confidence"] += time.process_time() - started
            started = time.process_time()
            inner, sims, ids = internal_links(tables, part, weights,
                                              weighed_meanings(engine.store, weights))
            spent["internal"] += time.process_time() - started
            figures.update({s: c.confidence for s, c in found.items()})
            links.update(inner)
            matrices.update(sims)
            members.update(ids)
        wrong, kind, size = _labels(engine, docs)
        n = len(story_ids)
        mixed, split = (sum(k == w for k in kind.values()) for w in ("mixed", "split"))
        print(f"{name}: {len(docs)} docs, {n} stories ({sum(wrong.values())} wrong: {mixed} "
              f"hold two or more events, {split} split); CPU ms a story in pages of {page}: "
              f"confidences {1000 * spent['confidence'] / n:.3f}, internal term "
              f"{1000 * spent['internal'] / n:.3f} (x{spent['internal'] / spent['confidence']:.2f}"
              f" of it)")
        sized = {c: {s: w for s, w in wrong.items() if lo <= size[s] <= hi}
                 for c, lo, hi in CLASSES}
        of_kind = {k: {s: w for s, w in wrong.items() if not w or kind[s] == k}
                   for k in ("mixed", "split")}
        result: dict[str, tuple[float, float]] = {}
        levels: dict[str, dict[int, float]] = {}
        for label, form in FORMS:
            inner_level = {s: 1.0 if s not in links or form is None else
                           form(links[s], threshold) for s in figures}
            level = {s: min(figures[s], inner_level[s]) for s in figures}
            by_size = " ".join(f"{c} {_text(_auc(level, v))}" for c, v in sized.items())
            alone = _auc(inner_level, of_kind["mixed"]) if form is not None else float("nan")
            every, merged = _auc(level, wrong), _auc(level, of_kind["mixed"])
            print(f"  {label:30s} all {_text(every)} | size {by_size} | mixed {_text(merged)} "
                  f"split {_text(_auc(level, of_kind['split']))} | internal alone, mixed "
                  f"{_text(alone)}")
            result[label] = (every, merged)
            levels[label] = level
        for label in CANDIDATES:
            change, low, high = _bootstrap(levels[FORMS[0][0]], levels[label], wrong)
            print(f"  {label}: change of the AUC over all stories {change:+.3f}, 90 % of "
                  f"{DRAWS} draws of the stories in [{low:+.3f}, {high:+.3f}]")
        _print_limit(engine, docs, kind, links, matrices, members)
        return result


def _print_limit(engine, docs, kind, links, matrices, members) -> None:  # type: ignore[no-untyped-def]
    """The labels' own cut of each mixed story against the right stories' found cuts."""
    event = {d["id"]: d["event"] for d in docs}
    article_event = {a.id: event[a.external_id] for a in engine.articles()
                     if a.external_id in event}
    right = sorted(links[s]["cut"] / links[s]["within"] for s in links
                   if not kind.get(s) and links[s]["within"] == links[s]["within"])
    true: list[float] = []
    for s, ids in members.items():
        if kind.get(s) != "mixed":
            continue
        events = [article_event.get(a) for a in ids]
        largest = Counter(events).most_common(1)[0][0]
        sides = ([i for i, e in enumerate(events) if e == largest],
                 [i for i, e in enumerate(events) if e != largest])
        cut = cut_links(matrices[s], sides)
        if cut["within"] == cut["within"]:
            true.append(cut["cross"] / cut["within"])
    if not true or not right:
        print("  the labels' cut: no mixed story with an inner side, or no right story")
        return
    wrong = dict.fromkeys(range(len(true)), True) | dict.fromkeys(
        range(len(true), len(true) + len(right)), False)
    level = dict(enumerate(true)) | {len(true) + i: v for i, v in enumerate(right)}
    quartiles = " / ".join(f"{float(np.quantile(right, q)):.2f}" for q in (0.1, 0.5, 0.9))
    print(f"  the labels' cut of {len(true)} mixed stories, cross / within: median "
          f"{float(np.median(true)):.2f} (right stories' found cut: 10/50/90 % {quartiles}); "
          f"AUC of the labels' cut below the right stories' {_text(_auc(level, wrong))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(CHOICE + REPORT),
                        help="comma-separated: basil, ecb, ecb-odd, ecb-even, allsides "
                             "(test split), allsides-val, allsides-all")
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--stores", type=Path, default=None,
                        help="keep each set's built store here and reuse it on the next run")
    args = parser.parse_args()
    names = [s for s in args.sets.split(",") if s]
    found = {name: measure(name, args.stores, args.page) for name in names}
    for part, bases in (("choice", CHOICE), ("report", (*REPORT, "allsides-all"))):
        sets = tuple(s for s in found if s.partition("/k")[0] in bases)
        if not sets:
            continue
        print(f"{part} sets ({', '.join(sets)}): AUC, mean / lowest of the sets: over all "
              f"stories | the mixed kind (sets that have one)")
        for label, _form in FORMS:
            every = [found[s][label][0] for s in sets]
            merged = [v for s in sets if (v := found[s][label][1]) == v]
            tail = (f"{sum(merged) / len(merged):.3f} / {min(merged):.3f}" if merged else "-")
            print(f"  {label:30s} {sum(every) / len(every):.3f} / {min(every):.3f} | {tail}")


if __name__ == "__main__":
    main()
