"""Speed of a whole ingest against spaCy's NER alone, on ECB+ (issue 11, item 3).

Ingests the ECB+ articles (``../shared/benchmarks/ecbplus/docs.jsonl``, text
only, as JSONL) into a fresh store with the default settings and times every
phase through the ingest's own progress callback (reading and cleaning, then
each stage). Then, in the same process, times the parts measured alone over
the same texts: spaCy's NER (the extract stage's model, NER pipe only, whole
texts, one process), the multilingual e5 lead embedding (every article) and
the English MiniLM embedding (English articles). Prints articles per second,
seconds per article of each phase and each model, and the ratio of the whole
ingest to NER alone (issue 11 asks for at most 2.0).

    python bench/pipeline_speed.py             # all 982 articles
    python bench/pipeline_speed.py --limit 200
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "ecbplus" / "docs.jsonl"


class Phases:
    """Wall-clock seconds of each phase of an ingest, from its progress callback."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.ended: dict[str, float] = {}
        self.count: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if phase not in self.started:
            # A phase starts when the one before it ended (its first call comes after work).
            self.started[phase] = max(self.ended.values(), default=self.origin)
        self.ended[phase] = now
        self.count[phase] = done

    def begin(self) -> None:
        self.origin = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} not found: the benchmark data lives in ../shared beside the repo")
    docs = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    if args.limit:
        docs = docs[: args.limit]
    texts = [d["text"] for d in docs]

    import newsweave

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "ecb.jsonl"
        source.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n"
                                  for d in docs), encoding="utf-8")
        phases = Phases()
        with newsweave.open(str(Path(tmp) / "s.db")) as engine:
            phases.begin()
            started = time.perf_counter()
            report = engine.ingest([str(source)], progress=phases)
            whole = time.perf_counter() - started
            articles = [engine.article(i) for i in report.new]
    count = len(report.new)

    from newsweave.extract.nlp import load_model
    from newsweave.nlp.embed import embed, lead_text
    from newsweave.nlp.english import embed_english, is_english

    nlp = load_model()
    started = time.perf_counter()
    with nlp.select_pipes(enable=["ner"]):
        for _ in nlp.pipe(texts, batch_size=64):
            pass
    ner = time.perf_counter() - started
    started = time.perf_counter()
    embed([lead_text(a.title, a.text) for a in articles])
    e5 = time.perf_counter() - started
    english = [a for a in articles if is_english(a.language)]
    started = time.perf_counter()
    embed_english([lead_text(a.title, a.text, chars=3000) for a in english])
    minilm = time.perf_counter() - started

    print(f"ECB+ {count} articles ingested in {whole:.1f} s: {count / whole:.2f} articles/s "
          f"(default settings, a fresh store)")
    for phase, start in phases.started.items():
        seconds = phases.ended[phase] - start
        print(f"  {phase:<8} {seconds:7.1f} s  {1000 * seconds / max(1, count):6.1f} ms/article")
    print(f"spaCy NER alone (one process, whole texts): {ner:.1f} s, {count / ner:.2f} articles/s")
    print(f"e5 lead embedding alone: {1000 * e5 / max(1, count):.1f} ms/article; MiniLM alone: "
          f"{1000 * minilm / max(1, len(english)):.1f} ms/English article ({len(english)})")
    print(f"ratio of the whole ingest to NER alone: {whole / ner:.2f} (issue 11 goal: <= 2.0)")


if __name__ == "__main__":
    main()
