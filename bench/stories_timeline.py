"""A second corpus for the story defaults: Timeline17 (8 long-running stories, 4,352 articles).

    python bench/stories_timeline.py                 # defaults, every article
    python bench/stories_timeline.py --per-story 150 # a quicker look (150 articles a story)

Timeline17's labels are *topics* followed for months or years (the Egyptian
protests, the BP oil spill, the H1N1 pandemic...), not single events, so one
gold story rightly holds many event-level stories. What this checks is that
the defaults tuned on ECB+ do not merge different topics: BCubed *precision*
against the topic labels should stay high, and recall (how much of a topic
one story gathers) is expected to be low. The engine sees text, outlet and
publication date; the labels stay here. Texts are tokenised by the data set
(-LRB-, " 's"), which the features tolerate.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

from stories_ecb import REPO, bcubed, pairwise_f1, parse_sets, partition

DATA = REPO.parent / "shared" / "benchmarks" / "timeline17" / "docs.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-story", type=int, default=0,
                        help="sample this many articles of each story (0: all)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} not found: the benchmark data lives in ../shared beside the repo")
    docs = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    if args.per_story:
        rng = random.Random(5)
        by_story: dict[str, list[dict[str, str]]] = {}
        for d in docs:
            by_story.setdefault(d["story"], []).append(d)
        docs = [d for group in by_story.values()
                for d in rng.sample(group, min(args.per_story, len(group)))]
    docs.sort(key=lambda d: (d["published"], d["id"]))  # as they were published
    settings = parse_sets(args.set)
    with tempfile.TemporaryDirectory() as tmp:
        pred, took = partition(docs, settings, Path(tmp), stories_only=True,
                               fields=("id", "text", "outlet", "published"))
    gold = [d["story"] for d in docs]
    p, r, f = bcubed(pred, gold)
    sizes = Counter(pred)
    mixed = sum(1 for s in sizes if len({g for g, q in zip(gold, pred, strict=True)
                                         if q == s}) > 1)
    print(f"Timeline17 {len(docs)} articles, 8 topics, settings {settings or 'default'}: "
          f"the stories stage {took:.1f} s")
    print(f"  vs topic: BCubed P {p:.3f} R {r:.3f} F1 {f:.3f}; pairwise F1 "
          f"{pairwise_f1(pred, gold):.3f}; {len(sizes)} stories "
          f"({sum(1 for n in sizes.values() if n == 1)} of one article, "
          f"{sum(1 for n in sizes.values() if n >= 10)} of 10 or more); "
          f"stories mixing topics: {mixed}")


if __name__ == "__main__":
    main()
