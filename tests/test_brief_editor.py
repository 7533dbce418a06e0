"""A brief that reads as written by an editor (#13 item 5): values grouped, pronouns with
their antecedent, speakers who speak, balanced quotation marks, no captions as facts."""

from __future__ import annotations

from newsweave.brief import make_brief, render
from newsweave.brief.build import balance_quotes, is_furniture
from newsweave.crosscheck.status import StoryArticle
from newsweave.model import Entity, Quote, QuoteVariant

WIRE = (
    "At least 14 people were killed after the Tavra Dam gave way late on Monday, officials "
    "said on Tuesday.\n\n"
    "Jonas Teleki, director of the water authority, told reporters the dam had been "
    "inspected last week.\n\n"
    "He said it was too early to say what had caused the failure of the dam.\n\n"
    "Buy Photo Wayne County Prosecutor Kym Worthy speaks at a news conference on Monday.\n\n"
    "“Nothing like this has happened here,” residents of Wayne County said.\n\n"
    "About 3,200 residents of Morvik were evacuated overnight, the Ministry of Emergency "
    "Situations said."
)
OTHER = (
    "Fourteen people have been confirmed dead after the Tavra Dam failed late on Monday, "
    "officials said.\n\n"
    "Jonas Teleki, director of the water authority, told reporters the dam had been "
    "inspected last week.\n\n"
    "He said it was too early to say what had caused the failure of the dam.\n\n"
    "Buy Photo Wayne County Prosecutor Kym Worthy speaks at a news conference on Monday.\n\n"
    "About 3,200 residents of Morvik were evacuated overnight, the Ministry of Emergency "
    "Situations said."
)
THIRD = (
    "Seventeen people died after the Tavra Dam gave way late on Monday, a hospital official "
    "told the Beacon on Tuesday, three more than the official figure.\n\n"
    "“We have seventeen dead here,” the official told the Beacon.\n\n"
    "About 3,200 residents of Morvik were evacuated overnight, the Ministry of Emergency "
    "Situations said."
)


def brief():
    articles = [StoryArticle(1, WIRE, "Wire", "2026-03-03T09:00"),
                StoryArticle(2, OTHER, "Herald", "2026-03-03T10:00"),
                StoryArticle(3, THIRD, "The Eastern Beacon", "2026-03-03T11:00"),
                StoryArticle(4, OTHER.replace("Fourteen", "14"), "Observer", "2026-03-04")]
    quote = Quote(1, "We have seventeen dead here.", "Beacon", "told", articles=[3],
                  variants=[QuoteVariant(3, "We have seventeen dead here.")])
    place = Quote(2, "Nothing like this has happened here.", "Wayne County", "said",
                  articles=[1])
    entities = [Entity(1, "Wayne County", "GPE", articles={1: 1, 2: 1})]
    return make_brief(1, "Dam", articles, {1: [1], 2: [2], 3: [3], 4: [4]},
                      quotes=[quote, place], entities=entities)


def test_contested_values_are_grouped_with_their_origins() -> None:
    md = render(brief(), "md")
    contested = md.split("## Contested")[1].split("\n## ")[0]
    line = next(x for x in contested.splitlines() if x.startswith("- "))
    assert "**14**, from 3 origins" in line and "**17**, from 1 origin" in line
    assert line.count(" vs ") == 1
    assert len([x for x in contested.splitlines() if x.startswith("  - 14:")]) == 1


def test_no_key_fact_opens_with_a_bare_pronoun() -> None:
    result = brief()
    texts = [c.text for c in result.claims] + [c.text for c in result.lead]
    assert not [t for t in texts if t.split()[0] in ("He", "She", "They")]
    assert any(t.startswith("Jonas Teleki") and "He said it was too early" in t for t in texts)


def test_quote_speakers_are_never_outlets_or_places() -> None:
    speakers = {q.text: q.speaker for q in brief().quotes}
    assert speakers["We have seventeen dead here."] is None
    assert speakers["Nothing like this has happened here."] is None


def test_captions_are_never_facts_or_timeline_entries() -> None:
    result = brief()
    shown = [c.text for c in result.claims] + [t.text for t in result.timeline]
    shown += [c.text for c in result.lead]
    assert not [t for t in shown if "Buy Photo" in t]
    assert is_furniture("Buy Photo Wayne County Prosecutor Kym Worthy speaks on Monday.")
    assert not is_furniture("Photos show the dam gave way late on Monday.")


def test_unbalanced_quotation_marks_are_repaired() -> None:
    assert balance_quotes("The fields are gone,” said Rell.") == "“The fields are gone,” said Rell."
    assert balance_quotes('"The fields are gone for this year.') == \
        '"The fields are gone for this year."'
    assert balance_quotes('Maybe next year too," said Rell.') == '"Maybe next year too," said Rell.'
    assert balance_quotes("No quotation here.") == "No quotation here."


def test_a_source_relayed_by_every_origin_is_shown() -> None:
    result = brief()
    evacuated = next(c for c in result.claims if "3,200" in c.text)
    assert evacuated.source == "Ministry of Emergency Situations" and evacuated.source_shared
    assert "all citing Ministry of Emergency Situations" in render(result, "md")


def test_a_detail_led_by_its_antecedent_is_not_listed_twice() -> None:
    text = ("Jonas Teleki, director of the water authority, told the Observer that inspectors "
            "had visited the dam twice.\n\nHe said his agency would hand all its records to "
            "the commission.")
    articles = [StoryArticle(1, text, "Observer"), StoryArticle(2, THIRD, "Beacon")]
    result = make_brief(1, "Dam", articles, {1: [1], 2: [2]})
    mine = [c.text for c in result.unique.get("Observer", [])]
    assert len([t for t in mine if t.startswith("Jonas Teleki")]) == 1
    assert any(t.startswith("Jonas Teleki") and "He said his agency" in t for t in mine)
