"""``stage_runs`` by article (docs/benchmarks.md, "PostgreSQL, part 5"): its primary key
leads with the stage, so dropping a re-cleaned article's progress rows (the store's
re-cleaning writes) read the whole table on both backends, once per re-cleaning chunk; an
index by article makes it a lookup. Checked on both backends: the statement's plan, what the
re-cleaning leaves, and a store made before the index gaining it with its rows."""

from __future__ import annotations

import pytest

from conftest import StoreBackend
from test_store_backends import make_article

STAGES = ("reuse", "stories")
ARTICLES = 400


def _filled(backend: StoreBackend):
    store = backend.open()
    store.add_articles([make_article(n) for n in range(ARTICLES)], [{}] * ARTICLES)
    ids = [int(r[0]) for r in store._db.execute("SELECT id FROM articles ORDER BY id")]
    for stage in STAGES:
        store.mark_done(stage, ids, 1)
    return store, ids


def _plan(store, backend: StoreBackend, sql: str) -> str:
    if backend.name == "postgresql":
        store._db.execute("ANALYZE stage_runs")
        return "\n".join(str(r[0]) for r in store._db.execute("EXPLAIN " + sql))
    return "\n".join(str(r[3]) for r in store._db.execute("EXPLAIN QUERY PLAN " + sql))


def test_dropping_an_articles_progress_looks_it_up_by_article(store_backend: StoreBackend):
    store, ids = _filled(store_backend)
    # the statement of the store's re-cleaning writes, with literals (no parameters in an
    # EXPLAIN on PostgreSQL)
    chosen = ", ".join(str(i) for i in ids[100:103])
    plan = _plan(store, store_backend, f"DELETE FROM stage_runs WHERE article_id IN ({chosen})")
    assert "stage_runs_article" in plan, plan
    assert "Seq Scan" not in plan and "SCAN stage_runs" not in plan, plan
    plan = _plan(store, store_backend, "SELECT article_id, stage, version FROM stage_runs "
                 f"WHERE article_id IN ({chosen}) ORDER BY article_id, stage")
    assert "stage_runs_article" in plan, plan


def test_re_cleaning_drops_only_that_articles_progress(store_backend: StoreBackend):
    store, ids = _filled(store_backend)
    changed = ids[7]
    store.replace_clean_text([(changed, "A body cleaned again.", [], {})])
    done = store.stages_done(ids)
    assert done[changed] == [("clean", 1)]  # cleaned again, every later stage to do
    assert all(sorted(s for s, _ in done[i]) == ["clean", *STAGES]
               for i in ids if i != changed)
    assert store.stage_coverage() == {"clean": ARTICLES, "reuse": ARTICLES - 1,
                                      "stories": ARTICLES - 1}


def test_a_store_made_before_the_index_gains_it_with_its_rows(
        store_backend: StoreBackend, monkeypatch: pytest.MonkeyPatch):
    import newsweave.store.postgres as postgres
    import newsweave.store.sqlite as sqlite
    from newsweave.store.migrations import MIGRATIONS

    made = next(n for n, m in enumerate(MIGRATIONS) if "stage_runs_article" in m)
    with monkeypatch.context() as patch:
        for module in (sqlite, postgres):
            patch.setattr(module, "MIGRATIONS", MIGRATIONS[:made])
        old, ids = _filled(store_backend)
        assert old.schema_version == made
        assert "stage_runs_article" not in _plan(
            old, store_backend, f"DELETE FROM stage_runs WHERE article_id = {ids[0]}")
        old.close()
    store = store_backend.open()
    assert store.schema_version == len(MIGRATIONS)
    assert store.stage_coverage() == {"clean": ARTICLES, "reuse": ARTICLES,
                                      "stories": ARTICLES}
    assert "stage_runs_article" in _plan(
        store, store_backend, f"DELETE FROM stage_runs WHERE article_id = {ids[0]}")
