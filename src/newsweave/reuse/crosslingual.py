"""The sentence check on a translation: one text in two languages, sentence by sentence.

Two leads in different languages, each among the other's nearest in its language
(:func:`translation_candidates`), are a candidate translation. In a store of many
articles that holds for a text and its translation, but in a small store of *different*
articles in several languages it holds for unrelated reports too (their leads are each
other's best match for want of a better one). A translation says the same thing sentence after
sentence, in the same order; two reports of one event share a few facts at most. So a
candidate stands when most of the shorter article's sentences (of those compared) pair
with a sentence of the other, each the other's nearest with an e5 cosine of at least
:data:`SENTENCE_COSINE`, and the pairs keep the order of both articles (a monotone
alignment: a translator may merge or split a sentence, never reorder the text).

Only candidate pairs are checked, so a store pays for sentence vectors of the articles
that have a partner in another language and of none else; the vectors live for one run
of the reuse stage (``embed`` keeps the texts embedded last, so a sentence embedded again
soon after costs nothing). Sentences come from the one splitter (``nlp.sentences``).

A candidate that fails the check may still be a report of the same event in another
language: each the other's nearest lead in its language, with the mean of its lead cosine
and its sentences' closeness (:func:`closeness`: how near each sentence of the shorter
article comes to some sentence of the other, in any order) at least
:data:`SAME_EVENT_SCORE`, it is stored as a ``same-event`` relation (:func:`same_event`):
evidence for the stories stage, never provenance.

The settings were chosen on the even half of NTREX-128's documents and of SemEval-2022
task 8's cross-language pairs, and are reported on the odd halves (``python
bench/ntrex.py --semeval``; docs/benchmarks.md, "Stories across languages, part 2").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from newsweave.model import Article, Edge
from newsweave.nlp.embed import DIM, embed
from newsweave.nlp.sentences import split_sentences
from newsweave.reuse.semantic import VectorIndex, primary_language

# e5 cosine of two sentences ("query" vectors: the symmetric kind) from which one may
# be the other in another language.
SENTENCE_COSINE = 0.82
# How far above the pair's other cosines (the mean of the rest of its row and column) a
# sentence pair's cosine must stand to count, in an alignment of fewer than
# MARGIN_BELOW pairs. e5 scores any two sentences of news prose alike (0.78-0.82), so in
# two short texts on nearby subjects two of three sentences can be each other's nearest
# above the floor without saying the same thing; a sentence's translation stands out from
# the other sentences instead. Four or more pairs aligned in order are not chance, and in
# long texts of distant scripts a translation's sentences stand out less: they are
# counted as before. In a store of SemEval-2022's same-language reports of six languages
# together, 91 pairs of separate reports (two sites each) were taken for translations
# without it; NTREX's translations (choose half, every pair of versions) pass alike with it
# and without it (docs/benchmarks.md, "Stories in one language other than English, part 2").
SENTENCE_MARGIN = 0.04
MARGIN_BELOW = 4
# Share of the shorter article's sentences (of those compared) aligned in order.
SENTENCE_SHARE = 0.6
# Sentences compared from the start of each article: enough to tell a translation from
# a report of the same event, and a bounded cost (each is one short e5 text).
MAX_SENTENCES = 16
MIN_CHARS = 12  # shorter "sentences" (a dateline, a by-line) say nothing of the text
MIN_SENTENCES = 2  # on each side: below it, the check cannot tell
# A candidate whose sentences do not align is a report of the same event (a
# ``same-event`` relation) from this mean of its lead cosine and its sentences' closeness
# (:func:`same_event_score`). The lead alone does not separate two reports of one event
# from two reports on one subject (SemEval-2022 task 8: unrelated German-English pairs
# reach a lead cosine of 0.864, very similar ones start at 0.83); what the bodies say, sentence
# by sentence, adds what the lead's first words miss. Chosen on SemEval's cross-language
# choose half (docs/benchmarks.md, "Stories across languages, part 4").
SAME_EVENT_SCORE = 0.85
# ... and each the other's nearest lead in its language (rank 1): a translation's
# candidates go two deep (CANDIDATE_RANK), so an article's second candidate is often a
# version of another text on a similar subject, its own translation being the first.
SAME_EVENT_RANK = 1
# Candidates: each among the other's nearest leads in its language, this many deep.
CANDIDATE_RANK = 2
# A translation is a one-to-one match between two languages: an article's own translation
# is its nearest lead in that language unless a nearer one is already another text's
# version (the lead cut at a fixed length ranks a translation second at times, behind a
# version of another document: CANDIDATE_RANK 2). An alignment of fewer than RIVAL_BELOW
# sentence pairs stands only when neither end has such a *rival*: a nearer lead in the
# other's language that is not a translation of another article of its own language
# (:func:`rivals`). A few sentence pairs in order can be chance between two short reports
# on one subject, and then the nearer report is as much the "original" as the one
# aligned; many in order are not chance (NTREX's translations ranked second that a rival
# would stop align 6 to 14 pairs). In a store of SemEval-2022's same-language reports of
# six languages, 13 of the 16 pairs of separate reports still taken for translations had
# such a rival, each with 2 to 5 pairs aligned (docs/benchmarks.md, "Stories across
# languages, part 6"). 0: no rival check.
RIVAL_BELOW = 6
# Whether a stored short translation is checked again when a new article's lead is nearer
# to one of its ends than its partner's, in the partner's language, and that article is
# no other article's translation (``reuse.translations._rechecked``): pairs are decided as
# articles arrive, so a rival that arrives after the pair was decided was not seen
# (docs/benchmarks.md, "Stories across languages, part 7").
RECHECK_RIVALS = True


def translation_candidates(index: VectorIndex, vector: np.ndarray, article_id: int,
                           language_of: Callable[[int], str | None], floor: float,
                           rank: int = CANDIDATE_RANK) -> list[tuple[int, float]]:
    """Stored articles that may be this article in another language: ``(id, lead
    cosine)``, each among the other's ``rank`` nearest leads in its language and this one
    among its ``rank`` nearest in this article's, at a cosine of at least ``floor``.

    With ``rank`` 1: each the other's nearest lead in its language (mutual nearest).
    A lead cut at a fixed length covers more of a text in one language than in another,
    so a translation's lead is not always its original's nearest; the sentence check
    decides among the few candidates, and the reuse stage keeps at most one translation
    per language (``_one_per_language``)."""
    own = primary_language(language_of(article_id))
    if not own or not len(index._id_array):
        return []
    languages = index.labels(lambda i: primary_language(language_of(i)))
    found = []
    for other, cosine in _nearest_by_language(index, languages, vector, own, floor, rank):
        row = index.vector_of(other)
        if row is None:  # never: ``other`` was found in the index
            continue
        back = _nearest_by_language(index, languages, row,
                                    primary_language(language_of(other)), floor, rank,
                                    only=own)
        if any(i == article_id for i, _ in back):
            found.append((other, cosine))
    return found


def _nearest_by_language(index: VectorIndex, languages: np.ndarray, vector: np.ndarray,
                         own: str, floor: float, rank: int, only: str | None = None
                         ) -> list[tuple[int, float]]:
    """For each language other than ``own`` (or ``only``), its ``rank`` articles nearest
    to ``vector`` whose cosine reaches ``floor``: (id, cosine)."""
    scores = index.scores(vector)[0]
    out: list[tuple[int, float]] = []
    wanted = {only} if only else set(languages.tolist()) - {own, ""}
    for language in sorted(wanted):
        cells = np.flatnonzero(languages == language)
        if not len(cells):
            continue
        take = min(rank, len(cells))
        top = cells[np.argpartition(-scores[cells], take - 1)[:take]]
        out.extend((int(index._id_array[i]), float(scores[i])) for i in top
                   if scores[i] >= floor)
    return out


def sentence_texts(text: str, limit: int = MAX_SENTENCES) -> list[str]:
    """The first ``limit`` sentences of ``text`` worth comparing.

    >>> sentence_texts("Oslo. A dam broke today. Water poured into the town.", limit=1)
    ['A dam broke today.']
    """
    kept: list[str] = []
    for sentence in split_sentences(text):
        if len(kept) == limit:
            break
        if len(sentence.text) >= MIN_CHARS:
            kept.append(sentence.text)
    return kept


def sentence_vectors(articles: Sequence[Article], limit: int = MAX_SENTENCES
                     ) -> dict[int, np.ndarray]:
    """Each article's first sentences as e5 "query" vectors (the kind for comparing two
    texts alike, as the cross-check's sentence matching uses), one row per sentence in
    order, by article id; one ``embed`` call for all."""
    parts = [sentence_texts(a.text, limit) for a in articles]
    flat = [s for texts in parts for s in texts]
    rows = embed(flat, kind="query") if flat else np.zeros((0, DIM), dtype=np.float32)
    out: dict[int, np.ndarray] = {}
    start = 0
    for article, texts in zip(articles, parts, strict=True):
        out[int(article.id or 0)] = rows[start:start + len(texts)]
        start += len(texts)
    return out


def sentence_hits(cosines: np.ndarray, floor: float = SENTENCE_COSINE,
                  margin: float = 0.0) -> np.ndarray:
    """Which sentence pairs may be one sentence in two languages: each the other's nearest
    in the other article, with their cosine at or above ``floor`` and at least ``margin``
    above the mean of the other cosines of its row and column (see
    :data:`SENTENCE_MARGIN`). Nearest rather than a cosine alone: e5 scores every sentence
    pair of two close languages (Spanish and Portuguese) higher than of two distant ones
    (Portuguese and Chinese), so a floor low enough for the second lets through loose
    matches of the first; a sentence's own translation is still its nearest, and stands
    out from the rest.

    >>> grid = np.array([[0.90, 0.80], [0.80, 0.88]])
    >>> low = grid - [[0.0, 0.0], [0.0, 0.05]]
    >>> int(sentence_hits(low).sum()), int(sentence_hits(low, margin=0.04).sum())
    (2, 1)
    """
    if not cosines.size:
        return np.zeros(cosines.shape, dtype=bool)
    hits = ((cosines >= floor) & (cosines >= cosines.max(axis=1, keepdims=True))
            & (cosines >= cosines.max(axis=0, keepdims=True)))
    others = cosines.shape[0] + cosines.shape[1] - 2
    if margin > 0 and others > 0:
        rest = (cosines.sum(axis=1, keepdims=True) + cosines.sum(axis=0, keepdims=True)
                - 2 * cosines) / others
        hits &= cosines - rest >= margin
    return hits


def in_order(hits: np.ndarray) -> int:
    """The most pairs of ``hits`` (rows: one article's sentences, columns: the other's)
    that keep the order of both articles, each sentence in one pair at most (a monotone
    alignment, as the longest common subsequence).

    >>> grid = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0]], dtype=bool)
    >>> in_order(grid), in_order(grid[[0, 2, 1]])
    (2, 3)
    """
    if not hits.size:
        return 0
    # best[j]: most pairs so far among the first j columns.
    best = np.zeros(hits.shape[1] + 1, dtype=np.int32)
    for row in hits.astype(np.int32):
        taken = np.maximum(best[1:], best[:-1] + row)
        best[1:] = np.maximum.accumulate(taken)
    return int(best[-1])


def aligned_share(a: np.ndarray, b: np.ndarray, floor: float = SENTENCE_COSINE) -> float:
    """The share of the shorter side's sentences (rows of sentence vectors, of those
    compared) in an in-order alignment of sentence pairs that are each other's nearest at
    or above ``floor``, each standing out by :data:`SENTENCE_MARGIN` when fewer than
    :data:`MARGIN_BELOW` align; 0 when either side has fewer than :data:`MIN_SENTENCES`
    (one matched pair proves nothing)."""
    return grid_share(a @ b.T, floor)


def grid_share(cosines: np.ndarray, floor: float = SENTENCE_COSINE,
               margin: float | None = None, below: int | None = None) -> float:
    """:func:`aligned_share` of two articles' sentence cosines (rows: one article's
    sentences, columns: the other's); ``margin`` and ``below`` default to
    :data:`SENTENCE_MARGIN` and :data:`MARGIN_BELOW`."""
    if min(cosines.shape) < MIN_SENTENCES:
        return 0.0
    return _share(grid_aligned(cosines, floor, margin, below), cosines)


def _share(aligned: int, cosines: np.ndarray) -> float:
    """``aligned`` sentence pairs as the shorter side's share (0 below
    :data:`MIN_SENTENCES` on that side)."""
    shorter = min(cosines.shape)
    return aligned / shorter if shorter >= MIN_SENTENCES else 0.0


def grid_aligned(cosines: np.ndarray, floor: float = SENTENCE_COSINE,
                 margin: float | None = None, below: int | None = None) -> int:
    """The sentence pairs :func:`grid_share` counts: aligned in order, each standing out
    by ``margin`` when fewer than ``below`` align."""
    margin = SENTENCE_MARGIN if margin is None else margin
    below = MARGIN_BELOW if below is None else below
    aligned = in_order(sentence_hits(cosines, floor))
    if aligned < below and margin > 0:  # few pairs: each must stand out
        aligned = in_order(sentence_hits(cosines, floor, margin))
    return aligned


def closeness(a: np.ndarray, b: np.ndarray) -> float:
    """How near the shorter side's sentences (rows of sentence vectors) come to the
    other's: the mean, over its sentences, of each one's highest cosine with any sentence
    of the other (in any order, several on one allowed); 0 when a side has none.

    Two reports of one event say some of the same things in their own order and words;
    two reports on one subject (another day of the same trial, another country's
    lockdown) share the subject's words but fewer of the facts, so their sentences find
    looser matches. A translation scores high too, but it is decided before (the aligned
    share, :func:`aligned_share`).

    >>> x = np.eye(3, dtype=np.float32)
    >>> closeness(x[:2], x), closeness(x[:1], x[1:])
    (1.0, 0.0)
    """
    if not len(a) or not len(b):
        return 0.0
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return float(np.mean((shorter @ longer.T).max(axis=1)))


class Comparison(NamedTuple):
    """A candidate pair's sentences compared (:func:`compare`)."""

    cosine: float  # the leads' e5 cosine
    share: float  # the shorter side's share aligned in order (aligned_share)
    closeness: float  # how near its sentences come to the other's (closeness)
    aligned: int = 0  # the sentence pairs aligned in order (the share's numerator)


def compare(candidates: Mapping[tuple[int, int], float], articles: Mapping[int, Article],
            floor: float = SENTENCE_COSINE) -> dict[tuple[int, int], Comparison]:
    """The candidate pairs (``(a, b) -> lead cosine``) with their sentences compared: one
    ``embed`` call for every article of the pairs. A pair with an article missing from
    ``articles`` is dropped."""
    wanted = sorted({i for key in candidates for i in key if i in articles})
    found = sentence_vectors([articles[i] for i in wanted]) if wanted else {}
    out: dict[tuple[int, int], Comparison] = {}
    for (a, b), cosine in candidates.items():
        if a in found and b in found:
            grid = found[a] @ found[b].T
            aligned = grid_aligned(grid, floor)  # counted once: the share is its ratio
            out[(a, b)] = Comparison(cosine, _share(aligned, grid),
                                     closeness(found[a], found[b]), aligned)
    return out


def rivals(index: VectorIndex, pair: tuple[int, int],
           language_of: Callable[[int], str | None]) -> list[tuple[int, int]]:
    """Each end's nearer leads in the other end's language: ``(end, article)`` for every
    stored article of the partner's language whose lead is closer to the end's than the
    partner's is (the candidates of :func:`translation_candidates` go
    :data:`CANDIDATE_RANK` deep, so these are few). Whether one is a rival, a report that
    could as well be the end's original, depends on whether it is already another
    article's translation: the caller knows (``reuse.translations._without_rivals``)."""
    ids = index._id_array
    languages = index.labels(lambda i: primary_language(language_of(i)))
    out: list[tuple[int, int]] = []
    for end, partner in (pair, pair[::-1]):
        vector, cell = index.vector_of(end), int(np.searchsorted(ids, partner))
        if vector is None or cell >= len(ids) or int(ids[cell]) != partner:
            continue
        scores = index.scores(vector)[0]
        cells = np.flatnonzero(languages == languages[cell])
        nearer = cells[scores[cells] > scores[cell]]
        out.extend((end, int(ids[i])) for i in nearer)
    return out


def same_event_score(cosine: float, near: float) -> float:
    """The evidence that two reports in two languages tell of one event: the mean of their
    leads' cosine and their sentences' :func:`closeness` (``near``), both e5 cosines."""
    return (cosine + near) / 2


def is_same_event(index: VectorIndex, pair: tuple[int, int], compared: Comparison,
                  language_of: Callable[[int], str | None]) -> bool:
    """Whether a candidate translation whose sentences do not align is still evidence of
    one event: a :func:`same_event_score` of at least :data:`SAME_EVENT_SCORE`, each among
    the other's :data:`SAME_EVENT_RANK` nearest leads in its language (the settings are
    read when called, so the bench can sweep them)."""
    if same_event_score(compared.cosine, compared.closeness) < SAME_EVENT_SCORE:
        return False
    first, second = pair
    vector = index.vector_of(first)
    if vector is None:
        return False
    # Any cosine: the pair is a candidate already, only the rank is asked here.
    found = translation_candidates(index, vector, first, language_of, -1.0,
                                   rank=SAME_EVENT_RANK)
    return any(other == second for other, _ in found)


def same_event(a: Article, b: Article, compared: Comparison,
               quoted: Edge | None = None) -> Edge:
    """The ``same-event`` relation of a candidate pair whose sentences do not align: two
    reports in two languages whose leads are each the other's nearest and whose sentences
    come close, a sign that they tell of one event, but not one text. Not provenance
    (neither derives from the other: a report in another language is an origin of its
    own), so nothing reads it as copying; the stories stage takes it as a link of weight
    below 1 that the pair's vetoes (names, dates) damp (``stories.LINK_WEIGHTS``).
    Undirected: ``source`` is the article stored first; confidence: the evidence
    (:func:`same_event_score`). ``quoted``: the pair's ``shared-quotes`` relation, whose
    place this one takes: its quotation passages are kept as this one's evidence."""
    first, second = sorted((a, b), key=lambda x: int(x.id or 0))
    score = same_event_score(compared.cosine, compared.closeness)
    reasons = [f"same event in another language: {first.language} and "
               f"{second.language}, each the other's nearest lead in its language, "
               f"lead cosine {compared.cosine:.3f}, sentences' closeness "
               f"{compared.closeness:.3f} (mean {score:.3f}); not a translation: "
               f"{compared.share:.0%} of the shorter one's sentences aligned in order"]
    evidence = list(quoted.evidence) if quoted is not None else []
    if evidence:
        reasons.append(f"and {len(evidence)} quoted passage(s) paired in both")
    return Edge(
        derived=int(second.id or 0), source=int(first.id or 0), kind="same-event",
        confidence=float(score), shared_fraction=0.0, score=0.0, reasons=reasons,
        evidence=evidence)


__all__ = ["CANDIDATE_RANK", "MARGIN_BELOW", "MAX_SENTENCES", "MIN_SENTENCES", "RECHECK_RIVALS",
           "RIVAL_BELOW", "SAME_EVENT_RANK", "SAME_EVENT_SCORE", "SENTENCE_COSINE",
           "SENTENCE_MARGIN", "SENTENCE_SHARE", "Comparison", "aligned_share", "closeness",
           "compare", "grid_aligned", "grid_share", "in_order", "is_same_event", "rivals",
           "same_event", "same_event_score", "sentence_hits", "sentence_texts",
           "sentence_vectors", "translation_candidates"]
