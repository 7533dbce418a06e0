"""Speed of the whole extract stage (NER, attributions, canonical names, quote groups).

Runs the stage, in batches as ``Engine.analyze`` does, on distinct news articles
(the PolNeAR train texts, about 3.7 KB each, like the seeds) in a fresh store,
and prints articles per second overall and per batch (the last batch shows
whether the cost grows with the store), the machine's load, and the CPU
seconds per article spent in this process (a load-independent cost; with
--workers 1 that is the whole stage's). Run from the repo root:

    python bench/extract_speed.py [--articles N] [--workers W] [--batch B]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "polnear" / "train.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500, help="articles (default 500)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--batch", type=int, default=100, help="articles per batch (100)")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} not found: the benchmarks live in ../shared beside the repo")
    sys.path.insert(0, str(REPO / "src"))
    import newsweave
    from newsweave.extract import ExtractStage, nlp

    texts = []
    with DATA.open(encoding="utf-8") as lines:
        for line in lines:
            texts.append(json.loads(line)["text"])
            if len(texts) == args.articles:
                break
    with tempfile.TemporaryDirectory() as folder, newsweave.open(
            str(Path(folder) / "speed.db"), extract_workers=args.workers) as engine:
        engine.stages = []  # ingest only; the stage is timed alone below
        for number, text in enumerate(texts):
            engine.ingest_text(text, source=f"polnear-{number}")
        ids = engine.store.pending("extract", ExtractStage.version)
        nlp.load_model()  # loading the model once per process is not part of the rate
        if args.workers > 1:  # nor is starting the worker pool (once per process)
            nlp.analyse(["Warm-up. She said so."] * 100, workers=args.workers)
        rates = []
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(ids), args.batch):
            batch = ids[start : start + args.batch]
            t0, c0 = time.perf_counter(), time.process_time()
            ExtractStage().run(engine.store, batch, engine.settings)
            rates.append((len(batch) / (time.perf_counter() - t0),
                          1000 * (time.process_time() - c0) / len(batch)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    load = os.getloadavg()[0]
    print(f"extract stage: {len(ids)} articles in {elapsed:.1f} s = {len(ids) / elapsed:.1f} "
          f"articles/s ({args.workers} worker process(es), batches of {args.batch}, "
          f"load average {load:.1f} on {os.cpu_count()} cores)")
    print("per batch, articles/s (CPU ms per article here): "
          + ", ".join(f"{r:.1f} ({c:.0f})" for r, c in rates))
    print(f"CPU in this process: {1000 * cpu / len(ids):.0f} ms per article")


if __name__ == "__main__":
    main()
