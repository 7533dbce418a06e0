"""A first brief parses only the claims whose frames can reach it (docs/benchmarks.md
"Brief speed, part 4"): a quotation's figures (the story's figures never count them) and
the actions of claims whose people no other origin names. The cut must change no figure
and no conflict, and must spare those parses."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import pytest

from newsweave.crosscheck import claims, disputes, status
from newsweave.crosscheck.claims import describe_quantities, split_claims
from newsweave.crosscheck.frames import ClaimFramer
from newsweave.crosscheck.status import StoryArticle, cross_check

WIRE = (
    "At least 14 people were killed and nine were missing after the Tavra Dam gave way late "
    "on Monday, officials said on Tuesday.\n\n"
    "“We pulled 12 people from the water before dawn,” the mayor said.\n\n"
    "Minister Aleksandr Petrin flew to Morvik on Tuesday and met Governor Dorota Krael at the "
    "crisis headquarters.\n\n"
    "Engineer Tomas Vyler had warned Director Ilse Marrow about the cracks in 2024."
)
OTHER = (
    "Seventeen people have now died in the flood that followed the collapse of the Tavra Dam "
    "late on Monday, a hospital official said.\n\n"
    "Interior Minister Viktor Hallan arrived in Morvik on Tuesday and met Governor Dorota "
    "Krael at the crisis headquarters.\n\n"
    "He later thanked Captain Rena Osk for the rescue."
)
SHOT_A = "Detectives said Officer John Baker shot Marcus Reeves outside the bar."
SHOT_B = "Witnesses said Officer Luis Ortega shot Marcus Reaves outside the bar."
TYPES = dict.fromkeys((
    "Aleksandr Petrin", "Dorota Krael", "Viktor Hallan", "Tomas Vyler", "Ilse Marrow",
    "Rena Osk", "John Baker", "Marcus Reeves", "Luis Ortega", "Marcus Reaves"), "PERSON") \
    | {"Morvik": "GPE"}

STORIES: list[tuple[list[tuple[int, str]], dict[int, list[int]]]] = [
    ([(1, WIRE), (2, OTHER)], {1: [1], 2: [2]}),
    ([(1, WIRE), (2, WIRE.replace("14", "15")), (3, OTHER)], {1: [1], 2: [1], 3: [3]}),
    ([(1, WIRE), (2, OTHER)], {1: [1], 2: [1]}),  # one origin: no person can be contested
    ([(1, SHOT_A), (2, SHOT_B)], {1: [1], 2: [2]}),  # "Reeves" and "Reaves" are one person
]


class CountingFramer(ClaimFramer):
    """A framer without a store that records the texts it is asked to read."""

    def __init__(self) -> None:
        super().__init__(None)
        self.asked: list[str] = []

    def quantities(self, items: Sequence[tuple[str, Sequence[tuple[int, int]]]]) -> Any:
        self.asked += [text for text, _ in items]
        return super().quantities(items)

    def actions(self, texts: Sequence[str]) -> Any:
        self.asked += list(texts)
        return super().actions(texts)


def summary(check: status.CrossCheck) -> tuple[Any, ...]:
    """What a brief reads of the figures and conflicts, by claim position."""
    def at(units: Sequence[claims.ClaimUnit]) -> list[tuple[int, int]]:
        return [(u.article, u.index) for u in units]

    figures = [(f.label, f.status, [(value, at(units)) for value, units in f.values])
               for f in check.figures]
    conflicts = [(c.kind, c.slot, c.values, c.update, [at(side) for side in c.variants])
                 for c in check.conflicts]
    return figures, conflicts


def run(story: list[tuple[int, str]], origins: dict[int, list[int]]
        ) -> tuple[tuple[Any, ...], list[str]]:
    framer = CountingFramer()
    articles = [StoryArticle(i, text, f"outlet {i}", f"2026-03-0{i}T09:00")
                for i, text in story]
    return summary(cross_check(articles, origins, entity_types=TYPES, framer=framer)), \
        framer.asked


def uncut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every claim's frames read, as before the cut."""
    monkeypatch.setattr(status, "describe_quantities", partial(describe_quantities, quotes=True))
    monkeypatch.setattr(disputes, "_may_disagree", lambda wanted, _: [True] * len(wanted))


@pytest.mark.parametrize("index", range(len(STORIES)))
def test_the_cut_changes_no_figure_and_no_conflict(
        monkeypatch: pytest.MonkeyPatch, index: int) -> None:
    story, origins = STORIES[index]
    cut, asked_cut = run(story, origins)
    uncut(monkeypatch)
    plain, asked_plain = run(story, origins)
    assert cut == plain
    assert set(asked_cut) <= set(asked_plain)


def test_the_stories_exercise_both_sides_of_the_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    (figures, conflicts), asked = run(*STORIES[0])
    assert [c for c in conflicts if c[0] == "person"]  # Petrin against Hallan is kept
    assert [f for f in figures if len(f[2]) >= 2]
    assert not any("Vyler" in t for t in asked)  # only one origin names them
    # "He" may stand for Governor Krael, whom both origins name
    assert any("Osk" in t for t in asked)
    assert not any(t.startswith("“We pulled") for t in asked)  # a quote's figure
    shot, asked_shot = run(*STORIES[3])
    assert [c for c in shot[1] if c[0] == "person"]  # a fuzzy match of names is kept
    assert len(asked_shot) == 2
    uncut(monkeypatch)
    _, everything = run(*STORIES[0])
    assert any("Vyler" in t for t in everything) and any("“We pulled" in t for t in everything)


def test_one_origin_parses_no_action() -> None:
    _, asked = run(*STORIES[2])
    assert not any("Petrin" in t or "Hallan" in t for t in asked)


def test_a_quotations_figures_are_left_as_read_unless_asked() -> None:
    text = ("“We pulled 12 people from the water before dawn,” the mayor said.\n\n"
            "Rescuers pulled 12 people from the water, officials said.")
    units = split_claims(1, text)
    assert [u.is_quote for u in units] == [True, False]
    describe_quantities(units)
    assert units[0].quantities[0].predicate == "" and units[1].quantities[0].predicate
    describe_quantities(units, quotes=True)
    assert units[0].quantities[0].predicate == units[1].quantities[0].predicate


def test_claims_of_one_origin_or_unshared_people_are_not_wanted() -> None:
    units = split_claims(1, "Governor Dorota Krael met Minister Aleksandr Petrin.", TYPES) + \
        split_claims(2, "Minister Viktor Hallan met Governor Dorota Krail.", TYPES) + \
        split_claims(3, "Engineer Tomas Vyler warned Director Ilse Marrow.", TYPES)
    wanted = [(u, None) for u in units]
    assert disputes._may_disagree(wanted, {1: 1, 2: 2, 3: 3}) == [True, True, False]
    assert disputes._may_disagree(wanted, {1: 1, 2: 1, 3: 3}) == [False, False, False]
    # the last person named before a claim is one of its people when "he" may be a subject
    he = split_claims(3, "He later thanked Engineer Tomas Vyler.", TYPES)
    assert disputes._may_disagree([(units[1], None), (he[0], "Dorota Krael")],
                                  {2: 2, 3: 3}) == [True, True]
    assert disputes._may_disagree([(units[1], None), (units[2], "Dorota Krael")],
                                  {2: 2, 3: 3}) == [False, False]


def test_a_pronoun_is_found_as_the_parse_tokenizes() -> None:
    assert disputes._has_pronoun("Hes the one who met Governor Krael.")  # "He" "s"
    assert disputes._has_pronoun("The minister thanked her.")
    assert not disputes._has_pronoun("The minister thanked the hero and the others.")
    assert not disputes._has_pronoun("Minister Petrin met Governor Krael.")
