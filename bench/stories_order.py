"""Order independence: the same articles ingested in two shuffled orders, partitions compared.

    python bench/stories_order.py            # ECB+, seeds 1 and 2
    python bench/stories_order.py --seeds 3 4
    python bench/stories_order.py --lone-join 0.2   # a stage constant (stories_dev.py's options)

Prints the BCubed F1 between the two story partitions (1.0: identical; goal
>= 0.98) and each order's BCubed F1 against the gold events.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import stories_dev
from stories_ecb import bcubed, load, parse_sets, partition


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", nargs=2, type=int, default=(1, 2))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--stories-only", action="store_true",
                        help="run only the stories stage (no reuse links)")
    parser.add_argument("--restory", action="store_true",
                        help="run a full restory after each ingest")
    stories_dev.add_stage_constant_arguments(parser)
    args = parser.parse_args()
    stories_dev.set_stage_constants(args)
    docs = load()
    settings = parse_sets(args.set)
    results: list[dict[str, int]] = []
    for seed in args.seeds:
        order = list(docs)
        random.Random(seed).shuffle(order)
        with tempfile.TemporaryDirectory() as tmp:
            pred, took = partition(order, settings, Path(tmp), stories_only=args.stories_only,
                                   restory=args.restory)
        gold_f1 = bcubed(pred, [d["event"] for d in order])[2]
        print(f"order seed {seed}: {len(set(pred))} stories, BCubed F1 vs event {gold_f1:.3f}, "
              f"{took:.1f} s")
        results.append({d["id"]: p for d, p in zip(order, pred, strict=True)})
    ids = sorted(results[0])
    p, r, f = bcubed([results[0][i] for i in ids], [results[1][i] for i in ids])
    print(f"BCubed between the two orders: P {p:.3f} R {r:.3f} F1 {f:.3f}")


if __name__ == "__main__":
    main()
