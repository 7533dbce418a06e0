"""An outlet's recurring lines follow every write, though SQLite remembers them between
writes (#16 item 4): on both backends, through the ``store_backend`` fixture."""

from __future__ import annotations

from conftest import StoreBackend
from newsweave.model import Article


def article(n: int, outlet: str = "Outlet") -> Article:
    return Article(id=None, content_hash=f"hash{n}", raw=f"raw {n}", raw_format="text",
                   text=f"Body {n}.", source=f"file{n}.txt", outlet=outlet)


def test_recurring_lines_follow_this_connections_writes(store_backend: StoreBackend):
    store = store_backend.open()
    store.add_articles([article(1), article(2)], [{"follow us": True}, {"follow us": True}])
    assert store.recurring_lines("Outlet", 3) == frozenset()
    store.add_articles([article(3)], [{"follow us": True}])
    assert store.recurring_lines("Outlet", 3) == frozenset({"follow us"})
    with store.transaction():  # inside an open transaction too
        store.add_articles([article(4)], [{"read more": True}])
        store.add_articles([article(5)], [{"read more": True}])
        store.add_articles([article(6)], [{"read more": True}])
        assert store.recurring_lines("Outlet", 3) == frozenset({"follow us", "read more"})
    assert store.recurring_lines("Other", 1) == frozenset()


def test_recurring_lines_follow_another_connections_commits(store_backend: StoreBackend):
    reader, writer = store_backend.open(), store_backend.open()
    writer.add_articles([article(1), article(2)], [{"follow us": True}, {"follow us": True}])
    assert reader.recurring_lines("Outlet", 3) == frozenset()
    assert reader.recurring_lines("Outlet", 2) == frozenset({"follow us"})
    writer.add_articles([article(3)], [{"follow us": True}])
    assert reader.recurring_lines("Outlet", 3) == frozenset({"follow us"})
    with writer.transaction() as db:
        db.execute("DELETE FROM articles WHERE id = 3")
    assert reader.recurring_lines("Outlet", 3) == frozenset()
