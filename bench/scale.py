"""Archive scale: a generated archive ingested through the engine, its speed, memory and reuse.

For each size it generates an archive with ``bench/corpus.py`` (in a child process; seeded,
so the same size gives the same archive), then ingests it in another child process (so each
size's peak memory is its own) through the engine, one shard of ``--shard-size`` articles
per ``Engine.ingest`` call, as an archive would be fed in. The engine runs the clean step
(ingest always cleans) and, by default, only the ``reuse`` and ``stories`` stages
(``Engine(..., stages=[ReuseStage(), StoriesStage()])``, as in every run before part 18 of
the archive-scale notes). ``--stages`` names others in the CLI's vocabulary: ``all`` is
what ``newsweave ingest`` runs by default (``clean,reuse,stories,extract``: the cleaning
stage's own pass, which re-cleans articles whose lines came to recur, and the extract
stage with its worker processes); ``clean`` here means that pass (ingest's cleaning runs
whatever the list). The reuse stage's embeddings (rewrites and translations) are off
unless ``--embed`` is given: embedding a lead costs about 0.15 s, which alone caps ingest
near 7 articles/s on this machine; without them the stage finds copies through MinHash
bands and shared sentences only.

Printed per size:

* articles per second over the whole ingest, wall clock and per CPU second of the process,
  and the seconds spent in clean+store (reading, cleaning, writing) and in each stage;
  with child processes (the extract stage's workers) also their CPU seconds, and the
  articles per CPU second of the process and its children together;
* peak RSS of the process, and the peak beyond the memory the process held before the
  ingest began, per article; the store's size on disk per article; with child processes
  also the sum of their peaks (each worker's own ``VmHWM``);
* reuse precision and recall against the corpus's answer key, read from the provenance
  graph (``Engine.provenance()``): a predicted copy or rewrite edge is right when both
  articles belong to one planted family (an original and what was derived from it), wrong
  when they belong to unrelated texts, and left out when they are two independent reports of
  one benchmark event or two passes' versions of one benchmark text (the benchmarks hold real
  reposts with no gold for them; their number is printed). Recall per planted kind: a derived
  article is found when an edge links it to its family (in brackets: or to another pass's
  version of its text, which the engine may have taken as its source); "as" says how often
  the edge's kind is the expected one (``copy`` for wire and partial copies, ``rewrite`` for
  rewrites and translations); direction is checked on edges between a derived article and its own
  original; a family is whole when all its articles share one engine origin.

    python bench/scale.py --sizes 10000 [--embed] [--batch 1000] [--shard-size 1000]
    python bench/scale.py --sizes 10000 --stages all   # every stage ingest runs by default
    python bench/scale.py --sizes 10000,100000 --keep /tmp/archives   # keep the archives
    python bench/scale.py --sizes 10000 --batch-join 2 [--clean]   # newsweave.batch: 1 vs Dask
    python bench/scale.py --score-db STORE.db ARCHIVE   # score a store an ingest left
    python bench/scale.py --compare-db BEFORE.db AFTER.db   # two ingests' stores, row by row

``--batch-join N`` does not ingest: it times ``newsweave.batch``'s near-duplicate join on
the archive's shards (one partition each) in one process and on a Dask LocalCluster of N
workers, the map (read, with ``--clean`` also clean, MinHash band rows) apart from the join
(shuffle by band, distinct edges, components), and checks that both give the same result.

The machine is shared: the per-CPU-second rates are the ones to compare between runs.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXPECTED_KIND = {"copy": "copy", "partial": "copy", "rewrite": "rewrite",
                 "translation": "rewrite"}
# The stages ``newsweave ingest`` runs by default, in its order, and this bench's default.
ALL_STAGES = ("clean", "reuse", "stories", "extract")
DEFAULT_STAGES = ("reuse", "stories")


def parse_stages(value: str) -> list[str]:
    """``--stages``: ``all`` or names of :data:`ALL_STAGES`, comma-separated; returned in
    the pipeline's order (the engine orders them so anyway).

    >>> parse_stages("extract, reuse"), parse_stages("all")
    (['reuse', 'extract'], ['clean', 'reuse', 'stories', 'extract'])
    """
    names = {n.strip() for n in value.split(",") if n.strip()}
    if names == {"all"}:
        return list(ALL_STAGES)
    unknown = sorted(names - set(ALL_STAGES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown stage(s) {', '.join(unknown) or '(none given)'}: the stages are "
            f"{', '.join(ALL_STAGES)}, or all")
    return [n for n in ALL_STAGES if n in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="archive sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=7, help="the archive's seed (default 7)")
    parser.add_argument("--batch", type=int, default=1000, help="articles per stage batch")
    parser.add_argument("--shard-size", type=int, default=1000,
                        help="articles per input file, one Engine.ingest call each")
    parser.add_argument("--embed", action="store_true",
                        help="embeddings on in the reuse stage (rewrites, translations)")
    parser.add_argument("--stages", default=",".join(DEFAULT_STAGES), type=parse_stages,
                        metavar="NAMES",
                        help="stages, comma-separated, of clean, reuse, stories, extract, or "
                             "'all' (what 'newsweave ingest' runs); default reuse,stories")
    parser.add_argument("--keep", type=Path, help="keep the generated archives in this folder")
    parser.add_argument("--json", action="store_true", help="print each size's figures as JSON")
    parser.add_argument("--batch-join", type=int, metavar="WORKERS", default=0,
                        help="instead of ingesting: time newsweave.batch's near-duplicate join "
                             "in one process and on Dask with this many workers")
    parser.add_argument("--clean", action="store_true",
                        help="with --batch-join: the map cleans each body first")
    parser.add_argument("--keep-db", type=Path, metavar="DIR",
                        help="keep each size's store as DIR/scale-SIZE.db "
                             "(for bench/batch_latency.py)")
    parser.add_argument("--resume", action="store_true",
                        help="with --keep-db: build the store in DIR from the start and log "
                             "each finished shard beside it, so a run stopped part-way (a "
                             "session's end) goes on from its last shard when started again")
    parser.add_argument("--shard-log", type=Path, metavar="FILE",
                        help="only summarise a --resume run's shard log (FILE, beside its "
                             "store), --block shards a row: so far, or as it goes on")
    parser.add_argument("--block", type=int, default=25, help="shards a row of --shard-log")
    parser.add_argument("--score-db", type=Path, nargs=2, metavar=("DB", "ARCHIVE"),
                        help="only score a store an ingest left (one stopped part-way, say) "
                             "against the archive's key, restricted to the articles it holds")
    parser.add_argument("--compare-db", type=Path, nargs=2, metavar=("A", "B"),
                        help="only compare two stores (two versions' ingests of one archive, "
                             "kept with --keep-db) row by row: articles, removal log, reuse "
                             "pairs, story members, provenance edges, origins, and the "
                             "extract stage's articles, entities and quotes")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # child: ingest one archive
    args = parser.parse_args()
    if args.score_db:
        figures = score_store(*args.score_db)
        if args.json:
            print(json.dumps(figures, indent=2))
        else:
            print_quality(figures)
        return
    if args.shard_log:
        print_shard_log(_ShardLog(args.shard_log), args.block)
        return
    if args.compare_db:
        same = compare_stores(*args.compare_db)
        sys.exit(0 if same else 1)
    if args.resume and not args.keep_db:
        sys.exit("--resume needs --keep-db DIR: the store and its shard log are kept there")
    if args.one:
        # Stopped with SIGTERM (a session's end), unwind as on an error: the store's open
        # transaction rolls back, and the extract stage's worker processes are shut down at
        # exit (killed outright they would linger, holding this process's output pipe).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
        print(json.dumps(ingest_archive(args.one, batch=args.batch, embed=args.embed,
                                        keep_db=args.keep_db, resume=args.resume,
                                        stages=args.stages)))
        return
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        sys.exit(f"--sizes {args.sizes!r}: expected whole numbers separated by commas")
    root = args.keep or Path(tempfile.mkdtemp(prefix="newsweave-scale-"))
    for size in sizes:
        folder = root / f"archive-{size}-seed{args.seed}"
        started = time.perf_counter()
        if not (folder / "manifest.json").is_file():
            subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), "--articles",
                            str(size), "--out", str(folder), "--seed", str(args.seed),
                            "--shard-size", str(args.shard_size)],
                           check=True, stdout=subprocess.DEVNULL)
        generated = time.perf_counter() - started
        if args.batch_join:
            print_join(compare_executors(folder, args.batch_join, clean=args.clean))
            continue
        command = [sys.executable, __file__, "--one", str(folder), "--batch", str(args.batch),
                   "--stages", ",".join(args.stages)]
        if args.embed:
            command.append("--embed")
        if args.keep_db:
            command += ["--keep-db", str(args.keep_db)]
        if args.resume:
            command.append("--resume")
        out = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        figures["generate_seconds"] = round(generated, 1)
        figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
        if args.json:
            print(json.dumps(figures, indent=2))
        else:
            print_figures(figures)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


def print_figures(f: dict[str, Any]) -> None:
    stages = ", ".join(f"{name} {seconds:,.0f} s" for name, seconds in f["stage_seconds"].items())
    print(f"{f['articles']:,} articles ({(f['embed'] and 'embeddings on') or 'embeddings off'}, "
          f"stages clean+{'+'.join(f['stage_seconds'])}): "
          f"{f['articles_per_s']:,.0f} articles/s wall, {f['articles_per_cpu_s']:,.0f} per CPU s "
          f"({f['seconds']:,.0f} s wall / {f['cpu_seconds']:,.0f} s CPU: clean+store "
          f"{f['clean_store_seconds']:,.0f} s, {stages})")
    cpu = ", ".join(f"{name} {seconds:,.1f}" for name, seconds in f["stage_cpu_seconds"].items())
    print(f"  CPU s by part: clean+store {f['clean_store_cpu_seconds']:,.1f}, {cpu}; child "
          f"processes (extract's workers) {f['children_cpu_seconds']:,.1f}: "
          f"{f['total_cpu_seconds']:,.0f} CPU s in all, "
          f"{f['articles_per_total_cpu_s']:,.1f} articles per CPU s")
    print(f"  memory: peak RSS {f['peak_rss_mb']:,.0f} MB, {f['peak_rss_before_mb']:,.0f} MB "
          f"before the ingest, so {f['rss_kb_per_article']:.1f} KB per article beyond it; "
          f"child processes' peaks {f['children_peak_rss_mb']:,.0f} MB added up; "
          f"store {f['store_kb_per_article']:.1f} KB per article on disk")
    print_quality(f)
    print(f"  (archive generated in {f['generate_seconds']:,.0f} s; load average "
          f"{', '.join(str(x) for x in f['load_average'])})")


def print_shard_log(log: _ShardLog, block: int) -> None:
    """A resumable run's shards, ``block`` a row: CPU and wall seconds a shard, the peak RSS
    of the run at the row's end, the load average, which runs (processes) did them; then,
    where the log has them, the child processes' CPU a shard and peak RSS (added up) at the
    row's end, and each stage's CPU a shard (this process's)."""
    print("| shards | CPU s a shard | wall s a shard | peak RSS at the end | load average | run "
          "| children: CPU s a shard, peak RSS | by stage, CPU s a shard |")
    print("|---|---|---|---|---|---|---|---|")
    lines = log.lines
    for start in range(0, len(lines), block):
        rows = lines[start:start + block]
        runs = sorted({row["run"] for row in rows})
        stages: dict[str, float] = {}
        for row in rows:
            for name, seconds in row.get("stages", {}).items():
                stages[name] = stages.get(name, 0.0) + seconds / len(rows)
        print(f"| {start}-{start + len(rows)} | {sum(r['cpu'] for r in rows) / len(rows):.1f} | "
              f"{sum(r['wall'] for r in rows) / len(rows):.1f} | {rows[-1]['peak_mb']:,.0f} MB | "
              f"{sum(r['load'] for r in rows) / len(rows):.1f} | "
              f"{', '.join(map(str, runs))} | "
              f"{sum(r.get('children_cpu', 0.0) for r in rows) / len(rows):.1f}, "
              f"{rows[-1].get('children_peak_mb', 0.0):,.0f} MB | "
              f"{', '.join(f'{k} {v:.1f}' for k, v in stages.items()) or '-'} |")
    if lines:
        print(f"{len(lines)} shards; {log.total('cpu'):,.0f} CPU s "
              f"(+{log.total('children_cpu'):,.0f} in child processes), {log.total('wall'):,.0f} s "
              f"wall over {len({row['run'] for row in lines})} run(s); highest peak RSS "
              f"{log.highest('peak_mb'):,.0f} MB (+{log.highest('children_peak_mb'):,.0f} MB "
              f"in child processes)")


def print_quality(f: dict[str, Any]) -> None:
    print(f"  reuse: precision {f['precision']:.3f} ({f['edges_right']} right, "
          f"{f['edges_wrong']} wrong of the copy/rewrite edges; {f['edges_left_out']} left "
          f"out: reports of one benchmark event or versions of one text)")
    for kind, row in f["recall"].items():
        print(f"    {kind:<12} planted {row['planted']:>6,}  found {row['found']:>6,}  "
              f"recall {row['recall']:.3f} ({row.get('recall_with_versions', 0):.3f} with "
              f"another version's)  as {EXPECTED_KIND[kind]} {row['as_expected']:.3f}  "
              f"missed: {row['missed_by_benchmark'] or 'none'}")
    print(f"  direction right {f['direction_right']:.3f} over {f['direction_pairs']} pairs; "
          f"families whole in one origin {f['families_whole']:.3f} of {f['families']}")


def score_store(db: Path, folder: Path) -> dict[str, Any]:
    """The reuse figures of a store filled from ``folder`` (maybe part of it): the key is cut
    to the articles stored, and a derived article counts only when its family's original is
    stored too (a copy whose original never arrived cannot be found)."""
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "bench"))
    from corpus import read_key
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    engine = Engine(open_store(str(db), readonly=True), load_settings(db=str(db)), stages=[])
    external = {a.id: a.external_id for a in engine.store.iter_articles()}
    graph = engine.provenance()
    engine.close()
    stored = set(external.values())
    key = {k["id"]: k for k in read_key(folder) if k["id"] in stored}
    originals = {k["family"] for k in key.values() if k["kind"] == "original"}
    key = {i: k for i, k in key.items() if k["family"] in originals}
    figures = score(graph, external, key)
    figures["articles"] = len(external)
    return figures


def shard_band_rows(path: str) -> list[tuple[int, int]]:
    """Map side of the batch join for one generated shard, on the worker that runs it: read
    the file, then the reuse stage's MinHash band rows of each article (id ``a0000123`` ->
    123). The text is the generated one, boilerplate included."""
    from newsweave.batch.dedup import band_rows

    with open(path, encoding="utf-8") as fh:
        texts = [(int(r["id"][1:]), r["text"]) for r in map(json.loads, fh)]
    return band_rows(texts)


def shard_clean_band_rows(path: str) -> list[tuple[int, int]]:
    """As :func:`shard_band_rows`, each body first cleaned by the engine's cleaner
    (``clean_text``, as ingest cleans a JSON record's text; without the outlet's recurring
    lines, which need the store)."""
    from newsweave.batch.dedup import band_rows
    from newsweave.clean import clean_text

    with open(path, encoding="utf-8") as fh:
        texts = [(int(r["id"][1:]), clean_text(r["text"]).text) for r in map(json.loads, fh)]
    return band_rows(texts)


def compare_executors(folder: Path, workers: int, *, clean: bool = False) -> dict[str, Any]:
    """Wall-clock seconds of the map (read + MinHash) and of the join (shuffle by band,
    distinct edges, components), in one process and on a Dask LocalCluster."""
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.batch import LocalExecutor, join_bands
    from newsweave.batch.on_dask import local_executor

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    shards = [str(folder / name) for name in manifest["shards"]]
    figures: dict[str, Any] = {"articles": manifest["articles"], "partitions": len(shards),
                               "workers": workers, "clean": clean}
    mapper = shard_clean_band_rows if clean else shard_band_rows
    local = LocalExecutor()
    for module in ("newsweave.batch.dedup", "newsweave.clean"):
        importlib.import_module(module)
    started = time.perf_counter()
    rows = local.map_partitions(mapper, shards)
    mapped = time.perf_counter()
    single = join_bands(local, rows)
    figures["local"] = {"map": mapped - started, "join": time.perf_counter() - mapped}
    del rows
    from distributed import wait

    started = time.perf_counter()
    with local_executor(workers) as executor:
        # Each worker imports the reuse stage's modules once, before the clock starts (as
        # one process already has them): a long-lived cluster pays that once.
        for module in ("newsweave.batch.dedup", "newsweave.clean"):
            executor.client.run(importlib.import_module, module)
        figures["dask_start"] = time.perf_counter() - started
        started = time.perf_counter()
        rows = executor.map_partitions(mapper, shards)
        wait(rows)
        mapped = time.perf_counter()
        spread = join_bands(executor, rows)
        figures["dask"] = {"map": mapped - started, "join": time.perf_counter() - mapped}
    figures["same_result"] = spread == single
    figures["edges"], figures["components"] = len(single.edges), len(single.components)
    figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
    return figures


def print_join(f: dict[str, Any]) -> None:
    local, dask = f["local"], f["dask"]
    what = "read + clean + MinHash" if f["clean"] else "read + MinHash"
    print(f"{f['articles']:,} articles in {f['partitions']} partitions ({what}): one process map "
          f"{local['map']:.1f} s, join {local['join']:.1f} s; Dask {f['workers']} workers map "
          f"{dask['map']:.1f} s ({local['map'] / dask['map']:.2f}x), join {dask['join']:.1f} s "
          f"({local['join'] / dask['join']:.2f}x); cluster start {f['dask_start']:.1f} s; "
          f"same edges and components: {f['same_result']} ({f['edges']:,} edges, "
          f"{f['components']:,} components); load average "
          f"{', '.join(str(x) for x in f['load_average'])}")


class _Timed:
    """A stage that adds up its own wall-clock time (and, given ``cpu_clock``, its CPU time
    of the process); everything else is the stage's. Besides its runs, the work a stage does
    outside them is its own too: redoing what earlier stages invalidated, and the extract
    stage's head start (``warm_up``, ``start_ahead``: starting its worker processes and
    handing them texts, while clean + store runs)."""

    TIMED = ("run_batches", "consume_invalidations", "warm_up", "start_ahead")

    def __init__(self, stage: Any, clock: dict[str, float],
                 cpu_clock: dict[str, float] | None = None) -> None:
        self._stage = stage
        self._clock = clock
        self._cpu_clock = {} if cpu_clock is None else cpu_clock
        self.name, self.version, self.requires = stage.name, stage.version, stage.requires
        clock[stage.name] = 0.0
        self._cpu_clock[stage.name] = 0.0
        for method in self.TIMED:
            if hasattr(stage, method):
                setattr(self, method, self._timed(getattr(stage, method)))

    def _timed(self, method: Any) -> Any:
        @functools.wraps(method)  # (the pipeline reads run_batches' parameters)
        def run(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                self._clock[self.name] += time.perf_counter() - started
                self._cpu_clock[self.name] += time.process_time() - cpu
        return run

    def run(self, *args: Any) -> None:
        self._timed(self._stage.run)(*args)

    def __getattr__(self, name: str) -> Any:  # e.g. the reuse stage's ``vectors``
        return getattr(self._stage, name)


def build_stages(names: Sequence[str], clock: dict[str, float],
                 cpu_clock: dict[str, float]) -> tuple[list[_Timed], Any]:
    """The stages of ``names`` (of :data:`ALL_STAGES`), each timed, and the cleaning stage
    ingest should clean with: the listed one, so its pass and ingest's cleaning share one
    instance as in the engine's own list (the engine finds it by type, which the timing
    wrapper hides)."""
    from newsweave.clean.stage import CleanStage
    from newsweave.extract import ExtractStage
    from newsweave.reuse import ReuseStage
    from newsweave.stories import StoriesStage

    made = {"clean": CleanStage, "reuse": ReuseStage, "stories": StoriesStage,
            "extract": ExtractStage}
    stages = {name: made[name]() for name in ALL_STAGES if name in names}
    return ([_Timed(stage, clock, cpu_clock) for stage in stages.values()],
            stages.get("clean"))


class _Children:
    """CPU seconds and peak RSS of this process's child processes (the extract stage's
    worker pool, which lives across shards: ``RUSAGE_CHILDREN`` counts only ended
    children). CPU is summed per process id from the first look, so a worker replaced
    between two looks loses only its last stretch."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}  # pid -> CPU seconds at the last look
        self.cpu = 0.0
        self.peaks: dict[int, float] = {}  # pid -> peak RSS (MB)

    def look(self) -> None:
        try:
            import psutil
        except ImportError:  # then the children's figures stay 0
            return
        for child in psutil.Process().children(recursive=True):
            try:
                times = child.cpu_times()
                peak = _child_peak_mb(child.pid) or child.memory_info().rss / 2**20
            except psutil.Error:
                continue
            used = times.user + times.system
            self.cpu += used - self.seen.get(child.pid, 0.0)
            self.seen[child.pid] = used
            self.peaks[child.pid] = max(peak, self.peaks.get(child.pid, 0.0))

    def peak_mb(self) -> float:
        """The children's peaks added up (an upper bound on what they held at once)."""
        return sum(self.peaks.values())


def _child_peak_mb(pid: int) -> float:
    """A process's peak RSS (``VmHWM``) in MB; 0 where ``/proc`` does not say."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def ingest_archive(folder: Path, *, batch: int, embed: bool, keep_db: Path | None = None,
                   resume: bool = False, score_reuse: bool = True,
                   stages: Sequence[str] = DEFAULT_STAGES) -> dict[str, Any]:
    """Ingest one generated archive through the engine with ``stages`` (names of
    :data:`ALL_STAGES`); return the figures (with ``keep_db``, the store is moved to
    ``keep_db/scale-SIZE.db`` afterwards).

    Without ``score_reuse`` the reuse figures are left out: the whole store is then not read
    back (``bench/ingest_profile.py`` profiling a few shards into a big resumed store).

    With ``resume`` the store is built in ``keep_db`` from the start and each finished shard
    is logged beside it (``scale-SIZE.shards.jsonl``: its wall and CPU seconds, each stage's
    CPU seconds, the child processes' CPU seconds and peak RSS, the process's peak RSS, the
    load); a later run skips the logged shards. A shard cut off part-way is
    read again: the store skips the articles it holds (by content) and the stages take up
    what was stored but not analysed. The figures then add up every run's shards."""
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "bench"))
    from corpus import read_key
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    articles = manifest["articles"]
    if resume and keep_db is not None:
        work = keep_db
        work.mkdir(parents=True, exist_ok=True)
        db = work / f"scale-{articles}.db"
    else:
        work = Path(tempfile.mkdtemp(prefix="newsweave-scale-db-"))
        db = work / "scale.db"
    log = _ShardLog(work / f"scale-{articles}.shards.jsonl" if resume else None)
    settings = load_settings(db=str(db), batch_size=batch, reuse_embed=1 if embed else 0)
    clock: dict[str, float] = {}
    cpu_clock: dict[str, float] = {}  # this process's CPU seconds per stage (not resumed)
    timed, cleaner = build_stages(stages, clock, cpu_clock)
    engine = Engine(open_store(str(db)), settings, stages=timed)
    if cleaner is not None:
        engine._cleaner = cleaner  # the listed cleaning stage (see build_stages)
    children = _Children()
    before = _peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    rejected = 0
    for shard in manifest["shards"]:
        if shard in log.done:
            continue
        shard_wall, shard_cpu = time.perf_counter(), time.process_time()
        children.look()
        shard_children, shard_stages = children.cpu, dict(cpu_clock)
        report = engine.ingest([str(folder / shard)])
        rejected += len(report.rejected)
        children.look()
        log.add(shard, time.perf_counter() - shard_wall, time.process_time() - shard_cpu,
                _peak_mb(), before, children=(children.cpu - shard_children,
                                              children.peak_mb()),
                stages={k: v - shard_stages[k] for k, v in cpu_clock.items()})
        print(f"{shard}: {time.perf_counter() - started:,.0f} s, "
              f"{time.process_time() - cpu:,.0f} CPU s (+{children.cpu:,.0f} in children), "
              f"peak {_peak_mb():,.0f} MB (+{children.peak_mb():,.0f}), "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    run_cpu = cpu_seconds
    peak, children_cpu, children_peak = _peak_mb(), children.cpu, children.peak_mb()
    stage_cpu = dict(cpu_clock)
    if log.runs:  # earlier runs' shards count too
        seconds, cpu_seconds = log.total("wall"), log.total("cpu")
        peak, before = max(peak, log.highest("peak_mb")), log.lowest("before_mb")
        children_cpu = log.total("children_cpu")
        children_peak = max(children_peak, log.highest("children_peak_mb"))
        stage_cpu = log.stage_totals()
    figures: dict[str, Any] = {
        "articles": articles, "rejected": rejected, "embed": embed, "stages": list(stages),
        "seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
        "articles_per_s": articles / seconds, "articles_per_cpu_s": articles / cpu_seconds,
        "stage_seconds": {k: round(v, 1) for k, v in clock.items()},
        "clean_store_seconds": round(seconds - sum(clock.values()), 1),
        # CPU by part; resumed, every run's shards (from the log), else this run's
        "stage_cpu_seconds": {k: round(v, 2) for k, v in stage_cpu.items()},
        "clean_store_cpu_seconds": round(cpu_seconds - sum(stage_cpu.values()), 2)
        if log.runs else round(run_cpu - sum(cpu_clock.values()), 2),
        # The child processes (the extract stage's workers), beside the process's own
        "children_cpu_seconds": round(children_cpu, 1),
        "total_cpu_seconds": round(cpu_seconds + children_cpu, 1),
        "articles_per_total_cpu_s": articles / (cpu_seconds + children_cpu),
        "peak_rss_mb": peak, "peak_rss_before_mb": before,
        "children_peak_rss_mb": round(children_peak, 1),
        "rss_kb_per_article": (peak - before) * 1024 / articles,
        "store_kb_per_article": _disk_kb(work) / articles,
    }
    if log.runs:
        figures["runs"] = log.runs
    reuse = next((t._stage for t in timed if t.name == "reuse"), None)
    prepared = getattr(reuse, "_prepared", None)  # texts kept across batches
    if prepared is not None:
        figures["reuse_prepared_texts"] = {"hits": prepared.hits, "misses": prepared.misses,
                                           "kept": len(prepared)}
    if score_reuse:
        external = {a.id: a.external_id for a in engine.store.iter_articles()}
        graph = engine.provenance()
    engine.close()
    if keep_db is not None and not resume:
        keep_db.mkdir(parents=True, exist_ok=True)
        for part in work.iterdir():  # the store and its WAL files, if any are left
            shutil.move(str(part), keep_db / part.name.replace("scale", f"scale-{articles}"))
    if not resume:
        shutil.rmtree(work, ignore_errors=True)
    if score_reuse:
        figures.update(score(graph, external, {k["id"]: k for k in read_key(folder)}))
    return figures


class _ShardLog:
    """The shards a resumable ingest finished, one JSON line each (none kept without a path).
    A line is written after its shard's last transaction, so a logged shard is whole."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lines: list[dict[str, Any]] = []
        if path is not None and path.is_file():
            with path.open(encoding="utf-8") as fh:
                self.lines = [json.loads(line) for line in fh if line.strip()]
        self.done = {line["shard"] for line in self.lines}
        self.run = 1 + max((line["run"] for line in self.lines), default=0)
        self.runs = self.run if path is not None and self.lines else 0

    def add(self, shard: str, wall: float, cpu: float, peak_mb: float, before_mb: float,
            children: tuple[float, float] = (0.0, 0.0),
            stages: dict[str, float] | None = None) -> None:
        """Log a finished shard: ``cpu`` is this process's; ``children`` the child
        processes' CPU seconds in the shard and their peak RSS (MB, added up) so far;
        ``stages`` each stage's CPU seconds of this process in the shard."""
        line = {"shard": shard, "run": self.run, "wall": round(wall, 3), "cpu": round(cpu, 3),
                "peak_mb": round(peak_mb, 1), "before_mb": round(before_mb, 1),
                "load": round(os.getloadavg()[0], 1),
                "children_cpu": round(children[0], 3),
                "children_peak_mb": round(children[1], 1),
                "stages": {k: round(v, 3) for k, v in (stages or {}).items()}}
        self.lines.append(line)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(line) + "\n")

    def total(self, field: str) -> float:
        return sum(line.get(field, 0.0) for line in self.lines)  # (older logs lack some)

    def highest(self, field: str) -> float:
        return max(line.get(field, 0.0) for line in self.lines)

    def stage_totals(self) -> dict[str, float]:
        """Each stage's CPU seconds over the logged shards."""
        totals: dict[str, float] = {}
        for line in self.lines:
            for name, seconds in line.get("stages", {}).items():
                totals[name] = totals.get(name, 0.0) + seconds
        return totals

    def lowest(self, field: str) -> float:
        return min(line[field] for line in self.lines)


def score(graph: dict[str, Any], external: dict[int, str | None],
          key: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall per planted kind, direction and whole families (see the module doc)."""
    right = wrong = left_out = direction_pairs = direction_right = 0
    linked: dict[str, set[str]] = {}  # derived article -> kinds of edges to its family
    # Derived articles linked to another pass's version of their text (same base, other
    # family): beyond the first pass the archive holds near-copies the key has no gold for,
    # and the engine may take one of them as the source instead of the planted original.
    versions: set[str] = set()
    for edge in graph["edges"]:
        if edge["kind"] not in ("copy", "rewrite"):
            continue
        derived, source = external.get(edge["derived"]), external.get(edge["source"])
        a, b = key.get(derived or ""), key.get(source or "")
        if a is None or b is None:
            wrong += 1
            continue
        if a["family"] != b["family"]:
            same_event = a["event"].split("#")[0] == b["event"].split("#")[0]
            if same_event or a["base"] == b["base"]:
                left_out += 1
                if a["base"] == b["base"]:
                    versions.update(m["id"] for m in (a, b) if m["kind"] != "original")
            else:
                wrong += 1
            continue
        right += 1
        for member in (a, b):
            if member["kind"] != "original":
                linked.setdefault(member["id"], set()).add(edge["kind"])
        if a["kind"] == "original" or b["kind"] == "original":
            direction_pairs += 1
            direction_right += b["kind"] == "original"
    recall: dict[str, dict[str, Any]] = {}
    for kind in EXPECTED_KIND:
        planted = [k["id"] for k in key.values() if k["kind"] == kind]
        found = [i for i in planted if i in linked]
        expected = sum(EXPECTED_KIND[kind] in linked[i] for i in found)
        missed = Counter(key[i]["base"].split(":")[0] for i in planted if i not in linked)
        either = sum(1 for i in planted if i in linked or i in versions)
        recall[kind] = {"planted": len(planted), "found": len(found),
                        "recall": len(found) / len(planted) if planted else 0.0,
                        "recall_with_versions": either / len(planted) if planted else 0.0,
                        "as_expected": expected / len(found) if found else 0.0,
                        "missed_by_benchmark": dict(missed.most_common())}
    origins_of: dict[str, set[int]] = {}  # an article may sit in several origins
    for n, group in enumerate(graph["origins"]):
        for article_id in group:
            name = external.get(article_id)
            if name is not None:
                origins_of.setdefault(name, set()).add(n)
    families: dict[str, list[set[int]]] = {}
    for k in key.values():
        families.setdefault(k["family"], []).append(origins_of.get(k["id"], set()))
    derived_families = {k["family"] for k in key.values() if k["kind"] != "original"}
    whole = sum(1 for name in derived_families if set.intersection(*families[name]))
    return {"precision": right / (right + wrong) if right + wrong else 0.0,
            "edges_right": right, "edges_wrong": wrong, "edges_left_out": left_out,
            "recall": recall, "direction_pairs": direction_pairs,
            "direction_right": direction_right / direction_pairs if direction_pairs else 0.0,
            "families": len(derived_families),
            "families_whole": whole / len(derived_families) if derived_families else 0.0}


# What two ingests of one archive must agree on, table by table (SQLite stores).
COMPARED = {
    "articles": "SELECT id, external_id, text, title, language, published, published_how, "
                "outlet, outlet_how, author, url FROM articles ORDER BY id",
    "removal log lines": "SELECT article_id, seq, reason, text FROM removals "
                         "ORDER BY article_id, seq",
    "reuse pairs": "SELECT a, b, derived, source, kind, score, confidence, shared_fraction, "
                   "attribution, reasons, evidence FROM reuse_pairs ORDER BY a, b",
    "story members": "SELECT story_id, article_id FROM story_members "
                     "ORDER BY story_id, article_id",
    "provenance edges": "SELECT derived, source FROM reuse_edges ORDER BY derived, source",
    "origins": "SELECT article_id, origin_id FROM article_origin "
               "ORDER BY article_id, origin_id",
    # the extract stage (empty in a store it did not run on): what it found per article,
    # and what it resolved across the store
    "extract articles": "SELECT article_id, mentions, attributions, error "
                        "FROM extract_articles ORDER BY article_id",
    "entities": "SELECT * FROM entities ORDER BY id",
    "entity articles": "SELECT * FROM entity_articles ORDER BY entity_id, article_id",
    "entity locals": "SELECT entity_id, article_id, data FROM entity_locals "
                     "ORDER BY entity_id, article_id, data",
    "entity keys": "SELECT key, entity_id FROM entity_keys ORDER BY key, entity_id",
    "entity names": "SELECT article_id, name, entity_id, token FROM entity_names "
                    "ORDER BY article_id, name, entity_id, token",
    "quote groups": "SELECT * FROM quote_groups ORDER BY id",
    "quote variants": "SELECT * FROM quote_variants ORDER BY quote_id, seq",
    "stage runs": "SELECT stage, article_id, version FROM stage_runs "
                  "ORDER BY stage, article_id",
}


def compare_stores(a: Path, b: Path) -> bool:
    """Print, per table of :data:`COMPARED`, the rows of each store and how many differ;
    True when all are identical."""
    import sqlite3

    same = True
    with sqlite3.connect(f"file:{a}?mode=ro", uri=True) as one, \
            sqlite3.connect(f"file:{b}?mode=ro", uri=True) as two:
        for name, query in COMPARED.items():
            left, right = one.execute(query).fetchall(), two.execute(query).fetchall()
            if name == "reuse pairs":  # as read: passages stored as offsets take their text
                left, right = _evidence_as_read(one, left), _evidence_as_read(two, right)
            paired = list(zip(left, right, strict=False))  # unequal lengths count below
            differ = sum(x != y for x, y in paired) + abs(len(left) - len(right))
            first = next((x[0] for x, y in paired if x != y), None)
            print(f"{name}: {len(left):,} and {len(right):,} rows, {differ:,} differ"
                  + (f" (first at {first})" if first is not None else ""))
            same = same and differ == 0
    print("identical" if same else "NOT identical")
    return same


def _evidence_as_read(db: Any, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Pair rows (:data:`COMPARED`'s columns) with their evidence in the form every store
    wrote before offsets alone (``store/reuse.py``, ``offsets_json``): each passage's text
    filled from its article's stored text, written as ``json.dumps`` writes it."""
    texts: dict[int, str] = {}

    def text(article: int) -> str:
        if article not in texts:
            texts[article] = db.execute("SELECT text FROM articles WHERE id = ?",
                                        (article,)).fetchone()[0]
        return texts[article]

    out = []
    for row in rows:
        derived, source, evidence = row[2], row[3], row[10]
        if evidence.startswith("[["):
            evidence = json.dumps([
                {"derived_passage": {"article": derived, "start": ds, "end": de,
                                     "text": text(derived)[ds:de]},
                 "source_passage": {"article": source, "start": ss, "end": se,
                                    "text": text(source)[ss:se]},
                 "score": score, "kind": kind}
                for ds, de, ss, se, score, kind in json.loads(evidence)], ensure_ascii=False)
        out.append((*row[:10], evidence))
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _disk_kb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1024


if __name__ == "__main__":
    main()

