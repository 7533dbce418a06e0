"""One shard's stories stage alone, on a copy of a store whose newest shard is cleaned and
reused and waits for it: CPU seconds, the collector's share, peak RSS, in rounds.

    python bench/shard_stages.py prepare ARCHIVE BASE.db --shard N --out PENDING.db
    python bench/shard_stages.py stories PENDING.db [--rounds 3] [--keep OUT.db] [--json]
    NEWSWEAVE_SRC=OTHER/src python bench/shard_stages.py stories PENDING.db   # another tree

``prepare`` copies BASE.db (SQLite's backup API; BASE is only read) and ingests the
archive's shard N (1-based) into the copy with the clean and reuse stages only, as
``bench/reuse_growth.py measure`` does (batches of 1,000, no embeddings): the stories
stage is left pending for its articles. ``stories`` copies PENDING.db for each round and
runs the stories stage on it (``Engine.analyze(stages=["stories"])``, what an ingest runs
next), timing the process's CPU (``time.process_time``) and the cyclic collector's own CPU
(``gc.callbacks``) by generation. A whole shard measured at once moves by 15 % or more at
a load of 10-20 between runs; the stage alone, in rounds from the same copy, is the
steadier figure to compare two trees with (``NEWSWEAVE_SRC``: the tree whose ``src`` goes
first on the path). ``--keep`` keeps the last round's store (for ``bench/scale.py
--compare-db``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

# Its store's engine, the archive's shards and the collector's figures, as it measures a
# whole shard; importing it puts this tree's src (or NEWSWEAVE_SRC's) first on the path.
import reuse_growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prepare = sub.add_parser("prepare", help="a copy of BASE with shard N cleaned and reused")
    prepare.add_argument("archive", type=Path)
    prepare.add_argument("base", type=Path, nargs="?", help="omit for an empty store")
    prepare.add_argument("--shard", type=int, required=True, help="1-based shard number")
    prepare.add_argument("--out", type=Path, required=True)
    stories = sub.add_parser("stories", help="the stories stage on copies of PENDING")
    stories.add_argument("pending", type=Path)
    stories.add_argument("--rounds", type=int, default=3)
    stories.add_argument("--keep", type=Path)
    stories.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.command == "prepare":
        print(json.dumps(prepare_shard(args.archive, args.base, args.shard, args.out)))
        return
    for n in range(args.rounds):
        keep = args.keep if n == args.rounds - 1 else None
        figures = run_stories(args.pending, keep)
        if args.json:
            print(json.dumps(figures))
        else:
            print(f"round {n + 1}: stories {figures['stories_cpu_s']:.2f} CPU s "
                  f"({figures['articles']:,} articles), the collector "
                  f"{sum(figures['gc_cpu_s']):.2f} ({figures['gc_collections']} by "
                  f"generation), peak RSS {figures['peak_rss_mb']} MB, load average "
                  f"{figures['load_average'][0]} -> {figures['load_average'][1]}")


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as a, sqlite3.connect(target) as b:
        a.backup(b)


def prepare_shard(archive: Path, base: Path | None, shard: int, out: Path) -> dict[str, Any]:
    """Shard ``shard`` of ``archive`` into a copy of ``base`` (or an empty store), cleaned
    and reused, its stories pending."""
    path = reuse_growth._shards(archive)[shard - 1]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        raise SystemExit(f"{out} exists")
    if base is not None:
        _copy(base, out)
    engine = reuse_growth._engine(out, stories=True)
    cpu = time.process_time()
    try:
        report = engine.ingest([path], stages=["reuse"])
    finally:
        engine.close()
    return {"shard": shard, "store": str(out), "new_articles": len(report.new),
            "cpu_s": round(time.process_time() - cpu, 2)}


def run_stories(pending: Path, keep: Path | None = None) -> dict[str, Any]:
    """The stories stage on a fresh copy of ``pending``: its CPU, the collector's, RSS."""
    work = Path(tempfile.mkdtemp(prefix="shard-stages-"))
    copy = work / "store.db"
    _copy(pending, copy)
    engine = reuse_growth._engine(copy, stories=True)
    load = os.getloadavg()[0]
    collector = reuse_growth._Collector()
    cpu = time.process_time()
    try:
        done = engine.analyze(stages=["stories"])
    finally:
        cpu = time.process_time() - cpu
        collector.stop()
    engine.close()
    if keep is not None:
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(copy), keep)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "articles": done.get("stories", 0), "stories_cpu_s": round(cpu, 3),
        **collector.figures(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(load, 1), round(os.getloadavg()[0], 1)],
    }


if __name__ == "__main__":
    main()
