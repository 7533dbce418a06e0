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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from newsweave.stories.features import Features

Vector = dict[int, float]

SMALL_STORY = 2  # stories this small may join a larger one below the threshold (``attach``)


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


@dataclass(slots=True)
class ArticleVector:
    """One article ready to compare: full vector, name-only vector, years, publication day."""

    id: int
    vector: Vector
    names: Vector
    dates: frozenset[int]
    day: int | None  # proleptic ordinal of the publication date, if known
    _arrays: tuple[np.ndarray, np.ndarray] | None = None

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The vector as (keys, values) arrays, for vectorised lookups."""
        if self._arrays is None:
            keys = np.fromiter(self.vector.keys(), dtype=np.uint32, count=len(self.vector))
            values = np.fromiter(self.vector.values(), dtype=np.float64, count=len(self.vector))
            self._arrays = (keys, values)
        return self._arrays


def idf(df: int, docs: int) -> float:
    """Smoothed inverse document frequency (as scikit-learn's ``smooth_idf``)."""
    return math.log((docs + 1) / (df + 1)) + 1.0


def weigh(
    features: Features, df: Mapping[int, int], docs: int, weights: Weights
) -> tuple[Vector, Vector]:
    """The normalised full vector and the normalised name-only vector of an article."""
    full: Vector = {}
    names: Vector = {}
    for group, factor in ((features.terms, 1.0), (features.names, weights.names),
                          (features.dates, weights.dates)):
        if factor <= 0:
            continue
        for k, count in group.items():
            value = factor * (1.0 + math.log(count)) * idf(df.get(k, 0), docs)
            full[k] = full.get(k, 0.0) + value
            if group is features.names:
                names[k] = value
    return normalise(full), normalise(names)


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
) -> float:
    """The factor by which disagreeing names, years and publication times damp a similarity."""
    factor = 1.0
    if has_names and names_cos < weights.name_floor:
        factor *= weights.name_penalty
    if days_apart is not None:
        if days_apart > weights.window_days:
            factor *= weights.date_penalty
    elif dates_a and dates_b and not (dates_a & dates_b):
        # Years mentioned are a fallback for undated articles: a dated report's
        # background years ("the 1979 collapse") say little about its event.
        factor *= weights.date_penalty
    return factor


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
    full = _cosines([a.vector for a in items])
    names = _cosines([a.names for a in items])
    has_names = np.array([bool(a.names) for a in items])
    disagree = np.outer(has_names, has_names) & (names < weights.name_floor)
    factor = np.where(disagree, weights.name_penalty, 1.0)
    days = np.array([-1 if a.day is None else a.day for a in items], dtype=np.int64)
    dated = days >= 0
    both_dated = np.outer(dated, dated)
    far = both_dated & (np.abs(days[:, None] - days[None, :]) > weights.window_days)
    # Years mentioned are a fallback for undated pairs (see veto_factor).
    years = _incidence([a.dates for a in items])
    has_years = years.any(axis=1)
    share = (years @ years.T) > 0
    clash = ~both_dated & np.outer(has_years, has_years) & ~share
    factor = factor * np.where(far | clash, weights.date_penalty, 1.0)
    sims = full * factor
    if links:
        index = {a.id: i for i, a in enumerate(items)}
        for (a, b), weight in links.items():
            if a in index and b in index:
                i, j = index[a], index[b]
                sims[i, j] = sims[j, i] = max(sims[i, j], weight)
    agree = (~disagree).astype(np.float64)
    if n:
        np.fill_diagonal(agree, 1.0)
    return sims, agree


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


def _cosines(vectors: Sequence[Vector]) -> np.ndarray:
    """Pairwise dot products. Only keys that two or more vectors hold can add to an
    off-diagonal entry, so the dense matrix spans those (a fraction of all keys)."""
    n = len(vectors)
    lengths = np.fromiter((len(v) for v in vectors), dtype=np.int64, count=n)
    total = int(lengths.sum())
    keys = np.fromiter((k for v in vectors for k in v), dtype=np.int64, count=total)
    values = np.fromiter((x for v in vectors for x in v.values()), dtype=np.float64,
                         count=total)
    rows = np.repeat(np.arange(n), lengths)
    diagonal = np.bincount(rows, weights=values * values, minlength=n)
    _, column, counts = np.unique(keys, return_inverse=True, return_counts=True)
    shared = counts[column] > 1
    kept = np.cumsum(counts > 1) - 1  # column index among shared keys
    matrix = np.zeros((n, max(1, int((counts > 1).sum()))), dtype=np.float32)
    matrix[rows[shared], kept[column[shared]]] = values[shared]
    result = (matrix @ matrix.T).astype(np.float64)
    np.fill_diagonal(result, diagonal)
    return result


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
    keys = np.frombuffer(blob[:half], dtype=np.uint32)
    values = np.frombuffer(blob[half:], dtype=np.float32)
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
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
