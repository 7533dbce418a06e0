"""Full-text search (Engine.search, store/search.py, `newsweave search`): the index follows
every write to the articles table, the query syntax works, and no query string fails."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

from click.testing import CliRunner

import newsweave
from newsweave.cli import cli
from newsweave.ingest import read_records
from newsweave.store.search import MARK_END, MARK_START, plain_query

STORM = ("Storm floods Kelso harbour\n\nA winter storm flooded the harbour of Kelso on Monday, "
         "sinking four fishing boats, the coastguard said.")
COPY = ("Kelso harbour flooded by storm\n\nA winter storm flooded the harbour of Kelso on "
        "Monday, sinking four fishing boats, the coastguard said. More rain is expected.")
BRIDGE = ("Bridge reopens in Arlen\n\nThe Arlen river bridge reopened to traffic on "
          "Wednesday after two years of repairs, the city council said.")


def _fill(engine: newsweave.Engine) -> list[int]:
    ids = []
    for text, outlet, day in ((STORM, "Coast Post", "2026-01-05"),
                              (COPY, "Bay Times", "2026-01-06"),
                              (BRIDGE, "Arlen Daily", "2026-01-07")):
        doc = json.dumps({"title": text.split("\n")[0], "text": text.split("\n\n", 1)[1],
                          "outlet": outlet, "published": day})
        ids += engine.ingest_text(doc, source=f"{outlet}.json").new
    return ids


def test_search_finds_ranks_and_folds_copies(engine):
    storm, copy, bridge = _fill(engine)
    found = engine.search("storm")
    assert {h.article for h in found.hits} == {storm, copy} and found.total == 2
    assert all(MARK_START + "storm" in h.snippet.lower() for h in found.hits)
    assert found.histogram == [("2026-01-05", 1), ("2026-01-06", 1)]  # in date order
    assert dict(found.facets["outlet"]) == {"Coast Post": 1, "Bay Times": 1}
    assert [h.article for h in engine.search('"river bridge"').hits] == [bridge]
    assert {h.article for h in engine.search("storm OR bridge").hits} == {storm, copy, bridge}
    assert [h.article for h in engine.search("storm NOT rain").hits] == [storm]
    assert {h.article for h in engine.search("coastg*").hits} == {storm, copy}
    assert [h.article for h in engine.search("storm", outlet="Bay Times").hits] == [copy]
    assert engine.search("storm", since=date(2026, 1, 6)).total == 1
    assert engine.search("storm", until=date(2026, 1, 5)).total == 1
    # too short for the reuse stage to link: each is its own origin, nothing is folded
    assert engine.search("storm", one_per_origin=True).total == 2
    # the entity facet names the entities of the hits; filtering by one keeps its articles
    both = engine.search("storm OR bridge")
    assert both.facets["entity"] and all(v in both.entity_names
                                         for v, _ in both.facets["entity"])
    top = int(both.facets["entity"][0][0])
    narrowed = engine.search("storm OR bridge", entity=top)
    assert 0 < narrowed.total < both.total
    assert all(top in {e.id for e in engine.article_entities(h.article)} for h in narrowed.hits)
    page = engine.search("storm OR bridge", limit=1, offset=1)
    assert len(page.hits) == 1 and page.total == 3


def test_index_follows_inserts_updates_and_deletes(engine):
    storm, _, bridge = _fill(engine)
    db: sqlite3.Connection = engine.store._db  # type: ignore[attr-defined]
    with engine.store.transaction():
        db.execute("UPDATE articles SET text = 'The Arlen ferry replaced the bridge.' "
                   "WHERE id = ?", (bridge,))
    assert [h.article for h in engine.search("ferry").hits] == [bridge]
    assert engine.search('"river bridge"').total == 0
    with engine.store.transaction():
        db.execute("DELETE FROM articles WHERE id = ?", (storm,))
    assert storm not in {h.article for h in engine.search("storm").hits}
    assert db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')") \
        is not None
    assert engine.store.search.index_size() > 0


def test_any_query_string_gives_results_or_a_message(engine):
    _fill(engine)
    for q in ['"storm', "((", "*", "", "   ", "NEAR(", "title:", "nope:storm", "storm AND",
              "\x00storm", "'); DROP TABLE articles; --", "🌊", "x" * 5000, "OR OR OR"]:
        result = engine.search(q)
        assert result.hits or result.message, repr(q)
    odd = engine.search('"storm')
    assert odd.total == 2 and "not understood" in (odd.message or "")
    assert plain_query('a "b" c*') == '"a" "b" "c"'
    assert engine.search("zzzzqqq").message == "no article matches"


def test_snippet_markers_are_balanced(engine):
    _fill(engine)
    for hit in engine.search("storm OR harbour OR boats").hits:
        assert hit.snippet.count(MARK_START) == hit.snippet.count(MARK_END) > 0


def test_search_command(db_path):
    with newsweave.open(db_path) as engine:
        _fill(engine)
    runner = CliRunner()
    out = runner.invoke(cli, ["--db", db_path, "search", "storm", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["total"] == 2 and data["facets"]["outlet"] and data["histogram"]
    text = runner.invoke(cli, ["--db", db_path, "search", "bridge"])
    assert text.exit_code == 0 and "1 hit(s)" in text.output and "[bridge]" in text.output
    odd = runner.invoke(cli, ["--db", db_path, "search", '"storm'])
    assert odd.exit_code == 0 and "2 hit(s)" in odd.output


def test_search_cost_is_bounded_and_says_so(engine, monkeypatch):
    from newsweave.store import search as module

    storm, copy, bridge = _fill(engine)
    for n in range(4):  # more articles with the word "said" than the bounds below
        doc = json.dumps({"title": f"Ferry {n} delayed", "outlet": f"Outlet {n}",
                          "text": f"Ferry number {n} was delayed by fog on Tuesday, the "
                                  f"operator said.", "published": "2026-01-08"})
        engine.ingest_records(list(read_records(f"ferry{n}.json", doc)), analyze=False)
    everything = engine.search("said")
    assert everything.total == everything.considered == 7 and everything.message is None
    monkeypatch.setattr(module, "RANK_WINDOW", 5)
    monkeypatch.setattr(module, "CONSIDERED", 3)
    bounded = engine.search("said", limit=10)
    assert bounded.total == 7  # counted exactly, without ranking every match
    assert bounded.considered == 3 and len(bounded.hits) == 3
    assert "7 articles match" in (bounded.message or "") and "5" in (bounded.message or "")
    # ranked among the 5 stored last: the 3 first articles' ids are below the window
    assert {storm, copy, bridge}.isdisjoint(h.article for h in bounded.hits)
    assert sum(n for _, n in bounded.facets["outlet"]) == 3
    prefix = engine.search("sai*", limit=2)  # prefix snippets take the one-pass path
    assert all(MARK_START in h.snippet and MARK_END in h.snippet for h in prefix.hits)
    filtered = engine.search("said", outlet="Outlet 3")
    assert filtered.total == 1 and [h.outlet for h in filtered.hits] == ["Outlet 3"]


def test_page_links_equal_with_params():
    """The search page's facet and day links (ParamLinks, parameters encoded once a page)
    and with_params (one ParamLinks call) are the strings urlencode gives, for hostile and
    non-ASCII parameters too."""
    from urllib.parse import urlencode

    from starlette.requests import Request

    from newsweave.web.respond import ParamLinks, with_params

    queries = [
        [],
        [("q", "storm")],
        [("q", '"a phrase" OR b* NOT c'), ("language", "en"), ("cursor", "abc=")],
        [("q", "Zürich & <script>alert(1)</script>"), ("outlet", "A+B / C?d=e#f"),
         ("outlet", "second"), ("since", "2026-01-05"), ("origins", "one")],
        [("q", "日本 %20 ~x_y.z-"), ("entity", "12"), ("until", "2026-01-07"),
         ("story", " 3 ")],
    ]
    changes = [{}, {"since": "2026-01-05", "until": "2026-01-05"},
               {"since": "2026-01-06", "until": "2026-01-06"}, {"outlet": "Bay Times"},
               {"outlet": "x&y=z"}, {"language": None}, {"entity": 42},
               {"story": "7"}, {"q": "ä b"},
               {"outlet": None, "language": None, "story": None, "entity": None,
                "since": None, "until": None}]
    for items in queries:
        request = Request({"type": "http", "method": "GET", "path": "/search",
                           "query_string": urlencode(items).encode(), "headers": []})
        links = ParamLinks(request, cursor=None)
        for change in changes + changes:  # the second round from the kept encodings
            asked = {"cursor": None, **change}
            query = urlencode([(k, v) for k, v in items if k not in asked]
                              + [(k, str(v)) for k, v in asked.items() if v is not None])
            expected = "/search" + (f"?{query}" if query else "")
            assert links(**change) == with_params(request, cursor=None, **change) == expected
    assert links(since="2026-01-05", until="2026-01-05").startswith("/search?q=")


def test_filtered_search_ranks_as_a_full_sort(engine, monkeypatch):
    """A filtered search (ranked and counted in SQLite, the best CONSIDERED kept) gives
    the order and total of sorting every filtered match by (BM25, id), ties included."""
    from newsweave.store import search as module

    texts = ["The flood closed the road.", "Flood water, flood warnings and a flood plan.",
             "The flood closed the road.", "A flood.", "Flood, flood.", "No match here."]
    for n, text in enumerate(texts * 2):  # each text twice: equal scores, ordered by id
        doc = json.dumps({"title": f"Report {n}", "text": text,
                          "published": f"2026-02-0{n % 9 + 1}",
                          "outlet": "Wire" if n % 3 else "Other"})
        engine.ingest_records(list(read_records(f"f{n}.json", doc)), analyze=False)
    db = engine.store._db

    def reference(since: str) -> list[tuple[float, int]]:
        return sorted((float(r[1]), int(r[0])) for r in db.execute(
            "SELECT f.rowid, bm25(articles_fts, 4.0, 1.0) FROM articles_fts f JOIN articles a "
            "ON a.id = f.rowid WHERE articles_fts MATCH 'flood' AND a.outlet = 'Wire' "
            "AND substr(a.published, 1, 10) >= ?", (since,)))

    for considered in (3, 1_000):
        monkeypatch.setattr(module, "CONSIDERED", considered)
        for since in ("2026-02-01", "2026-02-04", "2026-03-01"):
            expected = reference(since)
            found = engine.search("flood", outlet="Wire", since=date.fromisoformat(since),
                                  limit=50)
            assert found.total == len(expected)
            assert [(h.article, round(h.score, 9)) for h in found.hits] == [
                (i, round(-rank, 9)) for rank, i in expected[:considered]]
    assert len(reference("2026-02-01")) == 6  # ties and the cut were both exercised


def test_summary_in_sql_equals_the_python_counting(engine, monkeypatch):
    """The facets, histogram, entity facet, folding and pages that one SQLite statement
    computes (search_summary.summary_sql) are those of counting the best hits in Python
    (search_summary.summarize, PostgreSQL's path): ties, missing values, copies, filters,
    the bounds and a deleted article included."""
    import random

    from newsweave.store import search as module
    from newsweave.store.search_summary import summarize

    rng = random.Random(3)
    db = engine.store._db
    words = ["flood", "rain", "heavy", "river", "storm", "bridge"]
    with engine.store.transaction():
        db.executemany("INSERT INTO stories (id, created_at, updated_at) VALUES (?, 'x', 'x')",
                       [(s,) for s in range(1, 6)])
        for n in range(1, 81):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
            db.execute(
                "INSERT INTO articles (id, content_hash, raw, raw_format, text, source, title, "
                "outlet, published, language, ingested_at) VALUES (?, ?, '', 'text', ?, 's', "
                "?, ?, ?, ?, 'x')",
                (n, f"h{n}", text, rng.choice([None, "Heavy rain", "Report"]),
                 rng.choice([None, "", "A", "B", "unknown", "C<&>"]),
                 rng.choice([None, "", "2026-01-02", "2026-01-01T10:00", "2025-12-31",
                             "not a date at all"]),
                 rng.choice([None, "", "en", "de"])))
            if rng.random() < 0.7:
                db.execute("INSERT INTO story_members VALUES (?, ?)", (n, rng.randint(1, 5)))
            for origin in rng.sample(range(1, 12), rng.choice([0, 0, 1, 2])):
                db.execute("INSERT INTO article_origin VALUES (?, ?)", (n, origin))
        db.executemany("INSERT INTO entities (id, name, type) VALUES (?, ?, 'PERSON')",
                       [(e, f"Person {e}") for e in range(1, 25)])
        for n in range(1, 81):
            for e in rng.sample(range(1, 25), rng.randint(0, 3)):
                db.execute("INSERT INTO entity_articles VALUES (?, ?, 1)", (e, n))
    bm25 = "bm25(articles_fts, 4.0, 1.0)"

    def reference(query: str, fold: bool, limit: int, offset: int, outlet: str | None):
        matches = [(float(r[1]), int(r[0])) for r in db.execute(
            f"SELECT rowid, {bm25} FROM articles_fts WHERE articles_fts MATCH ?", (query,))]
        count = len(matches)
        if count > module.RANK_WINDOW:
            matches = sorted(matches, key=lambda m: -m[1])[: module.RANK_WINDOW]
        facts = {int(r[0]): tuple(r[1:]) for r in db.execute(
            "SELECT a.id, a.outlet, a.language, a.published, m.story_id, coalesce((SELECT "
            "min(o.origin_id) FROM article_origin o WHERE o.article_id = a.id), a.id) FROM "
            "articles a LEFT JOIN story_members m ON m.article_id = a.id")}
        if outlet is not None:
            matches = [m for m in matches if facts[m[1]][0] == outlet]
        total = len(matches) if outlet is not None else count
        rows = [(i, *facts[i], rank) for rank, i in sorted(matches)[: module.CONSIDERED]]
        summary = summarize(rows, fold, offset, limit, engine.store.search._entity_facet)
        if fold and summary.considered == total:
            total = summary.shown
        return summary, total

    checked = 0
    for window, considered in ((10_000, 1_000), (30, 12)):
        monkeypatch.setattr(module, "RANK_WINDOW", window)
        monkeypatch.setattr(module, "CONSIDERED", considered)
        for query in ("flood", "flood OR rain", '"heavy rain"', "ri*", "storm NOT bridge"):
            for fold, limit, offset, outlet in ((False, 20, 0, None), (True, 20, 0, None),
                                                (True, 4, 3, None), (False, 5, 2, "A"),
                                                (True, 50, 0, "unknown")):
                expected, total = reference(query, fold, limit, offset, outlet)
                found = engine.search(query, one_per_origin=fold, limit=limit, offset=offset,
                                      outlet=outlet)
                assert found.facets == expected.facets, query
                assert found.histogram == expected.histogram
                assert found.entity_names == expected.entity_names
                assert (found.total, found.considered) == (total, expected.shown)
                assert [(h.article, h.story, h.origin, round(-h.score, 9), h.copies)
                        for h in found.hits] == [(p[0], p[1], p[2], round(p[3], 9), p[4])
                                                 for p in expected.page]
                checked += bool(expected.page)
    assert checked > 30
    ties = engine.search("flood")
    assert len({n for _, n in ties.facets["entity"]}) < len(ties.facets["entity"])  # ties
    assert any(h.copies for h in engine.search("flood OR rain", one_per_origin=True).hits)
    assert ("unknown", sum(n for v, n in ties.facets["outlet"] if v == "unknown")) in \
        ties.facets["outlet"]


def test_histogram_html_equals_the_template_loop():
    """The search page's histogram (views.histogram_html) is the HTML the template's loop
    gave, hostile day strings and parameters included."""
    from urllib.parse import urlencode

    from jinja2 import Environment, select_autoescape
    from starlette.requests import Request

    from newsweave.web.respond import ParamLinks
    from newsweave.web.views import histogram_html

    loop = Environment(autoescape=select_autoescape(default=True, default_for_string=True)
                       ).from_string(
        '{% for d, n in histogram %}<li><a href="{{ facet_link(since=d, until=d) }}">{{ d }}'
        '</a> <svg width="100" height="10" aria-hidden="true"><rect x="0" y="1" height="8" '
        'width="{{ (100 * n / peak)|round(1) }}"></rect></svg> <span class="count">{{ n }}'
        '</span></li>{% endfor %}')
    days = [("2026-01-05", 3), ("2026-01-06", 7), ('"><script>x</script>', 1),
            ("a b&c=d", 2), ("Zürich", 5), ("", 1), ("2026-01-07", 1)]
    for items in ([], [("q", "storm")], [("q", "a&b <i>"), ("outlet", "X\"Y"),
                                         ("since", "2026-01-01"), ("cursor", "abc")]):
        request = Request({"type": "http", "method": "GET", "path": "/search",
                           "query_string": urlencode(items).encode(), "headers": []})
        links = ParamLinks(request, cursor=None)
        expected = loop.render(histogram=days, peak=7, facet_link=links)
        assert str(histogram_html(days, 7, links)) == expected
        assert "<script>" not in expected
    assert str(histogram_html([], 0, links)) == ""


def test_bounded_search_counts_every_match_on_both_backends(store_backend, monkeypatch):
    """With fewer hits considered than match, both backends (PostgreSQL's statement now
    returns only the best CONSIDERED rows, counting the rest in SQL) give the exact
    total, the considered hits, their facets and pages."""
    from newsweave.store import search as module
    from test_store_backends import make_article

    store = store_backend.open()
    texts = ["The minister spoke.", "Ministers met.", "A ministry report.", "The harvest."]
    store.add_articles([make_article(i, outlet="Wire" if i % 2 else "Daily", title=f"T{i}",
                                     text=text, published=f"2026-03-0{i + 1}")
                        for i, text in enumerate(texts)], [{}] * len(texts))
    everything = store.search.search("minist*", limit=10)
    assert everything.total == everything.considered == 3
    monkeypatch.setattr(module, "CONSIDERED", 2)
    bounded = store.search.search("minist*", limit=10)
    assert bounded.total == 3 and bounded.considered == 2 and len(bounded.hits) == 2
    assert [h.article for h in bounded.hits] == [h.article for h in everything.hits[:2]]
    assert sum(n for _, n in bounded.facets["outlet"]) == 2
    assert sum(n for _, n in bounded.histogram) == 2
    later = store.search.search("minist*", limit=10, offset=1)
    assert [h.article for h in later.hits] == [everything.hits[1].article]
    assert store.search.search("harvest", limit=10).total == 1
    assert store.search.search("nothingsuch", limit=10).total == 0
