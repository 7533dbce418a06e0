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


# -- many processes, one store (issue 11) --------------------------------------


def test_nested_transaction_is_a_savepoint(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    with store.transaction():
        store.add_articles([make_article(1)], [{}])
        with pytest.raises(RuntimeError), store.transaction():
            store.add_articles([make_article(2)], [{}])
            raise RuntimeError("inner step failed")
        store.add_articles([make_article(3)], [{}])
    # The failed inner block is undone alone; the outer transaction commits the rest.
    assert [a.content_hash for a in store.iter_articles()] == ["hash1", "hash3"]
    store.close()


def test_duplicates_are_checked_under_the_write_lock(tmp_path):
    path = str(tmp_path / "s.db")
    first, second = open_store(path), open_store(path)
    # Both saw no hash1 before writing (the check outside the lock is only a shortcut).
    assert first.known_hashes(["hash1"]) == second.known_hashes(["hash1"]) == {}
    assert first.insert_new_articles([make_article(1)], [{}]) == [(1, True)]
    assert second.insert_new_articles([make_article(1), make_article(2)], [{}, {}]) == [
        (1, False), (2, True)]
    assert first.count_articles() == 2
    first.close()
    second.close()


def test_claims_are_exclusive_and_lapse_with_their_process(tmp_path):
    path = str(tmp_path / "s.db")
    first, second = open_store(path), open_store(path)
    first.add_articles([make_article(i) for i in range(5)], [{}] * 5)
    second.progress.owner = "elsewhere-test:1:1"  # another process (an unknown machine)
    a = first.claim("reuse", 1, 3)
    b = second.claim("reuse", 1, 3)
    assert (a, b) == ([1, 2, 3], [4, 5])
    assert first.claim("reuse", 1, 3) == []
    # A later stage takes only articles the earlier one has finished.
    first.mark_done("reuse", [1, 2], 1)
    assert first.claim("stories", 1, 10, after=[("reuse", 1)]) == [1, 2]
    # A claim whose owner died is released: the next run takes the work up.
    import socket

    with first.transaction() as db:
        db.execute("UPDATE stage_claims SET owner = ? WHERE article_id = 3",
                   (f"{socket.gethostname()}:999999999:0",))
    assert first.claim("reuse", 1, 10) == [3]
    first.release_claims()  # its run ended without finishing 3
    assert second.claim("reuse", 1, 10) == [3]  # 4, 5 are still its own
    assert first.claim("reuse", 1, 10) == []
    second.release_claims()
    assert first.claim("reuse", 1, 10) == [3, 4, 5]
    first.close()
    second.close()


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


def test_a_lock_held_too_long_is_one_clear_error(tmp_path):
    from newsweave.errors import StoreBusyError

    path = str(tmp_path / "s.db")
    holder, waiter = open_store(path), open_store(path)
    with holder.transaction():
        holder.add_articles([make_article(1)], [{}])
        with waiter.waiting_at_most(0.3), pytest.raises(StoreBusyError,
                                                        match="stayed locked by another"):
            waiter.add_articles([make_article(2)], [{}])
    waiter.add_articles([make_article(2)], [{}])  # free again: it goes through
    assert waiter.count_articles() == 2
    holder.close()
    waiter.close()


def test_processes_opening_a_fresh_store_at_once_migrate_it_once(tmp_path):
    import subprocess
    import sys

    path = str(tmp_path / "s.db")
    code = ("import sys; from newsweave.store import open_store; "
            "open_store(sys.argv[1]).close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, path], stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    db = sqlite3.connect(path)
    versions = [r[0] for r in db.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))


def test_vector_index_sees_rows_other_processes_wrote_below_its_last_id(tmp_path):
    import numpy as np

    from newsweave.nlp.embed import MODEL_NAME
    from newsweave.reuse.semantic import VectorIndex

    path = str(tmp_path / "s.db")
    mine, other = open_store(path), open_store(path)
    mine.add_articles([make_article(i) for i in range(3)], [{}] * 3)
    unit = np.eye(4, dtype=np.float32)
    mine.reuse.save_vectors(MODEL_NAME, {3: unit[0]})  # this process did article 3 first
    index = VectorIndex(MODEL_NAME)
    index.refresh(mine)
    other.reuse.save_vectors(MODEL_NAME, {1: unit[1]})  # another process, a lower id
    index.refresh(mine)
    ids, scores = index.cosines(unit[1])
    assert ids.tolist() == [1, 3] and scores.tolist() == [1.0, 0.0]
    mine.close()
    other.close()


def test_a_database_error_reading_stories_is_not_no_stories(tmp_path):
    from newsweave.extract.resolve import story_of

    store = open_store(str(tmp_path / "s.db"))
    store.add_articles([make_article(1)], [{}])
    assert story_of(store, [1]) == {}  # no stories yet: an empty map
    store._db.execute("DROP TABLE story_members")  # a damaged store
    with pytest.raises(sqlite3.OperationalError, match="story_members"):
        story_of(store, [1])
    store.close()
