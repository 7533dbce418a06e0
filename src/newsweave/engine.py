"""The engine: the one Python API that the CLI (and every other adapter) calls.

A facade: it wires the stages together and delegates. Ingest reads inputs into
records, the cleaning stage (:mod:`newsweave.clean.stage`) turns each record into
a body and metadata, the store keeps them, and the stages, ordered from what each
requires and assigns (:mod:`newsweave.pipeline`), analyse them. Briefs are assembled
in :mod:`newsweave.brief.assemble`. Data flows one way; the engine holds no
analysis of its own.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date as _date
from typing import TYPE_CHECKING, Any

from newsweave.clean.stage import Built, CleanStage
from newsweave.errors import InputError, NotFoundError, StoreBusyError, StoreError
from newsweave.ingest import (
    Input,
    Record,
    expand_paths,
    read_input,
    read_records,
)
from newsweave.model import (
    Article,
    Attribution,
    ClaimCheck,
    Edge,
    Entity,
    IngestReport,
    Neighbour,
    Quote,
    Rejection,
    StanceResult,
    Story,
)
from newsweave.pipeline import (
    INGESTED,
    Stage,
    default_stages,
    order_stages,
    run_pending,
    select_stages,
)
from newsweave.settings import Settings, load_settings
from newsweave.store import Store, open_store
from newsweave.store.search import SearchResult, StoryFilter

if TYPE_CHECKING:
    from newsweave.brief import Brief
    from newsweave.brief.prepare import PrepareReport
    from newsweave.reuse.graph import Provenance
    from newsweave.reuse.semantic import SemanticIndex

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)``: phase ``"read"`` counts inputs read, then
each stage's name counts the articles it has analysed."""

log = logging.getLogger(__name__)


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
        # Ordered from what each stage requires and assigns; every stored article is
        # cleaned on its way in, so a list without the cleaning stage still runs.
        self.stages = order_stages(default_stages() if stages is None else stages,
                                   provided=INGESTED)
        self._cleaner = next((s for s in self.stages if isinstance(s, CleanStage)),
                             CleanStage())

    # -- ingest ---------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str],
        *,
        outlet: str | None = None,
        progress: ProgressCallback | None = None,
        stages: Sequence[str] | None = None,
    ) -> IngestReport:
        """Ingest files, folders, globs or ``-`` (stdin), then analyse what is new.

        Records (not input files) are counted into batches of ``batch_size``, each
        written in one transaction: a JSONL file of many records is many batches.
        ``stages``: run only these stages (names; see :meth:`analyze`), the others stay
        pending for a later :meth:`analyze`.
        """
        ahead = self._ahead_stages(stages)  # an unknown name fails before anything is read
        report = IngestReport()
        inputs: list[Input] = []
        for item in expand_paths(paths):
            if isinstance(item, Rejection):
                report.rejected.append(item)
            else:
                inputs.append(item)
        try:
            self._read_inputs(inputs, outlet, report, progress, ahead)
        except BaseException:
            for stage in ahead:  # reading failed: what was started ahead is dropped
                stage.drop_ahead()  # type: ignore[attr-defined]
            raise
        self.analyze(progress=progress, stages=stages)  # (which drops what it leaves)
        return report

    def _ahead_stages(self, names: Sequence[str] | None) -> list[Stage]:
        """The stages of this run that may start work on new articles as they are stored
        (``start_ahead``): those that will take them in this run, i.e. every stage before
        them runs too (a stage takes only what the stages before it finished)."""
        chosen = {id(s) for s in select_stages(self.stages, names)}
        ahead: list[Stage] = []
        for k, stage in enumerate(self.stages):
            if (id(stage) in chosen and hasattr(stage, "start_ahead")
                    and hasattr(stage, "drop_ahead")
                    and all(id(s) in chosen for s in self.stages[:k])):
                ahead.append(stage)
        return ahead

    def _read_inputs(self, inputs: Sequence[Input], outlet: str | None, report: IngestReport,
                     progress: ProgressCallback | None, ahead: Sequence[Stage]) -> None:
        """Read, clean and store ``inputs`` in batches of ``batch_size`` records."""
        size = max(1, self.settings.batch_size)
        records: list[Record | Rejection] = []
        if progress is not None:
            progress("read", 0, len(inputs))  # reading shows (and its clock runs) from the start
        for done, item in enumerate(inputs, start=1):
            for record in read_input(item, self.settings.max_bytes):
                records.append(record)
                if len(records) >= size:
                    self._ingest_records(records, outlet, report, ahead)
                    records = []
            if progress is not None:
                progress("read", done, len(inputs))
        if records:
            self._ingest_records(records, outlet, report, ahead)
            if progress is not None:
                progress("read", len(inputs), len(inputs))  # the last records are stored now

    def ingest_text(
        self, text: str, *, source: str = "<text>", outlet: str | None = None
    ) -> IngestReport:
        """Ingest one document given as a string (plain text, HTML, JSON or a feed)."""
        report = IngestReport()
        self._ingest_records(list(read_records(source, text)), outlet, report)
        self.analyze()
        return report

    def ingest_records(
        self, records: Iterable[Record | Rejection], *, outlet: str | None = None,
        analyze: bool = True,
    ) -> IngestReport:
        """Ingest records an adapter built (fetched pages, feed entries, WARC records)."""
        report = IngestReport()
        self._ingest_records(list(records), outlet, report)
        if analyze:
            self.analyze()
        return report

    def revise(
        self, article_id: int, record: Record, *, outlet: str | None = None
    ) -> tuple[Article, dict[str, bool]]:
        """Clean ``record`` as a new version of a stored article (a page fetched again).

        Returns the article as it would be stored under the same id, and its line
        keys; nothing is stored (``newsweave.fetch`` stores it with its revision).
        """
        built = self._cleaner.build(self.store, self.settings, record,
                                    content_hash(record.raw), outlet)
        built.article.id = article_id
        return built.article, built.line_keys

    def analyze(self, progress: ProgressCallback | None = None, *,
                retry: bool = False, stages: Sequence[str] | None = None) -> dict[str, int]:
        """Run every stage on the articles it has not processed; return how many articles
        each stage analysed in this call. ``retry``: also retry the articles a stage
        failed on too often (stored errors are otherwise retried by up to three runs).
        ``stages``: only the stages of these names (``"clean"`` is allowed and always
        done at ingest); a selected stage still takes only the articles every stage
        before it has finished, so ``stages=["extract"]`` after an ingest with
        ``["reuse", "stories"]`` analyses those articles, and nothing a skipped earlier
        stage has not seen. Raises ValueError for an unknown stage name.

        ``ingest`` calls this, so a listing after an ingest is up to date; after
        an interrupted run, calling it (or ingesting again) finishes the work.
        Processes sharing a store split the work: each article's stage work is
        claimed by one of them (see :func:`newsweave.pipeline.run_pending`).
        """
        done: dict[str, int] = {}
        size = max(1, self.settings.batch_size)
        earlier: list[tuple[str, int]] = []
        chosen = {id(s) for s in select_stages(self.stages, stages)}
        if retry:
            self.store.retry_errors()
        try:
            for stage in self.stages:
                if id(stage) in chosen:
                    done[stage.name] = run_pending(stage, self.store, self.settings, size,
                                                   after=earlier, progress=progress)
                    self._consume_invalidations(stage)
                earlier.append((stage.name, stage.version))
        finally:
            for stage in self.stages:  # work started ahead and not taken is dropped
                drop = getattr(stage, "drop_ahead", None)
                if drop is not None:
                    drop()
            try:
                self.store.release_claims()
            except StoreBusyError:
                log.warning("could not release claims (store busy); they lapse with this process")
        return done

    def _consume_invalidations(self, stage: Stage | None = None) -> None:
        """Have ``stage`` (every stage, if None) redo the work earlier stages asked it to
        redo (their invalidations: stories merged, so extract re-resolves names)."""
        for each in self.stages if stage is None else [stage]:
            consume = getattr(each, "consume_invalidations", None)
            if consume is None:
                continue
            try:
                consume(self.store, self.settings)
            except Exception as exc:
                if isinstance(exc, StoreError) or type(exc).__module__ == "sqlite3":
                    raise  # the store itself failed: no point going on
                # The requests stay stored (their transaction rolled back): the next run
                # retries them; the stories and articles already written stand.
                log.exception("%s: redoing invalidated work failed; the next run retries",
                              each.name)

    def _ingest_records(
        self, records: Sequence[Record | Rejection], outlet: str | None, report: IngestReport,
        ahead: Sequence[Stage] = (),
    ) -> None:
        """Clean and store ``records``; then the stages in ``ahead`` (those of an ingest
        that analyses next, in this process) may start their work on the new articles
        (``start_ahead``) while the next records are read."""
        before = len(report.new)
        for stage in ahead:  # e.g. worker processes start while this batch is cleaned
            warm = getattr(stage, "warm_up", None)
            if warm is not None:
                warm(len(records), self.settings)
        self._store_records(records, outlet, report)
        if not ahead or len(report.new) == before:
            return
        # Read back: cleaning may have changed a stored text (recurring lines removed).
        fresh = [a for a in (self.store.get_article(i) for i in report.new[before:])
                 if a is not None]
        for stage in ahead:
            try:
                stage.start_ahead(fresh, self.settings)  # type: ignore[attr-defined]
            except Exception:  # only a head start: the stage does the work itself later
                log.exception("%s: could not start work ahead", stage.name)

    def _store_records(
        self, records: Sequence[Record | Rejection], outlet: str | None, report: IngestReport
    ) -> None:
        candidates = [r for r in records if isinstance(r, Record)]
        report.rejected.extend(r for r in records if isinstance(r, Rejection))
        # Known content is skipped before the costly cleaning; the store checks again
        # under the write lock (another process may store the same content meanwhile).
        known = self.store.known_hashes(content_hash(r.raw) for r in candidates)
        built: dict[str, Built] = {}
        for record in candidates:
            digest = content_hash(record.raw)
            if digest in known:
                report.known.append(known[digest])
                continue
            if digest in built:
                continue  # the same content twice in one batch is one article
            try:
                built[digest] = self._cleaner.build(self.store, self.settings, record,
                                                    digest, outlet)
            except InputError as exc:
                report.rejected.append(Rejection(record.source, str(exc)))
            except Exception as exc:  # one bad article must not sink the batch
                report.rejected.append(
                    Rejection(record.source, f"could not process ({type(exc).__name__}: {exc})")
                )
        if not built:
            return
        stored = self.store.insert_new_articles(
            [b.article for b in built.values()], [b.line_keys for b in built.values()]
        )
        report.new.extend(i for i, new in stored if new)
        report.known.extend(i for i, new in stored if not new)
        self._cleaner.remove_recurring_lines(
            self.store, self.settings, {b.article.outlet for b in built.values()} - {None})

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

    def merge_stories(self, story_id: int, other_id: int) -> Story:
        """Merge story ``other_id`` into ``story_id`` (a user's decision, logged with its
        time and kept by every later repair); the merged story."""
        from newsweave.stories import invalidate_names, merge_stories, weights_from

        with self.store.transaction():
            kept = merge_stories(self.store, weights_from(self.settings), story_id, other_id)
            invalidate_names(self.store, set(self.story_articles(kept)))
        self._consume_invalidations()
        return self.story(kept)

    def split_story(self, story_id: int, article_ids: Sequence[int]) -> Story:
        """Move ``article_ids`` out of ``story_id`` into a new story (a user's decision,
        logged and kept by every later repair); the new story."""
        from newsweave.stories import invalidate_names, split_story, weights_from

        with self.store.transaction():
            new = split_story(self.store, weights_from(self.settings), story_id, article_ids)
            changed = set(self.story_articles(new)) | set(self.story_articles(story_id))
            invalidate_names(self.store, changed)
        self._consume_invalidations()
        return self.story(new)

    def restory(self) -> dict[str, object]:
        """Re-cluster every story: merge those grown together, split drifted ones.

        Returns what changed: ``merged`` ({story, into}), ``split`` ({story, new}),
        ``moved_articles`` and ``stories_checked``.
        """
        from newsweave.stories import restory

        report = restory(self.store, self.settings).to_dict()
        self._consume_invalidations()
        return report

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
        return [a for a in (self.store.get_article(i) for i in ids) if a is not None]


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

    # -- crosscheck -----------------------------------------------------------

    def brief(self, story_id: int) -> Brief:
        """The cited brief of a story, computed now from its current articles.

        Raises :class:`NotFoundError` for an unknown story. Every citation is
        verified against the cited article (``brief.support`` has the counts).
        """
        from newsweave.brief.assemble import assemble_brief

        story = self.story(story_id, confidence=False)  # a brief shows no confidence
        return assemble_brief(self.store, self.settings, story,
                              entities=self.entities(story=story.id),
                              quotes=self.quotes(story=story.id))

    def prepare_briefs(self, stories: Iterable[int] | None = None, *,
                       progress: ProgressCallback | None = None) -> PrepareReport:
        """Prepare the briefs of ``stories`` (every live story for None) that changed
        since their last preparation, so that their first :meth:`brief` reads what it
        would compute: the claim vectors, the parse's frames and the scored claim pairs
        (see :mod:`newsweave.brief.prepare`). The briefs are the same prepared or not.
        ``progress("brief", done, total)`` counts the stories. Raises
        :class:`StoreError` on a read-only store."""
        from newsweave.brief.prepare import prepare_briefs

        return prepare_briefs(self.store, self.settings, self._prepare_brief, stories,
                              progress=progress)

    def _prepare_brief(self, story_id: int) -> None:
        from newsweave.brief.assemble import assemble_brief

        story = self.story(story_id, confidence=False)
        assemble_brief(self.store, self.settings, story, entities=self.entities(story=story.id),
                       quotes=self.quotes(story=story.id), wait=None)

    def stance(self, claim: str, article: int | str) -> StanceResult:
        """How an article (a stored id, or a text) holds ``claim``: supports, contradicts,
        discusses or unrelated, with the deciding passage (see
        :mod:`newsweave.crosscheck.stance`). Raises ValueError for an empty claim or text."""
        from newsweave.crosscheck.stance import stance

        if isinstance(article, int):
            found = self.article(article)
            result = stance(claim, found.text)
            result.article = found.id
            return result
        return stance(claim, article)

    def check(self, claim: str, story: int | None = None) -> ClaimCheck:
        """Every article that supports, contradicts or discusses ``claim`` (in the store, or
        in one story), grouped by independent origin, with a verdict (see
        :mod:`newsweave.crosscheck.claim_check`). Candidates come from the stored vectors,
        not a scan. Raises :class:`NotFoundError` for an unknown story."""
        from newsweave.crosscheck.claim_check import check_claim, find_candidates

        if not claim or not claim.strip():
            raise InputError("the claim is empty: give the statement to check")
        if story is not None:
            candidates = self._story_scope(story) or []
        else:
            index = self._reuse_vectors()
            index.refresh(self.store)
            candidates = find_candidates(index, claim)
        return check_claim(
            claim, candidates,
            lambda ids: [a for a in (self.store.get_article(i) for i in ids) if a is not None],
            self.store.reuse.origin_of, story=story,
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


def open_engine(db: str | None = None, *, readonly: bool = False, create: bool = True,
                **settings: object) -> Engine:
    """Open the engine on the store at ``db`` (default: setting ``db``).

    ``readonly``: only read (a missing store is a :class:`StoreError`, nothing is
    created or written); ``create=False``: refuse a missing store but allow writes.
    """
    resolved = load_settings(db=db, **settings)
    return Engine(open_store(resolved.db, readonly=readonly, create=create), resolved)
