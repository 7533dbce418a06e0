"""The lists' change counter on SQLite is not asked again while no transaction has
committed since it was read (the store's WAL index header is unchanged), and is asked
after every commit of any connection or process; on both backends it follows every write."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from newsweave.model import Article
from newsweave.store import open_store
from newsweave.store.listing import _WalHeader


def _add(store, tag: str) -> None:
    made = [Article(id=None, content_hash=hashlib.sha256(tag.encode()).hexdigest(),
                    raw=f"Report {tag}.", raw_format="text", text=f"Report {tag}.",
                    source=tag, title=f"Report {tag}", outlet="Outlet", outlet_how="input",
                    published="2025-01-01T00:00:00Z", published_how="input", language="en",
                    url=f"https://example.org/{tag}", author="W")]
    store.add_articles(made, [{}])


def _sql(store) -> tuple[int, int, int]:
    row = store._db.execute(
        "SELECT (SELECT coalesce(max(rowid), 0) FROM stage_runs), "
        "(SELECT coalesce(max(id), 0) FROM articles), "
        "(SELECT coalesce(max(seq), 0) FROM story_log)").fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def test_the_state_is_read_again_only_after_a_commit(tmp_path):
    db = str(tmp_path / "store.db")
    writer = open_store(db)
    _add(writer, "a")
    reader = open_store(db, readonly=True)
    asked: list[str] = []
    reader._db.set_trace_callback(asked.append)
    tables = reader.search
    first = tables.listing_state()
    assert isinstance(tables._wal, _WalHeader)
    tables.listing_state()  # the header read after the first state: asked once more
    asked.clear()
    for _ in range(5):
        assert tables.listing_state() == first
    assert asked == []  # nothing committed: no statement
    _add(writer, "b")  # another connection commits
    moved = tables.listing_state()
    assert moved != first and moved == _sql(writer) and len(asked) == 1
    writer._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL restarted
    _add(writer, "c")
    assert tables.listing_state() == _sql(writer) != moved
    before = _sql(writer)
    writer._db.execute("BEGIN")  # a transaction not committed yet changes nothing seen
    writer._db.execute(
        "INSERT INTO story_log(action, story_id, articles, at) VALUES ('x', 1, '[]', 'now')")
    asked.clear()
    assert tables.listing_state() == before and asked == []
    writer._db.execute("COMMIT")
    assert tables.listing_state()[2] == _sql(writer)[2] > 0
    reader.close()
    writer.close()


def test_the_state_follows_every_write_on_both_backends(store_backend):
    writer = store_backend.open()
    reader = store_backend.open()
    seen = [reader.search.listing_state()]
    for step in range(4):
        _add(writer, f"w{step}")
        seen.append(reader.search.listing_state())
        assert seen[-1] != seen[-2] and seen[-1] == writer.search.listing_state()
        assert reader.search.listing_state() == seen[-1]
    reader.close()
    writer.close()


def test_no_header_where_there_is_no_wal_index(tmp_path):
    assert _WalHeader.open(object(), str(tmp_path / "x.db")) is None  # another backend
    store = open_store(":memory:")
    assert _WalHeader.open(store._db, ":memory:") is None
    store.close()


def test_a_closed_store_raises_before_its_header_is_read(tmp_path):
    db = str(tmp_path / "store.db")
    store = open_store(db)
    _add(store, "a")
    store.search.listing_state()
    store.search.listing_state()
    assert isinstance(store.search._wal, _WalHeader)
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.search.listing_state()
