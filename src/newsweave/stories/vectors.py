"""Weighted sparse vectors over hashed features, and the similarity of articles.

A vector is a ``{key: weight}`` dict, L2-normalised. Weights are sublinear TF
times IDF (from the store's document frequencies) times a group weight. Two
articles are compared by the cosine of their vectors, damped by *vetoes*: two
reports that share topic words ("earthquake", "magnitude") but name different
people and places, or mention different years, or were published far apart,
are usually two events of the same kind, not one event.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsweave.stories import prior
from newsweave.stories.features import Features

Vector = dict[int, float]
Arrays = tuple[np.ndarray, np.ndarray]  # a vector as (keys ascending as uint32, values)

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
    # when their names agree (see newsweave.stories.repair.attach_small); 0: never.
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

    __slots__ = ("_arrays", "_name_arrays", "_names", "_vector", "dates", "day", "figures",
                 "id", "lead_years", "meaning", "places", "weekdays")

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
    ) -> None:
        self.id = id
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


def _to_arrays(vector: Mapping[int, float]) -> Arrays:
    keys = np.fromiter(vector.keys(), dtype=np.uint32, count=len(vector))
    values = np.fromiter(vector.values(), dtype=np.float64, count=len(vector))
    order = np.argsort(keys, kind="stable")
    return keys[order], values[order]


def idf(df: float, docs: float) -> float:
    """Smoothed inverse document frequency (as scikit-learn's ``smooth_idf``); the counts
    are fractional where the prior is blended in (:func:`prior.blend`)."""
    return math.log((docs + 1) / (df + 1)) + 1.0


def weigh(
    features: Features, df: Mapping[int, int], docs: int, weights: Weights
) -> tuple[Vector, Vector]:
    """The normalised full vector and the normalised name-only vector of an article."""
    full: Vector = {}
    names: Vector = {}
    held = np.fromiter(features.keys(), dtype=np.int64)
    counts, total = prior.blend(np.array([df.get(k, 0) for k in held.tolist()]), docs, held,
                                weights.prior_documents, weights.prior_length)
    blended = dict(zip(held.tolist(), counts.tolist(), strict=True))
    for group, factor in ((features.terms, 1.0), (features.names, weights.names),
                          (features.dates, weights.dates)):
        if factor <= 0:
            continue
        for k, count in group.items():
            value = factor * (1.0 + math.log(count)) * idf(blended[k], total)
            full[k] = full.get(k, 0.0) + value
            if group is features.names:
                names[k] = value
    return normalise(full), normalise(names)


def weigh_packed(
    articles: Sequence[tuple[bytes, bytes, bytes]],
    frequencies: Callable[[np.ndarray], np.ndarray],
    docs: int,
    weights: Weights,
) -> list[tuple[Arrays, Arrays]]:
    """:func:`weigh` for many articles at once, from their packed (terms, names, dates)
    counts: per article, the full and the name-only vector as sorted arrays.

    ``frequencies`` maps an array of distinct keys to their document frequencies.
    One pass of numpy over all the articles' features instead of a Python loop
    per feature: weighing is what repair and title refreshes spend their time on.
    """
    n = len(articles)
    key_bytes: list[memoryview] = []
    count_bytes: list[memoryview] = []
    lengths, factors, owners, named = [], [], [], []
    group_factors = (1.0, weights.names, weights.dates)
    for index, blobs in enumerate(articles):
        for group, blob in enumerate(blobs):
            if group_factors[group] <= 0 or not blob:
                continue
            half = len(blob) // 2  # packed: keys (uint32) then counts (float32)
            view = memoryview(blob)  # joined below: slices of a view are not copied twice
            key_bytes.append(view[:half])
            count_bytes.append(view[half:])
            lengths.append(half // 4)
            factors.append(group_factors[group])
            owners.append(index)
            named.append(group == 1)
    empty = (np.zeros(0, dtype=np.uint32), np.zeros(0))
    if not lengths:
        return [(empty, empty) for _ in range(n)]
    # Joined bytes, then one array each: a handful of numpy calls for the whole batch.
    key = np.frombuffer(b"".join(key_bytes), dtype=np.uint32).astype(np.int64)
    counts = np.frombuffer(b"".join(count_bytes), dtype=np.float32).astype(np.float64)
    owner = np.repeat(np.array(owners, dtype=np.int64), lengths)
    is_name = np.repeat(np.array(named, dtype=bool), lengths)
    factor = np.repeat(np.array(factors), lengths)
    if (counts <= 0).any():  # figures etc., kept in the dates blob below 0 (pack_dates)
        kept = counts > 0
        key, counts, owner, is_name, factor = (key[kept], counts[kept], owner[kept],
                                               is_name[kept], factor[kept])
    distinct, inverse = unique_inverse(key)
    df, total = prior.blend(frequencies(distinct), docs, distinct, weights.prior_documents,
                            weights.prior_length)
    idf = np.log((total + 1) / (df + 1)) + 1.0
    value = factor * (1.0 + np.log(counts)) * idf[inverse]
    full = _per_owner(owner, key, value, n)
    names = _per_owner(owner[is_name], key[is_name], value[is_name], n)
    return list(zip(full, names, strict=True))


def _per_owner(owner: np.ndarray, key: np.ndarray, value: np.ndarray, n: int) -> list[Arrays]:
    """Split (owner, key, value) triples into one normalised sorted vector per owner; a key
    an owner holds twice (a hash shared by two groups) adds up, as in :func:`weigh`."""
    composite = (owner << 32) | key
    distinct, inverse = unique_inverse(composite)  # owner by owner, sorted runs
    summed = np.bincount(inverse, weights=value, minlength=len(distinct))
    owners = distinct >> 32
    norms = np.sqrt(np.bincount(owners, weights=summed * summed, minlength=n))
    scale = np.divide(1.0, norms, out=np.zeros(n), where=norms > 0)
    summed = summed * scale[owners]
    keys = (distinct & 0xFFFFFFFF).astype(np.uint32)
    bounds = np.searchsorted(owners, np.arange(n + 1))
    return [(keys[bounds[i]:bounds[i + 1]], summed[bounds[i]:bounds[i + 1]])
            if norms[i] > 0 else (keys[:0], summed[:0]) for i in range(n)]


def unique_inverse(keys: np.ndarray, counts: bool = False) -> Any:
    """``np.unique(keys, return_inverse=True[, return_counts=True])``, the same arrays, by a
    stable sort: what is joined here is mostly sorted runs (each article's or story's keys
    ascending), which a stable sort (timsort) merges where np.unique's quicksort sorts
    from scratch (a tenth of the time on a neighbourhood's keys grouped by article).

    >>> [a.tolist() for a in unique_inverse(np.array([5, 1, 5, 3]), counts=True)]
    [[1, 3, 5], [2, 0, 2, 1], [1, 1, 2]]
    """
    order = keys.argsort(kind="stable")
    ordered = keys[order]
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(len(keys), dtype=np.intp)
    inverse[order] = first.cumsum() - 1  # methods: no dispatch layer
    if not counts:
        return ordered[first], inverse
    bounds = np.empty(int(first.sum()) + 1, dtype=np.intp)
    bounds[:-1] = first.nonzero()[0]
    bounds[-1] = len(ordered)
    return ordered[first], inverse, bounds[1:] - bounds[:-1]


def as_dict(arrays: Arrays) -> Vector:
    return dict(zip(arrays[0].tolist(), arrays[1].tolist(), strict=True))


def add_arrays(parts: Sequence[Arrays]) -> Arrays:
    """The sum of sparse vectors given as arrays, keys ascending."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return np.zeros(0, dtype=np.uint32), np.zeros(0)
    if len(parts) == 1:
        return parts[0][0], parts[0][1].astype(np.float64)
    keys = np.concatenate([p[0] for p in parts])
    values = np.concatenate([p[1] for p in parts]).astype(np.float64)
    distinct, inverse = unique_inverse(keys)  # sorted runs, one a part
    return distinct, np.bincount(inverse, weights=values, minlength=len(distinct))


def top_of(arrays: Arrays, count: int) -> Arrays:
    """The ``count`` heaviest entries (ties to the smaller key, as :func:`top_keys`),
    keys ascending."""
    keys, values = arrays
    if len(keys) <= count:
        return arrays
    kept = np.sort(_heaviest(keys, values, count))
    return keys[kept], values[kept]


def top_array_keys(arrays: Arrays, count: int) -> list[int]:
    """:func:`top_keys` of a vector given as arrays."""
    keys, values = arrays
    return keys[_heaviest(keys, values, count)].tolist()  # type: ignore[no-any-return]


def _heaviest(keys: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """``np.lexsort((keys, -values))[:count]``: the positions of the ``count`` heaviest
    entries, heaviest first, ties to the smaller key, then the earlier position. Only the
    entries at least as heavy as the ``count``-th are sorted (a story keeps up to 3,000
    keys and its index wants 48): a stable sort of a subset keeps its order.

    >>> _heaviest(np.array([7, 3, 5, 1]), np.array([.5, .9, .5, .1]), 2).tolist()
    [1, 2]
    """
    n = len(values)
    if count >= n or count <= 0:
        return np.lexsort((keys, -values))[:max(count, 0)]
    cut = np.partition(values, n - count)[n - count]  # the count-th heaviest value
    near = np.flatnonzero(values >= cut)
    return near[np.lexsort((keys[near], -values[near]))[:count]]


def dot_arrays(a: Arrays, b: Arrays) -> float:
    """The dot product of two vectors given as arrays (keys ascending)."""
    a_keys, b_keys = a[0], b[0]
    if not len(a_keys) or not len(b_keys):
        return 0.0
    if len(a_keys) > len(b_keys):
        a, b, a_keys, b_keys = b, a, b_keys, a_keys
    # Methods, not numpy's functions (no dispatch layer: this runs ~60 times an article);
    # a key past b's last one is clipped to it, which it cannot equal.
    at = b_keys.searchsorted(a_keys)
    # Positions in a of the shared keys: integer takes are cheaper than boolean masks.
    shared = (b_keys.take(at, mode="clip") == a_keys).nonzero()[0]
    if not len(shared):  # no shared key (two stories' names, often): the empty sum, 0.0
        return 0.0
    return float(np.dot(a[1].take(shared),
                        b[1].take(at.take(shared)).astype(np.float64, copy=False)))


def pack_arrays(arrays: Arrays) -> bytes:
    """:func:`pack` of a vector given as arrays, keys ascending."""
    keys, values = arrays
    return keys.astype(np.uint32).tobytes() + values.astype(np.float32).tobytes()


def normalise(vector: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else {}


def dot(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def add_into(total: dict[int, float], vector: Mapping[int, float], factor: float = 1.0) -> None:
    for k, v in vector.items():
        total[k] = total.get(k, 0.0) + factor * v


def top_keys(vector: Mapping[int, float], count: int) -> list[int]:
    """The ``count`` heaviest keys: the rare, specific features that find candidates."""
    return [k for k, _ in sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


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


def _cosines(vectors: Sequence[Vector] | Sequence[Arrays]) -> np.ndarray:
    """Pairwise dot products of vectors (dicts, or (keys, values) arrays). Only keys that
    two or more vectors hold can add to an off-diagonal entry. Keys that many vectors hold
    (common words) go through a dense matrix product; the many rare ones add their few
    pairs directly, so a whole small store costs what its shared words cost, not rows x
    all its keys."""
    n = len(vectors)
    arrays = [v if isinstance(v, tuple) else _to_arrays(v) for v in vectors]
    lengths = np.fromiter((len(k) for k, _ in arrays), dtype=np.int64, count=n)
    if not n or not lengths.sum():
        return np.zeros((n, n))
    keys = np.concatenate([k for k, _ in arrays]).astype(np.int64)
    values = np.concatenate([v for _, v in arrays]).astype(np.float64)
    rows = np.repeat(np.arange(n), lengths)
    distinct, column, counts = unique_inverse(keys, counts=True)
    if n * len(distinct) <= _SMALL:
        # A repair neighbourhood (tens of articles): one dense product is cheapest.
        matrix = np.zeros((n, len(distinct)))
        matrix[rows, column] = values
        return matrix @ matrix.T  # type: ignore[no-any-return]
    diagonal = np.bincount(rows, weights=values * values, minlength=n)
    shared = counts[column] > 1
    kept = np.cumsum(counts > 1) - 1  # column index among shared keys
    at, row_of, value_of = kept[column[shared]], rows[shared], values[shared]
    order = np.argsort(at, kind="stable")
    at, row_of, value_of = at[order], row_of[order], value_of[order]
    dense_column = counts[counts > 1] > _DENSE_DF
    dense = dense_column[at]
    result = np.zeros((n, n))
    _add_dense(result, (np.cumsum(dense_column) - 1)[at[dense]], row_of[dense],
               value_of[dense], int(dense_column.sum()))
    _add_pairs(result, at[~dense], row_of[~dense], value_of[~dense])
    np.fill_diagonal(result, diagonal)
    return result


def _add_dense(result: np.ndarray, at: np.ndarray, row_of: np.ndarray,
               value_of: np.ndarray, columns: int) -> None:
    """Add the products over columns ``at`` (ascending), a block of columns at a time: a
    whole small store's dense matrix would otherwise take hundreds of MiB."""
    n = len(result)
    for start in range(0, columns, _BLOCK):
        lo, hi = np.searchsorted(at, [start, start + _BLOCK])
        matrix = np.zeros((n, min(_BLOCK, columns - start)), dtype=np.float32)
        matrix[row_of[lo:hi], at[lo:hi] - start] = value_of[lo:hi]
        result += matrix @ matrix.T


def _add_pairs(result: np.ndarray, at: np.ndarray, row_of: np.ndarray,
               value_of: np.ndarray) -> None:
    """Add, for each column of ``at`` (ascending), the products of every pair of its rows."""
    if not len(at):
        return
    n = len(result)
    starts = np.flatnonzero(np.r_[True, at[1:] != at[:-1]])
    sizes = np.diff(np.r_[starts, len(at)])
    squares = sizes * sizes
    done = np.r_[0, np.cumsum(squares)]
    first = 0
    while first < len(sizes):
        # Columns whose pairs fit in _PAIRS (at least one), a chunk at a time (memory).
        last = max(first + 1, int(np.searchsorted(done, done[first] + _PAIRS, "right")) - 1)
        size, begin, square = sizes[first:last], starts[first:last], squares[first:last]
        owner = np.repeat(np.arange(len(size)), square)
        k = np.arange(int(square.sum())) - np.repeat(np.cumsum(square) - square, square)
        a = begin[owner] + k // size[owner]
        b = begin[owner] + k % size[owner]
        flat = np.bincount(row_of[a] * n + row_of[b], weights=value_of[a] * value_of[b],
                           minlength=n * n)
        result += flat.reshape(n, n)
        first = last


_SMALL = 1 << 20  # rows x keys up to which _cosines takes one dense product (8 MiB)
_BLOCK = 4096  # columns of the dense matrix at a time in _cosines (memory: rows x 16 KiB)
_DENSE_DF = 48  # keys held by more vectors than this go through the dense product
_PAIRS = 1 << 18  # pairs of rare keys added at a time (memory: ~10 MiB, and one n x n)


def pack_dates(dates: Iterable[int] | Mapping[int, float], figures: Iterable[int],
               places: Iterable[int] = (), lead_years: Iterable[int] = (),
               weekdays: Iterable[int] = ()) -> bytes:
    """Years (with their counts, or 1), figures, places, lead years and weekdays in one
    packed blob: a figure is stored with the count -1, a place with -2, a lead year with -3
    and a weekday with -4, so the blob of a store written before them reads as it did, and
    :func:`split_every` tells them apart (a key both a year and a figure stays a year)."""
    found: dict[int, float] = dict.fromkeys(weekdays, -4.0)
    found.update(dict.fromkeys(lead_years, -3.0))
    found.update(dict.fromkeys(places, -2.0))
    found.update(dict.fromkeys(figures, -1.0))
    found.update(dates if isinstance(dates, Mapping) else dict.fromkeys(dates, 1.0))
    return pack(found)


def split_dates(blob: bytes | None) -> tuple[frozenset[int], frozenset[int]]:
    """(years, figures) of a blob :func:`pack_dates` wrote.

    >>> split_dates(pack_dates({7: 2.0}, {9, 7})) == (frozenset({7}), frozenset({9}))
    True
    """
    years, figures, _ = split_facts(blob)
    return years, figures


def split_facts(blob: bytes | None) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """(years, figures, places) of a blob :func:`pack_dates` wrote.

    >>> split_facts(pack_dates({7: 2.0}, {9}, {5})) == ({7}, {9}, {5})
    True
    """
    return split_every(blob)[:3]


Every = tuple[frozenset[int], frozenset[int], frozenset[int], frozenset[int], frozenset[int]]
_NONE: Every = (frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def split_every(blob: bytes | None) -> Every:
    """(years, figures, places, lead years, weekdays) of a blob :func:`pack_dates` wrote (a
    few keys: plain Python is cheaper than numpy's masks here, and this runs for every
    article weighed).

    >>> split_every(pack_dates({7: 2.0}, {9}, {5}, {3}, {4})) == ({7}, {9}, {5}, {3}, {4})
    True
    """
    if not blob:
        return _NONE
    half = len(blob) // 2
    keys = np.frombuffer(blob, dtype=np.uint32, count=half // 4).tolist()
    values = np.frombuffer(blob, dtype=np.float32, offset=half).tolist()
    # One pass sorting each key by its count (a key is in a blob once): a year above 0, a
    # place -2, a lead year -3, a weekday -4, a figure anything else (-1). Three filtering
    # passes and a set difference cost a third more, and this runs for every candidate
    # story scored.
    found: tuple[list[int], ...] = ([], [], [], [], [])
    for k, v in zip(keys, values, strict=True):
        found[0 if v > 0 else 2 if v == -2.0 else 3 if v == -3.0 else 4 if v == -4.0
              else 1].append(k)
    return (frozenset(found[0]), frozenset(found[1]), frozenset(found[2]),
            frozenset(found[3]), frozenset(found[4]))


def pack(vector: Mapping[int, float]) -> bytes:
    """A vector as bytes: keys (uint32, ascending) then values (float32)."""
    keys = np.fromiter(vector.keys(), dtype=np.uint32, count=len(vector))
    values = np.fromiter(vector.values(), dtype=np.float32, count=len(vector))
    order = np.argsort(keys, kind="stable")
    return keys[order].tobytes() + values[order].tobytes()


def unpack_arrays(blob: bytes | None) -> tuple[np.ndarray, np.ndarray]:
    """A packed vector as (keys, values) arrays; keys ascending for anything packed by
    :func:`pack` (older blobs are sorted here)."""
    if not blob:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32)
    half = len(blob) // 2
    # Views of the blob (slicing bytes would copy a story's tens of KiB twice).
    keys = np.frombuffer(blob, dtype=np.uint32, count=half // 4)
    values = np.frombuffer(blob, dtype=np.float32, offset=half)
    if len(keys) > 1 and not (keys[1:] > keys[:-1]).all():  # the method: no dispatch layer
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
    return keys, values


def unpack(blob: bytes | None) -> Vector:
    if not blob:
        return {}
    half = len(blob) // 2
    keys = np.frombuffer(blob[:half], dtype=np.uint32)
    values = np.frombuffer(blob[half:], dtype=np.float32)
    return dict(zip(keys.tolist(), values.tolist(), strict=True))
