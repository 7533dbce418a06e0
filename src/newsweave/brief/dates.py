"""Calendar dates of the events a sentence reports, resolved against the publication date.

Used for the brief's timeline when the extract stage has no resolved dates
for an article. It reads the forms news copy uses: "on Monday", "late on
Monday", "last Thursday", "Monday (2)", "March 3", "3 March 2026",
"Sept. 19", "2026-03-03"; a weekday is the latest such day on or before the
publication date, unless the sentence speaks of the future ("is expected to",
"will"), when it is the next one.

Stable API: :class:`DateMention`, :func:`resolve_dates`, :func:`resolve_mentions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from newsweave.nlp.tense import speaks_of_future

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|" \
    r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+(?P<year>(?:19|20)\d\d))?\b",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d))?",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
_WEEKDAY = re.compile(
    r"\b(?P<last>last\s+|next\s+|this\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)\b(?:\s*\((?P<dom>\d{1,2})\))?",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"\b(?P<word>yesterday|today|tomorrow)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A calendar date a sentence refers to: where, and how it was written.

    ``kind`` is "day" (a day of a month: "March 3", "2026-03-03"), "weekday"
    ("on Monday", resolved against publication) or "relative" ("yesterday").
    """

    date: date
    start: int
    kind: str


def resolve_dates(sentence: str, published: str | None) -> list[date]:
    """Dates ``sentence`` refers to, in order of mention (no duplicates).

    >>> resolve_dates("The dam broke late on Monday; on Tuesday he met her.", "2026-03-03")
    [datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)]
    """
    return [m.date for m in resolve_mentions(sentence, published)]


def resolve_mentions(sentence: str, published: str | None) -> list[DateMention]:
    """Like :func:`resolve_dates`, with each date's offset and the kind of expression.

    >>> [(m.date.isoformat(), m.kind) for m in resolve_mentions("On March 2, two days "
    ...  "before Wednesday, it broke.", "2026-03-05")]
    [('2026-03-02', 'day'), ('2026-03-04', 'weekday')]
    """
    base = _parse_published(published)
    found: list[DateMention] = []
    for match in _ISO.finditer(sentence):
        day = _safe(int(match["year"]), int(match["month"]), int(match["day"]))
        _add(found, match.start(), day, "day")
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(sentence):
            month = _MONTHS[match["month"][:3].lower()]
            year = int(match["year"]) if match["year"] else _year_for(month, base)
            if year is not None:
                _add(found, match.start(), _safe(year, month, int(match["day"])), "day")
    if base is not None:
        for match in _WEEKDAY.finditer(sentence):
            future = speaks_of_future(sentence[: match.start()])
            _add(found, match.start(), _weekday(match, base, future), "weekday")
        for match in _RELATIVE.finditer(sentence):
            shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[match["word"].lower()]
            _add(found, match.start(), base + timedelta(days=shift), "relative")
    seen: set[date] = set()
    ordered = []
    for mention in sorted(found, key=lambda m: m.start):
        if mention.date not in seen:
            seen.add(mention.date)
            ordered.append(mention)
    return ordered


def _add(found: list[DateMention], at: int, day: date | None, kind: str) -> None:
    if day is not None and all(abs(at - other.start) > 2 for other in found):
        found.append(DateMention(day, at, kind))


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parse_published(published: str | None) -> date | None:
    if not published:
        return None
    match = re.match(r"(\d{4})-(\d\d)-(\d\d)", published)
    return _safe(int(match[1]), int(match[2]), int(match[3])) if match else None


def _year_for(month: int, base: date | None) -> int | None:
    """A month without a year is the latest such month not far after publication."""
    if base is None:
        return None
    return base.year - 1 if month > base.month + 1 else base.year


def _weekday(match: re.Match[str], base: date, future: bool) -> date | None:
    target = _WEEKDAYS.index(match["weekday"].lower())
    if match["dom"]:  # "Monday (2)": the machine-translated day-of-month marker
        day = int(match["dom"])
        for shift in range(-10, 11):
            candidate = base + timedelta(days=shift)
            if candidate.day == day and candidate.weekday() == target:
                return candidate
    modifier = (match["last"] or "").strip().lower()
    back = (base.weekday() - target) % 7
    if modifier == "next" or (future and modifier != "last"):
        ahead = (target - base.weekday()) % 7 or 7
        return base + timedelta(days=ahead)
    if modifier == "last":
        return base - timedelta(days=back or 7)
    return base - timedelta(days=back)


__all__ = ["DateMention", "resolve_dates", "resolve_mentions"]
