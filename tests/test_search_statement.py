"""A SQLite search is one statement (store/search.py, ranking_sql and summary_sql): the
count, the rank window's bound, the ranking, the summary and the page's articles and
snippets, all computed before its first row. Its page equals reading the same hits'
articles and snippets one statement each, as the search did before; the entity facet
reads the hits' entities by article, never every mention in the store."""

from __future__ import annotations

import random
import sqlite3
from datetime import date

import pytest

from newsweave.store import open_store
from newsweave.store import search as module
from newsweave.store.search import _clean_marks, plain_query
from newsweave.store.search_summary import summary_sql

WORDS = ["flood", "levee", "rescue", "council", "budget", "storm", "harbour", "vote",
         "river", "bridge"]


@pytest.fixture
def store(tmp_path):
    """A store of 90 articles (hostile and missing fields among them), some in stories,
    some with origins and entities."""
    from test_store_backends import make_article

    rng = random.Random(11)
    store = open_store(str(tmp_path / "statement.db"))
    made = []
    for n in range(90):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 40))) + "."
        made.append(make_article(
            n, outlet=rng.choice([None, "", "Wire", "Daily <b>&"]), text=body,
            title=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n}",
            published=rng.choice([None, "2026-01-02", "2026-01-03T10:00", "not a date"]),
            language=rng.choice([None, "en", "de"])))
    store.add_articles(made, [{} for _ in made])
    db = store._db
    with store.transaction():
        db.executemany("INSERT INTO stories (id, created_at, updated_at) VALUES (?, 'x', 'x')",
                       [(s,) for s in range(1, 5)])
        db.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, 'PERSON')",
                       [(e, f"Person {e}") for e in range(1, 12)])
        for (article,) in db.execute("SELECT id FROM articles").fetchall():
            if rng.random() < 0.6:
                db.execute("INSERT INTO story_members VALUES (?, ?)",
                           (article, rng.randint(1, 4)))
            if rng.random() < 0.3:
                db.execute("INSERT INTO article_origin VALUES (?, ?)",
                           (article, rng.randint(1, 30)))
            for e in rng.sample(range(1, 12), rng.randint(0, 3)):
                db.execute("INSERT INTO entity_articles VALUES (?, ?, 1)", (e, article))
    yield store
    store.close()


QUERIES = ["flood", "flood river", '"storm harbour"', "council OR budget", "storm NOT vote",
           "riv*", "nothingsuch", '"unbalanced']


def _statements(store, run):
    """The SQL statements ``run`` executes on the store's connection (not those FTS5 runs
    inside them, which the trace marks with "--")."""
    seen: list[str] = []
    store._db.set_trace_callback(lambda sql: seen.append(sql) if not sql.startswith("--")
                                 else None)
    try:
        result = run()
    finally:
        store._db.set_trace_callback(None)
    return result, seen


def test_a_search_is_one_statement(store, monkeypatch):
    for window in (10_000, 7):
        monkeypatch.setattr(module, "RANK_WINDOW", window)
        for query in QUERIES[:-1]:
            for options in ({}, {"one_per_origin": True}, {"language": "en"},
                            {"outlet": "Wire", "since": date(2026, 1, 3)}):
                result, seen = _statements(store, lambda q=query, o=options:
                                           store.search.search(q, **o))
                assert len(seen) == 1, (query, options, seen)
                assert result.hits or result.message
    # a query FTS5 cannot parse fails in its one statement, then runs as its plain words
    result, seen = _statements(store, lambda: store.search.search('"flood river'))
    assert len(seen) == 2 and "not understood" in (result.message or "") and result.hits
    assert result.match == plain_query('"flood river')


def test_the_page_equals_its_articles_and_snippets_read_one_statement_each(store,
                                                                           monkeypatch):
    db = store._db
    checked = 0
    for window, considered in ((10_000, 1_000), (12, 8)):
        monkeypatch.setattr(module, "RANK_WINDOW", window)
        monkeypatch.setattr(module, "CONSIDERED", considered)
        for query in QUERIES:
            for options in ({"limit": 20}, {"limit": 3, "offset": 2},
                            {"limit": 5, "one_per_origin": True, "offset": 1},
                            {"limit": 10, "language": "de"}, {"limit": 4, "offset": 500}):
                found = store.search.search(query, **options)
                ids = [h.article for h in found.hits]
                assert len(ids) == len(set(ids)) <= options["limit"]
                if not ids:
                    continue
                snippets = store.search._snippets(found.match, ids)
                marks = ",".join("?" * len(ids))
                rows = {int(r[0]): tuple(r[1:]) for r in db.execute(
                    f"SELECT id, title, outlet, language, published, url FROM articles "
                    f"WHERE id IN ({marks})", ids)}
                for hit in found.hits:
                    assert (hit.title, hit.outlet, hit.language, hit.published,
                            hit.url) == rows[hit.article]
                    assert hit.snippet == snippets.get(hit.article, "") == \
                        _clean_marks(hit.snippet)
                    assert hit.snippet.count(module.MARK_START) == \
                        hit.snippet.count(module.MARK_END)
                checked += 1
    assert checked > 40


def test_the_entity_facet_reads_the_hits_entities_by_article(store):
    """The plan never scans entity_articles (at a million mentions, a scan a search)."""
    db = store._db
    for clauses in ([], ["a.language = ?"]):
        sql = summary_sql(module.ranking_sql(clauses), True, "found" if clauses else None)
        params = ["flood", 10_000, "flood", 9_999, "flood", *(["en"] if clauses else []),
                  1_000, 20, 0, module.MARK_START, module.MARK_END, "flood"]
        plan = [str(r[3]) for r in db.execute("EXPLAIN QUERY PLAN " + sql, params)]
        assert any("SEARCH ea USING INDEX entity_articles_article" in p for p in plan), plan
        assert not any(p.startswith("SCAN ea") for p in plan), plan
        assert db.execute(sql, params).fetchall()[0][0] == "summary"


def test_store_trouble_is_raised_not_taken_for_syntax(store, monkeypatch):
    """An error of the store itself (here a missing table) is raised, never answered as
    the query's syntax with its plain words."""
    with store.transaction():
        store._db.execute("DROP TABLE story_members")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        store.search.search("flood")
