"""Stance of a text toward a claim: the decision, the batch path and its CLI, and the floors
on Emergent (claim vs headline, cross-validated by claim) and BASIL (related or not)."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from conftest import load_bench, require_shared
from newsweave.cli import cli
from newsweave.crosscheck import stance_batch
from newsweave.crosscheck.stance import STANCES, stance

FOUR_CLASS_WEIGHTED = 0.78  # floors on the held-out part (measured figures in docs)
FOUR_CLASS_MACRO_F1 = 0.68

BODY = ("Rescue teams worked through the night in the flooded town.\n\n"
        "Officials denied reports that the dam had collapsed on Monday, saying the water "
        "came over the spillway.\n\nSchools will stay closed until Friday.")


def test_denial_contradicts_and_the_evidence_is_the_denying_sentence():
    result = stance("The dam collapsed on Monday.", BODY)
    assert result.stance == "contradicts"
    assert result.evidence is not None and "denied" in result.evidence
    assert BODY[result.start:result.end] == result.evidence
    assert 0.0 < result.score <= 1.0


def test_an_unrelated_text_and_another_number():
    assert stance("The dam collapsed on Monday.", "Shares rose in Tokyo as the yen fell.").stance \
        == "unrelated"
    other = stance("At least 14 people were killed when the dam gave way.",
                   "The dam gave way on Monday and 17 people were killed, officials said.")
    assert other.stance == "contradicts" and "17" in (other.evidence or "")
    same = stance("At least 14 people were killed when the dam gave way.",
                  "The dam gave way on Monday and 14 people were killed, officials said.")
    assert same.stance in ("supports", "discusses")


def test_batch_analyses_a_recurring_body_once_and_keeps_going_after_bad_lines(monkeypatch):
    calls = []
    real = stance_batch.analyse_body
    monkeypatch.setattr(stance_batch, "analyse_body", lambda text: calls.append(1) or real(text))
    lines = [json.dumps({"id": i, "claim": claim, "text": BODY}) for i, claim in
             enumerate(["The dam collapsed on Monday.", "Schools will stay closed.",
                        "The yen fell."])]
    lines[1:1] = ["{not json", json.dumps({"id": "x", "claim": "", "text": BODY}), "[1, 2]"]
    out = list(stance_batch.stance_lines(lines))
    assert len(calls) == 1
    good = [o for o in out if "error" not in o]
    assert [o["id"] for o in good] == [0, 1, 2]
    assert all(set(o) == {"id", "stance", "score", "evidence"} and o["stance"] in STANCES
               for o in good)
    errors = [o for o in out if "error" in o]
    assert [e["line"] for e in errors] == [2, 3, 4]
    assert "not valid JSON" in errors[0]["error"] and "'claim'" in errors[1]["error"]
    assert errors[1]["id"] == "x" and "JSON object" in errors[2]["error"]


def test_cli_stance_json_lines_and_exit_code(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text(json.dumps({"id": "a", "claim": "The dam collapsed on Monday.", "text": BODY})
                    + "\n\n" + '{"id": "b"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["stance", str(path), "--json"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == [{"id": "a", "stance": "contradicts", "score": lines[0]["score"],
                      "evidence": lines[0]["evidence"]}]
    assert "line 3 (id 'b'): missing field(s) claim, text" in result.stderr
    plain = CliRunner().invoke(cli, ["stance", str(path)])
    assert "contradicts" in plain.stdout and plain.exit_code == 1


def test_emergent_floor_cross_validated_by_claim():
    """Floor on the shipped setting's features and penalty, cross-validated by claim on
    Emergent as published (claim vs headline; measured: see docs/benchmarks.md)."""
    require_shared("benchmarks/emergent/pairs.jsonl")
    bench = load_bench("stance")
    from newsweave.crosscheck.stance_weights import WEIGHTS

    pairs = bench.emergent_headline_pairs()
    readings, _ = bench.read(pairs)
    x, y, groups = bench.stance_matrix(readings, pairs)
    model = WEIGHTS["stance"]
    probs = bench.cross_validate(x, y, groups, 3, model["l2"], bool(model["balanced"]))
    predicted = probs.argmax(axis=1)
    f1, _ = bench.macro_f1(y, predicted, 3)
    assert float((predicted == y).mean()) >= 0.70
    assert f1 >= 0.70


def test_basil_related_floor_cross_validated_by_event():
    """Headline against another outlet's body: same event or not, word signals only
    (measured: see docs/benchmarks.md)."""
    require_shared("benchmarks/basil/docs.jsonl")
    bench = load_bench("stance")
    from newsweave.crosscheck.stance_weights import WEIGHTS

    pairs = bench.basil_pairs()
    readings, _ = bench.read(pairs)
    x, y, groups, _ = bench.related_matrix(readings, pairs)
    model = WEIGHTS["related"]
    probs = bench.cross_validate(x, y, groups, 2, model["l2"], False)[:, 1]
    predicted = (probs >= model["threshold"]).astype(int)
    assert float((predicted == y).mean()) >= 0.93
    assert np.isclose(y.mean(), 0.5, atol=0.01)


def test_four_classes_held_out_floor():
    """The shipped decision on the held-out part of the body-level four-class dev set
    (claims the weights were not fitted on), through the package's own path: weighted
    score and macro-F1 over the four classes (measured: see docs/benchmarks.md)."""
    require_shared("benchmarks/emergent/pairs.jsonl")
    require_shared("benchmarks/basil/docs.jsonl")
    bench = load_bench("stance")
    from newsweave.crosscheck.stance_batch import BodyCache, stance_pair

    pairs = [p for p in bench.body_pairs("body") if p.part == "report"]
    cache = BodyCache(100_000)
    predicted = [stance_pair({"id": i, "claim": p.claim, "text": p.text}, cache)["stance"]
                 for i, p in enumerate(pairs)]
    result = bench.four_class([p.label for p in pairs], predicted)
    assert result["weighted"] >= FOUR_CLASS_WEIGHTED
    assert result["macro_f1"] >= FOUR_CLASS_MACRO_F1
