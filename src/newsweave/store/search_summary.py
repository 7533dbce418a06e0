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

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
    """One statement: ``ranked`` (CTEs ending in ``ranked(id, rank)``, the best hits
    ranked, with their own parameters) followed by the summary's queries, whose two
    parameters are the page's LIMIT and OFFSET. ``counted``: a CTE of ``ranked`` whose
    rows are the filtered matches, counted as the total. Rows: (kind, a, b, c, d, e, f).
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
    parts = []
    for name, value in (("outlet", "coalesce(nullif(outlet, ''), 'unknown')"),
                        ("language", "coalesce(nullif(language, ''), 'unknown')"),
                        ("story", "story")):
        where = "WHERE story IS NOT NULL " if name == "story" else ""
        # a facet's values by count, ties in the order of their first hit (min(pos))
        parts.append(f"SELECT * FROM (SELECT '{name}', {value}, count(*) AS n, min(pos) "
                     f"AS first, NULL, NULL, NULL FROM hits {where}GROUP BY 2 "
                     f"ORDER BY n DESC, first LIMIT {FACET_VALUES})")
    parts.append("SELECT 'day', substr(published, 1, 10), count(*), NULL, NULL, NULL, NULL "
                 "FROM hits WHERE published IS NOT NULL AND published != '' GROUP BY 2")
    # the entities of the first hits, by count; ties in the order the rows of
    # entity_articles are read by article (ascending ids, then row order)
    parts.append(
        "SELECT 'entity', g.entity_id, g.n, e.name, g.first, g.seq, NULL FROM ("
        "SELECT c.entity_id, c.n, c.first, (SELECT x.rowid FROM entity_articles x "
        "WHERE x.entity_id = c.entity_id AND x.article_id = c.first) AS seq FROM ("
        "SELECT ea.entity_id, count(*) AS n, min(ea.article_id) AS first FROM hits h "
        f"JOIN entity_articles ea ON ea.article_id = h.id WHERE h.pos <= {ENTITY_FACET_HITS} "
        f"GROUP BY ea.entity_id) c ORDER BY c.n DESC, c.first, seq LIMIT {ENTITY_VALUES}) g "
        "LEFT JOIN entities e ON e.id = g.entity_id")
    parts.append("SELECT * FROM (SELECT 'hit', id, story, origin, rank, copies, pos "
                 "FROM shown ORDER BY pos LIMIT ? OFFSET ?)")
    total = f"(SELECT count(*) FROM {counted})" if counted else "NULL"
    parts.append(f"SELECT 'count', (SELECT count(*) FROM hits), (SELECT count(*) FROM shown), "
                 f"{total}, NULL, NULL, NULL")
    return f"{ranked}, {hits}, {shown} " + " UNION ALL ".join(parts)


def read_summary(rows: Sequence[tuple[Any, ...]], one_per_origin: bool) -> Summary:
    """The :class:`Summary` in the rows of a :func:`summary_sql` statement."""
    facets: dict[str, list[tuple[Any, int, Any]]] = {"outlet": [], "language": [],
                                                     "story": []}
    histogram: list[tuple[str, int]] = []
    entities: list[tuple[int, int, int, int, str | None]] = []
    page: list[tuple[int, int, int | None, int, float, int]] = []
    considered = shown = 0
    total = None
    for kind, a, b, c, d, e, f in rows:
        if kind == "hit":
            page.append((int(f), int(a), b, int(c), float(d), int(e) - 1 if one_per_origin
                         else 0))
        elif kind == "day":
            histogram.append((str(a), int(b)))
        elif kind == "entity":
            entities.append((int(b), int(d), int(e), int(a), c))
        elif kind == "count":
            considered, shown, total = int(a), int(b), None if c is None else int(c)
        else:
            facets[kind].append((a, int(b), c))
    # each part's order again: a compound statement's rows come part by part, but the
    # order inside a part is the part's own
    found = {name: [(str(v), n) for v, n, _ in sorted(values, key=lambda x: (-x[1], x[2]))]
             for name, values in facets.items()}
    entities.sort(key=lambda x: (-x[0], x[1], x[2]))
    found["entity"] = [(str(e), n) for n, _, _, e, name in entities if name is not None]
    names = {str(e): str(name) for _, _, _, e, name in entities if name is not None}
    page.sort()
    return Summary(found, sorted(histogram), names, [p[1:] for p in page], considered, shown,
                   total)
