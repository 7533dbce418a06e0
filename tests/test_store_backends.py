"""The store's guarantees on both backends (issue 16 item 1): one suite, run on SQLite and on
PostgreSQL through the ``store_backend`` fixture (tests/conftest.py). PostgreSQL comes from a
throw-away cluster the session starts, or from NEWSWEAVE_TEST_PG; without one these tests
skip with the reason on a user's clone and fail under CI=true.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from conftest import REPO, PostgresServer, StoreBackend, require_postgres
from newsweave.errors import StoreBusyError, StoreError
from newsweave.model import Article, Removal
from newsweave.store.migrations import MIGRATIONS


def make_article(n: int, outlet: str | None = "Outlet", *, text: str | None = None,
                 title: str | None = None, published: str | None = None,
                 language: str | None = "en") -> Article:
    return Article(
        id=None, content_hash=f"hash{n}", raw=f"raw {n}", raw_format="text",
        text=text or f"Body {n}.", source=f"file{n}.txt", title=title or f"Title {n}",
        outlet=outlet, published=published, language=language,
        removed=[Removal("Advertisement", "advert"), Removal("Share", "share-widget")],
        metadata={"tags": ["a", n], "note": "100% «unicode» 'quotes' ?"},
    )


def _env() -> dict[str, str]:
    import os

    src = str(REPO / "src")
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": src + (os.pathsep + path if path else "")}


# -- articles ---------------------------------------------------------------------


def test_articles_round_trip_and_listing_filters(store_backend: StoreBackend):
    store = store_backend.open()
    assert store.schema_version == len(MIGRATIONS)
    ids = store.add_articles(
        [make_article(1, published="2026-03-01T10:00:00"),
         make_article(2, outlet="Other", published="2026-03-02"),
         make_article(3, language="fr")],
        [{"a": True}, {}, {}])
    assert ids == [1, 2, 3]
    got = store.get_article(2, raw=True)
    assert (got.title, got.raw, got.text, got.outlet) == ("Title 2", "raw 2", "Body 2.", "Other")
    assert [r.reason for r in got.removed] == ["advert", "share-widget"]
    assert got.metadata == {"tags": ["a", 2], "note": "100% «unicode» 'quotes' ?"}
    assert store.get_article(1).raw == ""  # raw only on request
    assert store.get_article(99) is None
    assert store.known_hashes(["hash1", "nope", "hash3"]) == {"hash1": 1, "hash3": 3}
    assert store.count_articles() == 3
    assert [a.id for a in store.iter_articles()] == [1, 2, 3]
    assert [a.id for a in store.iter_articles(outlet="Outlet")] == [1, 3]
    assert [a.id for a in store.iter_articles(language="fr")] == [3]
    assert [a.id for a in store.iter_articles(since="2026-03-02")] == [2]
    assert [a.id for a in store.iter_articles(until="2026-03-01")] == [1]
    assert [a.id for a in store.iter_articles(after=1, limit=1)] == [2]
    store.add_articles([make_article(9, outlet="Outlet")], [{"a": True}])
    assert store.recurring_lines("Outlet", 2) == frozenset({"a"})
    assert store.articles_with_lines("Outlet", ["a"]) == [1, 4]
    assert store.check_integrity() == []


def test_a_failing_batch_writes_nothing_and_the_store_stays_usable(store_backend):
    store = store_backend.open()
    store.add_articles([make_article(1)], [{}])
    with pytest.raises(Exception, match=r"(?i)unique|hash"):  # each backend's own error
        store.add_articles([make_article(2), make_article(1)], [{}, {}])
    assert store.count_articles() == 1
    assert store.known_hashes(["hash2"]) == {}
    assert store.add_articles([make_article(3)], [{}]) != []
    assert store.check_integrity() == []


def test_an_article_holding_a_nul_character_does_not_fail_its_batch(store_backend):
    store = store_backend.open()
    odd = make_article(1, text="Before\x00after.")
    ids = store.add_articles([odd, make_article(2)], [{}, {}])
    assert len(ids) == 2
    text = store.get_article(ids[0]).text
    assert text in ("Before\x00after.", "Before\ufffdafter.")  # PostgreSQL's text holds no NUL


def test_nested_transaction_is_a_savepoint(store_backend):
    store = store_backend.open()
    with store.transaction():
        store.add_articles([make_article(1)], [{}])
        with pytest.raises(RuntimeError), store.transaction():
            store.add_articles([make_article(2)], [{}])
            raise RuntimeError("inner step failed")
        store.add_articles([make_article(3)], [{}])
    assert [a.content_hash for a in store.iter_articles()] == ["hash1", "hash3"]


def test_recleaning_makes_stages_pending_and_revokes_work_in_progress(store_backend):
    store = store_backend.open()
    store.add_articles([make_article(1)], [{}])
    assert store.claim("reuse", 1, 10) == [1]
    store.replace_clean_text([(1, "A new body.", [], {})])  # meanwhile, another process
    store.mark_done("reuse", [1], 1)  # the stage finishes its work on the old body
    assert store.pending("reuse", 1) == [1]
    assert store.get_article(1).text == "A new body."
    assert store.claim("reuse", 1, 10) == [1]


def test_data_survives_reopening_and_read_only_never_writes(store_backend):
    writer = store_backend.open()
    writer.add_articles([make_article(1)], [{}])
    writer.close()
    reader = store_backend.open(readonly=True)
    assert reader.get_article(1).title == "Title 1"
    with pytest.raises(StoreError, match="read-only"):
        reader.add_articles([make_article(2)], [{}])
    writer = store_backend.open()
    writer.add_articles([make_article(3)], [{}])
    assert reader.count_articles() == 2  # it sees what writers commit


# -- many processes ----------------------------------------------------------------


def test_duplicates_are_checked_under_the_write_lock(store_backend):
    first, second = store_backend.open(), store_backend.open()
    assert first.known_hashes(["hash1"]) == second.known_hashes(["hash1"]) == {}
    assert first.insert_new_articles([make_article(1)], [{}]) == [(1, True)]
    found = second.insert_new_articles([make_article(1), make_article(2)], [{}, {}])
    assert found[0] == (1, False) and found[1][1] is True
    assert first.count_articles() == 2


_WRITER = """
import json, random, sys
sys.path.insert(0, sys.argv[3])
from test_store_backends import make_article
from newsweave.store import open_store
store = open_store(sys.argv[1])
numbers = list(range(40))
random.Random(int(sys.argv[2])).shuffle(numbers)
seen = {}
for start in range(0, 40, 4):
    batch = [make_article(n) for n in numbers[start:start + 4]]
    for article, (i, new) in zip(batch, store.insert_new_articles(batch, [{}] * len(batch))):
        seen[article.content_hash] = [i, new]
store.close()
print(json.dumps(seen))
"""


def test_concurrent_writers_store_each_content_once(store_backend):
    store_backend.open().close()  # created first: the race here is on the rows
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, store_backend.location, str(k),
                               str(REPO / "tests")], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=_env()) for k in range(2)]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out))
    # Both processes learn the same id for each content; each content is new to exactly one.
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) == 40
    for key in outputs[0]:
        assert outputs[0][key][0] == outputs[1][key][0]
        assert outputs[0][key][1] != outputs[1][key][1]
    store = store_backend.open()
    assert store.count_articles() == 40
    assert sorted(a.content_hash for a in store.iter_articles()) == sorted(outputs[0])
    assert store.check_integrity() == []


def test_processes_opening_a_fresh_store_at_once_migrate_it_once(store_backend):
    code = ("import sys; from newsweave.store import open_store; "
            "open_store(sys.argv[1]).close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, store_backend.location],
                              stderr=subprocess.PIPE, text=True, env=_env()) for _ in range(4)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    store = store_backend.open()
    versions = [int(r[0]) for r in store._db.execute(
        "SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))


def test_claims_are_exclusive_and_lapse_with_their_process(store_backend):
    import socket

    first, second = store_backend.open(), store_backend.open()
    first.add_articles([make_article(i) for i in range(5)], [{}] * 5)
    second.progress.owner = "elsewhere-test:1:1"  # another process (an unknown machine)
    assert (first.claim("reuse", 1, 3), second.claim("reuse", 1, 3)) == ([1, 2, 3], [4, 5])
    assert first.claim("reuse", 1, 3) == []
    first.mark_done("reuse", [1, 2], 1)
    assert first.claim("stories", 1, 10, after=[("reuse", 1)]) == [1, 2]
    with first.transaction() as db:  # the claim's owner died
        db.execute("UPDATE stage_claims SET owner = ? WHERE article_id = 3",
                   (f"{socket.gethostname()}:999999999:0",))
    assert first.claim("reuse", 1, 10) == [3]
    first.release_claims()
    assert second.claim("reuse", 1, 10) == [3]
    second.release_claims()
    assert first.claim("reuse", 1, 10) == [3, 4, 5]
    assert first.count_pending("reuse", 1) == 0


def test_stage_errors_are_stored_and_retried(store_backend):
    store = store_backend.open()
    store.add_articles([make_article(1), make_article(2)], [{}, {}])
    for _ in range(3):
        assert 1 in store.claim("extract", 2, 10)
        store.record_errors("extract", 2, {1: "ValueError: bad"})
        store.mark_done("extract", [2], 2)
        store.release_claims()
    assert store.claim("extract", 2, 10) == []  # given up after three runs
    assert store.check_integrity() == [
        "stage extract failed on article 1 3 time(s) (given up): ValueError: bad"]
    store.retry_errors()
    assert store.claim("extract", 2, 10) == [1]
    store.mark_done("extract", [1], 2)
    assert store.check_integrity() == []
    assert store.stage_coverage() == {"clean": 2, "extract": 2}


def test_a_lock_held_too_long_is_one_clear_error(store_backend):
    holder, waiter = store_backend.open(), store_backend.open()
    with holder.transaction():
        holder.add_articles([make_article(1)], [{}])
        with waiter.waiting_at_most(0.3), pytest.raises(StoreBusyError,
                                                        match="stayed locked by another"):
            waiter.add_articles([make_article(2)], [{}])
    waiter.add_articles([make_article(2)], [{}])  # free again: it goes through
    assert waiter.count_articles() == 2


def test_vector_index_sees_rows_other_processes_wrote_below_its_last_id(store_backend):
    import numpy as np

    from newsweave.nlp.embed import MODEL_NAME
    from newsweave.reuse.semantic import VectorIndex

    mine, other = store_backend.open(), store_backend.open()
    mine.add_articles([make_article(i) for i in range(3)], [{}] * 3)
    unit = np.eye(4, dtype=np.float32)
    mine.reuse.save_vectors(MODEL_NAME, {3: unit[0]})
    index = VectorIndex(MODEL_NAME)
    index.refresh(mine)
    other.reuse.save_vectors(MODEL_NAME, {1: unit[1]})  # another process, a lower id
    index.refresh(mine)
    ids, scores = index.cosines(unit[1])
    assert ids.tolist() == [1, 3] and scores.tolist() == [1.0, 0.0]
    assert mine.reuse.vectors([1, 3])[1].tolist() == unit[1].tolist()


def test_fetch_tables_sources_items_urls_and_revisions(store_backend):
    from newsweave.store.sources import Revision, fetch_tables

    store = store_backend.open()
    store.add_articles([make_article(1, text="The old wording stays here."),
                        make_article(2, text="Other text with the old wording.")], [{}, {}])
    tables = fetch_tables(store)
    source = tables.add_source("https://example.org/feed.xml")
    assert tables.add_source("https://example.org/feed.xml") == source
    tables.record_poll(source, status="200", ok=True, new_items=2, next_poll="2026-03-02",
                       etag='"v1"', title="Example")
    tables.record_poll(source, status="500", ok=False, new_items=0, next_poll="2026-03-03",
                       error="server error")
    state = tables.source(source)
    assert (state.polls, state.items, state.failures, state.etag, state.health) == (
        2, 2, 1, '"v1"', "failing")
    tables.mark_items(source, ["a", "b"])
    tables.mark_items(source, ["b", "c"])
    assert tables.seen_items(source, ["a", "c", "d"]) == {"a", "c"}
    tables.link_urls(1, "https://example.org/a", ["https://example.org/a?amp=1"])
    tables.link_urls(1, "https://example.org/a", ["https://example.org/a?amp=1"])
    assert tables.article_for_urls(["https://example.org/a?amp=1"]) == 1
    assert tables.urls_of(1) == ["https://example.org/a", "https://example.org/a?amp=1"]
    tables.add_revision(Revision(1, 1, "2026-03-01", "h", "T", "text", [{"op": "="}], False,
                                 None))
    assert [r.diff for r in tables.revisions([1])] == [[{"op": "="}]]
    assert tables.articles_containing("old wording", exclude=1) == [2]


# -- search ------------------------------------------------------------------------


_SEARCH_TEXTS = [
    ("Budget vote delayed", "The prime minister said the budget vote was delayed until March."),
    ("Storm hits coast", "A storm hit the coast; the minister of emergencies visited survivors."),
    ("Ministers meet", "Ministers met to discuss the harvest and trade, not the budget."),
    ("Harvest report", "Farmers reported a record harvest across the northern provinces."),
]


def _search_store(backend: StoreBackend):
    store = backend.open()
    store.add_articles(
        [make_article(i, outlet="Wire" if i % 2 else "Daily", title=title, text=text,
                      published=f"2026-03-0{i + 1}")
         for i, (title, text) in enumerate(_SEARCH_TEXTS)],
        [{}] * len(_SEARCH_TEXTS))
    return store


@pytest.mark.parametrize(("query", "expected"), [
    ("budget", [1, 3]),
    ('"prime minister"', [1]),
    ('"minister budget"', []),
    ("storm OR harvest", [2, 3, 4]),
    ("budget NOT harvest", [1]),
    ("minist*", [1, 2, 3]),
    ("(storm OR farmers) AND coast", [2]),
    ("budget harvest", [3]),
])
def test_search_syntax_finds_the_same_articles(store_backend, query, expected):
    search = _search_store(store_backend).search.search(query, limit=10)
    assert sorted(h.article for h in search.hits) == expected, search.message
    assert search.total == len(expected)
    assert search.match == query and search.message in (None, "no article matches")


def test_search_ranks_titles_first_filters_and_marks_snippets(store_backend):
    store = _search_store(store_backend)
    result = store.search.search("harvest")
    assert [h.article for h in result.hits] == [4, 3]  # the title match first
    assert "\x02" in result.hits[0].snippet and "\x03" in result.hits[0].snippet
    assert result.hits[0].score > result.hits[1].score > 0
    assert dict(result.facets["outlet"]) == {"Wire": 1, "Daily": 1}
    only = store.search.search("budget", outlet="Daily", since=date(2026, 3, 1),
                               until=date(2026, 3, 2))
    assert [h.article for h in only.hits] == [1]
    broken = store.search.search('budget "unclosed')
    assert broken.message and "syntax" in broken.message
    assert [h.article for h in broken.hits] == [] or broken.match == '"budget" "unclosed"'
    assert store.search.search("   ").message == "type a word to search for"
    assert store.search.index_size() > 0


# -- PostgreSQL only ---------------------------------------------------------------


@pytest.fixture
def postgres(postgres_server: PostgresServer) -> PostgresServer:
    return require_postgres(postgres_server)


def test_a_foreign_database_and_a_newer_schema_are_refused(postgres):
    import psycopg

    from newsweave.store import open_store

    location = postgres.new_database()
    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute("CREATE TABLE people (name TEXT)")
    with pytest.raises(StoreError, match="not a newsweave store"):
        open_store(location)
    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute("DROP TABLE people")
    with pytest.raises(StoreError, match="no store here"):
        open_store(location, readonly=True)
    open_store(location).close()
    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version VALUES (%s)", (len(MIGRATIONS) + 5,))
    with pytest.raises(StoreError, match="newer than this newsweave supports"):
        open_store(location)
    postgres.drop_database(location)


def test_an_unreachable_server_is_one_clear_error(tmp_path):
    pytest.importorskip("psycopg")
    from newsweave.store import open_store

    socket_dir = str(tmp_path).replace("/", "%2F")
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL"):
        open_store(f"postgresql://nobody:secret@{socket_dir}:1/none")
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://nobody:secret@{socket_dir}:1/none")
    assert "secret" not in str(caught.value)


def test_demo_ingest_gives_the_same_articles_stories_and_copies_on_both(postgres, tmp_path):
    """The demo corpus through the whole engine: PostgreSQL stores what SQLite stores."""
    import newsweave
    from newsweave.demo import corpus_files
    from newsweave.store.search import StoryFilter

    paths = [str(p) for p in corpus_files()]
    results = []
    location = postgres.new_database()
    for db in (str(tmp_path / "demo.db"), location):
        with newsweave.open(db) as engine:
            report = engine.ingest(paths)
            assert report.rejected == []
            store = engine.store
            hashes = {a.id: a.content_hash for a in store.iter_articles()}
            stories = store.stories.members(store.stories.active_story_ids())
            results.append({
                "articles": sorted((a.content_hash, a.title, a.text)
                                   for a in store.iter_articles()),
                "stories": sorted(sorted(hashes[i] for i in m) for m in stories.values()),
                "edges": sorted((hashes[d], hashes[s]) for d, s in store.reuse.edges()),
                "origins": sorted(sorted(hashes[i] for i in o) for o in store.reuse.origins()),
                "entities": sorted(e.name for e in store.extract.entities()),
                "coverage": store.stage_coverage(),
                "problems": store.check_integrity(),
                "catalogue": [store.search.story_page(sort, StoryFilter(), None, 50)
                              for sort in ("newest", "largest", "origins")],
                "facets": store.search.facet_values("outlet"),
                "found": [sorted(hashes[h.article] for h in store.search.search(
                    query, limit=50).hits) for query in ("dam", '"charging cases"',
                                                        "rovers OR recall*")],
            })
    sqlite, pg = results
    assert len(sqlite["articles"]) >= 12 and sqlite["stories"] and sqlite["edges"]
    assert pg["problems"] == sqlite["problems"] == []
    for key in sqlite:
        assert pg[key] == sqlite[key], key
    postgres.drop_database(location)


def test_the_command_line_opens_a_postgresql_store_from_db_or_the_environment(postgres):
    from click.testing import CliRunner

    from newsweave.cli import cli
    from newsweave.store import open_store

    location = postgres.new_database()
    store = open_store(location)
    store.add_articles([make_article(1, title="Dam breach in the valley")], [{}])
    store.close()
    by_flag = CliRunner().invoke(cli, ["--db", location, "articles", "--json"])
    assert by_flag.exit_code == 0, by_flag.output
    assert [a["title"] for a in json.loads(by_flag.output)] == ["Dam breach in the valley"]
    by_env = CliRunner().invoke(cli, ["search", "dam", "--json"],
                                env={"NEWSWEAVE_DB": location})
    assert by_env.exit_code == 0, by_env.output
    assert [h["article"] for h in json.loads(by_env.output)["hits"]] == [1]
    postgres.drop_database(location)


def test_without_a_server_the_postgresql_tests_skip_or_fail_under_ci(monkeypatch):
    server = PostgresServer.__new__(PostgresServer)  # as if no cluster could be started
    server.problem = "no PostgreSQL server could be started (initdb was not found)"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="initdb was not found"):
        require_postgres(server)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: tests may not skip"):
        require_postgres(server)
