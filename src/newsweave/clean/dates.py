"""Date lines: a line that holds a date or a time and nothing else.

Pages print the publication date on a line of its own ("20 Sep 2022 - 9:43",
"UPDATED: Tue., Nov. 19, 2019"); that is metadata, not article text. The test
is lexical, with month and weekday names in the languages the corpus meets
most, so it is fast enough to run on every line; parsing the date (with
dateparser) is the metadata module's job, on the few lines found here.
"""

from __future__ import annotations

import re

from newsweave.nlp.text import CALENDAR_LANGUAGES, month_numbers, weekday_numbers

# Month and weekday names of the languages the corpus meets most (CLDR, nlp.text); names
# of one or two letters ("do", "ma") are left out: too many short words are one.
_MONTH_WORDS = frozenset(
    part for name in month_numbers(CALENDAR_LANGUAGES) for part in name.split("-")
    if len(part) > 2
)
_WEEKDAY_WORDS = frozenset(
    part for name in weekday_numbers(CALENDAR_LANGUAGES) for part in name.split("-")
    if len(part) > 2
)
# Words that may surround a date in a date line without making it text.
_DATE_FILLERS = (
    "published posted updated last modified created date dated on at de del da do às as a à "
    "le el la of the um am pm a.m p.m h hrs uhr et est edt pst pdt cst cdt gmt bst utc cet cest "
    "ist jst aest hkt amt msk ago today yesterday mis jour publié publicado atualizado "
    "actualizado aktualisiert veröffentlicht aggiornato pubblicato em en il y and"
)
_DATE_WORDS = _MONTH_WORDS | _WEEKDAY_WORDS | frozenset(_DATE_FILLERS.split())
_NUMERIC_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    r"|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}(?::|h)\d{2}\b"
)
_DATE_TOKEN = re.compile(r"[^\W\d_]+(?:\.[^\W\d_]+)*\.?|\d+")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|er|e|º|ª)")
_MAX_DATE_LINE_WORDS = 14


def is_date_line(text: str) -> bool:
    """True when a line holds a date or time and nothing else but date words.

    >>> is_date_line("20 Sep 2022 - 9:43")
    True
    >>> is_date_line("UPDATED: Tue., Nov. 19, 2019")
    True
    >>> is_date_line("2a etapa: 10 de março – Interlagos")
    False
    >>> is_date_line("Example Press Agency | 3 Mar 2026 - 09:15 GMT")
    True
    """
    if not has_digit(text):
        return False
    parts = [p.strip() for p in _SEPARATOR.split(text) if p.strip()]
    if len(parts) in (2, 3) and any(_is_date_part(p) for p in parts):
        # "Outlet | date": a date with the outlet's or the author's name beside it.
        return all(_is_date_part(p) or _SHORT_NAME.fullmatch(p) for p in parts)
    return _is_date_part(text)


_SEPARATOR = re.compile(r"\s[|·•]\s")
# A name of at most five capitalised words ("Example Press Agency"); a "By ..." line is a
# byline, which the byline rule logs as such.
_SHORT_NAME = re.compile(r"(?!By\s)[A-Z][\w'’&.-]*(?:\s+(?:[A-Z][\w'’&.-]*|of|the|and)){0,4}")


_ASCII_DIGIT = re.compile(r"[0-9]")
# str.isdigit is true for the decimal digits (``\d`` in a str pattern, exactly) and for some
# 130 other characters ("²", "①"): a pattern for both is one scan of a non-ASCII line too.
_DIGIT = re.compile(
    r"\d|[" + re.escape("".join(chr(c) for c in range(0x110000)
                                 if chr(c).isdigit() and not chr(c).isdecimal())) + "]"
)


def has_digit(text: str) -> bool:
    """``any(ch.isdigit() for ch in text)``, in one regex scan."""
    if text.isascii():
        return _ASCII_DIGIT.search(text) is not None
    return _DIGIT.search(text) is not None


def _is_date_part(text: str) -> bool:
    if not has_digit(text):
        return False
    folded = _NUMERIC_DATE.sub(" 0 ", text).casefold()
    # The words are read one at a time: the first that is no date word, or one too many,
    # decides, where most lines with a digit are sentences (no need to cut them all).
    count, has_month = 0, False
    for token in _DATE_TOKEN.finditer(folded):
        count += 1
        if count > _MAX_DATE_LINE_WORDS:
            return False
        word = token.group()
        if word.isdigit():
            continue
        bare = word.rstrip(".")
        if bare in _MONTH_WORDS:
            has_month = True
        elif bare not in _DATE_WORDS and not _ORDINAL.fullmatch(bare):
            return False
    return count > 0 and (has_month or _NUMERIC_DATE.search(text) is not None)
