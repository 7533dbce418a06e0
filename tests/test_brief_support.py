"""The support check: citations verified against the cited article, dropped or re-cited."""

from __future__ import annotations

from newsweave.brief.build import Brief, Cited
from newsweave.brief.support import check_support, find_support

TEXTS = {
    1: "At least 14 people were killed when the dam broke. About 3,200 people were evacuated.",
    2: "The minister visited the town. Rescuers searched the streets.",
    3: "Officials said about 3,200 people were evacuated overnight from the valley.",
}


def brief(lead: list[Cited]) -> Brief:
    return Brief(1, "t", lead, [], [], [], [], [])


def test_find_support_returns_the_passage_with_offsets() -> None:
    found = find_support("About 3,200 people were evacuated.", 1, TEXTS[1])
    assert found is not None
    assert TEXTS[1][found.start : found.end] == found.text
    assert "3,200" in found.text


def test_a_different_number_is_not_supported() -> None:
    assert find_support("At least 17 people were killed when the dam broke.", 1, TEXTS[1]) is None


def test_unsupported_citation_is_dropped_and_supported_one_kept() -> None:
    item = Cited("About 3,200 people were evacuated.", [1, 2])
    result = check_support(brief([item]), TEXTS)
    assert item.cites == [1]
    assert [p.article for p in item.evidence] == [1]
    assert result.support["dropped_citations"] == 1


def test_sentence_without_valid_citation_is_recited_or_dropped() -> None:
    recite = Cited("Officials said about 3,200 people were evacuated overnight.", [2])
    invented = Cited("The president resigned after the vote in parliament.", [1])
    result = check_support(brief([recite, invented]), TEXTS)
    assert recite.cites == [3]
    assert result.lead == [recite]
    assert result.support["recited"] == 1 and result.support["dropped_sentences"] == 1
