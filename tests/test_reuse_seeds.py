"""The reuse stage on the five seed articles: one derivation, found with its evidence."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import require_shared
from newsweave.cli import cli
from newsweave.engine import Engine
from newsweave.reuse import ReuseStage
from newsweave.settings import load_settings
from newsweave.store import open_store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    seeds = require_shared("corpus/seeds")
    db = str(tmp_path_factory.mktemp("seeds") / "seeds.db")
    with _reuse_only(db) as engine:
        engine.ingest([str(seeds)])
        ids = {Path(a.source).name[:3]: a.id for a in engine.articles()}
        yield engine, ids, db


def test_one_derivation_among_the_seeds(seeded):
    engine, ids, _ = seeded
    graph = engine.provenance()
    derived = [e for e in graph["edges"] if e["kind"] in ("copy", "rewrite")]
    assert len(derived) == 1, derived
    edge = derived[0]
    # The Afghan Voice Agency article (003) rewrites the Reuters one (000) and says so.
    assert (edge["derived"], edge["source"]) == (ids["003"], ids["000"])
    assert edge["attribution"] == "Reuters"
    assert edge["confidence"] >= 0.8
    assert any(r.startswith("attribution") for r in edge["reasons"])
    assert len(edge["evidence"]) >= 5
    for evidence in edge["evidence"]:
        d, s = evidence["derived_passage"], evidence["source_passage"]
        assert (d["article"], s["article"]) == (ids["003"], ids["000"])
        assert engine.article(d["article"]).text[d["start"]:d["end"]] == d["text"]
        assert engine.article(s["article"]).text[s["start"]:s["end"]] == s["text"]
        assert 0 < evidence["score"] <= 1
    # The rewrite keeps the order of the Reuters story for most aligned passages.
    paraphrased = [e for e in edge["evidence"] if e["kind"] in ("paraphrase", "edited")]
    assert len(paraphrased) >= 4


def test_shared_statement_is_not_a_copy(seeded):
    engine, ids, _ = seeded
    graph = engine.provenance()
    others = {i for k, i in ids.items() if k not in ("000", "003")}
    for edge in graph["edges"]:
        if {edge["derived"], edge["source"]} & others:
            assert edge["kind"] == "shared-quotes", edge
    # Four origins: the Reuters story with its rewrite, and three independent reports.
    assert sorted(graph["origins"]) == sorted(
        [[ids["000"], ids["003"]]] + [[i] for i in sorted(others)]
    )
    assert engine.store.reuse.origin_of([ids["003"]]) == {ids["003"]: [ids["000"]]}


def test_attributions_carry_sentence_and_offsets(seeded):
    engine, ids, _ = seeded
    found = engine.attributions(ids["003"])
    reuters = [a for a in found if a.name == "Reuters"]
    assert len(reuters) >= 4  # "Reuters reported", "Reuters wrote", "The English news agency added"
    text = engine.article(ids["003"]).text
    for a in reuters:
        assert text[a.start:a.end] == a.sentence
        assert "Reuters" in a.sentence or "agency" in a.sentence or "media" in a.sentence
    upi = {(a.name, a.kind) for a in engine.attributions(ids["001"])}
    assert ("UPI", "dateline") in upi
    assert ("UPI", "photo-credit") in upi


def test_provenance_cli_formats(seeded):
    _, ids, db = seeded
    runner = CliRunner()
    as_json = runner.invoke(cli, ["--db", db, "provenance", "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert set(data) == {"edges", "origins"}
    assert set(data["edges"][0]) >= {"derived", "source", "kind", "confidence",
                                     "shared_fraction", "attribution", "reasons", "evidence"}
    dot = runner.invoke(cli, ["--db", db, "provenance", "--dot"]).output
    assert dot.startswith("digraph provenance {")
    assert f"a{ids['000']} -> a{ids['003']}" in dot
    graphml = runner.invoke(cli, ["--db", db, "provenance", "--graphml"]).output
    assert f'source="a{ids["000"]}" target="a{ids["003"]}"' in graphml
    assert "Afghan Voice Agency" in graphml
    text = runner.invoke(cli, ["--db", db, "provenance"]).output
    assert "4 independent origin(s), 1 derived article(s)" in text
    unknown = runner.invoke(cli, ["--db", db, "provenance", "--story", "999"])
    assert unknown.exit_code == 2 and "no story with id 999" in unknown.output


def test_similar_ranks_the_rewrite_first(seeded):
    engine, ids, db = seeded
    near = engine.similar(ids["003"], limit=4)
    assert near[0].article == ids["000"]
    assert near[0].relation == "rewrite of"
    assert [n.score for n in near] == sorted((n.score for n in near), reverse=True)
    result = CliRunner().invoke(cli, ["--db", db, "similar", str(ids["000"]), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed[0]["article"] == ids["003"] and listed[0]["relation"] == "source (rewrite)"
    missing = CliRunner().invoke(cli, ["--db", db, "similar", "999"])
    assert missing.exit_code == 2 and "no article with id 999" in missing.output


def _reuse_only(db: str) -> Engine:
    """An engine running only the reuse stage: these tests check it, not the stages after it."""
    return Engine(open_store(db), load_settings(db=db), stages=[ReuseStage()])
