"""The batch near-duplicate join (newsweave.batch) on Dask equals the reuse stage's index."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest

from conftest import load_bench, require_shared
from newsweave.batch import (
    Executor,
    LocalExecutor,
    candidate_pairs,
    connected_components,
    near_duplicates,
)
from newsweave.engine import Engine
from newsweave.reuse import ReuseStage
from newsweave.reuse.index import band_keys
from newsweave.settings import load_settings
from newsweave.store import open_store


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Executor]:
    """One LocalCluster of 2 worker processes for the module (it takes seconds to start)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("dask[distributed] is missing (CI=true: tests may not skip)")
        pytest.skip("dask[distributed] is not installed: pip install 'newsweave[dask]'")
    from newsweave.batch.on_dask import local_executor

    with local_executor(workers=2) as executor:
        yield executor


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple[int, str]],
                                                               set[tuple[int, int]], dict]:
    """A small generated archive in a real store through the reuse stage (no embeddings):
    its texts and the candidate pairs the stage's index gives (shared band keys)."""
    require_shared("benchmarks/ntrex/docs.jsonl")
    folder = tmp_path_factory.mktemp("archive")
    corpus = load_bench("corpus")
    manifest = corpus.generate(400, folder, seed=5, shard_size=200)
    db = str(folder / "batch.db")
    with Engine(open_store(db), load_settings(db=db, reuse_embed=0),
                stages=[ReuseStage()]) as engine:
        engine.ingest([str(folder / name) for name in manifest["shards"]])
        store = engine.store
        texts = [(int(a.id), a.text) for a in store.iter_articles() if a.id is not None]
        empty = np.iinfo(np.uint32).max
        pairs: set[tuple[int, int]] = set()
        signatures = store.reuse.signatures([i for i, _ in texts])
        for article_id, signature in signatures.items():
            if np.all(signature == empty):
                continue  # no words: the stage stores no band keys
            for other in store.reuse.band_matches(band_keys(signature)):
                if other != article_id:
                    pairs.add((min(article_id, other), max(article_id, other)))
        external = {int(a.id): a.external_id for a in store.iter_articles() if a.id}
    key = {k["id"]: k for k in corpus.read_key(folder)}
    return texts, pairs, {i: key[e] for i, e in external.items()}


def _partitions(texts: list[tuple[int, str]], size: int) -> list[list[tuple[int, str]]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


def test_dask_candidate_pairs_equal_the_single_process_index(
        archive: tuple, dask_executor: Executor) -> None:
    texts, index_pairs, key = archive
    assert len(index_pairs) >= 50  # the archive's wire and partial copies
    pairs = candidate_pairs(dask_executor, _partitions(texts, 60))
    joined = near_duplicates(dask_executor, _partitions(texts, 60))
    assert set(pairs) == index_pairs and len(pairs) == len(index_pairs)
    # The join's edges are candidate pairs, fewer of them, with the same components.
    assert set(joined.edges) <= index_pairs
    assert len(joined.edges) < len(index_pairs)
    assert joined.components == connected_components(index_pairs)
    # Each edge leads from its bucket's smallest id.
    assert all(a < b for a, b in joined.edges)
    # Nearly every planted wire copy is joined to its original (a copy whose body the
    # cleaner cut differently may miss every band).
    copies = [(i, k) for i, k in key.items() if k["kind"] == "copy"]
    component_of = {i: n for n, group in enumerate(joined.components) for i in group}
    by_name = {k["id"]: i for i, k in key.items()}
    joined_copies = sum(component_of.get(i, -1) == component_of.get(by_name[k["of"]], -2)
                        for i, k in copies)
    assert joined_copies >= 0.9 * len(copies)


def test_the_local_executor_gives_the_same_join(archive: tuple) -> None:
    texts, index_pairs, _ = archive
    local = LocalExecutor()
    assert set(candidate_pairs(local, _partitions(texts, 60))) == index_pairs
    one = near_duplicates(local, [texts])
    many = near_duplicates(local, _partitions(texts, 37))
    assert one == many  # partitioning changes nothing
    assert one.components == connected_components(index_pairs)


def test_dask_shuffle_groups_every_key_once(dask_executor: Executor) -> None:
    parts = [[(k % 7, k) for k in range(start, start + 50)] for start in range(0, 200, 50)]
    mapped = dask_executor.map_partitions(lambda part: [(k, v * 2) for k, v in part], parts)
    totals = sorted(dask_executor.collect(dask_executor.shuffle(
        mapped, lambda key, values: [(key, len(values), sum(values))], outputs=3)))
    assert totals == [(k, len(range(k, 200, 7)), 2 * sum(range(k, 200, 7))) for k in range(7)]
