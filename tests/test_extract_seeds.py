"""The extraction stage end to end: the seed articles, the demo corpus and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

import newsweave
from conftest import REPO, require_shared
from newsweave.cli import cli
from newsweave.engine import Engine

DEMO = REPO / "src" / "newsweave" / "demo" / "corpus"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, str]]:
    folder = require_shared("corpus/seeds")
    db = str(tmp_path_factory.mktemp("seeds") / "seeds.db")
    with newsweave.open(db) as engine:
        report = engine.ingest([str(folder)])
        assert len(report.new) == 5
        yield engine, db


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    with newsweave.open(db) as engine:
        engine.ingest([str(DEMO)])
        yield engine


def _entity(engine: Engine, spelling: str):
    found = [e for e in engine.entities() if spelling == e.name or spelling in e.aliases]
    assert len(found) == 1, f"{spelling!r} is in {len(found)} entities"
    return found[0]


def test_every_spelling_of_the_security_council_secretary_is_one_person_in_all_five(seeds):
    engine, _ = seeds
    person = _entity(engine, "Patrushev")
    spellings = {person.name, *person.aliases}
    assert {"Nikolai Patrushev", "Nikolay Patrushev", "Nikolai Patruchev"} <= spellings
    assert person.type == "PERSON"
    assert len(person.articles) == 5
    assert any("Security Council" in role for role in person.roles)
    assert _entity(engine, "Patruchev").id == person.id


def test_the_chinese_counterparts_each_article_names_are_found(seeds):
    engine, _ = seeds
    yang = _entity(engine, "Yang Jiechi")
    guo = _entity(engine, "Guo Shengkun")
    assert yang.type == guo.type == "PERSON"
    assert len(yang.articles) == 4 and len(guo.articles) == 1
    assert not set(yang.articles) & set(guo.articles)  # the one article naming another official


def test_the_security_council_statement_is_one_quote_group_across_outlets(seeds):
    engine, _ = seeds
    groups = [q for q in engine.quotes() if "unconditional priority" in q.text]
    assert len(groups) == 1
    assert len(groups[0].articles) >= 3
    assert all("unconditional priority" in v.text for v in groups[0].variants)


def test_the_meeting_date_resolves_from_on_monday(seeds):
    engine, _ = seeds
    resolved = []
    for article in engine.articles():
        found = engine.dates(article.id)
        for x in found["expressions"]:
            if x["text"].lower().startswith("on monday"):
                resolved.append((x["date"], x["inferred"], found["reported"] is None))
    assert len(resolved) >= 4
    assert {date for date, _, _ in resolved} == {"2022-09-19"}
    # Undated articles get the date from their story's range, and say so.
    assert all(inferred == undated for _, inferred, undated in resolved)


def test_cli_json_shapes(seeds):
    _, db = seeds
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", db, "entities", "--json"])
    assert result.exit_code == 0, result.output
    entity = json.loads(result.output)[0]
    assert set(entity) == {"id", "name", "type", "aliases", "roles", "articles"}
    result = runner.invoke(cli, ["--db", db, "quotes", "--json"])
    quote = json.loads(result.output)[0]
    assert {"id", "text", "speaker", "cue", "articles", "variants"} <= set(quote)
    assert {"article", "text"} <= set(quote["variants"][0])
    result = runner.invoke(cli, ["--db", db, "dates", "1", "--json"])
    assert result.exit_code == 0
    assert {"text", "date", "range", "sentence"} <= set(json.loads(result.output)["expressions"][0])
    result = runner.invoke(cli, ["--db", db, "dates", "999"])
    assert result.exit_code == 2 and "999" in result.output
    result = runner.invoke(cli, ["--db", db, "entities", "--story", "999"])
    assert result.exit_code == 2


def test_story_filter_limits_entities_to_the_story(seeds):
    engine, _ = seeds
    story = engine.story_of(1)
    assert story is not None
    members = set(engine.story_articles(story))
    for entity in engine.entities(story=story):
        assert set(entity.articles) <= members


def test_demo_names_with_variants_and_the_shared_statement(demo):
    assert DEMO.is_dir()
    petrin = _entity(demo, "Alexander Petrin")
    assert petrin.name == "Aleksandr Petrin"
    assert len(petrin.articles) >= 5
    ostrow = _entity(demo, "Pavel Ostrow")
    assert "Pavel Ostrov" in ostrow.aliases
    assert _entity(demo, "Krael").name == "Dorota Krael"
    statement = [q for q in demo.quotes() if "every missing person" in q.text]
    assert len(statement) == 1
    assert len(statement[0].articles) >= 6
    assert statement[0].speaker == "Aleksandr Petrin"


def test_a_failing_article_is_recorded_and_the_batch_goes_on(engine, monkeypatch):
    from newsweave.extract import entities as module

    real = module.find_mentions

    def flaky(text, ents):
        if "Broken" in text:
            raise ValueError("bad article")
        return real(text, ents)

    monkeypatch.setattr("newsweave.extract.nlp.find_mentions", flaky)
    engine.ingest_text("Broken piece\n\nA Broken thing said nothing at all today.")
    engine.ingest_text("Rain in Oslo\n\nMayor Erna Dahl said the rain in Oslo would stop.")
    names = {e.name for e in engine.entities()}
    assert "Erna Dahl" in names
    from newsweave.extract import ExtractStage

    assert engine.store.pending("extract", ExtractStage.version) == []

