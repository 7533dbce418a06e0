"""Gather what a story's brief is made of from the store, then build it.

The engine (``Engine.brief``) is a facade: it finds the story and hands it here. This
module reads the story's articles, their origins and provenance edges, their event
dates, entities and quotes, and calls :func:`newsweave.brief.make_brief`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from newsweave.errors import StoreBusyError
from newsweave.settings import Settings
from newsweave.store import Store, read_articles

if TYPE_CHECKING:
    from newsweave.brief.build import Brief
    from newsweave.model import Entity, Quote, Story

log = logging.getLogger(__name__)
CACHE_WAIT = 2.0  # seconds a brief waits for the write lock to cache its vectors
ENGLISH_CLAIMS = 2  # brief_embeddings value: claim vectors from the English model (MiniLM)


def assemble_brief(store: Store, settings: Settings, story: Story,
                   *, entities: Sequence[Entity], quotes: Sequence[Quote],
                   wait: float | None = CACHE_WAIT) -> Brief:
    """The cited brief of ``story`` (a live story record), from its current articles.

    ``entities`` and ``quotes`` are the story's, as the engine lists them (most
    mentioned first), so a brief and ``newsweave entities --story`` agree. What the
    brief computes from its claim texts (vectors, the parse's frames, the scored pairs)
    is read from the store where kept, and kept when the store can take the write
    within ``wait`` seconds (None: however long it takes, as a preparation does).
    """
    from newsweave.brief import make_brief
    from newsweave.crosscheck.compare import cached_similarity
    from newsweave.crosscheck.frames import ClaimFramer
    from newsweave.crosscheck.status import StoryArticle
    from newsweave.reuse.graph import story_members

    ids = list(story_members(store, story.id))
    articles = read_articles(store, ids)
    views = [StoryArticle(a.id, a.text, a.outlet, a.published, a.title, a.language)
             for a in articles if a.id is not None]
    embedder = None
    cache = BestEffortCache(store, wait)
    if settings.brief_embeddings:
        from newsweave.crosscheck.align import cached_embedder

        # each sentence embedded once, cached where the store can take the write now;
        # 2 reads the claims with the English model (faster first brief, see the setting)
        model = "minilm" if settings.brief_embeddings == ENGLISH_CLAIMS else "embedding"
        embedder = cached_embedder(cache, model)
    return make_brief(
        story.id, story.title, views, store.reuse.origin_of(ids),
        entities=entities, quotes=quotes, derived_from=derived_from(store, story.id),
        event_dates=event_dates(store, ids), embedder=embedder,
        framer=ClaimFramer(cache), pairs=cache, similarity=cached_similarity(cache),
    )


def derived_from(store: Store, story_id: int) -> dict[int, int | None]:
    """Each derived article of the story and the source it most surely derives from."""
    from newsweave.reuse.graph import provenance, story_members
    from newsweave.reuse.origins import DERIVING

    graph = provenance(store, story_members(store, story_id)).to_dict()
    derived: dict[int, int | None] = {}
    best: dict[int, float] = {}
    for edge in graph.get("edges", []):
        if edge["kind"] in DERIVING and edge["confidence"] > best.get(edge["derived"], -1.0):
            derived[edge["derived"]] = edge["source"]
            best[edge["derived"]] = edge["confidence"]
    return derived


def event_dates(store: Store, article_ids: Iterable[int]
                ) -> dict[int, list[tuple[date, int, int]]]:
    """Per article, the dates of the events it reports, with their offsets."""
    from newsweave.extract import article_dates

    found: dict[int, list[tuple[date, int, int]]] = {}
    for article_id in article_ids:
        if store.get_article(article_id) is None:
            continue
        for expr in article_dates(store, article_id).get("expressions", []):
            if expr.get("role") == "event" and expr.get("date"):
                found.setdefault(article_id, []).append(
                    (date.fromisoformat(expr["date"][:10]), expr["start"], expr["end"])
                )
        found.setdefault(article_id, [])
    return found


class BestEffortCache:
    """The brief's caches (claim vectors, the parse's frames, scored pairs), written only
    when that costs no waiting: a read-only store, or one whose write lock another
    process holds for long (a stories stage re-clustering), computes them and skips
    keeping them. ``wait`` None waits as long as the store's own timeout (a preparation,
    whose whole point is keeping them)."""

    def __init__(self, store: Store, wait: float | None = CACHE_WAIT) -> None:
        self._store = store
        self._wait = wait

    def claim_vectors(self, model: str, keys: Iterable[str]) -> dict[str, Any]:
        return self._store.crosscheck.claim_vectors(model, keys)

    def save_claim_vectors(self, model: str, vectors: Mapping[str, Any]) -> None:
        self._keep(lambda: self._store.crosscheck.save_claim_vectors(model, vectors),
                   f"{len(vectors)} vectors")

    def claim_frames(self, model: str, keys: Iterable[str]) -> dict[str, str]:
        return self._store.crosscheck.claim_frames(model, keys)

    def save_claim_frames(self, model: str, frames: Mapping[str, str]) -> None:
        self._keep(lambda: self._store.crosscheck.save_claim_frames(model, frames),
                   f"{len(frames)} frames")

    def claim_pairs(self, key: str) -> bytes | None:
        return self._store.crosscheck.claim_pairs(key)

    def save_claim_pairs(self, key: str, pairs: bytes) -> None:
        self._keep(lambda: self._store.crosscheck.save_claim_pairs(key, pairs), "scored pairs")

    def _keep(self, write: Callable[[], None], what: str) -> None:
        if self._store.readonly:
            return
        if self._wait is None:
            write()
            return
        started = time.monotonic()
        try:
            with self._store.waiting_at_most(self._wait):
                write()
        except StoreBusyError:
            log.info("brief: store busy for %.1f s, %s not cached",
                     time.monotonic() - started, what)
