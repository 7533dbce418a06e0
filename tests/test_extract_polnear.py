"""Quality floor of attribution extraction on PolNeAR test (figures in docs/benchmarks.md)."""

from __future__ import annotations

import json

from conftest import load_bench, require_shared

# Measured: content F1 0.734, source F1 0.717 (python bench/polnear.py).
CONTENT_FLOOR = 0.72
SOURCE_FLOOR = 0.70


def test_polnear_content_and_source_f1_stay_above_their_floors():
    path = require_shared("benchmarks/polnear/test.jsonl")
    bench = load_bench("polnear")
    from newsweave.extract import nlp
    from newsweave.extract.quotes import find_attributions_many

    articles = [json.loads(line) for line in path.open(encoding="utf-8")]
    found = find_attributions_many([a["text"] for a in articles], lambda t: nlp.parse(t))
    scores = {}
    for kind in ("content", "source"):
        tp = n_pred = n_gold = 0
        for article, items in zip(articles, found, strict=True):
            gold = [(a[kind]["start"], a[kind]["end"]) for a in article["attributions"] if a[kind]]
            pred = [(getattr(f, kind).start, getattr(f, kind).end) for f in items
                    if getattr(f, kind) is not None]
            tp += bench.match_count(pred, gold)
            n_pred += len(pred)
            n_gold += len(gold)
        scores[kind] = bench.prf(tp, n_pred, n_gold)[2]
    assert scores["content"] >= CONTENT_FLOOR, scores
    assert scores["source"] >= SOURCE_FLOOR, scores
