"""Weighted sparse vectors over hashed features, and the similarity of articles.

A vector is a ``{key: weight}`` dict, L2-normalised. Weights are sublinear TF
times IDF (from the store's document frequencies) times a group weight
(:mod:`newsweave.stories.weighing`; the arithmetic in :mod:`newsweave.stories.sparse`,
the stored form in :mod:`newsweave.stories.packing`). Two
articles are compared by the cosine of their vectors, damped by *vetoes*: two
reports that share topic words ("earthquake", "magnitude") but name different
people and places, or mention different years, or were published far apart,
are usually two events of the same kind, not one event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsweave.stories import prior

# The vectors' arithmetic, storage and weighing live in their own modules; their names are
# re-exported here, where the stage and the benches have always imported them from.
from newsweave.stories.packing import (
    Every,
    pack,
    pack_arrays,
    pack_dates,
    split_dates,
    split_every,
    split_facts,
    unpack,
    unpack_arrays,
)
from newsweave.stories.sparse import (
    Arrays,
    Vector,
    _cosines,
    _to_arrays,
    add_arrays,
    add_into,
    as_dict,
    dot,
    dot_arrays,
    normalise,
    top_array_keys,
    top_keys,
    top_of,
    unique_inverse,
)
from newsweave.stories.weighing import idf, weigh, weigh_packed

# Stories this small may join a larger one below the threshold (``attach``): a mean
# similarity to a story of five or more articles is a steadier estimate than one to a story
# of two or three, where joining on a weak mean merged different events of one kind (chosen
# on ECB+ odd topics and the AllSides validation split: see docs/benchmarks.md, #12).
SMALL_STORY = 4
# Names needed on each side before "they name nobody in common" counts against a pair:
# a short report (a headline and a lead) names too few people and places to disagree.
MIN_NAMES = 4
# And the product of the two reports' counts of distinct name keys needed (a two-word name
# gives two keys: "Lake County" and "County"). 16 (MIN_NAMES squared) adds nothing to
# MIN_NAMES: 64 was measured (docs/benchmarks.md, #12: AllSides test 0.829 -> 0.840, the
# whole AllSides set 0.645 -> 0.636, the mixed store's AllSides gap wider) and not adopted,
# because it lifts the veto between two short reports naming a few places each, which is
# what keeps two same-kind incidents in different towns apart.
NAMES_PRODUCT = 16


def names_can_disagree(count_a: int, count_b: int) -> bool:
    """Whether two reports naming ``count_a`` and ``count_b`` distinct names name enough for
    "they share none" to count against them (:data:`MIN_NAMES`, :data:`NAMES_PRODUCT`).

    >>> names_can_disagree(5, 6), names_can_disagree(5, 30), names_can_disagree(2, 30)
    (True, True, False)
    """
    return min(count_a, count_b) >= MIN_NAMES and count_a * count_b >= NAMES_PRODUCT


# The MiniLM agreement of two reports (the cosine of their title-and-lead vectors, which the
# reuse stage stores) scales their word similarity: by 1 + a * clip((cos - floor) /
# (SEMANTIC_CEIL - floor), 0, 1), divided by 1 + a * SEMANTIC_NEUTRAL so that a pair at
# agreement SEMANTIC_NEUTRAL (a cosine of 0.645 at floor 0.5) keeps its similarity, as a
# pair without vectors does (a non-English or stories-only article is scored as before).
# A pair sharing no words stays at 0 and every veto still applies: the vectors only weigh
# the word evidence, they never add similarity (added, they merged same-kind events of one
# topic on ECB+: docs/benchmarks.md, #12 parts 3, 5 and 6).
SEMANTIC_CEIL = 0.9
SEMANTIC_NEUTRAL = 0.364
# The factor by which two reports (or a report and a story) that both state figures in their
# title and lead and share none are damped (``Features.figures``: "1.5 million" against "1.2
# million" jobless claims, a 3-year-old against a 16-year-old): what happened, in numbers,
# as the year veto is when. 1: off. Chosen on ECB+ odd topics + the AllSides validation
# split through the stage, with the thinned sets, the mixed store and the whole AllSides
# set held (docs/benchmarks.md, #12 part 7: 0.85 and 0.6 beside it).
FIGURE_PENALTY = 0.7
# The factor for the year fallback alone (two undated reports that both mention years and
# share none: see veto_factor); None: ``story_date_penalty`` (0.5), as for publication
# dates far apart. 0.7: a body's background years ("the 1979 collapse") differ between two
# reports of one event too, so the fallback is weaker evidence than two publication dates
# weeks apart (a lighter penalty for those let dated reports join in the mixed store).
# Chosen on ECB+ odd topics + the AllSides validation split + SemEval's choose half, with
# 0.6 and 0.85 beside it (docs/benchmarks.md, #12 part 9).
YEAR_PENALTY: float | None = 0.7
# The names' veto between two reports, graded by how many names the one naming fewer holds:
# NAME_BASE * NAME_GRADE ** log(fewer / MIN_NAMES), in place of ``story_name_penalty`` (0.92
# at four names, 0.68 at eight, 0.51 at sixteen). Two short reports name few people and
# places, and "nobody in common" says little (AllSides' excerpts: no evidence at all when
# fitted alone); two long ones name many, and it says much (ECB+: 0.5). Fitted as one
# logistic model on ECB+ odd topics + the AllSides training split (bench/stories_combine.py
# --interact). Between two reports only (pair_matrices: repair and the whole
# re-clusterings): a story's name count grows with its members, so graded against a story
# the veto would depend on the order reports arrive (#12 part 11's trap); the online path
# keeps the flat factor. NAME_GRADE 1: off (the flat factor everywhere).
NAME_GRADE = 1.0
NAME_BASE = 0.92
# The similarity of two articles that are both a headline with nothing under it
# (features: Features.bare) is multiplied by this in the pairs' matrix (average linkage
# in a repair): two ten-word headlines share few words by construction, so their word
# overlap lives on another scale than two articles'. 1: off (and the mark is not stored).
# Chosen on Emergent's even claims (#12 part 17), with BARE_PAIR_MEANING: its odd claims
# 0.919 -> 0.926, every dev set's partition identical but one join of the 9,198 AllSides.
BARE_PAIR_FACTOR = 2.0
# Whether that lift asks the two sides' sentence vectors to agree (their semantic factor
# above 1: closer than SEMANTIC_NEUTRAL): without it the lift joins headlines of other
# events (Emergent's precision 1.000 -> 0.946, AllSides test one wrong join).
BARE_PAIR_MEANING = True


@dataclass(frozen=True, slots=True)
class Weights:
    """How the signals combine; built from the settings (see ``story_*`` settings)."""

    names: float = 1.0  # weight of the name group relative to terms
    dates: float = 0.5
    name_floor: float = 0.1  # name cosine below this (both have names): names disagree
    name_penalty: float = 0.6  # similarity factor when names disagree
    date_penalty: float = 0.7  # factor when mentioned years or publication times disagree
    window_days: int = 14  # publication dates further apart than this disagree
    # A story of at most SMALL_STORY articles joins a larger one from this mean similarity
    # when their names agree (see newsweave.stories.linkage.attach_small); 0: never.
    attach: float = 0.1
    # The sentence vectors' second opinion (see semantic_factor); 0: off.
    semantic: float = 0.0
    semantic_floor: float = 0.5
    semantic_neutral: float = SEMANTIC_NEUTRAL
    figure_penalty: float = 1.0  # factor when the figures of title and lead disagree
    place_penalty: float = 1.0  # factor when the places of title and lead disagree
    # What the year veto reads (features.YEAR_EVIDENCE): "text", "lead", "lead-text" or
    # "none".
    year_evidence: str = "text"
    year_penalty: float | None = None  # factor when years disagree; None: date_penalty
    # Factor when the weekdays of two undated sides' titles and leads disagree
    # (features.WEEKDAY_PENALTY); 1: off.
    weekday_penalty: float = 1.0
    weekday_scope: str = "pairs"  # "pairs" or "all" (features.WEEKDAY_SCOPE)
    # Two stories' disjoint weekdays in average linkage (features.WEEKDAY_STORY_PENALTY).
    weekday_story_penalty: float = 1.0
    # The names' veto between two reports graded by their names (NAME_GRADE, NAME_BASE);
    # 1: off.
    name_grade: float = 1.0
    name_base: float = NAME_BASE
    # Pseudo-reports of general language added to the store's document frequencies, and
    # their length in words (prior.PRIOR_DOCUMENTS, prior.PRIOR_LENGTH); 0: none.
    prior_documents: float = 0.0
    prior_length: float = prior.PRIOR_LENGTH


class ArticleVector:
    """One article ready to compare: full vector, name-only vector, years, publication day.

    The vectors are given as dicts or as sorted (keys, values) arrays (what
    :func:`weigh_packed` makes); each form is derived from the other on first use.
    """

    __slots__ = ("_arrays", "_name_arrays", "_names", "_vector", "bare", "dates", "day",
                 "figures", "id", "lead_years", "meaning", "places", "weekdays")

    def __init__(
        self,
        id: int,
        vector: Vector | None,
        names: Vector | None,
        dates: frozenset[int],
        day: int | None,  # proleptic ordinal of the publication date, if known
        *,
        arrays: Arrays | None = None,
        name_arrays: Arrays | None = None,
        meaning: np.ndarray | None = None,
        figures: frozenset[int] = frozenset(),
        places: frozenset[int] = frozenset(),
        lead_years: frozenset[int] = frozenset(),
        weekdays: frozenset[int] = frozenset(),
        bare: bool = False,
    ) -> None:
        self.id = id
        self.bare = bare  # a headline with nothing under it (BARE_PAIR_FACTOR)
        self.weekdays = weekdays  # the weekdays its title and lead name (Features.weekdays)
        self.lead_years = lead_years  # the years of its title, lead and date lines
        self.figures = figures  # the figures of its title and lead (Features.figures)
        self.places = places  # the places of its title and lead (Features.places)
        # The article's unit-length sentence vector (English MiniLM, stored by the reuse
        # stage), where it has one: see semantic_factor.
        self.meaning = meaning
        self._vector = vector
        self._names = names
        self.dates = dates
        self.day = day
        self._arrays = arrays
        self._name_arrays = name_arrays

    @property
    def vector(self) -> Vector:
        if self._vector is None:
            self._vector = as_dict(self.arrays())
        return self._vector

    @property
    def names(self) -> Vector:
        if self._names is None:
            self._names = as_dict(self.name_arrays())
        return self._names

    def arrays(self) -> Arrays:
        """The full vector as (keys, values) arrays, keys ascending."""
        if self._arrays is None:
            self._arrays = _to_arrays(self._vector or {})
        return self._arrays

    def name_arrays(self) -> Arrays:
        """The name-only vector as (keys, values) arrays, keys ascending."""
        if self._name_arrays is None:
            self._name_arrays = _to_arrays(self._names or {})
        return self._name_arrays

    def has_names(self) -> bool:
        """Whether it names enough people and places (:data:`MIN_NAMES`) to disagree."""
        return self.name_count() >= MIN_NAMES

    def name_count(self) -> int:
        """How many distinct names (name keys) it has."""
        return len(self.name_arrays()[0]) if self._names is None else len(self._names)


def veto_factor(
    names_cos: float,
    has_names: bool,
    dates_a: frozenset[int],
    dates_b: frozenset[int] | set[int],
    days_apart: int | None,
    weights: Weights,
    figures_a: frozenset[int] | set[int] = frozenset(),
    figures_b: frozenset[int] | set[int] = frozenset(),
    places_a: frozenset[int] | set[int] = frozenset(),
    places_b: frozenset[int] | set[int] = frozenset(),
    lead_years_a: frozenset[int] | set[int] = frozenset(),
    lead_years_b: frozenset[int] | set[int] = frozenset(),
    weekdays_a: frozenset[int] | set[int] = frozenset(),
    weekdays_b: frozenset[int] | set[int] = frozenset(),
) -> float:
    """The factor by which disagreeing names, years and publication times (and, where
    ``weights`` weigh them, the figures and the places of title and lead) damp a
    similarity. The years read are ``dates_*`` (every year the text mentions) or
    ``lead_years_*`` (those of title, lead and date lines), as ``weights.year_evidence``
    says (:func:`veto_years`)."""
    factor = 1.0
    if (weights.figure_penalty < 1.0 and figures_a and figures_b
            and figures_a.isdisjoint(figures_b)):
        factor *= weights.figure_penalty
    if (weights.place_penalty < 1.0 and places_a and places_b
            and places_a.isdisjoint(places_b)):
        factor *= weights.place_penalty
    if has_names and names_cos < weights.name_floor:
        factor *= weights.name_penalty
    if days_apart is not None:
        if days_apart > weights.window_days:
            factor *= weights.date_penalty
    else:
        if years_disagree(dates_a, dates_b, lead_years_a, lead_years_b, weights):
            # Years mentioned are a fallback for undated articles: a dated report's
            # background years ("the 1979 collapse") say little about its event.
            factor *= year_penalty(weights)
        if (weights.weekday_penalty < 1.0 and weekdays_a and weekdays_b
                and weekdays_a.isdisjoint(weekdays_b)):
            # So are the weekdays of title and lead: the news of one week, undated.
            factor *= weights.weekday_penalty
    return factor


def year_penalty(weights: Weights) -> float:
    """The factor for two undated sides whose years disagree (:data:`YEAR_PENALTY`)."""
    return weights.date_penalty if weights.year_penalty is None else weights.year_penalty


def years_disagree(
    dates_a: frozenset[int] | set[int],
    dates_b: frozenset[int] | set[int],
    lead_years_a: frozenset[int] | set[int],
    lead_years_b: frozenset[int] | set[int],
    weights: Weights,
) -> bool:
    """Whether the years two undated sides mention disagree (both state some, none shared),
    read as ``weights.year_evidence`` says (:func:`veto_years`)."""
    if weights.year_evidence == "lead-text" and lead_years_a and lead_years_b:
        years_a, years_b = lead_years_a, lead_years_b  # both leads state years
    else:
        years_a = veto_years(dates_a, lead_years_a, weights)
        years_b = veto_years(dates_b, lead_years_b, weights)
    return bool(years_a and years_b and years_a.isdisjoint(years_b))


def veto_years(dates: frozenset[int] | set[int], lead_years: frozenset[int] | set[int],
               weights: Weights) -> frozenset[int] | set[int]:
    """The years the year veto reads of one side: its date features' years (``"text"``;
    also ``"lead-text"`` where a pair's two leads do not both state years), the years of
    its title, lead and date lines (``"lead"``), or none (``"none"``), as
    ``weights.year_evidence`` says (:data:`newsweave.stories.features.YEAR_EVIDENCE`).

    >>> veto_years({1, 2}, {2}, Weights()), veto_years({1, 2}, {2}, Weights(year_evidence="lead"))
    ({1, 2}, {2})
    """
    if weights.year_evidence == "lead":
        return lead_years
    return frozenset() if weights.year_evidence == "none" else dates


def semantic_factor(cosine: Any, weights: Weights) -> Any:
    """The factor by which two reports' sentence-vector agreement (``cosine``: a number or an
    array) scales their word similarity (:data:`SEMANTIC_NEUTRAL`); 1 when ``weights``
    turn it off.

    >>> w = Weights(semantic=0.5)
    >>> [round(float(semantic_factor(c, w)), 3) for c in (0.2, 0.5 + 0.4 * 0.364, 0.95)]
    [0.846, 1.0, 1.269]
    """
    if weights.semantic <= 0:
        return np.ones_like(cosine) if isinstance(cosine, np.ndarray) else 1.0
    agree = np.clip((cosine - weights.semantic_floor)
                    / (SEMANTIC_CEIL - weights.semantic_floor), 0.0, 1.0)
    return (1.0 + weights.semantic * agree) / (1.0 + weights.semantic * weights.semantic_neutral)


def meaning_factors(items: Sequence[ArticleVector], weights: Weights) -> np.ndarray | None:
    """:func:`semantic_factor` of every pair of ``items`` that both have a sentence vector,
    1 for the others (diagonal included); None where none applies (off, or fewer than two
    vectors)."""
    if weights.semantic <= 0:
        return None
    has = np.array([a.meaning is not None for a in items], dtype=bool)
    if int(has.sum()) < 2:
        return None
    dim = next(len(a.meaning) for a in items if a.meaning is not None)
    matrix = np.zeros((len(items), dim), dtype=np.float64)
    for i, a in enumerate(items):
        if a.meaning is not None:
            matrix[i] = a.meaning
    both = np.outer(has, has)
    factors = np.where(both, semantic_factor(matrix @ matrix.T, weights), 1.0)
    np.fill_diagonal(factors, 1.0)
    return factors  # type: ignore[no-any-return]


def link_floor(weight: float, factor: float) -> float:
    """The similarity floor a reuse link of ``weight`` gives a pair whose vetoes (names,
    dates) damp it by ``factor``: a copy (weight 1) is the same report whatever else
    differs; lesser evidence (shared quotations) is damped like any other similarity, since
    a quotation is repeated in later stories about the same person."""
    return weight if weight >= 1.0 else weight * factor


def similarity_matrix(
    items: Sequence[ArticleVector],
    weights: Weights,
    links: Mapping[tuple[int, int], float] | None = None,
) -> np.ndarray:
    """Pairwise similarities of articles, vetoes applied; linked pairs score at least their
    link's weight (1 for a copy, less for shared quotes: see :mod:`newsweave.stories`)."""
    return pair_matrices(items, weights, links)[0]


def pair_matrices(
    items: Sequence[ArticleVector],
    weights: Weights,
    links: Mapping[tuple[int, int], float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(similarities, names_agree)`` of every pair of ``items``.

    ``similarities`` is :func:`similarity_matrix`; ``names_agree`` is 1 where two
    articles' names do not disagree (they share names, or one names nobody) and 0
    where they do. Vectorised over the features the items use: a repair
    neighbourhood holds a few hundred articles, so dense is cheap and exact.
    """
    n = len(items)
    full = _cosines([a.arrays() for a in items])
    names = _cosines([a.name_arrays() for a in items])
    counts = np.array([a.name_count() for a in items], dtype=np.int64)
    enough = (np.minimum.outer(counts, counts) >= MIN_NAMES) & (
        np.multiply.outer(counts, counts) >= NAMES_PRODUCT)  # as names_can_disagree
    disagree = enough & (names < weights.name_floor)
    factor = np.where(disagree, name_penalties(counts, weights), 1.0)
    days = np.array([-1 if a.day is None else a.day for a in items], dtype=np.int64)
    dated = days >= 0
    both_dated = np.outer(dated, dated)
    far = both_dated & (np.abs(days[:, None] - days[None, :]) > weights.window_days)
    # Years mentioned are a fallback for undated pairs (see veto_factor).
    years = _incidence([veto_years(a.dates, a.lead_years, weights) for a in items])
    has_years = years.any(axis=1)
    share = (years @ years.T) > 0
    clash = ~both_dated & np.outer(has_years, has_years) & ~share
    if weights.year_evidence == "lead-text":  # the leads' years where both state some
        lead = _incidence([a.lead_years for a in items])
        has_lead = lead.any(axis=1)
        both_lead = np.outer(has_lead, has_lead)
        clash = np.where(both_lead, ~both_dated & ((lead @ lead.T) == 0), clash)
    factor = factor * np.where(far, weights.date_penalty,
                               np.where(clash, year_penalty(weights), 1.0))
    if weights.figure_penalty < 1.0:
        figures = _incidence([a.figures for a in items])
        stated = figures.any(axis=1)
        differ = np.outer(stated, stated) & ((figures @ figures.T) == 0)
        factor = factor * np.where(differ, weights.figure_penalty, 1.0)
    if weights.weekday_penalty < 1.0:  # undated pairs only, as the years (veto_factor)
        weekdays = _incidence([a.weekdays for a in items])
        stated = weekdays.any(axis=1)
        differ = (~both_dated & np.outer(stated, stated)
                  & ((weekdays @ weekdays.T) == 0))
        factor = factor * np.where(differ, weights.weekday_penalty, 1.0)
    if weights.place_penalty < 1.0:
        places = _incidence([a.places for a in items])
        stated = places.any(axis=1)
        differ = np.outer(stated, stated) & ((places @ places.T) == 0)
        factor = factor * np.where(differ, weights.place_penalty, 1.0)
    sims = full * factor
    meaning = meaning_factors(items, weights)
    if meaning is not None:
        sims = sims * meaning  # the diagonal's factor is 1: an article's own similarity
    if BARE_PAIR_FACTOR != 1.0:
        bare = np.array([a.bare for a in items], dtype=bool)
        if bare.sum() > 1:
            both = np.outer(bare, bare)
            np.fill_diagonal(both, False)
            if BARE_PAIR_MEANING:
                both &= meaning > 1.0 if meaning is not None else False
            sims = np.where(both, sims * BARE_PAIR_FACTOR, sims)
    if links:
        index = {a.id: i for i, a in enumerate(items)}
        for (a, b), weight in links.items():
            if a in index and b in index:
                i, j = index[a], index[b]
                # A negative weight is a user's split: it overrides every other evidence.
                sims[i, j] = sims[j, i] = (weight if weight < 0 else
                                           max(sims[i, j], link_floor(weight, factor[i, j])))
    agree = (~disagree).astype(np.float64)
    if n:
        np.fill_diagonal(agree, 1.0)
    return sims, agree


def name_penalties(counts: np.ndarray, weights: Weights) -> Any:
    """The names' veto of every pair of reports naming ``counts`` distinct names: the flat
    ``weights.name_penalty``, or graded by the fewer names (:data:`NAME_GRADE`).

    >>> w = Weights(name_grade=0.65, name_base=0.92)
    >>> [round(float(f), 2) for f in name_penalties(np.array([4, 8, 16]), w)[0]]
    [0.92, 0.92, 0.92]
    >>> [round(float(f), 2) for f in name_penalties(np.array([4, 8, 16]), w)[2]]
    [0.92, 0.68, 0.51]
    >>> float(name_penalties(np.array([4, 8]), Weights(name_penalty=0.6)))
    0.6
    """
    if weights.name_grade >= 1.0:
        return weights.name_penalty
    fewer = np.maximum(np.minimum.outer(counts, counts), MIN_NAMES).astype(np.float64)
    return weights.name_base * weights.name_grade ** np.log(fewer / MIN_NAMES)


def _incidence(sets: Sequence[frozenset[int]]) -> np.ndarray:
    columns: dict[int, int] = {}
    for keys in sets:
        for k in keys:
            columns.setdefault(k, len(columns))
    matrix = np.zeros((len(sets), max(1, len(columns))), dtype=np.float32)
    for row, keys in enumerate(sets):
        for k in keys:
            matrix[row, columns[k]] = 1.0
    return matrix


__all__ = [
    "FIGURE_PENALTY", "MIN_NAMES", "NAMES_PRODUCT", "NAME_BASE", "NAME_GRADE",
    "SEMANTIC_CEIL", "SEMANTIC_NEUTRAL", "SMALL_STORY", "YEAR_PENALTY", "Arrays",
    "ArticleVector", "Every", "Vector", "Weights", "add_arrays", "add_into", "as_dict", "dot",
    "dot_arrays", "idf", "link_floor", "meaning_factors", "name_penalties",
    "names_can_disagree", "normalise", "pack", "pack_arrays", "pack_dates", "pair_matrices",
    "semantic_factor", "similarity_matrix", "split_dates", "split_every", "split_facts",
    "top_array_keys", "top_keys", "top_of", "unique_inverse", "unpack", "unpack_arrays",
    "veto_factor", "veto_years", "weigh", "weigh_packed", "year_penalty", "years_disagree",
]
