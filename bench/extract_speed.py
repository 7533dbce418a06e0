"""Speed of the whole extract stage (NER, attributions, canonical names, quote groups).

Runs the stage on copies of the seed articles (about 3.5 KB each) in a fresh
in-memory store and prints articles per second. Run from the repo root:

    python bench/extract_speed.py [--copies N] [--workers W]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "corpus" / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of each seed (default 40)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    args = parser.parse_args()
    if not SEEDS.is_dir():
        sys.exit(f"{SEEDS} not found: the seed articles live in ../shared beside the repo")
    sys.path.insert(0, str(REPO / "src"))
    import newsweave
    from newsweave.extract import ExtractStage, nlp

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with newsweave.open(":memory:", extract_workers=args.workers) as engine:
        engine.stages = []  # ingest only; the stage is timed alone below
        for copy in range(args.copies):
            for number, text in enumerate(texts):
                engine.ingest_text(f"{text}\n\n(copy {copy})", source=f"seed{number}-{copy}")
        ids = engine.store.pending("extract", ExtractStage.version)
        nlp.load_model()  # loading the model once per process is not part of the rate
        started = time.perf_counter()
        size = engine.settings.batch_size
        for start in range(0, len(ids), size):
            ExtractStage().run(engine.store, ids[start : start + size], engine.settings)
        elapsed = time.perf_counter() - started
    print(f"extract stage: {len(ids)} articles in {elapsed:.1f} s = {len(ids) / elapsed:.1f} "
          f"articles/s ({args.workers} worker process(es), batches of {size})")


if __name__ == "__main__":
    main()
