"""Brief and provenance latency of one story in a big store (issue 11, item 4).

The store is the demo corpus ingested through every stage (real text, vectors, provenance,
stories, entities, quotes), plus one more real report of the demo's main story (a relay of
the wire's text, through every stage too), so that story has 10 articles; then N filler
articles written straight into the store, with everything the stages would have written that
a story-scoped read could trip over: both models' vectors, copy pairs, provenance edges and
origins (every second filler copies the one before), stories of 10 fillers each, and entity
links. Each filler's body is eight sentences drawn at random from BASIL articles at run time
(nothing is copied into the repo); its vectors are a demo article's plus noise. The fillers
are not analysed: this measures what one story's reads cost beside a big store, not the
quality of anything at that size.

Then, in a fresh process on that store: ``Engine.brief`` of the 10-article story (the first
call loads the models; "warm" is the median of the next calls), ``Engine.provenance(story)``,
and ``newsweave provenance --story`` as a command (its wall time includes starting Python).
For comparison, the same run times the reads the old code made for every brief: every
provenance edge and the whole origins table.

Usage, from the repository root::

    PYTHONPATH=src python bench/brief_scale.py                 # 100,000 fillers
    PYTHONPATH=src python bench/brief_scale.py --fillers 10000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
BATCH = 5000
STORY_SIZE = 10


def add_relay(engine: object) -> int:
    """One more real report of the wire's story (the wire's text under a relaying outlet's
    lead), through every stage; the story's id."""
    articles = engine.articles()  # type: ignore[attr-defined]
    wire = next(a for a in articles if a.source.endswith("01_meridian-press-agency.txt"))
    text = ("Relayed from the wire service this morning, with local reaction to follow.\n\n"
            + wire.text)
    engine.ingest_text(f"{wire.title}\n\n{text}", outlet="Relay Bench Desk")  # type: ignore[attr-defined]
    return int(engine.story_of(wire.id))  # type: ignore[attr-defined]


def add_graph_rows(store: object, ids: list[int], entity_pool: list[int],
                   stories: bool = True) -> None:
    """What the reuse, stories and extract stages would have stored for these fillers (with
    ``stories`` False, no stories: the caller groups them itself)."""
    now = datetime.now(UTC).isoformat()
    pairs = [(ids[i], ids[i + 1]) for i in range(0, len(ids) - 1, 2)]  # (source, copy)
    with store.transaction() as db:  # type: ignore[attr-defined]
        db.executemany(
            "INSERT INTO reuse_pairs (a, b, derived, source, kind, score, confidence, "
            "shared_fraction) VALUES (?, ?, ?, ?, 'copy', 0.9, 0.9, 0.9)",
            [(s, d, d, s) for s, d in pairs])
        db.executemany("INSERT INTO reuse_edges (derived, source) VALUES (?, ?)",
                       [(d, s) for s, d in pairs])
        db.executemany("INSERT INTO article_origin (article_id, origin_id) VALUES (?, ?)",
                       [(i, s) for s, d in pairs for i in (s, d)])
        for start in range(0, len(ids) if stories else 0, STORY_SIZE):
            members = ids[start : start + STORY_SIZE]
            story = db.execute(
                "INSERT INTO stories (size, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (len(members), f"Filler story {members[0]}", now, now)).lastrowid
            db.executemany("INSERT INTO story_members (article_id, story_id) VALUES (?, ?)",
                           [(m, story) for m in members])
        db.executemany(
            "INSERT OR IGNORE INTO entity_articles (entity_id, article_id, mentions) "
            "VALUES (?, ?, 1)",
            [(entity_pool[(i * k) % len(entity_pool)], i) for i in ids for k in (1, 7, 13)])


def filler_entities(store: object, count: int = 5000) -> list[int]:
    """Ids of ``count`` canonical entities for fillers to mention (made on the first call)."""
    query = "SELECT id FROM entities WHERE name LIKE 'Filler Organisation %' ORDER BY id"
    pool = [int(r[0]) for r in store._db.execute(query)]  # type: ignore[attr-defined]
    if not pool:
        with store.transaction() as tx:  # type: ignore[attr-defined]
            tx.executemany("INSERT INTO entities (name, type) VALUES (?, 'ORG')",
                           [(f"Filler Organisation {i}",) for i in range(count)])
        pool = [int(r[0]) for r in store._db.execute(query)]  # type: ignore[attr-defined]
    return pool


def build(db: str, fillers: int) -> int:
    import newsweave
    from newsweave.demo import corpus_files
    from stance_check import add_fillers

    with newsweave.open(db) as engine:
        engine.ingest([str(p) for p in corpus_files()])
        story = add_relay(engine)
        store = engine.store
        before = {a.id for a in store.iter_articles()}
        add_fillers(engine, fillers)  # articles and both models' vectors
        pool = filler_entities(store)
        added = [a.id for a in store.iter_articles() if a.id not in before]
        for start in range(0, len(added), BATCH):
            add_graph_rows(store, added[start : start + BATCH], pool)
    return story


def measure(db: str, story: int, calls: int) -> dict[str, object]:
    import newsweave

    out: dict[str, object] = {}
    with newsweave.open(db) as engine:
        out["articles"] = engine.store.count_articles()
        out["story_size"] = len(engine.story_articles(story))
        started = time.perf_counter()
        engine.brief(story)
        out["first_brief_s"] = time.perf_counter() - started
        warm, warm_cpu = _timed(lambda: engine.brief(story), calls)
        out["brief_ms"] = 1000 * statistics.median(warm)
        out["brief_worst_ms"] = 1000 * max(warm)
        out["brief_cpu_ms"] = 1000 * statistics.median(warm_cpu)
        prov, prov_cpu = _timed(lambda: engine.provenance(story), calls)
        out["provenance_ms"] = 1000 * statistics.median(prov)
        out["provenance_cpu_ms"] = 1000 * statistics.median(prov_cpu)
        started, cpu = time.perf_counter(), time.process_time()
        engine.store.reuse.edges()
        engine.store.reuse.origins()
        out["old_reads_ms"] = 1000 * (time.perf_counter() - started)
        out["old_reads_cpu_ms"] = 1000 * (time.process_time() - cpu)
    # The command runs the same code as this process (PYTHONPATH as given, else this src).
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(REPO / "src"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "newsweave", "--db", db, "provenance", "--story",
                    str(story), "--json"], check=True, capture_output=True, env=env)
    out["provenance_cli_s"] = time.perf_counter() - started
    return out


def profile(db: str, story: int) -> None:
    import cProfile
    import pstats

    import newsweave

    with newsweave.open(db) as engine:
        engine.brief(story)
        profiler = cProfile.Profile()
        profiler.enable()
        engine.brief(story)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def _timed(call, calls: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``calls`` runs of ``call``."""
    wall, cpu = [], []
    for _ in range(calls):
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fillers", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--db", help="keep the store here (built only if missing)")
    parser.add_argument("--profile", action="store_true",
                        help="also print where a warm brief spends its time (cProfile)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(Path(folder) / "scale.db")
        started = time.perf_counter()
        if Path(db).exists():
            import newsweave

            with newsweave.open(db, readonly=True) as engine:
                wire = next(a for a in engine.iter_articles(limit=20)
                            if a.source.endswith("01_meridian-press-agency.txt"))
                story = int(engine.story_of(wire.id))  # type: ignore[arg-type]
        else:
            story = build(db, args.fillers)
        print(f"built in {time.perf_counter() - started:.0f} s; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        f = measure(db, story, args.calls)
        if args.profile:
            profile(db, story)
    print(f"store: {f['articles']:,} articles ({args.fillers:,} fillers); story {story}: "
          f"{f['story_size']} articles")
    print(f"brief: first {f['first_brief_s']:.2f} s (loads the models); warm median "
          f"{f['brief_ms']:.0f} ms (worst {f['brief_worst_ms']:.0f} ms, CPU "
          f"{f['brief_cpu_ms']:.0f} ms) over {args.calls} calls")
    print(f"provenance of the story: {f['provenance_ms']:.1f} ms (CPU "
          f"{f['provenance_cpu_ms']:.1f} ms; Engine.provenance); `newsweave provenance "
          f"--story` {f['provenance_cli_s']:.2f} s as a command")
    print(f"the old code's reads for every brief (all edges, all origins): "
          f"{f['old_reads_ms']:.0f} ms (CPU {f['old_reads_cpu_ms']:.0f} ms)")


if __name__ == "__main__":
    main()
