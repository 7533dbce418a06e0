"""Claims: sentences and clauses with their numbers, names, dates, negation, quotes."""

from __future__ import annotations

from newsweave.crosscheck.claims import describe_quantities, quantities, split_claims

TEXT = (
    "At least 14 people were killed and nine were missing after the dam gave way late on "
    "Monday, officials said.\n\n"
    "About 3,200 residents were evacuated; 41 people were being treated in hospital.\n\n"
    "“We will not stop until every missing person is accounted for,” Minister Aleksandr "
    "Petrin said.\n\n"
    "The company did not comment on the report.\n\n"
    "Advertisement"
)


def test_claims_keep_offsets_into_the_text() -> None:
    claims = split_claims(7, TEXT)
    assert claims, "expected claims"
    for claim in claims:
        assert claim.article == 7
        assert TEXT[claim.start : claim.end] == claim.text


def test_semicolon_splits_a_sentence_into_two_claims() -> None:
    texts = [c.text for c in split_claims(1, TEXT)]
    assert "About 3,200 residents were evacuated" in texts
    assert "41 people were being treated in hospital." in texts


def test_page_furniture_is_not_a_claim() -> None:
    assert all(c.text != "Advertisement" for c in split_claims(1, TEXT))


def described(text: str) -> set[tuple[float, str, bool]]:
    claims = split_claims(1, text)
    describe_quantities(claims)
    return {(q.value, q.measure, q.approximate) for c in claims for q in c.quantities}


def test_quantities_know_what_they_count_from_the_parse() -> None:
    found = described(TEXT)
    assert (14.0, "people killed", True) in found
    assert (9.0, "missing", False) in found
    assert (3200.0, "residents evacuated", True) in found
    assert (41.0, "people treated", False) in found


def test_a_measure_that_describes_something_knows_what() -> None:
    claims = split_claims(1, "A 5-year-old boy and his 18-year-old brother were shot on Tuesday.")
    describe_quantities(claims)
    ages = {(q.value, q.of) for c in claims for q in c.quantities}
    assert ages == {(5.0, "boy"), (18.0, "brother")}


def test_changes_and_former_values_are_marked() -> None:
    claims = split_claims(1, "The death toll rose to 17 on Wednesday.\n\n"
                             "About 1,900 people remained in shelters, down from 3,200 on Monday.")
    describe_quantities(claims)
    found = {q.value: q for c in claims for q in c.quantities}
    assert found[17.0].change and found[17.0].measure == "death toll"
    assert found[3200.0].history and not found[1900.0].history


def test_years_dates_and_increments_are_not_counts() -> None:
    found = quantities("In 1979, 31 people died; on March 3 three more victims were found.")
    assert [q.value for q in found] == [31.0]


def test_written_numbers_and_spaced_thousands() -> None:
    found = {q.value for q in quantities("Seventeen people died and 3 200 fled.")}
    assert found == {17.0, 3200.0}


def test_negation_and_quotation_flags() -> None:
    claims = {c.text[:12]: c for c in split_claims(1, TEXT)}
    assert claims["The company "].negated
    assert not claims["At least 14 "].negated
    assert claims["“We will not"].is_quote
    assert not claims["At least 14 "].is_quote


def test_people_typed_by_the_extract_stage_and_by_titles() -> None:
    typed = split_claims(1, TEXT, {"Aleksandr Petrin": "PERSON"})
    quote = next(c for c in typed if c.is_quote)
    assert quote.people == ["Aleksandr Petrin"]
    # Without entity types, a name after a title word still counts as a person.
    untyped = next(c for c in split_claims(1, TEXT) if c.is_quote)
    assert any("Petrin" in p for p in untyped.people)


def test_date_words_are_collected() -> None:
    first = split_claims(1, TEXT)[0]
    assert "monday" in first.dates
