"""Batched writes give what the rows one by one would, on both backends (issue 16 items 1
and 4): the PostgreSQL store sends an ``executemany`` as one statement over arrays
(``store/postgres_bulk.py``), and the article tables write a batch's removal logs and line
keys at once. Also: how many statements an insert of many articles costs on PostgreSQL.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import PostgresServer, StoreBackend, require_postgres
from newsweave.model import Removal
from newsweave.store.postgres_bulk import bulk_form
from test_store_backends import make_article

TYPES = {("t", "a"): "bigint", ("t", "b"): "text", ("t", "c"): "double precision"}


def _stored(store, sql: str, params: tuple = ()) -> list[tuple]:
    return [tuple(r) for r in store._db.execute(sql, params).fetchall()]


def _stories(db, *ids: int) -> None:
    db.executemany("INSERT INTO stories (id, created_at, updated_at) VALUES (?, 't', 't')",
                   [(i,) for i in ids])


def test_upserts_that_copy_the_row_keep_the_last_row_of_a_key(store_backend: StoreBackend):
    store = store_backend.open()
    store.add_articles([make_article(1), make_article(2)], [{}, {}])
    with store.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO stage_runs (stage, article_id, version) "
                       "VALUES (?, ?, ?)", [("s", 1, 1), ("s", 2, 5), ("s", 1, 2), ("s", 1, 3)])
        _stories(db, 10, 11, 20)
        db.executemany("INSERT INTO story_members (article_id, story_id) VALUES (?, ?) "
                       "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
                       [(1, 10), (2, 20), (1, 11)])
    assert _stored(store, "SELECT article_id, version FROM stage_runs WHERE stage = 's' "
                   "ORDER BY article_id") == [(1, 3), (2, 5)]
    assert _stored(store, "SELECT article_id, story_id FROM story_members "
                   "ORDER BY article_id") == [(1, 11), (2, 20)]


def test_an_upsert_that_reads_the_stored_row_adds_up_row_by_row(store_backend):
    store = store_backend.open()
    with store.transaction() as db:
        db.executemany("INSERT INTO story_df (key, df) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET df = df + excluded.df",
                       [(7, 1), (7, 2), (8, 1), (7, 4)])
    assert _stored(store, "SELECT key, df FROM story_df ORDER BY key") == [(7, 7), (8, 1)]


def test_deletes_and_updates_by_key_match_the_rows_one_by_one(store_backend):
    store = store_backend.open()
    store.add_articles([make_article(i) for i in (1, 2, 3)], [{}, {}, {}])
    with store.transaction() as db:
        _stories(db, 10, 20)
        db.executemany("INSERT INTO story_keys (key, story_id) VALUES (?, ?)",
                       [(k, s) for k in (1, 2, 3) for s in (10, 20)])
        db.executemany("DELETE FROM story_keys WHERE key = ? AND story_id = ?",
                       [(1, 10), (2, 20), (1, 10), (9, 9)])
        db.executemany("UPDATE articles SET title = ?, published = ? WHERE id = ?",
                       [("first", "2026-01-01", 1), ("second", None, 2), ("again", "x", 1)])
    assert _stored(store, "SELECT key, story_id FROM story_keys ORDER BY key, story_id") == [
        (1, 20), (2, 10), (3, 10), (3, 20)]
    assert _stored(store, "SELECT id, title, published FROM articles ORDER BY id") == [
        (1, "again", "x"), (2, "second", None), (3, "Title 3", None)]


def test_values_of_mixed_types_in_one_column_are_stored_as_row_by_row(store_backend):
    store = store_backend.open()
    store.add_articles([make_article(i) for i in (1, 2, 3)], [{}, {}, {}])
    rows = [(1, 2, 1, 2, "copy", 1, 0.5, 0.25, None, "[]", "[]"),  # an int in a REAL column
            (1, 3, 1, 3, "copy", 0.75, 1, 0, None, "[]", "[]")]
    with store.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO reuse_pairs (a, b, derived, source, kind, "
                       "score, confidence, shared_fraction, attribution, reasons, evidence) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        # numpy and Python integers in one column (PostgreSQL only: SQLite binds neither
        # numpy type): psycopg cannot send them as one array, so this batch goes row by
        # row (nothing was sent before it does).
        first = np.int64(1) if store_backend.name == "postgresql" else 1
        db.executemany("INSERT INTO stage_log (stage, article_id, version, owner, at) "
                       "VALUES (?, ?, ?, ?, ?)", [("s", first, 1, "me", "t"),
                                                  ("s", 2, 1, "me", "t")])
    assert _stored(store, "SELECT b, score, confidence, shared_fraction FROM reuse_pairs "
                   "ORDER BY b") == [(2, 1.0, 0.5, 0.25), (3, 0.75, 1.0, 0.0)]
    assert _stored(store, "SELECT article_id FROM stage_log WHERE stage = 's' "
                   "ORDER BY article_id") == [(1,), (2,)]


def test_recleaning_one_article_twice_in_a_call_keeps_the_last_body(store_backend):
    store = store_backend.open()
    store.add_articles([make_article(1), make_article(2)], [{"k1": True}, {"k2": True}])
    store.replace_clean_text([
        (1, "First new body.", [Removal("x", "one")], {"a": True}),
        (2, "Body 2.", [], {}),  # unchanged: left alone
        (1, "Second new body.", [Removal("y", "two"), Removal("z", "three")], {"b": False}),
    ])
    one, two = store.get_article(1), store.get_article(2)
    assert one.text == "Second new body."
    assert [(r.text, r.reason) for r in one.removed] == [("y", "two"), ("z", "three")]
    assert [r.reason for r in two.removed] == ["advert", "share-widget"]
    assert _stored(store, "SELECT article_id, line_key, in_body FROM outlet_lines "
                   "ORDER BY article_id, line_key") == [(1, "b", 0), (2, "k2", 1)]
    assert store.stages_done([1, 2]) == {1: [("clean", 1)], 2: [("clean", 1)]}


def test_an_article_is_read_with_its_removal_log_in_order(store_backend):
    store = store_backend.open()
    bare = make_article(2)
    bare.removed = []
    many = make_article(1)
    many.removed = [Removal(f"line {i}", f"reason {i}") for i in range(12)]
    store.add_articles([many, bare], [{}, {}])
    assert [(r.text, r.reason) for r in store.get_article(1).removed] == [
        (f"line {i}", f"reason {i}") for i in range(12)]
    assert store.get_article(2, raw=True).removed == []
    assert store.get_article(2, raw=True).raw == "raw 2"


def test_storing_many_articles_costs_a_few_statements_more_than_one_per_article(
        postgres_server: PostgresServer):
    """Each new article is one INSERT; its removal log, line keys and progress go for the
    whole batch (before: four statements more per article on PostgreSQL)."""
    import psycopg

    server = require_postgres(postgres_server)
    backend = StoreBackend("postgresql", server.new_database())
    store = backend.open()
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(self, query, params=None, **kw):
        sent.append(str(query))
        return execute(self, query, params, **kw)

    psycopg.Cursor.execute = counted
    try:
        store.add_articles([make_article(i) for i in range(40)],
                           [{f"line {i}": True} for i in range(40)])
    finally:
        psycopg.Cursor.execute = execute
        backend.close()
        server.drop_database(backend.location)
    assert len(sent) <= 40 + 10, sent


@pytest.mark.parametrize("sql", [
    "UPDATE t SET b = b || %s WHERE a = %s",  # reads the stored row
    "UPDATE t SET a = %s WHERE a = %s",  # the key itself changes
    "DELETE FROM t WHERE a > %s",
    "INSERT INTO t (a, b) VALUES (%s, 'x')",  # a constant among the values
    "INSERT INTO t (a, b) VALUES (%s, %s) ON CONFLICT (a) DO UPDATE SET c = t.c + 1",
    "INSERT INTO t (a, d) VALUES (%s, %s)",  # a column of unknown type
])
def test_statements_without_a_bulk_form_stay_row_by_row(sql):
    assert bulk_form(sql, TYPES) is None


def test_an_upsert_into_a_table_with_an_identity_id_stays_row_by_row():
    sql = ("INSERT INTO t (a, b) VALUES (%s, %s) ON CONFLICT (a) DO UPDATE SET "
           "b = EXCLUDED.b")
    assert bulk_form(sql, TYPES).key == (0,)
    assert bulk_form(sql, TYPES, {"t"}) is None
