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

Choose on ``ecb-odd`` (and the AllSides validation split, ``allsides-val``), report on the
others.
"""

from __future__ import annotations

import argparse
import random

from stories_dev import (
    Doc,
    baseline,
    choose_distance,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["ecb-odd", "ecb-even", "basil", "allsides"])
    parser.add_argument("--k", nargs="*", type=int, default=[1, 2, 3])
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. story_threshold=0.2")
    args = parser.parse_args()
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
