"""The analysis stages and the order they run in.

Each stage declares what it reads (``requires``) and what it writes
(``assigns``), as names like ``"article.text"`` or ``"stories.assignments"``
(spaCy's pipeline components are the model), and :func:`order_stages` runs them
in an order those declarations allow. A stage processes the articles
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


# What ingest itself provides before any stage runs: the stored input of each article.
PROVIDED = ("article.raw",)
# What every stored article has: ingest cleans each record on its way in (see
# newsweave.clean.stage), so a stage list without the cleaning stage still has these.
INGESTED = (*PROVIDED, "article.text", "article.metadata", "article.language")


class PipelineError(ValueError):
    """A stage list that cannot run: a requirement no stage assigns, or a cycle."""


class Stage(Protocol):
    name: str
    version: int
    requires: tuple[str, ...]  # what the stage reads ("article.text", "reuse.edges")
    assigns: tuple[str, ...]  # what it writes ("stories.assignments")
    # Optional: ``uses``, what it reads when a stage in the list assigns it (it then runs
    # after that stage) but can do without (stories read reuse's copy links if present).
    # Optional: ``start_ahead(articles, settings)`` and ``drop_ahead()``: during an ingest
    # that will run the stage, it may start computing (never storing) its work on each
    # batch as it is stored, while earlier stages run; ``warm_up(count, settings)``: it
    # may get ready for ``count`` articles (extract starts its worker processes).

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
    total = 0  # only the progress reports need it: counting scans every stored article
    if progress is not None:
        total = store.count_pending(stage.name, stage.version, after)
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
    """The stages ``ingest`` runs, ordered from what each requires and assigns."""
    from newsweave.clean.stage import CleanStage
    from newsweave.extract import ExtractStage
    from newsweave.reuse import ReuseStage
    from newsweave.stories import StoriesStage

    return order_stages([CleanStage(), ReuseStage(), StoriesStage(), ExtractStage()])


ALWAYS_RUN = ("clean",)
"""Stages every run keeps whatever ``--stages`` says (cleaning turns a record into an
article); naming them in a selection is allowed and changes nothing."""


def select_stages(stages: Sequence[Stage], names: Sequence[str] | None) -> list[Stage]:
    """The stages of ``stages`` named in ``names`` (all of them for None), in their order.

    An unknown name is a ValueError naming the known ones. A stage left out stays pending
    for its articles, and a selected stage still waits for the stages before it in the
    full list (see :meth:`newsweave.engine.Engine.analyze`): ``--stages extract`` after
    an ingest with ``clean,reuse,stories`` analyses exactly those articles.

    >>> class S:
    ...     def __init__(self, name): self.name, self.version, self.requires = name, 1, ()
    >>> [s.name for s in select_stages([S("reuse"), S("stories")], ["clean", "stories"])]
    ['stories']
    """
    if names is None:
        return list(stages)
    known = [s.name for s in stages]
    wanted = {n.strip() for n in names if n.strip()}
    unknown = sorted(wanted - set(known) - set(ALWAYS_RUN))
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(unknown)}: the stages are "
                         f"{', '.join(dict.fromkeys([*ALWAYS_RUN, *known]))}")
    return [s for s in stages if s.name in wanted or s.name in ALWAYS_RUN]


def order_stages(stages: Sequence[Stage], provided: Sequence[str] = PROVIDED) -> list[Stage]:
    """The stages in an order where each runs after every stage that assigns what it
    requires (or uses); among stages free to run, the order given is kept.

    Raises :class:`PipelineError` for a requirement that neither ``provided`` nor any
    stage assigns, and for stages that require each other's output (a cycle).
    """
    writers: dict[str, list[int]] = {}
    for i, stage in enumerate(stages):
        for name in _assigns(stage):
            writers.setdefault(name, []).append(i)
    before: dict[int, set[int]] = {}
    for i, stage in enumerate(stages):
        needs: set[int] = set()
        for name in getattr(stage, "uses", ()):
            needs.update(w for w in writers.get(name, []) if w != i)
        for name in stage.requires:
            found = [w for w in writers.get(name, []) if w != i]
            if not found and name not in provided:
                raise PipelineError(
                    f"stage {stage.name!r} requires {name!r}, which no stage assigns "
                    f"(stages: {', '.join(s.name for s in stages)}; add the stage that "
                    f"assigns it, or remove {stage.name!r})")
            needs.update(found)
        before[i] = needs
    ordered: list[int] = []
    placed: set[int] = set()
    while len(ordered) < len(stages):
        ready = [i for i in range(len(stages)) if i not in placed and before[i] <= placed]
        if not ready:
            left = [stages[i].name for i in range(len(stages)) if i not in placed]
            raise PipelineError(
                f"stages {', '.join(left)} require each other's output (a cycle): "
                f"no order can run them")
        ordered.append(ready[0])
        placed.add(ready[0])
    return [stages[i] for i in ordered]


def check_order(stages: Sequence[Stage], provided: Sequence[str] = PROVIDED) -> None:
    """Refuse a stage list in which a stage runs before a stage that assigns what it
    requires or uses (:func:`order_stages` gives a list that passes)."""
    assigned = set(provided)
    for i, stage in enumerate(stages):
        later = {name for s in stages[i + 1:] for name in _assigns(s)}
        early = [u for u in getattr(stage, "uses", ()) if u in later and u not in assigned]
        missing = [r for r in stage.requires if r not in assigned] + early
        if missing:
            raise PipelineError(
                f"stage {stage.name!r} requires {', '.join(map(repr, missing))}, which no "
                f"stage before it assigns")
        assigned.update(_assigns(stage))


def _assigns(stage: Stage) -> tuple[str, ...]:
    return tuple(getattr(stage, "assigns", ()))
