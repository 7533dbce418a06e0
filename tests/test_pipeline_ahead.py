"""Extract's analysis started ahead, during reading and the earlier stages (issue 11, item 3):
the same store as an ingest that starts it only when the stage runs."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from tests.conftest import require_shared

import newsweave
from newsweave.extract import nlp

# Every table a stage writes, in an order independent of when the work was done.
TABLES = {
    "extract_articles": "article_id",
    "entities": "id",
    "entity_articles": "entity_id, article_id",
    "quote_groups": "id",
    "quote_variants": "quote_id, seq",
    "story_members": "article_id",
    "reuse_edges": "derived, source",
    "reuse_pairs": "1, 2",
    "article_origin": "article_id, origin_id",
    "article_vectors": "1, 2",
    "stage_errors": "1, 2",
}


def _dump(path: str) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
                for table, order in TABLES.items()}
    finally:
        db.close()


def _ingest(tmp_path: Path, name: str, source: Path
            ) -> tuple[str, list[int], dict[str, dict[str, int]]]:
    path = str(tmp_path / f"{name}.db")
    with newsweave.open(path) as engine:
        report = engine.ingest([str(source)])
        assert not report.rejected
        status = engine.stage_status()
    return path, report.new, status


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs two cores")
def test_started_ahead_gives_the_same_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    docs = require_shared("benchmarks/ecbplus/docs.jsonl")
    lines = docs.read_text(encoding="utf-8").splitlines()[:60]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": json.loads(x)["id"], "text": json.loads(x)["text"]})
                              + "\n" for x in lines), encoding="utf-8")
    monkeypatch.setenv("NEWSWEAVE_BATCH_SIZE", "50")  # two read batches, each started ahead
    started: list[int] = []
    real = nlp.start_ahead

    def counted(texts, *, workers):  # type: ignore[no-untyped-def]
        started.append(real(texts, workers=workers))
        return started[-1]

    fresh: list[int] = []
    submit = nlp._submit

    def counted_fresh(texts, workers):  # type: ignore[no-untyped-def]
        fresh.append(len(texts))
        return submit(texts, workers)

    monkeypatch.setattr(nlp, "start_ahead", counted)
    monkeypatch.setattr(nlp, "_submit", counted_fresh)
    ahead_path, ahead_new, ahead_status = _ingest(tmp_path, "ahead", source)
    assert sum(started) >= 48  # the pool was started during reading, not by the stage
    assert sum(fresh) == 0  # and the stage took every analysis from there
    assert not nlp._AHEAD  # nothing left held after the ingest
    monkeypatch.setattr(nlp, "start_ahead", lambda texts, *, workers: 0)
    plain_path, plain_new, plain_status = _ingest(tmp_path, "plain", source)
    assert ahead_new == plain_new and len(ahead_new) == 60
    assert ahead_status == plain_status
    ahead, plain = _dump(ahead_path), _dump(plain_path)
    assert ahead["extract_articles"] and ahead["entities"] and ahead["story_members"]
    for table in TABLES:
        assert ahead[table] == plain[table], table


def test_nothing_started_ahead_without_a_pool() -> None:
    assert nlp.start_ahead(["Anna Berg said on Monday that the dam held."] * 3, workers=1) == 0
    assert not nlp._AHEAD


def test_work_is_started_ahead_only_for_stages_that_take_it_in_this_run() -> None:
    with newsweave.open(":memory:") as engine:
        assert [s.name for s in engine._ahead_stages(None)] == ["extract"]
        assert [s.name for s in engine._ahead_stages(["clean", "reuse", "stories", "extract"])
                ] == ["extract"]
        # extract alone takes only what reuse and stories finished: new articles wait.
        assert engine._ahead_stages(["extract"]) == []
        assert engine._ahead_stages(["reuse", "extract"]) == []
        assert engine._ahead_stages(["reuse", "stories"]) == []
        with pytest.raises(ValueError, match="unknown stage"):
            engine._ahead_stages(["nope"])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the worker pool needs two cores")
def test_a_job_joins_analyses_started_ahead_with_its_own_even_when_they_are_dropped() -> None:
    texts = [f"Anna Berg{i} said on Monday that the dam at Kell{i} held. \"We are safe,\" "
             f"she told reporters." for i in range(50)]
    try:
        assert nlp.start_ahead(texts, workers=2) == 50
        wanted = [texts[3], "Mayor Tom Rao of Dunmore spoke.", texts[40], texts[3]]
        job = nlp.submit(wanted, workers=2)  # three taken from ahead, one new
        nlp.drop_ahead()  # the rest dropped (cancelled if not started) before the result
        assert len(nlp._AHEAD) == 0
        got = job.result()
    finally:
        nlp.drop_ahead()
    assert got == nlp.analyse_here(wanted)
    assert any(mentions for mentions, _ in got)
