"""PostgreSQL against SQLite: the same ingest through the engine on each backend.

A generated archive (``bench/corpus.py``, seeded; needs ``../shared/benchmarks``) is ingested
through ``Engine.ingest`` with the clean step and the ``reuse`` and ``stories`` stages, as
``bench/scale.py`` does (the reuse stage's embeddings off, so the store's share of the work
is not hidden behind the models), once into a fresh SQLite file and once into a fresh
PostgreSQL database, each in a child process of its own. PostgreSQL is a throw-away cluster
this script starts (``newsweave.store.postgres_cluster``; as root it runs as the
``postgres`` user) unless ``--pg URL`` names a server (the URL of a database whose user may
create databases).

Printed per backend: articles/s (wall clock), CPU seconds of the ingesting process, CPU
seconds of its PostgreSQL server process (the backend serving its connection, read from
``/proc``), articles per CPU second of both together, the CPU of the whole cluster
(postmaster and all its children, reaped ones too: the throw-away cluster only) and the rate
with it, what was stored (articles, stories, copy edges, origins), the store's size on
disk and the load average at the end. ``--parallel`` runs the two ingests at the same time
(both meet the same load). The two stores must hold the same articles, stories and
edges: the script says whether they do. The machine may be shared: wall-clock rates depend
on its load (printed); the CPU-second rates are the ones to compare.

    python bench/pg_vs_sqlite.py --articles 1000 [--batch 100] [--pg URL] [--keep DIR] [--parallel]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _ticks(pid: int | None) -> float:
    """CPU seconds (user + system) a process has used so far; 0 when it cannot be read."""
    if not pid:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cluster_ticks(server_pid: int | None) -> float:
    """CPU seconds the whole cluster has used so far: its postmaster (the backend's parent),
    the children it has reaped (exited autovacuum workers, earlier backends) and the live
    ones (background writer, checkpointer, WAL writer, the serving backend). Only
    meaningful on a cluster serving nothing else (the throw-away one); 0 when unreadable."""
    if not server_pid:
        return 0.0
    try:
        with open(f"/proc/{server_pid}/stat", encoding="utf-8") as f:
            master = int(f.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{master}/stat", encoding="utf-8") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        children = set()
        for task in Path(f"/proc/{master}/task").iterdir():
            children.update((task / "children").read_text().split())
    except OSError:
        return 0.0
    reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    return _ticks(master) + reaped + sum(_ticks(int(c)) for c in children)


def _store_bytes(store: Any, location: str) -> int:
    """Bytes the store takes on disk: the SQLite file with its WAL, or the database."""
    if location.startswith("postgresql://"):
        return int(store._db.execute("SELECT pg_database_size(current_database())")
                   .fetchone()[0])
    files = (Path(location + suffix) for suffix in ("", "-wal", "-shm"))
    return sum(f.stat().st_size for f in files if f.exists())


def run_backend(location: str, archive: Path, batch: int) -> dict[str, Any]:
    """Child process: ingest the archive's shards into ``location``; the figures as a dict."""
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.engine import Engine
    from newsweave.reuse import ReuseStage
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage

    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    settings = load_settings(db=location, batch_size=batch, reuse_embed=0)
    store = open_store(location)
    server_pid = None
    if location.startswith("postgresql://"):
        server_pid = int(store._db.execute("SELECT pg_backend_pid()").fetchone()[0])
    engine = Engine(store, settings, stages=[ReuseStage(), StoriesStage()])
    cluster = _cluster_ticks(server_pid)
    started, cpu, server = time.perf_counter(), time.process_time(), _ticks(server_pid)
    for shard in manifest["shards"]:
        engine.ingest([str(archive / shard)])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    server_seconds = _ticks(server_pid) - server
    cluster_seconds = _cluster_ticks(server_pid) - cluster
    load = os.getloadavg()[0]
    external = {a.id: a.external_id for a in store.iter_articles()}
    stories = store.stories.members(store.stories.active_story_ids())
    figures = {
        "articles": len(external), "seconds": seconds, "cpu_seconds": cpu_seconds,
        "server_cpu_seconds": server_seconds, "cluster_cpu_seconds": cluster_seconds,
        "load_at_end": load, "store_bytes": _store_bytes(store, location),
        "stories": sorted(sorted(str(external[i]) for i in m) for m in stories.values()),
        "edges": sorted((str(external[d]), str(external[s])) for d, s in store.reuse.edges()),
        "origins": len(store.reuse.origins()),
        "coverage": store.stage_coverage(),
        "problems": store.check_integrity(),
    }
    engine.close()
    return figures


def _start_child(location: str, archive: Path, batch: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", location, "--archive", str(archive),
         "--batch", str(batch)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(location: str, child: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"the ingest into {location} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _report(name: str, r: dict[str, Any]) -> None:
    cpu = r["cpu_seconds"] + r["server_cpu_seconds"]
    line = (f"{name}: {r['articles']} articles in {r['seconds']:.1f} s "
            f"({r['articles'] / r['seconds']:.1f} articles/s wall); "
            f"CPU {r['cpu_seconds']:.1f} s in the process + "
            f"{r['server_cpu_seconds']:.1f} s in its server process "
            f"= {r['articles'] / cpu:.1f} articles per CPU second")
    if r["cluster_cpu_seconds"]:
        whole = r["cpu_seconds"] + r["cluster_cpu_seconds"]
        line += (f" ({r['cluster_cpu_seconds']:.1f} s in the whole cluster: "
                 f"{r['articles'] / whole:.1f} with it)")
    print(f"{line}; {len(r['stories'])} stories, {len(r['edges'])} copy edges, "
          f"{r['origins']} origins; store {r['store_bytes'] / 2**20:.0f} MiB; "
          f"load {r['load_at_end']:.1f} at its end; integrity: {r['problems'] or 'ok'}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="archive size (default 1000)")
    parser.add_argument("--batch", type=int, default=100, help="batch size (default 100)")
    parser.add_argument("--shard-size", type=int, default=500, help="articles per ingest call")
    parser.add_argument("--pg", help="URL of a PostgreSQL database whose user may create "
                        "databases (default: start a throw-away cluster)")
    parser.add_argument("--keep", type=Path, help="keep the generated archive in this folder")
    parser.add_argument("--parallel", action="store_true", help="run the two ingests at "
                        "the same time (both meet the same load; half the wall time)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.child, args.archive, args.batch)))
        return

    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "bench"))

    from corpus import generate
    from newsweave.store.postgres_cluster import scratch_database

    work = Path(tempfile.mkdtemp(prefix="newsweave-pgbench-"))
    archive = args.keep or work / "archive"
    if not (archive / "manifest.json").exists():
        generate(args.articles, archive, seed=7, shard_size=args.shard_size)
    try:
        with scratch_database(args.pg, "newsweave_bench") as pg_location:
            results = {}
            backends = (("SQLite", str(work / "bench.db")), ("PostgreSQL", pg_location))
            if args.parallel:
                children = [(name, location, _start_child(location, archive, args.batch))
                            for name, location in backends]
                for name, location, child in children:
                    results[name] = _result(location, child)
                    _report(name, results[name])
            for name, location in backends if not args.parallel else ():
                results[name] = _result(location, _start_child(location, archive, args.batch))
                _report(name, results[name])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sqlite, pg = results["SQLite"], results["PostgreSQL"]
    same = all(sqlite[k] == pg[k] for k in ("articles", "stories", "edges", "origins",
                                             "coverage"))
    ratio = (sqlite["seconds"] / pg["seconds"],
             (sqlite["cpu_seconds"] + sqlite["server_cpu_seconds"])
             / (pg["cpu_seconds"] + pg["server_cpu_seconds"]))
    print(f"PostgreSQL / SQLite speed: {ratio[0]:.2f}x wall, {ratio[1]:.2f}x per CPU second; "
          f"same articles, stories, edges and origins: {same}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
