"""Speed and memory of the reuse stage on a large generated store.

The store is generated from the benchmark texts (``../shared/benchmarks``:
ECB+ and Timeline17 articles): each generated article is a real article with
a fifth of its words replaced by other words of the corpus, so no two share
long shingles by accident; 1 % are planted near-copies of an earlier one
(a sentence dropped, a few words changed). The stage runs with embeddings
off (the shingle and sentence index, alignment, relations and origins);
embedding throughput and the vector search are measured apart, because
embedding every article is the slow part (tens of leads a second).

Each size runs in a fresh process, so its peak memory is its own. Prints,
per size: articles per second for candidate generation alone (MinHash,
band and sentence lookups), for the whole stage (with alignment and
relations), the recall of the planted copies, and peak RSS. Rates are given
per wall-clock second and per CPU second of the process: on a shared machine
the second is the one that does not depend on the neighbours' load.

    python bench/reuse_speed.py [--sizes 10000,100000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "benchmarks"
SOURCES = (BENCH / "ecbplus" / "docs.jsonl", BENCH / "timeline17" / "docs.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="store sizes, comma-separated")
    parser.add_argument("--batch", type=int, default=1000, help="articles per stage batch")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    args = parser.parse_args()
    for source in SOURCES:
        if not source.is_file():
            sys.exit(f"{source} not found: the benchmarks live in ../shared beside the repository")
    if args.one:
        print(json.dumps(_run(args.one, args.batch)))
        return
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--batch",
                              str(args.batch)], capture_output=True, text=True, check=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{size:>7} articles: candidates {figures['candidates_per_s']:,.0f}/s "
              f"({figures['candidates_per_cpu_s']:,.0f} per CPU second), "
              f"whole stage {figures['stage_per_s']:,.0f}/s "
              f"({figures['stage_per_cpu_s']:,.0f} per CPU second), planted copies found "
              f"{figures['copies_found']}/{figures['copies_planted']}, "
              f"vector search {figures['vector_queries_per_s']:,.0f} queries/s, "
              f"peak RSS {figures['peak_rss_mb']:,.0f} MB; stage "
              f"{figures['stage_seconds']:,.0f} s wall / "
              f"{figures['stage_cpu_seconds']:,.0f} s CPU; "
              f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(json.dumps({"embedding_leads_per_s": _embedding_rate()}))


def _run(size: int, batch: int) -> dict[str, float]:
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from newsweave.engine import Engine
    from newsweave.model import Article
    from newsweave.reuse import ReuseStage
    from newsweave.reuse.index import band_keys, signatures
    from newsweave.reuse.semantic import VectorIndex
    from newsweave.reuse.text import sentence_keys, words
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.store.reuse import IndexEntry

    rng = random.Random(11)
    base = [json.loads(line)["text"] for source in SOURCES for line in source.open()]
    vocabulary = sorted({w for text in base[:2000] for w in text.split() if w.isalpha()})
    texts: list[str] = []
    planted: list[tuple[int, int]] = []  # (copy index, original index)
    for n in range(size):
        if n > 100 and rng.random() < 0.01:
            original = rng.randrange(n)
            lines = texts[original].split("\n\n")
            if len(lines) > 3:
                del lines[rng.randrange(len(lines))]
            tokens = "\n\n".join(lines).split(" ")
            for _ in range(3):
                tokens[rng.randrange(len(tokens))] = rng.choice(vocabulary)
            texts.append(" ".join(tokens))
            planted.append((n, original))
            continue
        source = base[rng.randrange(len(base))].replace("\n", "\n\n")
        tokens = [rng.choice(vocabulary) if rng.random() < 0.2 else t for t in source.split(" ")]
        texts.append(" ".join(tokens))
    path = Path(tempfile.mkdtemp()) / "speed.db"
    settings = load_settings(db=str(path), reuse_embed=0, batch_size=batch)
    engine = Engine(open_store(str(path)), settings, stages=[ReuseStage()])
    for start in range(0, size, 5000):
        chunk = texts[start : start + 5000]
        engine.store.add_articles(
            [Article(None, f"s{start + i}", "", "text", t, f"s{start + i}")
             for i, t in enumerate(chunk)], [{} for _ in chunk])

    # Whole stage, batch after batch, as ingest runs it.
    stage = engine.stages[0]
    pending = engine.store.pending(stage.name, stage.version)
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(pending), batch):
        stage.run(engine.store, pending[start : start + batch], settings)
    stage_seconds = time.perf_counter() - started
    stage_cpu = time.process_time() - cpu

    # Candidate generation alone, for a sample of articles against the full index.
    sample = pending[-min(5000, len(pending)):]
    articles = [engine.store.get_article(i) for i in sample]
    started, cpu = time.perf_counter(), time.process_time()
    token_lists = [words(a.text) for a in articles if a is not None]
    sigs = signatures(token_lists)
    for article, sig in zip(articles, sigs, strict=True):
        entry = IndexEntry(article.id, sig, 0, band_keys(sig), sentence_keys(article.text), [])
        ReuseStage._candidates(engine.store, entry, [])
    candidate_seconds = time.perf_counter() - started
    candidate_cpu = time.process_time() - cpu

    ids = {a.content_hash: a.id for a in engine.store.iter_articles()}
    found = 0
    pairs = {(e.derived, e.source) for e in engine.store.reuse.pairs(kinds=("copy",))}
    pairs |= {(s, d) for d, s in pairs}
    for copy, original in planted:
        found += (ids[f"s{copy}"], ids[f"s{original}"]) in pairs

    # Vector search over as many stored vectors (random unit vectors: speed only).
    matrix = np.random.default_rng(1).standard_normal((size, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    engine.store.reuse.save_vectors("speed", dict(zip(range(1, size + 1), matrix, strict=True)))
    index = VectorIndex()
    index._ids, index._matrix = list(range(1, size + 1)), matrix
    index._id_array = np.arange(1, size + 1)
    started = time.perf_counter()
    index.nearest(matrix[:1000], 10, 0.5)
    search_seconds = time.perf_counter() - started
    engine.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"candidates_per_s": len(sample) / candidate_seconds,
            "candidates_per_cpu_s": len(sample) / candidate_cpu,
            "stage_per_s": len(pending) / stage_seconds,
            "stage_per_cpu_s": len(pending) / stage_cpu, "copies_planted": len(planted),
            "copies_found": found, "vector_queries_per_s": 1000 / search_seconds,
            "peak_rss_mb": peak, "stage_seconds": stage_seconds,
            "stage_cpu_seconds": stage_cpu}


def _embedding_rate() -> float:
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.nlp.embed import embed, lead_text

    base = [json.loads(line)["text"] for line in SOURCES[0].open()][:60]
    embed(["warm up"])
    started = time.perf_counter()
    embed([lead_text(None, t) for t in base])
    return round(len(base) / (time.perf_counter() - started), 1)


if __name__ == "__main__":
    main()
