"""Why one event's reports stay apart: the pairs of one gold event in different stories,
by what keeps them apart (#12 part 7).

    python bench/stories_apart.py                     # the AllSides validation split
    python bench/stories_apart.py --sets allsides-val ecb-odd
    python bench/stories_apart.py --stage             # also check the whole clustering
                                                      # against the stage's own partition
    python bench/stories_apart.py --grid --sets ecb-odd allsides-val ecb-even basil allsides
    python bench/stories_apart.py --grid --through --k --sets ...  # through the stage
    python bench/stories_apart.py --numbers 1 0.85 0.7 --sets ...  # tried: figures that differ

``--grid``: BCubed F1 for ``stories.name_evidence.NAME_EVIDENCE`` (what makes a capitalised word
of a Title Case line a name) and thresholds, each set clustered as a whole (or, with
``--through``, ingested through the stage), with the mean F1 of the set thinned to k reports
an event (``bench/stories_thin.py``'s ``thin``) in brackets; chosen on ECB+ odd topics +
the AllSides validation split. ``--numbers P...``: a tried rule, measured here only: two
reports that both state figures (numbers other than years) and share none damped by P.

Each set is clustered as a whole with the stage's similarity and the English MiniLM
vectors the reuse stage stores (default settings: ``story_semantic_weight`` 0.5; the vectors
from ``bench/stories_meaning.py``'s cache): the partition a store of this size gets from
its whole re-clusterings (``--stage`` ingests the set through the stage, one batch, and
prints how far the two partitions agree). For every pair of reports of one gold event:

- *together / apart*: the same story or not;
- for the pairs apart, the first reason that holds, in this order: *no shared word* (word
  cosine 0), *name veto* (the pair is damped by "they name nobody in common"), *date veto*
  (years that never meet), *words below* (the pair's word cosine times its MiniLM factor
  below the threshold, no veto), *pair above, stories below* (the pair alone reaches the
  threshold: average linkage keeps the two stories apart on the other members' means);
- for each reason: the pairs' mean word cosine, MiniLM cosine and final similarity.

Then, per event apart, its shape (2 + 1, 1 + 1 + 1, ...), and for each report left alone
(a singleton story): whether its nearest report (final similarity) is of its own event, and
the margin between its best same-event and best other-event similarity.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

import stories_dev
from stories_dev import (
    Doc,
    cluster_labels,
    engine_partition,
    figures,
    load_set,
    stage_vectors,
)
from stories_ecb import bcubed


def meaning_vectors(docs: Sequence[Doc]) -> list[np.ndarray]:
    """Each doc's unit MiniLM vector of its title and lead, as the reuse stage stores it."""
    from newsweave.reuse.semantic import english_text
    from stories_meaning import TextVectors

    rows = TextVectors().vectors([english_text(d.get("title"), d["text"]) for d in docs])
    return [r / np.linalg.norm(r) for r in rows.astype(np.float64)]


def whole(docs: Sequence[Doc], settings: dict[str, object],  # type: ignore[no-untyped-def]
          counts_at: int | None = None):
    """(items, sims, agree, weights, threshold, pred) of ``docs`` clustered as a whole with
    the stage's similarity and the MiniLM factor. ``counts_at``: each report's count of
    distinct names (which decides whether names can disagree) taken from its features at
    that ``name_evidence.NAME_EVIDENCE`` instead (the name vectors stay the run's)."""
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.linkage import cluster_rows
    from newsweave.stories.vectors import SMALL_STORY, pair_matrices

    resolved = load_settings(**settings)
    weights = weights_from(resolved)
    items = stage_vectors(docs, weights)
    if counts_at is not None:
        items = _counted(docs, items, weights, counts_at)
    for item, row in zip(items, meaning_vectors(docs), strict=True):
        item.meaning = row
    sims, agree = pair_matrices(items, weights)
    clusters = cluster_rows(sims, agree, resolved.story_threshold, weights.attach, SMALL_STORY)
    pred = [0] * len(docs)
    for c, rows in enumerate(clusters):
        for i in rows:
            pred[i] = c
    return items, sims, agree, weights, resolved.story_threshold, pred


def _counted(docs, items, weights, level):  # type: ignore[no-untyped-def]
    """``items`` whose name counts are those of their features at ``level``."""
    import newsweave.stories.name_evidence as name_evidence
    from newsweave.stories.vectors import ArticleVector

    class Counted(ArticleVector):
        def name_count(self) -> int:
            return self.count  # type: ignore[attr-defined,no-any-return]

    chosen = name_evidence.NAME_EVIDENCE
    name_evidence.NAME_EVIDENCE = level
    try:
        other = stage_vectors(docs, weights)
    finally:
        name_evidence.NAME_EVIDENCE = chosen
    found = []
    for item, at in zip(items, other, strict=True):
        counted = Counted(item.id, item.vector, item.names, item.dates, item.day)
        counted.count = at.name_count()  # type: ignore[attr-defined]
        found.append(counted)
    return found


def _parts(items, weights):  # type: ignore[no-untyped-def]
    """Word cosine, name veto, year veto and MiniLM cosine of every pair."""
    from newsweave.stories.vectors import MIN_NAMES, NAMES_PRODUCT, _cosines, _incidence

    words = _cosines([a.arrays() for a in items])
    names = _cosines([a.name_arrays() for a in items])
    counts = np.array([a.name_count() for a in items])
    enough = (np.minimum.outer(counts, counts) >= MIN_NAMES) & (
        np.multiply.outer(counts, counts) >= NAMES_PRODUCT)
    name_veto = enough & (names < weights.name_floor)
    years = _incidence([a.dates for a in items])
    has = years.any(axis=1)
    date_veto = np.outer(has, has) & ((years @ years.T) == 0)
    meaning = np.vstack([a.meaning for a in items])
    return words, name_veto, date_veto, meaning @ meaning.T


REASONS = ("no shared word", "name veto", "date veto", "words below", "pair above, stories below")


def report(name: str, settings: dict[str, object], stage: bool) -> None:
    docs = load_set(name)
    items, sims, _agree, weights, threshold, pred = whole(docs, settings)
    gold = [d["event"] for d in docs]
    p, r, f = bcubed(pred, gold)
    print(f"\n{name}: {len(docs)} reports, {len(set(gold))} events; whole clustering "
          f"P {p:.3f} R {r:.3f} F1 {f:.3f}, {len(set(pred))} stories (threshold {threshold})")
    if stage:
        from stories_meaning import EmbedStage

        stories_dev.BEFORE[:] = [EmbedStage()]
        staged = engine_partition(docs, settings)[0]
        fig = figures(staged, docs)
        print(f"  through the stage (one batch): P {fig['p']:.3f} R {fig['r']:.3f} "
              f"F1 {fig['f1']:.3f}, {fig['stories']} stories; agreement with the whole "
              f"clustering (BCubed F1) {bcubed(staged, pred)[2]:.3f}")
    words, name_veto, date_veto, cos = _parts(items, weights)
    by_event: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(gold):
        by_event[g].append(i)
    kinds: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    together = 0
    for rows in by_event.values():
        for x, i in enumerate(rows):
            for j in rows[x + 1:]:
                if pred[i] == pred[j]:
                    together += 1
                    kinds["together"].append((words[i, j], cos[i, j], sims[i, j]))
                    continue
                if words[i, j] <= 0:
                    reason = REASONS[0]
                elif name_veto[i, j]:
                    reason = REASONS[1]
                elif date_veto[i, j]:
                    reason = REASONS[2]
                elif sims[i, j] < threshold:
                    reason = REASONS[3]
                else:
                    reason = REASONS[4]
                kinds[reason].append((words[i, j], cos[i, j], sims[i, j]))
    pairs = sum(len(v) for v in kinds.values())
    other = np.not_equal.outer(np.array(gold), np.array(gold))
    np.fill_diagonal(other, False)
    print(f"  pairs of one event: {pairs}; together {together} ({together / pairs:.0%}); "
          f"pairs of different events: mean word cosine {words[other].mean():.3f}, MiniLM "
          f"{cos[other].mean():.3f}")
    print("  | pairs | count | share | word cosine | MiniLM cosine | similarity | "
          "similarity >= T/2 |")
    print("  |---|---|---|---|---|---|---|")
    for kind in ("together", *REASONS):
        rows = np.array(kinds.get(kind, []), dtype=np.float64).reshape(-1, 3)
        if not len(rows):
            continue
        print(f"  | {kind} | {len(rows)} | {len(rows) / pairs:.0%} | {rows[:, 0].mean():.3f} | "
              f"{rows[:, 1].mean():.3f} | {rows[:, 2].mean():.3f} | "
              f"{(rows[:, 2] >= threshold / 2).mean():.0%} |")
    # Events apart: their shape, and each lone report's nearest neighbour.
    shapes: Counter[str] = Counter()
    size = Counter(pred)
    alone, nearest_own, margins, best_own, best_other = 0, 0, [], [], []
    by_words, by_meaning = 0, 0
    for rows in by_event.values():
        parts = sorted(Counter(pred[i] for i in rows).values(), reverse=True)
        shapes[" + ".join(map(str, parts))] += 1
        for i in rows:
            if size[pred[i]] != 1:
                continue
            alone += 1
            own = [j for j in rows if j != i]
            others = np.where(other[i], sims[i], -np.inf)
            top_own = max(sims[i, j] for j in own) if own else 0.0
            top_other = float(others.max())
            nearest_own += top_own > top_other
            # The same question for the word cosine alone and the MiniLM cosine alone.
            for matrix, counter in ((words, "words"), (cos, "meaning")):
                row = matrix[i].copy()
                row[i] = -np.inf
                if gold[int(np.argmax(row))] == gold[i]:
                    if counter == "words":
                        by_words += 1
                    else:
                        by_meaning += 1
            best_own.append(top_own)
            best_other.append(top_other)
            margins.append(top_own - top_other)
    print("  events by shape (story sizes within the event): "
          + ", ".join(f"{k}: {v}" for k, v in shapes.most_common()))
    if alone:
        print(f"  reports alone (singleton stories) of events with others: {alone}; nearest "
              f"report of its own event {nearest_own / alone:.0%} (by the word cosine alone "
              f"{by_words / alone:.0%}, by the MiniLM cosine alone {by_meaning / alone:.0%}); "
              "best same-event similarity "
              f"mean {np.mean(best_own):.3f} (median {np.median(best_own):.3f}), best other "
              f"{np.mean(best_other):.3f}; share with best same-event >= T/2 "
              f"{np.mean(np.array(best_own) >= threshold / 2):.0%}, >= attach "
              f"{np.mean(np.array(best_own) >= weights.attach):.0%}")


CHOICE = ("ecb-odd", "allsides-val")
_NUMBER = re.compile(r"(?<![\w.,])\$?(\d[\d,]*(?:\.\d+)?)%?(?!\w)")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


LEAD_ONLY = [False]  # --figures-lead: the title and first sentence's figures only


def numbers_of(doc: Doc) -> set[str]:
    """The figures a report states in its title and text ("1.5", "34000", "60"), years
    aside (the stage counts those as dates); with :data:`LEAD_ONLY`, in its title and first
    sentence only.

    >>> sorted(numbers_of({"title": "Claims fell to 1.5 million", "text": "In 2020, 34,000 more."}))
    ['1.5', '34000']
    """
    text = doc["text"]
    if LEAD_ONLY[0]:
        from newsweave.nlp.sentences import split_sentences

        text = next((s.text for s in split_sentences(text)), "")
    found = _NUMBER.findall(f"{doc.get('title') or ''}\n{text}")
    return {v for v in (m.replace(",", "") for m in found) if not _YEAR.match(v)}


def numbers_clash(docs: Sequence[Doc]) -> np.ndarray:
    """Where two reports both state figures and share none (diagonal False)."""
    sets = [numbers_of(d) for d in docs]
    columns: dict[str, int] = {}
    for found in sets:
        for v in found:
            columns.setdefault(v, len(columns))
    matrix = np.zeros((len(docs), max(1, len(columns))), dtype=np.float32)
    for row, found in enumerate(sets):
        matrix[row, [columns[v] for v in found]] = 1.0
    has = matrix.any(axis=1)
    clash = np.outer(has, has) & ((matrix @ matrix.T) == 0)
    np.fill_diagonal(clash, False)
    return clash  # type: ignore[no-any-return]


def numbers_grid(names: Sequence[str], evidence: Sequence[int], penalties: Sequence[float],
                 ks: Sequence[int], seeds: Sequence[int]) -> None:
    """``--numbers``: tried, not wired into the stage: a pair whose reports both state
    figures and share none damped by a penalty (as the year veto), each set clustered as a
    whole (MiniLM factor included), whole F1 [thinned means]."""
    import newsweave.stories.name_evidence as name_evidence
    import newsweave.stories.vectors as stories_vectors
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import pair_matrices
    from stories_thin import thin

    # The stage's own figures' veto off: this is the bench's form of it, measured before it
    # was wired in (its figures are the whole text's, or with --figures-lead the lead's).
    stories_vectors.FIGURE_PENALTY = 1.0
    resolved = load_settings()
    weights = weights_from(resolved)

    def f1(docs: Sequence[Doc], penalty: float) -> float:
        items = stage_vectors(docs, weights)
        for item, row in zip(items, meaning_vectors(docs), strict=True):
            item.meaning = row
        sims, agree = pair_matrices(items, weights)
        if penalty < 1:
            sims = np.where(numbers_clash(docs), sims * penalty, sims)
        pred = cluster_labels(sims, agree, resolved.story_threshold, weights.attach)
        return bcubed(pred, [d["event"] for d in docs])[2]

    sets = {name: load_set(name) for name in names}
    for name, docs in sets.items():
        # How often the figures clash, among the pairs at or above the threshold.
        sims = whole(docs, {})[1]
        gold = np.array([d["event"] for d in docs])
        above = np.triu(sims >= resolved.story_threshold, 1)
        same = np.equal.outer(gold, gold)
        clash = numbers_clash(docs)
        print(f"{name}: pairs at or above the threshold whose figures clash: one event "
              f"{clash[above & same].mean():.0%} of {int((above & same).sum())}, different "
              f"events {clash[above & ~same].mean():.0%} of {int((above & ~same).sum())}")
    chosen = name_evidence.NAME_EVIDENCE
    print(f"per set: whole F1 [mean F1 at k = {' '.join(map(str, ks))} over seeds "
          f"{' '.join(map(str, seeds))}]; choice sum over {' + '.join(CHOICE)}")
    print("| NAME_EVIDENCE, figures penalty | choice sum | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    try:
        for level in evidence:
            name_evidence.NAME_EVIDENCE = level
            for penalty in penalties:
                cells, choice = [], 0.0
                for name, docs in sets.items():
                    score = f1(docs, penalty)
                    choice += score if name in CHOICE else 0.0
                    means = [sum(f1(thin(list(docs), k, s), penalty) for s in seeds)
                             / len(seeds) for k in ks]
                    cells.append(f"{score:.3f}" + (" [" + " ".join(f"{m:.3f}" for m in means)
                                                   + "]" if means else ""))
                print(f"| {level}, {penalty} | {choice:.3f} | " + " | ".join(cells) + " |",
                      flush=True)
    finally:
        name_evidence.NAME_EVIDENCE = chosen


def grid(names: Sequence[str], settings: dict[str, object], evidence: Sequence[int],
         thresholds: Sequence[float], ks: Sequence[int], seeds: Sequence[int],
         through: bool = False, counts_at: int | None = None,
         penalties: Sequence[float] = ()) -> None:
    """``--grid``: BCubed F1 of each set clustered as a whole (MiniLM factor included) and,
    in brackets, the mean over ``seeds`` of the set thinned to k reports an event, for each
    ``name_evidence.NAME_EVIDENCE`` and threshold; the choice sum over :data:`CHOICE`.
    ``through``: each set ingested through the stage instead (one batch, stories-only, the
    MiniLM vectors stored first: as ``stories_meaning.py --grid``). ``counts_at``: the name
    counts (whether names can disagree) from the features at that level (whole only).
    ``penalties``: rows for each ``vectors.FIGURE_PENALTY`` too (the figures' veto)."""
    import newsweave.stories.name_evidence as name_evidence
    import newsweave.stories.vectors as stories_vectors
    from stories_thin import thin

    def partition(docs: Sequence[Doc], run: dict[str, object]) -> list[int]:
        if through:
            return engine_partition(docs, run)[0]
        return whole(docs, run, counts_at)[-1]  # type: ignore[no-any-return]

    if through:
        from stories_meaning import EmbedStage

        stories_dev.BEFORE[:] = [EmbedStage()]

    sets = {name: load_set(name) for name in names}
    chosen = name_evidence.NAME_EVIDENCE
    chosen_penalty = stories_vectors.FIGURE_PENALTY
    print(f"per set: whole F1 [mean F1 at k = {' '.join(map(str, ks))} over seeds "
          f"{' '.join(map(str, seeds))}]; choice sum over {' + '.join(CHOICE)}")
    print("| NAME_EVIDENCE, threshold, FIGURE_PENALTY | choice sum | " + " | ".join(names)
          + " |")
    print("|---|---|" + "---|" * len(names))
    rows = [(level, threshold, penalty) for level in evidence for threshold in thresholds
            for penalty in (penalties or [chosen_penalty])]
    try:
        for level, threshold, penalty in rows:
            name_evidence.NAME_EVIDENCE = level
            stories_vectors.FIGURE_PENALTY = penalty
            run = {**settings, "story_threshold": threshold}
            cells, choice = [], 0.0
            for name, docs in sets.items():
                gold = [d["event"] for d in docs]
                f1 = bcubed(partition(docs, run), gold)[2]
                choice += f1 if name in CHOICE else 0.0
                means = []
                for k in ks:
                    scores = []
                    for seed in seeds:
                        kept = thin(list(docs), k, seed)
                        scores.append(bcubed(partition(kept, run),
                                             [d["event"] for d in kept])[2])
                    means.append(sum(scores) / len(scores))
                cells.append(f"{f1:.3f}" + (" [" + " ".join(f"{m:.3f}" for m in means)
                                            + "]" if means else ""))
            print(f"| {level}, {threshold}, {penalty} | {choice:.3f} | "
                  + " | ".join(cells) + " |", flush=True)
    finally:
        name_evidence.NAME_EVIDENCE = chosen
        stories_vectors.FIGURE_PENALTY = chosen_penalty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["allsides-val"])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the run (as stories_dev.py)")
    parser.add_argument("--stage", action="store_true",
                        help="also ingest each set through the stage and compare")
    parser.add_argument("--grid", action="store_true",
                        help="F1 for name_evidence.NAME_EVIDENCE x thresholds instead")
    stories_dev.add_stage_constant_arguments(parser)
    parser.add_argument("--numbers", nargs="*", type=float, default=None, metavar="P",
                        help="the figures-clash penalties to try (tried, not in the stage)")
    parser.add_argument("--counts-at", type=int, default=None, metavar="N",
                        help="--grid: whether names can disagree decided by the name counts "
                        "at NAME_EVIDENCE N (the name vectors stay the row's)")
    parser.add_argument("--figures-lead", action="store_true",
                        help="--numbers: the title and first sentence's figures only")
    parser.add_argument("--penalties", nargs="*", type=float, default=[],
                        help="--grid: stories.vectors.FIGURE_PENALTY values (rows)")
    parser.add_argument("--through", action="store_true",
                        help="--grid: through the stage (ingested) instead of whole")
    parser.add_argument("--evidence", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument("--thresholds", nargs="*", type=float, default=[0.2, 0.22, 0.24])
    parser.add_argument("--k", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2])
    args = parser.parse_args()
    from stories_ecb import parse_sets

    settings = parse_sets(args.set)
    stories_dev.set_stage_constants(args)
    if args.numbers:
        LEAD_ONLY[0] = args.figures_lead
        numbers_grid(args.sets, args.evidence, args.numbers, args.k, args.seeds)
        return
    if args.grid:
        grid(args.sets, settings, args.evidence, args.thresholds, args.k, args.seeds,
             args.through, args.counts_at, args.penalties)
        return
    for name in args.sets:
        report(name, settings, args.stage)


if __name__ == "__main__":
    main()
