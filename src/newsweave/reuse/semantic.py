"""Semantic neighbours: articles whose title and lead embed close together.

Rewrites and translations share few exact shingles, so the reuse stage also
compares each new article with its nearest neighbours by embedding. Vectors
are stored once per article (``article_vectors``) and searched through a file
beside the store that mirrors them (``store/vectors.py``): memory-mapped, kept
up to date from the store's change log (every process's writes), so a batch
costs one matrix product over the mapped rows and nothing is copied per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from newsweave.model import Article
from newsweave.nlp import english
from newsweave.nlp.blas import one_blas_thread
from newsweave.nlp.embed import MODEL_NAME, embed, lead_text
from newsweave.nlp.language import runs_english
from newsweave.store import Store
from newsweave.store.vectors import VectorFile

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
# An approximate search (a large store's coarse lists, store/vector_lists.py) reads the rows
# of the PROBES lists nearest to the query, keeps each model's DEPTH best by exact cosine,
# and ranks those by the exact semantic score. PROBES: the fewest with every one of the 1M
# store's story claims keeping 99 % of its exact top 50 (32 kept 96 %); reported on Emergent's
# claims, beside neighbouring settings: docs/benchmarks.md, "Archive scale, part 7".
PROBES = 64
DEPTH = 200


class VectorIndex:
    """One model's stored article vectors, searched over a memory-mapped file: exactly, or
    (:meth:`search`, in a large store) through the file's coarse lists.

    The rows live in the store's vector file (:class:`newsweave.store.vectors.VectorFile`:
    persisted beside the store, brought up to date from the store's change log on each
    refresh, so it sees every row any process writes, and rebuilt from the stored rows when
    missing or stale). A search is one matrix product over the mapped rows, exact, and no
    vector is copied into memory. Chosen by measurement over two HNSW libraries (usearch,
    hnswlib): ``python bench/vector_index.py``, docs/benchmarks.md; the lists from 300,000
    vectors on (:mod:`newsweave.store.vector_lists`; "Archive scale, part 7" there).
    """

    def __init__(self, model: str = MODEL_NAME) -> None:
        self.model = model
        self._key: tuple[int, str] | None = None
        self._file: VectorFile | None = None
        self._id_array = np.zeros(0, dtype=np.int64)  # live article ids, ascending
        self._columns = np.zeros(0, dtype=np.int64)  # their rows in the blocks, end to end
        self._identity = True  # the blocks' rows are already the live ids in order
        self._row_ids = np.zeros(0, dtype=np.int64)  # every block row's id (-1: dead)
        self._labels: dict[int, str] = {}  # per-article labels (languages), see labels()
        self._label_array: np.ndarray | None = None  # the same in id order, until a change

    @property
    def _ids(self) -> list[int]:
        return [int(i) for i in self._id_array]

    def refresh(self, store: Store) -> None:
        """Bring the index up to the store's rows (every process's writes since last time)."""
        key = (id(store), store.path)
        if key != self._key or self._file is None:
            self._key, self._file = key, VectorFile(store, self.model)
        changed = self._file.refresh()
        if changed is None or changed:
            self._label_array = None
        if changed is None:
            self._labels.clear()
        else:
            for article_id in changed:
                self._labels.pop(article_id, None)
            if not changed:
                return
        self._reindex()

    def _reindex(self) -> None:
        blocks = self._file.blocks() if self._file is not None else []
        if not blocks:
            self._id_array = self._columns = np.zeros(0, dtype=np.int64)
            self._row_ids = np.zeros(0, dtype=np.int64)
            self._identity = True
            return
        ids = np.concatenate([b[0] for b in blocks])
        self._row_ids = ids  # a new array: as of this refresh (the blocks change in place)
        live = np.flatnonzero(ids >= 0)
        order = np.argsort(ids[live], kind="stable")  # other processes' ids may be lower
        self._columns = live[order]
        self._id_array = ids[self._columns]
        self._identity = len(self._columns) == len(ids) and bool(
            np.all(self._columns == np.arange(len(ids))))

    def forget(self, article_ids: Sequence[int]) -> None:
        """Kept for callers: replaced or deleted rows are found through the change log."""

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Cosines of each row of ``vectors`` (unit length) with every stored vector: one
        row per query, one column per stored article in ascending id order."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        blocks = self._file.blocks() if self._file is not None else []
        if not blocks or not len(self._id_array):
            return np.zeros((len(vectors), 0), dtype=np.float32)
        parts = [vectors @ matrix.T for _, matrix in blocks]
        full = parts[0] if len(parts) == 1 else np.hstack(parts)
        return full if self._identity else full[:, self._columns]

    def row_scores(self, vectors: np.ndarray) -> np.ndarray:
        """Cosines of each row of ``vectors`` with every row of the blocks, in the blocks'
        order (dead rows included: see ``_row_ids``), so a caller that places them by id
        needs no reordering copy (at a million rows in list order that copy was 1.7 CPU s
        for a batch of 100)."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        blocks = self._file.blocks() if self._file is not None else []
        if not blocks:
            return np.zeros((len(vectors), 0), dtype=np.float32)
        parts = [vectors @ matrix.T for _, matrix in blocks]
        return parts[0] if len(parts) == 1 else np.hstack(parts)

    def vector(self, position: int) -> np.ndarray:
        """The stored vector of the article at ``position`` in ascending id order."""
        column = int(self._columns[position])
        for ids, matrix in self._file.blocks() if self._file is not None else []:
            if column < len(ids):
                return np.asarray(matrix[column])
            column -= len(ids)
        raise IndexError(position)

    def vector_of(self, article_id: int) -> np.ndarray | None:
        """The stored vector of ``article_id``; None if the index has none."""
        ids = self._id_array
        cell = int(np.searchsorted(ids, article_id))
        if cell >= len(ids) or int(ids[cell]) != article_id:
            return None
        return self.vector(cell)

    def labels(self, label_of: Callable[[int], str]) -> np.ndarray:
        """``label_of`` of every stored article, in ascending id order (computed once per
        article and kept until its vector changes; one kind of label per index: the reuse
        stage's languages)."""
        if self._label_array is not None and len(self._label_array) == len(self._id_array):
            return self._label_array
        cache = self._labels
        for article_id in self._id_array.tolist():
            if article_id not in cache:
                cache[article_id] = label_of(article_id)
        self._label_array = np.array([cache[i] for i in self._id_array.tolist()])
        return self._label_array

    @property
    def approximate(self) -> bool:
        """Whether :meth:`search` reads only some rows (the store is large enough to keep
        coarse lists of them, :mod:`newsweave.store.vector_lists`)."""
        return self._file is not None and self._file.lists is not None

    def search(self, vector: np.ndarray, depth: int | None = None, probes: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Ids and exact cosines of up to ``depth`` stored vectors nearest to ``vector``
        (unit length), best first: among the rows of the ``probes`` nearest lists and the
        rows the lists do not cover yet where the index keeps lists, among all otherwise."""
        depth = DEPTH if depth is None else depth
        probes = PROBES if probes is None else probes
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        lists = self._file.lists if self._file is not None else None
        if lists is None:
            ids, cosines = self.cosines(query)
        else:
            found_ids, found = [], []
            for block, (ids, matrix) in enumerate(self._file.blocks()):  # type: ignore[union-attr]
                if block == 0:
                    near = lists.rows_near(query, probes)
                    rows = np.concatenate([near[near < len(ids)],
                                           np.arange(min(lists.covered, len(ids)), len(ids))])
                else:
                    rows = np.arange(len(ids))
                scores = _scan(matrix, rows, query)
                live = ids[rows] >= 0
                found_ids.append(ids[rows[live]])
                found.append(scores[live])
            ids, cosines = np.concatenate(found_ids), np.concatenate(found)
        if len(ids) > depth:
            top = np.argpartition(-cosines, depth - 1)[:depth]
            ids, cosines = ids[top], cosines[top]
        order = np.lexsort((ids, -cosines))
        return ids[order], cosines[order]

    def cosines_of(self, article_ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Exact cosines of ``vector`` with the stored vectors of ``article_ids`` (NaN for an
        article the index has no vector of), reading those rows only."""
        article_ids = np.asarray(article_ids, dtype=np.int64)
        out = np.full(len(article_ids), np.nan, dtype=np.float32)
        ids = self._id_array
        if not len(ids) or not len(article_ids):
            return out
        cells = np.minimum(np.searchsorted(ids, article_ids), len(ids) - 1)
        held = np.flatnonzero(ids[cells] == article_ids)
        columns = self._columns[cells[held]]
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        start = 0
        for _, matrix in self._file.blocks() if self._file is not None else []:
            mine = (columns >= start) & (columns < start + len(matrix))
            if mine.any():
                rows = columns[mine] - start
                order = np.argsort(rows)
                values = np.empty(len(rows), dtype=np.float32)
                values[order] = np.asarray(matrix[rows[order]], dtype=np.float32) @ query
                out[held[mine]] = values
            start += len(matrix)
        return out

    def nearest(self, vectors: np.ndarray, k: int, min_cosine: float
                ) -> list[list[tuple[int, float]]]:
        """For each row of ``vectors``, up to ``k`` (id, cosine) at or above ``min_cosine``."""
        if not len(self._id_array) or not len(vectors):
            return [[] for _ in range(len(vectors))]
        scores = self.scores(vectors)
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
        return self._id_array, self.scores(vector)[0]


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


RUN = 8  # rows in a row read as one slice of the file; shorter runs are gathered together


def _scan(matrix: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Cosines of ``query`` with ``rows`` (ascending) of ``matrix``: each run of consecutive
    rows (a list, once the file is in list order) as one slice, the scattered rest gathered
    (on a memory map a scattered row costs about six times its product)."""
    out = np.empty(len(rows), dtype=np.float32)
    if not len(rows):
        return out
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    starts = np.concatenate([[0], breaks])
    lengths = np.diff(np.concatenate([starts, [len(rows)]]))
    long = lengths >= RUN
    for start, length in zip(starts[long].tolist(), lengths[long].tolist(), strict=True):
        first = int(rows[start])
        out[start:start + length] = np.asarray(matrix[first:first + length]) @ query
    cells = np.flatnonzero(~np.repeat(long, lengths))
    if len(cells):
        out[cells] = np.asarray(matrix[rows[cells]], dtype=np.float32) @ query
    return out


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


def primary_language(language: str | None) -> str:
    """The primary subtag: ``zh-cn`` and ``zh`` are one language here."""
    return (language or "").lower().replace("_", "-").split("-")[0]


def needs_lead(language: str | None, multilingual: bool, english_model: bool = True) -> bool:
    """Whether an article needs its multilingual (e5) lead vector now.

    e5 is what finds translations and scores pairs across languages. An English article
    has the English model's vector for its pairs with other English articles, so in a
    store of English only it needs no e5 vector; once the store holds an article in
    another language (``multilingual``), every English article gets one (those stored
    before are embedded then, once: see :class:`newsweave.reuse.ReuseStage`), so a
    translation is found whichever of the two arrives first. An article of another or an
    unknown language always gets one, and so does every article when the English model is
    off (``english_model`` False).

    >>> needs_lead("en", False), needs_lead("en", True), needs_lead("de", False)
    (False, True, True)
    >>> needs_lead("en", False, english_model=False), needs_lead(None, False)
    (True, True)
    """
    return multilingual or not english_model or not english.is_english(language)


def other_language(language: str | None) -> bool:
    """Whether a detected language is one other than English (an unknown one is not:
    an article whose language is unknown never takes part in a translation)."""
    return bool(primary_language(language)) and not english.is_english(language)


def article_vectors(articles: Sequence[Article]) -> np.ndarray:
    """Embeddings of the articles' titles and leads (one row each)."""
    return embed([lead_text(a.title, a.text) for a in articles])


def english_text(title: str | None, body: str) -> str:
    """What the English model embeds: the title and the body (it reads the first
    :data:`newsweave.nlp.english.MAX_TOKENS` word pieces)."""
    return lead_text(title, body, chars=ENGLISH_CHARS)


def english_vectors(articles: Sequence[Article]) -> dict[int, np.ndarray]:
    """English-model embeddings of the English articles among ``articles``, by id, and of
    those whose language detection could not tell (English-only components run on them,
    :func:`newsweave.nlp.language.runs_english`: mostly short English texts, which would
    otherwise share no model with the English articles of an English-only store)."""
    chosen = [a for a in articles if a.id is not None and runs_english(a.language)]
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
