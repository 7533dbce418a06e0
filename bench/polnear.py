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
from typing import Any

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


def count_matches(articles: list[dict[str, Any]], found: list[list[Any]]
                  ) -> dict[str, tuple[int, int, int]]:
    """(matched, predicted, gold) span counts per kind ("content", "source") over articles,
    ``found[i]`` being the attributions found in ``articles[i]``."""
    totals: dict[str, tuple[int, int, int]] = {}
    for kind in ("content", "source"):
        tp = n_pred = n_gold = 0
        for article, items in zip(articles, found, strict=True):
            gold = [(a[kind]["start"], a[kind]["end"]) for a in article["attributions"] if a[kind]]
            pred = [(getattr(f, kind).start, getattr(f, kind).end) for f in items
                    if getattr(f, kind) is not None]
            tp += match_count(pred, gold)
            n_pred += len(pred)
            n_gold += len(gold)
        totals[kind] = (tp, n_pred, n_gold)
    return totals


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
    started = time.perf_counter()
    found = [find_attributions(a["text"], lambda texts: nlp.parse(texts)) for a in articles]
    totals = count_matches(articles, found)
    elapsed = time.perf_counter() - started
    print(f"PolNeAR {args.split}: {len(articles)} articles, {elapsed:.1f} s")
    for kind, (tp, n_pred, n_gold) in totals.items():
        p, r, f = prf(tp, n_pred, n_gold)
        print(f"{kind:>8}: P {p:.3f}  R {r:.3f}  F1 {f:.3f}  ({tp} matched, {n_pred} predicted, "
              f"{n_gold} gold)")


if __name__ == "__main__":
    main()
