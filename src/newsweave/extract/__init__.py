"""The extraction stage: entities with canonical names, quotes with speakers, dates.

Per article it stores what it found (mentions and attributions, with
offsets); across the store it resolves canonical entities and quote groups
from that per-article data, so both can be recomputed cheaply (after a story
merge, say) with :func:`rebuild` and without running NER again. Dates are
resolved when asked for (:func:`article_dates`), because an undated
article's range depends on its story, which may still change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from newsweave.extract import nlp
from newsweave.extract.dates import DateMention, find_dates, parse_day
from newsweave.extract.resolve import story_of, update
from newsweave.model import Article
from newsweave.nlp.language import runs_english
from newsweave.settings import Settings
from newsweave.store import Store, read_articles

log = logging.getLogger(__name__)

__all__ = ["ExtractStage", "article_dates", "consume_invalidations", "rebuild", "story_of"]


class ExtractStage:
    """Pipeline stage ``extract``: NER, attributions, then canonical names and quote groups."""

    name = "extract"
    version = 2
    requires: tuple[str, ...] = ("article.text",)
    # Names resolve within a story, and stories say which articles to resolve again.
    uses: tuple[str, ...] = ("stories.assignments", "extract.invalidations")
    assigns: tuple[str, ...] = ("extract.mentions", "extract.entities", "extract.quotes")

    def run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        self.run_batches(store, article_ids, settings, max(1, len(article_ids)))

    def consume_invalidations(self, store: Store, settings: Settings) -> int:
        """Re-resolve what earlier stages asked it to (:func:`consume_invalidations`)."""
        return consume_invalidations(store, settings)

    def start_ahead(self, articles: Sequence[Article], settings: Settings) -> None:
        """Start the worker processes' analysis of ``articles`` now, while earlier stages
        work on them (this stage takes them once those stages are done; the analysis
        reads only the text, so it is the same whenever it runs). Nothing is stored."""
        nlp.start_ahead([a.text for a in articles if runs_english(a.language)],
                        workers=settings.extract_workers)

    def warm_up(self, count: int, settings: Settings) -> None:
        """``count`` articles are on their way: start the worker processes now if that many
        would start them (each loads the spaCy model, a second or so)."""
        nlp.warm(count, workers=settings.extract_workers)

    def drop_ahead(self) -> None:
        """Forget what :meth:`start_ahead` started and no batch took."""
        nlp.drop_ahead()

    def run_batches(self, store: Store, article_ids: Sequence[int], settings: Settings,
                    size: int, progress: Callable[[int], None] | None = None) -> None:
        """:meth:`run` batch after batch; while the worker processes analyse the next batch,
        this process stores and resolves the current one (otherwise a core would idle).
        ``progress(n)`` is called as each batch of ``n`` articles is stored."""
        batches = [article_ids[i : i + size] for i in range(0, len(article_ids), size)]
        if not batches:
            return
        if len(batches[-1]) >= 4 * nlp.MIN_PER_PROCESS:
            # Nothing overlaps the last batch's resolution, so the last batch goes in two
            # halves: the first half is resolved while the workers analyse the second.
            last = batches.pop()
            batches += [last[: len(last) // 2], last[len(last) // 2 :]]
        ahead = self._start(store, batches[0], settings)
        for following in [*batches[1:], None]:
            current = ahead
            if following is not None:
                ahead = self._start(store, following, settings)
            self._finish(store, settings, *current)
            if progress is not None:
                progress(len(current[0]))

    @staticmethod
    def _start(store: Store, article_ids: Sequence[int], settings: Settings
               ) -> tuple[list[Article], list[Article], nlp.Job]:
        articles = read_articles(store, article_ids)
        # English NER and quote rules only on articles they understand (nlp.language):
        # the others are done with no mentions and no quotes, and their JSON says why.
        english = [a for a in articles if runs_english(a.language)]
        return articles, english, nlp.submit([a.text for a in english],
                                             workers=settings.extract_workers)

    def _finish(self, store: Store, settings: Settings, articles: list[Article],
                english: list[Article], job: nlp.Job) -> None:
        analysed: dict[int, nlp.Analysis] = {a.id or 0: ([], []) for a in articles}
        errors: dict[int, str] = {}
        try:
            analysed.update({a.id or 0: result for a, result in zip(english, job.result(),
                                                                    strict=True)})
        except Exception:  # one bad article must not sink the batch: retry one by one
            log.exception("extract: batch failed, retrying article by article")
            for article in english:
                try:
                    analysed[article.id or 0] = nlp.analyse_here([article.text])[0]
                except Exception as exc:
                    analysed[article.id or 0] = ([], [])
                    errors[article.id or 0] = f"{type(exc).__name__}: {exc}"
        rows = [(i, [m.to_dict() for m in mentions], [f.to_dict() for f in found],
                 errors.get(i)) for i, (mentions, found) in analysed.items()]
        with store.transaction():
            store.extract.save_articles(rows)
            done = [a.id for a in articles if a.id is not None]
            store.mark_done(self.name, done, self.version)
            # The batch's own results are passed on, not read back from the store.
            update(store, settings, done, analysed)


def consume_invalidations(store: Store, settings: Settings, limit: int = 5000) -> int:
    """Re-resolve the articles earlier stages asked to (stories that were merged or
    split), in this stage's own run; return how many. The request and the re-resolution
    leave together, in one transaction: a failure keeps the request for the next run."""
    handled = 0
    while True:
        with store.transaction():
            ids = store.invalidated(ExtractStage.name, limit)
            if not ids:
                return handled
            update(store, settings, ids)
            store.clear_invalidated(ExtractStage.name, ids)
        handled += len(ids)


def rebuild(store: Store, settings: Settings, article_ids: Sequence[int] | None = None) -> None:
    """Re-resolve canonical entities and quote groups from the stored per-article data
    (no NER again): of ``article_ids`` (say, the articles whose story changed) against the
    rest of the store, or of the whole store when None. Ids are kept where they can be."""
    with store.transaction():
        update(store, settings, article_ids)


def article_dates(store: Store, article_id: int) -> dict[str, Any]:
    """An article's temporal expressions, resolved against its publication date or, when it
    has none, against the range of its story's dated articles (flagged as inferred)."""
    article = store.get_article(article_id)
    if article is None:
        raise KeyError(article_id)
    published = parse_day(article.published)
    base: tuple[date, date] | None = (published, published) if published else None
    inferred = False
    if base is None:
        base = _story_range(store, article_id)
        inferred = base is not None
    # English date expressions only on articles they understand (nlp.language).
    mentions: list[DateMention] = (find_dates(article.text, base, inferred=inferred)
                                   if runs_english(article.language) else [])
    return {
        "article": article_id,
        "reported": published.isoformat() if published else None,
        "reported_range": [base[0].isoformat(), base[1].isoformat()] if inferred and base
        else None,
        "reported_inferred": inferred,
        "expressions": [m.to_dict() for m in mentions],
    }


def _story_range(store: Store, article_id: int) -> tuple[date, date] | None:
    story = story_of(store, [article_id]).get(article_id)
    tables = getattr(store, "stories", None)
    if story is None or tables is None:
        return None
    try:
        members = tables.members([story]).get(story, [])
    except Exception:
        return None
    days = [d for d in (parse_day(a.published) for a in (store.get_article(m) for m in members)
                        if a is not None) if d is not None]
    return (min(days), max(days)) if days else None
