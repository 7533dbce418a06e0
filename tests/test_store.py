import sqlite3

import pytest

from newsweave.errors import StoreError
from newsweave.model import Article, Removal
from newsweave.store import open_store
from newsweave.store.migrations import MIGRATIONS


def make_article(n: int, outlet: str | None = "Outlet") -> Article:
    return Article(
        id=None, content_hash=f"hash{n}", raw=f"raw {n}", raw_format="text", text=f"Body {n}.",
        source=f"file{n}.txt", title=f"Title {n}", outlet=outlet,
        removed=[Removal("Advertisement", "advert"), Removal("Share", "share-widget")],
        metadata={"tags": ["a", n]},
    )


def test_fresh_store_is_migrated_in_wal_mode_with_foreign_keys(tmp_path):
    path = tmp_path / "s.db"
    store = open_store(str(path))
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT max(version) FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    store = open_store(str(path))
    assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


def test_articles_round_trip_with_removal_log_in_order(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    ids = store.add_articles([make_article(1), make_article(2)], [{"a": True}, {}])
    assert ids == [1, 2]
    got = store.get_article(2, raw=True)
    assert got is not None
    assert (got.title, got.raw, got.text) == ("Title 2", "raw 2", "Body 2.")
    assert [r.reason for r in got.removed] == ["advert", "share-widget"]
    assert got.metadata == {"tags": ["a", 2]}
    assert got.ingested_at
    assert store.get_article(1).raw == ""  # raw only on request
    assert store.get_article(99) is None
    assert store.known_hashes(["hash1", "nope", "hash2"]) == {"hash1": 1, "hash2": 2}
    assert store.count_articles() == 2
    store.close()


def test_a_failing_batch_writes_nothing(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    store.add_articles([make_article(1)], [{}])
    # The second article repeats a stored hash: the whole batch must roll back.
    with pytest.raises(sqlite3.IntegrityError):
        store.add_articles([make_article(2), make_article(1)], [{}, {}])
    assert store.count_articles() == 1
    assert store.known_hashes(["hash2"]) == {}
    assert store.check_integrity() == []
    store.close()


def test_data_survives_reopening(tmp_path):
    path = str(tmp_path / "s.db")
    store = open_store(path)
    store.add_articles([make_article(1)], [{}])
    store.close()
    store = open_store(path)
    assert store.get_article(1).title == "Title 1"
    store.close()


def test_recurring_lines_count_distinct_articles_of_one_outlet(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    articles = [make_article(i) for i in range(3)] + [make_article(9, outlet="Other")]
    keys = [{"follow us": True, "x": True}, {"follow us": True}, {"follow us": False}, {"x": True}]
    store.add_articles(articles, keys)
    assert store.recurring_lines("Outlet", 3) == frozenset({"follow us"})
    assert store.recurring_lines("Outlet", 4) == frozenset()
    # Only articles whose body still holds the line need cleaning again.
    assert store.articles_with_lines("Outlet", ["follow us"]) == [1, 2]
    store.close()


def test_newer_schema_is_refused(tmp_path):
    path = str(tmp_path / "s.db")
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS) + 5,))
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer than this newsweave supports"):
        open_store(path)


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE people (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a newsweave store"):
        open_store(str(path))
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("people",)]


def test_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 50)
    with pytest.raises(StoreError, match="not a newsweave store"):
        open_store(str(path))
    assert path.read_text().startswith("these are my notes")


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(tmp_path / "nope" / "s.db"))


# -- many processes, one store (issue 11; the rest, on both backends, in
#    test_store_backends.py) -----------------------------------------------------


def test_work_on_a_recleaned_article_is_not_marked_done(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    store.add_articles([make_article(1)], [{}])
    assert store.claim("reuse", 1, 10) == [1]
    store.replace_clean_text([(1, "A new body.", [], {})])  # meanwhile, another process
    store.mark_done("reuse", [1], 1)  # the stage finishes its work on the old body
    assert store.pending("reuse", 1) == [1]
    assert store.claim("reuse", 1, 10) == [1]
    store.close()


def test_read_only_never_creates_or_writes(tmp_path):
    path = tmp_path / "s.db"
    with pytest.raises(StoreError, match="no store here"):
        open_store(str(path), readonly=True)
    assert not path.exists()
    writer = open_store(str(path))
    writer.add_articles([make_article(1)], [{}])
    reader = open_store(str(path), readonly=True)
    assert reader.get_article(1).title == "Title 1"
    with pytest.raises(StoreError, match="read-only"):
        reader.add_articles([make_article(2)], [{}])
    with pytest.raises(sqlite3.OperationalError):
        reader._db.execute("DELETE FROM articles")
    writer.add_articles([make_article(3)], [{}])
    assert reader.count_articles() == 2  # it sees what writers commit
    reader.close()
    writer.close()


def test_read_only_refuses_an_outdated_store(tmp_path):
    path = str(tmp_path / "s.db")
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute("DELETE FROM schema_version WHERE version = (SELECT max(version) "
               "FROM schema_version)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="older than this newsweave"):
        open_store(path, readonly=True)


def test_a_database_error_reading_stories_is_not_no_stories(tmp_path):
    from newsweave.extract.resolve import story_of

    store = open_store(str(tmp_path / "s.db"))
    store.add_articles([make_article(1)], [{}])
    assert story_of(store, [1]) == {}  # no stories yet: an empty map
    store._db.execute("DROP TABLE story_members")  # a damaged store
    with pytest.raises(sqlite3.OperationalError, match="story_members"):
        story_of(store, [1])
    store.close()
