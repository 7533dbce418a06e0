"""The words the stories' features read: the feature groups and their hashed keys, the
stop words, month and weekday names, the words that never start a name, and how an
article in another language than English is read (:class:`Reading`). Split from
:mod:`newsweave.stories.features`, which re-exports these names; the settings of the
reading (``LANGUAGE_TEXT`` ...) are set here."""

from __future__ import annotations

import re
import zlib
from functools import lru_cache

from newsweave.nlp.text import STOPWORDS as TEXT_STOPWORDS
from newsweave.nlp.text import (
    is_english,
    language_lower,
    language_stem,
    language_stopwords,
    month_numbers,
    primary,
    stem,
    weekday_numbers,
)

# Feature groups: the prefix is hashed with the feature, so the groups never collide.
TERM, NAME, DATE, FIGURE, LEAD_YEAR, WEEKDAY = "t", "n", "d", "f", "y", "w"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W\d_]+)*(?:[.,]\d+)*", re.UNICODE)
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_FIGURE = re.compile(r"^\d[\d,]*(?:\.\d+)?$")
_MONTHS = month_numbers()  # English month names, full and short (nlp.text)
_WEEKDAYS = frozenset(weekday_numbers())
# Full weekday names only for the lead's weekdays: "Sun" and "Sat" name newspapers too.
_FULL_WEEKDAYS = weekday_numbers(abbreviated=False)
# The one stop-word list (nlp.text), plus what every news report says whatever its event:
# numbers as words, reporting and agency words, time words. IDF would push them down
# anyway, but dropping them keeps vectors short, and so assignment fast.
STOPWORDS = TEXT_STOPWORDS | frozenset(
    """
    new one two three first last would’ve it's don't didn't won't can't isn't wasn't aren't
    news report reported reports reporting reuters ap afp staff editor editing photo
    today yesterday tomorrow week weeks year years month months day days time times
    """.split()
)
# Capitalised words that start sentences or titles without naming anything.
_NOT_NAMES = STOPWORDS | _WEEKDAYS | frozenset(_MONTHS) | frozenset(
    """
    breaking update updated live watch read more video photos exclusive opinion analysis
    police officials official authorities government president minister prime governor mayor
    """.split()
)

# Entries of each word cache below (term keys, name words, name keys). At 65,536 each the
# three held ~35 MiB once full (a stream of new names fills them); at 16,384, ~9 MiB, term
# lookups hit 94.6 % of the time instead of 96.9 % and the features cost the same within
# noise (docs/benchmarks.md, "Stories at 100k, part 3").
_WORD_CACHE = 1 << 14

# Whether an article detected in another language than English is read with its own
# function words, stems, lowercase and month names (nlp.text: language_stopwords,
# language_stem, language_lower; month_numbers), besides the English ones; False: every
# article is read as English (before #12, "Stories in one language other than English").
# English and undetected articles are read as before either way.
LANGUAGE_TEXT = True
# The parts of that reading, each measured alone (bench/stories_languages.py): the
# language's stop words; its stems (off: the English light stem, as before).
LANGUAGE_STOPWORDS = True
LANGUAGE_STEMS = True
# How a capitalised word is read in a language that capitalises every noun (German):
# "names" as in any language (each noun is a name, and two reports of one event "share
# no name" when they use different nouns); "runs": only runs of two or more capitalised
# words ("Angela Merkel", then "Merkel" alone as a name's last word is); "none": no
# names at all (the words stay terms).
CAPITALISED_NOUNS = "names"
# Languages that capitalise every noun.
_NOUN_LANGUAGES = frozenset({"de", "lb"})


class Reading:
    """How the features read one language's words: its stop words, lowercase, stems, the
    words that never start a name, and month names for dates. English (and an unknown
    language) is the module's own lists, exactly as before languages were told apart."""

    __slots__ = (
        "_names",
        "_terms",
        "language",
        "lower",
        "months",
        "not_names",
        "noun_names",
        "stem",
        "stopwords",
    )

    def __init__(self, language: str) -> None:
        self.language = language
        self.stopwords = STOPWORDS | (language_stopwords(language) if LANGUAGE_STOPWORDS
                                      else frozenset())
        self.lower = language_lower(language)
        self.stem = language_stem(language) if LANGUAGE_STEMS else stem
        months = month_numbers(("en", language)) if _has_calendar(language) else _MONTHS
        self.months = months
        days = weekday_numbers(("en", language)) if _has_calendar(language) else {}
        self.not_names = _NOT_NAMES | self.stopwords | frozenset(months) | frozenset(days)
        self.noun_names = CAPITALISED_NOUNS if language in _NOUN_LANGUAGES else "names"
        self._terms: dict[str, int | None] = {}
        self._names: dict[str, str] = {}

    def term_key(self, lower: str) -> int | None:
        found = self._terms.get(lower, 0)
        if found == 0:
            if lower in self.stopwords or (len(lower) < 2 and not lower.isdigit()):
                found = None
            else:
                found = key(TERM, self.stem(lower))
            if len(self._terms) < _WORD_CACHE:
                self._terms[lower] = found
        return found

    def name_word(self, word: str) -> str:
        found = self._names.get(word)
        if found is None:
            found = self.stem(self.lower(word))
            if len(self._names) < _WORD_CACHE:
                self._names[word] = found
        return found


def _has_calendar(language: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def reading(language: str | None) -> Reading | None:
    """The :class:`Reading` of an article in ``language``; None (the English reading, the
    module's own functions) for English, an unknown language, or with
    :data:`LANGUAGE_TEXT` off."""
    if not LANGUAGE_TEXT or is_english(language):
        return None
    return _reading(primary(language), LANGUAGE_STOPWORDS, LANGUAGE_STEMS, CAPITALISED_NOUNS)


@lru_cache(maxsize=64)
def _reading(language: str, stopwords: bool, stems: bool, nouns: str) -> Reading:
    # Keyed by the settings too: a bench or test that switches one gets a new reading.
    return Reading(language)


def key(group: str, value: str) -> int:
    """The stable hashed key of one feature.

    >>> key("t", "flood") == key("t", "flood") != key("n", "flood")
    True
    """
    return zlib.crc32(f"{group}:{value}".encode())


@lru_cache(maxsize=_WORD_CACHE)
def _term_key(lower: str) -> int | None:
    """The term key of a lowercased word, None for words that are not terms (cached:
    a news vocabulary repeats, and stemming and hashing each occurrence showed up)."""
    if lower in STOPWORDS or (len(lower) < 2 and not lower.isdigit()):
        return None
    return key(TERM, stem(lower))


@lru_cache(maxsize=_WORD_CACHE)
def _name_word(word: str) -> str:
    """A capitalised word as it counts in a name (cached, as :func:`_term_key`)."""
    return stem(word.lower())


@lru_cache(maxsize=_WORD_CACHE)
def _name_key(value: str) -> int:
    return key(NAME, value)
