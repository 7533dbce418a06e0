"""Stages chosen per run (#16 item 2): `ingest --stages clean,reuse,stories` leaves extract
pending, `analyze --stages extract` finishes it later, and every listing says which stages
have run for each article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsweave.cli import cli
from newsweave.demo import corpus_files


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # Embeddings off: the reuse stage finds copies through MinHash and sentences alone,
    # which keeps the test at seconds (the stages chosen are what is tested here).
    monkeypatch.setenv("NEWSWEAVE_REUSE_EMBED", "0")
    return {"db": str(tmp_path / "stages.db")}


def _run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", db, *args])
    return result.exit_code, result.output


def test_ingest_with_chosen_stages_leaves_the_rest_pending(env: dict[str, str]) -> None:
    files = [str(p) for p in sorted(corpus_files())[:4]]
    code, out = _run(env["db"], "ingest", "-q", "--json", "--stages", "clean,reuse,stories",
                     *files)
    assert code == 0, out
    new = json.loads(out)["new"]
    assert len(new) == 4

    code, out = _run(env["db"], "articles", "--json")
    listed = json.loads(out)
    assert [a["id"] for a in listed] == sorted(new)
    assert all(a["stages"] == ["clean", "reuse", "stories"] for a in listed)

    code, out = _run(env["db"], "article", str(new[0]), "--json")
    assert json.loads(out)["stages"] == ["clean", "reuse", "stories"]
    code, out = _run(env["db"], "article", str(new[0]))
    assert "stages: clean, reuse, stories  (pending: extract)" in out

    code, out = _run(env["db"], "check", "--json")
    status = json.loads(out)
    assert code == 0 and status["problems"] == []  # pending work is not a problem
    assert status["stages"] == {"clean": {"done": 4, "pending": 0},
                                "reuse": {"done": 4, "pending": 0},
                                "stories": {"done": 4, "pending": 0},
                                "extract": {"done": 0, "pending": 4}}
    code, out = _run(env["db"], "check")
    assert "store OK" in out and "extract 0 done, 4 pending" in out
    code, out = _run(env["db"], "entities", "--json")
    assert json.loads(out) == []  # extract has not run

    code, out = _run(env["db"], "analyze", "-q", "--json", "--stages", "extract")
    assert code == 0, out
    assert json.loads(out) == {"clean": 0, "extract": 4}  # only the stage asked for (and clean)
    code, out = _run(env["db"], "articles", "--json")
    assert all(a["stages"] == ["clean", "reuse", "stories", "extract"] for a in json.loads(out))
    code, out = _run(env["db"], "entities", "--json")
    assert json.loads(out)  # the demo articles name people and places


def test_a_stage_waits_for_the_stages_before_it(env: dict[str, str]) -> None:
    files = [str(p) for p in sorted(corpus_files())[:2]]
    code, out = _run(env["db"], "ingest", "-q", "--json", "--stages", "clean", *files)
    assert code == 0, out
    code, out = _run(env["db"], "check", "--json")
    stages = json.loads(out)["stages"]
    assert stages.pop("clean") == {"done": 2, "pending": 0}  # stored articles are cleaned
    assert all(s == {"done": 0, "pending": 2} for s in stages.values())
    # extract comes after reuse and stories: asked for alone it finds nothing to do yet
    code, out = _run(env["db"], "analyze", "-q", "--json", "--stages", "extract")
    assert json.loads(out) == {"clean": 0, "extract": 0}
    code, out = _run(env["db"], "analyze", "-q", "--json")
    assert json.loads(out) == {"clean": 0, "reuse": 2, "stories": 2, "extract": 2}


def test_an_unknown_stage_is_a_usage_error(env: dict[str, str]) -> None:
    files = [str(p) for p in sorted(corpus_files())[:1]]
    code, out = _run(env["db"], "ingest", "--stages", "clean,dedupe", *files)
    assert code == 2
    assert "unknown stage(s) dedupe" in out and "clean, reuse, stories, extract" in out
    code, out = _run(env["db"], "articles", "--json")
    assert json.loads(out) == []  # nothing was read
    code, out = _run(env["db"], "analyze", "--stages", ",")
    assert code == 2
