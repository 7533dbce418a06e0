"""What a report's title and lead state, for the vetoes: figures, places, years, weekdays.

Each is a set of keys of its own group (never weighed: the words are terms, names or
dates already) that two reports compare for a veto (:func:`newsweave.stories.vectors.veto_factor`):
the figures of what happened, the places it happened in, the years and the weekdays it
happened on. :func:`newsweave.stories.features.extract_features` reads them from the lines
of the title and the first sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsweave.stories.name_evidence import _title_case
from newsweave.stories.words import (
    _FIGURE,
    _FULL_WEEKDAYS,
    _MONTHS,
    _WEEKDAYS,
    _YEAR,
    FIGURE,
    LEAD_YEAR,
    WEEKDAY,
    _name_key,
    _name_word,
    key,
)

# Prepositions that put the capitalised words after them in a place ("shot in Culver City",
# "a crash near Lake Worth"): where the title and lead say it happened (Features.places).
_LOCATIVE = frozenset("in at near outside".split())


def _weekdays(words: Sequence[str]) -> set[int]:
    """The keys of the weekdays among ``words``, written in full with a capital.

    >>> _weekdays(["on", "Tuesday", "tuesday", "Sun", "Sunday"]) == {
    ...     key(WEEKDAY, "1"), key(WEEKDAY, "6")}
    True
    """
    found = set()
    for word in words:
        day = _FULL_WEEKDAYS.get(word.lower()) if word[:1].isupper() else None
        if day is not None:
            found.add(key(WEEKDAY, str(day)))
    return found


def _figures(words: Sequence[str]) -> set[int]:
    """The keys of the figures among ``words``: numbers, thousands' commas dropped, years
    aside (they are dates).

    >>> _figures(["fell", "to", "1.5", "million", "34,000", "2020", "1st"]) == {
    ...     key(FIGURE, "1.5"), key(FIGURE, "34000")}
    True
    """
    return {key(FIGURE, w.replace(",", "")) for w in words
            if w[0].isdigit() and _FIGURE.match(w) and not _YEAR.match(w)}


def _years(words: Sequence[str]) -> set[int]:
    """The lead-year keys of the years among ``words``, each also with its month where the
    word before it names one (as the date features read them).

    >>> _years("Quake of May 2013 recalls 1979 collapse".split()) == {
    ...     key(LEAD_YEAR, "2013"), key(LEAD_YEAR, "2013-05"), key(LEAD_YEAR, "1979")}
    True
    """
    found: set[int] = set()
    for position, word in enumerate(words):
        if word[0].isdigit() and _YEAR.match(word):
            found.add(key(LEAD_YEAR, word))
            month = _MONTHS.get(words[position - 1].lower()) if position else None
            if month is not None:
                found.add(key(LEAD_YEAR, f"{word}-{month:02d}"))
    return found


def _places(words: Sequence[str], lowercase: set[str]) -> set[int]:
    """The keys of the places among ``words``: each run of capitalised words after a
    locative preposition (and an optional "the"; "and" / "or" continue a list of places),
    months and weekdays aside, and in a Title Case line only words the text never writes
    in lowercase (as a name is read there). A place gives two keys, the whole run and its
    first word, so "Culver" of a headline whose "City" the text writes in lowercase
    matches "Culver City" of the lead; the keys are name keys (the names hold the same
    runs), so a place can be looked up among another report's names.

    >>> from newsweave.stories.words import NAME
    >>> _places("A man was shot in Culver City on Monday".split(), set()) == {
    ...     key(NAME, "culver " + _name_word("City")), key(NAME, "culver")}
    True
    >>> len(_places("Two dead in Compton and Huntington Park".split(), set()))  # 1 + 2
    3
    >>> _places("He said in January that at least 3 died".split(), set())
    set()
    """
    found: set[int] = set()
    last = len(words)
    if last < 2:
        return found
    title_case = _title_case(list(words))
    position = 0
    while position < last - 1:
        if words[position].lower() not in _LOCATIVE:
            position += 1
            continue
        start = position + 1
        while start < last:
            if words[start].lower() == "the" and start + 1 < last:
                start += 1
            end = start
            while end < last and _place_word(words[end], title_case, lowercase):
                end += 1
            if end == start:
                break
            run = [_name_word(w) for w in words[start:end]]
            found.add(_name_key(" ".join(run)))
            found.add(_name_key(run[0]))
            if end + 1 < last and words[end].lower() in ("and", "or"):
                start = end + 1
                continue
            start = end
            break
        position = max(start, position + 1)
    return found


def _place_word(word: str, title_case: bool, lowercase: set[str]) -> bool:
    lower = word.lower()
    return (word[0].isupper() and lower not in _MONTHS and lower not in _WEEKDAYS
            and not (title_case and lower in lowercase))
