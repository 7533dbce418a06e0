"""Language identification: py3langid's model, its byte walk done with array operations.

py3langid finds its features (byte n-grams) by walking a deterministic automaton over the
text's UTF-8 bytes, one Python step per byte: most of its time on a news article, and
the largest single cost of cleaning an archive. The automaton is an Aho-Corasick one, so
its state after a byte is the longest suffix of the text so far that is a node of its
trie, and no node is deeper than :func:`automaton_depth` (6 bytes for py3langid 0.4's
model): the state at a position depends only on the last ``depth`` bytes. So every
position's state is found at once, ``depth`` array steps from the root, and the feature
counts, their order (first occurrence, as ``collections.Counter`` keeps them) and hence
the scores and the answer are exactly py3langid's (``tests/test_langid.py`` compares
them). Where the installed py3langid lacks the internals this relies on (0.3), its own
classifier is used unchanged.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np


def automaton_depth(table: np.ndarray, rows: np.ndarray) -> int:
    """The largest number of bytes from the root to any state (breadth-first, a level at
    a time). ``table[rows[s], byte]`` is the state after ``byte`` in state ``s``."""
    seen = np.zeros(len(rows), dtype=bool)
    seen[0] = True
    frontier = np.zeros(1, dtype=np.intp)
    depth = 0
    while True:
        # a few thousand rows at a time: all at once is a 40 MB array at the widest level
        level = np.unique(rows[frontier])
        following = np.unique(np.concatenate(
            [np.unique(table[level[start:start + 2_048]])
             for start in range(0, len(level), 2_048)]))
        following = following[~seen[following]]
        if not len(following):
            return depth
        seen[following] = True
        frontier = following
        depth += 1


def count_in_order(found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``found`` (non-empty) in the order of their first occurrence,
    and how often each occurs: ``collections.Counter(found)``'s keys and values, which is
    what py3langid scores."""
    order = np.argsort(found, kind="stable")  # equal values keep their positions' order
    ranked = found[order]
    starts = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1])))
    counts = np.diff(np.append(starts, len(ranked)))
    by_first = np.argsort(order[starts])  # a value's first position is its run's first
    return ranked[starts][by_first], counts[by_first]


@cache
def load_identifier() -> Any:
    """The py3langid identifier (probabilities normalised), loaded once: loading costs far
    more than classifying. Its ``classify(text)`` gives ``(code, confidence)``."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    load = getattr(LanguageIdentifier, "from_model_file", None)
    if load is None or not hasattr(LanguageIdentifier, "_raw_score"):
        # py3langid 0.3 has only the pickled-model constructor and another byte walk
        return LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    return _walker(LanguageIdentifier).from_model_file(MODEL_FILE, norm_probs=True)


def _walker(base: type) -> type:
    """``base`` (py3langid 0.4's identifier) with the byte walk done in array steps."""

    class ArrayWalkIdentifier(base):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            moves = self.tk_nextmove
            self._moves = np.frombuffer(moves, dtype=np.dtype(moves.typecode))
            rows = np.frombuffer(self.tk_row, dtype=np.dtype(self.tk_row.typecode))
            self._depth = automaton_depth(self._moves.reshape(-1, 256), rows)
            self._row_offsets = rows.astype(np.intp) << 8  # a state's row in ``_moves``
            self._outputs = np.asarray(self.tk_output, dtype=np.intp)
            # Every float16 value's float32, by its bits (256 KB): an article's rows are
            # gathered as 16-bit integers and read through it, cheaper than numpy's float16
            # gather and cast (a float16 value is exact in float32: the same rows). Casting
            # the model's rows once would save more but hold 57 MB more in every process.
            self._float16_as_32 = (np.arange(1 << 16, dtype=np.uint32).astype(np.uint16)
                                   .view(np.float16).astype(np.float32))

        def _raw_score(self, text: bytes) -> Any:
            data = np.frombuffer(text, dtype=np.uint8).astype(np.intp)
            size = len(data)
            states = np.zeros(size, dtype=np.intp)
            moves, rowbase = self._moves, self._row_offsets
            for step in range(self._depth):
                lag = self._depth - 1 - step  # position i reads byte i - lag in this step
                if lag < size:
                    states[lag:] = moves[rowbase[states[lag:]] + data[: size - lag]]
            found = self._outputs[states]
            found = found[found >= 0]
            if not len(found):
                return super()._raw_score(text)  # no feature: the library's own answer
            features, counts = count_in_order(found)
            # py3langid's _sparse_score, fed the arrays it would build from its Counter (the
            # same values in the same order): building the dict and reading it back cost as
            # much as the walk. Its float16 rows are cast to float32 here, as matmul casts
            # them itself, only at a fraction of the cost; the same float32 product, so the
            # same sums (tests/test_langid.py compares every score with the library's).
            bits = np.take(self.nb_ptc.view(np.uint16), features, axis=0)
            rows = np.take(self._float16_as_32, bits)
            return np.log1p(counts.astype(np.float32)) @ rows + self.nb_pc

    return ArrayWalkIdentifier
