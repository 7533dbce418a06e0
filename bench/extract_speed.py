"""Speed of the whole extract stage (NER, attributions, canonical names, quote groups).

Runs the stage, in batches as ``Engine.analyze`` does, on distinct news articles
(the PolNeAR train texts in their order: 4.4 KB on average for the first 300,
4.8 KB for 500, 4.6 KB for all 840; the seeds are 3.5 KB) in a fresh store,
and prints articles per second overall and per batch (the last batch shows
whether the cost grows with the store), the machine's load, and the CPU
seconds per article spent in this process and, with worker processes, in
them (a load-independent cost, and the best rate it allows on idle cores).
Run from the repo root:

    python bench/extract_speed.py [--articles N] [--workers W] [--batch B]
    python bench/extract_speed.py --steps --articles 100   # NER and parse, by batch size
    python bench/extract_speed.py --resolution --workers 1 --articles 600  # resolution only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "polnear" / "train.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=500, help="articles (default 500)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--batch", type=int, default=100, help="articles per batch (100)")
    parser.add_argument("--steps", action="store_true",
                        help="instead: CPU per article of NER and of the parse, by batch size")
    parser.add_argument("--resolution", action="store_true",
                        help="time only resolution and writes (NER and parse run beforehand)")
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
    if args.steps:
        time_steps(texts)
        return
    if args.resolution and args.workers > 1:
        sys.exit("--resolution runs in one process: add --workers 1")
    with tempfile.TemporaryDirectory() as folder, newsweave.open(
            str(Path(folder) / "speed.db"), extract_workers=args.workers) as engine:
        engine.stages = []  # ingest only; the stage is timed alone below
        for number, text in enumerate(texts):
            engine.ingest_text(text, source=f"polnear-{number}")
        ids = engine.store.pending("extract", ExtractStage.version)
        nlp.load_model()  # loading the model once per process is not part of the rate
        startup = 0.0
        if args.resolution:  # NER and parse up front, untimed: the stage then reuses them
            stored = [article.text for article in map(engine.store.get_article, ids)
                      if article is not None]
            done = dict(zip(stored, nlp.analyse_here(stored), strict=True))
            nlp.analyse_here = lambda batch: [done[t] for t in batch]
            nlp.processes_for = lambda count, workers: 1  # all in this process
        if args.workers > 1:  # nor is starting the worker pool (once per process)
            # The workers' CPU time is only reported for ended processes: time one pool's
            # start and warm-up alone, so that it can be taken off the measured run's.
            nlp.analyse(["Warm-up. She said so."] * 100, workers=args.workers)
            nlp._shutdown()
            startup = _children_cpu()
            nlp.analyse(["Warm-up. She said so."] * 100, workers=args.workers)
        # Batch after batch as Engine.analyze runs them (the next batch's NLP overlaps this
        # one's resolution); each batch's resolution and writes are timed on their own.
        rates = []
        stage = ExtractStage()
        finish = stage._finish

        def timed_finish(*args_: Any) -> None:
            c0 = time.process_time()
            finish(*args_)
            rates.append((len(args_[2]), 1000 * (time.process_time() - c0)))

        stage._finish = timed_finish  # type: ignore[method-assign]
        started, cpu = time.perf_counter(), time.process_time()
        stage.run_batches(engine.store, ids, engine.settings, args.batch)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if args.workers > 1:
            nlp._shutdown()
            workers_cpu = _children_cpu() - 2 * startup
    load = os.getloadavg()[0]
    print(f"extract stage: {len(ids)} articles in {elapsed:.1f} s = {len(ids) / elapsed:.1f} "
          f"articles/s ({args.workers} worker process(es), batches of {args.batch}, "
          f"load average {load:.1f} on {os.cpu_count()} cores)")
    print("per batch (the last one in two halves), resolution and writes in this process, "
          "CPU ms per article: " + ", ".join(f"{c / n:.0f}" for n, c in rates))
    print(f"CPU in this process: {1000 * cpu / len(ids):.0f} ms per article")
    if args.workers > 1:
        print(f"CPU in the worker processes: {1000 * workers_cpu / len(ids):.0f} ms per article; "
              f"in all: {1000 * (cpu + workers_cpu) / len(ids):.0f} ms per article, so at best "
              f"{len(ids) * args.workers / (cpu + workers_cpu):.1f} articles/s on "
              f"{args.workers} idle cores")


def time_steps(texts: list[str], rounds: int = 3) -> None:
    """CPU ms per article of NER (full texts) and of parsing the candidate sentences, for
    several batch sizes, in alternating rounds (the best round is printed: least disturbed)."""
    from newsweave.extract import nlp
    from newsweave.extract.entities import name_windows
    from newsweave.extract.quotes import candidate_sentences, find_quotations
    from newsweave.nlp.blas import one_blas_thread

    model = nlp.load_model()
    sentences = [s.text for text in texts
                 for s in candidate_sentences(text, find_quotations(text))]
    windows = [w for text in texts for _, w in name_windows(text)]
    share = sum(map(len, sentences)) / sum(map(len, texts))
    print(f"{len(texts)} articles; {100 * share:.0f} % of their characters in candidate "
          f"sentences, {100 * sum(map(len, windows)) / sum(map(len, texts)):.0f} % in "
          f"{len(windows) / len(texts):.0f} name windows an article")
    runs = [("ner on name windows (as the stage runs it)", ["ner"], windows, size)
            for size in (16, 64, 256)]
    runs += [("ner on whole texts", ["ner"], texts, size) for size in (4, 8, 16)]
    runs += [("parse", ["tok2vec", "tagger", "parser"], sentences, size)
             for size in (32, 64, 128, 256)]
    runs += [("every pipe, one pass", ["tok2vec", "tagger", "parser", "ner"], texts, 8)]
    list(model.pipe(texts[:5]))  # warm-up
    best: dict[tuple[str, int], float] = {}
    with one_blas_thread():  # as the stage runs them
        _time_runs(model, runs, texts, rounds, best)
    for (label, size), cost in best.items():
        print(f"{label}, batches of {size}: {cost:.1f} ms CPU per article")


def _time_runs(model: Any, runs: list, texts: list[str], rounds: int, best: dict) -> None:
    for _ in range(rounds):
        for label, pipes, items, size in runs:
            with model.select_pipes(enable=pipes):
                started = time.process_time()
                for _doc in model.pipe(items, batch_size=size):
                    pass
            cost = 1000 * (time.process_time() - started) / len(texts)
            best[(label, size)] = min(cost, best.get((label, size), cost))


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's ended child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
