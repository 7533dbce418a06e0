"""Coarse lists over a large store's vectors (issue 16, item 4): built from a measured size
on, found again by later processes, kept current as rows are added or overwritten, rebuilt
when stale or corrupt (refused by a read-only store), and an approximate search that finds
what the exact one finds."""

from __future__ import annotations

import numpy as np
import pytest

from newsweave.model import Article
from newsweave.nlp import english
from newsweave.reuse.semantic import SemanticIndex, VectorIndex
from newsweave.store import open_store, vector_lists
from newsweave.store.vectors import VectorFile, folder_of

MODEL = english.MODEL_NAME  # the English index: an English-only store's only vectors
DIM = 16


@pytest.fixture(autouse=True)
def small_switch(monkeypatch):
    """The switch and the tail scaled down so a store of a few thousand rows has lists."""
    monkeypatch.setattr(vector_lists, "MIN_ROWS", 600)
    monkeypatch.setattr(vector_lists, "TAIL_ROWS", 200)


def _articles(store, count: int, start: int = 0) -> list[int]:
    return store.add_articles([Article(None, f"h{start + i}", "", "text", f"t {start + i}",
                                       f"<{start + i}>") for i in range(count)], [{}] * count)


def _clustered(count: int, seed: int, centres: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = centres[rng.integers(len(centres), size=count)] + rng.normal(
        scale=0.3, size=(count, DIM))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


CENTRES = np.random.default_rng(99).normal(size=(40, DIM))
CENTRES /= np.linalg.norm(CENTRES, axis=1, keepdims=True)  # cosines below the scale's ceiling


def _store_with(path, count: int):
    store = open_store(str(path))
    ids = _articles(store, count)
    rows = _clustered(count, 1, CENTRES)
    store.reuse.save_vectors(MODEL, dict(zip(ids, rows, strict=True)))
    return store, ids, rows


def _index(store) -> SemanticIndex:
    index = SemanticIndex()
    index.refresh(store)
    return index


def _top(index: SemanticIndex, query: np.ndarray, approximate: bool, k: int = 10) -> list[int]:
    return [i for i, _ in index.nearest([None], [query], k, -1.0,
                                        approximate=approximate)[0]][:k]


def test_the_switch_is_by_size_and_approximate_agrees_with_exact(tmp_path):
    store, _, _ = _store_with(tmp_path / "s.db", 500)  # below the switch: exact only
    index = _index(store)
    assert not index.english.approximate
    assert not (folder_of(store) / f"{MODEL}.lists").exists()
    more = _articles(store, 1500, start=500)
    store.reuse.save_vectors(MODEL, dict(zip(more, _clustered(1500, 2, CENTRES), strict=True)))
    index.refresh(store)
    assert index.english.approximate and index.english._file.lists_built == 1
    assert (folder_of(store) / f"{MODEL}.lists").exists()
    # The file was rewritten in list order: each list is one run of rows.
    lists = index.english._file.lists
    assert np.array_equal(lists._order, np.arange(2000))
    assert np.all(np.diff(lists.assignment) >= 0)
    stored = store.reuse.vectors(list(range(1, 2001)), MODEL)
    file_ids, matrix = index.english._file.blocks()[0]
    assert all(np.array_equal(matrix[row], stored[int(i)]) for row, i in enumerate(file_ids))
    queries = _clustered(40, 3, CENTRES)
    agree = [len(set(_top(index, q, True)) & set(_top(index, q, False))) / 10 for q in queries]
    assert np.mean(agree) >= 0.97 and min(agree) >= 0.8
    # With every list probed, the approximate search is the exact one.
    found = index.english.search(queries[0], depth=2000, probes=10_000)
    ids_all, cosines_all = index.english.cosines(queries[0])
    assert sorted(found[0].tolist()) == sorted(ids_all.tolist())
    assert np.allclose(np.sort(found[1]), np.sort(cosines_all))
    # The reuse stage's batches stay exact: without approximate=True nothing changes.
    exact = index.nearest([None], [queries[0]], 10, -1.0)[0]
    assert [i for i, _ in exact][:10] == _top(index, queries[0], False)
    store.close()


def test_a_later_process_reads_the_lists_and_new_rows_are_found_at_once(tmp_path):
    path = tmp_path / "s.db"
    store, ids, _ = _store_with(path, 1000)
    first = _index(store)
    assert first.english._file.lists_built == 1
    other = open_store(str(path))
    later = _index(other)
    assert later.english.approximate and later.english._file.lists_built == 0
    # Rows added after the lists (fewer than the tail) are scanned exactly: found at once.
    far = np.zeros(DIM, dtype=np.float32)
    far[0] = 1.0
    new = _articles(other, 5, start=1000)
    other.reuse.save_vectors(MODEL, {new[0]: far})
    later.refresh(other)
    assert later.english._file.lists.covered == 1000
    assert _top(later, far, True, k=1) == [new[0]]
    # Past the tail, the rows are folded into the lists (assigned, not rebuilt).
    extra = _articles(other, 300, start=1005)
    other.reuse.save_vectors(MODEL, dict(zip(extra, _clustered(300, 4, CENTRES), strict=True)))
    later.refresh(other)
    lists = later.english._file.lists
    assert lists.covered == 1301 and later.english._file.lists_built == 0
    assert _top(later, far, True, k=1) == [new[0]]
    # An article's newer vector overwrites its row: the row is assigned again.
    moved = ids[10]
    other.reuse.save_vectors(MODEL, {moved: -far})
    later.refresh(other)
    assert _top(later, -far, True, k=1) == [moved]
    first.refresh(store)  # the first process picks up the other's lists, builds nothing
    assert first.english._file.lists_built == 1
    assert first.english._file.lists.nonce == later.english._file.lists.nonce
    assert _top(first, -far, True, k=1) == [moved]
    store.close()
    other.close()


def test_a_store_twice_the_trained_size_retrains(tmp_path):
    store, _, _ = _store_with(tmp_path / "s.db", 700)
    index = _index(store)
    assert index.english._file.lists.trained == 700
    more = _articles(store, 800, start=700)
    store.reuse.save_vectors(MODEL, dict(zip(more, _clustered(800, 5, CENTRES), strict=True)))
    index.refresh(store)
    assert index.english._file.lists_built == 2 and index.english._file.lists.trained == 1500
    store.close()


def _corrupt(path) -> None:
    raw = bytearray(path.read_bytes())
    raw[vector_lists.HEADER * 8 + 40] ^= 0xFF  # a byte of the centres
    path.write_bytes(bytes(raw))


def test_a_corrupt_or_stale_file_is_rebuilt_and_refused_read_only(tmp_path, caplog):
    path = tmp_path / "s.db"
    store, _, _ = _store_with(path, 1000)
    _index(store)
    lists_path = folder_of(store) / f"{MODEL}.lists"
    _corrupt(lists_path)
    assert vector_lists.load(lists_path, DIM, VectorFile(store, MODEL)._generation) is None
    # A read-only store never uses a corrupt file: it searches exactly, and says why.
    readonly = open_store(str(path), readonly=True)
    index = _index(readonly)
    assert not index.english.approximate
    assert "missing or stale" in caplog.text
    query = _clustered(1, 6, CENTRES)[0]
    assert _top(index, query, True) == _top(index, query, False)
    readonly.close()
    # A writable process rebuilds it.
    fresh = _index(store)
    assert fresh.english._file.lists_built == 1 and fresh.english.approximate
    # Lists of another build of the vector file (rows reordered) are stale: rebuilt.
    fresh.english._file._rebuild()
    fresh.english.refresh(store)
    assert fresh.english._file.lists_built == 2
    assert fresh.english._file.lists.generation == fresh.english._file._generation
    # A truncated file is not read.
    lists_path.write_bytes(lists_path.read_bytes()[:-8])
    assert vector_lists.load(lists_path, DIM, fresh.english._file._generation) is None
    store.close()


def test_cosines_of_reads_only_the_asked_rows_and_marks_the_missing(tmp_path):
    store, ids, rows = _store_with(tmp_path / "s.db", 50)
    index = VectorIndex(MODEL)
    index.refresh(store)
    query = rows[3]
    found = index.cosines_of(np.array([ids[3], ids[7], 10**9]), query)
    assert np.isclose(found[0], 1.0, atol=1e-5)
    assert np.isclose(found[1], float(rows[7] @ query), atol=1e-5)
    assert np.isnan(found[2])
    store.close()


def test_lists_built_by_a_real_second_process_are_used_here(tmp_path):
    """Another process crosses the switch and builds the lists (rewriting the vector file in
    list order) while this one holds the file mapped: this one remaps, reads their lists and
    builds nothing; its answers stay the exact ones."""
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "s.db"
    store, _, _ = _store_with(path, 400)  # below the (scaled) switch
    index = _index(store)
    assert not index.english.approximate
    script = f"""
import numpy as np
from newsweave.model import Article
from newsweave.store import open_store, vector_lists
from newsweave.reuse.semantic import SemanticIndex
vector_lists.MIN_ROWS, vector_lists.TAIL_ROWS = 600, 200
store = open_store({str(path)!r})
ids = store.add_articles([Article(None, f"x{{i}}", "", "text", f"x {{i}}", f"<x{{i}}>")
                          for i in range(600)], [{{}}] * 600)
rng = np.random.default_rng(8)
centres = np.array({CENTRES.tolist()!r})
rows = centres[rng.integers(len(centres), size=600)] + rng.normal(scale=0.3, size=(600, {DIM}))
rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
store.reuse.save_vectors({MODEL!r}, dict(zip(ids, rows)))
index = SemanticIndex()
index.refresh(store)
assert index.english._file.lists_built == 1
store.close()
"""
    subprocess.run([sys.executable, "-c", script], check=True,
                   env={"PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")})
    index.refresh(store)
    assert index.english.approximate and index.english._file.lists_built == 0
    assert len(index.english._id_array) == 1000
    queries = _clustered(20, 9, CENTRES)
    agree = [len(set(_top(index, q, True)) & set(_top(index, q, False))) / 10 for q in queries]
    assert np.mean(agree) >= 0.97
    store.close()


def test_the_exact_search_over_a_file_in_list_order_with_dead_rows(tmp_path):
    """The reuse stage's exact search places each block row's score by id (no reordering
    copy): the same neighbours as ranking every stored article's cosine, after the file was
    rewritten in list order and with a deleted and a replaced vector."""
    from newsweave.reuse.semantic import ENGLISH_CEIL, ENGLISH_FLOOR, _pick, rescale

    store, ids, _ = _store_with(tmp_path / "s.db", 1000)
    index = _index(store)
    assert not index.english._identity  # rows in list order, not id order
    store.reuse.delete_vectors(MODEL, [ids[5], ids[500]])
    store.reuse.save_vectors(MODEL, {ids[7]: _clustered(1, 11, CENTRES)[0]})
    index.refresh(store)
    assert (index.english._row_ids < 0).sum() >= 2  # dead rows kept in the file
    queries = _clustered(15, 12, CENTRES)
    found = index.nearest([None] * 15, list(queries), 10, -1.0)
    for query, mine in zip(queries, found, strict=True):
        every, cosines = index.english.cosines(query)
        score = rescale(cosines, ENGLISH_FLOOR, ENGLISH_CEIL).astype(np.float32)
        expected = _pick(every, score, np.full(len(every), np.nan, np.float32), 10, -1.0)
        assert [i for i, _ in mine] == [i for i, _ in expected]
        assert ids[5] not in [i for i, _ in mine]
    store.close()
