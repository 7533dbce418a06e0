"""The reuse stage's CPU as the store grows: one shard into a small store against one into a
large one, broken down by the stage's parts.

Works on an archive of ``bench/corpus.py`` (``python bench/scale.py --keep DIR`` or
``python bench/corpus.py --articles N --out DIR``):

    python bench/reuse_growth.py fill ARCHIVE STORE.db --shards 36
    python bench/reuse_growth.py measure ARCHIVE STORE.db --shard 37 [--json]
    python bench/reuse_growth.py measure ARCHIVE --empty --shard 1

``fill`` ingests the archive's first N shards into ``STORE.db`` through ``Engine.ingest``,
one shard per call, with only the reuse stage (embeddings off, batches of 1,000, as
``bench/scale.py``; ingest always cleans); an existing store is continued from the shards it
does not hold yet. The stories stage is left out: it is not measured here, and the store is
only the reuse stage's ground.

``measure`` copies the store (SQLite's backup API; ``--empty`` starts from an empty store
instead), ingests shard K into the copy the same way, and prints the CPU seconds
(``time.process_time``) of the whole ingest and of the reuse stage, and of the stage's parts,
each timed by wrapping the function that does it (calls nest: a part's time includes what
it calls):

* ``index``: words, MinHash signatures, band and sentence keys, attributions, and saving
  them (the stage's first transaction);
* ``candidates``: band and sentence lookups in the index (``ReuseStage._candidates``);
* ``load``: reading the candidates' stored articles and attributions;
* ``align``: aligning candidate pairs sentence by sentence and deciding their relation
  (``relate_pair``; with ``prepare``, cutting and preparing the sentences, apart);
* ``save_pairs``: writing the pairs with their evidence;
* ``graph``: the provenance graph and origins update (``update_graph``), with the number of
  articles whose origins it writes.

Also counted: pairs aligned, pairs kept (a relation stored), the aligned pairs' sizes
(sentences of both sides, multiplied: the alignment matrix), the articles whose origins
were written, and the process's peak RSS. ``--keep OUT.db`` keeps the filled copy (compare
two versions' copies with ``bench/scale.py --compare-db``); ``--profile FILE`` writes a
cProfile with a CPU clock; ``--pairs FILE`` writes each aligned pair (external ids,
sentences, CPU s, kind) as JSONL.

``--stories`` (``fill`` and ``measure``) runs the stories stage after the reuse stage, as
``bench/scale.py`` does, and ``measure`` times it apart (``stories_cpu_s``).
``--candidates K`` aligns at most K candidates per new article (the stage's
``MAX_CANDIDATES``, 40); ``agreement EXACT.db OTHER.db --since ID`` prints how many of the
pairs, provenance edges and origins of the articles after ``ID`` (the shard's), and of the
pairs of those articles put in one story, differ between two kept copies (see
docs/benchmarks.md, "Archive scale, part 9").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if os.environ.get("NEWSWEAVE_SRC"):  # another tree's src (a "before" to compare with)
    sys.path.insert(0, os.environ["NEWSWEAVE_SRC"])
else:
    sys.path.insert(0, str(REPO / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fill = sub.add_parser("fill", help="ingest the archive's first N shards into a store")
    fill.add_argument("archive", type=Path)
    fill.add_argument("db", type=Path)
    fill.add_argument("--shards", type=int, required=True)
    fill.add_argument("--stories", action="store_true",
                      help="run the stories stage too (as bench/scale.py)")
    measure = sub.add_parser("measure", help="one shard into a copy of a store, by part")
    measure.add_argument("archive", type=Path)
    measure.add_argument("db", type=Path, nargs="?")
    measure.add_argument("--shard", type=int, required=True, help="1-based shard number")
    measure.add_argument("--empty", action="store_true", help="into an empty store")
    measure.add_argument("--keep", type=Path, help="keep the filled copy here")
    measure.add_argument("--json", action="store_true")
    measure.add_argument("--stories", action="store_true",
                         help="run the stories stage too (as bench/scale.py), timed apart")
    measure.add_argument("--warm", action="store_true",
                         help="ingest the shard before first, untimed, in the same process "
                              "(what a long run's process has read and kept)")
    measure.add_argument("--collector", action="store_true",
                         help="also the garbage collector's collections and CPU seconds "
                              "(gc.callbacks) during the ingest, by generation")
    measure.add_argument("--candidates", type=int,
                         help="align at most this many candidates per new article "
                              "(reuse.MAX_CANDIDATES; default: the stage's)")
    agree = sub.add_parser("agreement", help="what two filled copies stored differently "
                                             "for the articles of their last shard")
    agree.add_argument("exact", type=Path)
    agree.add_argument("other", type=Path)
    agree.add_argument("--since", type=int, required=True,
                       help="the articles after this id are the shard's")
    measure.add_argument("--profile", type=Path,
                         help="also write a cProfile (CPU clock) of the ingest to this file")
    measure.add_argument("--pairs", type=Path,
                         help="write each aligned pair (external ids, sizes, CPU s, kind) "
                              "to this JSONL file")
    args = parser.parse_args()
    if args.command == "fill":
        fill_store(args.archive, args.db, args.shards, stories=args.stories)
        return
    if args.command == "agreement":
        print(json.dumps(agreement(args.exact, args.other, args.since), indent=2))
        return
    if not args.empty and args.db is None:
        parser.error("measure: give a store, or --empty")
    collector = _Collector() if args.collector else None
    figures = measure_shard(args.archive, None if args.empty else args.db, args.shard,
                            keep=args.keep, profile=args.profile, pairs=args.pairs,
                            stories=args.stories, candidates=args.candidates,
                            warm=args.warm)
    if collector is not None:
        figures.update(collector.figures())
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_figures(figures)


class _Collector:
    """The garbage collector's collections and own CPU seconds by generation, from its
    callbacks (from the moment it is made: the store's copy and the engine's opening
    are included, the arguments' parsing not)."""

    def __init__(self) -> None:
        import gc

        self.seconds = [0.0, 0.0, 0.0]
        self.counts = [0, 0, 0]
        self._started = 0.0
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            generation = info["generation"]
            self.seconds[generation] += time.process_time() - self._started
            self.counts[generation] += 1

    def figures(self) -> dict[str, Any]:
        return {"gc_cpu_s": [round(x, 3) for x in self.seconds], "gc_collections": self.counts}

    def stop(self) -> None:
        """Count no more collections (the figures so far stay)."""
        import gc

        gc.callbacks.remove(self._seen)


def _engine(db: Path, stories: bool = False) -> Any:
    from newsweave.engine import Engine
    from newsweave.reuse import ReuseStage
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage

    settings = load_settings(db=str(db), batch_size=1000, reuse_embed=0)
    stages: list[Any] = [ReuseStage(), *([StoriesStage()] if stories else [])]
    return Engine(open_store(str(db)), settings, stages=stages)


def _shards(archive: Path) -> list[str]:
    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    return [str(archive / name) for name in manifest["shards"]]


def fill_store(archive: Path, db: Path, shards: int, stories: bool = False) -> None:
    engine = _engine(db, stories)
    names = _shards(archive)[:shards]
    started, cpu = time.perf_counter(), time.process_time()
    done = _filled_shards(db)
    for number, path in enumerate(names, start=1):
        if number <= done:
            continue
        engine.ingest([path])
        _mark_filled(db, number)
        shard_cpu, cpu = time.process_time() - cpu, time.process_time()
        print(f"shard {number}: {time.perf_counter() - started:,.0f} s, "
              f"{shard_cpu:,.1f} CPU s, peak RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB, "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    engine.close()


def _filled_shards(db: Path) -> int:
    marker = db.with_suffix(".shards")
    return int(marker.read_text()) if marker.is_file() else 0


def _mark_filled(db: Path, number: int) -> None:
    db.with_suffix(".shards").write_text(str(number))


class _Clock:
    """CPU seconds and calls per part, from wrapped functions."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def wrap(self, owner: Any, name: str, part: str,
             after: Callable[[Any, tuple[Any, ...], float], None] | None = None) -> None:
        original = getattr(owner, name)
        clock = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                result = original(*args, **kwargs)
            finally:
                spent = time.process_time() - started
                clock.seconds[part] += spent
                clock.calls[part] += 1
            if after is not None:
                after(result, args, spent)
            return result

        if isinstance(owner.__dict__.get(name), staticmethod):
            setattr(owner, name, staticmethod(timed))
        else:
            setattr(owner, name, timed)


def measure_shard(archive: Path, db: Path | None, shard: int, *,
                  keep: Path | None = None, profile: Path | None = None,
                  pairs: Path | None = None, stories: bool = False,
                  candidates: int | None = None, warm: bool = False) -> dict[str, Any]:
    import newsweave.reuse as reuse
    import newsweave.reuse.pairs as reuse_pairs
    import newsweave.reuse.translations as reuse_translations
    import newsweave.stories as stories_module

    if candidates is not None:
        reuse.MAX_CANDIDATES = candidates
    from newsweave.store.reuse import ReuseTables

    work = Path(tempfile.mkdtemp(prefix="reuse-growth-"))
    copy = work / "store.db"
    if db is not None:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as source, \
                sqlite3.connect(copy) as target:
            source.backup(target)
    engine = _engine(copy, stories)
    if warm and shard > 1:
        engine.ingest([_shards(archive)[shard - 2]])
    stored_before = _count(copy) if db is not None else 0
    clock = _Clock()
    sizes: list[int] = []
    kept = Counter()

    rows: list[dict[str, Any]] = []

    def count_pair(edge: Any, args: tuple[Any, ...], spent: float) -> None:
        a, b = args[0], args[1]
        sizes.append(len(a.units) * len(b.units))
        kept[edge.kind if edge is not None else "none"] += 1
        if pairs is not None:
            rows.append({"a": a.article.external_id, "b": b.article.external_id,
                         "units": [len(a.units), len(b.units)], "cpu": spent,
                         "kind": edge.kind if edge is not None else None,
                         "aligned": len(edge.evidence) if edge is not None else 0})

    # Each name wrapped in the module whose code calls it (reuse re-exports the ones
    # reuse.pairs and reuse.translations hold: a name set there reaches only its own calls).
    clock.wrap(reuse, "index_article", "index")
    clock.wrap(reuse.ReuseStage, "_candidates", "candidates")
    clock.wrap(reuse, "_load", "load")
    clock.wrap(reuse_translations, "_load", "load")
    clock.wrap(reuse_pairs, "relate_pair", "align", after=count_pair)
    clock.wrap(reuse_pairs, "prepare", "prepare")
    clock.wrap(reuse_pairs, "align", "align_only")
    clock.wrap(reuse_pairs, "relate", "relate_only")
    clock.wrap(reuse, "update_graph", "graph")
    clock.wrap(ReuseTables, "save_index", "save_index")
    clock.wrap(ReuseTables, "save_pairs", "save_pairs")
    origins = Counter()
    clock.wrap(ReuseTables, "set_origins", "set_origins",
               after=lambda _r, args, _s: origins.update(n=len(args[1])))
    stage_cpu = Counter()
    original_run = reuse.ReuseStage.run

    def run(self: Any, *args: Any) -> None:
        started = time.process_time()
        try:
            original_run(self, *args)
        finally:
            stage_cpu["reuse"] += time.process_time() - started

    reuse.ReuseStage.run = run  # type: ignore[method-assign]
    original_stories = stories_module.StoriesStage.run

    def run_stories(self: Any, *args: Any) -> None:
        started = time.process_time()
        try:
            original_stories(self, *args)
        finally:
            stage_cpu["stories"] += time.process_time() - started

    stories_module.StoriesStage.run = run_stories  # type: ignore[method-assign]
    path = _shards(archive)[shard - 1]
    load_before = os.getloadavg()
    started, cpu = time.perf_counter(), time.process_time()
    if profile is None:
        engine.ingest([path])
    else:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(engine.ingest, [path])
        profiler.dump_stats(str(profile))
    cpu_seconds, seconds = time.process_time() - cpu, time.perf_counter() - started
    engine.close()
    figures: dict[str, Any] = {
        "shard": shard, "stored_before": stored_before, "store": str(db) if db else "empty",
        "ingest_cpu_s": round(cpu_seconds, 2), "ingest_wall_s": round(seconds, 1),
        "reuse_cpu_s": round(stage_cpu["reuse"], 2),
        "stories_cpu_s": round(stage_cpu["stories"], 2),
        "parts_cpu_s": {k: round(v, 2) for k, v in clock.seconds.most_common()},
        "calls": dict(clock.calls),
        "pairs_aligned": len(sizes), "pairs_kept": dict(kept),
        "cells_aligned": sum(sizes), "origins_written": origins["n"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(x, 1) for x in (*load_before, *os.getloadavg())],
    }
    if pairs is not None:
        pairs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if keep is not None:
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(copy), keep)
    shutil.rmtree(work, ignore_errors=True)
    return figures


def agreement(exact: Path, other: Path, since: int) -> dict[str, Any]:
    """How many of the shard's stored relations (pairs touching an article after ``since``,
    with their kind), provenance edges and origins of its articles differ between two
    copies filled from one store, and how many pairs of its articles are in one story in
    one copy and not in the other."""
    def read(db: Path) -> dict[str, Any]:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            pairs = set(con.execute("SELECT a, b, derived, source, kind FROM reuse_pairs "
                                    "WHERE a > ? OR b > ?", (since, since)))
            edges = set(con.execute("SELECT derived, source FROM reuse_edges "
                                    "WHERE derived > ?", (since,)))
            origins = set(con.execute("SELECT article_id, origin_id FROM article_origin "
                                      "WHERE article_id > ?", (since,)))
            story = dict(con.execute("SELECT article_id, story_id FROM story_members "
                                     "WHERE article_id > ?", (since,)).fetchall())
        return {"pairs": pairs, "edges": edges, "origins": origins, "story": story}

    one, two = read(exact), read(other)
    out: dict[str, Any] = {}
    for name in ("pairs", "edges", "origins"):
        a, b = one[name], two[name]
        out[name] = {"exact": len(a), "other": len(b), "only_exact": len(a - b),
                     "only_other": len(b - a),
                     "agreement": round(len(a & b) / max(len(a | b), 1), 4)}
    ids = sorted(set(one["story"]) & set(two["story"]))
    together = differ = 0
    for i, x in enumerate(ids):
        for y in ids[i + 1:]:
            same_one = one["story"][x] == one["story"][y]
            same_two = two["story"][x] == two["story"][y]
            together += same_one or same_two
            differ += same_one != same_two
    out["story_pairs"] = {"together_in_either": together, "differ": differ,
                          "agreement": round(1 - differ / max(together, 1), 4)}
    return out


def _count(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])


def print_figures(f: dict[str, Any]) -> None:
    print(f"shard {f['shard']} into {f['store']} ({f['stored_before']:,} articles): ingest "
          f"{f['ingest_cpu_s']:.1f} CPU s ({f['ingest_wall_s']:.0f} s wall), reuse stage "
          f"{f['reuse_cpu_s']:.1f} CPU s, stories stage {f['stories_cpu_s']:.1f} CPU s")
    for part, seconds in f["parts_cpu_s"].items():
        print(f"  {part:<12} {seconds:8.2f} CPU s  {f['calls'][part]:>7,} calls")
    print(f"  pairs aligned {f['pairs_aligned']:,} (kept: {f['pairs_kept']}), "
          f"alignment cells {f['cells_aligned']:,}; origins written {f['origins_written']:,}")
    print(f"  peak RSS of the process {f['peak_rss_mb']:,} MB")
    print(f"  load average before {f['load_average'][:3]}, after {f['load_average'][3:]}")


if __name__ == "__main__":
    main()
