"""`newsweave batch` in one process against Dask workers, phase by phase, in the same run.

Generates an archive with ``bench/corpus.py`` (seeded), then runs
:func:`newsweave.batch.archive.run_batch` on it twice into fresh stores: with
``LocalExecutor`` (everything in this process) and on a Dask ``LocalCluster`` of
``--workers`` single-threaded processes (profiler off; the workers import the modules before
the clock starts, as a long-lived cluster would have). Every map waits for its tasks before
the next phase starts (a wrapper around the executor), so each phase's seconds are its own.

Printed per phase, for both runs: wall seconds, and CPU seconds (this process, plus the
workers' for Dask, from ``getrusage`` in each worker); the ratio one process / Dask:

* per-article work: ``read_clean`` (read, clean, recurring lines by shuffle, clean again),
  ``index`` (MinHash signatures, band and sentence keys, attributions) and ``align`` (the
  candidate pairs, aligned);
* the join: ``join`` (shuffle by band and sentence key, then by pair);
* the steps that stay in this process: ``store`` (bulk insert), ``graph`` (pairs, sources,
  origins per batch), ``stories``.

Both runs must give the same store (articles, pairs, edges); the script checks it.

    python bench/batch_speed.py --articles 2000 --shard-size 250 --workers 2

The machine is shared: the ratios measured in one run, and the CPU seconds, are the figures
to compare; say the load average beside them (printed).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PER_ARTICLE = ("read_clean", "index", "align")
MODULES = ("newsweave.batch.archive", "newsweave.clean", "newsweave.reuse")


class Waiting:
    """An executor whose maps and shuffles finish before they return (phase timing)."""

    def __init__(self, inner: Any, wait: Any) -> None:
        self.inner, self._wait = inner, wait

    def map_partitions(self, func: Any, partitions: Any) -> Any:
        return self._done(self.inner.map_partitions(func, partitions))

    def shuffle(self, partitions: Any, reduce: Any, *, outputs: int | None = None) -> Any:
        return self._done(self.inner.shuffle(partitions, reduce, outputs=outputs))

    def collect(self, partitions: Any) -> Any:
        return self.inner.collect(partitions)

    def _done(self, parts: Any) -> Any:
        if self._wait is not None:
            self._wait(parts)
        return parts


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(folder: Path, executor: Any, client: Any = None) -> dict[str, Any]:
    """One batch run into a fresh store: seconds and CPU seconds per phase, and a digest."""
    from newsweave.batch.archive import run_batch
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    paths = [str(folder / name) for name in manifest["shards"]]
    db = Path(tempfile.mkdtemp(prefix="newsweave-batch-speed-")) / "batch.db"
    engine = Engine(open_store(str(db)), load_settings(db=str(db), reuse_embed=0))

    def used() -> float:
        return _cpu() + _worker_cpu(client)

    started, cpu = time.perf_counter(), used()
    result = run_batch(engine, paths, executor, cpu_clock=used)
    wall_total, cpu_total = time.perf_counter() - started, used() - cpu
    store = engine.store
    digest = (store.count_articles(), len(store.reuse.pairs()), len(store.reuse.edges()))
    engine.close()
    shutil.rmtree(db.parent, ignore_errors=True)
    return {"seconds": result.seconds, "cpu_seconds": result.cpu_seconds,
            "wall": wall_total, "cpu": cpu_total,
            "digest": digest, "pairs_aligned": result.pairs_aligned}


def _worker_cpu(client: Any) -> float:
    if client is None:
        return 0.0
    return sum(client.run(_cpu).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--shard-size", type=int, default=250)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--archive", type=Path, help="use (or keep) the archive in this folder")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    folder = args.archive or Path(tempfile.mkdtemp(prefix="newsweave-batch-arc-"))
    if not (folder / "manifest.json").is_file():
        subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), "--articles",
                        str(args.articles), "--out", str(folder), "--seed", str(args.seed),
                        "--shard-size", str(args.shard_size)], check=True,
                       stdout=subprocess.DEVNULL)
    from distributed import wait

    from newsweave.batch import LocalExecutor
    from newsweave.batch.on_dask import local_executor

    for module in MODULES:
        importlib.import_module(module)
    load_before = os.getloadavg()
    local = run(folder, Waiting(LocalExecutor(), None))
    with local_executor(args.workers) as executor:
        for module in MODULES:
            executor.client.run(importlib.import_module, module)
        spread = run(folder, Waiting(executor, wait), executor.client)
    load_after = os.getloadavg()
    print(f"{local['digest'][0]:,} articles, {local['pairs_aligned']:,} pairs aligned; "
          f"same store (articles, pairs, edges): {local['digest'] == spread['digest']} "
          f"{local['digest']} / {spread['digest']}")
    print(f"{'phase':<12} {'one process':>12} {'Dask x' + str(args.workers):>12} {'ratio':>7}"
          f"   CPU s: one process / Dask (here + workers)")
    for phase in [*local["seconds"]]:
        a, b = local["seconds"][phase], spread["seconds"].get(phase, 0.0)
        print(f"{phase:<12} {a:>11.1f}s {b:>11.1f}s {a / b if b else 0:>6.2f}x   "
              f"{local['cpu_seconds'].get(phase, 0):.1f} / "
              f"{spread['cpu_seconds'].get(phase, 0):.1f}")
    for name, phases in (("per-article", PER_ARTICLE), ("join", ("join",))):
        a = sum(local["seconds"].get(p, 0.0) for p in phases)
        b = sum(spread["seconds"].get(p, 0.0) for p in phases)
        print(f"{name + ' work':<16} one process {a:.1f} s, Dask {b:.1f} s: {a / b:.2f}x")
    print(f"whole run: one process {local['wall']:.1f} s wall, {local['cpu']:.1f} CPU s; "
          f"Dask {spread['wall']:.1f} s wall, {spread['cpu']:.1f} CPU s (this process + "
          f"workers)")
    print(f"load average before {', '.join(f'{x:.1f}' for x in load_before)}, after "
          f"{', '.join(f'{x:.1f}' for x in load_after)}")


if __name__ == "__main__":
    main()
