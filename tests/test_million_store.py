"""The 1M latency bench's store (bench/web_store.py --stage-rows, issue 16 item 4): fillers
carry the rows the stages would have stored, are told apart from the real stories, and a
store can be grown in steps."""

from __future__ import annotations

from pathlib import Path

from conftest import load_bench, require_shared

REPO = Path(__file__).resolve().parents[1]


def test_fillers_carry_what_the_stages_would_store_and_stay_apart(tmp_path, monkeypatch):
    import newsweave
    from newsweave.nlp import english

    require_shared("benchmarks/basil/docs.jsonl")
    require_shared("benchmarks/timeline17/docs.jsonl")
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    web_store = load_bench("web_store")
    latency = load_bench("batch_latency")
    db = str(tmp_path / "s.db")
    web_store.build(db, web_store.real_documents(4, 3, 7), 0, tmp_path)
    with newsweave.open(db) as engine:
        store, sql = engine.store, engine.store._db
        real_stories = {int(r[0]) for r in sql.execute("SELECT id FROM stories")}
        real_keys = {frozenset(int(k[0]) for k in sql.execute(
            "SELECT key FROM story_keys WHERE story_id = ?", (s,))) for s in real_stories}
        web_store.add_fillers(engine, 120, stage_rows=True)
        web_store.add_fillers(engine, 30, stage_rows=True, first=120)  # grown in a step
        fillers = [int(r[0]) for r in sql.execute(
            "SELECT id FROM articles WHERE source LIKE 'filler-%' ORDER BY id")]
        assert len(fillers) == 150
        assert {r[0] for r in sql.execute("SELECT source FROM articles WHERE source LIKE "
                                          "'filler-%'")} == {f"filler-{i}" for i in range(150)}
        # every stage counts them done: an ingest or analyze would not touch them
        for stage in engine.stages:
            assert not set(fillers) & set(store.pending(stage.name, stage.version))
        # the rows the stages would have written
        assert set(store.reuse.vectors(fillers, english.MODEL_NAME)) == set(fillers)
        assert set(store.reuse.origin_of(fillers)) == set(fillers)
        linked = {int(r[0]) for r in sql.execute("SELECT DISTINCT article_id FROM "
                                                 "entity_articles")}
        assert set(fillers) <= linked
        made = {int(r[0]): r[1] for r in sql.execute("SELECT id, title FROM stories")
                if int(r[0]) not in real_stories}
        assert made and all(t.startswith(web_store.FILLER_TITLE) for t in made.values())
        members = store.stories.members(list(made))
        assert sorted(a for m in members.values() for a in m) == fillers
        for story in made:  # its keys are a real story's (the one its centroid came from)
            keys = frozenset(int(k[0]) for k in sql.execute(
                "SELECT key FROM story_keys WHERE story_id = ?", (story,)))
            assert keys and keys in real_keys
        # the latency bench samples real stories only
        import random

        sampled = latency.sample_stories(engine, random.Random(1), 1000)
        assert sampled and not set(sampled) & set(made)
        assert set(sampled) <= real_stories
