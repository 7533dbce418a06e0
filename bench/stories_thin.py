"""Stories when each event has only one to three reports: the dev sets thinned.

ECB+, BASIL and AllSides give most events many reports (ECB+ about 11, BASIL and AllSides
3 each). Local news is not like that: a town's shooting or fire is told by one to three
outlets, and many incidents of the same kind happen in the same weeks. A rule that joins
"incomplete" small stories pays off when every event has several reports and costs
precision when most events have one or two. This script keeps ``k`` reports of each gold
event (drawn with a seed) for k = 1, 2, 3, shuffles them, and scores the stories stage and
the TF-IDF average-link baseline (its distance chosen on all of ECB+, as in
``bench/stories_dev.py``) on what is left. At k = 1 every event is a single report, so
recall is 1 and the figure measures only what the engine wrongly merges.

    python bench/stories_thin.py                        # ecb-odd, ecb-even, basil, allsides
    python bench/stories_thin.py --sets ecb-odd --k 1 2 --seeds 1 2 3
    python bench/stories_thin.py --set story_threshold=0.24
    python bench/stories_thin.py --minilm --set story_semantic_weight=0.5  # #12 part 6

Choose on ``ecb-odd`` (and the AllSides validation split, ``allsides-val``), report on the
others.

``--whole``: each set (whole and thinned) clustered as a whole with the stage's similarity
(all pairwise similarities at once, document frequencies over what is kept, then
``linkage.cluster_rows``: the partition online assignment and repair approach, as
``stories_dev.py --grid``), engine F1 only, one row per variant. ``--semantic LO A T``
(repeatable) adds a variant, tried in #12 part 5: each pair's similarity multiplied by
``1 + A * clip((cos - LO) / (0.9 - LO), 0, 1)``, ``cos`` the cosine of the two articles'
English MiniLM vectors (the ones the reuse stage stores: ``reuse.semantic.english_text``,
computed here from the model's registry package), cut at story_threshold ``T``; the
``--threshold`` list gives the words-only rows. ``--anatomy``: instead of F1, where each
variant loses on each whole set (BCubed P/R, events split, stories mixing events), with and
without the small stories' attach rule. ``--together``: the sets clustered as one
shuffled collection (the mixed store's question, without the online machinery), each
set's F1 on the shared partition beside its own.

    python bench/stories_thin.py --whole --sets ecb-odd allsides-val ecb-even basil allsides \
        --threshold 0.22 --semantic 0.5 0.5 0.26 --semantic 0.5 1.0 0.30
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

import stories_dev
from stories_dev import (
    Doc,
    baseline,
    choose_distance,
    cluster_labels,
    engine_partition,
    figures,
    load_set,
)
from stories_ecb import parse_sets


def thin(docs: list[Doc], k: int, seed: int) -> list[Doc]:
    """``k`` reports of each event (all of a smaller event), in one shuffled order."""
    rng = random.Random(seed)
    by_event: dict[str, list[Doc]] = {}
    for d in docs:
        by_event.setdefault(d["event"], []).append(d)
    kept = [d for _, reports in sorted(by_event.items())
            for d in rng.sample(reports, min(k, len(reports)))]
    rng.shuffle(kept)
    return kept


Modify = Callable[[np.ndarray, list[Doc]], np.ndarray]


def whole_f1(docs: list[Doc], threshold: float, modify: Modify | None = None) -> float:
    """BCubed F1 of ``docs`` clustered as a whole with the stage's similarity (optionally
    changed by ``modify``), cut at ``threshold``."""
    return bcubed_f1(whole_partition(docs, threshold, modify), docs)


def bcubed_f1(pred: list[int], docs: list[Doc]) -> float:
    from stories_ecb import bcubed

    return bcubed(pred, [d["event"] for d in docs])[2]


def whole_partition(docs: list[Doc], threshold: float, modify: Modify | None = None,
                    attach: bool = True) -> list[int]:
    """The story (cluster number) of each of ``docs`` clustered as :func:`whole_f1` does;
    ``attach`` False: average linkage alone, without the small stories' attach rule."""
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import pair_matrices
    from stories_dev import stage_vectors

    weights = weights_from(load_settings())
    sims, agree = pair_matrices(stage_vectors(docs, weights), weights)
    if modify is not None:
        diagonal = np.diag(sims).copy()
        sims = modify(sims, docs)
        np.fill_diagonal(sims, diagonal)
    return cluster_labels(sims, agree, threshold, weights.attach if attach else 0.0)


def anatomy(name: str, docs: list[Doc], label: str, pred: list[int]) -> None:
    """``--anatomy``: where a partition loses: BCubed P/R, stories, events split into 2 or
    3+ stories, stories holding two or more events, and singleton stories."""
    from stories_ecb import bcubed

    gold = [d["event"] for d in docs]
    p, r, f = bcubed(pred, gold)
    parts: dict[str, set[int]] = {}
    events: dict[int, set[str]] = {}
    for story, event in zip(pred, gold, strict=True):
        parts.setdefault(event, set()).add(story)
        events.setdefault(story, set()).add(event)
    split = Counter(min(len(s), 3) for s in parts.values())
    sizes = Counter(pred)
    print(f"{name:<13} {label:<36} P {p:.3f} R {r:.3f} F1 {f:.3f}  stories {len(sizes)} / "
          f"events {len(parts)}; events in 2 stories {split[2]}, in 3+ {split[3]}; "
          f"stories mixing events {sum(len(e) > 1 for e in events.values())}; "
          f"singletons {sum(c == 1 for c in sizes.values())}")


class Semantic:
    """The MiniLM vectors of every doc of the sets (by id), and the multiplier variant."""

    def __init__(self, sets: Sequence[list[Doc]]) -> None:
        from stories_semantic import minilm

        docs = [d for s in sets for d in s]
        self.rows = dict(zip([d["id"] for d in docs], minilm(docs), strict=True))

    def multiplier(self, lo: float, a: float, neutral: float = 0.0) -> Modify:
        """``neutral`` > 0: divided by ``1 + a * neutral`` (a pair at that agreement keeps
        its similarity, as one without vectors would: the threshold need not move)."""
        def modify(sims: np.ndarray, docs: list[Doc]) -> np.ndarray:
            vectors = np.array([self.rows[d["id"]] for d in docs])
            sem = np.clip((vectors @ vectors.T - lo) / (0.9 - lo), 0.0, 1.0)
            return sims * (1.0 + a * sem) / (1.0 + a * neutral)  # type: ignore[no-any-return]
        return modify


def whole_table(names: Sequence[str], ks: Sequence[int], seeds: Sequence[int],
                thresholds: Sequence[float], semantic: Sequence[Sequence[float]],
                anatomy_only: bool = False, neutral: float = 0.0,
                together: bool = False) -> None:
    """``--whole``: one row per variant, per set its whole F1 and the mean F1 at each k."""
    sets = {name: load_set(name) for name in names}
    variants: list[tuple[str, float, Modify | None]] = [
        (f"words, threshold {t}", t, None) for t in thresholds]
    if semantic:
        vectors = Semantic(list(sets.values()))
        variants += [(f"MiniLM x words lo {lo} a {a}, threshold {t}"
                      + (f", / (1 + a {neutral})" if neutral else ""), t,
                      vectors.multiplier(lo, a, neutral)) for lo, a, t in semantic]
    if together:
        # Every set in one shuffled collection, clustered as a whole: each set's F1 read off
        # the shared partition (the mixed store's question, without the online machinery).
        everything = [d for docs in sets.values() for d in docs]
        random.Random(7).shuffle(everything)
        print(f"{len(everything)} docs of {', '.join(sets)} clustered together: each set's F1 "
              "together (its own run)")
        for label, threshold, modify in variants:
            pred = whole_partition(everything, threshold, modify)
            cells = []
            for name, docs in sets.items():
                at = [i for i, d in enumerate(everything) if d["id"] in {e["id"] for e in docs}]
                mine = bcubed_f1([pred[i] for i in at], [everything[i] for i in at])
                cells.append(f"{name} {mine:.3f} ({whole_f1(docs, threshold, modify):.3f})")
            print(f"{label:<44} " + " | ".join(cells), flush=True)
        return
    if anatomy_only:
        for name, docs in sets.items():
            for label, threshold, modify in variants:
                anatomy(name, docs, label, whole_partition(docs, threshold, modify))
                anatomy(name, docs, "  (average linkage alone)",
                        whole_partition(docs, threshold, modify, attach=False))
        return
    print("per set: F1 of the whole set [mean F1 at k = " + " ".join(map(str, ks))
          + f" over seeds {' '.join(map(str, seeds))}]")
    print(f"{'variant':<44} " + " | ".join(f"{n:<25}" for n in names))
    for label, threshold, modify in variants:
        cells = []
        for docs in sets.values():
            means = [sum(whole_f1(thin(docs, k, s), threshold, modify) for s in seeds)
                     / len(seeds) for k in ks]
            cells.append(f"{whole_f1(docs, threshold, modify):.3f} ["
                         + " ".join(f"{m:.3f}" for m in means) + "]")
        print(f"{label:<44} " + " | ".join(f"{c:<25}" for c in cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["ecb-odd", "ecb-even", "basil", "allsides"])
    parser.add_argument("--k", nargs="*", type=int, default=[1, 2, 3])
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. story_threshold=0.2")
    parser.add_argument("--whole", action="store_true",
                        help="cluster each set as a whole with the stage's similarity "
                        "(fast; variants as rows) instead of ingesting it")
    parser.add_argument("--threshold", nargs="*", type=float, default=[0.22],
                        help="--whole: story thresholds of the words-only rows")
    parser.add_argument("--semantic", nargs=3, type=float, action="append", default=[],
                        metavar=("LO", "A", "T"),
                        help="--whole: a MiniLM multiplier row (tried, #12 part 5)")
    parser.add_argument("--anatomy", action="store_true",
                        help="--whole: where each variant loses (P/R, splits, merges) instead")
    parser.add_argument("--neutral", type=float, default=0.0, metavar="M",
                        help="--whole: divide each --semantic row's multiplier by 1 + A * M")
    parser.add_argument("--together", action="store_true",
                        help="--whole: the sets in one shuffled collection (no overlapping "
                        "sets: ecb basil allsides), each set's F1 on the shared partition")
    parser.add_argument("--minilm", action="store_true",
                        help="through the stage: store each English article's MiniLM vector "
                        "first, as the reuse stage does (stories_dev.py --minilm)")
    stories_dev.add_stage_constant_arguments(parser)
    args = parser.parse_args()
    stories_dev.set_stage_constants(args)
    if args.minilm:
        from stories_meaning import EmbedStage

        stories_dev.BEFORE[:] = [EmbedStage()]
    if args.whole:
        whole_table(args.sets, args.k, args.seeds, args.threshold, args.semantic, args.anatomy,
                    args.neutral, args.together)
        return
    settings = parse_sets(args.set)
    distance, _ = choose_distance(load_set("ecb"))
    print(f"baseline distance (chosen on all of ECB+): {distance}; engine settings "
          f"{settings or 'default'}")
    print(f"{'set':<10} {'k':>2} {'seed':>4} {'docs':>5}  {'engine P/R/F1':<17} "
          f"{'stories':>9}  baseline P/R/F1")
    for name in args.sets:
        docs = load_set(name)
        for k in args.k:
            engine_f1, base_f1 = [], []
            for seed in args.seeds:
                kept = thin(docs, k, seed)
                mine = figures(engine_partition(kept, settings)[0], kept)
                base = figures(baseline(kept, [distance])[distance], kept)
                engine_f1.append(mine["f1"])
                base_f1.append(base["f1"])
                print(f"{name:<10} {k:>2} {seed:>4} {len(kept):>5}  {mine['p']:.3f} "
                      f"{mine['r']:.3f} {mine['f1']:.3f} {mine['stories']:>4}/"
                      f"{mine['events']:<4}  {base['p']:.3f} {base['r']:.3f} "
                      f"{base['f1']:.3f}", flush=True)
            print(f"{name:<10} {k:>2} mean        engine F1 {sum(engine_f1) / len(engine_f1):.3f}"
                  f"  baseline F1 {sum(base_f1) / len(base_f1):.3f}", flush=True)


if __name__ == "__main__":
    main()
