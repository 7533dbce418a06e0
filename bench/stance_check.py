"""Claim-check latency at scale: ``Engine.check(claim)`` on a store of N articles.

The store is the demo corpus ingested through every stage (real vectors, real origins)
plus N filler articles written straight into the store: each filler's body is eight
sentences drawn at random from BASIL articles (at run time; nothing is copied into the
repo), and its vectors are a demo article's vectors plus noise, so that fillers crowd
the nearest-neighbour list and the stance of real-length bodies is read for every
candidate (the cost a real store has). The fillers' vectors are not real embeddings of
their text: this measures latency, not retrieval quality at scale.

Usage, from the repository root::

    python bench/stance_check.py               # 100,000 fillers
    python bench/stance_check.py --fillers 20000

Prints the build time, the first check (loads the vector matrix and the models), the median
and worst of the other new claims, and of the same claims asked again (the candidates' bodies
are then already analysed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
BASIL = REPO.parent / "shared" / "benchmarks" / "basil" / "docs.jsonl"
CLAIMS = (
    "About 3,200 people were evacuated from Morvik, Kelsa and Dunovo.",
    "At least 14 people were killed when the Tavra Dam gave way.",
    "Minister Aleksandr Petrin met Governor Dorota Krael in Morvik.",
    "Kelsa residents reported seepage to the town council in January.",
    "The central bank raised interest rates by half a point.",
    "Rovers won the Coastal Cup in extra time.",
)
BATCH = 5000


def sentence_pool() -> list[str]:
    from newsweave.nlp.sentences import split_sentences

    if not BASIL.exists():
        sys.exit(f"{BASIL} is missing: the benchmarks live in ../shared/benchmarks beside the repo")
    pool = []
    with BASIL.open(encoding="utf-8") as fh:
        for line in fh:
            pool.extend(s.text for s in split_sentences(json.loads(line)["text"]))
    return [s for s in pool if len(s) > 40]


def add_fillers(engine: object, count: int, seed: int = 5) -> None:
    from newsweave.model import Article
    from newsweave.nlp import english
    from newsweave.nlp.embed import MODEL_NAME

    store = engine.store  # type: ignore[attr-defined]
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    pool = sentence_pool()
    base_ids = [a.id for a in store.iter_articles()]
    lead = store.reuse.vectors(base_ids, MODEL_NAME)
    english_base = store.reuse.vectors(base_ids, english.MODEL_NAME)
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        articles = []
        for i in range(start, start + size):
            text = "\n\n".join(rng.sample(pool, 8))
            articles.append(Article(
                id=None, content_hash=hashlib.sha256(f"{i}{text}".encode()).hexdigest(),
                raw=text, raw_format="text", text=text, source=f"filler-{i}",
                title=text.split(".")[0][:80], outlet=f"Filler {i % 500}", language="en"))
        ids = store.add_articles(articles, [{} for _ in articles])
        for model, base in ((MODEL_NAME, lead), (english.MODEL_NAME, english_base)):
            if not base:
                continue
            keys = list(base)
            rows = np.stack([base[keys[rng.randrange(len(keys))]] for _ in ids])
            rows = rows + noise.normal(0, 0.04, rows.shape).astype(np.float32)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
            store.reuse.save_vectors(model, dict(zip(ids, rows, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fillers", type=int, default=100_000)
    args = parser.parse_args()
    import newsweave
    from newsweave.demo import corpus_files

    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "scale.db")
        started = time.perf_counter()
        with newsweave.open(db) as engine:
            engine.ingest([str(p) for p in corpus_files()])
            add_fillers(engine, args.fillers)
            total = engine.store.count_articles()
        print(f"store: {total:,} articles ({args.fillers:,} fillers) built in "
              f"{time.perf_counter() - started:.0f} s")
        with newsweave.open(db) as engine:
            timings = []
            for claim in CLAIMS * 2:
                began = time.perf_counter()
                result = engine.check(claim)
                timings.append(time.perf_counter() - began)
                if len(timings) <= len(CLAIMS):
                    print(f"  {timings[-1]:.2f} s  {result.verdict:<13} "
                          f"{len(result.origins):>3} origin(s), {result.searched} read  {claim}")
        fresh, again = timings[1 : len(CLAIMS)], timings[len(CLAIMS) :]
        print(f"check latency at {total:,} articles: first {timings[0]:.2f} s (loads the vectors "
              f"and models); new claims median {statistics.median(fresh):.2f} s, worst "
              f"{max(fresh):.2f} s ({len(fresh)}); the same claims again (bodies already "
              f"analysed) median {statistics.median(again):.2f} s, worst {max(again):.2f} s")


if __name__ == "__main__":
    main()
