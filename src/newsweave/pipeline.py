"""The analysis stages and the order they run in.

Each stage declares what it needs (``requires``) and processes the articles
it has not seen yet. It writes its results and marks the articles done in
one store transaction, so an interrupted run resumes where it stopped and
bumping ``version`` re-runs the stage on everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from newsweave.settings import Settings
from newsweave.store import Store


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
