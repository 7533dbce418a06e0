"""The lists converge: while the store changes, a list page is the previous consistent
one only until its refill (by the list cache's refill thread) ends, and once the store
stops changing, every list page (every sort, filter and cursor of the story list, the
article list) equals what a server computing each page from scratch gives, on both
backends."""

from __future__ import annotations

import hashlib
import time

from starlette.testclient import TestClient

from newsweave.model import Article
from newsweave.store import listing
from newsweave.store.stories import StoryRow
from newsweave.web import create_app
from newsweave.web.respond import LIST_STATE

AGE = 2.0  # seconds a listed story's confidence is kept (create_app's confidence_age)
STORY_LISTS = [f"/api/v1/stories?sort={sort}&size=2{extra}"
               for sort in ("newest", "largest", "origins")
               for extra in ("", "&outlet=Outlet%201", "&since=2025-01-05&until=2025-01-20")]
ARTICLE_LISTS = ["/api/v1/articles?size=3", "/api/v1/articles?size=2&outlet=Outlet%202"]


def _articles(store, count: int, tag: str, day: int) -> list[int]:
    made = [Article(id=None, content_hash=hashlib.sha256(f"{tag} {i}".encode()).hexdigest(),
                    raw=f"Storm report {tag} {i}.", raw_format="text",
                    text=f"Storm report {tag} {i} from the coast.", source=f"{tag}-{i}",
                    title=f"Storm {tag} {i}", outlet=f"Outlet {i % 3}", outlet_how="input",
                    published=f"2025-01-{day + i % 3:02d}T00:00:00Z", published_how="input",
                    language="en", url=f"https://example.org/{tag}/{i}", author=f"W {i}")
            for i in range(count)]
    return store.add_articles(made, [{} for _ in made])


def _story(store, members: list[int], day: int) -> int:
    story = store.stories.new_story(StoryRow(0, len(members), f"story of {members[0]}", None,
                                             None, None, 739000 + day, 739000 + day + 3))
    store.stories.set_members(story, members)
    store.mark_done("test-stage", members, 1)  # what the stories stage's commit leaves
    return story


def _write(store, step: int, stories: list[tuple[int, list[int]]]) -> None:
    """One store change of an ingest's kinds: a new story, a story grown, origins moved
    (an old article becomes a copy of another: a full recount of the order)."""
    kind = step % 3
    if kind == 0 or not stories:
        members = _articles(store, 2 + step % 4, f"s{step}", 1 + step % 25)
        stories.append((_story(store, members, step % 25), members))
    elif kind == 1:
        story, members = stories[step % len(stories)]
        members += _articles(store, 2, f"g{step}", 2 + step % 20)
        store.stories.set_members(story, members)
        store.mark_done("test-stage", members, 1)
    else:
        story, members = stories[(step * 7) % len(stories)]
        store.reuse.set_origins({members[-1]: [members[0]]})
        store.mark_done("test-stage", members, 1)


def _walk(client: TestClient, path: str) -> tuple[list[object], bool]:
    """Every page of a list (its cursors followed): the rows, and whether every page was
    served at the store's state, complete, with every confidence current."""
    pages: list[object] = []
    current = True
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.text
        body = response.json()
        rows = body.get("stories", body.get("articles"))
        pages.append(rows)
        current &= "refilling" not in response.headers[LIST_STATE]
        current &= all(r.get("confidence_current", True) for r in rows)
        path = body["next_url"]
    return pages, current


def _everything(client: TestClient) -> tuple[dict[str, list[object]], bool]:
    found, current = {}, True
    for path in STORY_LISTS + ARTICLE_LISTS:
        found[path], fresh = _walk(client, path)
        current &= fresh
    return found, current


def test_lists_converge_to_a_cold_computation_once_the_store_stops_changing(store_backend):
    store = store_backend.open()
    stories: list[tuple[int, list[int]]] = []
    for step in range(4):
        _write(store, step, stories)
    app = create_app(store_backend.location, confidence_age=AGE)
    with TestClient(app) as client:
        _everything(client)
        for step in range(4, 16):  # the store changes between the lists' requests
            _write(store, step, stories)
            seen, _ = _everything(client)
            assert all(seen.values())
        time.sleep(AGE)  # every confidence computed before the last write is now old
        for _ in range(30):
            seen, current = _everything(client)
            assert app.state.confidences.settle(30) and app.state.lists.settle(30)
            if current:
                break
        assert current, "the lists did not settle"
        assert app.state.lists.refills > 0
    store.close()
    # a server keeping no page, with the process's counts and filters forgotten
    for kept in (listing._ORIGINS, listing._FILTERS, listing._STORY_STATES):
        kept.clear()
    with TestClient(create_app(store_backend.location, list_pages=0)) as cold:
        expected, _ = _everything(cold)
    assert seen == expected
    assert any(len(pages) > 1 for pages in expected.values())  # cursors were followed
