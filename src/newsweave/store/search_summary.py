"""What a search shows of its best hits: facets, the date histogram, the page of hits and
the "one hit per origin" folding, from the best :data:`~newsweave.store.search.CONSIDERED`
matches in rank order.

Two ways to one result. On SQLite, :func:`summary_sql` appends to the ranking statement
the queries that read the hits' facts (outlet, language, date, story, origin) and count
them, so one statement returns a few dozen rows: the facts of a thousand hits are read,
grouped and counted inside SQLite (outside the interpreter lock) instead of a thousand
rows crossing into Python to be counted there. On PostgreSQL, whose ranking returns the
hits with their facts, :func:`summarize` counts them in Python. Both give what the
Python counting always gave (``tests/test_web_search.py`` compares them): a facet's
values by count, ties in the order of their first hit; the histogram in date order.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# The facets' lengths; the entity facet counts the entities of the best hits only (a join
# per match would grow with the store).
FACET_VALUES = 20
ENTITY_VALUES = 15
ENTITY_FACET_HITS = 500


@dataclass(slots=True)
class Summary:
    """A search's facets, histogram and page of hits (id, story, origin, rank, copies)."""

    facets: dict[str, list[tuple[str, int]]]
    histogram: list[tuple[str, int]]
    entity_names: dict[str, str]
    page: list[tuple[int, int | None, int, float, int]]
    considered: int  # the best hits counted, before folding
    shown: int  # the hits the pages are drawn from (after folding)
    total: int | None = None  # the filtered matches, when the statement counted them
    matched: int | None = None  # every match, when the statement counted them
    # the page's articles, id -> (title, outlet, language, published, url, snippet), when
    # the statement read them
    listed: dict[int, tuple[Any, ...]] = field(default_factory=dict)


def summarize(rows: Sequence[tuple[Any, ...]], one_per_origin: bool, offset: int, limit: int,
              entity_facet: Callable[[list[int]], tuple[list[tuple[str, int]],
                                                         dict[str, str]]]) -> Summary:
    """The summary of ``rows``: (id, outlet, language, published, story, origin, rank) in
    rank order; ``entity_facet`` counts the entities of the first hits' ids."""
    facets = {
        "outlet": Counter(r[1] or "unknown" for r in rows).most_common(FACET_VALUES),
        "language": Counter(r[2] or "unknown" for r in rows).most_common(FACET_VALUES),
        "story": [(str(s), n) for s, n in Counter(
            r[4] for r in rows if r[4] is not None).most_common(FACET_VALUES)],
    }
    histogram = sorted(Counter((r[3] or "")[:10] for r in rows if r[3]).items())
    facets["entity"], names = entity_facet([r[0] for r in rows[:ENTITY_FACET_HITS]])
    copies: Counter[int] = Counter()
    kept = list(rows)
    if one_per_origin:
        kept, seen = [], set()
        for r in rows:
            copies[r[5]] += 1
            if r[5] not in seen:
                seen.add(r[5])
                kept.append(r)
    page = [(int(r[0]), r[4], int(r[5]), float(r[6]),
             max(0, copies[r[5]] - 1) if one_per_origin else 0)
            for r in kept[offset : offset + limit]]
    return Summary(facets, histogram, names, page, len(rows), len(kept))


def summary_sql(ranked: str, one_per_origin: bool, counted: str | None = None) -> str:
    """One statement: ``ranked`` (CTEs defining ``matched(n)``, every match counted, and
    ending in ``ranked(id, rank)``, the best hits ranked, with their own parameters)
    followed by the summary's queries, whose parameters are the page's LIMIT and OFFSET,
    then the snippets' start and end markers and the MATCH expression. ``counted``: a CTE
    of ``ranked`` whose rows are the filtered matches, counted as the total. Rows of 13
    columns: first one row of the facets, days and entities as JSON and the counts, then
    the page's hits with their articles' listed fields and snippets (:func:`read_summary`).

    Everything is computed while SQLite steps to the first row (each CTE below is
    materialized, and the first row counts the last of them): each row a statement returns
    is a step that gives up the interpreter lock and takes it back, and a step that works
    for long is, under load, a wait behind every other thread for the lock; the page's
    rows after it are read from a materialized table.
    """
    # The hits' facts, one row a hit in rank order (pos); an article deleted since the
    # ranking is no hit (inner join), as in the Python counting.
    hits = ("hits AS MATERIALIZED (SELECT r.id, r.rank, "
            "row_number() OVER (ORDER BY r.rank, r.id) AS pos, a.outlet, a.language, "
            "a.published, m.story_id AS story, "
            "coalesce((SELECT min(o.origin_id) FROM article_origin o "
            "WHERE o.article_id = r.id), r.id) AS origin "
            "FROM ranked r JOIN articles a INDEXED BY articles_listing ON a.id = r.id "
            "LEFT JOIN story_members m ON m.article_id = r.id)")
    # folding: a hit is kept when it is the first of its origin; copies counts them all
    shown = ("shown AS MATERIALIZED (SELECT * FROM (SELECT id, story, origin, rank, pos, "
             "count(*) OVER (PARTITION BY origin) AS copies, "
             "row_number() OVER (PARTITION BY origin ORDER BY pos) AS nth FROM hits) "
             "WHERE nth = 1)" if one_per_origin else
             "shown AS (SELECT id, story, origin, rank, pos, 1 AS copies FROM hits)")
    page = ("page AS MATERIALIZED (SELECT id, story, origin, rank, copies, pos FROM shown "
            "ORDER BY pos LIMIT ? OFFSET ?)")
    # The page's snippets in one pass over the page's rowid range, the list checked outside
    # the index (the unary +): FTS5 runs a query once per value of "rowid IN (...)" (a
    # prefix expanded each time: a hundred times a plain word's cost)
    snippets = ("snippets AS MATERIALIZED (SELECT rowid AS id, "
                "snippet(articles_fts, 1, ?, ?, '…', 24) AS text FROM articles_fts "
                "WHERE articles_fts MATCH ? AND rowid BETWEEN (SELECT min(id) FROM page) "
                "AND (SELECT max(id) FROM page) AND +rowid IN (SELECT id FROM page))")
    listed = ("listed AS MATERIALIZED (SELECT p.id, p.story, p.origin, p.rank, p.copies, "
              "p.pos, a.title, a.outlet, a.language, a.published, a.url, s.text "
              "FROM page p JOIN articles a ON a.id = p.id "
              "LEFT JOIN snippets s ON s.id = p.id)")
    # Everything but the page's hits comes as JSON in one row (a histogram alone has
    # hundreds of days).
    facets = []
    for name, value in (("outlet", "coalesce(nullif(outlet, ''), 'unknown')"),
                        ("language", "coalesce(nullif(language, ''), 'unknown')"),
                        ("story", "story")):
        where = "WHERE story IS NOT NULL " if name == "story" else ""
        # a facet's values by count, ties in the order of their first hit (min(pos))
        facets.append(f"(SELECT json_group_array(json_array(v, n, first)) FROM (SELECT "
                      f"{value} AS v, count(*) AS n, min(pos) AS first FROM hits {where}"
                      f"GROUP BY 1 ORDER BY n DESC, first LIMIT {FACET_VALUES}))")
    days = ("(SELECT json_group_array(json_array(day, n)) FROM (SELECT substr(published, 1, "
            "10) AS day, count(*) AS n FROM hits WHERE published IS NOT NULL "
            "AND published != '' GROUP BY 1))")
    # the entities of the first hits, by count; ties in the order the rows of
    # entity_articles are read by article (ascending ids, then row order). CROSS JOIN: the
    # hits drive, each one's entities looked up by article; left to itself the planner
    # scanned all of entity_articles (every mention in the store) against the hits.
    entities = (
        "(SELECT json_group_array(json_array(g.entity_id, g.n, e.name, g.first, g.seq)) FROM ("
        "SELECT c.entity_id, c.n, c.first, (SELECT x.rowid FROM entity_articles x "
        "WHERE x.entity_id = c.entity_id AND x.article_id = c.first) AS seq FROM ("
        "SELECT ea.entity_id, count(*) AS n, min(ea.article_id) AS first FROM hits h "
        f"CROSS JOIN entity_articles ea ON ea.article_id = h.id WHERE h.pos <= {ENTITY_FACET_HITS} "
        f"GROUP BY ea.entity_id) c ORDER BY c.n DESC, c.first, seq LIMIT {ENTITY_VALUES}) g "
        "LEFT JOIN entities e ON e.id = g.entity_id)")
    total = f"(SELECT count(*) FROM {counted})" if counted else "NULL"
    # the facets' arrays joined as text: a JSON value's subtype does not cross a subquery
    # in every SQLite version, so json_array() over them might quote them as strings
    joined = "'[' || " + " || ',' || ".join(facets) + " || ']'"
    # with no hit, nothing to count: the counting's sorters are not even set up (each is
    # a temporary table opened, about 0.05 ms: half a millisecond a search with no match)
    found = "EXISTS (SELECT 1 FROM hits)"
    joined = f"CASE WHEN {found} THEN {joined} ELSE '[[],[],[]]' END"
    days = f"CASE WHEN {found} THEN {days} ELSE '[]' END"
    entities = f"CASE WHEN {found} THEN {entities} ELSE '[]' END"
    parts = [f"SELECT 'summary', {joined}, {days}, {entities}, "
             f"(SELECT count(*) FROM hits), (SELECT count(*) FROM shown), {total}, "
             f"(SELECT n FROM matched), (SELECT count(*) FROM listed), "
             f"NULL, NULL, NULL, NULL",
             "SELECT 'hit', * FROM listed"]
    return f"{ranked}, {hits}, {shown}, {page}, {snippets}, {listed} " + " UNION ALL ".join(
        parts)


def read_summary(rows: Sequence[tuple[Any, ...]], one_per_origin: bool) -> Summary:
    """The :class:`Summary` in the rows of a :func:`summary_sql` statement, with the page's
    articles' listed fields and snippets (``listed``) and every match counted
    (``matched``)."""
    page: list[tuple[int, int, int | None, int, float, int]] = []
    listed: dict[int, tuple[Any, ...]] = {}
    facets: list[list[list[Any]]] = [[], [], []]
    days: list[list[Any]] = []
    entities: list[list[Any]] = []
    considered = shown = 0
    total = matched = None
    for kind, a, b, c, d, e, f, *fields in rows:
        if kind == "hit":
            page.append((int(f), int(a), b, int(c), float(d), int(e) - 1 if one_per_origin
                         else 0))
            listed[int(a)] = tuple(fields)
        else:
            facets, days, entities = json.loads(a), json.loads(b), json.loads(c)
            considered, shown, total = int(d), int(e), None if f is None else int(f)
            matched = None if fields[0] is None else int(fields[0])
    # the orders again, as the Python counting gives them (a JSON array is in the order
    # its rows were aggregated, which SQLite does not promise)
    found = {name: [(str(v), int(n)) for v, n, _ in sorted(values, key=lambda x: (-x[1], x[2]))]
             for name, values in zip(("outlet", "language", "story"), facets, strict=True)}
    entities.sort(key=lambda x: (-x[1], x[3], x[4]))
    found["entity"] = [(str(x[0]), int(x[1])) for x in entities if x[2] is not None]
    names = {str(x[0]): str(x[2]) for x in entities if x[2] is not None}
    page.sort()
    return Summary(found, sorted((str(d), int(n)) for d, n in days), names,
                   [p[1:] for p in page], considered, shown, total, matched, listed)
