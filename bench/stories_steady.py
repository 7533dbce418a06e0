"""The stories stage's steady-state CPU cost at a given store size, for side-by-side runs.

    python bench/stories_steady.py --size 10000 --more 1000     # fill (kept), then time
    python bench/stories_steady.py --size 30000 --more 600 --timers
    python bench/stories_steady.py --size 100000 --more 600 --profile 30
    python bench/stories_steady.py --size 100000 --more 200 --batch 1      # latency
    python bench/stories_steady.py --size 30000 --more 2000 --partition before.json  # tree A
    python bench/stories_steady.py --size 30000 --more 2000 --against before.json    # tree B

A store is filled once with ``bench/stories_speed.py``'s stream (ECB+ texts re-issued as
new events of the same kind) and kept under ``~/.cache/newsweave-bench/`` by size; each
run copies it and times ``StoriesStage.run`` on the next ``--more`` articles, ``--batch`` a
run (100; 1 for the latency of single-article runs, p50 and p95 of the runs printed),
in CPU seconds (``time.process_time``: on a loaded machine, comparable between two trees
run one after the other, unlike wall time). ``--timers`` adds the CPU time spent in the
stage's main functions (nested: the rows overlap); ``--profile N`` the N costliest
functions by cProfile, timed in CPU seconds (so other jobs on the machine do not
inflate them; the profiler's own overhead does, evenly). Run it with two trees on
``PYTHONPATH`` (e.g. one from ``git archive``) to compare them on the same store;
``--partition`` writes the store's partition after the run, and ``--against`` gives the
BCubed agreement of this run's partition with one written so (a change that should
keep results must keep them on the same store and stream).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.stories import StoriesStage
from stories_ecb import bcubed, load
from stories_speed import articles

CACHE = Path.home() / ".cache" / "newsweave-bench"
TIMED = {
    "newsweave.stories": ["feature_row", "assign", "repair_neighbourhoods", "repair_all",
                          "refresh"],
    "newsweave.stories.repair": ["_neighbourhood", "_repair_group", "pair_matrices",
                                 "cluster_rows", "rebuild", "article_vectors"],
    # Set where they are called from (assign re-exports the moved ones: a name set there
    # would not reach their callers in articles and story_state).
    "newsweave.stories.assign": ["_saved", "feature_rows"],
    "newsweave.stories.articles": ["vectors_of", "feature_rows"],
    "newsweave.stories.story_state": ["dot_arrays"],
    "newsweave.stories.frequencies": ["save_features"],
    # Methods of the store's tables (class attributes, so every caller is timed).
    "newsweave.store.stories.StoriesTables": [
        "frequency_list", "frequency_array", "candidates", "stories_by_id", "features",
        "update_stories", "set_members", "set_memberships", "add_counts", "members",
        "story_of"],
}


def _time_functions(spent: dict[str, float]) -> None:
    def wrap(function: Callable[..., Any], name: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - started
        return timed

    for module_name, names in TIMED.items():
        owner, _, cls = module_name.rpartition(".")
        if cls[:1].isupper():  # a class: its methods
            __import__(owner)
            module = getattr(sys.modules[owner], cls)
        else:
            __import__(module_name)
            module = sys.modules[module_name]
        for name in names:
            setattr(module, name, wrap(getattr(module, name), f"{module_name}.{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--more", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=100,
                        help="articles a stage run (1: the latency of single-article runs)")
    parser.add_argument("--timers", action="store_true")
    parser.add_argument("--partition", type=Path,
                        help="write the partition after the run here (JSON: article -> story)")
    parser.add_argument("--against", type=Path,
                        help="BCubed agreement with a partition written by --partition")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N functions with the most CPU time (cumulative)")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"),
                        help="--profile's order: with callees, or own time only")
    args = parser.parse_args()
    texts = [d["text"] for d in load()]
    random.Random(7).shuffle(texts)
    settings = load_settings()
    kept = CACHE / f"stories-steady-{args.size}.db"
    if not kept.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        filling = kept.with_suffix(".filling")
        store, stage, stored = open_store(str(filling)), StoriesStage(), 0
        while stored < args.size:
            count = min(100, args.size - stored)
            stage.run(store, store.add_articles(articles(texts, stored, count), [{}] * count),
                      settings)
            stored += count
        store.close()
        filling.rename(kept)
    spent: dict[str, float] = {}
    if args.timers:
        _time_functions(spent)
    stage = StoriesStage()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "steady.db"
        shutil.copy(kept, path)
        store = open_store(str(path))
        stored = args.size
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        runs: list[float] = []
        while stored < args.size + args.more:
            count = min(args.batch, args.size + args.more - stored)
            ids = store.add_articles(articles(texts, stored, count), [{}] * count)
            started = time.process_time()
            if profiler is not None:
                profiler.runcall(stage.run, store, ids, settings)
            else:
                stage.run(store, ids, settings)
            runs.append(time.process_time() - started)
            stored += count
        total = sum(runs)
        runs.sort()
        live = store.stories.active_story_ids()
        stories = len(live)
        partition = {a: s for s, members in store.stories.members(live).items()
                     for a in members}
        store.close()
    if args.partition:
        args.partition.write_text(json.dumps(sorted(partition.items())))
    if args.against:
        other = dict(json.loads(args.against.read_text()))
        ids = sorted(set(partition) | set(other))
        # An article missing from one side counts as a story of its own there.
        p, r, f1 = bcubed([partition.get(a, -a) for a in ids], [other.get(a, -a) for a in ids])
        print(f"agreement with {args.against}: BCubed F1 {f1:.4f} (P {p:.4f}, R {r:.4f}) "
              f"over {len(ids):,} articles; {len(set(other.values())):,} stories there")
    print(f"{args.size:,} -> {stored:,}: {args.more / total:,.0f} articles per CPU-second "
          f"({1000 * total / args.more:.2f} ms an article); runs of {args.batch}: CPU p50 "
          f"{1000 * runs[len(runs) // 2]:.1f} ms, p95 {1000 * runs[int(0.95 * len(runs))]:.1f} ms; "
          f"{stories:,} stories; load average {os.getloadavg()[0]:.1f}")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:48s} {1000 * seconds / args.more:6.2f} ms an article")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
