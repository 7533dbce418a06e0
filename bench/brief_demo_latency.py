"""How long the demo story's brief takes: the first call and the next ones.

Ingests the demo corpus into a temporary store, then times ``Engine.brief`` of
story A (9 articles) ``--calls`` times in a row. The first call loads the models
the cross-check uses (spaCy, the sentence models) and fills the caches (claim
embeddings in the store, parsed sentences in memory); later calls show the warm
cost. Run it with another checkout's ``src`` on PYTHONPATH to compare code.

Usage, from the repository root::

    PYTHONPATH=src python bench/brief_demo_latency.py [--calls N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import newsweave
from newsweave.demo import corpus_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, \
            newsweave.open(str(Path(folder) / "demo.db")) as engine:
        engine.ingest([str(p) for p in corpus_files()])
        wire = next(a.id for a in engine.articles()
                    if a.source.endswith("01_meridian-press-agency.txt"))
        story = engine.story_of(wire)
        times = []
        for _ in range(args.calls):
            started = time.perf_counter()
            engine.brief(story)
            times.append(time.perf_counter() - started)
    print("brief of the demo story, seconds per call: " + ", ".join(f"{t:.2f}" for t in times))


if __name__ == "__main__":
    main()
