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


@dataclass(frozen=True, slots=True)
class Weights:
    """How the signals combine; built from the settings (see ``story_*`` settings)."""

    names: float = 1.0  # weight of the name group relative to terms
    dates: float = 0.5
    name_floor: float = 0.1  # name cosine below this (both have names): names disagree
    name_penalty: float = 0.6  # similarity factor when names disagree
    date_penalty: float = 0.7  # factor when mentioned years or publication times disagree
    window_days: int = 14  # publication dates further apart than this disagree


@dataclass(slots=True)
class ArticleVector:
    """One article ready to compare: full vector, name-only vector, years, publication day."""

    id: int
    vector: Vector
    names: Vector
    dates: frozenset[int]
    day: int | None  # proleptic ordinal of the publication date, if known


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
    link's weight (1 for a copy, less for shared quotes: see :mod:`newsweave.stories`).

    Dense over the features the items use, which is fine for the few hundred
    articles of a repair neighbourhood.
    """
    n = len(items)
    full = _cosines([a.vector for a in items])
    names = _cosines([a.names for a in items])
    has_names = np.array([bool(a.names) for a in items])
    both_names = np.outer(has_names, has_names)
    factor = np.ones((n, n), dtype=np.float64)
    factor[both_names & (names < weights.name_floor)] *= weights.name_penalty
    date_sets = [a.dates for a in items]
    days = [a.day for a in items]
    for i in range(n):
        for j in range(i + 1, n):
            day_i, day_j = days[i], days[j]
            apart = abs(day_i - day_j) if day_i is not None and day_j is not None else None
            f = veto_factor(1.0, False, date_sets[i], date_sets[j], apart, weights)
            if f != 1.0:
                factor[i, j] *= f
                factor[j, i] *= f
    sims = full * factor
    if links:
        index = {a.id: i for i, a in enumerate(items)}
        for (a, b), weight in links.items():
            if a in index and b in index:
                i, j = index[a], index[b]
                sims[i, j] = sims[j, i] = max(sims[i, j], weight)
    return sims


def _cosines(vectors: Sequence[Vector]) -> np.ndarray:
    columns: dict[int, int] = {}
    for vector in vectors:
        for k in vector:
            columns.setdefault(k, len(columns))
    matrix = np.zeros((len(vectors), max(1, len(columns))), dtype=np.float32)
    for row, vector in enumerate(vectors):
        if vector:
            matrix[row, [columns[k] for k in vector]] = list(vector.values())
    return (matrix @ matrix.T).astype(np.float64)


def pack(vector: Mapping[int, float]) -> bytes:
    """A vector as bytes: keys (uint32) then values (float32)."""
    keys = np.fromiter(vector.keys(), dtype=np.uint32, count=len(vector))
    values = np.fromiter(vector.values(), dtype=np.float32, count=len(vector))
    return keys.tobytes() + values.tobytes()


def unpack(blob: bytes | None) -> Vector:
    if not blob:
        return {}
    half = len(blob) // 2
    keys = np.frombuffer(blob[:half], dtype=np.uint32)
    values = np.frombuffer(blob[half:], dtype=np.float32)
    return dict(zip(keys.tolist(), values.tolist(), strict=True))
