"""Semantic neighbours: articles whose title and lead embed close together.

Rewrites and translations share few exact shingles, so the reuse stage also
compares each new article with its nearest neighbours by embedding. Vectors
are stored once per article (``article_vectors``); this module keeps them in
memory as one matrix, loading only the rows changed since the last look (by
any process), so a batch costs one matrix product however large the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from newsweave.model import Article
from newsweave.nlp import english
from newsweave.nlp.embed import MODEL_NAME, embed, lead_text
from newsweave.store import Store

# e5 cosines are compressed: unrelated news leads score about 0.75, the same
# story 0.85-0.95. Relatedness rescales that range to 0..1.
COSINE_FLOOR = 0.75
COSINE_CEIL = 0.95
# MiniLM (English, whole text) spreads wider: unrelated articles about 0.08,
# the same story 0.7-0.9. Its range is read off ECB+ at the quantiles where
# e5's range sits there (`python bench/embed_scale.py`): the floor at the 32nd
# percentile of unrelated pairs, the ceiling at the 85th of same-story pairs,
# so the two rescaled scores mean the same and can be averaged.
ENGLISH_FLOOR = 0.03
ENGLISH_CEIL = 0.86
SCALES = {"e5": (COSINE_FLOOR, COSINE_CEIL), "minilm": (ENGLISH_FLOOR, ENGLISH_CEIL)}
ENGLISH_CHARS = 3000  # more than the English model's word pieces: it cuts the rest


class VectorIndex:
    """All stored article vectors of one store, as an in-memory matrix in article id order.

    A refresh reads the store's vector change log (``store.reuse.vector_changes``),
    so it sees every row written or deleted since the last look, by this process or
    any other, whatever the articles' ids, and reloads only those rows.
    """

    def __init__(self, model: str = MODEL_NAME) -> None:
        self.model = model
        self._key: tuple[int, str] | None = None
        self._seq = 0
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._id_array = np.zeros(0, dtype=np.int64)

    @property
    def _ids(self) -> list[int]:
        return [int(i) for i in self._id_array]

    def refresh(self, store: Store) -> None:
        """Load the vectors changed since the last refresh (all of them for a new store)."""
        key = (id(store), store.path)
        if key != self._key:
            seq, _ = store.reuse.vector_changes(self.model, None)
            ids, matrix = store.reuse.vectors_after(0, self.model)
            self._key, self._seq = key, seq
            self._id_array = np.asarray(ids, dtype=np.int64)
            self._matrix = matrix
            return
        seq, changed = store.reuse.vector_changes(self.model, self._seq)
        self._seq = seq
        if not changed:
            return
        fresh = store.reuse.vectors(changed, self.model)
        keep = ~np.isin(self._id_array, np.asarray(changed, dtype=np.int64))
        new_ids = np.asarray(sorted(fresh), dtype=np.int64)
        blocks = [self._matrix[keep]] if keep.any() else []
        if len(new_ids):
            blocks.append(np.vstack([fresh[int(i)] for i in new_ids]))
        ids = np.concatenate([self._id_array[keep], new_ids])
        if not blocks:
            self._id_array, self._matrix = ids, np.zeros((0, 0), dtype=np.float32)
            return
        matrix = np.vstack(blocks) if len(blocks) > 1 else blocks[0]
        order = np.argsort(ids, kind="stable")  # other processes' ids may be lower than ours
        self._id_array, self._matrix = ids[order], matrix[order]

    def forget(self, article_ids: Sequence[int]) -> None:
        """Kept for callers: replaced or deleted rows are found through the change log."""

    def nearest(self, vectors: np.ndarray, k: int, min_cosine: float
                ) -> list[list[tuple[int, float]]]:
        """For each row of ``vectors``, up to ``k`` (id, cosine) at or above ``min_cosine``."""
        if not len(self._id_array) or not len(vectors):
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
        if not len(self._id_array):
            return self._id_array, np.zeros(0, dtype=np.float32)
        return self._id_array, self._matrix @ vector


class SemanticIndex:
    """Both models' stored vectors: e5 for every article, MiniLM for the English ones.

    The semantic score of a pair is what :func:`relatedness` makes of the two
    cosines (the e5 one alone when either article is not English), so the
    reuse stage's neighbour search and ``newsweave similar`` rank alike.
    """

    def __init__(self) -> None:
        self.lead = VectorIndex(MODEL_NAME)
        self.english = VectorIndex(english.MODEL_NAME)

    def refresh(self, store: Store) -> None:
        """Load the vectors of both models stored since the last refresh."""
        self.lead.refresh(store)
        self.english.refresh(store)

    def cosines(self, lead: np.ndarray | None, english_vector: np.ndarray | None
                ) -> dict[int, tuple[float | None, float | None]]:
        """Every stored article's (e5 cosine, English cosine) with one article's vectors."""
        out: dict[int, tuple[float | None, float | None]] = {}
        if lead is not None:
            ids, scores = self.lead.cosines(lead)
            out = {int(i): (float(c), None) for i, c in zip(ids.tolist(), scores.tolist(),
                                                           strict=True)}
        if english_vector is not None:
            ids, scores = self.english.cosines(english_vector)
            for i, c in zip(ids.tolist(), scores.tolist(), strict=True):
                out[int(i)] = (out.get(int(i), (None, None))[0], float(c))
        return out

    def nearest(self, lead: np.ndarray, english_vectors: Sequence[np.ndarray | None], k: int,
                min_cosine: float) -> list[list[tuple[int, float]]]:
        """For each row of ``lead`` (with its English vector, or None), up to ``k`` neighbours.

        A neighbour is a stored article whose e5 cosine reaches ``min_cosine``
        or whose semantic score (the two rescaled cosines' mean, for English
        pairs) reaches that cosine's rescaled value; the best ``k`` by semantic
        score, each as (id, e5 cosine).
        """
        self_ids = self.lead._id_array
        if not len(self_ids) or not len(lead):
            return [[] for _ in range(len(lead))]
        floor = rescale(min_cosine, COSINE_FLOOR, COSINE_CEIL)
        cosine_rows = lead @ self.lead._matrix.T
        semantic = rescale(cosine_rows, COSINE_FLOOR, COSINE_CEIL)
        en_ids = self.english._id_array
        # Positions of the English-indexed articles among the e5-indexed ones.
        pos = np.minimum(np.searchsorted(self_ids, en_ids), len(self_ids) - 1)
        found = self_ids[pos] == en_ids
        rows = [row for row, vector in enumerate(english_vectors) if vector is not None]
        if rows and found.any():
            # For English rows, the mean of both rescaled cosines over the English articles:
            # one matrix product for the batch.
            english_scores = rescale(
                np.vstack([english_vectors[row] for row in rows]) @ self.english._matrix[found].T,
                ENGLISH_FLOOR, ENGLISH_CEIL)
            cells = np.ix_(rows, pos[found])
            semantic[cells] = 0.5 * (semantic[cells] + english_scores)
        out = []
        for row in range(len(lead)):
            score = semantic[row]
            take = min(k + 1, score.size)
            top = np.argpartition(-score, take - 1)[:take]
            top = top[np.argsort(-score[top], kind="stable")]
            out.append([(int(self_ids[i]), float(cosine_rows[row, i])) for i in top
                        if cosine_rows[row, i] >= min_cosine or score[i] >= floor])
        return out


def translation_partners(index: VectorIndex, vector: np.ndarray, article_id: int,
                         language_of: Callable[[int], str | None], floor: float
                         ) -> list[tuple[int, float]]:
    """Stored articles that may be this article in another language: ``(id, cosine)``.

    A translation says what its original says and nothing else, so of the articles
    in its language it is the original's nearest, and the original is its nearest in
    the original's: a pair counts when each is the other's nearest among the articles
    of the other's language and their e5 cosine reaches ``floor``. A lead cut at a
    fixed number of characters covers more of a Chinese text than of its English
    original, so the cosine of a translation varies with the languages while its rank
    holds (NTREX-128: ``bench/ntrex.py``). ``language_of`` gives a stored article's
    language (read once per article by the caller).
    """
    own = primary_language(language_of(article_id))
    if not own or not len(index._id_array):
        return []
    languages = np.array([primary_language(language_of(int(i))) for i in index._id_array])
    found = []
    for other, cosine in _best_by_language(index, languages, vector, own, floor).values():
        row = index._matrix[np.searchsorted(index._id_array, other)]
        back = _best_by_language(index, languages, row,
                                 primary_language(language_of(other)), floor)
        if back.get(own, (None, 0.0))[0] == article_id:
            found.append((other, cosine))
    return found


def _best_by_language(index: VectorIndex, languages: np.ndarray, vector: np.ndarray,
                      own: str, floor: float) -> dict[str, tuple[int, float]]:
    """For each language other than ``own``, its article nearest to ``vector`` (id,
    cosine), where that cosine reaches ``floor``."""
    scores = index._matrix @ vector
    best: dict[str, tuple[int, float]] = {}
    for language in set(languages.tolist()) - {own, ""}:
        cells = np.flatnonzero(languages == language)
        top = int(cells[np.argmax(scores[cells])])
        if scores[top] >= floor:
            best[language] = (int(index._id_array[top]), float(scores[top]))
    return best


def primary_language(language: str | None) -> str:
    """The primary subtag: ``zh-cn`` and ``zh`` are one language here."""
    return (language or "").lower().replace("_", "-").split("-")[0]


def article_vectors(articles: Sequence[Article]) -> np.ndarray:
    """Embeddings of the articles' titles and leads (one row each)."""
    return embed([lead_text(a.title, a.text) for a in articles])


def english_text(title: str | None, body: str) -> str:
    """What the English model embeds: the title and the body (it reads the first
    :data:`newsweave.nlp.english.MAX_TOKENS` word pieces)."""
    return lead_text(title, body, chars=ENGLISH_CHARS)


def english_vectors(articles: Sequence[Article]) -> dict[int, np.ndarray]:
    """English-model embeddings of the English articles among ``articles``, by id."""
    chosen = [a for a in articles if a.id is not None and english.is_english(a.language)]
    if not chosen:
        return {}
    rows = english.embed_english([english_text(a.title, a.text) for a in chosen])
    return {int(a.id or 0): row for a, row in zip(chosen, rows, strict=True)}


def rescale(cosine: Any, floor: float, ceil: float) -> Any:
    """``cosine`` (a number or an array of them) mapped linearly from [floor, ceil] to
    [0, 1], clipped."""
    return np.clip((cosine - floor) / (ceil - floor), 0.0, 1.0)


def relatedness(cosine: float | None, shared: float = 0.0,
                english_cosine: float | None = None) -> float:
    """How related two articles are, 0..1: rescaled embedding cosines, raised by shared text.

    ``cosine`` is the multilingual e5 cosine of the leads; ``english_cosine``
    the English model's cosine of the whole texts, for pairs of English
    articles. With both, the semantic part is the mean of the two rescaled
    cosines (equal weights: neither model is better on its own, and they err
    on different pairs); with one, that one.

    >>> round(relatedness(0.9), 2), round(relatedness(0.9, shared=0.8), 2)
    (0.75, 0.95)
    >>> round(relatedness(0.9, english_cosine=0.45), 2)
    0.63
    """
    parts = []
    if cosine is not None:
        parts.append(rescale(cosine, COSINE_FLOOR, COSINE_CEIL))
    if english_cosine is not None:
        parts.append(rescale(english_cosine, ENGLISH_FLOOR, ENGLISH_CEIL))
    semantic = float(sum(parts) / len(parts)) if parts else 0.0
    return max(semantic, 1.0 - (1.0 - semantic) * (1.0 - shared))
