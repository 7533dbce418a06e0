"""The shard's costs outside reuse cut exactly (docs/benchmarks.md, "Archive scale, part
26"): each shortcut gives what the plain way gives."""

from __future__ import annotations

import random

from newsweave.store import open_store
from newsweave.store.stories import StoryRow


def _index(tmp_path, stories: int, seed: int):
    """A store whose story-key index holds ``stories`` stories, each with up to 48 keys
    drawn from a skewed vocabulary (a few keys in many stories, as in a real index)."""
    rng = random.Random(seed)
    store = open_store(str(tmp_path / f"keys-{seed}.db"))
    tables = store.stories
    with store.transaction():
        for _ in range(stories):
            story = tables.new_story(StoryRow(0, 1, "s", b"", b"", b"", None, None))
            keys = {int(rng.paretovariate(0.8)) % 400 for _ in range(rng.randint(0, 48))}
            tables.update_story(StoryRow(story, 1, "s", b"", b"", b"", None, None),
                                sorted(keys))
    return store, rng


def test_candidates_of_a_batch_equal_one_lookup_per_query(tmp_path, monkeypatch):
    import newsweave.store.stories as story_store

    monkeypatch.setattr(story_store, "CANDIDATES_AT_ONCE", 1)  # every batch at once
    for seed in range(3):
        store, rng = _index(tmp_path, 300, seed)
        queries = []
        for _ in range(200):
            query = [int(rng.paretovariate(0.8)) % 450 for _ in range(rng.randint(0, 30))]
            if query and rng.random() < 0.2:
                query.append(query[0])  # a key given twice counts once
            queries.append(query)
        queries.append([])
        queries.append([10_000, 10_001])  # keys no story holds
        for limit in (1, 5, 20):
            batch = store.stories.candidates_of(queries, limit)
            assert batch == [store.stories.candidates(q, limit) for q in queries]
        # Ties in hits are broken by story id: many stories hold the commonest keys.
        assert any(len(found) == 20 for found in store.stories.candidates_of(queries, 20))
        store.close()


def test_candidates_of_rank_by_hits_then_story_id(tmp_path, monkeypatch):
    import newsweave.store.stories as story_store

    monkeypatch.setattr(story_store, "CANDIDATES_AT_ONCE", 1)
    store = open_store(str(tmp_path / "rank.db"))
    tables = store.stories
    with store.transaction():
        ids = [tables.new_story(StoryRow(0, 1, "s", b"", b"", b"", None, None))
               for _ in range(4)]
        for story, keys in zip(ids, ([1], [1, 2], [1, 2, 3], [2, 3]), strict=True):
            tables.update_story(StoryRow(story, 1, "s", b"", b"", b"", None, None), keys)
    assert tables.candidates_of([[1, 2, 3], [3], [1]], 3) == [
        [ids[2], ids[1], ids[3]], [ids[2], ids[3]], [ids[0], ids[1], ids[2]]]
    store.close()


def test_the_stories_stage_runs_with_the_collector_paused(tmp_path, monkeypatch):
    import gc

    import newsweave.stories as stories

    seen = []
    real = stories.assign

    def assign(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(stories, "assign", assign)
    _ingest_demo(tmp_path)
    assert seen and not any(seen)
    assert gc.isenabled()


def test_the_stories_stage_leaves_no_cyclic_garbage(tmp_path, monkeypatch):
    # Why pausing the collector for the stage is safe: what a batch drops is freed by its
    # reference counts; a cycle made in it would wait for the next collection.
    import gc

    import newsweave.stories as stories

    found: list[list[str]] = []
    real = stories.StoriesStage.run

    def run(self, *args):
        gc.collect()  # what earlier stages left
        real(self, *args)
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            found.append(sorted({type(o).__name__ for o in gc.garbage}))
        finally:
            gc.set_debug(0)
            gc.garbage.clear()

    monkeypatch.setattr(stories.StoriesStage, "run", run)
    _ingest_demo(tmp_path)
    assert found and found == [[]] * len(found)


def _ingest_demo(tmp_path) -> None:
    import newsweave
    from newsweave.demo import corpus_files

    engine = newsweave.open(str(tmp_path / "demo.db"))
    try:
        engine.ingest([str(p) for p in corpus_files()], stages=["reuse", "stories"])
    finally:
        engine.close()


def test_get_articles_equal_get_article_one_by_one(store_backend):
    import newsweave
    from newsweave.demo import corpus_files

    engine = newsweave.open(store_backend.location)
    try:
        engine.ingest([str(p) for p in corpus_files()], stages=[])
        store = engine.store
        ids = [a.id for a in engine.articles()]
        assert any(store.get_article(i).removed for i in ids)  # removal logs are compared
        asked = [*ids[::-1], ids[0], 10_000]  # any order, a repeat, an id not stored
        for raw in (False, True):
            found = store.get_articles(asked, raw=raw)
            assert list(found) == sorted(ids)
            assert all(found[i] == store.get_article(i, raw=raw) for i in ids)
    finally:
        engine.close()


def test_shard_stages_runs_a_shards_stories_stage_alone(tmp_path, monkeypatch):
    # bench/shard_stages.py: a shard cleaned and reused with its stories pending, then the
    # stories stage alone on a copy (the pending store is left as it was).
    import sqlite3

    from conftest import REPO, load_bench, require_shared

    require_shared("benchmarks/ntrex/docs.jsonl")
    archive = tmp_path / "archive"
    load_bench("corpus").generate(300, archive, seed=3, shard_size=150)
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    bench = load_bench("shard_stages")  # (it imports bench/reuse_growth.py)
    pending = tmp_path / "pending.db"
    prepared = bench.prepare_shard(archive, None, 1, pending)
    assert prepared["new_articles"] == 150

    def members(db):
        with sqlite3.connect(db) as con:
            return con.execute("SELECT count(*) FROM story_members").fetchone()[0]

    assert members(pending) == 0
    figures = bench.run_stories(pending, keep=tmp_path / "kept.db")
    assert figures["articles"] == 150 and figures["stories_cpu_s"] > 0
    assert members(tmp_path / "kept.db") == 150 and members(pending) == 0
