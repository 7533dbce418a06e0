"""Sparse vectors as ``{key: weight}`` dicts or as sorted ``(keys, values)`` arrays: their
sums, dot products, heaviest keys and the pairwise dot products of many
(:func:`_cosines`). What :mod:`newsweave.stories.vectors` builds its similarities on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

Vector = dict[int, float]
Arrays = tuple[np.ndarray, np.ndarray]  # a vector as (keys ascending as uint32, values)


def _to_arrays(vector: Mapping[int, float]) -> Arrays:
    keys = np.fromiter(vector.keys(), dtype=np.uint32, count=len(vector))
    values = np.fromiter(vector.values(), dtype=np.float64, count=len(vector))
    order = np.argsort(keys, kind="stable")
    return keys[order], values[order]


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
