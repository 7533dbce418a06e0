"""Semantic neighbours: articles whose title and lead embed close together.

Rewrites and translations share few exact shingles, so the reuse stage also
compares each new article with its nearest neighbours by embedding. Vectors
are stored once per article (``article_vectors``); this module keeps them in
memory as one matrix, loading only the rows added since the last look, so a
batch costs one matrix product however large the store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from newsweave.model import Article
from newsweave.nlp.embed import MODEL_NAME, embed, lead_text
from newsweave.store import Store

# e5 cosines are compressed: unrelated news leads score about 0.75, the same
# story 0.85-0.95. Relatedness rescales that range to 0..1.
COSINE_FLOOR = 0.75
COSINE_CEIL = 0.95


class VectorIndex:
    """All stored article vectors of one store, as an in-memory matrix."""

    def __init__(self) -> None:
        self._key: tuple[int, str] | None = None
        self._ids: list[int] = []
        self._blocks: list[np.ndarray] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._id_array = np.zeros(0, dtype=np.int64)

    def refresh(self, store: Store) -> None:
        """Load the vectors stored since the last refresh (all of them for a new store)."""
        key = (id(store), store.path)
        if key != self._key:
            self.__init__()  # type: ignore[misc]
            self._key = key
        after = self._ids[-1] if self._ids else 0
        ids, matrix = store.reuse.vectors_after(after, MODEL_NAME)
        if ids:
            self._ids.extend(ids)
            self._blocks.append(matrix)
            self._matrix = np.vstack(self._blocks) if len(self._blocks) > 1 else matrix
            self._blocks = [self._matrix]
            self._id_array = np.asarray(self._ids, dtype=np.int64)

    def nearest(self, vectors: np.ndarray, k: int, min_cosine: float
                ) -> list[list[tuple[int, float]]]:
        """For each row of ``vectors``, up to ``k`` (id, cosine) at or above ``min_cosine``."""
        if not len(self._ids) or not len(vectors):
            return [[] for _ in range(len(vectors))]
        scores = vectors @ self._matrix.T
        out = []
        for row in scores:
            take = min(k + 1, row.size)
            top = np.argpartition(-row, take - 1)[:take]
            top = top[np.argsort(-row[top])]
            out.append([(int(self._id_array[i]), float(row[i])) for i in top
                        if row[i] >= min_cosine])
        return out

    def cosines(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosines of every stored vector with ``vector``."""
        if not len(self._ids):
            return self._id_array, np.zeros(0, dtype=np.float32)
        return self._id_array, self._matrix @ vector


def article_vectors(articles: Sequence[Article]) -> np.ndarray:
    """Embeddings of the articles' titles and leads (one row each)."""
    return embed([lead_text(a.title, a.text) for a in articles])


def relatedness(cosine: float | None, shared: float = 0.0) -> float:
    """How related two articles are, 0..1: rescaled embedding cosine, raised by shared text.

    >>> round(relatedness(0.9), 2), round(relatedness(0.9, shared=0.8), 2)
    (0.75, 0.95)
    """
    semantic = 0.0
    if cosine is not None:
        semantic = min(1.0, max(0.0, (cosine - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR)))
    return max(semantic, 1.0 - (1.0 - semantic) * (1.0 - shared))
