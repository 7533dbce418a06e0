"""The "same fact" decision, and its quality floor on the MSRP test pairs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO, require_shared
from newsweave.crosscheck.align import FEATURES, pair_features, same_fact, same_fact_score


def test_features_are_symmetric_and_complete() -> None:
    a = "At least 14 people were killed when the dam broke on Monday."
    b = "The dam broke on Monday, killing at least 14 people."
    fa, fb = pair_features(a, b), pair_features(b, a)
    assert len(fa) == len(FEATURES)
    assert fa == fb


def test_reworded_fact_aligns_and_another_fact_does_not() -> None:
    a = "About 3,200 residents of Morvik were evacuated overnight to schools."
    assert same_fact(a, "Some 3,200 residents of Morvik were evacuated to schools overnight.")
    assert not same_fact(a, "The minister flew to the capital for talks with the governor.")
    assert same_fact_score(a, a) > 0.9


def test_embedding_cosine_changes_the_decision_for_a_translation() -> None:
    a = "Fourteen people died when the dam collapsed."
    b = "Vierzehn Menschen starben, als der Damm brach."
    assert same_fact_score(a, b, cosine=0.93) > same_fact_score(a, b, cosine=0.2)


def test_msrp_floor_with_the_lexical_model() -> None:
    """bench/msrp.py --lexical measured accuracy 0.772 / F1 0.838 (see docs/benchmarks.md)."""
    require_shared("benchmarks/msrp/test.jsonl")
    done = subprocess.run(
        [sys.executable, str(Path(REPO) / "bench" / "msrp.py"), "--lexical"],
        capture_output=True, text=True, check=True, cwd=REPO, timeout=300,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("lexical"))
    parts = line.split()
    accuracy, f1 = float(parts[2]), float(parts[4])
    assert accuracy >= 0.76, line
    assert f1 >= 0.83, line


def test_weights_ship_with_both_models() -> None:
    from newsweave.crosscheck.align_weights import WEIGHTS

    assert set(WEIGHTS) == {"lexical", "embedding"}
    assert WEIGHTS["lexical"]["features"] == list(FEATURES)
    assert WEIGHTS["embedding"]["features"] == [*FEATURES, "cosine"]
    json.dumps(WEIGHTS)  # plain data, no benchmark text
