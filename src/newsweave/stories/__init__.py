"""The stories stage: incremental event clustering with stable story ids.

Each new article is featurised (terms, entity-like names, years, publication
day), joins the story whose articles it is most similar to on average, or
starts a new one (:mod:`.assign`). Then the stories it touched, with their
neighbours, are re-clustered and merged or split where the articles now say
so (:mod:`.repair`), keeping ids stable and logging every merge and split.
Copies found by the reuse stage always share a story with their source.

A user's merges and splits (:func:`merge_stories`, :func:`split_story`) are logged and
obeyed by every later re-clustering (:mod:`.user`).

Stable API: :class:`StoriesStage`, :func:`build_stories`, :func:`restory`,
:func:`merge_stories`, :func:`split_story`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from newsweave.gcpause import collection_paused
from newsweave.model import Story
from newsweave.nlp.blas import one_blas_thread
from newsweave.settings import Settings
from newsweave.store import Store
from newsweave.store.stories import StoryTables
from newsweave.stories.assign import (
    VectorCache,
    article_vectors,
    assign,
    feature_row,
    rebuild,
    refresh,
    weights_from,
)
from newsweave.stories.frequencies import save_features
from newsweave.stories.meaning import weighed_meanings
from newsweave.stories.repair import (
    LinksFn,
    RepairReport,
    repair_all,
    repair_neighbourhoods,
)
from newsweave.stories.user import Decisions, confidences, merge_stories, split_story
from newsweave.stories.vectors import Weights

log = logging.getLogger(__name__)

SAME_EVENT_WEIGHT = 0.5  # as shared quotes: it survives one veto, not two (see below)

# Reuse evidence as a floor on the similarity of two articles: a copy or rewrite
# is the same report, so the same story. A shared quotation is strong evidence only when
# the words are literally shared and nothing else disagrees: the reuse stage also pairs
# quotations that merely say alike ("the stakes are too high" / "a land war"), and a
# politician's line is quoted again in later stories about them (on BASIL, 445 of 724
# shared-quotes edges joined different events, and an undamped floor took the stories
# from F1 0.97 to 0.82). So it counts only where at least QUOTE_SHARE of the text is
# shared word for word, and its floor is damped by the pair's vetoes (names, dates: see
# newsweave.stories.vectors.link_floor).
# A translation is the same report in another language: its story is its original's,
# though the two share no word features.
# A report of the same event in another language (``same-event``: the reuse stage's
# candidate translations whose sentences do not align) shares no word features with it
# either; its leads' closeness is evidence of one event, damped like shared quotes by
# the pair's vetoes (docs/benchmarks.md, "Stories across languages, part 3").
LINK_WEIGHTS = {"copy": 1.0, "rewrite": 1.0, "translation": 1.0, "shared-quotes": 0.5,
                "same-event": SAME_EVENT_WEIGHT}
QUOTE_SHARE = 0.05
RESTORY_ARTICLES = 1500  # neighbourhood size of a requested restory (at least)


class StoriesStage:
    name = "stories"
    version = 1
    requires: tuple[str, ...] = ("article.text", "article.metadata")
    # Copies share a story, when reuse runs; its stored sentence vectors weigh the words.
    uses: tuple[str, ...] = ("reuse.edges", "reuse.vectors")
    assigns: tuple[str, ...] = ("stories.assignments", "extract.invalidations")

    def run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        """Assign ``article_ids`` to stories, repair around them, mark them done."""
        tables = store.stories
        weights = weights_from(settings)
        # The collector paused (newsweave.gcpause): the batch's vectors, states and
        # matrices hold no reference cycles, and its full collections walked the whole
        # process for them (docs/benchmarks.md, "Archive scale, part 26").
        with store.transaction(), one_blas_thread(), collection_paused():
            rows, keys = [], {}
            articles = store.get_articles(article_ids)  # (one read for the batch)
            for article_id in sorted(article_ids):
                article = articles.get(article_id)
                if article is None:
                    continue
                row, features = feature_row(article)
                rows.append(row)
                keys[article_id] = features.keys()
            # All the batch's features count in the document frequencies before any
            # assignment, so articles of one batch are weighed alike whatever their order.
            before = tables.document_count()
            # All in one transaction (the stage's): rows and counters move together.
            save_features(tables, rows, keys)
            meanings = weighed_meanings(store, weights)
            if meanings is not None and not meanings.of(r.article_id for r in rows):
                # No article of the batch has a sentence vector (a stories-only store, a
                # batch in another language): their pairs are the words' alone, and the
                # repair around them reads no member's vector either (what a store without
                # vectors pays for the setting is this one indexed read a batch).
                meanings = None
            cache = VectorCache(meanings)  # weighed once per run: the frequencies are fixed now
            cache.rows.update((r.article_id, r) for r in rows)
            vectors = article_vectors(tables, [r.article_id for r in rows], weights, cache)
            # An article analysed again (its body was re-cleaned) keeps its story; the
            # story's totals are rebuilt from its members rather than added to twice.
            again = tables.story_of(vectors)
            for story_id, members in tables.members(set(again.values())).items():
                rebuild(tables, story_id, members,
                        article_vectors(tables, members, weights, cache), cache)
            items = [vectors[r.article_id] for r in rows
                     if r.article_id in vectors and r.article_id not in again]
            linked = _copy_links(store, [i.id for i in items])
            done = assign(tables, items, weights, settings.story_threshold, linked, meanings)
            report = RepairReport()
            links = _links(store)
            if settings.story_repair_articles > 0 and _doubled_small(tables, before):
                # While the store is small, each batch moves the document frequencies a
                # lot, so decisions taken with the older ones are stale everywhere, not only
                # where new articles land: when the store has doubled, it is re-clustered
                # as a whole (as a restory of it would), so the partition depends on the
                # articles rather than on the order they came in. Cheap at this size.
                report = repair_all(tables, tables.active_story_ids(), weights,
                                    settings.story_threshold, links, cache)
            elif settings.story_repair_articles > 0 and done.close:
                repair_neighbourhoods(tables, done.close, weights, settings.story_threshold,
                                      settings.story_repair_articles,
                                      links, report, done.hints,
                                      done.uncertain, cache)
            # Titles and entities are re-chosen when a story's size crosses a power of two
            # (a repair rebuilds what it changes): amortised O(1) per article.
            refresh(tables, tables.active_among(done.grown), weights, cache)
            invalidate_names(store, report.changed_articles - set(keys))
            store.mark_done(self.name, [r.article_id for r in rows], self.version)
            # An article that vanished between pending() and now is done too: nothing to do.
            store.mark_done(self.name, sorted(set(article_ids) - set(keys)), self.version)


def _doubled_small(tables: StoryTables, before: int) -> bool:
    """Whether this batch took a store of at most :data:`RESTORY_ARTICLES` articles past a
    quarter power of two (a growth of a fifth: so a whole re-clustering runs about
    4 log2(1500) = 42 times in a store's life, each O(n^2), and the last one leaves at most
    a sixth of a small store to online decisions).
    """
    after = tables.document_count()
    return 1 < after <= RESTORY_ARTICLES and _quarter_steps(after) > _quarter_steps(before)


def _quarter_steps(count: int) -> int:
    """How many quarter powers of two ``count`` has passed: floor(4 log2(count))."""
    return int(4 * math.log2(count)) if count > 0 else -1


def restory(store: Store, settings: Settings) -> RepairReport:
    """Repair every story: merge those that grew together, split those that drifted."""
    tables = store.stories
    with store.transaction(), one_blas_thread():
        # A requested repair may take larger neighbourhoods than the automatic one.
        limit = max(settings.story_repair_articles, RESTORY_ARTICLES)
        stories = tables.active_story_ids()
        links = _links(store)
        weights = weights_from(settings)
        cache = VectorCache(weighed_meanings(store, weights))
        if tables.document_count() <= limit:
            # A store this small is re-clustered as a whole: neighbourhoods would only
            # add boundaries that the partition then cannot cross.
            report = repair_all(tables, stories, weights, settings.story_threshold, links,
                                cache)
        else:
            report = repair_neighbourhoods(tables, stories, weights, settings.story_threshold,
                                           limit, links, cache=cache)
        invalidate_names(store, report.changed_articles)
    return report


NAMES_STAGE = "extract"  # the stage that resolves names within a story


def invalidate_names(store: Store, article_ids: set[int]) -> None:
    """Leave the extract stage a note to re-resolve canonical names of articles whose
    story changed, in the same transaction as the change.

    The extract stage resolves names within a story ("Reid" is the story's "Tara
    Reid"), so a merge or split changes what they resolve to. It consumes the note in
    its own run (stories never call it: data flows one way), reusing the stored
    mentions (no NER again); articles it has not seen yet are resolved when it runs on
    them.
    """
    if article_ids:
        store.invalidate(NAMES_STAGE, sorted(article_ids), "story changed")


def build_stories(store: Store, story_ids: Sequence[int],
                  weights: Weights | None = None, threshold: float | None = None
                  ) -> list[Story]:
    """Story records for live ``story_ids``, in the order given; with ``weights`` (the
    settings' :func:`weights_from`), each with its confidence (:mod:`.user`; ``threshold``
    is ``story_threshold``, the default when None)."""
    summaries = store.stories.summaries(story_ids)
    sure = (confidences(store.stories, story_ids, weights, weighed_meanings(store, weights),
                        threshold) if weights is not None else {})
    origins = _origins(store, [a for s in summaries.values() for a in s["articles"]])
    found = []
    for story_id in story_ids:
        summary = summaries.get(story_id)
        if summary is None:
            continue
        articles: list[int] = summary["articles"]
        published = sorted(summary["published"])
        # Distinct origins: a copy counts as its original; an article the reuse stage
        # has not linked to anything is its own origin.
        independent = len({o for a in articles for o in origins.get(a) or (a,)})
        found.append(Story(
            id=story_id,
            title=summary["title"],
            articles=articles,
            outlets=sorted(summary["outlets"]),
            first_published=published[0] if published else None,
            last_published=published[-1] if published else None,
            independent_origins=independent,
            entities=list(summary["entities"]),
        ))
        if story_id in sure:
            c = sure[story_id]
            found[-1].confidence = c.confidence
            found[-1].cohesion = c.cohesion
            found[-1].nearest_story = c.nearest_story
            found[-1].nearest_similarity = c.nearest_similarity
    return found


def _links(store: Store) -> LinksFn:
    """What re-clustering must know of article pairs: the reuse stage's links, then the
    user's merges and splits (:mod:`.user`), which override them. The decisions are read
    on the first call (the story log grows with the store; most runs repair nothing)."""
    loaded: list[Decisions] = []

    def links(article_ids: Sequence[int]) -> dict[tuple[int, int], float]:
        # Only the pairs within the articles: a re-clustering weighs no other (see
        # newsweave.stories.vectors.pair_matrices).
        found = _links_among(store, article_ids)
        if not loaded:
            loaded.append(Decisions.load(store.stories))
        decisions = loaded[0]
        if decisions:
            user = decisions.among(article_ids)
            for a, b in user:
                found.pop((b, a), None)
            found.update(user)
        return found

    return links


def _copy_links(store: Store, article_ids: Sequence[int]) -> dict[int, dict[int, float]]:
    linked: dict[int, dict[int, float]] = {}
    for (a, b), weight in _copy_pairs(store, article_ids).items():
        linked.setdefault(a, {})[b] = weight
        linked.setdefault(b, {})[a] = weight
    return linked


def _copy_pairs(store: Store, article_ids: Sequence[int]) -> dict[tuple[int, int], float]:
    """Article pairs the reuse stage related, with the similarity floor each implies."""
    reuse = getattr(store, "reuse", None)
    if reuse is None or not article_ids:
        return {}
    # Read without their reasons and passages: decoding those grew with the pairs an
    # article has (a repair reads its neighbourhood's), and a link needs none of them.
    # The edges read are dropped at once: the collector need not walk the heap for them
    # (see newsweave.gcpause).
    with collection_paused():
        return {(e.derived, e.source): LINK_WEIGHTS[e.kind]
                for e in reuse.pairs(article_ids, kinds=tuple(LINK_WEIGHTS), evidence=False)
                if e.kind != "shared-quotes" or (e.shared_fraction or 0.0) >= QUOTE_SHARE}


def _links_among(store: Store, article_ids: Sequence[int]) -> dict[tuple[int, int], float]:
    """:func:`_copy_pairs` of the pairs whose two articles are both among ``article_ids``,
    in the same order, read as plain rows (no :class:`Edge` each): what a repair reads
    around its neighbourhood, 400,000 pairs a shard at 690,000 articles, 95 % of them
    within the neighbourhood (docs/benchmarks.md, "Archive scale, part 27")."""
    reuse = getattr(store, "reuse", None)
    if reuse is None or not article_ids:
        return {}
    return {(derived, source): LINK_WEIGHTS[kind]
            for derived, source, kind, shared in reuse.links_among(article_ids,
                                                                   tuple(LINK_WEIGHTS))
            if kind != "shared-quotes" or (shared or 0.0) >= QUOTE_SHARE}


def _origins(store: Store, article_ids: Sequence[int]) -> dict[int, list[int]]:
    reuse = getattr(store, "reuse", None)
    if reuse is None or not article_ids:
        return {}
    return dict(reuse.origin_of(article_ids))


__all__ = [
    "RepairReport",
    "StoriesStage",
    "build_stories",
    "invalidate_names",
    "merge_stories",
    "restory",
    "split_story",
    "weights_from",
]
