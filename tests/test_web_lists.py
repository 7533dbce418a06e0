"""The story and article lists at scale: keyset pages read from the stories' covering
indexes give every live story once, in order, for every sort and filter; a page asked for
again is served from the list cache until the store changes, and never after."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.testclient import TestClient

import newsweave
from newsweave.engine import Engine
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.store.search import StoryFilter
from newsweave.web import create_app
from newsweave.web.respond import LIST_STATE
from web_support import private_copy


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return private_copy(tmp_path_factory.mktemp("lists"), "lists")


@pytest.mark.parametrize("sort", ["newest", "largest", "origins"])
def test_keyset_pages_list_every_live_story_once_in_order(db, sort):
    with newsweave.open(db, readonly=True) as engine:
        tables = engine.store.search
        outlet = tables.facet_values("outlet")[0][0]
        live = {s.id for s in engine.stories(confidence=False)}
        for filters in (StoryFilter(), StoryFilter(outlet=outlet),
                        StoryFilter(since=date(2000, 1, 1), until=date(2100, 1, 1))):
            whole = tables.story_page(sort, filters, None, 10_000)
            keys = [(k, i) for i, k in whole]
            assert keys == sorted(keys, reverse=True), (sort, filters)
            paged, after = [], None
            while page := tables.story_page(sort, filters, after, 2):
                paged += page
                after = (page[-1][1], page[-1][0])
            assert paged == whole, (sort, filters)
            if filters == StoryFilter():
                assert {i for i, _ in whole} == live
            else:  # a story without a date is outside every date range
                assert whole and {i for i, _ in whole} <= live
    with newsweave.open(db, readonly=True) as engine:
        plan = engine.store._db.execute(
            "EXPLAIN QUERY PLAN SELECT s.id, s.size FROM stories s WHERE s.merged_into IS NULL "
            "AND s.size > 0 ORDER BY s.size DESC, s.id DESC LIMIT 20").fetchall()
    assert "COVERING INDEX stories_by_size" in " ".join(str(r[3]) for r in plan)


def test_a_list_is_reused_until_the_store_changes_and_never_after(db):
    url = "/api/v1/stories?sort=largest&size=50"
    with TestClient(create_app(db)) as client:
        lists = client.app.state.lists
        client.get(url)  # computed; the confidences of its new stories by the refill
        assert lists.settle(10)
        first = client.get(url)
        hits = lists.hits
        again = client.get(url)
        assert again.json() == first.json() and lists.hits == hits + 1
        assert again.headers[LIST_STATE] == first.headers[LIST_STATE]
        assert "refilling" not in first.headers[LIST_STATE]
        assert client.get(url + "&format=csv").status_code == 200  # its own entry
        articles = client.get("/api/v1/articles?size=200").json()["articles"]
        assert client.get("/api/v1/articles?size=200").json()["articles"] == articles
        # a user's split (logged in story_log): the next listing is the page before,
        # marked as being refilled; once the refill ended, the new story shows
        with newsweave.open(db) as engine:
            story = max(engine.stories(confidence=False), key=lambda s: len(s.articles))
            new = engine.split_story(story.id, story.articles[:1])
        during = client.get(url)
        assert during.headers[LIST_STATE] == first.headers[LIST_STATE] + "; refilling"
        assert during.json()["stories"] == first.json()["stories"]
        assert lists.settle(10)
        after = client.get(url).json()["stories"]
        assert new.id in {s["id"] for s in after} and after != first.json()["stories"]
        sizes = {s["id"]: s["articles"] for s in after}
        assert sizes[story.id] == len(story.articles) - 1 and sizes[new.id] == 1
        # an article stored (no analysis: its stage results come later): listed after
        # the refill
        settings = load_settings(db=db)
        with Engine(open_store(db), settings, stages=[]) as engine:
            stored = engine.ingest_text("Lists stay current\n\nA new article, stored now, "
                                        "appears in the next listing of articles.")
        client.get("/api/v1/articles?size=200")
        assert lists.settle(10)
        listed = client.get("/api/v1/articles?size=200").json()["articles"]
        assert [a["id"] for a in listed] == [a["id"] for a in articles] + stored.new
