"""Briefs prepared ahead of the reader: what a story's first brief computes, kept in the store.

A story's first brief embeds each distinct claim text (e5, about 43 ms of CPU a
sentence), parses the claims that hold a figure or two people (spaCy) and scores the
claim pairs; a later brief reads all three back (``claim_vectors``, ``claim_frames``,
``claim_pairs``). Preparing a story is making its brief once with those caches kept
whatever the wait for the store's write lock, and recording a **signature** of the
story: its articles (ids and content hashes), the claim-vector model, the parser and
the scoring code. A story whose signature changed since (an article joined or left
it, one was revised, a model or the code changed) is prepared again; the others are
skipped. The caches are keyed by content, so a brief is the same, and correct,
whether its story was prepared, prepared before it changed, or never.

This is the archive's overnight job (``newsweave analyze --stages brief``), not part
of ingest: embedding every article's claims at ingest would triple its CPU.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from newsweave.errors import NotFoundError, StoreError
from newsweave.settings import Settings
from newsweave.store import Store

log = logging.getLogger(__name__)
BRIEF_STAGE = "brief"  # the name ``analyze --stages`` knows the preparation by

ProgressCallback = Callable[[str, int, int], None]


@dataclass(slots=True)
class PrepareReport:
    """What :func:`prepare_briefs` did."""

    prepared: list[int] = field(default_factory=list)  # story ids, in the order prepared
    unchanged: int = 0  # stories whose signature had not changed: skipped
    failed: dict[int, str] = field(default_factory=dict)  # story id -> error
    articles: int = 0  # articles of the prepared stories
    seconds: float = 0.0  # wall-clock of the preparing
    cpu_seconds: float = 0.0  # CPU of this process while preparing

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def models_key(settings: Settings) -> str:
    """What a story's caches were computed with besides its texts: the claim vectors'
    model, the parser and the frames' code, the pair scoring's code."""
    from newsweave.brief.assemble import ENGLISH_CLAIMS
    from newsweave.crosscheck.align import pairs_key, vector_key
    from newsweave.crosscheck.frames import frames_key

    model = ("minilm" if settings.brief_embeddings == ENGLISH_CLAIMS else "embedding") \
        if settings.brief_embeddings else "lexical"
    vectors = vector_key(model) if model != "lexical" else "lexical"
    return f"{vectors}|{frames_key()}|{pairs_key(model, [])}"


def signature(members: Sequence[tuple[int, str]], models: str) -> str:
    """A story's signature: its articles (id, content hash) in id order and the models."""
    digest = hashlib.sha1(models.encode())
    for article, content in sorted(members):
        digest.update(f"\n{article}:{content}".encode())
    return digest.hexdigest()


def changed_stories(store: Store, settings: Settings, story_ids: Iterable[int] | None = None
                    ) -> tuple[dict[int, tuple[str, int]], set[int]]:
    """The live stories (of ``story_ids``, or every one) whose signature is not the one
    recorded at their last preparation: story id -> (signature, articles); and the ids of
    the unchanged ones."""
    models = models_key(settings)
    ids = None if story_ids is None else list(story_ids)
    current = {story: (signature(members, models), len(members))
               for story, members in store.crosscheck.story_contents(ids)}
    recorded = store.crosscheck.prepared(None if ids is None else current)
    changed = {s: v for s, v in current.items() if recorded.get(s) != v[0]}
    return changed, set(current) - set(changed)


def prepare_briefs(
    store: Store,
    settings: Settings,
    brief: Callable[[int], Any],
    story_ids: Iterable[int] | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> PrepareReport:
    """Prepare the briefs of the stories (of ``story_ids``, or every live one) changed
    since their last preparation: ``brief(story_id)`` makes one brief with its caches
    kept (:meth:`newsweave.engine.Engine.prepare_briefs`), then the story's signature is
    recorded. One story failing is logged and reported, never the end of the run; the
    store itself failing is."""
    if store.readonly:
        raise StoreError(f"{store.path}: opened read-only; preparing briefs writes to the store")
    report = PrepareReport()
    started, used = time.perf_counter(), time.process_time()
    named = None if story_ids is None else list(dict.fromkeys(story_ids))
    changed, unchanged = changed_stories(store, settings, named)
    report.unchanged = len(unchanged)
    for story in named or []:
        if story not in changed and story not in unchanged:
            report.failed[story] = f"no live story {story} (unknown, or merged into another)"
    total = len(changed)
    if progress is not None:
        progress(BRIEF_STAGE, 0, total)
    for done, (story, (sign, size)) in enumerate(sorted(changed.items()), start=1):
        try:
            brief(story)
        except NotFoundError as exc:  # merged away meanwhile: nothing to prepare
            report.failed[story] = str(exc)
        except Exception as exc:
            if isinstance(exc, StoreError) or type(exc).__module__.startswith(("sqlite3",
                                                                                 "psycopg")):
                raise  # the store failed: no point going on
            log.exception("brief of story %d: preparing failed; the next run retries", story)
            report.failed[story] = f"{type(exc).__name__}: {exc}"
        else:
            store.crosscheck.save_prepared({story: sign})
            report.prepared.append(story)
            report.articles += size
        if progress is not None:
            progress(BRIEF_STAGE, done, total)
    report.seconds = time.perf_counter() - started
    report.cpu_seconds = time.process_time() - used
    return report


__all__ = ["BRIEF_STAGE", "PrepareReport", "changed_stories", "models_key", "prepare_briefs",
           "signature"]
