"""Extraction building blocks on small hand-made inputs: names, dates, quotes, groups."""

from __future__ import annotations

from datetime import date

from newsweave.extract.canonical import resolve_entities, skeleton
from newsweave.extract.dates import find_dates
from newsweave.extract.entities import Mention, find_acronyms
from newsweave.extract.groups import Instance, group_quotes, same_statement
from newsweave.extract.quotes import candidate_sentences, find_quotations, find_quote_spans


def _m(text: str, label: str = "PERSON", start: int = 0, roles: list[str] | None = None,
       acronym: str | None = None) -> Mention:
    return Mention(text, label, start, start + len(text), roles or [], acronym)


def _by_name(entities):
    return {e.name: e for e in entities}


def test_transliterations_of_one_person_are_one_entity():
    assert skeleton("Nikolay Patruchev") == skeleton("Nikolai Patrushev")
    entities = resolve_entities({
        1: [_m("Aleksandr Petrov", roles=["Energy Minister"]), _m("Petrov", start=50)],
        2: [_m("Alexander Petrov"), _m("Petrov", label="ORG", start=30)],  # mislabelled
        3: [_m("Petrov")],  # surname only: joins the one Petrov of the store
    })
    people = [e for e in entities if e.type == "PERSON"]
    assert len(people) == 1
    assert people[0].articles == {1: 2, 2: 2, 3: 1}
    assert people[0].roles == ["Energy Minister"]
    assert "Alexander Petrov" in people[0].aliases or people[0].name == "Alexander Petrov"


def test_two_people_sharing_a_surname_stay_apart_and_a_lone_surname_is_not_guessed():
    entities = resolve_entities({
        1: [_m("Maria Lindqvist"), _m("Lindqvist", start=40)],
        2: [_m("Johan Lindqvist")],
        3: [_m("Lindqvist")],  # no full name here and two candidates in the store
    }, {1: 10, 2: 11, 3: 12})
    by_name = _by_name(entities)
    assert by_name["Maria Lindqvist"].articles == {1: 2}
    assert by_name["Johan Lindqvist"].articles == {2: 1}
    assert by_name["Lindqvist"].articles == {3: 1}


def test_a_lone_surname_joins_the_full_name_of_its_own_story_first():
    entities = resolve_entities({
        1: [_m("Maria Lindqvist")],
        2: [_m("Johan Lindqvist")],
        3: [_m("Lindqvist")],
    }, {1: 10, 2: 11, 3: 11})
    assert _by_name(entities)["Johan Lindqvist"].articles == {2: 1, 3: 1}


def test_acronyms_spelling_pairs_and_possessives():
    text = "Leaders met at the Northern Trade Forum (NTF) in Kyiv. The NTF said so."
    assert find_acronyms(text) == {"Northern Trade Forum": "NTF"}
    entities = resolve_entities({
        1: [_m("Northern Trade Forum", "ORG", acronym="NTF"), _m("NTF", "ORG", 40),
            _m("Kyiv", "GPE")],
        2: [_m("NTF", "ORG"), _m("Kiev", "GPE")],
    })
    by_name = _by_name(entities)
    assert by_name["Northern Trade Forum"].articles == {1: 2, 2: 1}
    assert "NTF" in by_name["Northern Trade Forum"].aliases
    places = [e for e in entities if e.type == "GPE"]
    assert len(places) == 1 and set(places[0].articles) == {1, 2}


def test_weekdays_resolve_against_the_publication_day():
    monday = date(2024, 6, 10)
    found = {m.text: m for m in find_dates(
        "They met on Monday. The vote was last Thursday (6). It ends next Friday.",
        (monday, monday))}
    assert found["on Monday"].date == "2024-06-10"  # published on a Monday: that day
    assert found["last Thursday (6)"].date == "2024-06-06"
    assert found["next Friday"].date == "2024-06-14"
    tuesday = date(2024, 6, 11)
    (mention,) = find_dates("The talks opened on Monday.", (tuesday, tuesday))
    assert mention.date == "2024-06-10" and mention.role == "event"


def test_absolute_dates_ranges_and_the_dateline():
    day = date(2024, 6, 11)
    found = {m.text: m for m in find_dates(
        "June 11 (AP) -- Before the Feb. 24 vote, earlier this month, and in fact since the "
        "1970s, the party held the seat. Talks began on 3 March 2023.", (day, day))}
    assert found["June 11"].role == "report"
    assert found["Feb. 24"].date == "2024-02-24"
    assert found["earlier this month"].range == ("2024-06-01", "2024-06-11")
    assert found["since the 1970s"].range == ("1970-01-01", "2024-06-11")
    assert found["3 March 2023"].date == "2023-03-03"


def test_without_a_date_a_story_range_gives_an_inferred_answer_or_none():
    (mention,) = find_dates("The talks opened on Monday.", (date(2024, 6, 10), date(2024, 6, 11)),
                            inferred=True)
    assert mention.date == "2024-06-10" and mention.inferred
    (unresolved,) = find_dates("The talks opened on Monday.", None)
    assert unresolved.date is None and unresolved.range is None


def test_quote_spans_straight_curly_and_across_sentences():
    text = ('“We will rebuild. Every home will stand again,” she said.\n'
            'He called it "a plan that cannot fail at all" and left. A “no limits” deal.')
    spans = [s.text for s in find_quote_spans(text)]
    assert spans == ["We will rebuild. Every home will stand again,",
                     "a plan that cannot fail at all"]


def test_quote_groups_join_verbatim_trimmed_and_paraphrased_variants():
    full = "The embankment gave way under pressure it was never built to carry, he said."
    instances = [
        Instance(1, full, 0, len(full), "Ada Novak", "said", True),
        Instance(2, "The embankment gave way under pressure it was never built to carry", 5, 70,
                 "Ada Novak", "said", True),
        Instance(3, "the embankment gave way under a pressure, for which it was never built",
                 0, 60, None, None, True),
        Instance(4, "Ticket prices will rise in the spring for all riders", 0, 50, "Bo", "said",
                 True),
    ]
    assert same_statement(instances[0].text, instances[1].text, 85)
    groups = group_quotes(instances)
    assert len(groups) == 2
    assert groups[0].articles == [1, 2, 3] and groups[0].speaker == "Ada Novak"
    assert [v.article for v in groups[0].variants] == [1, 2, 3]


def _attributions(text: str):
    from newsweave.extract import nlp
    from newsweave.extract.quotes import find_attributions

    return find_attributions(text, nlp.parse)


def test_an_interrupted_quotation_and_its_continuation_are_one_attribution():
    text = ('“The embankment gave way before midnight,” Minister Ada Novak said. “We will '
            'rebuild every home.”\n\n“Nobody will be left without a roof this winter.”\n\n'
            'The weather was calm.')
    (found,) = _attributions(text)
    assert found.source.text == "Minister Ada Novak" and found.cue.text == "said"
    assert text[found.content.start:found.content.end].startswith("“The embankment")
    assert text[found.content.start:found.content.end].endswith("this winter.”")
    assert found.statement() == ("The embankment gave way before midnight. We will rebuild "
                                 "every home. Nobody will be left without a roof this winter.")


def test_reported_speech_keeps_that_and_runs_to_the_sentence_end():
    text = ("The mayor told reporters that the levee would hold, but that the river "
            "would rise again on Friday.")
    (found,) = _attributions(text)
    assert found.source.text == "The mayor" and found.cue.text == "told"
    assert found.content.text == ("that the levee would hold, but that the river would rise "
                                  "again on Friday")
    assert not found.direct


def test_a_partial_quotation_inside_a_clause_leaves_the_clause_as_content():
    text = 'Novak says the plan is “ripe for abuse” and lacks any funding at all.'
    (found,) = _attributions(text)
    assert found.content.text == "the plan is “ripe for abuse” and lacks any funding at all"


def test_double_apostrophe_quotes_and_speaker_lines():
    text = ("''We finally may be seeing wage growth here,'' the economist wrote on his blog.\n\n"
            "WALLACE: Will the governor be at the debate tomorrow night?")
    first, second = _attributions(text)
    assert first.direct and first.source.text == "the economist" and first.cue.text == "wrote"
    assert first.statement() == "We finally may be seeing wage growth here,"
    assert second.source.text == "WALLACE"
    assert second.content.text == "Will the governor be at the debate tomorrow night?"


def test_future_tense_weekdays_look_ahead():
    from datetime import date

    from newsweave.extract.dates import find_dates

    tuesday = (date(2026, 3, 3), date(2026, 3, 3))
    cases = {
        "The premier is expected to visit the area on Wednesday.": "2026-03-04",
        "The parishes will hold a memorial service on Sunday.": "2026-03-08",
        "Moscow announced on Monday that it will expand the drills.": "2026-03-02",
        "The dam gave way late on Monday, officials said.": "2026-03-02",
        '"We will rebuild," the mayor said on Monday.': "2026-03-02",
    }
    for sentence, expected in cases.items():
        [mention] = find_dates(sentence, tuesday)
        assert mention.date == expected, sentence


def test_parse_work_per_article_is_capped_by_a_budget():
    text = " ".join(f"Official {n} said the dam held." for n in range(40))
    sentences = candidate_sentences(text, find_quotations(text))
    assert len(sentences) == 40
    capped = candidate_sentences(text, find_quotations(text), budget=300)
    assert 0 < len(capped) < 40
    assert sum(len(s.text) for s in capped) <= 300
    assert capped == sentences[: len(capped)]  # the start of the text is kept


def test_a_title_ends_with_its_role_word():
    from newsweave.extract.entities import _role_before

    text = "Petrin met Selka Governor Dorota Krael on Tuesday."
    assert _role_before(text, text.index("Krael")) == "Selka Governor"
    text = "He met Interior Minister Viktor Hallan."
    assert _role_before(text, text.index("Viktor")) == "Interior Minister"
