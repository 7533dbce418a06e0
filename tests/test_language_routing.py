"""The language of an article routes its work: English-only components skip others."""

from __future__ import annotations

import json

from click.testing import CliRunner

import newsweave
from newsweave.cli import cli
from newsweave.crosscheck.status import StoryArticle, cross_check
from newsweave.nlp.language import ENGLISH_ONLY, runs_english, skipped_components

GERMAN = (
    "Hochwasser schließt Brücke in Bergstadt\n\n"
    "Am Montag hat die Stadtverwaltung von Bergstadt die alte Brücke über den Fluss "
    "gesperrt, nachdem das Wasser über Nacht um zwei Meter gestiegen war. Bürgermeisterin "
    "Anna Keller sagte am Dienstag: „Wir können die Sicherheit der Menschen nicht "
    "garantieren.“ Die Feuerwehr hat seit Sonntag mehr als dreihundert Sandsäcke verteilt, "
    "und die Schulen bleiben bis Freitag geschlossen."
)
ENGLISH = (
    "Flood closes bridge in Hillford\n\n"
    "On Monday the city of Hillford closed the old bridge over the river after the water "
    "rose two metres overnight. Mayor Anna Keller said on Tuesday: \"We cannot guarantee "
    "people's safety.\" Firefighters have handed out more than three hundred sandbags "
    "since Sunday, and schools stay closed until Friday."
)


def test_routing_rules():
    assert runs_english("en") and runs_english("en-GB") and runs_english(None)
    assert not runs_english("de")
    skipped = skipped_components("fr")
    assert {s["component"] for s in skipped} == set(ENGLISH_ONLY)
    assert all("English-only" in s["reason"] and "fr" in s["reason"] for s in skipped)


def test_a_german_article_skips_the_english_components_and_says_so(tmp_path):
    db = str(tmp_path / "lang.db")
    with newsweave.open(db) as engine:
        german = engine.ingest_text(GERMAN, source="de.txt").new[0]
        english = engine.ingest_text(ENGLISH, source="en.txt").new[0]
        assert engine.article(german).language == "de"
        assert engine.article(english).language == "en"
        data = engine.article(german).to_dict()
        assert {(s["stage"], s["component"]) for s in data["skipped"]} == {
            ("extract", "ner"), ("extract", "quotes"), ("extract", "dates"),
            ("brief", "claims")}
        assert engine.article(english).to_dict()["skipped"] == []
        # the extract stage finished the German article without English NER or quote rules
        assert engine.store.pending("extract", 2) == []
        assert engine.article_entities(german) == []
        assert engine.article_quotes(german) == []
        assert engine.article_entities(english)  # the English one is analysed as before
        assert engine.dates(german)["expressions"] == []
        assert engine.dates(english)["expressions"]
    result = CliRunner().invoke(cli, ["--db", db, "article", str(german), "--json"])
    assert result.exit_code == 0, result.output
    assert [s["component"] for s in json.loads(result.output)["skipped"]] == list(ENGLISH_ONLY)


def test_claim_rules_skip_an_article_in_another_language():
    articles = [StoryArticle(1, GERMAN.split("\n\n")[1], "A", "2026-03-02", language="de"),
                StoryArticle(2, ENGLISH.split("\n\n")[1], "B", "2026-03-02", language="en")]
    check = cross_check(articles, {})
    assert check.claims[1] == []
    assert check.claims[2]  # the English article's claims are found as before


def test_the_brief_timeline_reads_english_dates_of_english_articles_only():
    from newsweave.brief.timeline import story_timeline

    english = StoryArticle(2, ENGLISH.split("\n\n")[1], "B", "2026-03-04", language="en")
    # The same English text marked German: its weekdays are not read as English dates.
    marked = StoryArticle(1, ENGLISH.split("\n\n")[1], "A", "2026-03-04", language="de")
    assert story_timeline([english])
    assert story_timeline([marked]) == []
    picks = story_timeline([english, marked])
    assert all(pick.articles == [2] for pick in picks)
