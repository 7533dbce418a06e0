"""Floors on SemEval-2022 task 8's English pairs through the stories stage (#12 part 8).

Every distinct text of the 193 English-English pairs (no broken encoding) in one store at
the defaults, MiniLM vectors stored first (``python bench/stories_pairs.py``). Measured:
same story (Overall <= 1.5) in one story 28/39 = 0.718; unrelated (>= 3.5) apart 78/79;
same kind, different event apart 34/37; different places (Geography >= 2.5) apart 70/70,
of them the related ones (Overall < 3.5) 12/12. The floors sit a little below, so a change
that merges same-kind reports of different places, or stops joining one story's reports,
fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import load_bench, require_shared
from newsweave.nlp import english


def test_semeval_english_pairs_keep_different_places_apart(monkeypatch):
    require_shared("benchmarks/semeval2022_task8/pairs.jsonl")
    if not english.available():
        pytest.skip("the English model package is not installed")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    bench = load_bench("stories_pairs")
    rows = bench.load_pairs()
    assert len(rows) == 193
    joined, similar, store = bench.together(rows, {})
    assert store["stored"] == store["texts"] == 385
    counts = bench.tally(rows, joined)["all"]
    assert counts["same"][0] == 39 and counts["same"][1] >= 26  # 28 measured
    assert counts["unrelated"][0] == 79 and counts["unrelated"][1] >= 77  # 78
    assert counts["same-kind"][0] == 37 and counts["same-kind"][1] >= 33  # 34
    assert counts["places"] == [70, 70]
    assert counts["related-places"] == [12, 12]
    # Far from the threshold, not just under it: the related pairs of different places.
    related = [s.final for r, s in zip(rows, similar, strict=True)
               if s is not None and bench.different_places(r) and r["Overall"] < 3.5]
    assert len(related) == 12 and max(related) < 0.5 * store["threshold"]
