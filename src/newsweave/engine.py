"""The engine: the one Python API that the CLI (and every other adapter) calls.

A facade: it wires the stages together and delegates. Ingest reads inputs into
records, the cleaning stage (:mod:`newsweave.clean.stage`) turns each record into
a body and metadata, the store keeps them, and the stages, ordered from what each
requires and assigns (:mod:`newsweave.pipeline`), analyse them. Briefs are assembled
in :mod:`newsweave.brief.assemble`. Data flows one way; the engine holds no
analysis of its own. What it reads is in :mod:`newsweave.engine_reads`, the briefs
and claim checks it computes on demand in :mod:`newsweave.engine_checks` (its base
classes); here are the writes: ingest, analysis and the user's story decisions.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence

from newsweave.clean.stage import Built, CleanStage
from newsweave.engine_checks import EngineChecks
from newsweave.errors import InputError, StoreBusyError, StoreError
from newsweave.ingest import (
    Input,
    Record,
    expand_paths,
    read_input,
    read_records,
)
from newsweave.model import (
    Article,
    IngestReport,
    Rejection,
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

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(phase, done, total)``: phase ``"read"`` counts inputs read, then
each stage's name counts the articles it has analysed."""

log = logging.getLogger(__name__)


class Engine(EngineChecks):
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
        fresh = self._stored(report.new[before:])
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

    # -- the user's decisions on stories ------------------------------------------

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

    def reresolve(self, article_ids: Sequence[int] | None = None) -> None:
        """Re-resolve canonical entities and quote groups without running NER again: of
        ``article_ids`` (the members of stories that were merged or split) against the rest
        of the store, or of the whole store when None. Entity and quote ids are kept."""
        from newsweave.extract import rebuild

        rebuild(self.store, self.settings, article_ids)

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
