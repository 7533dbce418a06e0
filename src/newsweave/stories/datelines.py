"""Date lines: the time stamps cleaning took out of a report's body.

"PUBLISHED: THURSDAY, MAY 2, 2013, 1:32 PM" says *when* better than any year in the
text: its years and month-years count as date features (and as lead years where the year
veto reads them), and :func:`dateline_dates` gives their (year, month, day).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsweave.stories.words import _MONTHS, _WORD, _YEAR, DATE, LEAD_YEAR, Reading, key

if TYPE_CHECKING:
    from newsweave.stories.features import Features


def _add_dateline(line: str, features: Features, lead_years: bool = False,
                  read: Reading | None = None) -> None:
    """The years of a date line, each with its month where one of the two words before it
    names a month ("May 3, 2013", "Thu Jun 13 2013"; "3 May 2013"), as a year in the text
    counts (a full date adds nothing measurable: docs/benchmarks.md, #12 part 3); with
    ``lead_years``, also as lead years (a date line is the report's own time stamp)."""
    for year, month, _ in dateline_dates(line, _MONTHS if read is None else read.months):
        features.dates[key(DATE, str(year))] += 1
        if lead_years:
            features.lead_years.add(key(LEAD_YEAR, str(year)))
        if month is not None:
            features.dates[key(DATE, f"{year}-{month:02d}")] += 1
            if lead_years:
                features.lead_years.add(key(LEAD_YEAR, f"{year}-{month:02d}"))


def dateline_dates(line: str, months: dict[str, int] | None = None
                   ) -> list[tuple[int, int | None, int | None]]:
    """(year, month, day) of each year a date line names; month and day None where the
    line does not give them next to the year (``months``: the month names read, English's
    by default).

    >>> dateline_dates("PUBLISHED: THURSDAY, MAY 2, 2013, 1:32 PM")
    [(2013, 5, 2)]
    >>> dateline_dates("14 June 2013"), dateline_dates("Posted on Thu Jun 13, 2013 08:45")
    ([(2013, 6, 14)], [(2013, 6, 13)])
    >>> dateline_dates("Updated 2013")
    [(2013, None, None)]
    """
    months = _MONTHS if months is None else months
    lowers = [w.lower() for w in _WORD.findall(line)]
    found: list[tuple[int, int | None, int | None]] = []
    for position, word in enumerate(lowers):
        if not _YEAR.match(word):
            continue
        before = lowers[max(0, position - 2):position]
        month = day = None
        for offset, w in enumerate(before):
            if w in months:
                month = months[w]
                # The day beside the month: "May 3, 2013" or "3 May 2013".
                beside = [before[i] for i in (offset + 1, offset - 1) if 0 <= i < len(before)]
                day = next((int(b) for b in beside if b.isdigit() and 1 <= int(b) <= 31), None)
        found.append((int(word), month, day))
    return found
