"""The sentence check on a translation: one text in two languages, sentence by sentence.

Two leads in different languages that are each other's nearest (``semantic.
translation_partners``) are a candidate translation. In a store of many articles that
holds for a text and its translation, but in a small store of *different* articles in
several languages it holds for unrelated reports too (their leads are each other's best
match for want of a better one). A translation says the same thing sentence after
sentence, in the same order; two reports of one event share a few facts at most. So a
candidate stands when most of the shorter article's sentences have a counterpart in the
other above :data:`SENTENCE_COSINE` (multilingual e5, one vector per sentence), and those
counterparts come in order (a monotone alignment: several sentences may map to one, where
a translator merged them, but never backwards).

Only candidate pairs are checked, so a store pays for sentence vectors of the articles
that have a partner in another language and of none else; the vectors live for one run
of the reuse stage (``embed`` keeps the texts embedded last, so a sentence embedded again
soon after costs nothing). Sentences come from the one splitter (``nlp.sentences``).

The settings were chosen on the even half of NTREX-128's documents and of SemEval-2022
task 8's cross-language pairs, and are reported on the odd halves (``python
bench/ntrex.py --semeval``; docs/benchmarks.md, "Stories across languages, part 2").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from newsweave.model import Article
from newsweave.nlp.embed import embed
from newsweave.nlp.sentences import split_sentences

# e5 cosine of two sentences ("query" vectors: the symmetric kind) from which one may
# be the other in another language.
SENTENCE_COSINE = 0.88
# Share of the shorter article's sentences (of those compared) aligned in order.
SENTENCE_SHARE = 0.5
# Sentences compared from the start of each article: enough to tell a translation from
# a report of the same event, and a bounded cost (each is one short e5 text).
MAX_SENTENCES = 16
MIN_CHARS = 12  # shorter "sentences" (a dateline, a by-line) say nothing of the text


@dataclass(frozen=True, slots=True)
class Sentences:
    """An article's first sentences as e5 vectors, and how much of its text they cover."""

    vectors: np.ndarray  # one unit row per sentence, in order
    cover: float  # share of the article's characters up to the last sentence kept


def sentence_texts(text: str, limit: int = MAX_SENTENCES) -> tuple[list[str], float]:
    """The first ``limit`` sentences of ``text`` worth comparing, and the share of the
    text they reach to.

    >>> sentence_texts("A dam broke today. Water poured into the town.", limit=1)
    (['A dam broke today.'], 0.391...)
    """
    kept: list[str] = []
    end = 0
    for sentence in split_sentences(text):
        if len(sentence.text) < MIN_CHARS:
            continue
        if len(kept) == limit:
            break
        kept.append(sentence.text)
        end = sentence.end
    return kept, (end / len(text) if text else 0.0)


def sentence_vectors(articles: Sequence[Article], limit: int = MAX_SENTENCES
                     ) -> dict[int, Sentences]:
    """Each article's first sentences as e5 vectors (one ``embed`` call for all), by id."""
    parts = [sentence_texts(a.text, limit) for a in articles]
    flat = [s for texts, _ in parts for s in texts]
    rows = embed(flat, kind="query") if flat else np.zeros((0, 0), dtype=np.float32)
    out: dict[int, Sentences] = {}
    start = 0
    for article, (texts, cover) in zip(articles, parts, strict=True):
        out[int(article.id or 0)] = Sentences(rows[start:start + len(texts)], cover)
        start += len(texts)
    return out


def in_order(cosines: np.ndarray, floor: float) -> int:
    """How many rows of ``cosines`` (sentences of one article against the other's) can be
    matched to a column at or above ``floor`` with the columns never going backwards
    (several rows may share a column).

    >>> grid = np.array([[0.9, 0.1, 0.1], [0.1, 0.1, 0.9], [0.1, 0.9, 0.1]])
    >>> in_order(grid, 0.8), in_order(grid[[0, 2, 1]], 0.8)
    (2, 3)
    """
    if not cosines.size:
        return 0
    hits = (cosines >= floor).astype(np.int32)
    # best[j]: most rows matched so far using columns up to j. A row matched at column j
    # follows any match at a column <= j (itself included: merged sentences).
    best = np.zeros(cosines.shape[1], dtype=np.int32)
    for row in hits:
        best = np.maximum.accumulate(best + row)
    return int(best[-1])


def aligned_share(a: Sentences, b: Sentences, floor: float = SENTENCE_COSINE) -> float:
    """The share of the shorter side's sentences aligned in order with the other's.

    The shorter side is the one whose compared sentences reach less far into its text
    (its content is then all within the other's compared part), or, when both reach
    equally far, the one with fewer sentences. 0 when either has none.
    """
    cosines = sentence_cosines(a, b)
    return in_order(cosines, floor) / len(cosines) if cosines.size else 0.0


def sentence_cosines(a: Sentences, b: Sentences) -> np.ndarray:
    """The e5 cosines of the shorter side's sentences (rows; see :func:`aligned_share`)
    with the other's (columns)."""
    if (b.cover, len(b.vectors)) < (a.cover, len(a.vectors)):
        a, b = b, a
    if not len(a.vectors) or not len(b.vectors):
        return np.zeros((len(a.vectors), len(b.vectors)), dtype=np.float32)
    return a.vectors @ b.vectors.T


def confirm(candidates: Mapping[tuple[int, int], float], articles: Mapping[int, Article],
            share: float = SENTENCE_SHARE, floor: float = SENTENCE_COSINE
            ) -> dict[tuple[int, int], tuple[float, float]]:
    """The candidate pairs (``(a, b) -> lead cosine``) whose sentences align: ``(a, b) ->
    (lead cosine, aligned share)``. A pair with an article missing from ``articles``
    is dropped."""
    wanted = sorted({i for key in candidates for i in key if i in articles})
    found = sentence_vectors([articles[i] for i in wanted]) if wanted else {}
    out: dict[tuple[int, int], tuple[float, float]] = {}
    for (a, b), cosine in candidates.items():
        if a not in found or b not in found:
            continue
        aligned = aligned_share(found[a], found[b], floor)
        if aligned >= share:
            out[(a, b)] = (cosine, aligned)
    return out


__all__ = ["MAX_SENTENCES", "SENTENCE_COSINE", "SENTENCE_SHARE", "Sentences",
           "aligned_share", "confirm", "in_order", "sentence_cosines", "sentence_texts",
           "sentence_vectors"]
