"""Speed of a whole ingest against spaCy's NER alone, on ECB+ (issue 11, item 3).

Ingests the ECB+ articles (``../shared/benchmarks/ecbplus/docs.jsonl``, text
only, as JSONL) into a fresh store with the default settings and times every
phase through the ingest's own progress callback (reading and cleaning, then
each stage). Then, in the same process, times the parts measured alone over
the same texts: spaCy's NER (the extract stage's model, NER pipe only, whole
texts, one process), the multilingual e5 lead embedding (every article) and
the English MiniLM embedding (English articles): e5 for reference, the ingest gives an
English article an e5 vector only once the store holds another language (ECB+ is
English), and the vectors the ingest stored are counted. Prints articles per second,
seconds per article of each phase and each model, and the ratio of the whole
ingest to NER alone (issue 11 asks for at most 2.0).

On a machine shared with other jobs wall-clock seconds say little, so every
figure also comes in CPU seconds (this process and its worker processes), and
the ratio to NER alone is given both ways, with the load average beside it.

    python bench/pipeline_speed.py             # all 982 articles
    python bench/pipeline_speed.py --limit 200
    python bench/pipeline_speed.py --limit 200 --sequential   # nothing started ahead
    python bench/pipeline_speed.py --repeat 3  # three fresh processes, then the median ratio

One run's ratio moves with the machine (on the idle 2-core machine the same ingest took
81.6 to 100.4 CPU s from one run to the next, NER alone 37.8 to 49.7), so the figure to
quote is the median over several runs.

The extract stage's worker processes start, and analyse each batch of articles, while
this process still reads and embeds them (part 3); their CPU is given apart per phase.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "ecbplus" / "docs.jsonl"


def cpu_seconds() -> float:
    """CPU seconds of this process and its live worker processes (the extract stage's pool
    outlives its batches, so ``RUSAGE_CHILDREN``, which counts only ended ones, misses it)."""
    return time.process_time() + worker_seconds()


def worker_seconds() -> float:
    """CPU seconds of this process's live worker processes alone."""
    try:
        import psutil
    except ImportError:
        return 0.0
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


class Phases:
    """Wall-clock and CPU seconds of each phase of an ingest, from its progress callback."""

    def __init__(self) -> None:
        # (wall, CPU of this process and its workers, CPU of the workers alone)
        self.started: dict[str, tuple[float, float, float]] = {}
        self.ended: dict[str, tuple[float, float, float]] = {}
        self.count: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        workers = worker_seconds()
        now = (time.perf_counter(), time.process_time() + workers, workers)
        if phase not in self.started:
            # A phase starts when the one before it ended (its first call comes after work).
            self.started[phase] = max(self.ended.values(), default=self.origin)
        self.ended[phase] = now
        self.count[phase] = done

    def begin(self) -> None:
        workers = worker_seconds()
        self.origin = (time.perf_counter(), time.process_time() + workers, workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    parser.add_argument("--no-e5-alone", action="store_true",
                        help="skip timing e5 alone (a reference: the ingest of an English "
                             "store does not run it)")
    parser.add_argument("--sequential", action="store_true",
                        help="extract's worker processes start only when the stage runs "
                             "(no work started ahead during reading and reuse: as before "
                             "part 3), to compare in the same conditions")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run N times, each in a fresh process, then print the median "
                             "ratio")
    args = parser.parse_args()
    if args.repeat > 1:
        repeat(args.repeat)
        return
    if not DATA.exists():
        sys.exit(f"{DATA} not found: the benchmark data lives in ../shared beside the repo")
    docs = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    if args.limit:
        docs = docs[: args.limit]
    texts = [d["text"] for d in docs]

    import newsweave

    if args.sequential:
        from newsweave.extract import nlp as extract_nlp

        extract_nlp.start_ahead = lambda texts, *, workers: 0  # type: ignore[assignment]
        extract_nlp.warm = lambda count, *, workers: None  # type: ignore[assignment]

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "ecb.jsonl"
        source.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n"
                                  for d in docs), encoding="utf-8")
        phases = Phases()
        load = os.getloadavg()
        with newsweave.open(str(Path(tmp) / "s.db")) as engine:
            phases.begin()
            started, cpu, workers = time.perf_counter(), cpu_seconds(), worker_seconds()
            report = engine.ingest([str(source)], progress=phases)
            whole, whole_cpu = time.perf_counter() - started, cpu_seconds() - cpu
            workers_cpu = worker_seconds() - workers
            articles = [engine.article(i) for i in report.new]
            from newsweave.nlp import english as english_module
            from newsweave.nlp.embed import MODEL_NAME

            stored = {model: engine.store.reuse.vector_count(model)
                      for model in (MODEL_NAME, english_module.MODEL_NAME)}
    count = len(report.new)

    from newsweave.extract.nlp import load_model
    from newsweave.nlp import embed as embed_module
    from newsweave.nlp.embed import embed, lead_text
    from newsweave.nlp.english import embed_english, is_english
    from newsweave.reuse.semantic import english_text

    def timed(work: Callable[[], object]) -> tuple[float, float]:
        started, cpu = time.perf_counter(), cpu_seconds()
        work()
        return time.perf_counter() - started, cpu_seconds() - cpu

    nlp = load_model()

    def ner_alone() -> None:
        with nlp.select_pipes(enable=["ner"]):
            for _ in nlp.pipe(texts, batch_size=64):
                pass

    ner, ner_cpu = timed(ner_alone)
    # The embedders remember the texts the ingest just embedded: forget them, or "alone"
    # would time a lookup.
    embed_module._RECENT.clear()
    english_module._RECENT.clear()
    e5 = e5_cpu = float("nan")
    if not args.no_e5_alone:
        e5, e5_cpu = timed(lambda: embed([lead_text(a.title, a.text) for a in articles]))
    english = [a for a in articles if is_english(a.language)]
    minilm, minilm_cpu = timed(lambda: embed_english([english_text(a.title, a.text)
                                                      for a in english]))
    per = 1000 / max(1, count)
    print(f"ECB+ {count} articles ingested in {whole:.1f} s ({whole_cpu:.1f} CPU s): "
          f"{count / whole:.2f} articles/s (default settings, a fresh store; load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start"
          f"{'; --sequential' if args.sequential else ''})")
    print(f"  CPU s of this process {whole_cpu - workers_cpu:.1f}, of extract's worker "
          f"processes {workers_cpu:.1f}; wall s x 2 cores = {2 * whole:.1f}")
    for phase, (start, start_cpu, start_workers) in phases.started.items():
        end, end_cpu, end_workers = phases.ended[phase]
        print(f"  {phase:<8} {end - start:7.1f} s {per * (end - start):7.1f} ms/article "
              f"{per * (end_cpu - start_cpu):7.1f} CPU ms/article (of which extract's "
              f"worker processes {per * (end_workers - start_workers):5.1f})")
    print(f"vectors stored: {stored[MODEL_NAME]} e5 (multilingual lead), "
          f"{stored[english_module.MODEL_NAME]} MiniLM (English); "
          f"{sum(is_english(a.language) for a in articles)} English articles")
    print(f"spaCy NER alone (one process, whole texts): {ner:.1f} s ({ner_cpu:.1f} CPU s), "
          f"{count / ner:.2f} articles/s")
    print(f"e5 lead embedding alone: {per * e5:.1f} ms/article ({per * e5_cpu:.1f} CPU ms); "
          f"MiniLM alone: {1000 * minilm / max(1, len(english)):.1f} ms/English article "
          f"({1000 * minilm_cpu / max(1, len(english)):.1f} CPU ms; {len(english)} English)")
    print(f"ratio of the whole ingest to NER alone: {whole / ner:.2f} wall clock, "
          f"{whole_cpu / ner_cpu:.2f} CPU seconds (issue 11 goal: <= 2.0)")


def repeat(times: int) -> None:
    """This script ``times`` times in fresh processes (the other arguments as given), each
    run's output as it comes, then the median of the ratios."""
    import re
    import statistics
    import subprocess

    argv, skip = [], False
    for arg in sys.argv[1:]:  # every argument but --repeat N
        if skip or arg == "--repeat" or arg.startswith("--repeat="):
            skip = arg == "--repeat"
            continue
        argv.append(arg)
    ratios: list[tuple[float, float]] = []
    for run in range(1, times + 1):
        out = subprocess.run([sys.executable, __file__, *argv], capture_output=True,
                             text=True, check=True).stdout
        print(f"-- run {run} of {times}\n{out}", end="", flush=True)
        found = re.search(r"NER alone: ([\d.]+) wall clock, ([\d.]+) CPU", out)
        if found:
            ratios.append((float(found[1]), float(found[2])))
    walls = ", ".join(f"{w:.2f}" for w, _ in ratios)
    print(f"ratio to NER alone over {len(ratios)} runs: wall clock {walls}; median "
          f"{statistics.median(w for w, _ in ratios):.2f} wall clock, "
          f"{statistics.median(c for _, c in ratios):.2f} CPU seconds "
          f"(issue 11 goal: <= 2.0)")


if __name__ == "__main__":
    main()
