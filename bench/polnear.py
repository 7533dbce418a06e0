"""Attribution extraction on PolNeAR: content and source span precision/recall/F1.

A predicted span matches a gold span when their character overlap is at least
half of the gold span; each gold span is matched at most once (greedy, best
overlap first). Run from the repo root:

    python bench/polnear.py [--split test|dev|train] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "polnear"


def match_count(predicted: list[tuple[int, int]], gold: list[tuple[int, int]]) -> int:
    """Gold spans matched one-to-one by predictions overlapping >= 50 % of the gold span."""
    pairs = []
    for p, (ps, pe) in enumerate(predicted):
        for g, (gs, ge) in enumerate(gold):
            overlap = min(pe, ge) - max(ps, gs)
            if ge > gs and overlap >= 0.5 * (ge - gs):
                pairs.append((overlap / (ge - gs), p, g))
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, p, g in sorted(pairs, reverse=True):
        if p not in used_p and g not in used_g:
            used_p.add(p)
            used_g.add(g)
    return len(used_g)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["test", "dev", "train"])
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    args = parser.parse_args()
    path = DATA / f"{args.split}.jsonl"
    if not path.exists():
        sys.exit(f"{path} not found: the benchmarks live in ../shared beside the repo")
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.extract import nlp
    from newsweave.extract.quotes import find_attributions

    articles = [json.loads(line) for line in path.open(encoding="utf-8")]
    if args.limit:
        articles = articles[: args.limit]
    totals = {"content": [0, 0, 0], "source": [0, 0, 0]}
    started = time.perf_counter()
    for article in articles:
        found = find_attributions(article["text"], lambda texts: nlp.parse(texts))
        for kind in ("content", "source"):
            gold = [(a[kind]["start"], a[kind]["end"]) for a in article["attributions"] if a[kind]]
            pred = [(getattr(f, kind).start, getattr(f, kind).end) for f in found
                    if getattr(f, kind) is not None]
            totals[kind][0] += match_count(pred, gold)
            totals[kind][1] += len(pred)
            totals[kind][2] += len(gold)
    elapsed = time.perf_counter() - started
    print(f"PolNeAR {args.split}: {len(articles)} articles, {elapsed:.1f} s")
    for kind, (tp, n_pred, n_gold) in totals.items():
        p, r, f = prf(tp, n_pred, n_gold)
        print(f"{kind:>8}: P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({tp} matched, {n_pred} predicted, "
              f"{n_gold} gold)")


if __name__ == "__main__":
    main()
