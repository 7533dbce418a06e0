"""Cheap per-article features for event clustering: terms, names, dates.

The stories stage runs before entity extraction and must assign hundreds of
articles a second, so it does not parse: it counts content words, picks out
capitalised word runs as entity-like *names* (people, places, organisations)
and the years and month-years the text mentions. Each feature is hashed to a
32-bit key (``zlib.crc32``: stable across processes, unlike ``hash()``), so a
vector is a small ``{key: count}`` dict and the store needs no vocabulary.

Weighting (TF-IDF with the store's document frequencies, group weights) is
applied later, in :mod:`newsweave.stories.vectors`, so counts stored today stay
valid when the document frequencies move.

:func:`extract_features` reads the article here; each line's terms, dates and names are
read in :mod:`newsweave.stories.line_features`, what makes a capitalised word a name in
:mod:`newsweave.stories.name_evidence` (and its ``NAME_EVIDENCE``), the title's and lead's
figures, places, years and weekdays in :mod:`newsweave.stories.lead_facts` and the date
lines in :mod:`newsweave.stories.datelines`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsweave.nlp.sentences import split_sentences
from newsweave.nlp.text import stem
from newsweave.stories import name_evidence
from newsweave.stories.datelines import _add_dateline
from newsweave.stories.lead_facts import _figures, _places, _weekdays, _years
from newsweave.stories.line_features import _add_sentence
from newsweave.stories.name_evidence import _bare_headline, _confirmed_names, title_only
from newsweave.stories.words import (
    _WORD,
    DATE,
    FIGURE,
    LEAD_YEAR,
    NAME,
    STOPWORDS,
    TERM,
    WEEKDAY,
    Reading,
    key,
    reading,
)

# Sentences of the body counted ``lead_boost`` times after a title. None: a news lead
# restates its headline, and counting both twice weighed the lead's wording four times
# (chosen on ECB+ odd topics + AllSides validation split; it was 1: docs/benchmarks.md,
# #12 part 3). Without a title, the first sentence stands in for it and counts so.
TITLED_LEAD = 0
# Whether an article that is its title and nothing else (a feed item without a
# description: a title, and a text, if any, that repeats it; no ordinary sentence) in Title Case
# takes its names as NAME_EVIDENCE 1 would: none, since nothing in it shows a capital to
# be a name ("Husband Breaks Down In Tears After Lost Voicemail Message" names nobody, and
# every such word was a name the headline's neighbours "do not share"). Its words still
# count as terms. Any article with a body is read as NAME_EVIDENCE says. Chosen on
# Emergent's even claims, every dev figure held (docs/benchmarks.md, #12 part 16).
BARE_HEADLINE_EVIDENCE = True
# The factor by which two reports (or a report and a story) that both put their title and
# lead somewhere (Features.places: "shot in Culver City", "in Compton and Huntington Park")
# and share no place are damped: where it happened, down to the town. 1: off, and no place
# is collected or stored (an article analysed while it is off has none). Measured and not
# adopted: the places differ between one event's close reports as often as between two
# events' on the dev sets, and no setting below 1 did better on the choice sets
# (docs/benchmarks.md, #12 part 8); kept so the bench can measure it again.
PLACE_PENALTY = 1.0
# What the year veto (two undated reports that both mention years and share none are
# damped: vectors.veto_factor) reads: "text", the years and month-years found anywhere in
# the text and its date lines (the date features); "lead", those of the title, the first
# sentence and the date lines only (Features.lead_years: what the report leads with, as
# the figures' veto reads; a body's background years, "the 1979 collapse", differ between
# two reports of one event); "lead-text": the leads' years where both state some, else
# the texts'; "none": no year veto (publication dates still apply). Only the veto's
# evidence changes: the date features are weighed as before. With "lead" or "lead-text"
# the lead's years are collected and stored (an article analysed under "text" has none, so
# no year veto, until it is analysed again). "lead" was measured and not adopted: it gives
# back SemEval's same-story pairs, but ECB+ odd (a choice set) loses 0.012, since its
# same-kind events of one topic differ in the years of the body and hardly ever in those
# of the lead (docs/benchmarks.md, #12 part 9); kept so the bench can measure it again.
YEAR_EVIDENCE = "text"
# The factor by which two undated reports whose titles and leads both name a weekday and
# share none are damped (Features.weekdays: "on Tuesday" against "on Thursday"): when, for
# the news of one week whose reports carry no publication date; in a big store of
# same-kind events the weekday differs in 30-56 % of average linkage's wrong merges against
# 4-17 % of its right ones. A fallback like the years': where both sides are dated their
# publication dates say when (two reports of one event published days apart may name
# different weekdays). 1: off, and no weekday is collected or stored (an article analysed
# while it is off has none). Chosen on ECB+ odd topics + the AllSides training split with
# 0.7 and 0.5 beside it (they gain the big store more, but lose ECB+ odd and a SemEval
# same-story pair): docs/benchmarks.md, #12 part 11.
WEEKDAY_PENALTY = 0.85
# Where the weekdays' veto applies: "pairs" (two reports only: repair's and the whole
# re-clusterings' pair matrices, which do not depend on the order the reports came in;
# online assignment and repair's story-level checks read no weekday) or "all" (a report
# and a story too, against the union of the story's weekdays, as the figures' veto).
# "all" made ECB+ even depend on the order (one article per ingest 0.917 against 0.928 in
# one batch), "pairs" does not (#12 part 11).
WEEKDAY_SCOPE = "pairs"
# The factor by which average linkage (repair and the whole re-clusterings) damps the mean
# similarity of two clusters of two or more reports each whose weekdays (the union over
# their undated members) are both named and disjoint: the veto above carried to two
# stories, where a clash of one pair in several is diluted in the mean. Single reports
# are untouched, so one report an event cannot change; nor can online assignment. 1: off.
# Chosen on ECB+ odd topics + the AllSides validation split through the stage, among the
# factors that pass every check (0.7 and 0.6 gain more but split ECB+ into more stories
# than tests/test_stories_quality.py allows): AllSides val 0.841 -> 0.844, AllSides test
# 0.849 -> 0.856, precision alone; docs/benchmarks.md, #12 part 14.
WEEKDAY_STORY_PENALTY = 0.85


@dataclass(slots=True)
class Features:
    """Hashed feature counts of one article, by group, plus its display names."""

    terms: Counter[int] = field(default_factory=Counter)
    names: Counter[int] = field(default_factory=Counter)
    dates: Counter[int] = field(default_factory=Counter)
    # The figures (numbers other than years) the title and first sentence state: what
    # happened, in numbers ("1.5 million", "a 3-year-old"); keys only, never weighed
    # (the numbers are terms already), for the figures' veto (vectors.veto_factor).
    figures: set[int] = field(default_factory=set)
    # The places the title and first sentence put it in (capitalised words after "in",
    # "at", "near", "outside"): where it happened; keys only, never weighed (the words are
    # names already), for the places' veto (PLACE_PENALTY; collected only when it is on).
    places: set[int] = field(default_factory=set)
    # The years and month-years of the title, the first sentence and the date lines, as
    # keys of their own (group LEAD_YEAR); never weighed (the years are date features
    # already), for the year veto when YEAR_EVIDENCE is "lead" or "lead-text" (collected
    # only then).
    lead_years: set[int] = field(default_factory=set)
    # The weekdays the title and first sentence name ("on Tuesday"), as keys of their own
    # (group WEEKDAY); never weighed (weekdays are no terms), for the weekdays' veto
    # (WEEKDAY_PENALTY; collected only when it is on).
    weekdays: set[int] = field(default_factory=set)
    # Whether the article is its title and nothing else, in any case (name_evidence.title_only):
    # for the bare headlines' pair factor (vectors.BARE_PAIR_FACTOR).
    bare: bool = False
    # name key -> surface form (most frequent spelling), to show a story's top entities
    labels: dict[int, str] = field(default_factory=dict)

    def keys(self) -> set[int]:
        return set(self.terms) | set(self.names) | set(self.dates)


def extract_features(title: str | None, text: str, *, lead_boost: int = 2,
                     datelines: Sequence[str] = (), language: str | None = None) -> Features:
    """Terms, names and dates of an article; the title (without one, the first sentence)
    counts ``lead_boost`` times, because a headline states the event the rest elaborates
    (and :data:`TITLED_LEAD` body sentences after a title).

    ``datelines``: the date lines cleaning took out of the body ("PUBLISHED: THURSDAY, MAY 2,
    2013, 1:32 PM"): the report's own time stamps, which say *when* better than any year in
    the text, so their years and month-years count as date features (and nothing else of
    them: "published" and "updated" are not the event's words).

    ``language``: the article's detected language (ISO 639-1); another one than English is
    read with its own stop words, stems and month names too (:class:`Reading`).

    >>> f = extract_features("Quake hits Tonga", "A strong earthquake struck Tonga on Monday.")
    >>> f.labels[key("n", "tonga")], f.terms[key("t", "quake")]
    ('Tonga', 2)
    >>> sorted(extract_features(None, "Quake.", datelines=["May 3, 2013 1:10 PM"]).dates) == (
    ...     sorted([key("d", "2013"), key("d", "2013-05")]))
    True
    """
    features = Features()
    read = reading(language)
    lead_years = YEAR_EVIDENCE.startswith("lead")
    for line in datelines:
        _add_dateline(line, features, lead_years, read)
    surface: dict[int, dict[str, int]] = {}
    sentences = [s.text for s in split_sentences(text)]
    parts = ([title] if title else []) + sentences
    # Every line's terms, each as often as its weight, counted at once at the end (in C).
    terms: list[int] = []
    lines: list[tuple[int, list[str]]] = []
    body = lead = 0  # where the text's lines begin; where the title's and lead's end
    for index, part in enumerate(parts):
        weight = lead_boost if index < (1 + TITLED_LEAD if title else 1) else 1
        # A name never runs across a line break (menus, bylines left by cleaning).
        lines.extend((weight, _WORD.findall(line)) for line in part.split("\n"))
        if index == 0 and title:
            body = len(lines)
        if index < (2 if title else 1):  # the title and the first sentence
            lead = len(lines)
    # The words the text writes in lowercase, lowercased once per distinct word (a word
    # written in lowercase is its own lowercase but for the odd character; the set of
    # images is the same either way). Read from the text's lines: the sentences hold all
    # of the text but the whitespace between them, which no word crosses, so their words
    # are the text's (a second regular-expression pass over the whole text was a tenth of
    # the features' time).
    lower = str.lower if read is None else read.lower
    lowercase = set(map(lower, {w for _, words in lines[body:] for w in words
                                if w.islower()}))
    for _, words in lines[:lead]:
        features.figures.update(_figures(words))
        if PLACE_PENALTY < 1.0:
            features.places.update(_places(words, lowercase))
        if lead_years:
            features.lead_years.update(_years(words))
        if WEEKDAY_PENALTY < 1.0:
            features.weekdays.update(_weekdays(words))
    # Read on its module, where the bench and the tests set it.
    confirmed = _confirmed_names(lines) if name_evidence.NAME_EVIDENCE else None
    features.bare = title_only(lines, body)
    if confirmed is None and BARE_HEADLINE_EVIDENCE and _bare_headline(lines, body):
        confirmed = set()  # no ordinary sentence: no Title Case word is evidenced
    for weight, words in lines:
        _add_sentence(words, weight, lowercase, features, surface, terms, confirmed, read)
    features.terms.update(terms)
    # The commonest spelling, the first seen among equals (as Counter.most_common(1)).
    features.labels = {k: next(iter(c)) if len(c) == 1 else max(c.items(), key=_second)[0]
                       for k, c in surface.items()}
    return features


def _second(pair: tuple[str, int]) -> int:
    return pair[1]


# With the names re-exported from stories.words (split from this module), which benches
# and tests import from here.
__all__ = [
    "DATE",
    "FIGURE",
    "LEAD_YEAR",
    "NAME",
    "STOPWORDS",
    "TERM",
    "WEEKDAY",
    "Features",
    "Reading",
    "extract_features",
    "key",
    "reading",
    "stem",
]
