"""What claiming a stage's pending work costs per shard as the store grows (#16 item 4).

    PYTHONPATH=src python bench/claim_scan.py --sizes 10000,100000 [--shards 5] [--reclean 70]
    PYTHONPATH=src python bench/claim_scan.py --sizes 10000,30000 --postgres [ADMIN_URL]
    PYTHONPATH=src python bench/claim_scan.py --sizes 250000 --keep DIR     # keep the stores
    PYTHONPATH=src python bench/claim_scan.py --open STORE   # time opening (migrating) one

Builds a store of SIZE small articles (no outlet, one sentence each), every one of them
done by the reuse and stories stages, as an ingest leaves a store; then ingests SHARDS
shards of 1,000 new articles (and with ``--reclean K`` re-cleans K old ones a shard,
which makes them pending again) the way ``bench/scale.py``'s ingest runs its stages on each:
``pipeline.run_pending`` for a reuse-like stage (one with ``run_batches``: claims of 8
batches) and a stories-like one (after reuse), whose work is only ``mark_done``. So what
is timed is the stages' bookkeeping alone: the claims (each under the write lock), the
marking done, nothing else. Prints, per size, the CPU seconds (``time.process_time``) of
the claims and of the whole bookkeeping per shard (median over the shards; one warm-up
shard first, untimed; on PostgreSQL also the server process's CPU seconds in the claims,
read from ``/proc``: the server runs the scan), and a digest of every id each claim
handed out (equal between two trees that hand out the same work). Run it with each
tree's ``src`` on PYTHONPATH.

``--open STORE`` opens an existing SQLite store (a copy: opening migrates it) and prints
the CPU seconds it took: what the first open of an older store by a newer tree costs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SHARD = 1000  # articles a shard, as bench/scale.py's archives
BATCH = 1000  # articles a stage batch (Settings.batch_size's default)
FILL = 2000  # articles a transaction while building the store


def _article(n: int) -> Any:
    from newsweave.model import Article

    return Article(id=None, content_hash=f"claim-scan-{n}", raw=f"record {n}",
                   raw_format="text", text=f"Article number {n} says one thing.",
                   source=f"shard-{n // SHARD}.jsonl", title=f"Article {n}", outlet=None,
                   language="en")


class _Marks:
    """A stage whose work is only to mark its articles done (``run_batches``: claimed
    eight batches at a time, as the reuse stage is)."""

    requires: tuple[str, ...] = ()

    def __init__(self, name: str) -> None:
        self.name, self.version = name, 1

    def run(self, store: Any, article_ids: list[int], settings: Any) -> None:
        store.mark_done(self.name, article_ids, self.version)


class _BatchedMarks(_Marks):
    def run_batches(self, store: Any, article_ids: list[int], settings: Any,
                    size: int) -> None:
        for start in range(0, len(article_ids), size):
            self.run(store, article_ids[start : start + size], settings)


def fill(store: Any, start: int, stop: int) -> None:
    """Articles ``start``..``stop`` stored and marked done by both stages."""
    for first in range(start, stop, FILL):
        batch = [_article(n) for n in range(first, min(stop, first + FILL))]
        ids = store.add_articles(batch, [{}] * len(batch))
        store.mark_done("reuse", ids, 1)
        store.mark_done("stories", ids, 1)


def _server_clock(store: Any) -> Any:
    """On PostgreSQL, the CPU seconds of the store's server process so far (the server
    runs the queries: the client's clock does not see them); else a clock of zeros."""
    if not store.path.startswith("postgres"):
        return lambda: 0.0
    pid = int(store._db.execute("SELECT pg_backend_pid()").fetchone()[0])
    tick = os.sysconf("SC_CLK_TCK")

    def clock() -> float:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    return clock


def measure(location: str, size: int, shards: int, reclean: int) -> dict[str, Any]:
    from newsweave.pipeline import run_pending
    from newsweave.store import open_store

    store = open_store(location)
    server = _server_clock(store)
    started = time.process_time()
    fill(store, 0, size)
    filled = time.process_time() - started
    claimed: list[list[int]] = []
    claim_cpu = [0.0, 0.0]  # this process's, the server's
    claim = store.claim

    def timed_claim(*args: Any, **kwargs: Any) -> list[int]:
        before, served = time.process_time(), server()
        ids = claim(*args, **kwargs)
        claim_cpu[0] += time.process_time() - before
        claim_cpu[1] += server() - served
        claimed.append(ids)
        return ids

    store.claim = timed_claim  # type: ignore[method-assign]
    reuse, stories = _BatchedMarks("reuse"), _Marks("stories")
    per_shard: list[tuple[float, float, float]] = []
    for shard in range(shards + 1):  # the first one warms up, untimed
        first = size + shard * SHARD
        store.add_articles([_article(n) for n in range(first, first + SHARD)],
                           [{}] * SHARD)
        if reclean:  # old articles re-cleaned, as an archive's shards re-clean some
            old = random.Random(shard).sample(range(1, first + 1), reclean)
            store.replace_clean_text([(i, f"Article {i}, cleaned again in shard {shard}.",
                                       [], {}) for i in sorted(old)])
        claim_cpu[:] = [0.0, 0.0]
        before = time.process_time()
        run_pending(reuse, store, None, BATCH)  # type: ignore[arg-type]
        run_pending(stories, store, None, BATCH, after=[("reuse", 1)])  # type: ignore[arg-type]
        if shard:
            per_shard.append((claim_cpu[0], time.process_time() - before, claim_cpu[1]))
    pending = store.count_pending("reuse", 1) + store.count_pending("stories", 1)
    store.close()
    digest = hashlib.sha256(json.dumps(claimed).encode()).hexdigest()[:16]
    return {
        "articles": size, "shards": shards, "reclean": reclean, "fill_cpu_s": round(filled, 1),
        "claims_cpu_s_a_shard": round(statistics.median(c for c, _, _ in per_shard), 4),
        "bookkeeping_cpu_s_a_shard": round(statistics.median(b for _, b, _ in per_shard), 4),
        "claims_cpu_s_each_shard": [round(c, 4) for c, _, _ in per_shard],
        "claims_server_cpu_s_a_shard": round(statistics.median(s for _, _, s in per_shard), 4),
        "claims": len(claimed), "claimed_ids_digest": digest, "left_pending": pending,
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


@contextmanager
def _location(size: int, postgres: str | None, keep: Path | None) -> Iterator[str]:
    if postgres is not None:
        from newsweave.store.postgres_cluster import scratch_database

        with scratch_database(postgres or None, f"newsweave_claim_scan_{size}") as location:
            yield location
        return
    folder = keep or Path(tempfile.mkdtemp(prefix="newsweave-claim-scan-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"claim-scan-{size}.db"
    for old in folder.glob(f"claim-scan-{size}.db*"):
        old.unlink()
    try:
        yield str(path)
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def time_open(store: Path) -> dict[str, Any]:
    from newsweave.store import open_store

    work = Path(tempfile.mkdtemp(prefix="newsweave-claim-open-"))
    try:
        copy = work / store.name
        for part in store.parent.glob(store.name + "*"):
            shutil.copy(part, work / part.name)
        before, wall = time.process_time(), time.perf_counter()
        opened = open_store(str(copy))
        figures = {"store": str(store), "schema_version": opened.schema_version,
                   "open_cpu_s": round(time.process_time() - before, 2),
                   "open_wall_s": round(time.perf_counter() - wall, 2),
                   "load_average": [round(x, 1) for x in os.getloadavg()]}
        opened.close()
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,250000",
                        help="stored articles before the timed shards, comma-separated")
    parser.add_argument("--shards", type=int, default=5, help="timed shards a size")
    parser.add_argument("--reclean", type=int, default=0, metavar="K",
                        help="old articles re-cleaned per shard, at random (the 30k archive's "
                             "shards 28-30 re-cleaned about 70 each)")
    parser.add_argument("--postgres", nargs="?", const="", default=None, metavar="ADMIN_URL",
                        help="on PostgreSQL: a scratch database on ADMIN_URL's server, or on "
                             "a throw-away cluster without one")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the SQLite stores as DIR/claim-scan-SIZE.db")
    parser.add_argument("--open", type=Path, metavar="STORE",
                        help="only time opening (and so migrating) a copy of this store")
    args = parser.parse_args()
    if args.open:
        print(json.dumps(time_open(args.open)))
        return
    for size in (int(s) for s in args.sizes.split(",")):
        with _location(size, args.postgres, args.keep) as location:
            print(json.dumps(measure(location, size, args.shards, args.reclean)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
