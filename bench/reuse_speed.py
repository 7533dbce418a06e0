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

Growth within one run: on the way to the full size, at 10,000 and 30,000
articles stored (and at the end), it records the stage rate over the batches
since the previous checkpoint, the candidate-generation rate of the last
2,000 articles against the index as it stands, the resident memory now
(and how much of it came after the texts were generated and stored: the
stage's share) and the peak RSS so far; the
table and the growth from the first checkpoint are printed after the size's
summary line (progress goes to stderr as each checkpoint is reached).

    python bench/reuse_speed.py [--sizes 10000,100000] [--batch 1000]
    python bench/reuse_speed.py --sizes 100000   # one run: 10k, 30k and 100k rows
    python bench/reuse_speed.py --embed-cost 200   # embedding cost per article, both models

``--embed-cost N`` only times the embedding the stage does at ingest for the
first N ECB+ articles: the multilingual lead vector (every article) and the
English whole-text vector (English articles; setting ``reuse_english``),
in seconds per article, wall clock and CPU of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "benchmarks"
SOURCES = (BENCH / "ecbplus" / "docs.jsonl", BENCH / "timeline17" / "docs.jsonl")
CHECKPOINTS = (10_000, 30_000)  # store sizes measured on the way to the full size
CANDIDATE_SAMPLE = 2000  # articles whose candidates are timed at each checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="store sizes, comma-separated")
    parser.add_argument("--batch", type=int, default=1000, help="articles per stage batch")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    parser.add_argument("--embed-cost", type=int, default=0,
                        help="only time embedding N ECB+ articles with both models")
    args = parser.parse_args()
    for source in SOURCES:
        if not source.is_file():
            sys.exit(f"{source} not found: the benchmarks live in ../shared beside the repository")
    if args.one:
        print(json.dumps(_run(args.one, args.batch)))
        return
    if args.embed_cost:
        _embed_cost(args.embed_cost)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--batch",
                              str(args.batch)], stdout=subprocess.PIPE, text=True, check=True)
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
        _print_growth(figures["checkpoints"])
    print(json.dumps({"embedding_leads_per_s": _embedding_rate()}))


def _print_growth(checkpoints: list[dict[str, float]]) -> None:
    """How rates and memory change as the store fills (one row per checkpoint)."""
    print("   store | candidates/s (per CPU s) | stage/s over the batches before "
          "(per CPU s) | RSS now MB (stage's share) | peak RSS MB")
    first = checkpoints[0]
    for row in checkpoints:
        grown = row["rss_mb"] - row["rss_before_stage_mb"]
        print(f"  {row['articles']:>6,} | {row['candidates_per_s']:>7,.0f} "
              f"({row['candidates_per_cpu_s']:,.0f}) | {row['stage_per_s']:>7,.0f} "
              f"({row['stage_per_cpu_s']:,.0f}) | {row['rss_mb']:,.0f} (+{grown:,.0f}) | "
              f"{row['peak_rss_mb']:,.0f}")
    if len(checkpoints) > 1:
        last = checkpoints[-1]
        print(f"  growth {first['articles']:,} -> {last['articles']:,} articles "
              f"(x{last['articles'] / first['articles']:.1f}): candidates per CPU s "
              f"x{last['candidates_per_cpu_s'] / first['candidates_per_cpu_s']:.2f}, "
              f"stage per CPU s x{last['stage_per_cpu_s'] / first['stage_per_cpu_s']:.2f}, "
              f"RSS now x{last['rss_mb'] / max(first['rss_mb'], 1):.2f}, "
              f"peak RSS x{last['peak_rss_mb'] / first['peak_rss_mb']:.2f}")


def _run(size: int, batch: int) -> dict[str, object]:
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from newsweave.engine import Engine
    from newsweave.model import Article
    from newsweave.reuse import ReuseStage
    from newsweave.reuse.semantic import VectorIndex
    from newsweave.settings import load_settings
    from newsweave.store import open_store

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
    folder = tempfile.mkdtemp(prefix="newsweave-speed-")
    path = Path(folder) / "speed.db"
    settings = load_settings(db=str(path), reuse_embed=0, batch_size=batch)
    engine = Engine(open_store(str(path)), settings, stages=[ReuseStage()])
    for start in range(0, size, 5000):
        chunk = texts[start : start + 5000]
        engine.store.add_articles(
            [Article(None, f"s{start + i}", "", "text", t, f"s{start + i}")
             for i, t in enumerate(chunk)], [{} for _ in chunk])

    # Whole stage, batch after batch, as ingest runs it; at each checkpoint
    # (10k, 30k and the full size) the stage rate over the last batches, the
    # candidate-generation rate against the index as it stands, and peak RSS.
    stage = engine.stages[0]
    pending = engine.store.pending(stage.name, stage.version)
    marks = sorted({m for m in CHECKPOINTS if m < len(pending)} | {len(pending)})
    rss_before = _rss_mb()  # the generated texts and the stored articles, before the stage
    checkpoints: list[dict[str, float]] = []
    stage_seconds = stage_cpu = 0.0
    window_wall = window_cpu = 0.0
    window_done = 0
    for start in range(0, len(pending), batch):
        ids_batch = pending[start : start + batch]
        started, cpu = time.perf_counter(), time.process_time()
        stage.run(engine.store, ids_batch, settings)
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        stage_seconds += wall
        stage_cpu += used
        window_wall, window_cpu = window_wall + wall, window_cpu + used
        window_done += len(ids_batch)
        done = start + len(ids_batch)
        if marks and done >= marks[0]:
            marks.pop(0)
            sample = pending[max(0, done - CANDIDATE_SAMPLE) : done]
            cand_wall, cand_cpu = _time_candidates(engine.store, sample)
            checkpoints.append({
                "articles": done, "stage_per_s": window_done / window_wall,
                "stage_per_cpu_s": window_done / window_cpu,
                "candidates_per_s": len(sample) / cand_wall,
                "candidates_per_cpu_s": len(sample) / cand_cpu,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_mb": _rss_mb(), "rss_before_stage_mb": rss_before,
                "stage_cpu_seconds": stage_cpu})
            window_wall = window_cpu = 0.0
            window_done = 0
            print(json.dumps(checkpoints[-1]), file=sys.stderr, flush=True)
    last = checkpoints[-1]

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
    index = VectorIndex("speed")
    index.refresh(engine.store)  # the persisted, memory-mapped vector file
    started = time.perf_counter()
    index.nearest(matrix[:1000], 10, 0.5)
    search_seconds = time.perf_counter() - started
    engine.close()
    shutil.rmtree(folder, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"candidates_per_s": last["candidates_per_s"],
            "candidates_per_cpu_s": last["candidates_per_cpu_s"],
            "checkpoints": checkpoints,
            "stage_per_s": len(pending) / stage_seconds,
            "stage_per_cpu_s": len(pending) / stage_cpu, "copies_planted": len(planted),
            "copies_found": found, "vector_queries_per_s": 1000 / search_seconds,
            "peak_rss_mb": peak, "stage_seconds": stage_seconds,
            "stage_cpu_seconds": stage_cpu}


def _rss_mb() -> float:
    """Resident memory of this process now, in MB (0 where /proc is missing)."""
    status = Path("/proc/self/status")
    if not status.is_file():
        return 0.0
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _time_candidates(store: object, sample: list[int]) -> tuple[float, float]:
    """Wall and CPU seconds to find the candidates of ``sample`` against the whole index."""
    from newsweave.reuse import ReuseStage
    from newsweave.reuse.index import band_keys, signatures
    from newsweave.reuse.text import sentence_keys, words
    from newsweave.store.reuse import IndexEntry

    articles = [a for a in (store.get_article(i) for i in sample) if a is not None]
    started, cpu = time.perf_counter(), time.process_time()
    sigs = signatures([words(a.text) for a in articles])
    for article, sig in zip(articles, sigs, strict=True):
        entry = IndexEntry(article.id, sig, 0, band_keys(sig), sentence_keys(article.text), [])
        ReuseStage._candidates(store, entry, [])
    return time.perf_counter() - started, time.process_time() - cpu


def _embedding_rate() -> float:
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.nlp.embed import embed, lead_text

    base = [json.loads(line)["text"] for line in SOURCES[0].open()][:60]
    embed(["warm up"])
    started = time.perf_counter()
    embed([lead_text(None, t) for t in base])
    return round(len(base) / (time.perf_counter() - started), 1)


def _embed_cost(count: int) -> None:
    """Seconds per article of each model's embedding, as the stage computes them."""
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.model import Article
    from newsweave.reuse.semantic import article_vectors, english_vectors

    texts = [json.loads(line)["text"] for line in SOURCES[0].open()][:count]
    articles = [Article(i + 1, str(i), t, "text", t, "ecb+", language="en")
                for i, t in enumerate(texts)]
    article_vectors(articles[:2])  # load both models before timing
    english_vectors(articles[:2])
    chars = sum(len(t) for t in texts) / len(texts)
    for label, function in (("multilingual e5, title and lead", article_vectors),
                            ("English MiniLM, whole text (256 word pieces)", english_vectors)):
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(articles), 100):  # the stage's default batch
            function(articles[start : start + 100])
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        print(f"{label}: {wall / len(articles):.3f} s per article wall, "
              f"{used / len(articles):.3f} CPU s ({len(articles)} articles, "
              f"{chars:,.0f} characters on average)")
    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
