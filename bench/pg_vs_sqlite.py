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
disk, the peak resident set of the ingesting process (and of its server process) and the
load average at the end. ``--parallel`` runs the two ingests at the same time (both meet the
same load). The two stores must hold the same articles, stories and edges: the script says
whether they do. The machine may be shared: wall-clock rates depend on its load (printed);
the CPU-second rates are the ones to compare.

A long run: ``--work DIR`` keeps the SQLite file, a PostgreSQL cluster (``DIR/pg``, on
``--port``) and a progress log per backend (``DIR/progress-*.jsonl``: cumulative figures
after every shard) in DIR; run again with the same arguments, each backend goes on from its
last whole shard. ``--until HH:MM`` (UTC) starts no shard after that time. ``--check-every
N`` takes a digest of each store's results every N shards (not counted in the CPU), and the
two logs are compared at every shard both reached: the rates so far, and whether the stores
held the same.

    python bench/pg_vs_sqlite.py --articles 1000 [--batch 100] [--pg URL] [--keep DIR] [--parallel]
        [--work DIR [--port N]] [--until HH:MM] [--check-every N]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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


def _peak_rss(pid: int | None) -> int:
    """The peak resident set (VmHWM) of a process in bytes; 0 when it cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, TypeError):
        pass
    return 0


def _results(store: Any) -> dict[str, Any]:
    """What the store holds, by the archive's ids: the figures the two backends must share."""
    external = {a.id: a.external_id for a in store.iter_articles()}
    stories = store.stories.members(store.stories.active_story_ids())
    return {
        "articles": len(external),
        "stories": sorted(sorted(str(external[i]) for i in m) for m in stories.values()),
        "edges": sorted((str(external[d]), str(external[s])) for d, s in store.reuse.edges()),
        "origins": len(store.reuse.origins()),
        "coverage": store.stage_coverage(),
    }


def _digest(results: dict[str, Any]) -> str:
    """One hash of :func:`_results`: equal on both backends when they hold the same."""
    text = json.dumps([results[k] for k in _SHARED], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_SHARED = ("articles", "stories", "edges", "origins", "coverage")
_COUNTED = ("seconds", "cpu_seconds", "server_cpu_seconds", "cluster_cpu_seconds")


def _read_progress(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def run_backend(location: str, archive: Path, batch: int, progress: Path | None = None,
                check_every: int = 0, until: float | None = None) -> dict[str, Any]:
    """Child process: ingest the archive's shards into ``location``; the figures as a dict.

    With ``progress`` (a JSON-lines file), a line of cumulative figures is added after
    every shard, and the shards it already lists are skipped: a run stopped (``until``, a
    Unix time after which no shard starts, or killed) goes on from its last whole shard.
    Only the ingest calls are counted (not the digests taken every ``check_every``
    shards, nor the end's reads). A shard cut off by a kill is ingested again in full."""
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
    done = _read_progress(progress) if progress else []
    totals = {k: (done[-1][k] if done else 0.0) for k in _COUNTED}
    peaks = {k: (done[-1][k] if done else 0) for k in ("peak_rss", "server_peak_rss")}
    shards = manifest["shards"]
    for number, shard in enumerate(shards[len(done):], start=len(done) + 1):
        if until is not None and time.time() >= until:
            break
        cluster = _cluster_ticks(server_pid)
        started, cpu, server = time.perf_counter(), time.process_time(), _ticks(server_pid)
        engine.ingest([str(archive / shard)])
        totals["seconds"] += time.perf_counter() - started
        totals["cpu_seconds"] += time.process_time() - cpu
        totals["server_cpu_seconds"] += _ticks(server_pid) - server
        totals["cluster_cpu_seconds"] += _cluster_ticks(server_pid) - cluster
        peaks["peak_rss"] = max(peaks["peak_rss"],
                                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        peaks["server_peak_rss"] = max(peaks["server_peak_rss"], _peak_rss(server_pid))
        line = {"shards": number, "ingested": store.count_articles(), **totals, **peaks,
                "load": os.getloadavg()[0], "utc": time.strftime("%H:%M:%S", time.gmtime())}
        if check_every and (number % check_every == 0 or number == len(shards)):
            line["digest"] = _digest(_results(store))
        if progress:
            with progress.open("a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")
        done.append(line)
    figures: dict[str, Any] = {**totals, **peaks, "shards": len(done),
                               "complete": len(done) == len(shards),
                               "load_at_end": os.getloadavg()[0],
                               "store_bytes": _store_bytes(store, location),
                               **_results(store), "problems": store.check_integrity()}
    engine.close()
    return figures


def _start_child(location: str, archive: Path, batch: int, progress: Path,
                 check_every: int, until: float | None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", location, "--archive", str(archive),
         "--batch", str(batch), "--progress", str(progress), "--check-every",
         str(check_every)] + (["--until-unix", str(until)] if until is not None else []),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(location: str, child: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"the ingest into {location} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _rates(r: dict[str, Any], articles: int) -> str:
    """CPU and articles per CPU second of one backend's cumulative figures ``r``."""
    cpu = r["cpu_seconds"] + r["server_cpu_seconds"]
    line = (f"CPU {r['cpu_seconds']:.1f} s in the process + "
            f"{r['server_cpu_seconds']:.1f} s in its server process "
            f"= {articles / cpu:.1f} articles per CPU second")
    if r["cluster_cpu_seconds"]:
        whole = r["cpu_seconds"] + r["cluster_cpu_seconds"]
        line += (f" ({r['cluster_cpu_seconds']:.1f} s in the whole cluster: "
                 f"{articles / whole:.1f} with it)")
    return line


def _report(name: str, r: dict[str, Any]) -> None:
    line = (f"{name}: {r['articles']} articles ({r['shards']} shards"
            f"{'' if r['complete'] else ', not all'}) in {r['seconds']:.1f} s "
            f"({r['articles'] / r['seconds']:.1f} articles/s wall); {_rates(r, r['articles'])}")
    rss = f"peak RSS {r['peak_rss'] / 2**20:.0f} MiB"
    if r["server_peak_rss"]:
        rss += f" (its server process {r['server_peak_rss'] / 2**20:.0f} MiB)"
    print(f"{line}; {len(r['stories'])} stories, {len(r['edges'])} copy edges, "
          f"{r['origins']} origins; store {r['store_bytes'] / 2**20:.0f} MiB; {rss}; "
          f"load {r['load_at_end']:.1f} at its end; integrity: {r['problems'] or 'ok'}",
          flush=True)


def compare_checkpoints(sqlite: list[dict[str, Any]],
                        pg: list[dict[str, Any]]) -> list[str]:
    """Lines comparing the two progress logs at every shard both reached with a digest:
    the ratio of articles per CPU second so far, and whether the stores held the same."""
    lines = []
    theirs = {p["shards"]: p for p in pg}
    for mine in sqlite:
        other = theirs.get(mine["shards"])
        if other is None or "digest" not in mine or "digest" not in other:
            continue
        n = mine["ingested"]
        ratio = ((mine["cpu_seconds"] + mine["server_cpu_seconds"])
                 / (other["cpu_seconds"] + other["server_cpu_seconds"]))
        whole = (mine["cpu_seconds"] / (other["cpu_seconds"] + other["cluster_cpu_seconds"])
                 if other["cluster_cpu_seconds"] else ratio)
        lines.append(
            f"at {n} articles ({mine['shards']} shards): SQLite {_rates(mine, n)}, "
            f"wall {mine['seconds']:.0f} s, load {mine['load']:.1f}; PostgreSQL "
            f"{_rates(other, other['ingested'])}, wall {other['seconds']:.0f} s, load "
            f"{other['load']:.1f}; PostgreSQL / SQLite {ratio:.2f}x per CPU second "
            f"({whole:.2f}x with the whole cluster); same results: "
            f"{mine['digest'] == other['digest'] and n == other['ingested']}")
    return lines


def report_progress(logs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Per backend, a line at every checkpoint of its progress log (a line with a digest,
    and its last line): articles, CPU so far and articles per CPU second so far and over
    the span since the previous checkpoint (the cost of the articles added last), wall,
    peak RSS and load average."""
    lines = []
    for name, log in logs.items():
        before: dict[str, Any] | None = None
        for p in log:
            if "digest" not in p and p is not log[-1]:
                continue
            cpu = p["cpu_seconds"] + p["server_cpu_seconds"]
            line = (f"{name} at {p['ingested']} articles ({p['utc']} UTC): "
                    f"{_rates(p, p['ingested'])}; wall {p['seconds']:.0f} s")
            if before is not None:
                spent = cpu - before["cpu_seconds"] - before["server_cpu_seconds"]
                added = p["ingested"] - before["ingested"]
                line += f"; the last {added} articles: {added / spent:.1f} per CPU second"
                if p["cluster_cpu_seconds"]:
                    whole = (p["cpu_seconds"] + p["cluster_cpu_seconds"]
                             - before["cpu_seconds"] - before["cluster_cpu_seconds"])
                    line += f" ({added / whole:.1f} with the whole cluster)"
            rss = f"peak RSS {p['peak_rss'] / 2**20:.0f} MiB"
            if p["server_peak_rss"]:
                rss += f" (server process {p['server_peak_rss'] / 2**20:.0f} MiB)"
            lines.append(f"{line}; {rss}; load {p['load']:.1f}")
            before = p
    return lines


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
    parser.add_argument("--work", type=Path, help="keep the stores, the cluster and the "
                        "progress logs in this folder: a run stopped goes on from its last "
                        "whole shard when started again with the same arguments")
    parser.add_argument("--until", help="start no shard after this UTC time (HH:MM); "
                        "with --work, run again to go on")
    parser.add_argument("--check-every", type=int, default=0, help="compare the two stores "
                        "every N shards (a digest of what they hold; default: at the end)")
    parser.add_argument("--port", type=int, default=54329, help="the kept cluster's port "
                        "(with --work)")
    parser.add_argument("--report", action="store_true", help="only print what the progress "
                        "logs of --work hold (a run stopped or going on)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--progress", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--until-unix", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.child, args.archive, args.batch, args.progress,
                                     args.check_every, args.until_unix)))
        return

    if args.report:
        if args.work is None:
            raise SystemExit("--report reads the progress logs of --work DIR")
        logs = {name: _read_progress(args.work / f"progress-{name}.jsonl")
                for name in ("SQLite", "PostgreSQL")}
        for line in report_progress(logs) + compare_checkpoints(*logs.values()):
            print(line)
        return
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "bench"))

    from corpus import generate

    work = args.work or Path(tempfile.mkdtemp(prefix="newsweave-pgbench-"))
    work.mkdir(parents=True, exist_ok=True)
    archive = args.keep or work / "archive"
    if not (archive / "manifest.json").exists():
        generate(args.articles, archive, seed=7, shard_size=args.shard_size)
    until = _until(args.until)
    try:
        with _postgres(args, work) as pg_location:
            results = {}
            progress = {name: work / f"progress-{name}.jsonl"
                        for name in ("SQLite", "PostgreSQL")}
            backends = (("SQLite", str(work / "bench.db")), ("PostgreSQL", pg_location))
            runs = [(name, location, lambda name=name, location=location: _start_child(
                location, archive, args.batch, progress[name], args.check_every, until))
                for name, location in backends]
            if args.parallel:
                children = [(name, location, start()) for name, location, start in runs]
                for name, location, child in children:
                    results[name] = _result(location, child)
                    _report(name, results[name])
            for name, location, start in runs if not args.parallel else ():
                results[name] = _result(location, start())
                _report(name, results[name])
            for line in compare_checkpoints(_read_progress(progress["SQLite"]),
                                            _read_progress(progress["PostgreSQL"])):
                print(line)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    sqlite, pg = results["SQLite"], results["PostgreSQL"]
    same = all(sqlite[k] == pg[k] for k in _SHARED)
    ratio = (sqlite["seconds"] / pg["seconds"],
             (sqlite["cpu_seconds"] + sqlite["server_cpu_seconds"])
             / (pg["cpu_seconds"] + pg["server_cpu_seconds"]))
    if sqlite["complete"] and pg["complete"]:
        print(f"PostgreSQL / SQLite speed: {ratio[0]:.2f}x wall, {ratio[1]:.2f}x per CPU "
              f"second; same articles, stories, edges and origins: {same}")
    else:
        print(f"not finished: SQLite {sqlite['shards']}, PostgreSQL {pg['shards']} of "
              f"{len(json.loads((archive / 'manifest.json').read_text())['shards'])} shards; "
              f"run again with the same --work to go on")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _until(clock: str | None) -> float | None:
    """``HH:MM`` UTC as a Unix time: today's, or tomorrow's when today's has passed."""
    if clock is None:
        return None
    hours, minutes = (int(x) for x in clock.split(":"))
    now = time.time()
    at = now - now % 86400 + hours * 3600 + minutes * 60
    return at if at > now else at + 86400


@contextlib.contextmanager
def _postgres(args: argparse.Namespace, work: Path) -> Iterator[str]:
    """The PostgreSQL database to ingest into: a fresh one on ``--pg``'s server or on a
    throw-away cluster; with ``--work``, one on a cluster kept in it (created on the first
    run, kept and started again by the next: the server is stopped on leaving)."""
    from newsweave.store.postgres_cluster import create_database, open_cluster, scratch_database

    if args.work is None:
        with scratch_database(args.pg, "newsweave_bench") as location:
            yield location
        return
    fresh = not (work / "progress-PostgreSQL.jsonl").exists()
    if fresh:
        for name in ("bench.db", "bench.db-wal", "bench.db-shm", "progress-SQLite.jsonl"):
            (work / name).unlink(missing_ok=True)
    if args.pg:
        yield (create_database(args.pg, "newsweave_bench") if fresh
               else urlunsplit(urlsplit(args.pg)._replace(path="/newsweave_bench")))
        return
    cluster = open_cluster(work / "pg", args.port)
    try:
        yield (create_database(cluster.dsn(), "newsweave_bench") if fresh
               else cluster.dsn("newsweave_bench"))
    finally:
        cluster.stop(remove=False)


if __name__ == "__main__":
    main()
