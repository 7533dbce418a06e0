"""Where reports differ, how origins are counted, and the status of claim groups."""

from __future__ import annotations

from newsweave.crosscheck.status import StoryArticle, count_origins, cross_check

WIRE = (
    "At least 14 people were killed and nine were missing after the Tavra Dam gave way late "
    "on Monday, officials said on Tuesday.\n\n"
    "About 3,200 residents of Morvik were evacuated overnight to schools and sports halls.\n\n"
    "Minister Aleksandr Petrin flew to Morvik on Tuesday and met Governor Dorota Krael at the "
    "crisis headquarters.\n\n"
    "It is the deadliest dam failure since the Orsa collapse in 1979, in which 31 people died."
)
COPY = WIRE.replace("At least 14 people", "At least 14 people, the agency said,")
OTHER = (
    "Seventeen people have now died in the flood that followed the collapse of the Tavra Dam "
    "late on Monday, a hospital official said.\n\n"
    "More than 3,200 residents of Morvik were evacuated overnight to schools and halls.\n\n"
    "Interior Minister Viktor Hallan arrived in Morvik on Tuesday and met Governor Dorota "
    "Krael at the crisis headquarters."
)
TYPES = {"Aleksandr Petrin": "PERSON", "Dorota Krael": "PERSON", "Viktor Hallan": "PERSON",
         "Morvik": "GPE"}


FOLLOW_UP = (
    "The ministry said on Wednesday evening that the death toll stood at 14.\n\n"
    "Fourteen people have been confirmed dead, officials said."
)


def check(origins: dict[int, list[int]], *, follow_up: bool = True):
    articles = [StoryArticle(1, WIRE, "Wire", "2026-03-03T09:00"),
                StoryArticle(2, COPY, "Repost", "2026-03-03T10:00"),
                StoryArticle(3, OTHER, "Beacon", "2026-03-03T13:00")]
    if follow_up:
        articles.append(StoryArticle(4, FOLLOW_UP, "Observer", "2026-03-04T18:00"))
        origins = {**origins, 4: [4]}
    return cross_check(articles, origins, entity_types=TYPES)


def test_count_origins_ignores_copies() -> None:
    assert count_origins([1, 2, 3], {1: [1], 2: [1], 3: [3]}) == 2
    assert count_origins([2], {2: [1]}) == 1
    assert count_origins([1, 2], {}) == 2


def test_death_toll_is_contested_with_both_variants() -> None:
    result = check({1: [1], 2: [1], 3: [3]})
    numbers = [c for c in result.conflicts if c.kind == "number"]
    assert len(numbers) == 1 and not numbers[0].update
    sides = [sorted({u.article for u in side}) for side in numbers[0].variants]
    assert sides == [[1, 2, 4], [3]]
    assert numbers[0].values == ["14", "17"]


def test_a_later_changed_figure_is_an_update_not_a_dispute() -> None:
    # Without the next day's report restating 14, "have now died" at 13:00 updates 09:00's 14.
    result = check({1: [1], 2: [1], 3: [3]}, follow_up=False)
    numbers = [c for c in result.conflicts if c.kind == "number"]
    assert len(numbers) == 1 and numbers[0].update and numbers[0].values == ["14", "17"]
    assert all(g.status != "contested" for g in result.groups
               if any(u.quantities for u in g.units))


def test_two_peoples_ages_are_not_one_quantity() -> None:
    a = StoryArticle(1, "A 5-year-old boy was shot on Elm Street on Tuesday night, police said.")
    b = StoryArticle(2, "His 18-year-old brother was shot on Elm Street on Tuesday, police said.")
    result = cross_check([a, b], {1: [1], 2: [2]})
    assert not [c for c in result.conflicts if c.kind == "number"]


def test_different_counts_of_one_sentence_never_meet() -> None:
    a = StoryArticle(1, "At least 14 people were killed and nine were missing, officials said.")
    b = StoryArticle(2, "Nine people were missing and 14 had been killed, the police said.")
    result = cross_check([a, b], {1: [1], 2: [2]})
    assert not [c for c in result.conflicts if c.kind == "number"]


def test_people_conflict_in_any_action_not_only_meetings() -> None:
    a = StoryArticle(1, "Detectives said Officer John Baker shot Marcus Reed outside the bar.")
    b = StoryArticle(2, "Witnesses said Officer Luis Ortega shot Marcus Reed outside the bar.")
    types = {"John Baker": "PERSON", "Marcus Reed": "PERSON", "Luis Ortega": "PERSON"}
    result = cross_check([a, b], {1: [1], 2: [2]}, entity_types=types)
    people = [c for c in result.conflicts if c.kind == "person"]
    assert len(people) == 1
    assert sorted(people[0].values) == ["John Baker", "Luis Ortega"]


def test_history_and_approximate_agreement_are_not_conflicts() -> None:
    result = check({1: [1], 2: [1], 3: [3]})
    # "31 people died in 1979" is background, and "more than 3,200" agrees with "about 3,200".
    assert all("evacuated" not in c.slot for c in result.conflicts)
    values = {u.text[:9] for c in result.conflicts for side in c.variants for u in side}
    assert "It is the" not in values


def test_person_who_met_the_governor_is_contested() -> None:
    result = check({1: [1], 2: [1], 3: [3]})
    people = [c for c in result.conflicts if c.kind == "person"]
    assert len(people) == 1
    texts = [" ".join(u.text for u in side) for side in people[0].variants]
    assert any("Petrin" in t for t in texts) and any("Hallan" in t for t in texts)


def test_a_copy_never_contests_its_source() -> None:
    articles = [StoryArticle(1, WIRE, "Wire"), StoryArticle(2, WIRE.replace("14", "17"), "Copy")]
    result = cross_check(articles, {1: [1], 2: [1]}, entity_types=TYPES)
    assert not [c for c in result.conflicts if c.kind == "number"]


def test_status_counts_independent_origins() -> None:
    result = check({1: [1], 2: [1], 3: [3]})
    statuses = {g.status for g in result.groups}
    assert "contested" in statuses
    for group in result.groups:
        if group.status == "corroborated":
            assert group.origins >= 2
        if group.status == "single-source":
            assert group.origins == 1
    # The copy adds nothing: the wire's own facts stay single-source.
    orsa = next(g for g in result.groups if "Orsa" in g.first.text)
    assert orsa.articles == [1, 2] and orsa.status == "single-source"


def test_unique_details_and_omissions() -> None:
    result = check({1: [1], 2: [1], 3: [3]})
    assert all(len({u.article for u in g.units}) >= 1 for g in result.groups)
    for outlet, groups in result.omissions.items():
        for group in groups:
            assert group.status == "corroborated"
            assert outlet not in {a.outlet for a in result.articles if a.id in group.articles}


def test_dollars_and_a_share_are_not_one_quantity() -> None:
    a = StoryArticle(1, "Last year the couple donated over 10 percent of their income to charity.",
                     published="2016-08-12")
    b = StoryArticle(2, "They also donated $15 million to charity over the eight years.",
                     published="2016-08-12")
    result = cross_check([a, b], {1: [1], 2: [2]})
    assert not [c for c in result.conflicts if c.kind == "number"]


def test_a_figure_set_in_a_past_year_is_history() -> None:
    a = StoryArticle(1, "In 2010, after a wave of Tea Party wins, she lost just 43 votes.",
                     published="2016-11-30")
    b = StoryArticle(2, "She lost 63 votes in the caucus ballot on Wednesday, members said.",
                     published="2016-11-30")
    result = cross_check([a, b], {1: [1], 2: [2]})
    assert not [c for c in result.conflicts if c.kind == "number"]


def test_a_cut_quotation_is_no_denial_and_today_is_no_other_date() -> None:
    a = StoryArticle(1, "“If we do not get tough and smart real fast, we are not going to have "
                        "a country anymore,” Mr. Trump said in a statement today.")
    b = StoryArticle(2, "\"If we do not get tough and smart real fast, we are not going to have "
                        "a country anymore, Mr. Trump said in a statement on Tuesday.")
    result = cross_check([a, b], {1: [1], 2: [2]})
    assert not [c for c in result.conflicts if c.kind in ("negation", "date")]
