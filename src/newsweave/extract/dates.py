"""Temporal expressions resolved against an article's publication date.

News copy dates events relative to the day it is published: "on Monday" in
a report published on a Monday is that Monday, a Tuesday report's "on
Monday" is the day before ("last Monday" is the same in past-tense news;
"next Monday" looks ahead, and so does "is expected to visit on Monday": the
reporter's future tense, quotations aside, points to the coming such day).
Translations add the day number, "Monday (19)", which settles it. Vague
phrases become ranges ("earlier this month", "since the 1970s"). Where the
article has no date, the base is a range (from its story); a phrase resolves
to one day only if every base day in the range gives the same answer, and the
result is flagged as inferred.

Each expression keeps apart *when it happened* (``date``/``range``) from
*when it was reported* (the article's publication date, ``reported``).
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from newsweave.nlp.sentences import Sentence, split_sentences
from newsweave.nlp.tense import speaks_of_future
from newsweave.nlp.text import month_numbers, name_pattern, weekday_numbers

# English names (nlp.text, from the CLDR): weekdays in full, months in full or short.
WEEKDAYS = tuple(sorted(weekday_numbers(abbreviated=False),
                        key=weekday_numbers(abbreviated=False).__getitem__))
_MONTHS = month_numbers()
_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10}
_MONTH = rf"({name_pattern(list(_MONTHS))})\.?"
_WEEKDAY = rf"({name_pattern(WEEKDAYS)})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    # "3 March", "3rd March", "the 25th of January".
    ("day-month", re.compile(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?\b")),
    ("month-day", re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?")),
    ("weekday", re.compile(
        rf"\b(?:(last|next|this|on|late on|early on|late|early)\s+)?{_WEEKDAY}"
        # A day number after the weekday, not a count or a time: "Monday, 12 people" and
        # "Monday, 10:00" keep only the weekday.
        r"(?:\s*\((\d{1,2})\)|,?\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*[a-z]|[:.]\d))?",
        re.IGNORECASE)),
    ("relative-day", re.compile(
        r"\b(yesterday|today|tomorrow|tonight|last night|this morning|this afternoon|"
        r"this evening)\b", re.IGNORECASE)),
    ("ago", re.compile(
        r"\b(a|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(days?|weeks?)\s+"
        r"ago\b", re.IGNORECASE)),
    ("period", re.compile(
        r"\b(earlier this|later this|this|last|next|past|previous|early this|late last)\s+"
        r"(week|month|year|weekend)\b", re.IGNORECASE)),
    ("decade", re.compile(r"\b(since|in|during|by)\s+the\s+(\d{3}0)s\b", re.IGNORECASE)),
    ("month", re.compile(rf"\b(?:(in|since|early|late|mid|until|by)\s+(?:-\s*)?){_MONTH}"
                         r"(?!\s+\d)(?:\s+(\d{4}))?\b")),
    ("year", re.compile(r"\b(in|since|until|by|from|of)\s+((?:19|20)\d{2})\b(?![-/.]\d)",
                        re.IGNORECASE)),
)


@dataclass(slots=True)
class DateMention:
    """One temporal expression and what it resolves to."""

    text: str
    start: int
    end: int
    sentence: str
    kind: str  # which pattern: "weekday", "month-day", "period", ...
    date: str | None = None  # one day, ISO
    range: tuple[str, str] | None = None  # first and last day, ISO
    inferred: bool = False  # resolved against a base inferred from the story
    role: str = "event"  # "event" (when it happened) | "report" (the dateline)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end,
                "sentence": self.sentence, "kind": self.kind, "date": self.date,
                "range": list(self.range) if self.range else None,
                "inferred": self.inferred, "role": self.role}


def parse_day(value: str | None) -> date | None:
    """The calendar day of an ISO date or datetime string, or None."""
    if not value:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def find_dates(
    text: str, base: tuple[date, date] | None, *, inferred: bool = False,
    sentences: Sequence[Sentence] | None = None,
) -> list[DateMention]:
    """Temporal expressions in ``text``, resolved against ``base`` (first, last possible
    publication day; the same day twice when the date is known; None: unresolved).
    ``sentences``: ``split_sentences(text)`` where the caller has it already."""
    if sentences is None:
        sentences = split_sentences(text)
    starts = [s.start for s in sentences]
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        if kind == "ago" and "ago" not in text:
            continue  # the pattern is slow to scan and the word is rare
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if kind == "weekday" and _names_a_date(text, match.end(), taken):
                continue  # "Tuesday 2 March": the weekday is part of the date already read
            at = bisect_right(starts, match.start()) - 1
            where = sentences[at] if at >= 0 and match.start() < sentences[at].end else None
            sentence = where.text if where else ""
            mention = DateMention(match.group().strip(), match.start(), match.end(), sentence, kind)
            before = text[where.start : match.start()] if where else ""
            if not _resolve(mention, match, kind, base, speaks_of_future(before)):
                continue
            mention.inferred = inferred and (mention.date is not None or mention.range is not None)
            if _is_dateline(text, match.start(), match.end()):
                mention.role = "report"
            taken.append((match.start(), match.end()))
            found.append(mention)
    found.sort(key=lambda m: m.start)
    return found


# A clock time with its zone or am/pm ("7:23 pm EDT", "13.41 BST"): a timestamp's, not
# the "10.5" of a figure. Words like "updated" count only as labels ("Updated: May 26").
_ZONE = r"(?:GMT|BST|UTC|CET|[ECMP][SD]T|ET)\b"
_CLOCK = rf"\d{{1,2}}[:.]\d\d\s*(?:[aApP]\.?[mM]\b\.?\s*(?:{_ZONE})?|{_ZONE})"
_STAMP_AFTER = re.compile(
    rf"\s*(?:\((?:[A-Z]{{2,6}})\)\s*[-—–]|,?\s*{_CLOCK}|,\s*[\w.-]+\s+wrote\b)")
_STAMP_BEFORE = re.compile(
    rf"(?:{_CLOCK}\s*,?\s*|\d{{1,2}}[:.]\d\d\s*{_ZONE}\s*,?\s*on\s+|"
    rf"\b(?:[Uu]pdated|[Pp]ublished|[Pp]osted|[Aa]dded)\s*:\s*|\btime,\s*)(?:{_WEEKDAY},?\s*)?$")


def _is_dateline(text: str, start: int, end: int) -> bool:
    """A date that says when the piece was filed, not when anything happened: "March 3
    (NPA) --", a timestamp "Thu May 27, 2010 7:23 pm EDT", "Last updated at 06:56 GMT,
    Tuesday, 8 November 2011"."""
    return bool(_STAMP_AFTER.match(text, end, min(end + 20, len(text)))
                or _STAMP_BEFORE.search(text, max(0, start - 40), start))


# Parts of a day as the hours they cover (0-23). "midnight" closes one day and opens
# the next, so it covers both ends; a clock time covers its hour and the ones beside it.
_PART_HOURS = {
    "dawn": range(3, 8), "daybreak": range(3, 8), "sunrise": range(3, 8),
    "morning": range(5, 12), "noon": range(11, 14), "midday": range(11, 14),
    "afternoon": range(12, 18), "dusk": range(17, 21), "sunset": range(17, 21),
    "evening": range(17, 23), "night": (*range(20, 24), *range(0, 5)),
    "overnight": (*range(20, 24), *range(0, 6)), "tonight": range(18, 24),
    "midnight": (22, 23, 0, 1), "late": range(18, 24), "early": range(0, 10),
}
PART_WORDS = frozenset(_PART_HOURS)  # the words that name a part of a day
_PART = re.compile(
    r"\b(?:(dawn|daybreak|sunrise|morning|noon|midday|afternoon|dusk|sunset|evening|"
    r"overnight|tonight|midnight|night)\b|(late|early)\s+(?:on\s+)?" + _WEEKDAY +
    r"|(\d{1,2})(?:[:.](\d\d))?\s*([ap])\.?m\b\.?|\b([01]?\d|2[0-3])[:.](\d\d)\b(?!\d))",
    re.IGNORECASE)
_PART_REACH = 32  # characters either side of a date expression: "at a quarter to midnight on"


def day_part(text: str, start: int, end: int) -> frozenset[int] | None:
    """The hours of the day that the words at a date expression (``text[start:end]``)
    name: "late on Monday", "on Tuesday morning", "at a quarter to midnight on Monday",
    "on Monday at 11.45pm"; None when they name no part of the day.

    >>> sorted(day_part("The dam broke late on Monday.", 14, 28))
    [18, 19, 20, 21, 22, 23]
    >>> sorted(day_part("He landed at 8am on Tuesday.", 20, 27))
    [7, 8, 9]
    """
    lo, hi = max(0, start - _PART_REACH), min(len(text), end + _PART_REACH)
    # Stay inside the clause: a comma or full stop ends what the words are about.
    before = re.split(r"[.;!?,]\s", text[lo:start])[-1]
    after = re.split(r"[.;!?,](?:\s|$)", text[end:hi])[0]
    window_start = start - len(before)
    hours: set[int] = set()
    for match in _PART.finditer(text, window_start, end + len(after)):
        word, qualifier, _, hour12, _, am_pm, hour24, _ = match.groups()
        if word or qualifier:
            hours.update(_PART_HOURS[(word or qualifier).lower()])
        elif hour12 is not None:
            hour = int(hour12) % 12 + (12 if am_pm.lower() == "p" else 0)
            hours.update(h % 24 for h in (hour - 1, hour, hour + 1))
        elif hour24 is not None:
            hour = int(hour24)
            hours.update(h % 24 for h in (hour - 1, hour, hour + 1))
    return frozenset(hours) or None


def _names_a_date(text: str, end: int, taken: list[tuple[int, int]]) -> bool:
    gap = re.match(r",?\s*", text[end : end + 3])
    after = end + (gap.end() if gap else 0)
    return any(s == after for s, _ in taken)


def _resolve(mention: DateMention, match: re.Match[str], kind: str,
             base: tuple[date, date] | None, future: bool) -> bool:
    """Fill ``date``/``range``; False when the match is not a date after all."""
    days = _base_days(base)
    results: set[tuple[date, date]] = set()
    for day in days or [None]:
        got = _resolve_one(match, kind, day, future)
        if got is False:
            return False
        if got is not None:
            results.add(got)
    if len(results) == 1:
        first, last = results.pop()
        if first == last:
            mention.date = first.isoformat()
        else:
            mention.range = (first.isoformat(), last.isoformat())
    elif results:  # the base range leaves it open: the span of the possibilities
        mention.range = (min(r[0] for r in results).isoformat(),
                         max(r[1] for r in results).isoformat())
    return True


def _base_days(base: tuple[date, date] | None) -> list[date]:
    if base is None:
        return []
    first, last = base
    span = min((last - first).days, 62)
    return [first + timedelta(days=i) for i in range(span + 1)]


def _resolve_one(
    match: re.Match[str], kind: str, day: date | None, future: bool = False
) -> tuple[date, date] | bool | None:
    groups = match.groups()
    year_now = day.year if day else None
    if kind == "iso":
        return _day(int(groups[0]), int(groups[1]), int(groups[2])) or False
    if kind in ("day-month", "month-day"):
        number, month_name, year = (groups if kind == "day-month" else
                                    (groups[1], groups[0], groups[2]))
        month = _MONTHS[month_name.lower().rstrip(".")]
        if not 1 <= int(number) <= 31:
            return False
        if year:
            return _day(int(year), month, int(number)) or False
        if day is None:
            return None
        found = _day(day.year, month, int(number))
        if found and found[0] > day + timedelta(days=60):  # "Dec. 30" in a January report
            found = _day(day.year - 1, month, int(number))
        return found or False
    if day is None:
        return None
    if kind == "weekday":
        return _weekday(groups, day, future)
    if kind == "relative-day":
        offset = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(groups[0].lower(), 0)
        d = day + timedelta(days=offset)
        return d, d
    if kind == "ago":  # "three days ago", "a week ago": counted back from the report
        number = groups[0].lower()
        count = int(number) if number.isdigit() else _NUMBERS[number]
        d = day - timedelta(days=count * (7 if groups[1].lower().startswith("week") else 1))
        return d, d
    if kind == "period":
        return _period(groups[0].lower(), groups[1].lower(), day)
    if kind == "decade":
        start = int(groups[1])
        if groups[0].lower() == "since":
            return date(start, 1, 1), day
        return date(start, 1, 1), date(start + 9, 12, 31)
    if kind == "month":
        month = _MONTHS[groups[1].lower().rstrip(".")]
        year = int(groups[2]) if groups[2] else (day.year if month <= day.month else day.year - 1)
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        if (groups[0] or "").lower() == "since":
            return first, day
        return first, last
    if kind == "year":
        year = int(groups[1])
        if year > (year_now or 9999) + 1:
            return False
        if groups[0].lower() == "since":
            return date(year, 1, 1), day
        return date(year, 1, 1), date(year, 12, 31)
    return None


def _day(year: int, month: int, number: int) -> tuple[date, date] | None:
    try:
        d = date(year, month, number)
    except ValueError:
        return None
    return d, d


def _weekday(groups: tuple[str | None, ...], day: date, future: bool) -> tuple[date, date]:
    qualifier = (groups[0] or "").lower()
    target = WEEKDAYS.index((groups[1] or "").lower())
    number = groups[2] or groups[3]
    if number:
        # "Monday (19)": the day with that number nearest the report, weekday preferred.
        candidates = []
        for offset in range(-45, 46):
            d = day + timedelta(days=offset)
            if d.day == int(number):
                candidates.append((d.weekday() != target, abs(offset), d))
        if candidates:
            d = min(candidates)[2]
            return d, d
    back = (day.weekday() - target) % 7
    if qualifier == "next":
        ahead = (target - day.weekday()) % 7 or 7
        d = day + timedelta(days=ahead)
    elif qualifier == "this":
        d = day + timedelta(days=target - day.weekday())
    elif qualifier == "last":
        d = day - timedelta(days=back or 7)
    elif future:
        # "is expected to visit on Wednesday": the coming such day, the day itself included.
        d = day + timedelta(days=(target - day.weekday()) % 7)
    else:
        # Past-tense news: the most recent such day, the day itself included.
        d = day - timedelta(days=back)
    return d, d


def _period(qualifier: str, unit: str, day: date) -> tuple[date, date]:
    if unit in ("week", "weekend"):
        monday = day - timedelta(days=day.weekday())
        if qualifier in ("last", "past", "previous", "late last"):
            monday -= timedelta(days=7)
        elif qualifier == "next":
            monday += timedelta(days=7)
        if unit == "weekend":
            return monday + timedelta(days=5), monday + timedelta(days=6)
        if qualifier == "earlier this":
            return monday, day
        return monday, monday + timedelta(days=6)
    if unit == "month":
        year, month = day.year, day.month
        if qualifier in ("last", "past", "previous", "late last"):
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        elif qualifier == "next":
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        if qualifier in ("earlier this", "early this"):
            return first, day
        if qualifier == "later this":
            return day, last
        return first, last
    year = day.year + {"last": -1, "past": -1, "previous": -1, "late last": -1, "next": 1}.get(
        qualifier, 0)
    if qualifier == "earlier this":
        return date(year, 1, 1), day
    return date(year, 1, 1), date(year, 12, 31)
