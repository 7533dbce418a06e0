"""Progress of a stage that works through a claim of several batches at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from newsweave.model import Article
from newsweave.pipeline import run_pending
from newsweave.settings import Settings, load_settings
from newsweave.store import Store, open_store


def _article(n: int) -> Article:
    return Article(id=None, content_hash=f"hash{n}", raw=f"raw {n}", raw_format="text",
                   text=f"Body {n}.", source=f"file{n}.txt", title=f"Title {n}")


class BatchedStage:
    """Marks each batch done and says so, as the extract stage does."""

    name = "batched"
    version = 1
    requires: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        self.run_batches(store, article_ids, settings, len(article_ids))

    def run_batches(self, store: Store, article_ids: Sequence[int], settings: Settings,
                    size: int, progress: Callable[[int], None] | None = None) -> None:
        for start in range(0, len(article_ids), size):
            batch = list(article_ids[start : start + size])
            store.mark_done(self.name, batch, self.version)
            self.batches.append(batch)
            if progress is not None:
                progress(len(batch))


class OldBatchedStage(BatchedStage):
    """A stage whose ``run_batches`` takes no progress argument still runs."""

    def run_batches(self, store: Store, article_ids: Sequence[int], settings: Settings,
                    size: int) -> None:  # type: ignore[override]
        super().run_batches(store, article_ids, settings, size)


def test_a_claim_of_several_batches_reports_each_batch(tmp_path):
    db = str(tmp_path / "s.db")
    store = open_store(db)
    store.add_articles([_article(n) for n in range(7)], [{} for _ in range(7)])
    stage = BatchedStage()
    calls: list[tuple[str, int, int]] = []
    handled = run_pending(stage, store, load_settings(db=db), 2,
                          progress=lambda *a: calls.append(a))
    assert handled == 7 and [len(b) for b in stage.batches] == [2, 2, 2, 1]
    # One claim of all seven (up to 8 batches a claim), yet a count after each batch.
    assert calls == [("batched", 0, 7), ("batched", 2, 7), ("batched", 4, 7),
                     ("batched", 6, 7), ("batched", 7, 7), ("batched", 7, 7)]
    store.close()


def test_a_stage_without_the_progress_argument_reports_per_claim(tmp_path):
    db = str(tmp_path / "s.db")
    store = open_store(db)
    store.add_articles([_article(n) for n in range(5)], [{} for _ in range(5)])
    calls: list[tuple[str, int, int]] = []
    assert run_pending(OldBatchedStage(), store, load_settings(db=db), 2,
                       progress=lambda *a: calls.append(a)) == 5
    assert calls == [("batched", 0, 5), ("batched", 5, 5)]
    store.close()


class UncountedStore:
    """A store whose pending count fails: ``run_pending`` without progress must not ask
    for it (counting scans every stored article: part 16 of the archive-scale notes)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def count_pending(self, *args: object, **kwargs: object) -> int:
        raise AssertionError("counted the pending articles with no progress to report")

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_without_progress_the_pending_articles_are_not_counted(tmp_path):
    db = str(tmp_path / "s.db")
    store = open_store(db)
    store.add_articles([_article(n) for n in range(5)], [{} for _ in range(5)])
    stage = BatchedStage()
    handled = run_pending(stage, UncountedStore(store), load_settings(db=db), 2)  # type: ignore[arg-type]
    assert handled == 5 and [len(b) for b in stage.batches] == [2, 2, 1]
    assert store.count_pending("batched", 1) == 0
