"""The planner's statistics after a large write (``Store.refresh_statistics``): PostgreSQL
sizes a table by them, and an autovacuum ANALYZE that sampled ``story_df`` during its first
fold (100,000 keys, uncommitted) recorded 2 rows, so every key lookup read the whole table
until the next ANALYZE (docs/benchmarks.md, "PostgreSQL, part 4")."""

from __future__ import annotations

import pytest

import newsweave.store.story_frequencies as stories_store
from conftest import StoreBackend

KEYS = range(10**6, 10**6 + 5000)


def _sample_from_outside(location: str) -> None:
    """An ANALYZE of story_df by another session, as autovacuum's: skipped when the
    table is locked by an ANALYZE of ours."""
    import psycopg

    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute("ANALYZE (SKIP_LOCKED) story_df")


def test_a_fold_leaves_the_planner_the_tables_true_size(
        store_backend: StoreBackend, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(stories_store, "FOLD_KEYS", 1000)
    store = store_backend.open()
    postgres = store_backend.name == "postgresql"
    store.stories.document_count()  # the counter rows exist: a table of two rows
    if postgres:
        _sample_from_outside(store_backend.location)
    with store.transaction():
        store.stories.add_counts(dict.fromkeys(KEYS, 1))  # 5,000 pending keys: a fold
        assert store._db.execute("SELECT count(*) FROM story_df_pending").fetchone()[0] == 0
        if postgres:  # autovacuum's sample, taken while the fold is uncommitted
            _sample_from_outside(store_backend.location)
    assert store.stories.document_frequencies([KEYS[0], KEYS[-1], 7]) == {
        KEYS[0]: 1, KEYS[-1]: 1, 7: 0}
    if not postgres:
        return
    tuples = store._db.execute(
        "SELECT reltuples FROM pg_class WHERE relname = 'story_df'").fetchone()[0]
    assert tuples >= 0.9 * len(KEYS), "the planner was left the table's size before the fold"
    plan = "\n".join(r[0] for r in store._db.execute(
        "EXPLAIN SELECT df FROM story_df WHERE key = 1000003").fetchall())
    assert "Index" in plan and "Seq Scan" not in plan, plan
