"""The stories list's "origins" order kept up to date without counting every story at each
write (SearchTables._origin_counts), and the list cache's change counter
(listing_state) on both backends: each runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from starlette.testclient import TestClient

from newsweave.engine import Engine
from newsweave.model import Article
from newsweave.settings import load_settings
from newsweave.store.search import StoryFilter
from newsweave.store.stories import StoryRow
from newsweave.web import create_app


def _articles(store, count: int, tag: str) -> list[int]:
    made = [Article(id=None, content_hash=hashlib.sha256(f"{tag} {i}".encode()).hexdigest(),
                    raw=f"Report {tag} {i}.", raw_format="text", text=f"Report {tag} {i}.",
                    source=f"{tag}-{i}", title=f"Report {tag} {i}", outlet=f"Outlet {i % 3}",
                    outlet_how="input", published=f"2025-01-{1 + i % 28:02d}T00:00:00Z",
                    published_how="input", language="en") for i in range(count)]
    return store.add_articles(made, [{} for _ in made])


def _story(store, members: list[int]) -> int:
    story = store.stories.new_story(StoryRow(0, len(members), "a story", None, None, None,
                                             739000, 739010))
    store.stories.set_members(story, members)
    return story


def _stage_commit(store, ids: list[int]) -> None:
    """What a stage's commit leaves: a stage result (the store's generation moves)."""
    store.mark_done("test-stage", ids, 1)


def _assert_as_counted_afresh(tables) -> None:
    """The kept counts and order are what counting every story now gives."""
    kept = tables._origin_counts()
    full = tables._count_origins()
    live = [s for s, _ in tables.story_page("largest", StoryFilter(), None, 100_000)]
    assert sorted(kept.live) == sorted(live)
    assert {s: kept.counts.get(s, 1) for s in live} == {s: full.get(s, 1) for s in live}
    assert kept.order == sorted((-float(full.get(s, 1)), -s) for s in live)
    paged = tables.story_page("origins", StoryFilter(), None, 100_000)
    assert paged == [(-i, float(full.get(-i, 1))) for _, i in kept.order]


def test_origin_counts_follow_ingests_merges_and_splits(store_backend):
    store = store_backend.open()
    settings = load_settings(db=store_backend.location)
    engine = Engine(store, settings, stages=[])
    tables = store.search
    first = _articles(store, 12, "first")
    a = _story(store, first[:5])
    b = _story(store, first[5:9])
    c = _story(store, first[9:])
    # first[1] and first[2] are copies of first[0]: story a has 3 origins of 5 articles
    store.reuse.set_origins({first[0]: [first[0]], first[1]: [first[0]],
                             first[2]: [first[0]]})
    _stage_commit(store, first)
    _assert_as_counted_afresh(tables)
    kept = tables._origin_counts()
    assert kept.counts[a] == 3 and kept.counts[b] == 4
    full, partial, reused = kept.full, kept.partial, kept.reused

    # a stage commit that moves no member and no origin: nothing counted again
    _stage_commit(store, first[:3])
    _assert_as_counted_afresh(tables)
    kept = tables._origin_counts()
    assert (kept.full, kept.partial, kept.reused) == (full, partial, reused + 1)

    # a re-clean of old articles (cleaning writes no member and no origin): not scanned
    def no_scan(*_: object) -> None:
        raise AssertionError("fingerprinted a store change that was cleaning only")

    scan, tables._fingerprints = tables._fingerprints, no_scan
    store.replace_clean_text([(first[0], "Report first 0, cleaned again.", [], {})])
    _assert_as_counted_afresh(tables)
    tables._fingerprints = scan
    kept = tables._origin_counts()
    assert (kept.full, kept.partial, kept.reused) == (full, partial, reused + 2)

    # an ingest: new articles, one a copy of an old one, join story b and a new story
    new = _articles(store, 4, "new")
    store.reuse.set_origins({new[0]: [first[5]]})
    store.stories.set_members(b, new[:2])
    d = _story(store, new[2:])
    _stage_commit(store, new)
    _assert_as_counted_afresh(tables)
    kept = tables._origin_counts()
    assert kept.counts[b] == 5 and kept.counts[d] == 2  # new[0] is first[5]'s copy
    assert (kept.full, kept.partial) == (full, partial + 1)  # only the joined stories

    # a new article becomes an old one's origin (the reuse stage re-chose its source)
    store.reuse.set_origins({first[9]: [new[3]]})
    _stage_commit(store, [new[3]])
    _assert_as_counted_afresh(tables)
    assert tables._origin_counts().full == full + 1

    # a repair moves an old member (no story log entry: the stories stage's commit)
    store.stories.set_members(c, [first[3]])
    _stage_commit(store, [first[3]])
    _assert_as_counted_afresh(tables)
    assert tables._origin_counts().counts[a] == 2

    # a user's merge and split (logged in story_log)
    engine.merge_stories(b, c)
    _assert_as_counted_afresh(tables)
    split = engine.split_story(b, first[5:7])
    _assert_as_counted_afresh(tables)
    assert tables._origin_counts().counts[split.id] == 2
    assert tables._origin_counts().full >= full + 3


def test_listing_state_moves_with_every_write_the_lists_show(store_backend):
    store = store_backend.open()
    settings = load_settings(db=store_backend.location)
    engine = Engine(store, settings, stages=[])
    tables = store.search
    states = [tables.listing_state()]
    ids = _articles(store, 4, "listed")
    states.append(tables.listing_state())
    story = _story(store, ids[:3])
    _stage_commit(store, ids)  # the stories stage's commit
    states.append(tables.listing_state())
    engine.split_story(story, ids[:1])
    states.append(tables.listing_state())
    assert len(set(states)) == len(states)
    assert tables.listing_state() == states[-1]  # no write: no change


@pytest.mark.parametrize("path", ["/api/v1/stories?sort=origins&size=10",
                                  "/api/v1/stories?sort=largest&size=10",
                                  "/api/v1/articles?size=10"])
def test_lists_are_kept_between_writes_on_both_backends(store_backend, path):
    store = store_backend.open()
    ids = _articles(store, 6, "kept")
    _story(store, ids[:4])
    _stage_commit(store, ids)
    store.close()
    with TestClient(create_app(store_backend.location)) as client:
        lists = client.app.state.lists
        assert client.get(path).status_code == 200
        assert lists.settle(10)  # the confidences of its new stories: the refill's
        first = client.get(path)
        assert first.status_code == 200, first.text
        hits = lists.hits
        assert client.get(path).json() == first.json() and lists.hits == hits + 1
        writer = store_backend.open()
        more = _articles(writer, 1, "later")
        story = _story(writer, more)
        _stage_commit(writer, more)
        refills = lists.refills
        # after the write: the page before, at once, and one refill in the background
        assert client.get(path).json() == first.json() and lists.hits == hits + 1
        assert lists.settle(10)
        assert lists.refills >= refills + 1
        after = client.get(path).json()
        key = "articles" if "articles?" in path else "stories"
        assert (more[0] if key == "articles" else story) in {row["id"] for row in after[key]}
        hits = lists.hits
        assert lists.settle(10)
        assert client.get(path).json() == after and lists.hits == hits + 1


def test_snippets_of_one_range_pass_equal_one_query_per_article(tmp_path):
    """Search snippets are read in one pass over the page's rowid range; FTS5's own
    per-rowid form gives the same snippets for words, phrases, OR, NOT and prefixes."""
    from newsweave.store import open_store
    from newsweave.store.search import MARK_END, MARK_START, _clean_marks

    store = open_store(str(tmp_path / "snippets.db"))
    words = ["flood", "levee", "rescue", "council", "budget", "storm", "harbour", "vote"]
    made = []
    for i in range(60):
        body = " ".join(f"{words[(i + k) % len(words)]} report number {i} line {k}."
                        for k in range(3)) + " More text follows here." * 8
        made.append(Article(id=None, content_hash=hashlib.sha256(body.encode()).hexdigest(),
                            raw=body, raw_format="text", text=body, source=f"s-{i}",
                            title=f"{words[i % len(words)]} {i}", outlet="Outlet",
                            outlet_how="input", published="2025-01-01T00:00:00Z",
                            published_how="input", language="en"))
    store.add_articles(made, [{} for _ in made])
    tables = store.search
    for match in ("flood", '"report number"', "council OR harbour", "storm NOT vote", "bud*",
                  "report"):
        hits = [r[0] for r in store._db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid",
            (match,))]
        assert hits, match
        for page in (hits[:20], hits[::3][:20], hits[-5:]):
            marks = ",".join("?" * len(page))
            each = {int(r[0]): _clean_marks(r[1] or "") for r in store._db.execute(
                f"SELECT rowid, snippet(articles_fts, 1, ?, ?, '…', 24) FROM articles_fts "
                f"WHERE articles_fts MATCH ? AND rowid IN ({marks})",
                [MARK_START, MARK_END, match, *page])}
            assert tables._snippets(match, page) == each and len(each) == len(page), match
    store.close()
