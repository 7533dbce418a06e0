"""A story's first brief beside a big store: what a reader opening a story waits for.

The store is ``bench/brief_scale.py``'s (the demo corpus through every stage, one more real
report of its main story so that story has 10 articles, then N filler articles of BASIL
sentences in stories of 10; built here when ``--db`` does not exist). Every claim vector the
store has cached is dropped first (``claim_vectors``: this bench rewrites that table of the
store it is given), so each story's first brief embeds its claims as a reader's first visit
would. In one process:

1. a warm-up brief of one filler story not measured (it loads the models: the cost of the
   process's first brief, reported apart);
2. for the demo's 10-article story and ``--stories`` filler stories (spread over the
   store's ids): the first ``Engine.brief`` of the story, then a second one (warm), each
   with its wall-clock and CPU seconds (``time.process_time``: the figure that holds on a
   shared machine).

The load average is printed beside the figures. Run it with another checkout's ``src`` on
PYTHONPATH to compare code on the same store, one run after the other.

``--prepare`` (briefs prepared ahead, ``Engine.prepare_briefs``): after dropping the cached
vectors (and the kept frames, scored pairs and preparations), this process prepares the
warm-up story (it loads the models: reported apart), then the measured stories one at a
time, each timed (wall, CPU) with its articles; then what the preparation added to the
store (the three caches' bytes, and the growth of the pages in use). Then a **new process**
measures the same stories' first briefs as above, now prepared, without dropping anything
(``--keep``): the cost of a prepared story's first brief for a reader.

Usage, from the repository root::

    PYTHONPATH=src python bench/brief_first.py --db /tmp/bs/scale.db [--stories 9]
    PYTHONPATH=src python bench/brief_first.py --db /tmp/small.db --fillers 2000
    PYTHONPATH=src python bench/brief_first.py --db /tmp/bs/scale.db --profile
    PYTHONPATH=src python bench/brief_first.py --db /tmp/h-warm/scale.db --stories 9 --prepare
    PYTHONPATH=src python bench/brief_first.py --db /tmp/h-warm/scale.db --stories 9 --cli 3
    PYTHONPATH=src python bench/brief_first.py --db /tmp/small.db --stories 9 --dump /tmp/after

``--cli N`` (after ``--prepare``): ``newsweave brief ID`` as a command, a new process each
(Python's start and imports included, as a user runs it), for N of the prepared filler
stories and N filler stories next to them that were not prepared; wall and CPU of each
command (``resource.getrusage`` of the children).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))


def story_ids(engine: object, count: int) -> tuple[int, list[int], int]:
    """The demo story, ``count`` filler stories spread over the ids, and one more filler
    story for the warm-up."""
    store = engine.store  # type: ignore[attr-defined]
    wire = next(a for a in engine.iter_articles(limit=20)  # type: ignore[attr-defined]
                if a.source.endswith("01_meridian-press-agency.txt"))
    demo = int(engine.story_of(wire.id))  # type: ignore[attr-defined]
    fillers = [int(r[0]) for r in store._db.execute(
        "SELECT id FROM stories WHERE title LIKE 'Filler story %' ORDER BY id")]
    if len(fillers) < count + 1:
        sys.exit(f"the store has {len(fillers)} filler stories; --stories {count} needs more")
    step = len(fillers) // (count + 1)
    picked = [fillers[step * (k + 1) - 1] for k in range(count)]
    return demo, picked, fillers[-1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


KEPT = ("claim_frames", "claim_pairs", "brief_prepared")  # what a preparation keeps besides


def kept_bytes(engine: Any) -> dict[str, int]:
    """Bytes of the rows the brief's caches hold (keys included), and the file's pages."""
    db = engine.store._db
    sizes = {
        "claim_vectors": "SELECT count(*), sum(length(vector) + length(key) + length(model)) "
                         "FROM claim_vectors",
        "claim_frames": "SELECT count(*), sum(length(frames) + length(key) + length(model)) "
                        "FROM claim_frames",
        "claim_pairs": "SELECT count(*), sum(length(pairs) + length(key)) FROM claim_pairs",
    }
    out = {}
    for table, sql in sizes.items():
        rows, size = db.execute(sql).fetchone()
        out[table] = int(size or 0)
        out[table + "_rows"] = int(rows or 0)
    # Pages in use: the file's pages less the free ones (deleting rows frees pages that
    # later rows reuse, so the file's size alone would hide what was added).
    used = int(db.execute("PRAGMA page_count").fetchone()[0]) - int(
        db.execute("PRAGMA freelist_count").fetchone()[0])
    out["file"] = used * int(db.execute("PRAGMA page_size").fetchone()[0])
    return out


def prepare(db: str, count: int) -> None:
    """Drop every cache, prepare the warm-up story then the measured ones, each timed."""
    import newsweave

    with newsweave.open(db) as engine:
        with engine.store.transaction() as tx:
            dropped = tx.execute("DELETE FROM claim_vectors").rowcount
            for table in KEPT:
                tx.execute(f"DELETE FROM {table}")
        engine.store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        demo, fillers, warmup = story_ids(engine, count)
        print(f"store: {engine.store.count_articles():,} articles; dropped {dropped} cached "
              f"claim vectors and the kept frames, pairs and preparations; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        started, cpu = time.perf_counter(), time.process_time()
        engine.prepare_briefs([warmup])
        print(f"prepared the warm-up story {warmup} (loads the models): "
              f"{time.perf_counter() - started:.2f} s wall, {time.process_time() - cpu:.2f} s "
              f"CPU", flush=True)
        before = kept_bytes(engine)
        rows = []
        for story in [demo, *fillers]:
            started, cpu = time.perf_counter(), time.process_time()
            report = engine.prepare_briefs([story])
            rows.append((story, report.articles, time.perf_counter() - started,
                         time.process_time() - cpu))
            print(f"prepared story {story:>6} ({report.articles} articles): "
                  f"{rows[-1][2]:6.2f} s wall, {rows[-1][3]:6.2f} s CPU; load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
        engine.store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        after = kept_bytes(engine)
    articles = sum(r[1] for r in rows)
    cpu_s = sum(r[3] for r in rows)
    wall_s = sum(r[2] for r in rows)
    print(f"\nprepared {len(rows)} stories, {articles} articles: {cpu_s / articles:.3f} CPU s "
          f"and {wall_s / articles:.3f} s wall per article (demo story: {rows[0][3]:.2f} CPU s "
          f"for {rows[0][1]} articles; the fillers: "
          f"{sum(r[3] for r in rows[1:]) / max(sum(r[1] for r in rows[1:]), 1):.3f} CPU s an "
          f"article)")
    added = {k: after[k] - before[k] for k in after}
    tables = ("claim_vectors", "claim_frames", "claim_pairs")
    print("kept by the preparation: " + ", ".join(
        f"{t} {added[t + '_rows']:,} rows {added[t] / 1024:,.0f} KB" for t in tables)
        + f"; per article {sum(added[t] for t in tables) / articles / 1024:.1f} KB of rows, "
        f"the store's pages in use grew {added['file'] / articles / 1024:.1f} KB an article",
        flush=True)


def measure(db: str, count: int, profile: bool, keep: bool = False,
            dump: str | None = None) -> None:
    import newsweave
    from newsweave.brief import render

    with newsweave.open(db) as engine:
        store = engine.store
        with store.transaction() as tx:
            dropped = 0 if keep else tx.execute("DELETE FROM claim_vectors").rowcount
            # The parse's frames, the scored pairs and the preparations too: a first brief
            # of a story never prepared computes them all.
            for table in () if keep else KEPT:
                tx.execute(f"DELETE FROM {table}")
        demo, fillers, warmup = story_ids(engine, count)
        kept = "" if keep else " and the kept frames, pairs and preparations"
        print(f"store: {store.count_articles():,} articles; dropped {dropped} cached claim "
              f"vectors{kept}; load average {os.getloadavg()[0]:.1f}", flush=True)
        started, cpu = time.perf_counter(), time.process_time()
        engine.brief(warmup)
        print(f"warm-up (loads the models): first brief of story {warmup} "
              f"{time.perf_counter() - started:.2f} s wall, "
              f"{time.process_time() - cpu:.2f} s CPU", flush=True)
        rows = []
        for story in [demo, *fillers]:
            size = len(engine.story_articles(story))
            timings = []
            for call in range(2):
                if profile and story == demo and call == 0:
                    import cProfile
                    import pstats

                    profiler = cProfile.Profile()
                    profiler.enable()
                started, cpu = time.perf_counter(), time.process_time()
                brief = engine.brief(story)
                timings.append((time.perf_counter() - started, time.process_time() - cpu))
                if dump and call == 0:  # the first brief's JSON, to compare two `src`
                    Path(dump, f"{story}.json").write_text(render(brief, "json"))
                if profile and story == demo and call == 0:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
            claims = len(brief.claims)
            rows.append((story, size, claims, *timings[0], *timings[1]))
            print(f"story {story:>6} ({size} articles, {claims} key facts): first "
                  f"{timings[0][0] * 1000:7.0f} ms wall {timings[0][1] * 1000:6.0f} ms CPU; "
                  f"warm {timings[1][0] * 1000:5.0f} ms wall {timings[1][1] * 1000:5.0f} ms CPU; "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        if dump:  # and every other real story's (the demo corpus's), not timed
            for (other,) in store._db.execute(
                    "SELECT id FROM stories WHERE title NOT LIKE 'Filler story %' ORDER BY id"):
                if other not in {demo, *fillers} and engine.story_articles(other):
                    Path(dump, f"{other}.json").write_text(render(engine.brief(other), "json"))
    first = [r[3] * 1000 for r in rows]
    first_cpu = [r[4] * 1000 for r in rows]
    warm = [r[5] * 1000 for r in rows]
    warm_cpu = [r[6] * 1000 for r in rows]
    print(f"\n{len(rows)} stories (the demo's first): first brief median "
          f"{statistics.median(first):.0f} ms, p95 {percentile(first, 0.95):.0f} ms wall; "
          f"CPU median {statistics.median(first_cpu):.0f} ms, p95 "
          f"{percentile(first_cpu, 0.95):.0f} ms")
    print(f"warm brief median {statistics.median(warm):.0f} ms, p95 "
          f"{percentile(warm, 0.95):.0f} ms wall; CPU median "
          f"{statistics.median(warm_cpu):.0f} ms, p95 {percentile(warm_cpu, 0.95):.0f} ms")
    print(f"demo story (10 articles): first {first[0]:.0f} ms wall / {first_cpu[0]:.0f} ms CPU, "
          f"warm {warm[0]:.0f} ms wall / {warm_cpu[0]:.0f} ms CPU; "
          f"load average now {os.getloadavg()[0]:.1f}")


def commands(db: str, count: int, calls: int) -> None:
    """``newsweave brief`` as a command on prepared stories and on their unprepared
    neighbours (the next story id, a filler story too)."""
    import resource

    import newsweave

    with newsweave.open(db, readonly=True) as engine:
        _, fillers, _ = story_ids(engine, count)
        prepared = set(engine.store.crosscheck.prepared(fillers))
        live = {s.id for s in engine.stories(confidence=False)}
    picked = [s for s in fillers if s in prepared][:calls]
    others = [s + 1 for s in picked if s + 1 in live and s + 1 not in prepared]
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(REPO / "src"))
    for label, stories in (("prepared", picked), ("not prepared", others)):
        for story in stories:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "newsweave", "--db", db, "brief", str(story)],
                           check=True, env=env, stdout=subprocess.DEVNULL)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            print(f"newsweave brief {story:>6} ({label}): {time.perf_counter() - started:5.2f} s "
                  f"wall, {cpu:5.2f} s CPU; load {os.getloadavg()[0]:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="the store (built here if missing)")
    parser.add_argument("--fillers", type=int, default=100_000,
                        help="filler articles when the store is built here")
    parser.add_argument("--stories", type=int, default=9, help="filler stories measured")
    parser.add_argument("--profile", action="store_true",
                        help="print where the demo story's first brief spends its time")
    parser.add_argument("--prepare", action="store_true",
                        help="prepare the stories' briefs first (timed, with the bytes kept), "
                        "then measure their first briefs in a new process")
    parser.add_argument("--keep", action="store_true",
                        help="keep the store's cached claim vectors (what --prepare's second "
                        "process runs with)")
    parser.add_argument("--cli", type=int, metavar="N",
                        help="time `newsweave brief` as a command on N prepared stories and "
                        "N unprepared ones (after --prepare)")
    parser.add_argument("--dump", metavar="DIR",
                        help="write each measured story's first brief as JSON to DIR/ID.json "
                        "(compare two checkouts' briefs with cmp)")
    args = parser.parse_args()
    if not Path(args.db).exists():
        from brief_scale import build

        started = time.perf_counter()
        build(args.db, args.fillers)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    if args.cli:
        commands(args.db, args.stories, args.cli)
        return
    if args.prepare:
        prepare(args.db, args.stories)
        print("\nthe same stories' first briefs, prepared, in a new process:", flush=True)
        subprocess.run([sys.executable, __file__, "--db", args.db, "--stories",
                        str(args.stories), "--keep"] + (["--profile"] if args.profile else []),
                       check=True)
        return
    if args.dump:
        Path(args.dump).mkdir(parents=True, exist_ok=True)
    measure(args.db, args.stories, args.profile, keep=args.keep, dump=args.dump)


if __name__ == "__main__":
    main()
