"""The persisted vector file beside the store (issue 11, item 4): kept in step with rows any
process writes, reused by the next process, rebuilt when missing or stale, never wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from newsweave.model import Article
from newsweave.reuse.semantic import VectorIndex
from newsweave.store import open_store
from newsweave.store.vectors import VectorFile, folder_of

MODEL = "test-model"
REPO = Path(__file__).resolve().parents[1]


def _articles(store, count: int, start: int = 0) -> list[int]:
    return store.add_articles([Article(None, f"h{start + i}", "", "text", f"t {start + i}",
                                       f"<{start + i}>") for i in range(count)], [{}] * count)


def _units(count: int, seed: int = 0, dim: int = 8) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _live(vectors: VectorFile) -> dict[int, np.ndarray]:
    out = {}
    for ids, matrix in vectors.blocks():
        for row, article_id in enumerate(ids.tolist()):
            if article_id >= 0:
                out[article_id] = np.asarray(matrix[row])
    return out


def _same(found: dict[int, np.ndarray], stored: dict[int, np.ndarray]) -> bool:
    return set(found) == set(stored) and all(np.array_equal(found[i], stored[i]) for i in stored)


def test_the_file_follows_writes_of_another_process_and_is_reused(tmp_path):
    path = str(tmp_path / "s.db")
    mine, other = open_store(path), open_store(path)
    ids = _articles(mine, 6)
    rows = _units(6)
    mine.reuse.save_vectors(MODEL, dict(zip(ids[:3], rows[:3], strict=True)))
    vectors = VectorFile(mine, MODEL)
    assert vectors.refresh() is None and vectors.rebuilt == 1  # no file yet: built
    assert (folder_of(mine) / "test-model.f32").stat().st_size == 3 * 8 * 4
    # Another process: new rows (a lower id too), a replaced vector, a deleted one.
    other.reuse.save_vectors(MODEL, {ids[5]: rows[5], ids[3]: rows[3], ids[0]: rows[4]})
    other.reuse.delete_vectors(MODEL, [ids[1]])
    changed = vectors.refresh()
    assert sorted(changed) == sorted([ids[5], ids[3], ids[0], ids[1]])
    stored = mine.reuse.vectors(ids, MODEL)
    assert _same(_live(vectors), stored) and vectors.rebuilt == 1  # updated, not rebuilt
    # A later process maps the same file: nothing rebuilt, the same rows.
    later = VectorFile(other, MODEL)
    assert later.refresh() is None and later.rebuilt == 0
    assert _same(_live(later), stored)
    mine.close()
    other.close()


def test_a_missing_or_foreign_file_is_rebuilt_from_the_rows(tmp_path):
    path = tmp_path / "s.db"
    store = open_store(str(path))
    ids = _articles(store, 4)
    store.reuse.save_vectors(MODEL, dict(zip(ids, _units(4), strict=True)))
    VectorFile(store, MODEL).refresh()
    folder = folder_of(store)
    store.close()
    # Another store at the same path, with other vectors: the old file must not be used.
    path.unlink()
    for extra in ("-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)
    store = open_store(str(path))
    ids = _articles(store, 4, start=10)
    store.reuse.save_vectors(MODEL, dict(zip(ids, _units(4, seed=3), strict=True)))
    vectors = VectorFile(store, MODEL)
    vectors.refresh()
    assert vectors.rebuilt == 1 and _same(_live(vectors), store.reuse.vectors(ids, MODEL))
    # A file that lost its rows (truncated): rebuilt, not read past its end.
    (folder / "test-model.f32").write_bytes(b"")
    again = VectorFile(store, MODEL)
    again.refresh()
    assert again.rebuilt == 1 and _same(_live(again), store.reuse.vectors(ids, MODEL))
    # Deleted: rebuilt.
    for item in folder.iterdir():
        item.unlink()
    third = VectorFile(store, MODEL)
    third.refresh()
    assert third.rebuilt == 1 and _same(_live(third), store.reuse.vectors(ids, MODEL))
    store.close()


def test_a_row_that_differs_from_the_store_is_caught(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    ids = _articles(store, 3)
    store.reuse.save_vectors(MODEL, dict(zip(ids, _units(3), strict=True)))
    VectorFile(store, MODEL).refresh()
    matrix_file = folder_of(store) / "test-model.f32"
    damaged = np.fromfile(matrix_file, dtype=np.float32)
    damaged[:] = 0.5  # every row wrong, the count right
    damaged.tofile(matrix_file)
    vectors = VectorFile(store, MODEL)
    vectors.refresh()
    assert vectors.rebuilt == 1 and _same(_live(vectors), store.reuse.vectors(ids, MODEL))
    store.close()


def test_rows_a_crash_left_past_the_header_are_ignored(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    ids = _articles(store, 3)
    store.reuse.save_vectors(MODEL, dict(zip(ids[:2], _units(2), strict=True)))
    VectorFile(store, MODEL).refresh()
    with (folder_of(store) / "test-model.f32").open("ab") as handle:
        handle.write(np.full(8, 9.0, dtype=np.float32).tobytes())  # a half-done append
    store.reuse.save_vectors(MODEL, {ids[2]: _units(3)[2]})
    vectors = VectorFile(store, MODEL)
    vectors.refresh()
    assert vectors.rebuilt == 0 and _same(_live(vectors), store.reuse.vectors(ids, MODEL))
    store.close()


def test_a_read_only_store_writes_no_file_and_still_sees_new_rows(tmp_path):
    path = str(tmp_path / "s.db")
    store = open_store(path)
    ids = _articles(store, 4)
    rows = _units(4)
    store.reuse.save_vectors(MODEL, dict(zip(ids[:2], rows[:2], strict=True)))
    reader = open_store(path, readonly=True)
    vectors = VectorFile(reader, MODEL)
    vectors.refresh()
    assert not folder_of(reader).exists()  # nothing written beside a read-only store
    assert _same(_live(vectors), store.reuse.vectors(ids, MODEL))
    # With a file the writer made, the reader maps it and keeps later changes in memory.
    VectorFile(store, MODEL).refresh()
    store.reuse.save_vectors(MODEL, {ids[2]: rows[2], ids[0]: rows[3]})
    fresh = VectorFile(reader, MODEL)
    fresh.refresh()
    assert _same(_live(fresh), store.reuse.vectors(ids, MODEL))
    store.reuse.save_vectors(MODEL, {ids[3]: rows[3]})
    assert fresh.refresh() == [ids[3]]
    assert _same(_live(fresh), store.reuse.vectors(ids, MODEL))
    reader.close()
    store.close()


def test_many_dead_rows_compact_the_file(tmp_path, monkeypatch):
    import newsweave.store.vectors as module

    monkeypatch.setattr(module, "MIN_DEAD", 0)
    store = open_store(str(tmp_path / "s.db"))
    ids = _articles(store, 5)
    store.reuse.save_vectors(MODEL, dict(zip(ids, _units(5), strict=True)))
    vectors = VectorFile(store, MODEL)
    vectors.refresh()
    store.reuse.delete_vectors(MODEL, ids[:2])  # 2 of 5 rows dead: over a quarter
    vectors.refresh()
    assert vectors.rebuilt == 2
    assert (folder_of(store) / "test-model.f32").stat().st_size == 3 * 8 * 4
    assert _same(_live(vectors), store.reuse.vectors(ids, MODEL))
    store.close()


@pytest.mark.parametrize("where", ["file", "memory"])
def test_the_index_searches_through_the_file_exactly(tmp_path, where):
    store = open_store(str(tmp_path / "s.db") if where == "file" else ":memory:")
    ids = _articles(store, 40)
    rows = _units(40, seed=5)
    store.reuse.save_vectors(MODEL, dict(zip(ids[20:], rows[20:], strict=True)))
    index = VectorIndex(MODEL)
    index.refresh(store)
    store.reuse.save_vectors(MODEL, dict(zip(ids[:20], rows[:20], strict=True)))  # lower ids
    store.reuse.save_vectors(MODEL, {ids[30]: rows[0]})  # replaced
    index.refresh(store)
    expected = {i: rows[n] for n, i in enumerate(ids)} | {ids[30]: rows[0]}
    query = rows[:3]
    found = index.nearest(query, 5, -1.0)
    for q, hits in zip(query, found, strict=True):
        exact = sorted(expected, key=lambda i: -float(expected[i] @ q))[:6]
        assert [i for i, _ in hits] == exact
    assert index._id_array.tolist() == sorted(ids)
    store.close()


def test_another_process_ingesting_is_seen_by_the_file(tmp_path):
    """A real second process writes vectors (and updates the file); this one sees them."""
    path = str(tmp_path / "s.db")
    store = open_store(path)
    ids = _articles(store, 4)
    store.reuse.save_vectors(MODEL, {ids[0]: _units(1)[0]})
    index = VectorIndex(MODEL)
    index.refresh(store)
    script = (
        "import numpy as np\n"
        "from newsweave.store import open_store\n"
        "from newsweave.reuse.semantic import VectorIndex\n"
        f"s = open_store({path!r})\n"
        f"s.reuse.save_vectors({MODEL!r}, {{{ids[2]}: np.eye(8, dtype=np.float32)[2]}})\n"
        f"i = VectorIndex({MODEL!r}); i.refresh(s); s.close()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True,
                   env={"PYTHONPATH": str(REPO / "src")})
    index.refresh(store)
    ids_now, scores = index.cosines(np.eye(8, dtype=np.float32)[2])
    assert ids_now.tolist() == [ids[0], ids[2]] and scores[1] == pytest.approx(1.0)
    store.close()


def test_a_rebuild_by_another_process_is_noticed(tmp_path):
    path = str(tmp_path / "s.db")
    first_store, second_store = open_store(path), open_store(path)
    ids = _articles(first_store, 6)
    rows = _units(6)
    first_store.reuse.save_vectors(MODEL, dict(zip(ids[:4], rows[:4], strict=True)))
    first, second = VectorFile(first_store, MODEL), VectorFile(second_store, MODEL)
    first.refresh()
    first_store.reuse.delete_vectors(MODEL, ids[:1])
    second.refresh()  # up to date: the same change-log position the rebuild will have
    with first._locked():
        first._rebuild()  # e.g. a compaction: fewer rows, in another order
    second_store.reuse.save_vectors(MODEL, {ids[4]: rows[4]})
    second.refresh()
    assert _same(_live(second), second_store.reuse.vectors(ids, MODEL))
    first.refresh()
    assert _same(_live(first), first_store.reuse.vectors(ids, MODEL))
    first_store.close()
    second_store.close()


def test_a_folder_that_cannot_be_made_leaves_the_vectors_in_memory(tmp_path, caplog):
    path = tmp_path / "s.db"
    store = open_store(str(path))
    ids = _articles(store, 3)
    store.reuse.save_vectors(MODEL, dict(zip(ids, _units(3), strict=True)))
    (tmp_path / "s.db.vectors").write_text("in the way")  # a file where the folder goes
    vectors = VectorFile(store, MODEL)
    vectors.refresh()
    assert "kept in memory" in caplog.text
    assert _same(_live(vectors), store.reuse.vectors(ids, MODEL))
    store.reuse.save_vectors(MODEL, {ids[0]: _units(3, seed=9)[0]})
    assert vectors.refresh() == [ids[0]]
    assert _same(_live(vectors), store.reuse.vectors(ids, MODEL))
    store.close()
