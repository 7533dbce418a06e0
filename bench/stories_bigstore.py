"""Where a big store of same-kind events loses precision: the engine's stories against the
gold events, and against the stage's own similarity clustered as a whole.

    python bench/stories_bigstore.py --sets allsides-all allsides-train \
        --partition /tmp/parts.json          # a stories_dev.py --minilm --partition file

For each set: the engine's stories by size (how many, how many hold two or more gold events,
their BCubed precision share), the largest stories, and the partition of the same
similarity (the stage's article vectors, document frequencies over the set, MiniLM
vectors from bench/stories_meaning.py's cache) clustered as a whole by average linkage
with and without the attach rule: the partition online assignment and repair approach.
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

import numpy as np

from stories_dev import Doc, load_set, stage_vectors
from stories_ecb import bcubed

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
    """The stage's similarity over ``docs`` clustered as a whole, with and without attach."""
    from newsweave.reuse.semantic import english_text
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.repair import average_link, attach_small
    from newsweave.stories.vectors import SMALL_STORY, pair_matrices
    from stories_meaning import TextVectors

    weights = weights_from(load_settings(**settings))
    items = stage_vectors(docs, weights)
    if weights.semantic > 0:
        rows = TextVectors().vectors([english_text(d.get("title"), d["text"]) for d in docs])
        for item, row in zip(items, rows, strict=True):
            item.meaning = row
    sims, agree = pair_matrices(items, weights)
    clusters = average_link(sims, 0.0 + load_settings(**settings).story_threshold)
    found = {}
    for label, attach in (("whole, no attach", 0.0), ("whole, attach", weights.attach)):
        pred = [0] * len(docs)
        for c, rows_ in enumerate(attach_small(clusters, sims, agree, attach, SMALL_STORY)):
            for i in rows_:
                pred[i] = c
        found[label] = pred
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["allsides-all"])
    parser.add_argument("--partition", type=Path, default=None,
                        help="stories_dev.py --partition output (the engine's stories)")
    parser.add_argument("--whole", action="store_true",
                        help="also cluster the stage's similarity as a whole (slow, ~3 GB)")
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
            for label, other in whole(docs, {}).items():
                p, r, f = bcubed(other, gold)
                print(f"  {label}: P {p:.3f} R {r:.3f} F1 {f:.3f}, {len(set(other))} stories")
                size_table(other, docs)
            print(f"  ({time.process_time() - started:.0f} CPU s)", flush=True)


if __name__ == "__main__":
    main()
