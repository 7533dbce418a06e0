"""The stories tables' own costs that could grow with the store: candidate lookups and
document-frequency upserts, on a kept store of a given size.

    python bench/stories_lookups.py --size 30000
    python bench/stories_lookups.py --size 100000
    python bench/stories_lookups.py --keys 1500000   # frequency batches only, no kept store

The store is the one ``bench/stories_steady.py --size N`` keeps under
``~/.cache/newsweave-bench/`` (run that first). Printed, in CPU time:

- the table sizes (distinct document-frequency keys, story-index rows, live stories, the
  most common index key's stories, story-log rows);
- candidate lookups: the query keys of the last 1,000 stored articles, built as
  assignment builds them, looked up with ``StoriesTables.candidates`` (ms a lookup, and the
  index rows the lookups read);
- ``--store PATH --rounds N``: only the candidate lookups, on any store (opened read-only,
  not copied): one ``StoriesTables.candidates`` query per article against
  ``candidates_of`` for all of them at once (what assignment asks now; ``--at-once``:
  in slices of these sizes), N alternating rounds, CPU s each, the union's index rows,
  and whether the lists are the same;
- document-frequency upserts: 10,000 keys (8,000 stored, 2,000 new) added in one
  transaction of a copy of the store, in random order and in key order, three rounds each
  (ms for the upserts, and for the commit, which writes every page they touched);
- the same batches of 10,000 changes as the store now takes them (``--batches``, 22 by
  default): ``StoriesTables.add_counts`` in one transaction each, the changes pending
  in ``story_df_pending`` and folded into ``story_df`` once ``FOLD_KEYS`` keys are pending;
  CPU ms a batch on average (folds included) and the folds' own cost, beside the same
  batches written in place (key-ordered upserts and their commit, as before).

The kept store is copied first (opening the copy upgrades its schema; the kept one is
not touched).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import newsweave.store.stories as stories_store_module
import newsweave.store.story_frequencies as stories_store
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.store.stories import DOCUMENTS, FOLD_KEYS
from newsweave.stories.assign import CANDIDATES, QUERY_KEYS, article_vectors, weights_from
from newsweave.stories.vectors import top_array_keys

CACHE = Path.home() / ".cache" / "newsweave-bench"
UPSERT = ("INSERT INTO story_df (key, df) VALUES (?, ?) "
          "ON CONFLICT(key) DO UPDATE SET df = df + excluded.df")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=22,
                        help="batches of 10,000 frequency changes through add_counts")
    parser.add_argument("--keys", type=int, default=0,
                        help="no kept store: only the frequency batches, on a fresh store whose "
                             "story_df holds this many random keys (1,511,963 at 100k articles)")
    parser.add_argument("--fold", type=int, default=0,
                        help=f"pending keys that trigger a fold (default {FOLD_KEYS:,}: "
                             f"store.story_frequencies.FOLD_KEYS), for its neighbours")
    parser.add_argument("--store", help="only the candidate lookups, one by one and for "
                                        "the batch at once, on this store (read-only)")
    parser.add_argument("--rounds", type=int, default=3, help="with --store: rounds")
    parser.add_argument("--at-once", type=int, nargs="+", default=[1000],
                        help="with --store: candidates_of on slices of this many queries "
                             "(forced past CANDIDATES_AT_ONCE), each size in turn")
    args = parser.parse_args()
    if args.store:
        _lookups_at_once(Path(args.store), args.rounds, args.at_once)
        return
    if args.fold:
        stories_store.FOLD_KEYS = args.fold
    if args.keys:
        _synthetic(args.keys, args.batches)
        return
    kept = CACHE / f"stories-steady-{args.size}.db"
    if not kept.exists():
        raise SystemExit(f"{kept}: no such store; run bench/stories_steady.py --size "
                         f"{args.size} first")
    work = tempfile.TemporaryDirectory()
    copied = Path(work.name) / "lookups.db"
    shutil.copy(kept, copied)
    store = open_store(str(copied))
    db = store._db  # the bench reads the tables directly: sizes and index rows
    sizes = [int(db.execute(sql).fetchone()[0]) for sql in (
        "SELECT count(*) FROM story_df WHERE key >= 0",
        "SELECT count(*) FROM story_keys",
        "SELECT count(*) FROM stories WHERE merged_into IS NULL AND size > 0",
        "SELECT max(c) FROM (SELECT count(*) AS c FROM story_keys GROUP BY key)",
        "SELECT count(*) FROM story_log",
    )]
    print(f"{args.size:,} articles: {sizes[0]:,} document-frequency keys, {sizes[1]:,} "
          f"story-index rows, {sizes[2]:,} live stories, the most common index key in "
          f"{sizes[3]:,} stories, {sizes[4]:,} story-log rows")
    tables = store.stories
    ids = [int(r[0]) for r in db.execute(
        "SELECT article_id FROM story_features ORDER BY article_id DESC LIMIT 1000")]
    vectors = article_vectors(tables, ids, weights_from(load_settings()))
    queries = [top_array_keys(v.arrays(), QUERY_KEYS) for v in vectors.values()]
    for _ in range(2):  # the first round warms the page cache
        started = time.process_time()
        for query in queries:
            tables.candidates(query, CANDIDATES)
        spent = time.process_time() - started
    rows = sum(int(db.execute(
        f"SELECT count(*) FROM story_keys WHERE key IN ({','.join('?' * len(q))})", q
    ).fetchone()[0]) for q in queries)
    print(f"candidate lookups: {1000 * spent / len(queries):.3f} ms of CPU a lookup, "
          f"{rows / len(queries):,.0f} index rows read a lookup ({len(queries):,} lookups)")
    keys = [int(r[0]) for r in db.execute("SELECT key FROM story_df WHERE key >= 0")]
    store.close()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upserts.db"
        shutil.copy(kept, path)
        store = open_store(str(path))
        db = store._db
        for _ in range(3):
            for order in ("random", "key"):
                changes = [(k, 1) for k in rng.sample(keys, 8000)]
                changes += [(rng.getrandbits(32), 1) for _ in range(2000)]
                if order == "key":
                    changes.sort()
                db.execute("BEGIN IMMEDIATE")
                started = time.process_time()
                db.executemany(UPSERT, changes)
                upserted = time.process_time()
                db.execute("COMMIT")
                committed = time.process_time()
                print(f"10,000 upserts in {order} order: {1000 * (upserted - started):.1f} ms "
                      f"of CPU, commit {1000 * (committed - upserted):.1f} ms")
        store.close()
        _pending_batches(kept, keys, args.batches, rng, Path(tmp))
    work.cleanup()
    print(f"load average {os.getloadavg()[0]:.1f}")


def _lookups_at_once(path: Path, rounds: int, sizes: list[int]) -> None:
    """The newest 1,000 articles' candidate lookups, one query each against one read of
    the batch's keys (``candidates_of``), alternately, in CPU seconds."""
    store = open_store(str(path), readonly=True)
    tables = store.stories
    ids = [int(r[0]) for r in store._db.execute(
        "SELECT article_id FROM story_features ORDER BY article_id DESC LIMIT 1000")]
    vectors = article_vectors(tables, ids, weights_from(load_settings()))
    queries = [top_array_keys(v.arrays(), QUERY_KEYS) for v in vectors.values()]
    union = sorted({k for q in queries for k in q})
    rows = [sum(int(store._db.execute(
        f"SELECT count(*) FROM story_keys WHERE key IN ({','.join('?' * len(q))})", q
    ).fetchone()[0]) for q in part) for part in (queries, [union])]
    print(f"{path.name}: {len(queries):,} lookups reading {rows[0]:,} index rows; their "
          f"{len(union):,} distinct keys {rows[1]:,}")
    stories_store_module.CANDIDATES_AT_ONCE = 1  # the union's path for every size asked
    for n in range(rounds):
        started = time.process_time()
        single = [tables.candidates(q, CANDIDATES) for q in queries]
        one = time.process_time() - started
        for size in sizes:
            started = time.process_time()
            batch = [found for at in range(0, len(queries), size)
                     for found in tables.candidates_of(queries[at:at + size], CANDIDATES)]
            many = time.process_time() - started
            print(f"round {n + 1}: one query each {one:.3f} CPU s, candidates_of in "
                  f"slices of {size:,} {many:.3f} CPU s; the same lists: {single == batch}")
    store.close()
    print(f"load average {os.getloadavg()[0]:.1f}")


def _synthetic(count: int, batches: int) -> None:
    """The frequency batches on a store whose story_df holds ``count`` random keys."""
    rng = random.Random(2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "keys.db"
        store = open_store(str(path))
        keys = sorted(set(rng.sample(range(2**32), count)))
        with store.transaction() as db:
            db.executemany("INSERT INTO story_df (key, df) VALUES (?, ?)",
                           ((k, 1 + k % 7) for k in keys))
        store.close()
        print(f"a fresh store with {len(keys):,} document-frequency keys")
        _pending_batches(path, keys, batches, rng, Path(tmp))
    print(f"load average {os.getloadavg()[0]:.1f}")


def _batch(keys: list[int], rng: random.Random) -> dict[int, int]:
    changes = dict.fromkeys(rng.sample(keys, 8000), 1)
    changes.update({rng.getrandbits(32): 1 for _ in range(2000)})
    return changes


def _pending_batches(kept: Path, keys: list[int], batches: int, rng: random.Random,
                     tmp: Path) -> None:
    """The same batches in place (the store before) and through add_counts (pending, then
    folded), each on a fresh copy of the kept store; CPU ms a batch."""
    spent: dict[str, list[float]] = {"in place": [], "pending": []}
    folds: list[float] = []
    for way in spent:
        path = tmp / f"{way}.db"
        shutil.copy(kept, path)
        store = open_store(str(path))
        db, tables = store._db, store.stories
        for _ in range(batches):
            changes = _batch(keys, rng)
            changes[DOCUMENTS] = 100
            pending = len(tables._pending_keys)
            started = time.process_time()
            if way == "in place":
                db.execute("BEGIN IMMEDIATE")
                db.executemany(UPSERT, sorted(changes.items()))
                db.execute("COMMIT")
            else:
                with store.transaction():
                    tables.add_counts(changes)
                if len(tables._pending_keys) < pending:
                    folds.append(time.process_time() - started)
            spent[way].append(time.process_time() - started)
        store.close()
    for way, times in spent.items():
        print(f"{batches} batches of 10,000 frequency changes, {way}: "
              f"{1000 * sum(times) / len(times):.1f} ms of CPU a batch (commit included)")
    print(f"  of the pending ones, {len(folds)} folded ({stories_store.FOLD_KEYS:,} keys "
          f"pending): "
          + ", ".join(f"{1000 * f:.0f}" for f in folds) + " ms each")


if __name__ == "__main__":
    main()
