"""The terms, dates and names of one line of an article.

:func:`newsweave.stories.features.extract_features` splits an article into lines and
hands each, with its weight (a title's and lead's count more), to :func:`_add_sentence`:
every content word is a term; a year is a date feature (with its month where the word
before names one); a run of capitalised words (with glue words such as "of" inside) is a
name, whose last word alone counts too, as the text later shortens it. An article read
in another language than English goes through :func:`_add_read_sentence`, with that
language's words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsweave.nlp.text import fold
from newsweave.stories.name_evidence import _evidenced, _is_name_word, _title_case
from newsweave.stories.words import (
    _MONTHS,
    _YEAR,
    DATE,
    Reading,
    _name_key,
    _name_word,
    _term_key,
    key,
)

if TYPE_CHECKING:
    from newsweave.stories.features import Features

# Lowercase words allowed inside a name ("Bank of England", "Leonardo da Vinci").
_NAME_GLUE = frozenset("of de da del der van von al la le di du bin".split())


def _add_sentence(
    words: list[str],
    weight: int,
    lowercase: set[str],
    features: Features,
    surface: dict[int, dict[str, int]],
    terms: list[int],
    confirmed: set[str] | None = None,
    read: Reading | None = None,
) -> None:
    if not words:
        return
    if read is not None:
        _add_read_sentence(words, weight, lowercase, features, surface, terms, read)
        return
    lowers = list(map(str.lower, words))
    found = [k for k in map(_term_key, lowers) if k is not None]
    terms.extend(found)
    for _ in range(1, weight):
        terms.extend(found)
    # Only words opening with a digit or a capital can be dates or names; the lowercase
    # words between them matter only to a name being read (glue words, or its end).
    marked = [i for i, w in enumerate(words) if w[0].isupper() or w[0].isdigit()]
    if not marked:
        return
    title_case = _title_case(words)
    run: list[str] = []
    last = len(words) - 1
    after = 0  # the first position not yet read
    for position in marked:
        if run and after < position:
            after = _extend_run(run, lowers, after, position, last)
            if after < position:  # a lowercase word that is no glue ended the name
                _add_name(run, weight, features, surface)
                run = []
        after = position + 1
        word = words[position]
        if word[0].isdigit():
            if _YEAR.match(word):
                dates = features.dates
                dates[key(DATE, word)] += weight
                previous = lowers[position - 1] if position else ""
                if previous in _MONTHS:
                    dates[key(DATE, f"{word}-{_MONTHS[previous]:02d}")] += weight
        elif _is_name_word(word, 0 if title_case else position, lowercase) and (
                confirmed is None or _evidenced(word, position, title_case, confirmed)):
            run.append(word)
            continue
        if run:
            lower = lowers[position]
            if lower in _NAME_GLUE and position < last:
                run.append(lower)
            else:
                _add_name(run, weight, features, surface)
                run = []
    if run and after <= last and _extend_run(run, lowers, after, last + 1, last) <= last:
        _add_name(run, weight, features, surface)
        run = []
    _add_name(run, weight, features, surface)


def _add_read_sentence(words: list[str], weight: int, lowercase: set[str],
                       features: Features, surface: dict[int, dict[str, int]],
                       terms: list[int], read: Reading) -> None:
    """:func:`_add_sentence` for an article read in its own language (``read``): the same
    terms, dates and names, with that language's words (no name evidence: an English
    bench setting)."""
    lowers = list(map(read.lower, words))
    found = [k for k in map(read.term_key, lowers) if k is not None]
    terms.extend(found)
    for _ in range(1, weight):
        terms.extend(found)
    marked = [i for i, w in enumerate(words) if w[0].isupper() or w[0].isdigit()]
    if not marked:
        return
    title_case = _title_case(words)
    months, not_names = read.months, read.not_names
    names = read.noun_names != "none"
    run: list[str] = []
    last = len(words) - 1
    after = 0

    def close() -> None:
        if read.noun_names != "runs" or len(run) > 1:
            _add_name(run, weight, features, surface, read)
        run.clear()

    for position in marked:
        if run and after < position:
            after = _extend_run(run, lowers, after, position, last)
            if after < position:
                close()
        after = position + 1
        word = words[position]
        lower = lowers[position]
        if word[0].isdigit():
            if _YEAR.match(word):
                dates = features.dates
                dates[key(DATE, word)] += weight
                previous = lowers[position - 1] if position else ""
                month = months.get(previous) or months.get(fold(previous))
                if month is not None:
                    dates[key(DATE, f"{word}-{month:02d}")] += weight
        elif names and lower not in not_names and not (word.isupper() and len(word) > 5) and (
                (position > 0 and not title_case) or lower not in lowercase):
            run.append(word)
            continue
        if run:
            if lower in _NAME_GLUE and position < last:
                run.append(lower)
            else:
                close()
    if run and after <= last and _extend_run(run, lowers, after, last + 1, last) <= last:
        close()
    close()


def _extend_run(run: list[str], lowers: list[str], start: int, stop: int, last: int) -> int:
    """Append the glue words ("of", "da") from ``start`` on to a name being read, before
    ``stop`` and not the line's last word; the position of the first word not appended."""
    position = start
    while position < stop and position < last and lowers[position] in _NAME_GLUE:
        run.append(lowers[position])
        position += 1
    return position


def _add_name(
    run: list[str], weight: int, features: Features, surface: dict[int, dict[str, int]],
    read: Reading | None = None,
) -> None:
    while run and run[-1] in _NAME_GLUE:
        run.pop()
    if not run or (len(run) == 1 and len(run[0]) < 2):
        return
    name_word = _name_word if read is None else read.name_word
    words = [name_word(w) if w[:1].isupper() else w for w in run]
    full = " ".join(words)
    _count_name(full, " ".join(run), weight, features, surface)
    if len(run) > 1:
        # The last word alone too: "Reid" later in the text is "Tara Reid".
        last = run[-1]
        _count_name(name_word(last), last, weight, features, surface)


def _count_name(
    value: str, shown: str, weight: int, features: Features, surface: dict[int, dict[str, int]]
) -> None:
    name_key = _name_key(value)
    features.names[name_key] += weight
    spellings = surface.get(name_key)
    if spellings is None:
        surface[name_key] = {shown: 1}
    else:
        spellings[shown] = spellings.get(shown, 0) + 1
