"""The engine's reads: articles, stage status, stories, entities and quotes, reuse,
search and listing pages.

A part of :class:`newsweave.engine.Engine` (its base class), not to be used on its own:
the methods read ``store``, ``settings`` and ``stages``, which the engine sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date as _date
from typing import TYPE_CHECKING, Any

from newsweave.errors import NotFoundError
from newsweave.model import Article, Attribution, Edge, Entity, Neighbour, Quote, Story
from newsweave.store import read_articles
from newsweave.store.search import SearchResult, StoryFilter

if TYPE_CHECKING:
    from newsweave.pipeline import Stage
    from newsweave.reuse.graph import Provenance
    from newsweave.reuse.semantic import SemanticIndex
    from newsweave.settings import Settings
    from newsweave.store import Store


class EngineReads:
    """What the engine reads from its store (see :class:`newsweave.engine.Engine`)."""

    store: Store
    settings: Settings
    stages: list[Stage]

    # -- reading --------------------------------------------------------------

    def articles(self, *, outlet: str | None = None, **filters: Any) -> list[Article]:
        """Stored articles (without raw input), oldest id first; filters as in
        :meth:`iter_articles`."""
        return list(self.iter_articles(outlet=outlet, **filters))

    def iter_articles(
        self, *, outlet: str | None = None, language: str | None = None,
        since: str | None = None, until: str | None = None, after: int | None = None,
        limit: int | None = None,
    ) -> Iterator[Article]:
        """Stored articles streamed a page at a time, oldest id first.

        ``after`` is a cursor (the last id seen: the listing goes on after it);
        ``since`` and ``until`` bound the publication date (ISO, inclusive).
        """
        return self.store.iter_articles(outlet=outlet, language=language, since=since,
                                        until=until, after=after, limit=limit)

    def article(self, article_id: int, *, raw: bool = False) -> Article:
        """One article by id; raises :class:`NotFoundError` if there is none."""
        found = self.store.get_article(article_id, raw=raw)
        if found is None:
            raise NotFoundError(f"no article with id {article_id} in {self.store.path}")
        return found

    def _stored(self, ids: Iterable[int]) -> list[Article]:
        """The stored articles of ``ids``, in their order (an id not stored is left out)."""
        return read_articles(self.store, ids)

    def check_store(self) -> list[str]:
        """Integrity problems in the store; an empty list means all is well."""
        return self.store.check_integrity()

    def stage_status(self) -> dict[str, dict[str, int]]:
        """Per stage (in the order they run): how many articles it has finished at its
        current version (``done``) and how many wait for it (``pending``: never run, or
        left for a later ``analyze`` by an ingest with chosen stages, or failed)."""
        total = self.store.count_articles()
        status: dict[str, dict[str, int]] = {}
        for stage in self.stages:
            pending = len(self.store.pending(stage.name, stage.version))
            status[stage.name] = {"done": total - pending, "pending": pending}
        return status

    def article_stages(self, article_ids: Sequence[int]) -> dict[int, list[str]]:
        """The stages that have finished each article at their current version, in the
        order they run (an article missing from the store maps to [])."""
        done = self.store.stages_done(article_ids)
        current = {(s.name, s.version) for s in self.stages}
        order = {s.name: n for n, s in enumerate(self.stages)}
        return {i: sorted((name for name, version in done.get(i, []) if (name, version)
                           in current), key=order.__getitem__) for i in article_ids}

    # -- stories --------------------------------------------------------------

    def stories(self, *, confidence: bool = True) -> list[Story]:
        """Every live story (merged ids excluded), largest first, then oldest id; with
        ``confidence``, each says how clearly it stands apart from its nearest story."""
        from newsweave.stories import build_stories, weights_from

        found = build_stories(self.store, self.store.stories.active_story_ids(),
                              weights_from(self.settings) if confidence else None,
                              self.settings.story_threshold)
        return sorted(found, key=lambda s: (-len(s.articles), s.id))

    def story(self, story_id: int, *, confidence: bool = True) -> Story:
        """One story; a merged id gives its survivor. Raises :class:`NotFoundError`.
        ``confidence=False`` leaves out how clearly it stands apart (a look among the
        stories sharing its keys, whose number grows with the store)."""
        from newsweave.stories import build_stories, weights_from

        live = self.store.stories.resolve(story_id)
        weights = weights_from(self.settings) if confidence else None
        found = (build_stories(self.store, [live], weights, self.settings.story_threshold)
                 if live is not None else [])
        if not found:
            raise NotFoundError(f"no story with id {story_id} in {self.store.path}")
        return found[0]

    def story_of(self, article_id: int) -> int | None:
        """The live story id of an article (None before the stories stage has run on it)."""
        return self.store.stories.story_of([article_id]).get(article_id)

    def story_articles(self, story_id: int) -> list[int]:
        """Article ids of a story (a merged id gives its survivor's); [] if unknown."""
        live = self.store.stories.resolve(story_id)
        return [] if live is None else self.store.stories.members([live]).get(live, [])

    # -- extract --------------------------------------------------------------

    def entities(self, story: int | None = None) -> list[Entity]:
        """Canonical entities (of one story's articles, with their counts there), most
        mentioned first. Raises :class:`NotFoundError` for an unknown story."""
        ids = self._story_scope(story)
        found = self.store.extract.entities(ids)
        return sorted(found, key=lambda e: (-sum(e.articles.values()), e.id))

    def quotes(self, story: int | None = None) -> list[Quote]:
        """Quote groups (of one story's articles), most widely carried first."""
        ids = self._story_scope(story)
        found = self.store.extract.quotes(ids)
        return sorted(found, key=lambda q: (-len(q.articles), q.id))

    def dates(self, article_id: int) -> dict[str, Any]:
        """An article's temporal expressions with resolved dates or ranges (see
        :func:`newsweave.extract.article_dates`)."""
        from newsweave.extract import article_dates

        self.article(article_id)  # NotFoundError for an unknown id
        return article_dates(self.store, article_id)

    def _story_scope(self, story: int | None) -> list[int] | None:
        if story is None:
            return None
        ids = self.story_articles(story)
        if not ids:
            raise NotFoundError(f"no story with id {story} in {self.store.path}")
        return ids

    # -- reuse ----------------------------------------------------------------

    def provenance(self, story: int | None = None) -> dict[str, Any]:
        """Who copied whom: ``{"edges": [...], "origins": [[ids]]}`` (of one story, if given)."""
        return self.provenance_graph(story).to_dict()

    def provenance_graph(self, story: int | None = None) -> Provenance:
        """The provenance graph with node labels (for ``--dot`` and ``--graphml``)."""
        from newsweave.reuse.graph import provenance, story_members

        members = None if story is None else story_members(self.store, story)
        return provenance(self.store, members)

    def similar(self, article_id: int, limit: int = 10) -> list[Neighbour]:
        """An article's nearest articles with their relation and a score (0..1)."""
        from newsweave.reuse.graph import similar

        self.article(article_id)  # NotFoundError for an unknown id
        return similar(self.store, self._reuse_vectors(), article_id, limit)

    def origins(self, article_ids: Iterable[int] | None = None) -> list[list[int]]:
        """Independent origins: each an original and everything derived from it."""
        return self.store.reuse.origins(article_ids)

    def attributions(self, article_id: int) -> list[Attribution]:
        """The sources an article names for its content ("Reuters reported", "(UPI)")."""
        self.article(article_id)
        return self.store.reuse.attributions([article_id]).get(article_id, [])

    def _reuse_vectors(self) -> SemanticIndex:
        """The reuse stage's in-memory vectors (loaded once per engine), or a fresh index."""
        from newsweave.reuse.semantic import SemanticIndex

        for stage in self.stages:
            found = getattr(stage, "vectors", None)
            if isinstance(found, SemanticIndex):
                return found
        return SemanticIndex()

    def reuse_pair(self, a: int, b: int) -> Edge | None:
        """The reuse stage's relation between two articles, with its aligned passages
        (None if it found none). Raises :class:`NotFoundError` for an unknown id."""
        self.article(a)
        self.article(b)
        for edge in self.store.reuse.pairs([a]):
            if {edge.derived, edge.source} == {a, b}:
                return edge
        return None

    def entity(self, entity_id: int) -> Entity:
        """One canonical entity with its articles; raises :class:`NotFoundError`."""
        ids = self.store.search.entity_articles(entity_id)
        for found in self.store.extract.entities(ids) if ids else []:
            if found.id == entity_id:
                return found
        raise NotFoundError(f"no entity with id {entity_id} in {self.store.path}")

    def article_entities(self, article_id: int) -> list[Entity]:
        """The canonical entities an article mentions (counts are of that article)."""
        return self.store.extract.entities([article_id])

    def article_quotes(self, article_id: int) -> list[Quote]:
        """The quote groups an article carries a variant of."""
        return self.store.extract.quotes([article_id])

    # -- search and listing -----------------------------------------------------
    def article_page(self, *, after: int = 0, limit: int = 50, outlet: str | None = None,
                     language: str | None = None) -> list[Article]:
        """Articles with an id above ``after``, oldest id first (a page of a listing)."""
        ids = self.store.search.article_page(after, limit, outlet=outlet, language=language)
        return self._stored(ids)


    def search(self, query: str, *, outlet: str | None = None, language: str | None = None,
               story: int | None = None, since: _date | None = None,
               until: _date | None = None, one_per_origin: bool = False, limit: int = 20,
               offset: int = 0, entity: int | None = None) -> SearchResult:
        """Full-text search over titles and clean bodies (BM25, best first).

        FTS5 syntax: ``"a phrase"``, ``OR``, ``NOT``, ``prefix*``; a query that does
        not parse runs as its plain words (``message`` says so). ``one_per_origin``
        folds copies of one original into one hit; ``entity`` keeps articles mentioning
        that canonical entity. Facets count every match (entities: the 500 best hits).
        """
        return self.store.search.search(
            query, outlet=outlet, language=language, story=story, since=since, until=until,
            one_per_origin=one_per_origin, limit=max(1, limit), offset=max(0, offset),
            entity=entity)

    def story_page(self, sort: str = "newest", *, filters: StoryFilter | None = None,
                   after: tuple[float, int] | None = None, limit: int = 20,
                   confidence: bool = False) -> list[tuple[Story, float]]:
        """One page of live stories with their sort key: ``sort`` is "newest", "largest"
        or "origins"; ``after`` is the (key, id) of the last story of the page before;
        with ``confidence``, each story says how clearly it stands apart."""
        from newsweave.stories import build_stories, weights_from

        rows = self.store.search.story_page(sort, filters or StoryFilter(), after, limit)
        keys = dict(rows)
        weights = weights_from(self.settings) if confidence else None
        return [(s, keys[s.id])
                for s in build_stories(self.store, [r[0] for r in rows], weights,
                                       self.settings.story_threshold)]
