"""The engine: the one Python API that the CLI (and every other adapter) calls.

It wires the stages together: ingest reads inputs into records, clean turns
each record into a body and metadata, the store keeps them. Data flows one
way; the engine holds no analysis of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsweave.clean import clean_html, clean_text, line_key
from newsweave.clean.metadata import find_metadata
from newsweave.errors import InputError, NotFoundError
from newsweave.ingest import (
    Input,
    Record,
    expand_paths,
    read_input,
    read_records,
    record_from_raw,
)
from newsweave.model import (
    Article,
    Attribution,
    Cleaned,
    Entity,
    IngestReport,
    Neighbour,
    Quote,
    Rejection,
    Story,
)
from newsweave.pipeline import Stage, check_order, default_stages, run_stage
from newsweave.settings import Settings, load_settings
from newsweave.store import Store, open_store

if TYPE_CHECKING:
    from newsweave.brief import Brief
    from newsweave.reuse.graph import Provenance
    from newsweave.reuse.semantic import SemanticIndex

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each batch of inputs."""

_RECURRING = "recurring-line"


@dataclass(slots=True)
class _Built:
    article: Article
    line_keys: dict[str, bool]


class Engine:
    """A newsweave store plus the stages that fill it.

    >>> import newsweave
    >>> with newsweave.open(":memory:") as engine:
    ...     report = engine.ingest_text("Storm hits coast\\n\\nA storm hit the coast on Monday.")
    ...     engine.article(report.new[0]).title
    'Storm hits coast'
    """

    def __init__(
        self, store: Store, settings: Settings, stages: Sequence[Stage] | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.stages = list(default_stages() if stages is None else stages)
        check_order(self.stages)

    # -- ingest ---------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str],
        *,
        outlet: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Ingest files, folders, globs or ``-`` (stdin); one transaction per batch."""
        report = IngestReport()
        inputs: list[Input] = []
        for item in expand_paths(paths):
            if isinstance(item, Rejection):
                report.rejected.append(item)
            else:
                inputs.append(item)
        size = max(1, self.settings.batch_size)
        for start in range(0, len(inputs), size):
            records: list[Record | Rejection] = []
            for item in inputs[start : start + size]:
                records.extend(read_input(item, self.settings.max_bytes))
            self._ingest_records(records, outlet, report)
            if progress is not None:
                progress(min(start + size, len(inputs)), len(inputs))
        self.analyze()
        return report

    def ingest_text(
        self, text: str, *, source: str = "<text>", outlet: str | None = None
    ) -> IngestReport:
        """Ingest one document given as a string (plain text, HTML, JSON or a feed)."""
        report = IngestReport()
        self._ingest_records(list(read_records(source, text)), outlet, report)
        self.analyze()
        return report

    def analyze(self) -> dict[str, int]:
        """Run every stage on the articles it has not processed; return counts per stage.

        ``ingest`` calls this, so a listing after an ingest is up to date; after
        an interrupted run, calling it (or ingesting again) finishes the work.
        """
        done: dict[str, int] = {}
        size = max(1, self.settings.batch_size)
        for stage in self.stages:
            pending = self.store.pending(stage.name, stage.version)
            run_stage(stage, self.store, pending, self.settings, size)
            done[stage.name] = len(pending)
        return done

    def _ingest_records(
        self, records: Sequence[Record | Rejection], outlet: str | None, report: IngestReport
    ) -> None:
        candidates = [r for r in records if isinstance(r, Record)]
        report.rejected.extend(r for r in records if isinstance(r, Rejection))
        known = self.store.known_hashes(content_hash(r.raw) for r in candidates)
        built: dict[str, _Built] = {}
        for record in candidates:
            digest = content_hash(record.raw)
            if digest in known:
                report.known.append(known[digest])
                continue
            if digest in built:
                continue  # the same content twice in one batch is one article
            try:
                built[digest] = self._build(record, digest, outlet)
            except InputError as exc:
                report.rejected.append(Rejection(record.source, str(exc)))
            except Exception as exc:  # one bad article must not sink the batch
                report.rejected.append(
                    Rejection(record.source, f"could not process ({type(exc).__name__}: {exc})")
                )
        if not built:
            return
        ids = self.store.add_articles(
            [b.article for b in built.values()], [b.line_keys for b in built.values()]
        )
        report.new.extend(ids)
        self._remove_recurring_lines({b.article.outlet for b in built.values()} - {None})

    def _build(self, record: Record, digest: str, outlet: str | None) -> _Built:
        cleaned = self._clean(record, frozenset())
        fields = dict(record.fields)
        if outlet:
            fields["outlet"] = outlet
        article_outlet = fields.get("outlet") or cleaned.outlet
        if article_outlet:
            recurring = self.store.recurring_lines(
                article_outlet, self.settings.recurring_min_articles
            )
            if recurring & self._line_keys(cleaned).keys():
                cleaned = self._clean(record, recurring)
        _apply_fields(cleaned, fields, user_outlet=outlet)
        find_metadata(record.raw if record.format == "text" else cleaned.text, cleaned)
        if not cleaned.text.strip() and record.format != "html" and (cleaned.title or "").strip():
            # A headline with nothing after it but boilerplate (a wire flash, a page that only
            # repeats its photo caption) still reports something: kept, headline-only. (A web
            # page with a title and no body is more often a menu or an error page.)
            cleaned.text = cleaned.title or ""
        if not cleaned.text.strip():
            raise InputError(
                f"no article text left after cleaning ({len(record.body):,} characters of "
                f"input, {len(cleaned.removed)} pieces removed as boilerplate)"
            )
        article = Article(
            id=None,
            content_hash=digest,
            raw=record.raw,
            raw_format=record.raw_format,
            text=cleaned.text,
            source=record.source,
            external_id=fields.get("external_id"),
            title=cleaned.title,
            outlet=cleaned.outlet,
            outlet_how=cleaned.outlet_how,
            url=cleaned.url,
            author=cleaned.author,
            published=cleaned.published,
            published_how=cleaned.published_how,
            language=cleaned.language,
            removed=cleaned.removed,
            metadata=record.metadata,
        )
        return _Built(article, self._line_keys(cleaned))

    @staticmethod
    def _clean(record: Record, recurring: frozenset[str]) -> Cleaned:
        if record.format == "html":
            return clean_html(record.body, url=record.fields.get("url"), recurring=recurring)
        return clean_text(record.body, recurring=recurring)

    def _line_keys(self, cleaned: Cleaned) -> dict[str, bool]:
        """Keys of the short lines of a body (True) and of those removed as recurring (False)."""
        limit = self.settings.recurring_max_chars
        keys = {
            line_key(p): True
            for p in cleaned.text.split("\n\n")
            if p.strip() and len(p) <= limit
        }
        keys.update((line_key(r.text), False) for r in cleaned.removed if r.reason == _RECURRING)
        return keys

    def _remove_recurring_lines(self, outlets: set[str]) -> None:
        """Re-clean articles whose bodies hold lines that now recur across their outlet.

        The first articles of an outlet arrive before its boilerplate is known;
        once a line has recurred often enough, the earlier articles are cleaned
        again from their raw input, so the result does not depend on order.
        """
        for outlet in sorted(outlets):
            recurring = self.store.recurring_lines(outlet, self.settings.recurring_min_articles)
            if not recurring:
                continue
            updates = []
            for article_id in self.store.articles_with_lines(outlet, recurring):
                stored = self.store.get_article(article_id, raw=True)
                if stored is None:
                    continue
                cleaned = self._clean(record_from_raw(stored.source, stored.raw,
                                                      stored.raw_format), recurring)
                if cleaned.text.strip() and cleaned.text != stored.text:
                    updates.append(
                        (article_id, cleaned.text, cleaned.removed, self._line_keys(cleaned))
                    )
            if updates:
                self.store.replace_clean_text(updates)

    # -- reading --------------------------------------------------------------

    def articles(self, *, outlet: str | None = None) -> list[Article]:
        """Every stored article (without raw input), oldest id first."""
        return list(self.store.iter_articles(outlet=outlet))

    def article(self, article_id: int, *, raw: bool = False) -> Article:
        """One article by id; raises :class:`NotFoundError` if there is none."""
        found = self.store.get_article(article_id, raw=raw)
        if found is None:
            raise NotFoundError(f"no article with id {article_id} in {self.store.path}")
        return found

    def check(self) -> list[str]:
        """Integrity problems in the store; an empty list means all is well."""
        return self.store.check_integrity()

    # -- stories --------------------------------------------------------------

    def stories(self, *, confidence: bool = True) -> list[Story]:
        """Every live story (merged ids excluded), largest first, then oldest id; with
        ``confidence``, each says how clearly it stands apart from its nearest story."""
        from newsweave.stories import build_stories, weights_from

        found = build_stories(self.store, self.store.stories.active_story_ids(),
                              weights_from(self.settings) if confidence else None)
        return sorted(found, key=lambda s: (-len(s.articles), s.id))

    def story(self, story_id: int) -> Story:
        """One story; a merged id gives its survivor. Raises :class:`NotFoundError`."""
        from newsweave.stories import build_stories, weights_from

        live = self.store.stories.resolve(story_id)
        found = (build_stories(self.store, [live], weights_from(self.settings))
                 if live is not None else [])
        if not found:
            raise NotFoundError(f"no story with id {story_id} in {self.store.path}")
        return found[0]

    def merge_stories(self, story_id: int, other_id: int) -> Story:
        """Merge story ``other_id`` into ``story_id`` (a user's decision, logged with its
        time and kept by every later repair); the merged story."""
        from newsweave.stories import merge_stories, reresolve_names, weights_from

        kept = merge_stories(self.store, weights_from(self.settings), story_id, other_id)
        reresolve_names(self.store, self.settings, set(self.story_articles(kept)))
        return self.story(kept)

    def split_story(self, story_id: int, article_ids: Sequence[int]) -> Story:
        """Move ``article_ids`` out of ``story_id`` into a new story (a user's decision,
        logged and kept by every later repair); the new story."""
        from newsweave.stories import reresolve_names, split_story, weights_from

        new = split_story(self.store, weights_from(self.settings), story_id, article_ids)
        changed = set(self.story_articles(new)) | set(self.story_articles(story_id))
        reresolve_names(self.store, self.settings, changed)
        return self.story(new)

    def restory(self) -> dict[str, object]:
        """Re-cluster every story: merge those grown together, split drifted ones.

        Returns what changed: ``merged`` ({story, into}), ``split`` ({story, new}),
        ``moved_articles`` and ``stories_checked``.
        """
        from newsweave.stories import restory

        return restory(self.store, self.settings).to_dict()

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

    def reresolve(self, article_ids: Sequence[int] | None = None) -> None:
        """Re-resolve canonical entities and quote groups without running NER again: of
        ``article_ids`` (the members of stories that were merged or split) against the rest
        of the store, or of the whole store when None. Entity and quote ids are kept."""
        from newsweave.extract import rebuild

        rebuild(self.store, self.settings, article_ids)

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

    # -- crosscheck -----------------------------------------------------------

    def brief(self, story_id: int) -> Brief:
        """The cited brief of a story, computed now from its current articles.

        Raises :class:`NotFoundError` for an unknown story. Every citation is
        verified against the cited article (``brief.support`` has the counts).
        """
        from datetime import date as _date

        from newsweave.brief import make_brief
        from newsweave.crosscheck.status import StoryArticle

        story = self.story(story_id)
        ids = self.story_articles(story.id)
        articles = [self.article(i) for i in ids]
        views = [StoryArticle(a.id, a.text, a.outlet, a.published, a.title)
                 for a in articles if a.id is not None]
        origin_of = self.store.reuse.origin_of(ids)
        derived: dict[int, int | None] = {}
        best: dict[int, float] = {}
        for edge in self.provenance(story.id).get("edges", []):
            if edge["kind"] in ("copy", "rewrite") and edge["confidence"] > best.get(
                edge["derived"], -1.0
            ):
                derived[edge["derived"]] = edge["source"]
                best[edge["derived"]] = edge["confidence"]
        dates: dict[int, list[tuple[_date, int, int]]] = {}
        for article_id in ids:
            for expr in self.dates(article_id).get("expressions", []):
                if expr.get("role") == "event" and expr.get("date"):
                    dates.setdefault(article_id, []).append(
                        (_date.fromisoformat(expr["date"][:10]), expr["start"], expr["end"])
                    )
            dates.setdefault(article_id, [])
        embedder = None
        if self.settings.brief_embeddings:
            from newsweave.crosscheck.align import cached_embedder

            embedder = cached_embedder(self.store.crosscheck)  # each sentence embedded once
        return make_brief(
            story.id, story.title, views, origin_of,
            entities=self.entities(story=story.id), quotes=self.quotes(story=story.id),
            derived_from=derived, event_dates=dates, embedder=embedder,
        )

    # -- lifetime -------------------------------------------------------------

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def content_hash(raw: str) -> str:
    """SHA-256 of the input with line endings and outer white space normalised."""
    normal = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


def _apply_fields(cleaned: Cleaned, fields: dict[str, str], *, user_outlet: str | None) -> None:
    """Fields given with the input beat what the cleaner found in the page."""
    for name in ("title", "url", "author", "published", "outlet"):
        if fields.get(name):
            setattr(cleaned, name, fields[name])
    if fields.get("published"):
        cleaned.published_how = "input"
    if fields.get("outlet"):
        cleaned.outlet_how = "user" if user_outlet else "input"


def open_engine(db: str | None = None, **settings: object) -> Engine:
    """Open the engine on the store at ``db`` (default: setting ``db``)."""
    resolved = load_settings(db=db, **settings)
    return Engine(open_store(resolved.db), resolved)
