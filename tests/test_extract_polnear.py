"""Quality floor of attribution extraction on PolNeAR test (figures in docs/benchmarks.md)."""

from __future__ import annotations

import json

from conftest import load_bench, require_shared

# Measured: content F1 0.733, source F1 0.717 (python bench/polnear.py).
CONTENT_FLOOR = 0.72
SOURCE_FLOOR = 0.70


def test_polnear_content_and_source_f1_stay_above_their_floors():
    path = require_shared("benchmarks/polnear/test.jsonl")
    bench = load_bench("polnear")
    from newsweave.extract import nlp
    from newsweave.extract.quotes import find_attributions_many

    articles = [json.loads(line) for line in path.open(encoding="utf-8")]
    found = find_attributions_many([a["text"] for a in articles], lambda t: nlp.parse(t))
    scores = {kind: bench.prf(*counts)[2]
              for kind, counts in bench.count_matches(articles, found).items()}
    assert scores["content"] >= CONTENT_FLOOR, scores
    assert scores["source"] >= SOURCE_FLOOR, scores
