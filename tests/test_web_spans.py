"""Story list pages cut from spans: a page of any size after any cursor inside a span is
the page a server computing it alone gives (every sort and filter, every cursor followed,
on both backends), pages of a list read on are served from few computations, and the first
span of each sort is computed when the server starts, before anyone asks."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from newsweave.model import Article
from newsweave.store import listing
from newsweave.store.stories import StoryRow
from newsweave.web import create_app, spans
from newsweave.web.respond import LIST_STATE
from newsweave.web.spans import Anchors, cursor_of, cut, span_limit

CONFIDENCE = {"confidence", "confidence_current", "cohesion", "nearest_story",
              "nearest_similarity"}
FILTERS = ("", "&outlet=Outlet%201", "&since=2025-01-05&until=2025-01-20")


def _order(n: int) -> list[tuple[SimpleNamespace, float]]:
    """A list's order: (sort key, id) descending, with ties on the key."""
    entries = [(SimpleNamespace(id=i), float(i // 3)) for i in range(1, n + 1)]
    return sorted(entries, key=lambda e: (e[1], e[0].id), reverse=True)


def test_a_page_cut_from_a_span_is_the_page_after_the_cursor_or_none():
    order = _order(23)
    cursors = [None] + [cursor_of(e) for e in order]
    for start, a in enumerate(cursors):  # a span from each cursor
        for limit in (1, 4, 9, 30):
            span = order[start : start + limit]
            for b_at in range(start, len(cursors)):  # every cursor at or after its own
                b = cursors[b_at]
                for size in (1, 2, 5):
                    page = cut(span, b, size, limit)
                    wanted = order[b_at : b_at + size + 1]
                    if page is not None:
                        assert page == wanted, (a, limit, b, size)
                    # held: the span reaches past the page, or ends where the list ends
                    holds = start + limit >= b_at + size + 1 or start + limit > len(order)
                    assert (page is not None) == holds, (a, limit, b, size)


def test_span_limits_and_anchors():
    assert span_limit(10, True) == spans.SPAN + 1 and span_limit(200, True) == 201
    assert span_limit(10, False) == 11  # nothing kept: the page and the one after only
    anchors = Anchors(kept=2)
    anchors.put("l", (3.0, 9), (None, 51))
    anchors.put("l", (2.0, 7), ((3.0, 9), 51))
    assert anchors.get("l", (3.0, 9)) == (None, 51)
    anchors.put("m", (3.0, 9), (None, 51))  # the oldest is dropped past ``kept``
    assert anchors.get("l", (3.0, 9)) is None and anchors.get("l", (2.0, 7)) == ((3.0, 9), 51)


def _store(store) -> None:
    """15 stories of 1-4 articles, over three outlets and a month of dates."""
    for s in range(15):
        made = [Article(id=None, content_hash=hashlib.sha256(f"s{s} {i}".encode()).hexdigest(),
                        raw=f"Flood report {s} {i}.", raw_format="text",
                        text=f"Flood report {s} {i} from the valley.", source=f"s{s}-{i}",
                        title=f"Flood {s} {i}", outlet=f"Outlet {(s + i) % 3}",
                        outlet_how="input", published=f"2025-01-{1 + s * 2:02d}T00:00:00Z",
                        published_how="input", language="en",
                        url=f"https://example.org/{s}/{i}", author=f"W {i}")
                for i in range(1 + s % 4)]
        members = store.add_articles(made, [{} for _ in made])
        story = store.stories.new_story(StoryRow(0, len(members), f"flood {s}", None, None,
                                                 None, 739252 + s * 2, 739254 + s * 2))
        store.stories.set_members(story, members)
        store.mark_done("test-stage", members, 1)
        if s % 4 == 3:  # a copy: fewer independent origins than articles
            store.reuse.set_origins({members[-1]: [members[0]]})


def _walk(client: TestClient, path: str) -> list[list[dict[str, object]]]:
    pages = []
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.text
        # the confidences converge once computed (tests/test_web_listconverge.py)
        pages.append([{k: v for k, v in row.items() if k not in CONFIDENCE}
                      for row in response.json()["stories"]])
        path = response.json()["next_url"]
    return pages


def test_pages_cut_from_spans_equal_pages_computed_alone(store_backend, monkeypatch):
    store = store_backend.open()
    _store(store)
    store.close()
    monkeypatch.setattr(spans, "SPAN", 4)  # spans of 4 stories: cursors cross them
    lists = [f"/api/v1/stories?sort={sort}&size={size}{extra}"
             for sort in ("newest", "largest", "origins") for extra in FILTERS
             for size in (1, 2, 3, 6)]
    app = create_app(store_backend.location)
    with TestClient(app) as client:
        assert app.state.lists.settle(30)
        seen = {path: _walk(client, path) for path in lists}
        walked = sum(len(pages) for pages in seen.values())
        computed = app.state.lists.misses
        assert app.state.lists.settle(30)
    for kept in (listing._ORIGINS, listing._FILTERS, listing._STORY_STATES):
        kept.clear()
    with TestClient(create_app(store_backend.location, list_pages=0)) as cold:
        expected = {path: _walk(cold, path) for path in lists}
    assert seen == expected
    assert sum(len(pages) > 2 for pages in expected.values()) >= 12  # cursors followed
    # pages of every size read on from shared spans: well under one computation a page
    # (the refill thread's computations, read-ahead and confidences, included)
    assert computed < walked * 0.7, (computed, walked)


def test_the_first_span_of_each_sort_is_computed_at_start(tmp_path):
    from newsweave.store import open_store

    db = str(tmp_path / "store.db")
    store = open_store(db)
    _store(store)
    store.close()
    app = create_app(db)
    with TestClient(app) as client:
        lists = app.state.lists
        assert lists.settle(30)
        assert lists.refills >= 3 and lists.hits == 0
        for sort in ("newest", "largest", "origins"):
            for size in (1, 7, spans.SPAN):
                computed = lists.misses
                response = client.get(f"/api/v1/stories?sort={sort}&size={size}")
                assert response.status_code == 200
                assert lists.misses == computed, (sort, size)  # cut from the first span
                assert "refilling" not in response.headers[LIST_STATE]
                assert all(r["confidence_current"] for r in response.json()["stories"])


@pytest.mark.parametrize("size", [spans.SPAN + 1, 200])
def test_a_page_larger_than_a_span_is_a_span_of_its_own(tmp_path, size):
    from newsweave.store import open_store

    db = str(tmp_path / "store.db")
    store = open_store(db)
    _store(store)
    store.close()
    with TestClient(create_app(db)) as client:
        stories = client.get(f"/api/v1/stories?sort=largest&size={size}").json()["stories"]
    assert len(stories) == 15


def test_story_records_are_shared_within_a_store_state_only_and_handed_out_as_copies():
    from newsweave.model import Story
    from newsweave.web.spans import Records

    calls: list[list[int]] = []

    def builder(ids: list[int]) -> list[Story]:
        calls.append(list(ids))
        return [Story(i, f"story {i}", [i * 10], ["Outlet"], None, None, 1)
                for i in ids if i != 99]  # 99: merged away meanwhile, no record

    records = Records()
    first = records.build("s1", [3, 1, 99], builder)
    assert [s.id for s in first] == [3, 1] and calls == [[3, 1, 99]]
    first[0].confidence = 0.5  # a span's own confidences
    again = records.build("s1", [1, 3, 4], builder)
    assert [s.id for s in again] == [1, 3, 4] and calls[-1] == [4]  # 1 and 3 reused
    assert again[1].confidence is None and again[1] is not first[0]
    assert records.build("s2", [1], builder)[0].id == 1 and calls[-1] == [1]  # new state
    records.build("s3", [5], builder)  # two states kept: s1's records dropped
    records.build("s1", [3], builder)
    assert calls[-1] == [3]
