"""A side of a pair as the reuse stage holds it (:class:`Indexed`: an article, its
attributions and its sentences prepared for alignment once), how a new article is indexed,
and the one decision of what two articles are to each other (:func:`relate_pair`), which
the stage and the batch engine share.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from newsweave.model import Article, Edge
from newsweave.nlp.sentences import Sentence, split_sentences
from newsweave.reuse.align import (
    AlignmentMemo,
    PreparedTexts,
    SentenceWords,
    Unit,
    UnitsKey,
    align,
    prepare,
    units_key,
)
from newsweave.reuse.attribution import find_attributions
from newsweave.reuse.index import band_keys
from newsweave.reuse.relation import Side, is_translation, relate, translation
from newsweave.reuse.text import sentence_keys
from newsweave.store import Store
from newsweave.store.reuse import IndexEntry

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Indexed(Side):
    """A side of a pair, with its sentences prepared for alignment once."""

    _units: list[Unit] | None = None
    _key: UnitsKey | None = None
    # The body's sentences where they were split already (a new article's, for its
    # attributions): preparing it for a pair splits them no second time.
    _sentences: list[Sentence] | None = None

    @property
    def units(self) -> list[Unit]:
        """Sentences prepared for alignment, made on first use: most articles have no pair."""
        if self._units is None:
            self._units = prepare(self.article.text, sentences=self._sentences)
        return self._units

    @property
    def key(self) -> UnitsKey:
        """What an alignment reads of :attr:`units` (see ``align.units_key``)."""
        if self._key is None:
            self._key = units_key(self.units)
        return self._key

    def share_units(self, prepared: PreparedTexts, known: SentenceWords) -> None:
        """Take the units of an article with the same text prepared before (a wire copy
        stored twice, an article re-read), or prepare its own with the words of the
        sentences seen before (``known``) and leave them in ``prepared``."""
        if self._units is None:
            found = prepared.get(self.article.text)
            if found is None:
                self._units = prepare(self.article.text, known, self._sentences)
                prepared[self.article.text] = self._units
            else:
                self._units = found


def index_article(article: Article, tokens: list[str], sig: np.ndarray
                  ) -> tuple[IndexEntry, Indexed]:
    """The article's index entry (MinHash signature, band and sentence keys, attributions)
    and its side of a pair; the batch engine (:mod:`newsweave.batch`) builds its index with
    it too."""
    article_id = int(article.id or 0)
    sentences = split_sentences(article.text)
    attributions = find_attributions(article, sentences)
    entry = IndexEntry(article_id, sig, len(tokens), band_keys(sig) if tokens else [],
                       sentence_keys(article.text), attributions)
    return entry, Indexed(article, attributions, _sentences=sentences)


def _load(store: Store, article_id: int, cache: dict[int, Indexed | None]) -> Indexed | None:
    if article_id not in cache:
        article = store.get_article(article_id)
        if article is None:
            cache[article_id] = None
        else:
            found = store.reuse.attributions([article_id]).get(article_id, [])
            cache[article_id] = Indexed(article, found)
    return cache[article_id]


def named_sides(store: Store, article_ids: Iterable[int],
                cache: Mapping[int, Indexed | None]) -> dict[int, Side | None]:
    """What the attribution test (``relation.names_either``) reads of each stored article of
    ``article_ids``: its outlet and attributions, as a :class:`Side` whose article holds
    nothing else (None: not stored); those in ``cache`` (loaded whole) as they are. The
    families' cut asks it of every member it may drop (``reuse.bound_families``), and
    reading those articles whole, text and all, was most of the stage's reads past
    800,000 articles (docs/benchmarks.md, "Archive scale, part 29")."""
    wanted = sorted({int(i) for i in article_ids})
    out: dict[int, Side | None] = {i: cache[i] for i in wanted if i in cache}
    missing = [i for i in wanted if i not in cache]
    outlets = store.reuse.outlets(missing) if missing else {}
    found = store.reuse.attributions(sorted(outlets)) if outlets else {}
    for article_id in missing:
        if article_id not in outlets:
            out[article_id] = None
            continue
        stub = Article(id=article_id, content_hash="", raw="", raw_format="", text="",
                       source="", outlet=outlets[article_id])
        out[article_id] = Side(stub, found.get(article_id, []))
    return out


def _relate_safely(a: Indexed, b: Indexed, cosine: float | None,
                   share: float | None = None, memo: AlignmentMemo | None = None,
                   prepared: tuple[PreparedTexts, SentenceWords] | None = None
                   ) -> Edge | None:
    """:func:`relate_pair`, logged and None where it fails: one pair that cannot be
    aligned must not sink the batch. ``prepared``: the texts prepared so far (this batch's
    and the ones kept from earlier batches) and this batch's sentences (see
    :meth:`Indexed.share_units`)."""
    try:
        if prepared is not None:
            a.share_units(*prepared)
            b.share_units(*prepared)
        return relate_pair(a, b, cosine, share, memo)
    except Exception:
        log.exception("reuse: could not relate %s with %s", a.article.id, b.article.id)
        return None


def relate_pair(a: Indexed, b: Indexed, cosine: float | None = None,
                share: float | None = None, memo: AlignmentMemo | None = None
                ) -> Edge | None:
    """The relation of two articles, or None when they share nothing worth keeping (the
    reuse stage's and the batch engine's one decision).
    ``cosine``: their leads' e5 cosine, when each is among the other's nearest in its language
    and their sentences align (``share``: of the shorter's, see reuse/crosslingual.py);
    ``memo``: alignments made before, reused where the sentences are the same."""
    if cosine is not None and is_translation(a.article, b.article, cosine):
        return translation(a, b, cosine, share)  # sentence alignment compares words: not across
    if memo is None:
        alignment = align(a.units, b.units)
    else:
        alignment = memo.align(a.units, b.units, a.key, b.key)
    edge = relate(a, b, alignment)
    if edge.kind == "independent" and not alignment.pairs:
        return None
    return edge
