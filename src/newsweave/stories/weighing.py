"""An article's features weighed into vectors: sublinear TF times IDF (from the store's
document frequencies, blended with the prior) times a group weight, L2-normalised.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from newsweave.stories import prior
from newsweave.stories.features import Features
from newsweave.stories.sparse import Arrays, Vector, normalise, unique_inverse

if TYPE_CHECKING:  # read for its attributes only: vectors imports this module
    from newsweave.stories.vectors import Weights


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
