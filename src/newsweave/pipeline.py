"""The analysis stages and the order they run in.

Each stage declares what it needs (``requires``) and processes the articles
it has not seen yet. It writes its results and marks the articles done in
one store transaction, so an interrupted run resumes where it stopped and
bumping ``version`` re-runs the stage on everything.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from newsweave.errors import StoreError
from newsweave.settings import Settings
from newsweave.store import Store

log = logging.getLogger(__name__)

# A stage with its own ``run_batches`` (it overlaps one batch's work with the next's)
# is handed this many batches per claim.
BATCHES_PER_CLAIM = 8

StageProgress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a stage works through its articles."""


class Stage(Protocol):
    name: str
    version: int
    requires: tuple[str, ...]

    def run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        """Analyse ``article_ids`` (new to this stage) and mark them done."""
        ...


def run_stage(stage: Stage, store: Store, article_ids: Sequence[int], settings: Settings,
              size: int) -> None:
    """Run ``stage`` on ``article_ids`` in batches of ``size``: through the stage's own
    ``run_batches`` where it has one (to overlap one batch's work with the next's), else
    one ``run`` per batch."""
    batched = getattr(stage, "run_batches", None)
    if batched is not None:
        batched(store, article_ids, settings, size)
        return
    for start in range(0, len(article_ids), size):
        stage.run(store, article_ids[start : start + size], settings)


def run_pending(stage: Stage, store: Store, settings: Settings, size: int, *,
                after: Sequence[tuple[str, int]] = (),
                progress: StageProgress | None = None) -> int:
    """Run ``stage`` on the articles it has not processed, claiming them batch by batch
    under the store's write lock, so processes sharing a store never do the same work;
    return how many articles this process handled.

    ``after``: (stage, version) pairs that must have finished an article before this
    stage takes it. A batch that raises is logged and its articles' error stored
    (later runs retry them); errors of the store itself stop the run.
    """
    batched = getattr(stage, "run_batches", None)
    limit = size * (BATCHES_PER_CLAIM if batched is not None else 1)
    handled = 0
    total = store.count_pending(stage.name, stage.version, after)
    if progress is not None:
        progress(stage.name, 0, total)
    while True:
        ids = store.claim(stage.name, stage.version, limit, after)
        if not ids:
            break
        try:
            if batched is not None:
                batched(store, ids, settings, size,
                        **_batch_progress(batched, stage.name, handled, len(ids), total, progress))
            else:
                stage.run(store, ids, settings)
        except Exception as exc:
            if isinstance(exc, StoreError) or type(exc).__module__ == "sqlite3":
                raise  # the store itself failed: no point going on
            log.exception("%s: a batch of %d articles failed", stage.name, len(ids))
            store.record_errors(stage.name, stage.version,
                                dict.fromkeys(ids, f"{type(exc).__name__}: {exc}"))
        handled += len(ids)
        if progress is not None:
            progress(stage.name, handled, max(total, handled))
    if progress is not None and handled < total:
        progress(stage.name, handled, handled)  # other processes took the rest
    return handled


def _batch_progress(batched: Callable[..., None], name: str, before: int, claimed: int,
                    total: int, progress: StageProgress | None
                    ) -> dict[str, Callable[[int], None]]:
    """The ``progress`` argument for a stage's ``run_batches`` that takes one: it counts
    each stored batch of a claim, so a claim of several batches shows as it goes."""
    if progress is None or "progress" not in inspect.signature(batched).parameters:
        return {}
    done = 0

    def stored(count: int) -> None:
        nonlocal done
        done = min(claimed, done + count)
        progress(name, before + done, max(total, before + done))

    return {"progress": stored}


def default_stages() -> list[Stage]:
    """The stages ``ingest`` runs, in dependency order."""
    stages: list[Stage] = []
    from newsweave.reuse import ReuseStage

    stages.append(ReuseStage())
    from newsweave.stories import StoriesStage  # after reuse, before extract

    stages.append(StoriesStage())
    from newsweave.extract import ExtractStage  # after stories: names resolve within a story

    stages.append(ExtractStage())
    check_order(stages)
    return stages


def check_order(stages: Sequence[Stage]) -> None:
    """Refuse a stage list in which a stage runs before one it requires."""
    seen: set[str] = set()
    for stage in stages:
        missing = [r for r in stage.requires if r not in seen]
        if missing:
            raise ValueError(f"stage {stage.name} requires {', '.join(missing)} to run first")
        seen.add(stage.name)
