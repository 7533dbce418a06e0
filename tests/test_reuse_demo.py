"""The reuse stage on the demo corpus, checked against the answer key in its README."""

from pathlib import Path

import pytest

from newsweave.demo import corpus_files
from newsweave.engine import Engine
from newsweave.reuse import ReuseStage
from newsweave.settings import load_settings
from newsweave.store import open_store

# (derived file, source file, kind) of every derivation in the answer key.
EXPECTED = {("02", "01", "copy"), ("03", "01", "copy"), ("04", "01", "rewrite"),
            ("05", "01", "rewrite"), ("08", "01", "copy")}


def _ingest(db: str, files: list[Path]) -> tuple[dict, dict[int, str]]:
    with _reuse_only(db) as engine:
        for path in files:  # one file at a time: the index must work incrementally
            engine.ingest([str(path)])
        names = {}
        for a in engine.articles():
            name = Path(a.source.split(":")[0]).name[:2]
            names[a.id] = f"{name}{a.source.rsplit(':', 1)[-1]}" if name == "10" else name
        return engine.provenance(), names


@pytest.fixture(scope="module")
def in_order(tmp_path_factory):
    return _ingest(str(tmp_path_factory.mktemp("demo") / "a.db"), corpus_files())


@pytest.fixture(scope="module")
def reversed_order(tmp_path_factory):
    story_a = [p for p in corpus_files() if p.name[:2] in {"01", "02", "03", "04", "05", "08"}]
    return _ingest(str(tmp_path_factory.mktemp("demo") / "b.db"), story_a[::-1])


def _derivations(graph: dict, names: dict[int, str]) -> set[tuple[str, str, str]]:
    return {(names[e["derived"]], names[e["source"]], e["kind"])
            for e in graph["edges"] if e["kind"] in ("copy", "rewrite")}


def test_derivations_match_the_answer_key(in_order):
    graph, names = in_order
    assert _derivations(graph, names) == EXPECTED


def test_origins_match_the_answer_key(in_order):
    graph, names = in_order
    origins = sorted(sorted(names[i] for i in group) for group in graph["origins"])
    assert origins == sorted([["01", "02", "03", "04", "05", "08"], ["06"], ["07"], ["09"],
                              ["101"], ["102"], ["11"], ["12"]])


def test_attributed_rewrite_names_the_agency(in_order):
    graph, names = in_order
    by_derived = {names[e["derived"]]: e for e in graph["edges"]
                  if e["kind"] in ("copy", "rewrite")}
    assert by_derived["04"]["attribution"] in ("MPA", "the Meridian Press Agency",
                                               "Meridian Press Agency")
    assert by_derived["04"]["confidence"] >= 0.9
    # The trimmed repost was published after the wire: time and its MPA dateline agree.
    assert any(r.startswith("time") for r in by_derived["03"]["reasons"])
    assert by_derived["03"]["confidence"] >= 0.9
    # The full repost covers (nearly) all of itself with wire text.
    assert by_derived["02"]["shared_fraction"] >= 0.85


def test_independent_reports_are_not_derived(in_order):
    graph, names = in_order
    for edge in graph["edges"]:
        pair = {names[edge["derived"]], names[edge["source"]]}
        if pair & {"06", "07", "09", "101", "102", "11", "12"}:
            assert edge["kind"] == "shared-quotes", (pair, edge["kind"])
    # 06 carries the minister's statement independently: a shared quote with the wire.
    assert any({names[e["derived"]], names[e["source"]]} == {"01", "06"}
               and e["kind"] == "shared-quotes" for e in graph["edges"])


def test_arrival_order_does_not_change_the_graph(reversed_order):
    graph, names = reversed_order
    assert _derivations(graph, names) == EXPECTED
    origins = [sorted(names[i] for i in group) for group in graph["origins"]]
    assert origins == [["01", "02", "03", "04", "05", "08"]]


def _reuse_only(db: str) -> Engine:
    """An engine running only the reuse stage: these tests check it, not the stages after it."""
    return Engine(open_store(db), load_settings(db=db), stages=[ReuseStage()])
