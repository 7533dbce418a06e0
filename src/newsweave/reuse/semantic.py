"""Semantic neighbours: articles whose title and lead embed close together.

Rewrites and translations share few exact shingles, so the reuse stage also
compares each new article with its nearest neighbours by embedding. Vectors
are stored once per article (``article_vectors``) and searched through a file
beside the store that mirrors them (``store/vectors.py``): memory-mapped, kept
up to date from the store's change log (every process's writes), so a batch
costs one matrix product over the mapped rows and nothing is copied per batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from newsweave.nlp import english
from newsweave.nlp.blas import one_blas_thread
from newsweave.nlp.embed import MODEL_NAME, lead_text

# The embeddings and one model's vector index, in their own modules; the names imported
# from here re-exported. (PROBES and DEPTH are read in vector_index, the rescale ranges in
# embeddings: set them there; article_vectors calls embed in embeddings.)
from newsweave.reuse.embeddings import (
    COSINE_CEIL,
    COSINE_FLOOR,
    ENGLISH_CEIL,
    ENGLISH_CHARS,
    ENGLISH_FLOOR,
    SCALES,
    article_vectors,
    english_text,
    english_vectors,
    needs_lead,
    other_language,
    primary_language,
    relatedness,
    rescale,
)
from newsweave.reuse.vector_index import DEPTH, PROBES, RUN, VectorIndex, _scan
from newsweave.store import Store

__all__ = [
    "COSINE_CEIL", "COSINE_FLOOR", "DEPTH", "ENGLISH_CEIL", "ENGLISH_CHARS", "ENGLISH_FLOOR",
    "PROBES", "RUN", "SCALES", "SemanticIndex", "VectorIndex", "_pick", "_scan",
    "article_vectors", "english_text", "english_vectors", "lead_text", "needs_lead",
    "other_language", "primary_language", "relatedness", "rescale",
]


class SemanticIndex:
    """Both models' stored vectors: e5 for every article, MiniLM for the English ones.

    The semantic score of a pair is what :func:`relatedness` makes of the two
    cosines (the e5 one alone when either article is not English), so the
    reuse stage's neighbour search and ``newsweave similar`` rank alike.
    """

    def __init__(self) -> None:
        self.lead = VectorIndex(MODEL_NAME)
        self.english = VectorIndex(english.MODEL_NAME)
        # (e5 ids, English ids, their union, each index's positions in it): see _union
        self._union_of: tuple[np.ndarray, np.ndarray, np.ndarray,
                              dict[str, np.ndarray]] | None = None

    def _union(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The ids of either index, ascending, and each index's positions among them (by
        model); computed again only when a refresh changed an index (the id arrays are
        replaced then, never changed in place): at 300k articles the union alone was about
        half of a whole-store ``check``, and it grows with the store."""
        lead_ids, en_ids = self.lead._id_array, self.english._id_array
        kept = self._union_of
        if kept is None or kept[0] is not lead_ids or kept[1] is not en_ids:
            if not len(en_ids):
                ids = lead_ids
            elif not len(lead_ids):
                ids = en_ids
            else:
                same = len(en_ids) <= len(lead_ids) and bool(np.all(np.isin(en_ids, lead_ids)))
                ids = lead_ids if same else np.union1d(lead_ids, en_ids)
            # each block row's place among them; a dead row's is one past the end (a column
            # that is cut off)
            positions = {}
            for index in (self.lead, self.english):
                rows = index._row_ids
                place = np.searchsorted(ids, rows)
                place[rows < 0] = len(ids)
                positions[index.model] = place
            kept = self._union_of = (lead_ids, en_ids, ids, positions)
        return kept[2], kept[3]

    def refresh(self, store: Store) -> None:
        """Load the vectors of both models stored since the last refresh."""
        self.lead.refresh(store)
        self.english.refresh(store)

    def cosines(self, lead: np.ndarray | None, english_vector: np.ndarray | None,
                top: int | None = None) -> dict[int, tuple[float | None, float | None]]:
        """Stored articles' (e5 cosine, English cosine) with one article's vectors: every
        article's, or with ``top`` only those of the ``top`` best by semantic score (the
        rescaled cosines' mean, as :func:`relatedness` makes it; ties at the cut kept), so
        a caller that ranks builds no entry per stored article."""
        none = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        lead_ids, lead_scores = self.lead.cosines(lead) if lead is not None else none
        en_ids, en_scores = (self.english.cosines(english_vector)
                             if english_vector is not None else none)
        if top is not None:
            everyone = np.union1d(lead_ids, en_ids)
            if top < len(everyone):
                parts = np.full((2, len(everyone)), np.nan, dtype=np.float64)
                parts[0, np.searchsorted(everyone, lead_ids)] = rescale(
                    lead_scores, COSINE_FLOOR, COSINE_CEIL)
                parts[1, np.searchsorted(everyone, en_ids)] = rescale(
                    en_scores, ENGLISH_FLOOR, ENGLISH_CEIL)
                semantic = np.nanmean(parts, axis=0)
                cut = np.partition(-semantic, max(top, 1) - 1)[max(top, 1) - 1]
                kept = everyone[-semantic <= cut]
                keep_lead = np.isin(lead_ids, kept)
                keep_en = np.isin(en_ids, kept)
                lead_ids, lead_scores = lead_ids[keep_lead], lead_scores[keep_lead]
                en_ids, en_scores = en_ids[keep_en], en_scores[keep_en]
        out: dict[int, tuple[float | None, float | None]] = {
            int(i): (float(c), None) for i, c in zip(lead_ids.tolist(), lead_scores.tolist(),
                                                     strict=True)}
        for i, c in zip(en_ids.tolist(), en_scores.tolist(), strict=True):
            out[int(i)] = (out.get(int(i), (None, None))[0], float(c))
        return out

    def searchable(self) -> tuple[bool, bool]:
        """Whether each index (e5, English) holds any vector: a query vector for an empty
        one need not be computed."""
        return bool(len(self.lead._id_array)), bool(len(self.english._id_array))

    def nearest(self, leads: Sequence[np.ndarray | None],
                english_vectors: Sequence[np.ndarray | None], k: int,
                min_cosine: float, *, approximate: bool = False
                ) -> list[list[tuple[int, float]]]:
        """For each query (its e5 vector and its English vector, either may be None), up to
        ``k`` neighbours among the articles of either index.

        A neighbour is a stored article whose e5 cosine reaches ``min_cosine`` or whose
        semantic score (the mean of the rescaled cosines the two articles have in common:
        both models for English pairs embedded by both, one where only one is) reaches
        that cosine's rescaled value; the best ``k`` by semantic score, each as (id, e5
        cosine), or where the pair has no e5 cosine, its score put back on e5's scale (an
        English article of an English-only store has no e5 vector: see
        :func:`needs_lead`).

        ``approximate``: where an index keeps coarse lists (a large store), rank only the
        articles each model's :meth:`VectorIndex.search` finds (a few per cent of the rows
        read), by the same exact score; an exact search everywhere else. The reuse stage's
        batches search exactly (its answers decide stored edges; the lists' recall on them
        is not measured, though at a million articles the exact batch costs about 130 CPU ms
        a query against their 14: docs/benchmarks.md, "Archive scale, part 7").
        """
        if approximate and (self.lead.approximate or self.english.approximate):
            # Products of a list's rows are small: a second BLAS thread only spins (on the
            # loaded 2-core machine 7 CPU ms a query became 34-97).
            with one_blas_thread():
                return [self._nearest_among(lead, english_vector, k, min_cosine)
                        for lead, english_vector in zip(leads, english_vectors, strict=True)]
        count = len(leads)
        ids, positions = self._union()
        if not len(ids) or not count:
            return [[] for _ in range(count)]
        width = len(ids) + 1  # the last column takes the dead rows' scores
        total = np.zeros((count, width), dtype=np.float32)
        parts = np.zeros((count, width), dtype=np.float32)
        cosine_rows = np.full((count, width), np.nan, dtype=np.float32)
        for index, queries, scale, keep in ((self.lead, leads, SCALES["e5"], True),
                                            (self.english, english_vectors, SCALES["minilm"],
                                             False)):
            rows = [row for row, vector in enumerate(queries) if vector is not None]
            if not rows or not len(index._id_array):
                continue
            found = index.row_scores(np.vstack([queries[row] for row in rows]))
            cells = np.ix_(rows, positions[index.model])
            total[cells] += rescale(found, *scale)
            parts[cells] += 1.0
            if keep:
                cosine_rows[cells] = found
        # Articles sharing no model with the query score -1: never a neighbour.
        semantic = np.where(parts > 0, total / np.maximum(parts, 1.0), -1.0)
        return [_pick(ids, semantic[row, :-1], cosine_rows[row, :-1], k, min_cosine)
                for row in range(count)]

    def _nearest_among(self, lead: np.ndarray | None, english_vector: np.ndarray | None,
                       k: int, min_cosine: float) -> list[tuple[int, float]]:
        """:meth:`nearest` of one query among the articles either model's search finds."""
        asked = [(index, vector, scale, keep) for index, vector, scale, keep in (
            (self.lead, lead, SCALES["e5"], True),
            (self.english, english_vector, SCALES["minilm"], False))
            if vector is not None and len(index._id_array)]
        if not asked:
            return []
        ids = np.unique(np.concatenate([index.search(vector)[0]
                                        for index, vector, _, _ in asked]))
        total = np.zeros(len(ids), dtype=np.float32)
        parts = np.zeros(len(ids), dtype=np.float32)
        cosine_row = np.full(len(ids), np.nan, dtype=np.float32)
        for index, vector, scale, keep in asked:
            found = index.cosines_of(ids, vector)
            held = ~np.isnan(found)
            total[held] += rescale(found[held], *scale)
            parts[held] += 1.0
            if keep:
                cosine_row[held] = found[held]
        semantic = np.where(parts > 0, total / np.maximum(parts, 1.0), -1.0)
        return _pick(ids, semantic, cosine_row, k, min_cosine)


def _pick(ids: np.ndarray, score: np.ndarray, cosines: np.ndarray, k: int,
          min_cosine: float) -> list[tuple[int, float]]:
    """The best ``k`` (+1) of one query's scored articles as (id, e5 cosine or the score on
    e5's scale), at or above ``min_cosine`` or its rescaled value (see
    :meth:`SemanticIndex.nearest`)."""
    if not score.size:
        return []
    floor = rescale(min_cosine, COSINE_FLOOR, COSINE_CEIL)
    take = min(k + 1, score.size)
    top = np.argpartition(-score, take - 1)[:take]
    top = top[np.argsort(-score[top], kind="stable")]
    picked = []
    for i in top:
        cosine = float(cosines[i])
        if score[i] < 0:
            continue
        if cosine != cosine:  # no e5 cosine: the score on e5's scale
            cosine = COSINE_FLOOR + float(score[i]) * (COSINE_CEIL - COSINE_FLOOR)
        if cosine >= min_cosine or score[i] >= floor:
            picked.append((int(ids[i]), cosine))
    return picked
