"""A dated timeline from a set of articles: which dates matter, and one sentence for each.

Date selection (after Martschat & Markert 2018 and Ghalandari & Ifrim 2020):
a date scores for every article whose sentences *mention* it (a temporal
expression resolved by the extract stage's resolver, :mod:`newsweave.extract.dates`:
"March 3", "on Monday", "yesterday", "three days ago"), one vote per article
and date. An exact day of a month weighs more than a weekday or "yesterday";
a mention *looking back* (from an article published after the date) weighs
much more than a same-day one, because the dates reporting keeps returning to
are the ones a journalist's timeline lists; each article *published* on a day
adds a little, and so does each article naming a period the day falls in ("in
March", "last week": the month-level evidence spread over its days). Datelines
and timestamps are when a piece was filed, not events, and do not vote. Only
dates inside the reporting period (plus a margin) count.

For each selected date, the entry is the most central of the sentences that
mention it (highest summed TF-IDF cosine to the others), so it states what
most reports say happened that day, in a source's own words; a sentence
serves one date only.

Each entry also collects the articles that put *the same event* on that day in
sentences of their own (:func:`same_event`): a sentence that names the same day
and either shares content words with the entry's sentence or names an
overlapping part of that day ("late on Monday" and "at a quarter to midnight
on Monday"). Reports word one event differently; the day they give it is what
corroborates the timeline's date, whether or not their sentences state the same
claim.

The brief (:mod:`newsweave.brief.build`) and ``bench/timeline17.py`` both
call :func:`story_timeline`.

Stable API: :class:`DatedSentence`, :class:`DatedPeriod`, :class:`TimelinePick`,
:func:`dated_sentences`, :func:`read_dates`, :func:`select_timeline`, :func:`story_timeline`,
:func:`central`, :func:`detokenise`, :func:`same_event`.
"""

from __future__ import annotations

import calendar
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from newsweave.crosscheck.align import STOPWORDS, stem, tokens
from newsweave.extract.dates import PART_WORDS, WEEKDAYS, day_part, find_dates
from newsweave.nlp.language import runs_english
from newsweave.nlp.sentences import split_sentences

# Weights measured on Timeline17 (bench/timeline17.py; docs/benchmarks.md has the runs).
KIND_WEIGHT = {"day": 1.25, "weekday": 1.0, "relative": 1.0}
RETROSPECTIVE_WEIGHT = 5.0  # a mention from an article published after the date
PUBLISHED_WEIGHT = 0.25  # an article published on a day is weak evidence of an event
PERIOD_WEIGHT = 0.5  # each day of a period an article names ("in March", "last week")
SPAN_MARGIN = timedelta(days=7)
_MIN_WORDS = 6
# The extract resolver's expression kinds that name one day, as the timeline weighs them.
_KINDS = {"iso": "day", "day-month": "day", "month-day": "day", "weekday": "weekday",
          "relative-day": "relative", "ago": "relative"}
# Kinds that name a span ("in March", "last week"); longer spans say nothing of a day.
_PERIOD_KINDS = frozenset({"month", "period"})
_PERIOD_MAX_DAYS = 31
_MAX_CANDIDATES = 150
# Content words two sentences dating the same day must share to be about one event
# (besides the words of the date itself), unless they name the same part of the day:
# more than a two-word name, which one person's other doings that day share too.
_SAME_EVENT_WORDS = 3
_POSSESSIVE = re.compile(r"['’]s$")
_DATE_WORDS = frozenset(WEEKDAYS) | PART_WORDS | {
    m.lower() for m in (*calendar.month_name, *calendar.month_abbr) if m}


class ArticleLike(Protocol):
    id: int
    text: str
    published: str | None


@dataclass(frozen=True, slots=True)
class DatedSentence:
    """A sentence of an article (offsets into its text) and a date it reports."""

    article: int
    start: int
    end: int
    text: str
    date: date
    kind: str = "day"  # how the date was written: "day", "weekday", "relative" (_KINDS)
    published: date | None = None  # the article's publication day
    part: frozenset[int] | None = None  # hours of the day its words name ("late on Monday")


@dataclass(frozen=True, slots=True)
class DatedPeriod:
    """A span of days an article names as a whole ("in March", "last week")."""

    article: int
    first: date
    last: date
    published: date | None = None  # the article's publication day


@dataclass(frozen=True, slots=True)
class TimelinePick:
    """One entry of a timeline: the date, its sentence, every article mentioning the
    date, and (``dated``) each article's sentence that puts the same event on it, the
    entry's own sentence first (:func:`same_event`)."""

    date: date
    sentence: DatedSentence
    articles: list[int]
    score: float
    dated: tuple[DatedSentence, ...] = ()


def dated_sentences(
    article: int,
    text: str,
    published: str | None,
    event_dates: Sequence[tuple[date, int, int]] | None = None,
) -> list[DatedSentence]:
    """Each sentence of ``text`` paired with every date it mentions (resolved against
    ``published``).

    Dates are read by the extract stage's resolver (:func:`newsweave.extract.dates.find_dates`)
    against ``published``. ``event_dates`` are that stage's stored dates with character
    spans (resolved against the story's range where the article has no date, or by an
    older version): where given, a sentence's dates are theirs, unless the two disagree
    on every date, when the reading against ``published`` wins.
    """
    return read_dates(article, text, published, event_dates)[0]


def read_dates(
    article: int,
    text: str,
    published: str | None,
    event_dates: Sequence[tuple[date, int, int]] | None = None,
) -> tuple[list[DatedSentence], list[DatedPeriod]]:
    """:func:`dated_sentences`, and the periods of at most a month the article names
    ("in March", "last week"), read in one pass of the resolver."""
    pub = _day(published)
    own_by_start: dict[int, dict[date, str]] = {}
    parts: dict[tuple[int, date], frozenset[int]] = {}
    periods: set[tuple[date, date]] = set()
    every = split_sentences(text)
    sentences = [s for s in every if len(s.text.split()) >= _MIN_WORDS]
    starts = [s.start for s in sentences]
    # One resolver for the whole product: the extract stage's (newsweave.extract.dates).
    for mention in find_dates(text, (pub, pub) if pub else None, sentences=every):
        if mention.role != "event":
            continue  # a dateline is when it was reported, not an event
        if mention.range is not None and mention.kind in _PERIOD_KINDS:
            first, last = (date.fromisoformat(d) for d in mention.range)
            if (last - first).days < _PERIOD_MAX_DAYS:
                periods.add((first, last))
            continue
        kind = _KINDS.get(mention.kind)
        if kind is None or mention.date is None:
            continue
        at = bisect_right(starts, mention.start) - 1
        if at >= 0 and mention.start < sentences[at].end:
            day = date.fromisoformat(mention.date)
            own_by_start.setdefault(starts[at], {}).setdefault(day, kind)
            part = day_part(text, mention.start, mention.end)
            if part:
                parts[(starts[at], day)] = parts.get((starts[at], day), frozenset()) | part
    found = []
    for sentence in sentences:
        own = own_by_start.get(sentence.start, {})
        days = dict(own)
        if event_dates is not None:
            theirs = [d for d, s, _ in event_dates if sentence.start <= s < sentence.end]
            if theirs and not (own and not set(theirs) & set(own)):
                days = {d: own.get(d, "day") for d in dict.fromkeys(theirs)}
        for day, kind in days.items():
            found.append(DatedSentence(article, sentence.start, sentence.end, sentence.text,
                                       day, kind, pub, parts.get((sentence.start, day))))
    return found, [DatedPeriod(article, a, b, pub) for a, b in sorted(periods)]


def select_timeline(
    mentions: Sequence[DatedSentence],
    published: Iterable[date],
    count: int | None = None,
    *,
    within: tuple[date, date] | None = None,
    periods: Sequence[DatedPeriod] = (),
) -> list[TimelinePick]:
    """The ``count`` best-scored dates (all if None), each with its most central
    sentence and the articles that mention the date; in date order.

    ``within`` limits dates to a range (a story's reporting period plus margin),
    so background years do not crowd out the events. ``periods`` ("in March")
    spread a vote over their days: they cannot make a date, only rank the dates
    mentioned.
    """
    scores: Counter[date] = Counter()
    by_date: dict[date, list[DatedSentence]] = {}
    counted: set[tuple[int, date]] = set()
    for m in mentions:
        if within and not within[0] <= m.date <= within[1]:
            continue
        by_date.setdefault(m.date, []).append(m)
        # One vote per article and date: an article that repeats a date is one
        # report of it (measured on Timeline17: date F1 0.417 -> 0.465).
        if (m.article, m.date) in counted:
            continue
        counted.add((m.article, m.date))
        weight = KIND_WEIGHT.get(m.kind, 1.0)
        if m.published is not None and m.date < m.published:
            weight *= RETROSPECTIVE_WEIGHT
        scores[m.date] += weight
    for day in published:
        if day in by_date:
            scores[day] += PUBLISHED_WEIGHT
    # A named period ("in March", "last week") is a weaker vote for each of its days;
    # it only ranks dates that something names exactly.
    for period in {(p.article, p.first, p.last): p for p in periods}.values():
        for offset in range((period.last - period.first).days + 1):
            day = period.first + timedelta(days=offset)
            if day in by_date:
                scores[day] += PERIOD_WEIGHT
    chosen = sorted(by_date, key=lambda d: (-scores[d], d))
    if count is not None:
        chosen = chosen[:count]
    picks = []
    used: set[tuple[int, int]] = set()
    for day in chosen:  # best dates pick their sentence first
        candidates = by_date[day]
        fresh = [c for c in candidates if (c.article, c.start) not in used] or candidates
        best = central(fresh[:_MAX_CANDIDATES])
        used.add((best.article, best.start))
        picks.append(TimelinePick(day, best, sorted({c.article for c in candidates}),
                                  scores[day], _same_day_reports(best, candidates)))
    return sorted(picks, key=lambda p: p.date)


def same_event(a: DatedSentence, b: DatedSentence) -> bool:
    """Whether two sentences that date the same day report one event: they share
    content words beyond the date's own, or name overlapping parts of that day.

    >>> day = date(2026, 3, 2)
    >>> dam = DatedSentence(1, 0, 40, "The old dam wall gave way late on Monday.", day,
    ...                     part=frozenset(range(18, 24)))
    >>> same_event(dam, DatedSentence(2, 0, 40, "The dam's old wall broke on Monday.", day))
    True
    >>> same_event(dam, DatedSentence(3, 0, 40, "The council met on Monday.", day))
    False
    >>> same_event(dam, DatedSentence(3, 0, 40, "Sirens woke us at midnight on Monday.", day,
    ...                               part=frozenset({22, 23, 0, 1})))
    True
    """
    if a.date != b.date:
        return False
    if a.part and b.part and a.part & b.part:
        return True
    return len(_event_words(a.text) & _event_words(b.text)) >= _SAME_EVENT_WORDS


def _same_day_reports(
    best: DatedSentence, candidates: Sequence[DatedSentence]
) -> tuple[DatedSentence, ...]:
    """``best``, then for each other article its sentence reporting ``best``'s event on
    the same day (the one sharing most words with ``best`` where several do)."""
    words = _event_words(best.text)
    found: dict[int, tuple[int, DatedSentence]] = {}
    for candidate in candidates:
        if candidate.article == best.article or not same_event(best, candidate):
            continue
        shared = len(words & _event_words(candidate.text))
        if candidate.article not in found or shared > found[candidate.article][0]:
            found[candidate.article] = (shared, candidate)
    return (best, *(s for _, s in found.values()))


def _event_words(text: str) -> frozenset[str]:
    words = (_POSSESSIVE.sub("", w) for w in tokens(text))
    return frozenset(stem(w) for w in words
                     if w.isalpha() and w not in STOPWORDS and w not in _DATE_WORDS)


def story_timeline(
    articles: Sequence[ArticleLike],
    count: int | None = None,
    *,
    within: tuple[date, date] | None = None,
    event_dates: Mapping[int, Sequence[tuple[date, int, int]]] | None = None,
) -> list[TimelinePick]:
    """The timeline of a story's articles: :func:`read_dates` of each, then
    :func:`select_timeline` over the reporting period (first to last publication
    date, a week either side) unless ``within`` is given."""
    mentions: list[DatedSentence] = []
    periods: list[DatedPeriod] = []
    published: list[date] = []
    for article in articles:
        spans = (event_dates or {}).get(article.id) if event_dates is not None else None
        if runs_english(getattr(article, "language", None)):  # English dates (nlp.language)
            days, spans_named = read_dates(article.id, article.text, article.published, spans)
            mentions += days
            periods += spans_named
        day = _day(article.published)
        if day is not None:
            published.append(day)
    if within is None and published:
        within = (min(published) - SPAN_MARGIN, max(published) + SPAN_MARGIN)
    return select_timeline(mentions, published, count, within=within, periods=periods)


def central(sentences: Sequence[DatedSentence]) -> DatedSentence:
    """The sentence with the highest summed cosine (stemmed content words) to the others."""
    if len(sentences) <= 2:
        return sentences[0]
    bags = [Counter(stem(w) for w in tokens(s.text) if w not in STOPWORDS and w.isalpha())
            for s in sentences]
    df: Counter[str] = Counter(w for bag in bags for w in bag)
    n = len(bags)
    weighted = [{w: c * math.log(1 + n / df[w]) for w, c in bag.items()} for bag in bags]
    norms = [math.sqrt(sum(v * v for v in bag.values())) or 1.0 for bag in weighted]
    best, best_score = 0, -1.0
    for i, bag in enumerate(weighted):
        score = 0.0
        for j, other in enumerate(weighted):
            if i != j:
                score += sum(v * other.get(w, 0.0) for w, v in bag.items()) / (norms[i] * norms[j])
        if score > best_score:
            best, best_score = i, score
    return sentences[best]


def detokenise(text: str) -> str:
    """Undo PTB tokenisation ("-LRB-", "`` x ''", "do n't") for corpora that ship it."""
    for a, b in (("-LRB-", "("), ("-RRB-", ")"), ("-LSB-", "["), ("-RSB-", "]"),
                 ("-LCB-", "{"), ("-RCB-", "}"), ("`` ", '"'), (" ''", '"'), ("``", '"'),
                 ("''", '"'), ("\\/", "/")):
        text = text.replace(a, b)
    text = re.sub(r" ([.,;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$]) ", r"\1", text)
    return re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)


def _day(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


__all__ = ["DatedPeriod", "DatedSentence", "TimelinePick", "central", "dated_sentences",
           "detokenise", "read_dates", "same_event", "select_timeline", "story_timeline"]
