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

Usage, from the repository root::

    PYTHONPATH=src python bench/brief_first.py --db /tmp/bs/scale.db [--stories 9]
    PYTHONPATH=src python bench/brief_first.py --db /tmp/small.db --fillers 2000
    PYTHONPATH=src python bench/brief_first.py --db /tmp/bs/scale.db --profile
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

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


def measure(db: str, count: int, profile: bool) -> None:
    import newsweave

    with newsweave.open(db) as engine:
        store = engine.store
        with store.transaction() as tx:
            dropped = tx.execute("DELETE FROM claim_vectors").rowcount
        demo, fillers, warmup = story_ids(engine, count)
        print(f"store: {store.count_articles():,} articles; dropped {dropped} cached claim "
              f"vectors; load average {os.getloadavg()[0]:.1f}", flush=True)
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
                if profile and story == demo and call == 0:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            claims = len(brief.claims)
            rows.append((story, size, claims, *timings[0], *timings[1]))
            print(f"story {story:>6} ({size} articles, {claims} key facts): first "
                  f"{timings[0][0] * 1000:7.0f} ms wall {timings[0][1] * 1000:6.0f} ms CPU; "
                  f"warm {timings[1][0] * 1000:5.0f} ms wall {timings[1][1] * 1000:5.0f} ms CPU; "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="the store (built here if missing)")
    parser.add_argument("--fillers", type=int, default=100_000,
                        help="filler articles when the store is built here")
    parser.add_argument("--stories", type=int, default=9, help="filler stories measured")
    parser.add_argument("--profile", action="store_true",
                        help="print where the demo story's first brief spends its time")
    args = parser.parse_args()
    if not Path(args.db).exists():
        from brief_scale import build

        started = time.perf_counter()
        build(args.db, args.fillers)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    measure(args.db, args.stories, args.profile)


if __name__ == "__main__":
    main()
