"""`Engine.check(claim)` and `newsweave check`: a claim checked against the demo corpus,
found through the stored vectors and counted by independent origin (the answer key in
src/newsweave/demo/corpus/README.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

import newsweave
from newsweave.cli import cli
from newsweave.crosscheck.claim_check import verdict_of
from newsweave.demo import corpus_files
from newsweave.engine import Engine
from newsweave.errors import InputError, NotFoundError
from newsweave.model import CheckOrigin

EVACUATED = "About 3,200 people were evacuated from Morvik, Kelsa and Dunovo."
WIRE_COPIES = {1, 2, 3}  # the wire (01) and its verbatim reposts (answer key)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("check") / "demo.db"
    with newsweave.open(str(db)) as engine:
        engine.ingest([str(p) for p in corpus_files()])
    yield str(db)


@pytest.fixture()
def demo(demo_db: str) -> Iterator[Engine]:
    with newsweave.open(demo_db) as engine:
        yield engine


def test_a_claim_carried_by_independent_reporters_is_corroborated(demo: Engine):
    result = demo.check(EVACUATED)
    assert result.verdict == "corroborated"
    supporting = [o for o in result.origins if o.stance == "supports"]
    assert len(supporting) >= 2
    # Copies count once: the wire and its reposts fall in one origin.
    holding = [o for o in result.origins
               if WIRE_COPIES & {a.article for a in o.articles}]
    assert len(holding) == 1 and {a.article for a in holding[0].articles} >= WIRE_COPIES
    for origin in result.origins:
        for item in origin.articles:
            text = demo.article(item.article or 0).text
            assert item.evidence and text[item.start:item.end] == item.evidence
    # The sports and product-recall control stories never hold it.
    assert not {a.article for o in result.origins for a in o.articles} & {10, 11, 12, 13}


def test_nothing_found_is_unverified_and_the_story_scope(demo: Engine):
    assert demo.check("The central bank raised interest rates by half a point.").verdict \
        == "unverified"
    story = demo.story_of(1)
    assert story is not None
    scoped = demo.check(EVACUATED, story=story)
    members = set(demo.story_articles(story))
    assert scoped.story == story and scoped.searched == len(members)
    assert {a.article for o in scoped.origins for a in o.articles} <= members
    with pytest.raises(NotFoundError):
        demo.check(EVACUATED, story=9999)
    with pytest.raises(InputError):
        demo.check("   ")


def test_engine_stance_of_a_stored_article_or_a_text(demo: Engine):
    # The divergent report gives another death toll: a contradiction, with its passage.
    # (Worded as the report words it: "killed" for "died" is a synonym the lexical
    # relatedness does not bridge.)
    result = demo.stance("At least 14 people have died after the collapse of the Tavra Dam.", 7)
    assert result.article == 7 and result.stance == "contradicts"
    text = demo.article(7).text
    assert result.evidence and text[result.start:result.end] == result.evidence
    assert "17" in result.evidence or "Seventeen" in result.evidence
    assert demo.stance("The dam gave way.", "Shares rose in Tokyo.").stance == "unrelated"
    with pytest.raises(NotFoundError):
        demo.stance("The dam gave way.", 9999)


def test_verdicts_follow_the_origins():
    def origins(*stances: str) -> list[CheckOrigin]:
        return [CheckOrigin(i, s) for i, s in enumerate(stances)]

    assert verdict_of(origins("supports", "supports")) == "corroborated"
    assert verdict_of(origins("supports", "supports", "contradicts")) == "contested"
    assert verdict_of(origins("supports", "discusses")) == "single-source"
    assert verdict_of(origins("discusses")) == "unverified"
    assert verdict_of([]) == "unverified"


def test_cli_check_claim_and_store(demo_db: str):
    runner = CliRunner()
    plain = runner.invoke(cli, ["--db", demo_db, "check"])
    assert plain.exit_code == 0 and "store OK" in plain.output
    data = json.loads(runner.invoke(cli, ["--db", demo_db, "check", EVACUATED, "--json"]).output)
    assert data["verdict"] == "corroborated" and data["claim"] == EVACUATED
    assert {"origin", "stance", "outlets", "articles"} <= set(data["origins"][0])
    text = runner.invoke(cli, ["--db", demo_db, "check", EVACUATED]).output
    assert text.startswith("corroborated:") and "origin 1" in text
    bad = runner.invoke(cli, ["--db", demo_db, "check", EVACUATED, "--story", "9999"])
    assert bad.exit_code == 2 and "no story with id 9999" in bad.output
