"""Quotations across languages (issue 12, item 3): word alignment pairs two quotations in
two languages by their letters, whatever they say, so such a pair is no shared quotation
(it hid the same-event evidence of two reports of one event, and drew false provenance
edges between languages); a quotation left in the same words in both still is one, and a
``same-event`` relation takes the place of a pair's shared quotes, keeping their passages."""

from __future__ import annotations

from newsweave.model import Article, Edge, Evidence, Passage
from newsweave.reuse import SAME_EVENT_REPLACES, Indexed, _same_events
from newsweave.reuse.align import EDITED, align_texts
from newsweave.reuse.crosslingual import SAME_EVENT_SCORE, Comparison, same_event
from newsweave.reuse.relation import quotes_across, relate

# Written for this test: one statement quoted in English, in German, and left in English
# inside a German report.
QUOTE_EN = '"This is a strategy of hybrid warfare against Germany," Merkel said.'
QUOTE_DE = "„Dies ist eine Strategie der hybriden Kriegsführung gegen Deutschland\", sagte Merkel."
ENGLISH = ("Merkel warns of hybrid warfare\n\nThe chancellor spoke in Berlin on Wednesday "
           "after the hacking attack on the parliament.\n\n" + QUOTE_EN)
GERMAN = ("Merkel warnt vor hybrider Kriegsführung\n\nDie Kanzlerin sprach am Mittwoch in "
          "Berlin nach dem Hackerangriff auf den Bundestag.\n\n" + QUOTE_DE)
GERMAN_KEPT = ("Merkel warnt vor hybrider Kriegsführung\n\nDie Kanzlerin sprach am Mittwoch in "
               "Berlin nach dem Hackerangriff auf den Bundestag.\n\n" + QUOTE_EN)


def _side(article_id: int, text: str, language: str | None) -> Indexed:
    return Indexed(Article(id=article_id, content_hash=str(article_id), raw=text,
                           raw_format="text", text=text, source="-", language=language), [])


def test_quotations_paired_by_letters_across_languages_are_no_shared_quote() -> None:
    english, german = _side(1, ENGLISH, "en"), _side(2, GERMAN, "de")
    alignment = align_texts(ENGLISH, GERMAN)
    # The aligner pairs the two quotations, loosely (their letters, not their words) ...
    assert [p.kind for p in alignment.pairs] == ["quote"]
    assert all(p.score < EDITED for p in alignment.pairs)
    assert not quotes_across(english.article, german.article, alignment)
    edge = relate(english, german, alignment)
    # ... which across languages says nothing: no shared quotation, nothing drawn.
    assert edge.kind == "independent"
    assert any("letters only" in r for r in edge.reasons)
    # The same pair in one language (or with a language unknown) is as before.
    for language in ("en", None):
        same = relate(english, _side(2, GERMAN, language), alignment)
        assert same.kind == "shared-quotes"


def test_a_quotation_left_in_its_words_is_shared_across_languages() -> None:
    english, german = _side(1, ENGLISH, "en"), _side(2, GERMAN_KEPT, "de")
    alignment = align_texts(ENGLISH, GERMAN_KEPT)
    assert any(p.kind == "quote" and p.score >= EDITED for p in alignment.pairs)
    assert quotes_across(english.article, german.article, alignment)
    assert relate(english, german, alignment).kind == "shared-quotes"


def test_same_event_takes_the_place_of_shared_quotes(tmp_path) -> None:
    """Two reports each the other's nearest lead in its language with evidence over the
    gate: the relation stored is ``same-event`` whether the pair had shared quotes or an
    ``independent`` relation, the quotes' passages kept; a copy stays a copy."""
    from conftest import indexed_store

    languages = {1: "en", 2: "de"}
    _, index = indexed_store(str(tmp_path / "s.db"), {1: [1.0, 0.1, 0.0], 2: [1.0, 0.12, 0.0]})
    sides = {1: _side(1, ENGLISH, "en"), 2: _side(2, GERMAN_KEPT, "de")}
    passage = Evidence(Passage(2, 0, 5, "quote"), Passage(1, 0, 5, "quote"), 1.0, "quote")
    close = SAME_EVENT_SCORE + 0.02
    refused = {(1, 2): Comparison(close, 0.2, close)}
    assert SAME_EVENT_REPLACES == ("independent", "shared-quotes")
    for kind in SAME_EVENT_REPLACES:
        held = Edge(derived=2, source=1, kind=kind, confidence=0.8, shared_fraction=0.0,
                    evidence=[passage])
        out = _same_events(None, [held], index, languages.get, refused, sides, {})  # type: ignore[arg-type]
        assert [e.kind for e in out] == ["same-event"]
        assert out[0].evidence == ([passage] if kind == "shared-quotes" else [])
    copy = Edge(derived=2, source=1, kind="copy", confidence=0.9, shared_fraction=0.8)
    assert _same_events(None, [copy], index, languages.get, refused, sides, {}) == [copy]  # type: ignore[arg-type]


def test_same_event_keeps_the_quotations_it_replaces() -> None:
    first, second = _side(3, ENGLISH, "en").article, _side(7, GERMAN_KEPT, "de").article
    passage = Evidence(Passage(7, 0, 5, "quote"), Passage(3, 0, 5, "quote"), 1.0, "quote")
    quoted = Edge(derived=7, source=3, kind="shared-quotes", confidence=0.8,
                  shared_fraction=0.0, evidence=[passage])
    edge = same_event(second, first, Comparison(0.9, 0.25, 0.84), quoted)
    assert (edge.kind, edge.derived, edge.source, edge.evidence) == (
        "same-event", 7, 3, [passage])
    assert "quoted passage" in edge.reasons[-1]
    assert same_event(second, first, Comparison(0.9, 0.25, 0.84)).evidence == []
