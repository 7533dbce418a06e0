"""Find an article's metadata in its plain text: date, outlet, language, title.

:func:`find_metadata` only fills fields of a :class:`~newsweave.model.Cleaned`
that are still ``None`` (a value from HTML meta tags or a JSON field wins),
and where nothing is found a field stays ``None``: no value is ever guessed.

Decisions worth knowing:

* Dates come only from the top of the article: standalone *date lines* in the
  first lines of the raw text (``"20 Sep 2022 - 9:43"``), then *datelines*
  opening the body (``"PARIS, March 3 (AFP) -"``). Dates inside the story
  are events, not the publication date. A dateline without a year borrows one
  from a full date elsewhere in the text; with none, ``published`` stays None.
* The outlet is read only from places where an article names *itself*: the
  agency of a dateline, a signature opening the body (``"Example News Agency
  (ENA): ..."``) and a copyright notice the cleaner removed. Attributions
  ("according to the X agency", "X reported") name a quoted source, and a photo
  credit ("Photo by Jane Doe/X") names whoever supplied a picture; neither is read.
* Language comes from py3langid (``nlp.langid``), whose model is loaded once, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Any

from newsweave.model import Cleaned
from newsweave.nlp.langid import load_identifier
from newsweave.nlp.text import CALENDAR_LANGUAGES, month_numbers, name_pattern

HEAD_LINES = 15  # raw lines searched for a date line or a headline
BODY_LINES = 6  # body lines searched for a dateline or signature: captions may come first
MIN_LETTERS = 20  # fewer letters than this and any language guess is noise
MIN_LANGUAGE_CONFIDENCE = 0.5
# More text does not change the answer, only the cost: on NTREX (7 languages) and SemEval
# (7 languages) the first 500, 1,000, 2,000 or 3,000 characters give the answers of the
# first 10,000 (bench/language_prefix.py), at under half the CPU of whole bodies.
MAX_LANGUAGE_CHARS = 2_000
MAX_TITLE_WORDS = 20
MAX_DATE_LINE_CHARS = 80
MIN_SIGNATURE_WORDS = 8  # a signature is followed by the lead, not by a short teaser

_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PREFER_DATES_FROM": "past",
    "REQUIRE_PARTS": ["day", "month", "year"],  # a missing part is never filled in
}

_MONTH = rf"(?:{name_pattern(list(month_numbers()))})\b\.?"  # English (nlp.text)
_CAP_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*"
_DASH = r"(?:--?|–|—)"

# "PARIS, March 3 (AFP) -", "Sept. 19 (AP) --", "KANSAS CITY, Mo. (AP) —".
_DATELINE = re.compile(
    rf"""^(?:(?P<place>{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,3}})
          (?:,\s*{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}})?)?
        (?:,?\s*(?:(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})
                   |(?P<day_first>\d{{1,2}})\.?\s+(?P<month_word>[^\W\d_]{{3,12}})\.?)
           (?:,?\s*(?P<year>\d{{4}}))?)?
        \s*(?:\((?P<agency>[^\W\d_][\w&.'’ /-]{{0,38}}[\w.])\))?
        \s*(?:{_DASH}|:)\s*(?=\S)""",
    re.VERBOSE,
)
# "Example Voice Agency (EVA): While ...": an outlet signing the story it opens.
_SIGNATURE = re.compile(
    rf"""^(?P<name>{_CAP_WORD}(?:\s+(?:{_CAP_WORD}|of|the|for|and|&)){{0,6}})
        \s*(?:\((?P<abbr>[A-Z][A-Za-z]{{1,9}})\))?\s*(?::|{_DASH})\s+(?P<rest>\S.*)$""",
    re.VERBOSE,
)
_OUTLET_WORDS = frozenset(
    {
        "agency", "news", "press", "service", "radio", "television", "tv", "network", "wire",
        "broadcasting", "times", "post", "herald", "journal", "gazette", "tribune", "telegraph",
        "chronicle",
    }
)  # fmt: skip
_CONNECTORS = frozenset({"of", "the", "for", "and", "&"})


def make_time_pattern(prefix: str) -> str:
    """A clock time, its groups named with ``prefix`` (a pattern may hold two times)."""
    return (
        rf"(?P<{prefix}hour>\d{{1,2}})[:.h](?P<{prefix}minute>\d{{2}})(?::\d{{2}}(?:\.\d+)?)?"
        rf"\s*(?P<{prefix}ampm>[ap]\.?\s?m\.?)?"
    )


# Zone names are upper case even where the rest of a date line is not.
_ZONE = r"(?:\(?(?-i:[A-Z]{2,5})(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?\)?|Z|[+-]\d{2}:?\d{2})"
_DATE_LABEL = (
    r"(?:first\s+|last\s+)?(?:published|updated|posted|modified|released|dated?|publi\w*"
    r"|actuali[sz]\w*|veröffentlicht|aktualisiert|mis\s+à\s+jour)(?:\s+(?:on|at|le|am|el|em))?"
)
# A whole line (or one "|"-separated part of it) that is a date, perhaps with a label,
# a weekday, a time and a zone. Labels are either known words or end with a colon:
# a free word run would turn headlines such as "Russia invades on 24 February 2022"
# into dates.
_DATE_LINE = re.compile(
    rf"""^(?:(?P<label>{_DATE_LABEL}\s*:?|[^\W\d_]+(?:\s+[^\W\d_]+){{0,2}}\s*:)\s*)?
        (?:{make_time_pattern("lead_")}\s*{_ZONE}?\s*,?\s+)?
        (?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+|[^\W\d_]{{3,12}},\s+)?
        (?P<date>\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?[^\W\d_]{{3,12}}\.?,?\s+(?:de\s+)?\d{{4}}
          |[^\W\d_]{{3,12}}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}
          |(?P<iso>\d{{4}})[-/](?P<iso_month>\d{{1,2}})[-/](?P<iso_day>\d{{1,2}})
          |(?P<num_a>\d{{1,2}})(?P<num_sep>[./])(?P<num_b>\d{{1,2}})[./](?P<num_year>\d{{4}}))
        (?:\s*(?:,|{_DASH}|\||·|\bat\b|@|T|\bà\b|\bum\b|\ba\s+las\b)?\s*{make_time_pattern("")})?
        \s*{_ZONE}?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_LINE_PARTS = re.compile(r"\s+[|·•]\s+")
_UPDATE_LABEL = re.compile(r"updat|modif|actuali|aktuali|mis\s+à\s+jour", re.IGNORECASE)
# Full English dates anywhere in the text: where a yearless dateline borrows its year.
_FULL_DATE = re.compile(
    rf"\b(?:(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})"
    rf"|(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH}),?\s+(?P<year2>\d{{4}}))\b"
)

# "© 2022 Example News", "Copyright (c) 2020-2022 The Example Times. All rights reserved."
_COPYRIGHT = re.compile(
    r"^\s*(?:copyright\b\s*)?(?:©|\(c\)|copyright\b)\s*"
    r"(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*[,.]?\s*)?(?P<rest>.*)$",
    re.IGNORECASE,
)
_COPYRIGHT_MARK = re.compile(r"©|\(c\)|\bcopyright\b", re.IGNORECASE)
_COPYRIGHT_END = re.compile(
    r"\.\s|[|·•,;]|\s[-–—]\s|\ball rights\b|\bsome rights\b|\.$", re.IGNORECASE
)
_TRAILING_YEAR = re.compile(r"\s*\d{4}(?:\s*[-–]\s*\d{4})?\s*$")
_OWNER = re.compile(rf"^{_CAP_WORD}(?:\s+(?:{_CAP_WORD}|of|the|for|and|&)){{0,6}}$")
_PICTURE_WORDS = re.compile(r"\b(?:images?|photos?|photography|pictures?|stock)\b", re.I)

# Page furniture that can precede a headline in text copied from a web page.
_CHROME = re.compile(
    r"^(?:(?:advertisement|advert|sponsored(?: content)?|qr\s*code|skip to (?:main )?content"
    r"|menu|share(?: this)?|print|home|subscribe|sign in|log in|search|close|loading"
    r"|listen to (?:this )?article)[\W_]*)+$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^by\s", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Dateline:
    """What a dateline says: an origin agency and/or a month and day (maybe a year)."""

    agency: str | None
    month: str | None
    day: str | None
    year: str | None


def find_metadata(raw: str, cleaned: Cleaned) -> Cleaned:
    """Fill the still-empty metadata fields of ``cleaned`` from ``raw`` and its body."""
    head = list_lines(raw, HEAD_LINES)
    top = list_lines(cleaned.text, BODY_LINES) + head
    if cleaned.published is None:
        published, how = find_published(raw, head, top)
        if published is not None:
            cleaned.published, cleaned.published_how = published, how
    if cleaned.outlet is None:
        outlet, how = find_outlet(top, [r.text for r in cleaned.removed])
        if outlet is not None:
            cleaned.outlet, cleaned.outlet_how = outlet, how
    if cleaned.language is None:
        cleaned.language = detect_language(cleaned.text) or detect_language(raw)
    if cleaned.title is None:
        cleaned.title = find_title(head)
    return cleaned


def list_lines(text: str, limit: int) -> list[str]:
    """The first ``limit`` non-blank lines of ``text``, stripped."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            lines.append(stripped)
            if len(lines) == limit:
                break
    return lines


def find_published(raw: str, head: list[str], top: list[str]) -> tuple[str | None, str]:
    """The publication date (ISO) and how it was found: date line first, then dateline."""
    found = [d for d in (read_date_line(line) for line in head) if d is not None]
    if found:
        # "Updated ..." is a date of the article too, but only the fallback for "Published".
        return min(found, key=lambda d: d[1])[0], "date-line"
    dateline = next((d for d in map(read_dateline, top) if d is not None), None)
    if dateline is None or dateline.month is None or dateline.day is None:
        return None, "dateline"
    # Never invent a year: without one in the dateline or the text, there is no date.
    year = dateline.year or borrow_year(dateline.month, dateline.day, raw)
    if year is None:
        return None, "dateline"
    parsed = parse_date_phrase(f"{dateline.day} {dateline.month} {year}")
    return (parsed.isoformat() if parsed else None), "dateline"


def read_date_line(line: str) -> tuple[str, bool] | None:
    """``(iso, is_update)`` when ``line`` (or one of its "|" parts) is just a date."""
    if len(line) > MAX_DATE_LINE_CHARS:
        return None
    for part in [line, *_LINE_PARTS.split(line)]:
        match = _DATE_LINE.match(part)
        if match is None:
            continue
        day = parse_date_match(match)
        if day is None:
            continue
        iso = day.isoformat()
        prefix = "" if match["hour"] is not None else "lead_"
        if match[prefix + "hour"] is not None:
            clock = read_clock(
                match[prefix + "hour"], match[prefix + "minute"], match[prefix + "ampm"]
            )
            iso += f"T{clock}" if clock else ""
        return iso, bool(match["label"] and _UPDATE_LABEL.search(match["label"]))
    return None


def parse_date_match(match: re.Match[str]) -> date | None:
    """The date of a date-line match; numeric forms are read here, words by dateparser."""
    if match["iso"]:
        return make_date(match["iso"], match["iso_month"], match["iso_day"])
    if match["num_a"]:
        first, second, year = int(match["num_a"]), int(match["num_b"]), match["num_year"]
        if match["num_sep"] == "." or first > 12:  # dotted dates are day-first by convention
            return make_date(year, second, first)
        if second > 12:
            return make_date(year, first, second)
        return None  # 03/04/2026: March 4th or 3 April? Do not guess.
    return parse_date_phrase(match["date"])


def make_date(year: str | int, month: str | int, day: str | int) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def read_clock(hour: str, minute: str, ampm: str | None) -> str | None:
    """``"HH:MM"`` on a 24-hour clock, or None for an impossible time."""
    h, m = int(hour), int(minute)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.lower().startswith("p") else 0)
    return f"{h:02d}:{m:02d}" if h < 24 and m < 60 else None


def parse_date_phrase(phrase: str) -> date | None:
    """A date from a short phrase already known to be one: English first, then the
    languages whose month names cleaning reads (``nlp.text.CALENDAR_LANGUAGES``).

    Not "any language": that makes dateparser try all of its ~500 locales, 1.6 CPU s the
    first time in a process, for a phrase no other part of cleaning would read as a date."""
    import dateparser  # imported late: it is slow to load and most runs never get here

    for languages in (["en"], list(CALENDAR_LANGUAGES)):
        parsed = dateparser.parse(phrase, languages=languages, settings=_DATEPARSER_SETTINGS)
        if parsed is not None:
            return parsed.date()
    return None


def borrow_year(month: str, day: str, raw: str) -> str | None:
    """The year of a full date in ``raw``: the same month and day if named, else the first."""
    first: str | None = None
    for match in _FULL_DATE.finditer(raw):
        m = match["month"] or match["month2"]
        d = match["day"] or match["day2"]
        y = match["year"] or match["year2"]
        if m[:3].lower() == month[:3].lower() and d.lstrip("0") == day.lstrip("0"):
            return y
        first = first or y
    return first


# Remembered (pure): a body's first lines are mostly the raw text's first lines too, and the
# date, outlet and title searches ask the same lines in turn.
@lru_cache(maxsize=1 << 12)
def read_dateline(line: str) -> Dateline | None:
    """The dateline opening ``line``, if any; a signature is not a dateline."""
    match = _DATELINE.match(line)
    if match is None or read_signature(line) is not None:
        return None
    place, agency = match["place"], match["agency"]
    # Without an agency only a capitalised place marks a dateline, as in "LONDON, March 3 -".
    if agency is None and not (place and place.isupper() and match["month"]):
        return None
    month, day = match["month"] or match["month_word"], match["day"] or match["day_first"]
    return Dateline(agency, month, day, match["year"])


@lru_cache(maxsize=1 << 12)  # remembered: see read_dateline
def read_signature(line: str) -> str | None:
    """The outlet name of a body opener like ``"Example News Agency (ENA): ..."``."""
    match = _SIGNATURE.match(line)
    if match is None or len(match["rest"].split()) < MIN_SIGNATURE_WORDS:
        return None
    name, abbr = match["name"].strip(), match["abbr"]
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in _CONNECTORS]
    initials = "".join(w[0] for w in words).upper()
    if abbr and initials == abbr.upper():
        return name
    # "Tehran (IRNA) -" is a place and an agency: that is a dateline, not a signature.
    if len(words) >= 2 and words[-1].lower().strip(".") in _OUTLET_WORDS:
        return name
    return None


def find_outlet(top: list[str], removed: list[str]) -> tuple[str | None, str | None]:
    """The outlet publishing the article, and how it was found.

    The publisher's own copyright line beats a dateline: a repost of a wire
    story keeps the agency's dateline ("(NPA) --"), but the page is the
    reposting outlet's, and the agency is its source, not its outlet.
    """
    for line in top:
        signature = read_signature(line)
        if signature is not None:
            return signature, "signature"
    for text in removed:
        # The cleaner may log a page footer as one piece; look at every copyright in it.
        for start in _COPYRIGHT_MARK.finditer(text):
            owner = read_copyright_owner(text[start.start() :].split("\n", 1)[0])
            if owner is not None:
                return owner, "boilerplate"
    for line in top:
        dateline = read_dateline(line)
        if dateline is not None and dateline.agency is not None:
            return dateline.agency.strip(), "dateline"
    return None, None


def read_copyright_owner(line: str) -> str | None:
    """The owner named by a copyright line ("© 2022 Example News"), if it is an outlet."""
    match = _COPYRIGHT.match(line)
    if match is None:
        return None
    owner = _COPYRIGHT_END.split(match["rest"], maxsplit=1)[0]
    owner = _TRAILING_YEAR.sub("", owner).strip().rstrip(".")  # "(c) Example Times 2022"
    if not _OWNER.match(owner) or _PICTURE_WORDS.search(owner):
        return None  # "© 2022 Getty Images" is a picture's owner, not the article's
    return owner


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when unsure or too short."""
    text = text[:MAX_LANGUAGE_CHARS]
    # enough letters? (counted up to MIN_LETTERS only: a body has thousands)
    if next(islice(_LETTER.finditer(text), MIN_LETTERS - 1, None), None) is None:
        return None
    code, confidence = load_identifier().classify(text)
    # The model also knows languages with only 3-letter codes: those have no 639-1 answer.
    if len(code) != 2 or confidence < MIN_LANGUAGE_CONFIDENCE:
        return None
    return str(code)


def find_title(head: list[str]) -> str | None:
    """The first line of the raw text when it reads as a headline."""
    for line in head:
        if _CHROME.match(line):
            continue  # page furniture above the headline: look at the next line
        words = line.split()
        if (
            3 <= len(words) <= MAX_TITLE_WORDS
            and not line.endswith((".", ":", ",", ";"))
            and not line.startswith(("<", "{", "["))  # markup or data, not prose
            and not _BYLINE.match(line)
            and read_date_line(line) is None
            and read_dateline(line) is None
        ):
            return line
        return None
    return None
