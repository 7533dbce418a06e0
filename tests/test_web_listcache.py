"""The lists under writes: a page is computed again once after a store change, the
previous consistent page is served while that refill runs (never after it), a page asked
for the first time is computed by one request, the "origins" order is recounted by one
thread while the others walk the previous one, and a story's confidence is computed once
however many requests list it at the same time."""

from __future__ import annotations

import hashlib
import threading

import pytest
from starlette.testclient import TestClient

from newsweave.engine import Engine
from newsweave.model import Article
from newsweave.store.listing import _ORIGINS_LOCKS, StoryFilter
from newsweave.store.stories import StoryRow
from newsweave.web import create_app, views
from newsweave.web import listing as web_listing
from newsweave.web.listcache import ListCache, Served
from newsweave.web.respond import LIST_STATE


def _articles(store, count: int, tag: str) -> list[int]:
    made = [Article(id=None, content_hash=hashlib.sha256(f"{tag} {i}".encode()).hexdigest(),
                    raw=f"Report {tag} {i}.", raw_format="text", text=f"Report {tag} {i}.",
                    source=f"{tag}-{i}", title=f"Report {tag} {i}", outlet=f"Outlet {i % 3}",
                    outlet_how="input", published=f"2025-01-{1 + i % 28:02d}T00:00:00Z",
                    published_how="input", language="en", url=f"https://example.org/{tag}/{i}",
                    author=f"Writer {i}") for i in range(count)]
    return store.add_articles(made, [{} for _ in made])


def _story(store, members: list[int]) -> int:
    story = store.stories.new_story(StoryRow(0, len(members), "a story", None, None, None,
                                             739000, 739010))
    store.stories.set_members(story, members)
    store.mark_done("test-stage", members, 1)  # what the stories stage's commit leaves
    return story


class _Gate:
    """A computation that blocks until released, and counts its calls."""

    def __init__(self, value: object, complete: bool = True) -> None:
        self.value, self.complete = value, complete
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> tuple[object, bool]:
        self.calls += 1
        self.entered.set()
        assert self.release.wait(10)
        return self.value, self.complete


def _in_thread(fn) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(fn()))
    thread.start()
    return thread, out


def test_the_previous_page_is_served_only_while_its_refill_runs():
    cache = ListCache()
    assert cache.page("home", 1, lambda: ("page at 1", True)) == "page at 1"
    assert cache.page("home", 1, lambda: pytest.fail("computed again")) == "page at 1"
    assert cache.hits == 1
    # the store changed: the first request refills; one arriving meanwhile gets the
    # previous page at once instead of computing it too
    refill = _Gate("page at 2")
    thread, out = _in_thread(lambda: cache.page("home", 2, refill))
    assert refill.entered.wait(10)
    assert cache.page("home", 2, lambda: pytest.fail("a second refill")) == "page at 1"
    assert cache.stale == 1
    refill.release.set()
    thread.join(10)
    assert out == ["page at 2"] and refill.calls == 1
    # once the refill ended, never the previous page again
    assert cache.page("home", 2, lambda: pytest.fail("computed again")) == "page at 2"
    assert cache.page("home", 3, lambda: ("page at 3", True)) == "page at 3"


def test_a_first_computation_is_waited_for_not_repeated():
    cache = ListCache()
    first = _Gate("computed once")
    thread, out = _in_thread(lambda: cache.page("cold", 1, first))
    assert first.entered.wait(10)
    waiting = threading.Event()
    refill = cache._pages["cold"].refill
    assert refill is not None
    refill.wait = lambda timeout=None: (waiting.set(),  # type: ignore[method-assign]
                                        threading.Event.wait(refill, timeout))[1]
    waiter, waited = _in_thread(lambda: cache.page("cold", 1, lambda: pytest.fail("twice")))
    assert waiting.wait(10)  # the second request waits for the first's computation
    first.release.set()
    thread.join(10)
    waiter.join(10)
    assert out == waited == ["computed once"] and first.calls == 1 and cache.misses == 1


def test_an_incomplete_page_is_computed_again_and_a_failed_one_not_kept():
    cache = ListCache()
    assert cache.page("p", 1, lambda: ("confidence refreshing", False)) == "confidence refreshing"
    assert cache.page("p", 1, lambda: ("all current", True)) == "all current"
    assert cache.page("p", 1, lambda: pytest.fail("complete: kept")) == "all current"

    def broken() -> tuple[object, bool]:
        raise RuntimeError("the store is busy")

    with pytest.raises(RuntimeError):
        cache.page("q", 1, broken)
    assert cache.page("q", 1, lambda: ("computed after", True)) == "computed after"
    off = ListCache(0)
    assert off.page("p", 1, lambda: ("a", True)) == "a"
    assert off.page("p", 1, lambda: ("b", True)) == "b"  # nothing kept


def test_a_list_after_a_write_is_the_previous_one_until_the_refill_thread_ends(
        store_backend, monkeypatch):
    store = store_backend.open()
    ids = _articles(store, 6, "listed")
    old = _story(store, ids[:4])
    store.close()
    path = "/api/v1/stories?sort=newest&size=10"
    with TestClient(create_app(store_backend.location)) as client:
        client.get(path)  # computed in the request, its confidences by the refill thread
        lists: ListCache = client.app.state.lists  # type: ignore[attr-defined]
        assert lists.settle(10)
        refilled = lists.refills  # the first spans of each sort at start, confidences
        first = client.get(path)
        before = first.json()["stories"]
        assert [s["id"] for s in before] == [old]
        tag = first.headers[LIST_STATE]
        assert "refilling" not in tag
        writer = store_backend.open()
        new = _story(writer, _articles(writer, 2, "later"))
        writer.close()
        # the refill after the write is held inside the list's computation, which runs in
        # the list cache's refill thread: no request waits for it
        gate = threading.Event()
        entered = threading.Event()
        threads: set[str] = set()
        real = web_listing._records  # a span's stories' records (see web/spans.py, Records)

        def held(*args, **kwargs):
            threads.add(threading.current_thread().name)
            entered.set()
            assert gate.wait(10)
            return real(*args, **kwargs)

        monkeypatch.setattr(web_listing, "_records", held)
        stale = client.get(path)
        assert stale.json()["stories"] == before  # at once, the previous consistent page
        assert stale.headers[LIST_STATE] == f"{tag}; refilling"
        assert entered.wait(10)
        during = client.get(path)  # the refill runs: still the previous page, no 2nd refill
        assert during.json()["stories"] == before and "refilling" in during.headers[LIST_STATE]
        gate.set()
        assert lists.settle(10)
        monkeypatch.setattr(web_listing, "_records", real)
        assert threads == {"list-refills"} and lists.refills == refilled + 1
        # once the refill ended, never the previous page again
        after = client.get(path)
        assert [s["id"] for s in after.json()["stories"]][:1] == [new]
        assert {s["id"] for s in after.json()["stories"]} == {old, new}
        assert "refilling" not in after.headers[LIST_STATE] and after.headers[LIST_STATE] != tag


def test_refills_in_the_background_are_one_per_page_and_a_failed_one_keeps_the_page():
    cache = ListCache()
    assert cache.page("home", 1, lambda: ("page at 1", True)) == "page at 1"
    gate = _Gate((2, "page at 2", True))

    def refill() -> tuple[object, object, bool]:
        return gate()[0]  # type: ignore[return-value]

    served = cache.serve("home", 2, lambda: pytest.fail("computed in the request"), refill)
    assert served.value == "page at 1" and served.state == 1 and not served.current
    assert gate.entered.wait(10)
    # asked again while the refill runs: the previous page, no second refill
    again = cache.serve("home", 2, lambda: pytest.fail("computed in the request"),
                        lambda: pytest.fail("a second refill"))
    assert again.value == "page at 1"
    gate.release.set()
    assert cache.settle(10)
    assert gate.calls == 1 and cache.refills == 1
    assert cache.serve("home", 2, lambda: pytest.fail("kept"), refill) == Served(
        "page at 2", 2, True)

    def broken() -> tuple[object, object, bool]:
        raise RuntimeError("the store is busy")

    assert cache.page("home", 3, lambda: pytest.fail("in the request"), broken) == "page at 2"
    assert cache.settle(10)
    # the failed refill left the page as it was, and the next request asks again
    assert cache.page("home", 3, lambda: pytest.fail("in the request"),
                      lambda: (3, "page at 3", True)) == "page at 2"
    assert cache.settle(10)
    assert cache.page("home", 3, lambda: pytest.fail("kept")) == "page at 3"
    cache.stop()


def test_origins_order_of_the_previous_state_while_another_thread_recounts(store_backend):
    store = store_backend.open()
    tables = store.search
    first = _articles(store, 6, "first")
    a = _story(store, first[:4])
    store.reuse.set_origins({first[1]: [first[0]]})  # a has 3 origins
    b = _story(store, first[4:])
    assert tables.story_page("origins", StoryFilter(), None, 10) == [(a, 3.0), (b, 2.0)]
    assert tables.stale_order is False
    # a new story of 4 independent articles; the order's recount is another thread's
    c = _story(store, _articles(store, 4, "new"))
    lock = _ORIGINS_LOCKS[store.path]
    with lock:
        assert tables.story_page("origins", StoryFilter(), None, 10) == [(a, 3.0), (b, 2.0)]
        assert tables.stale_order is True
    assert tables.story_page("origins", StoryFilter(), None, 10) == [
        (c, 4.0), (a, 3.0), (b, 2.0)]
    assert tables.stale_order is False
    # a filtered page after a write shows the write (the filter's stories read again)
    outlet = StoryFilter(outlet="Outlet 1")
    before = tables.story_page("largest", outlet, None, 10)
    d = _story(store, _articles(store, 9, "outlet"))  # 3 of Outlet 1
    assert tables.story_page("largest", outlet, None, 10) == [(d, 9.0), *before]
    store.close()


def test_the_article_list_reads_the_fields_a_whole_article_gives(store_backend):
    store = store_backend.open()
    _articles(store, 7, "fields")
    tables = store.search
    for outlet in (None, "Outlet 1"):
        rows = [views.listed_article(r) for r in tables.article_rows(0, 5, outlet=outlet)]
        whole = [store.get_article(i) for i in tables.article_page(0, 5, outlet=outlet)]
        assert rows == [{**views.article_summary(a), "outlet_how": a.outlet_how,
                         "published_how": a.published_how} for a in whole]
        assert rows and all(r["url"] and r["author"] for r in rows)
    store.close()


def test_a_story_listed_by_two_requests_at_once_is_computed_once(db_path, monkeypatch):
    import newsweave
    from newsweave.web import confidence

    engine = newsweave.open(db_path)
    ids = _articles(engine.store, 3, "shared")
    _story(engine.store, ids)
    stories = engine.stories(confidence=False)
    calls: list[list[int]] = []
    entered, release = threading.Event(), threading.Event()
    real = confidence._compute_listed

    def slow(engine_, listed):
        calls.append([s.id for s in listed])
        if listed:
            entered.set()
            assert release.wait(10)
        return real(engine_, listed)

    monkeypatch.setattr(confidence, "_compute_listed", slow)
    kept = confidence.Confidences(lambda: newsweave.open(db_path, readonly=True))

    def fill() -> dict[int, bool]:  # a request's thread, with its own engine
        with newsweave.open(db_path, readonly=True) as own:
            return kept.fill(own, own.stories(confidence=False))

    thread, out = _in_thread(fill)
    assert entered.wait(10)
    # the second request finds the stories being computed and waits for that
    waiting = threading.Event()
    (computing,) = set(kept._computing.values())
    computing.wait = lambda timeout=None: (waiting.set(),  # type: ignore[method-assign]
                                           threading.Event.wait(computing, timeout))[1]
    waiter, waited = _in_thread(fill)
    assert waiting.wait(10)
    release.set()
    thread.join(10)
    waiter.join(10)
    assert [c for c in calls if c] == [[s.id for s in stories]]  # once, not twice
    assert out == waited and set(out[0].values()) == {True}
    kept.stop()
    engine.close()


def test_the_story_lists_state_skips_storing_and_cleaning_new_articles(store_backend):
    from newsweave.settings import load_settings
    from newsweave.store.progress import CLEANED

    store = store_backend.open()
    tables = store.search
    old = _articles(store, 4, "old")
    story = _story(store, old[:3])
    first, raw = tables.story_listing_state(), tables.listing_state()
    # an ingest's first commits: articles stored, then cleaned; no story can show them yet
    new = _articles(store, 2, "new")
    assert tables.story_listing_state() == first and tables.listing_state() != raw
    store.mark_done(CLEANED[0], new, CLEANED[1])
    assert tables.story_listing_state() == first
    # the stories stage's commit: a change
    _story(store, new)
    second = tables.story_listing_state()
    assert second != first
    # cleaning a member again (a revision) is a change; another stage's commit too
    store.mark_done(CLEANED[0], [old[0]], CLEANED[1])
    third = tables.story_listing_state()
    assert third != second
    store.mark_done("reuse", [old[3]], 1)
    fourth = tables.story_listing_state()
    assert fourth != third
    # a user's split (story log) is a change
    Engine(store, load_settings(db=store_backend.location), stages=[]).split_story(
        story, old[:1])
    assert tables.story_listing_state() != fourth
    store.close()


def test_a_page_read_ahead_is_computed_once_by_the_refill_thread_or_the_request():
    cache = ListCache()
    ahead = _Gate((1, "page 2", True))

    def refill_two() -> tuple[object, object, bool]:
        return ahead()[0]  # type: ignore[return-value]

    cache.ahead("page 2", refill_two)
    assert ahead.entered.wait(10)
    cache.ahead("page 2", lambda: pytest.fail("read ahead twice"))
    # asked for while the refill thread computes it: waited for, not computed again
    thread, out = _in_thread(lambda: cache.page("page 2", 1, lambda: pytest.fail("twice")))
    ahead.release.set()
    thread.join(10)
    assert out == ["page 2"] and ahead.calls == 1
    assert cache.page("page 2", 1, lambda: pytest.fail("kept")) == "page 2"
    # the refill thread busy with another page: a page read ahead and asked for before
    # the thread starts it is computed by the request, and not by the thread after
    busy = _Gate((1, "other", True))
    cache.ahead("other", lambda: busy()[0])  # type: ignore[arg-type,return-value]
    assert busy.entered.wait(10)
    cache.ahead("page 3", lambda: pytest.fail("computed by the thread after the request"))
    cache.ahead("page 4", lambda: pytest.fail("read ahead while another waits"))
    assert cache.page("page 3", 1, lambda: ("page 3", True)) == "page 3"
    busy.release.set()
    assert cache.settle(10)
    assert cache.page("page 4", 1, lambda: ("page 4", True)) == "page 4"
    assert cache.refills == 2 and cache.ahead_asked == 3
    cache.stop()


def test_a_request_walks_a_filters_stories_of_the_state_before_and_says_so(store_backend):
    store = store_backend.open()
    tables = store.search
    outlet = StoryFilter(outlet="Outlet 1")
    first = _story(store, _articles(store, 6, "filtered"))
    assert [i for i, _ in tables.story_page("largest", outlet, None, 10)] == [first]
    later = _story(store, _articles(store, 9, "later"))  # 3 of Outlet 1
    tables.recount = "leave"  # a web request: the filter's stories read before
    assert [i for i, _ in tables.story_page("largest", outlet, None, 10)] == [first]
    assert tables.stale_order is True
    tables.recount = "wait"  # the refill thread: read again
    assert [i for i, _ in tables.story_page("largest", outlet, None, 10)] == [later, first]
    assert tables.stale_order is False
    tables.recount = "leave"  # now current for everyone
    assert [i for i, _ in tables.story_page("largest", outlet, None, 10)] == [later, first]
    assert tables.stale_order is False
    store.close()


def test_a_page_read_ahead_behind_waits_for_the_refills_before_it():
    cache = ListCache()
    busy = _Gate((1, "refill", True))
    cache.ahead("busy", lambda: busy()[0])  # type: ignore[arg-type,return-value]
    assert busy.entered.wait(10)
    cache.ahead("waiting", lambda: (1, "waiting", True), behind=True)  # a refill waiting
    order: list[str] = []

    def later() -> tuple[object, object, bool]:
        order.append("behind")
        return 1, "behind", True

    cache.ahead("skipped", lambda: pytest.fail("read ahead while a refill waits"))
    cache.ahead("behind", later, behind=True)  # queued after the waiting one
    assert not order
    busy.release.set()
    assert cache.settle(10) and order == ["behind"]
    assert cache.page("behind", 1, lambda: pytest.fail("computed ahead")) == "behind"
    assert cache.page("skipped", 1, lambda: ("asked", True)) == "asked"
    cache.stop()
