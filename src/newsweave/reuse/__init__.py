"""The reuse stage: who copied whom.

For each new article it (1) indexes the article: MinHash band keys of its
5-word shingles, keys of its sentences, its attributions and its embedding;
(2) finds candidates through the index, never by scanning all pairs: shared
band keys (near-duplicates), shared sentences (partial copies) and nearest
embeddings (rewrites, translations); (3) aligns each candidate pair sentence
by sentence and decides the relation and its direction (two articles in different
languages, each among the other's nearest in its language, are a translation when their
sentences align by meaning, in order: ``reuse/crosslingual.py``); (4) updates the
provenance graph and the origins of the articles it touched.

Results live in the store (``store.reuse``): later stages read origins with
``store.reuse.origin_of(ids)`` and vectors with ``store.reuse.vectors(ids)``.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import partial

import numpy as np

from newsweave.gcpause import collection_paused
from newsweave.model import Article, Edge
from newsweave.nlp import english
from newsweave.nlp.blas import one_blas_thread
from newsweave.nlp.embed import MODEL_NAME
from newsweave.reuse import families
from newsweave.reuse.align import AlignmentMemo, PreparedTexts, SentenceWords
from newsweave.reuse.crosslingual import SENTENCE_SHARE, translation_candidates
from newsweave.reuse.index import estimate_jaccard, signatures
from newsweave.reuse.origins import (
    DERIVING,
    by_derived,
    choose_sources,
    component,
    origins_of,
    parents_map,
)

# A pair's sides and its decision, and the batch's decisions across languages, live in
# their own modules; their names are re-exported here, where the batch engine, the benches
# and the tests import them from.
from newsweave.reuse.pairs import (
    Indexed,
    _load,
    _relate_safely,
    index_article,
    named_sides,
    relate_pair,
)
from newsweave.reuse.relation import TRANSLATION_COSINE
from newsweave.reuse.semantic import (
    SemanticIndex,
    article_vectors,
    english_vectors,
    needs_lead,
    other_language,
    primary_language,
)
from newsweave.reuse.text import words
from newsweave.reuse.translations import (
    SAME_EVENT_REPLACES,
    _confirm_safely,
    _one_per_language,
    _rechecked,
    _same_events,
    _without_rivals,
)
from newsweave.settings import Settings
from newsweave.store import Store, read_articles
from newsweave.store.reuse import IndexEntry

log = logging.getLogger(__name__)

MAX_CANDIDATES = 40  # pairs aligned per new article, strongest candidates first
# A candidate found only through shared sentences needs at least two of them
# (one is often a stock line or a common quotation), and at least 3 % of the
# shorter article's sentences: two stock lines in a 300-sentence transcript say
# nothing about reuse, yet aligning the pair costs a 300 x 300 matrix, and a
# store holding many such documents aligned ever more of them as it grew. For
# news-length articles (under 67 sentences) the floor of two rules. (5 % lost a
# rewrite of a 45-sentence article that kept two sentences verbatim.)
MIN_SHARED_SENTENCES = 2
SHARED_SENTENCE_SHARE = 0.03
# Characters of text whose prepared sentences the stage keeps across batches (about
# 1,000 news articles; see align.PreparedTexts).
PREPARED_CHARS = 4_000_000
BACKFILL_CHUNK = 64  # English articles given their e5 vectors per transaction, late


class ReuseStage:
    """Finds copies, rewrites, shared quotations and origins (see the module doc)."""

    name = "reuse"
    version = 1
    requires: tuple[str, ...] = ("article.text", "article.language")
    assigns: tuple[str, ...] = ("reuse.edges", "reuse.origins", "reuse.vectors")

    def __init__(self) -> None:
        self.vectors = SemanticIndex()  # kept across batches: loads only new rows
        self._is_multilingual = False  # the store holds a language other than English
        self._languages: dict[int, str | None] = {}  # stored articles' languages, read once
        self._demoted: set[int] = set()  # articles that lost a translation edge this run
        self._prepared = PreparedTexts(PREPARED_CHARS)  # texts prepared for alignment

    def run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        with collection_paused():  # (see newsweave.gcpause: the batch's objects hold no cycles)
            self._run(store, article_ids, settings)

    def _run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        indexed: dict[int, Indexed] = {}
        entries: list[IndexEntry] = []
        articles = read_articles(store, article_ids)
        token_lists = [words(a.text) for a in articles]
        sigs = signatures(token_lists)
        failed: dict[int, str] = {}
        for article, tokens, sig in zip(articles, token_lists, sigs, strict=True):
            try:
                entry, item = index_article(article, tokens, sig)
            except Exception as exc:  # one bad article must not sink the batch
                log.exception("reuse: could not index article %s", article.id)
                # Stored and left pending, so a later run retries it (not marked done).
                failed[int(article.id or 0)] = f"could not index: {type(exc).__name__}: {exc}"
                continue
            entries.append(entry)
            indexed[entry.article_id] = item
        vectors: dict[int, np.ndarray] = {}
        english_rows: dict[int, np.ndarray] = {}
        embedded = settings.reuse_embed and indexed
        for article_id, item in indexed.items():  # a re-indexed article may have changed
            self._languages[article_id] = item.article.language
        if embedded:
            fresh = [indexed[i].article for i in indexed]
            english_model = bool(settings.reuse_english)
            multilingual = bool(settings.reuse_english_lead) or (
                english_model and self._multilingual(store, fresh))
            leads = [a for a in fresh if needs_lead(a.language, multilingual, english_model)]
            if leads:
                vectors = dict(zip((int(a.id or 0) for a in leads), article_vectors(leads),
                                   strict=True))
            if english_model:
                english_rows = english_vectors(fresh)
        # Two short transactions, the alignment between them outside the write lock: first
        # the batch's index rows and vectors, so any process's later lookup finds them; then
        # the pairs, the graph and the progress. Of two processes indexing copies of each
        # other at once, the one that looks up second finds the other's article.
        with store.transaction():
            orphans = store.reuse.save_index(entries)  # partners of re-indexed articles
            if vectors:
                store.reuse.save_vectors(MODEL_NAME, vectors)
            if english_rows:
                store.reuse.save_vectors(english.MODEL_NAME, english_rows)
            if embedded:  # a re-indexed article keeps no vector of its old text
                _drop_stale(store, english.MODEL_NAME, set(indexed) - set(english_rows))
                _drop_stale(store, MODEL_NAME, set(indexed) - set(vectors))
        late: dict[int, np.ndarray] = {}
        if embedded and settings.reuse_english:
            late = self._backfill(store, always=bool(settings.reuse_english_lead))
            vectors.update((i, row) for i, row in late.items() if i in indexed)
        # Articles embedded late (not of this batch) are searched for translations too when
        # they are few: another process's English articles stored while this one's other
        # language arrived. A store's first backfill needs no search: the new articles in
        # the other language are searched against all of them, and the pair is symmetric.
        searched = {i: row for i, row in late.items() if i not in indexed}
        if len(searched) > max(len(article_ids), 1):
            searched = {}
        edges = self._relate(store, indexed, {e.article_id: e for e in entries},
                             vectors, english_rows, settings, searched)
        with store.transaction():
            store.reuse.save_pairs(edges)
            touched = set(indexed) | orphans | self._demoted
            touched |= {i for e in edges for i in (e.derived, e.source) if i in searched}
            update_graph(store, sorted(touched))
            store.mark_done(self.name, [i for i in article_ids if i not in failed],
                            self.version)
            if failed:
                store.record_errors(self.name, self.version, failed)

    # -- multilingual vectors on demand -----------------------------------------

    def _language_of(self, store: Store, article_id: int) -> str | None:
        """A stored article's language, read once per article."""
        languages = self._languages
        if article_id not in languages:
            article = store.get_article(article_id)
            languages[article_id] = article.language if article else None
        return languages[article_id]

    def _stored_languages(self, store: Store) -> set[str]:
        """The primary languages of the articles that have an e5 vector (every article
        in a language other than English has one)."""
        self.vectors.refresh(store)
        labels = self.vectors.lead.labels(
            lambda i: primary_language(self._language_of(store, i)))
        return set(labels.tolist())

    def _multilingual(self, store: Store, articles: Sequence[Article]) -> bool:
        """Whether the store holds (or this batch brings) an article in a language other
        than English: then English articles need their e5 vectors (see ``needs_lead``).
        Once true for a store it stays true."""
        if not self._is_multilingual:
            self._is_multilingual = (any(other_language(a.language) for a in articles)
                                     or any(other_language(x)
                                            for x in self._stored_languages(store)))
        return self._is_multilingual

    def _backfill(self, store: Store, always: bool = False) -> dict[int, np.ndarray]:
        """Once the store holds a language other than English (or with ``always``: the
        ``reuse_english_lead`` setting), give every English article stored without an e5
        vector its vector (once: it is stored), before this batch
        looks for translations; returns the vectors made. Runs after this batch's own
        vectors are stored, so of two processes storing an English article and its
        translation at once, at least one sees both (the other article, or its language).
        """
        self.vectors.refresh(store)
        if not (always or self._multilingual(store, ())):
            return {}
        missing = np.setdiff1d(self.vectors.english._id_array, self.vectors.lead._id_array)
        made: dict[int, np.ndarray] = {}
        if not len(missing):
            return made
        log.info("reuse: the store holds more than English now: embedding %d English "
                 "articles with the multilingual model (once)", len(missing))
        for start in range(0, len(missing), BACKFILL_CHUNK):
            chunk = read_articles(store, (int(i) for i in missing[start:start + BACKFILL_CHUNK]))
            if not chunk:
                continue
            try:
                rows = dict(zip((int(a.id or 0) for a in chunk), article_vectors(chunk),
                                strict=True))
            except Exception:  # the batch goes on; the next one tries these again
                log.exception("reuse: could not embed %d English articles late", len(chunk))
                continue
            with store.transaction():  # each chunk kept: an interrupted backfill resumes
                store.reuse.save_vectors(MODEL_NAME, rows)
            made.update(rows)
        return made

    # -- candidates and pairs ---------------------------------------------------

    def _relate(self, store: Store, indexed: dict[int, Indexed],
                entries: dict[int, IndexEntry], vectors: dict[int, np.ndarray],
                english_rows: dict[int, np.ndarray], settings: Settings,
                late: dict[int, np.ndarray] | None = None) -> list[Edge]:
        neighbours: dict[int, list[tuple[int, float]]] = {}
        ids = [i for i in indexed if i in vectors or i in english_rows]
        if ids or late:
            self.vectors.refresh(store)
        if ids:
            found = self.vectors.nearest([vectors.get(i) for i in ids],
                                         [english_rows.get(i) for i in ids],
                                         settings.reuse_neighbours,
                                         settings.reuse_min_cosine)
            neighbours = dict(zip(ids, found, strict=True))
        # Translations: articles in another language among each other's nearest leads
        # (crosslingual.translation_candidates), kept where their sentences align.
        translations: dict[tuple[int, int], float] = {}
        self._demoted: set[int] = set()

        language_of = partial(self._language_of, store)
        for article_id, vector in [*vectors.items(), *(late or {}).items()]:
            for other, cosine in translation_candidates(self.vectors.lead, vector,
                                                        article_id, language_of,
                                                        TRANSLATION_COSINE):
                translations[(min(article_id, other), max(article_id, other))] = cosine
                neighbours.setdefault(article_id, []).insert(0, (other, cosine))
        done: set[tuple[int, int]] = set()
        others: dict[int, Indexed | None] = {}
        measured = _confirm_safely(store, translations, indexed, others)
        confirmed = _without_rivals(store, {k: (v.cosine, v.share) for k, v in measured.items()
                                            if v.share >= SENTENCE_SHARE},
                                    measured, self.vectors.lead, language_of)
        edges: list[Edge] = []
        memo = AlignmentMemo()  # this batch's alignments, by the sentences aligned
        prepared = self._prepared  # the texts prepared in this batch and the ones before
        known: SentenceWords = {}  # and the words of this batch's sentences
        ranked = {article_id: self._candidates(store, entry, neighbours.get(article_id, []))
                  for article_id, entry in entries.items()}
        ranked, cuts = bound_families(store, indexed, ranked, confirmed, others)
        deriving: set[tuple[int, int]] = set()  # (new article, other) related as copies

        def relate(article_id: int, candidates: Sequence[int]) -> None:
            for other_id in candidates:
                key = (min(article_id, other_id), max(article_id, other_id))
                if key in done:
                    continue
                done.add(key)
                other = indexed.get(other_id) or _load(store, other_id, others)
                if other is None:
                    continue
                edge = _relate_safely(indexed[article_id], other,
                                      *confirmed.get(key, (None, None)),
                                      memo=memo, prepared=(prepared, known))
                if edge is not None:
                    edges.append(edge)
                    if edge.kind in DERIVING:
                        deriving.add((article_id, other_id))

        # One BLAS thread for all the batch's alignments (each pair's content-word product
        # asks for it too; inside this one, that costs nothing).
        with one_blas_thread():
            for article_id, candidates in ranked.items():
                relate(article_id, candidates)
                if article_id in cuts:  # a family cut where the article is none of its copies
                    relate(article_id, families.confirmed_cuts(article_id, cuts[article_id],
                                                               deriving))
        for key, (cosine, share) in confirmed.items():  # found from articles embedded late
            if key in done or not any(i in (late or {}) for i in key):
                continue
            done.add(key)
            first, second = (indexed.get(i) or _load(store, i, others) for i in key)
            if first is None or second is None:
                continue
            edge = _relate_safely(first, second, cosine, share)
            if edge is not None:
                edges.append(edge)
        if confirmed:
            edges, self._demoted = _one_per_language(store, edges, language_of)
        edges, rechecked = _rechecked(store, {**(late or {}), **vectors}, edges,
                                      self.vectors.lead, language_of, indexed, others)
        self._demoted |= rechecked
        refused = {k: v for k, v in measured.items() if k not in confirmed}
        return _same_events(store, edges, self.vectors.lead, language_of, refused, indexed,
                            others)

    @staticmethod
    def _candidates(store: Store, entry: IndexEntry, near: list[tuple[int, float]]
                    ) -> list[int]:
        """Other articles worth aligning with this one, most promising first."""
        weight: dict[int, float] = {}
        for other, shared in store.reuse.band_matches(entry.band_keys).items():
            weight[other] = weight.get(other, 0.0) + 1.0 + shared
        sentences = store.reuse.sentence_matches(entry.sentence_keys)
        own = len(set(entry.sentence_keys))
        # A band match or an embedding neighbour counts without the floors below
        # (see SHARED_SENTENCE_SHARE); the other's length is read only where it can decide.
        found = set(weight) | {other for other, _ in near}
        unsure = [o for o, shared in sentences.items() if o not in found
                  and MIN_SHARED_SENTENCES <= shared < SHARED_SENTENCE_SHARE * own]
        lengths = store.reuse.sentence_counts(unsure) if unsure else {}
        for other, shared in sentences.items():
            shorter = min(own, lengths.get(other, own))
            if other in found or (shared >= MIN_SHARED_SENTENCES
                                  and shared >= SHARED_SENTENCE_SHARE * shorter):
                weight[other] = weight.get(other, 0.0) + 1.0 + shared
        for other, cosine in near:
            weight[other] = weight.get(other, 0.0) + cosine
        weight.pop(entry.article_id, None)
        ranked = sorted(weight, key=lambda i: (-weight[i], i))
        return ranked[:MAX_CANDIDATES]


def bound_families(store: Store, indexed: Mapping[int, Indexed],
                   ranked: dict[int, list[int]], confirmed: Mapping[tuple[int, int], object],
                   others: dict[int, Indexed | None]
                   ) -> tuple[dict[int, list[int]], dict[int, list[families.Cut]]]:
    """Each new article's candidates with its copy families cut to the members that decide
    its source, and the families cut (``reuse/families.py``). The batch's own articles
    have no origin yet: each stands alone. ``others``: the stored sides loaded so far (the
    attribution check reads the others' outlets and attributions only)."""
    stored = sorted({c for found in ranked.values() for c in found} - set(indexed))
    origins = store.reuse.origin_of(stored) if stored else {}
    crowded = families.crowded(ranked, origins)
    if not crowded:
        return ranked, {}
    published = store.reuse.published(crowded)
    # The attribution check of the members the cut may drop reads their outlets and
    # attributions only, all at once; the members aligned are loaded whole as before.
    named = named_sides(store, crowded - set(indexed), others)
    out: dict[int, list[int]] = {}
    cuts: dict[int, list[families.Cut]] = {}
    for article_id, found in ranked.items():
        if article_id not in indexed:
            out[article_id] = found
            continue
        out[article_id], cut = families.bounded(
            indexed[article_id], found, origins, published, named.get,
            keep={o for o in found if (min(article_id, o), max(article_id, o)) in confirmed})
        if cut:
            cuts[article_id] = cut
    return out, cuts


def _drop_stale(store: Store, model: str, article_ids: set[int]) -> None:
    """Delete the ``model`` vectors these articles still have (none, for new articles)."""
    stale = set(store.reuse.vectors(sorted(article_ids), model)) if article_ids else set()
    if stale:
        store.reuse.delete_vectors(model, stale)


def update_graph(store: Store, touched: Sequence[int]) -> None:
    """Re-choose the sources of the touched articles and their partners, then their origins."""
    # Sources are chosen by kind, time, attribution and shared fraction: the pairs are read
    # without their passages, whose decoding cost more than the choice.
    pairs = store.reuse.pairs(touched, kinds=DERIVING, evidence=False)
    affected = set(touched)
    for edge in pairs:
        affected.update((edge.derived, edge.source))
    # The partners' own pairs matter too: a new wire story can become the
    # better source of a copy that was stored before it.
    pairs = store.reuse.pairs(affected, kinds=DERIVING, evidence=False)
    indexed = by_derived(pairs)
    related = {(min(e.derived, e.source), max(e.derived, e.source)) for e in pairs}
    published = store.reuse.published(_ids(pairs) | affected)
    # Only the graph components of the affected articles and of every candidate
    # source: cycle checks and origins never look beyond them, and reading the
    # whole graph every batch would grow with the store.
    parents = parents_map(store.reuse.edges(connected_to=affected | _ids(pairs)))
    for derived in sorted(affected, key=lambda i: (published.get(i) or "", i)):
        # The stored sources: every edge of an affected article is in its component's.
        stored = parents.pop(derived, None) or []
        sources = choose_sources(derived, pairs, related, published, parents, indexed=indexed)
        if sources:
            parents[derived] = sources
        if set(sources) != set(stored):
            store.reuse.set_edges(derived, sources)
    edges = [(d, s) for d, sources in parents.items() for s in sources]
    nodes = component(affected, edges)
    store.reuse.set_origins(changed_origins(store, origins_of(nodes, parents)))


def changed_origins(store: Store, origins: Mapping[int, Sequence[int]]
                    ) -> dict[int, list[int]]:
    """Of ``origins`` (each article's origin ids), those that differ from the stored ones:
    the graph update recomputes the origins of whole components, and a family's component
    holds tens of thousands of articles at 800,000 stored (docs/benchmarks.md, "Archive
    scale, part 29"), nearly all unchanged by a batch; rewriting their rows cost more than
    reading them."""
    stored = store.reuse.origin_of(list(origins))
    return {node: found for node, found in origins.items()
            if stored.get(node) != sorted(set(found))}


def _ids(edges: Sequence[Edge]) -> set[int]:
    return {i for e in edges for i in (e.derived, e.source)}


def signature_jaccard(store: Store, a: int, b: int) -> float:
    """Estimated shingle Jaccard similarity of two stored articles (0 if not indexed)."""
    found = store.reuse.signatures([a, b])
    if a not in found or b not in found:
        return 0.0
    return estimate_jaccard(found[a], found[b])


__all__ = ["MAX_CANDIDATES", "MIN_SHARED_SENTENCES", "SAME_EVENT_REPLACES", "SHARED_SENTENCE_SHARE",
           "Indexed", "ReuseStage", "bound_families", "changed_origins", "index_article",
           "relate_pair", "signature_jaccard", "update_graph"]
