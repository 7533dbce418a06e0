"""MinHash signatures and LSH band keys: copy candidates without comparing all pairs.

Each article gets a 128-value MinHash of its 5-word shingles (rensa, fast and
numpy-free). The signature is cut into 32 bands of 4 values; two articles
whose shingle sets have Jaccard similarity ``j`` share at least one band key
with probability ``1 - (1 - j**4)**32``: 0.99 at j = 0.5, 0.23 at j = 0.3.
Partial copies below that are caught by the sentence-key index instead.
Band keys are stored with an index, so a new article finds its candidates
with one indexed lookup per band, however large the store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from newsweave.reuse.text import shingles

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SEED = 1_234_567  # fixed: stored signatures must stay comparable across runs
SHINGLE = 5


def signatures(token_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """MinHash signatures (``uint32``, one row of :data:`NUM_PERM` per text).

    A text with no words gets a row of the maximum value, which matches nothing.
    """
    from rensa import RMinHash

    out = np.full((len(token_lists), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    for i, tokens in enumerate(token_lists):
        grams = shingles(tokens, SHINGLE)
        if not grams:
            continue
        minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
        minhash.update(grams)
        out[i] = np.asarray(minhash.digest(), dtype=np.uint32)
    return out


def band_keys(signature: np.ndarray) -> list[int]:
    """The :data:`BANDS` LSH keys of one signature, as signed 64-bit integers.

    The band number is mixed in, so equal values in different bands never collide.
    """
    rows = signature.astype(np.uint64).reshape(BANDS, ROWS)
    mixed = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        for column in range(ROWS):
            mixed = (mixed ^ rows[:, column]) * np.uint64(0xBF58476D1CE4E5B9)
            mixed ^= mixed >> np.uint64(31)
    return [int(v) for v in mixed.view(np.int64)]


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The share of equal MinHash values: an estimate of shingle-set Jaccard similarity."""
    if a.size == 0 or b.size == 0:
        return 0.0
    empty = np.iinfo(np.uint32).max
    if a[0] == empty and np.all(a == empty):
        return 0.0
    return float(np.mean(a == b))
