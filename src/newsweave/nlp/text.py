"""The one text layer: stop words, stemming, month and weekday names, words, sentences.

Every stage that needs these takes them from here, so a word is a stop word, a
stem or a month name in the same way everywhere.

- :data:`STOPWORDS`: English function words (articles, pronouns, auxiliaries,
  prepositions, conjunctions, and the reporting verbs every news sentence has:
  "said", "told"). A consumer with a narrower purpose adds its own named list on top.
- :func:`stem`: a light English stemmer (plurals and possessives: "quakes" is
  "quake", "cities" is "city"). The Snowball English stemmer (:func:`snowball_stem`,
  PyStemmer, the ``bench`` extra) was measured in its place for story clustering and
  lost there (AllSides BCubed F1 0.829 -> 0.817, ECB+ 0.917 -> 0.916; BASIL 0.964 -> 0.970;
  ``python bench/text_stemmer.py``, docs/benchmarks.md "The house"), so it is not the
  default.
- :func:`month_numbers`, :func:`weekday_numbers`: names from the Unicode CLDR (through
  babel), wide and abbreviated, in the languages the corpus meets most.
- :func:`language_stopwords`, :func:`language_stem`, :func:`language_lower`: the same
  for an article in another language (#12, "Stories in one language other than English"):
  its function words (spaCy's list for the language) on top of the English ones, its
  Snowball stem (PyStemmer), its lowercase (Turkish "İ"). English and an unknown language
  get exactly :data:`STOPWORDS`, :func:`stem` and ``str.lower``.
- :func:`words`: the word tokenizer; :func:`split_sentences`: the sentence splitter
  (:mod:`newsweave.nlp.sentences`).

>>> [stem(w) for w in ("quakes", "cities", "police", "boss", "analysis", "Obama's")]
['quake', 'city', 'police', 'boss', 'analysis', 'Obama']
>>> month_numbers()["sept"], weekday_numbers()["tues"]
(9, 1)
>>> words("U.S. troops left 3,200 homes.")
['u.s', 'troops', 'left', '3,200', 'homes']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

from newsweave.nlp.sentences import Sentence, split_sentences

# Languages whose month and weekday names date lines and datelines are read in.
CALENDAR_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "pt", "it", "nl", "ru")
# Abbreviations in common use that the CLDR does not list ("Sept.", "Tues.", "Thurs.").
_EXTRA_MONTHS = {"en": {"sept": 9}, "de": {"jän": 1, "maerz": 3}, "es": {"setiembre": 9}}
_EXTRA_WEEKDAYS = {"en": {"tues": 1, "thur": 3, "thurs": 3}}

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once onto only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves s t may might must shall per via among around across since yet still even
    however although many much several us mr mrs ms
    said says say told tell according
    """.split()
)
"""English function words and reporting verbs: the one stop-word list."""

WORD = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*", re.UNICODE)
"""A word: letters and digits, with inner full stops, commas and apostrophes."""


def words(text: str) -> list[str]:
    """Lowercased word tokens; "3,200", "U.S." and "don't" stay whole (a final full stop
    is not part of a word)."""
    return [t.lower() for t in WORD.findall(text)]


def stem(word: str) -> str:
    """A light plural/possessive stripper: enough to match "quakes" with "quake"."""
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=262144)
def snowball_stem(word: str) -> str:
    """The Snowball English (Porter 2) stem of a lowercased word (PyStemmer: measured, not
    used by default, see :func:`stem`)."""
    return _snowball("english")(word)


@lru_cache(maxsize=64)
def _snowball(algorithm: str) -> Callable[[str], str]:
    """PyStemmer's stemmer of one Snowball algorithm ("english", "german", ...)."""
    import Stemmer

    return Stemmer.Stemmer(algorithm).stemWord  # type: ignore[no-any-return]


def fold(word: str) -> str:
    """``word`` without accents ("février" -> "fevrier"), as pages often print it."""
    return "".join(c for c in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(c))


@lru_cache(maxsize=16)
def month_numbers(languages: Sequence[str] = ("en",), *, abbreviated: bool = True
                  ) -> dict[str, int]:
    """Lowercased month names (wide and, with ``abbreviated``, short; with and without
    accents, no final full stop) of ``languages`` -> month number 1-12."""
    return _numbers(languages, "months", _EXTRA_MONTHS, abbreviated)


@lru_cache(maxsize=16)
def weekday_numbers(languages: Sequence[str] = ("en",), *, abbreviated: bool = True
                    ) -> dict[str, int]:
    """Lowercased weekday names of ``languages`` -> 0 (Monday) to 6 (Sunday)."""
    return _numbers(languages, "days", _EXTRA_WEEKDAYS, abbreviated)


def _numbers(languages: Sequence[str], kind: str, extra: dict[str, dict[str, int]],
             abbreviated: bool) -> dict[str, int]:
    found: dict[str, int] = {}
    for language in languages:
        names = _calendar(language, kind, abbreviated)
        if abbreviated:
            names.update(extra.get(language, {}))
        found.update(names)
    return found


def name_pattern(names: Sequence[str]) -> str:
    """A regex alternation of capitalised ``names``, longest first ("September|Sept|Sep")."""
    return "|".join(re.escape(n.capitalize()) for n in sorted(names, key=lambda n: (-len(n), n)))


def _calendar(language: str, kind: str, abbreviated: bool) -> dict[str, int]:
    from babel import Locale

    locale = Locale.parse(language)
    table = locale.months if kind == "months" else locale.days
    found: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated") if abbreviated else ("wide",):
            for number, name in table[context][width].items():
                for form in {name.lower().rstrip("."), fold(name.lower().rstrip("."))}:
                    if len(form) > 1:
                        found.setdefault(form, int(number))
    return found


# Snowball stems for articles in these languages (PyStemmer's algorithm names); English
# keeps :func:`stem` (the Snowball English stemmer lost to it, see the module doc).
# Measured per language on SemEval-2022 task 8's same-language pairs
# (bench/stories_languages.py); a language not listed is not stemmed.
SNOWBALL: dict[str, str] = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "es": "spanish", "fi": "finnish", "fr": "french", "hu": "hungarian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "nl": "dutch", "no": "norwegian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish",
    "tr": "turkish",
}


def primary(language: str | None) -> str:
    """The primary subtag of a language code, lowercased ("" for none): "pt-BR" -> "pt"."""
    return (language or "").lower().replace("_", "-").split("-")[0]


def is_english(language: str | None) -> bool:
    """Whether the text layer reads ``language`` as English: English and unknown ones
    (detection could not tell), which get the English lists unchanged."""
    return primary(language) in ("", "en")


@lru_cache(maxsize=64)
def language_stopwords(language: str | None) -> frozenset[str]:
    """The function words of ``language``: :data:`STOPWORDS` and, for another language,
    its own (spaCy's list for it, lowercased; none where spaCy has no list). English's
    stay in: a German report quotes English words too, and a short English word is rarely
    a content word of another language.

    >>> "und" in language_stopwords("de"), "und" in language_stopwords("en")
    (True, False)
    >>> language_stopwords(None) is STOPWORDS
    True
    """
    if is_english(language):
        return STOPWORDS
    code = primary(language)
    try:
        import importlib

        listed = importlib.import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS
    except (ImportError, AttributeError):
        return STOPWORDS
    own = {language_lower(code)(w) for w in listed}
    return STOPWORDS | frozenset(own | {fold(w) for w in own})


@lru_cache(maxsize=64)
def language_stem(language: str | None) -> Callable[[str], str]:
    """The stemmer of ``language``'s lowercased words: :func:`stem` for English and an
    unknown language; the Snowball stemmer of another (:data:`SNOWBALL`, PyStemmer) where
    there is one, else the word unchanged. In Turkish a suffix
    written after an apostrophe ("Silivri'de") is cut off first."""
    if is_english(language):
        return stem
    code = primary(language)
    algorithm = SNOWBALL.get(code)
    stem_word = _snowball(algorithm) if algorithm else _unchanged
    if code in _APOSTROPHE_SUFFIX:
        return lambda word: stem_word(_APOSTROPHE.split(word, 1)[0])
    return stem_word


def _unchanged(word: str) -> str:
    return word


# Languages that write a proper noun's inflection after an apostrophe ("Ankara'da").
_APOSTROPHE_SUFFIX = frozenset({"tr", "az"})
_APOSTROPHE = re.compile("['’]")


@lru_cache(maxsize=64)
def language_lower(language: str | None) -> Callable[[str], str]:
    """``str.lower`` for ``language``; for Turkish and Azeri, also without the combining dot
    that ``"İ".lower()`` leaves ("İstanbul" and "istanbul" are one word)."""
    if primary(language) in ("tr", "az"):
        return _lower_dotless
    return str.lower


def _lower_dotless(word: str) -> str:
    return word.lower().replace("\u0307", "")


__all__ = ["CALENDAR_LANGUAGES", "STOPWORDS", "WORD", "Sentence", "fold", "is_english",
           "language_lower", "language_stem", "language_stopwords", "month_numbers",
           "name_pattern", "primary", "snowball_stem", "split_sentences", "stem", "weekday_numbers",
           "words"]
