"""Extract's resolution alone, batch after batch, on a copy of a grown store.

    python bench/resolve_batches.py STORE.db --out COPY.db [--last 1000] [--batch 100]
                                    [--reresolve 500] [--merges 0] [--seed 7]

Copies STORE (a store ``bench/scale.py --stages all --keep-db`` left) to COPY, takes its
newest ``--last`` articles out of the resolution (re-resolved as naming nothing: their
locals and variants leave their entities and groups), then resolves them again from what
the store found in them, ``--batch`` articles a call, as the extract stage does during an
ingest; then re-resolves ``--reresolve`` earlier articles (seeded) in one call, as
``consume_invalidations`` does after story merges (their stories unchanged: each article's
locals come back as they were); then, with ``--merges N``, merges N pairs of earlier
articles' stories (seeded: one story's members moved to the other's, in the copy) and
re-resolves the merged stories' articles in one call, as ``consume_invalidations`` does
after the stories stage merged them (their locals now carry the kept story). Prints the
CPU seconds (this process) of each part, the entities' and the quotes' share, and the peak
RSS. Run it with two
trees' ``src`` on the same STORE and compare the two COPY stores with
``bench/scale.py --compare-db``: an exact change leaves them identical.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import newsweave
from newsweave.extract import resolve
from newsweave.extract.entities import Mention
from newsweave.extract.quotes import Found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="the copy to resolve in")
    parser.add_argument("--last", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--reresolve", type=int, default=500)
    parser.add_argument("--merges", type=int, default=0,
                        help="pairs of stories to merge, their articles then re-resolved")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{args.store}?mode=ro", uri=True) as source, \
            sqlite3.connect(args.out) as copy:
        source.backup(copy)
    spent: dict[str, float] = {"entities": 0.0, "quotes": 0.0}
    resolve.update_entities = _timed(resolve.update_entities, spent, "entities")  # type: ignore[assignment]
    resolve.update_quotes = _timed(resolve.update_quotes, spent, "quotes")  # type: ignore[assignment]
    with newsweave.open(str(args.out)) as engine:
        store, settings = engine.store, engine.settings
        ids = sorted(store.extract.found(None))
        newest, earlier = ids[-args.last:], ids[: -args.last]
        analysed = {i: ([Mention.from_dict(m) for m in ms], [Found.from_dict(a) for a in atts])
                    for i, (ms, atts) in store.extract.found(newest).items()}
        started = time.process_time()
        with store.transaction():
            resolve.update(store, settings, newest, {i: ([], []) for i in newest})
        print(f"took the newest {len(newest):,} out: {time.process_time() - started:.1f} CPU s")
        for key in spent:
            spent[key] = 0.0
        per_batch: list[float] = []
        for start in range(0, len(newest), args.batch):
            batch = newest[start : start + args.batch]
            started = time.process_time()
            with store.transaction():
                resolve.update(store, settings, batch, {i: analysed[i] for i in batch})
            per_batch.append(time.process_time() - started)
        print(f"resolved them again in {len(per_batch)} batches of {args.batch}: "
              f"{sum(per_batch):.1f} CPU s (entities {spent['entities']:.1f}, quotes "
              f"{spent['quotes']:.1f}); a batch: first {per_batch[0]:.2f}, median "
              f"{sorted(per_batch)[len(per_batch) // 2]:.2f}, last {per_batch[-1]:.2f}")
        chosen = sorted(random.Random(args.seed).sample(earlier, min(args.reresolve,
                                                                     len(earlier))))
        def reresolve(articles: list[int], what: str) -> None:
            for key in spent:
                spent[key] = 0.0
            started = time.process_time()
            with store.transaction():
                resolve.update(store, settings, articles)
            print(f"{what}: {time.process_time() - started:.1f} CPU s (entities "
                  f"{spent['entities']:.1f}, quotes {spent['quotes']:.1f})")

        reresolve(chosen, f"re-resolved {len(chosen):,} earlier articles")
        if args.merges:
            merged = merge_stories(store, earlier, args.merges, args.seed)
            reresolve(merged, f"merged {args.merges} pairs of stories, re-resolved their "
                      f"{len(merged):,} articles")
        held = list(iter_held(store))
        print(f"held at the end: {sum(len(h.locals) for _, h in held):,} locals of "
              f"{len(held):,} entities (the tree's extract.held; none before it)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def merge_stories(store: Any, articles: list[int], pairs: int, seed: int) -> list[int]:
    """Merge ``pairs`` pairs of the stories of ``articles`` (seeded; each story in one pair
    at most), the second's members moved to the first; the merged stories' articles."""
    stories = sorted(set(store.stories.story_of(articles).values()))
    chosen = random.Random(seed).sample(stories, min(2 * pairs, len(stories) // 2 * 2))
    with store.transaction() as db:
        for kept, gone in zip(chosen[::2], chosen[1::2], strict=True):
            db.execute("UPDATE story_members SET story_id = ? WHERE story_id = ?", (kept, gone))
        members = store.stories.members(chosen[::2])
    return sorted(a for ids in members.values() for a in ids)


def iter_held(store: Any) -> Any:
    try:
        from newsweave.extract.held import iter_held as held
    except ImportError:  # a tree before it
        return iter(())
    return held(store)


def _timed(function: Callable[..., Any], spent: dict[str, float],
           key: str) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[key] += time.process_time() - started
    return timed


if __name__ == "__main__":
    main()
