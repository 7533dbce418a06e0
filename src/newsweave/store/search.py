"""Reader queries of the SQLite store: full-text search (FTS5, BM25).

The only place that knows how the search index (``articles_fts``, kept in step
with ``articles`` by triggers, see migrations) is laid out. The engine reads through
:class:`SearchTables` (``store.search``), which also holds the story catalogue and the
article list (:class:`~newsweave.store.listing.ListingTables`).
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from newsweave.store.listing import ListingTables, StoryFilter
from newsweave.store.search_summary import (
    Summary,
    read_summary,
    summary_sql,
)

# Snippet markers: control characters no clean text keeps; the reader escapes the snippet,
# then turns them into <mark> (see newsweave.web), so highlighting cannot inject markup.
MARK_START = "\x02"
MARK_END = "\x03"
_MARKS = re.compile("[\x02\x03]")
_WORDS = re.compile(r"\w+", re.UNICODE)
# Title matches weigh more than body matches (bm25 column weights: title, text).
_BM25 = "bm25(articles_fts, 4.0, 1.0)"
# Errors of the store itself; any other error of a MATCH is the query's syntax (FTS5 reports
# "syntax error", "unterminated string", "no such column", "unknown special query", ...).
# A search's cost is bounded whatever the store's size (see SearchTables.search): ranking
# and filters run over at most the newest RANK_WINDOW matches; facets, the histogram,
# origin folding and paging over the best CONSIDERED of them.
RANK_WINDOW = 10_000
CONSIDERED = 1_000
_STORE_TROUBLE = ("locked", "busy", "disk", "no such table", "readonly", "malformed")


@dataclass(slots=True)
class SearchHit:
    article: int
    title: str | None
    outlet: str | None
    language: str | None
    published: str | None
    url: str | None
    story: int | None
    origin: int
    score: float
    snippet: str  # plain text with MARK_START / MARK_END around matched terms
    copies: int = 0  # other hits of the same origin folded into this one

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article, "title": self.title, "outlet": self.outlet,
            "language": self.language, "published": self.published, "url": self.url,
            "story": self.story, "origin": self.origin, "score": round(self.score, 4),
            "snippet": self.snippet, "copies": self.copies,
        }


@dataclass(slots=True)
class SearchResult:
    query: str
    match: str  # the FTS5 expression that ran ("" when nothing could run)
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    histogram: list[tuple[str, int]] = field(default_factory=list)
    message: str | None = None  # why the query was reinterpreted or gave nothing
    entity_names: dict[str, str] = field(default_factory=dict)  # entity facet id -> name
    considered: int = 0  # the best hits the facets, histogram and pages are drawn from

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query, "match": self.match, "total": self.total,
            "considered": self.considered,
            "message": self.message, "hits": [h.to_dict() for h in self.hits],
            "facets": {k: [{"value": v, "count": n} for v, n in rows]
                       for k, rows in self.facets.items()},
            "histogram": [{"day": d, "count": n} for d, n in self.histogram],
            "entity_names": self.entity_names,
        }


class SearchStore(Protocol):
    def search(self, query: str, *, outlet: str | None = ..., language: str | None = ...,
               story: int | None = ..., since: date | None = ..., until: date | None = ...,
               one_per_origin: bool = ..., limit: int = ..., offset: int = ...,
               entity: int | None = ...) -> SearchResult: ...
    def story_page(self, sort: str, filters: StoryFilter, after: tuple[float, int] | None,
                   limit: int) -> list[tuple[int, float]]: ...
    def index_size(self) -> int: ...
    def entity_articles(self, entity_id: int) -> list[int]: ...
    def article_page(self, after: int, limit: int, *, outlet: str | None = ...,
                     language: str | None = ...) -> list[int]: ...
    def article_rows(self, after: int, limit: int, *, outlet: str | None = ...,
                     language: str | None = ...) -> list[dict[str, Any]]: ...
    def generation(self) -> int: ...
    def story_listing_state(self) -> tuple[int, int, int]: ...
    def story_generation(self, story_id: int, stages: Sequence[str]) -> int: ...
    def facet_values(self, column: str, limit: int = ...) -> list[tuple[str, int]]: ...


def plain_query(query: str) -> str:
    """The query's words, each quoted: what runs when the FTS5 syntax does not parse."""
    return " ".join(f'"{w}"' for w in _WORDS.findall(query))


def article_filters(outlet: str | None, language: str | None, story: int | None,
                    entity: int | None, since: date | None, until: date | None
                    ) -> tuple[list[str], list[Any]]:
    """A search's filters as SQL conditions on the articles table (aliased ``a``) and
    their parameters; shared by both backends' searches."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("outlet", outlet), ("language", language)):
        if value:
            where.append(f"a.{column} = ?")
            params.append(value)
    for table, column, value in (("story_members", "story_id", story),
                                 ("entity_articles", "entity_id", entity)):
        if value is not None:
            where.append(f"a.id IN (SELECT article_id FROM {table} WHERE {column} = ?)")
            params.append(value)
    for operator, day in ((">=", since), ("<=", until)):
        if day is not None:
            where.append(f"substr(a.published, 1, 10) {operator} ?")
            params.append(day.isoformat())
    return where, params


def ranking_sql(clauses: Sequence[str], filtered: bool | None = None) -> str:
    """The CTEs that count a search's matches (``matched``) and rank the best of them
    (``ranked(id, rank)``), for :func:`~newsweave.store.search_summary.summary_sql`; with
    filters (``clauses``, :func:`article_filters`; ``filtered``: a filter was given, even
    one that keeps every article, such as an empty outlet: by default, whether there are
    clauses), ``found`` holds the filtered matches.
    Parameters: the MATCH expression, RANK_WINDOW, the expression, RANK_WINDOW - 1, the
    expression, the filters' values, CONSIDERED.

    Ranking and filters run over the newest RANK_WINDOW matches: the rowids above a bound,
    the RANK_WINDOW-th match from the newest when more match (else 0, every match)."""
    counted = ("matched AS MATERIALIZED (SELECT count(*) AS n FROM articles_fts "
               "WHERE articles_fts MATCH ?), "
               "low AS MATERIALIZED (SELECT CASE WHEN (SELECT n FROM matched) > ? THEN "
               "(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
               "ORDER BY rowid DESC LIMIT 1 OFFSET ?) ELSE 0 END AS id)")
    where = ["articles_fts MATCH ?", "articles_fts.rowid >= (SELECT id FROM low)"]
    if not (bool(clauses) if filtered is None else filtered):
        return (f"WITH {counted}, ranked AS MATERIALIZED (SELECT articles_fts.rowid AS id, "
                f"{_BM25} AS rank FROM articles_fts WHERE {' AND '.join(where)} "
                f"ORDER BY rank, articles_fts.rowid LIMIT ?)")
    # CROSS JOIN: the index's matches drive, each article looked up by id; left to itself
    # the planner may scan an index of articles (every article in a language) and run the
    # MATCH once per article, a hundred thousand times. INDEXED BY: the filters' columns
    # are read from the covering index articles_listing (the planner prefers the row,
    # behind the article's text). One pass over the filtered matches (materialized):
    # counted, and the best CONSIDERED of them ranked by SQLite's sorter, which keeps only
    # those.
    return (f"WITH {counted}, found AS MATERIALIZED (SELECT articles_fts.rowid AS id, "
            f"{_BM25} AS rank FROM articles_fts CROSS JOIN articles a INDEXED BY "
            f"articles_listing ON a.id = articles_fts.rowid "
            f"WHERE {' AND '.join([*where, *clauses])}), "
            f"ranked AS MATERIALIZED (SELECT id, rank FROM found ORDER BY rank, id LIMIT ?)")


def page_hits(page: Sequence[tuple[int, int | None, int, float, int]],
              listed: dict[int, tuple[Any, ...]]) -> list[SearchHit]:
    """The page's hits: (id, story, origin, rank, copies) in rank order with each article's
    (title, outlet, language, published, url, snippet); an article not listed (deleted
    between two reads) is no hit."""
    hits = []
    for article_id, story_id, origin, rank, copies in page:
        article = listed.get(article_id)
        if article is None:
            continue
        hits.append(SearchHit(
            article=article_id, title=article[0], outlet=article[1], language=article[2],
            published=article[3], url=article[4], story=story_id, origin=origin,
            score=-rank, snippet=article[5], copies=copies))
    return hits


class SearchTables(ListingTables):
    """Search and listing SQL on a :class:`SQLiteStore` (attached as ``store.search``);
    the listing half is :class:`~newsweave.store.listing.ListingTables`."""

    # -- full text ------------------------------------------------------------

    def search(self, query: str, *, outlet: str | None = None, language: str | None = None,
               story: int | None = None, since: date | None = None, until: date | None = None,
               one_per_origin: bool = False, limit: int = 20, offset: int = 0,
               entity: int | None = None) -> SearchResult:
        """Articles matching ``query`` (FTS5 syntax: "phrase", OR, NOT, prefix*), best first.

        A query FTS5 cannot parse runs again as its plain words, with a message saying
        so; one without any word gives no hits and a message. The cost is bounded
        whatever the store's size: ranking and filters run over the newest
        :data:`RANK_WINDOW` matches (all of them in most searches; a message says when
        not), and the facets, the date histogram, the "one hit per origin" folding and
        paging over the best :data:`CONSIDERED` of those (``considered`` says how many).
        ``total`` counts every match under the filters when it can be counted cheaply
        (no filter, or every match in the window), else the matches in the window.
        """
        text = (query or "").strip()
        if not _WORDS.search(text):
            return SearchResult(query, "", 0, [], message="type a word to search for")
        found = self._found(text, outlet, language, story, since, until, entity,
                            one_per_origin, limit, offset)
        if found is None:
            return SearchResult(query, "", 0, [],
                                message="the query could not be searched; try plain words")
        summary, match, total, message, hits = found
        if one_per_origin and summary.considered == total:
            total = summary.shown  # every match was folded: the count is exact
        if total == 0 and message is None:
            message = "no article matches"
        return SearchResult(query, match, total, hits, summary.facets, summary.histogram,
                            message, summary.entity_names, considered=summary.shown)

    def _found(self, text: str, outlet: str | None, language: str | None,
               story: int | None, since: date | None, until: date | None,
               entity: int | None, one_per_origin: bool, limit: int, offset: int
               ) -> tuple[Summary, str, int, str | None, list[SearchHit]] | None:
        """The best CONSIDERED matches summarized (facets, histogram, the page), the
        expression that ran, the total, a message and the page's hits; None if nothing
        runs. One statement (:func:`ranking_sql`, :func:`summary_sql`) counts the
        matches, ranks them, summarizes the best and reads the page's articles and
        snippets: one step of SQLite's, not one a statement and a row (see summary_sql)."""
        clauses, values = article_filters(outlet, language, story, entity, since, until)
        filtered = any(v is not None for v in (outlet, language, story, entity, since, until))
        sql = summary_sql(ranking_sql(clauses, filtered), one_per_origin,
                          "found" if filtered else None)
        message = None
        for match in (text, plain_query(text)):
            params = [match, RANK_WINDOW, match, RANK_WINDOW - 1, match, *values, CONSIDERED,
                      limit, offset, MARK_START, MARK_END, match]
            try:
                rows = self._db.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                if any(word in str(exc) for word in _STORE_TROUBLE):
                    raise  # the store's trouble, not the query's
                message = ("the query's syntax was not understood (use \"a phrase\", OR, NOT, "
                           "prefix*); searched for its words instead")
                continue
            break
        else:
            return None
        summary = read_summary(rows, one_per_origin)
        count = summary.matched or 0
        if count > RANK_WINDOW:
            message = ((message + " ") if message else "") + (
                f"{count:,} articles match: the hits are ranked among the "
                f"{RANK_WINDOW:,} stored last; add words or filters to rank them all")
        total = summary.total if filtered and summary.total is not None else count
        listed = {i: (*fields[:5], _clean_marks(fields[5] or ""))
                  for i, fields in summary.listed.items()}
        return summary, match, total, message, page_hits(summary.page, listed)

    def _entity_facet(self, ids: Sequence[int]) -> tuple[list[tuple[str, int]],
                                                          dict[str, str]]:
        """The entities most of these articles mention: (id, articles) and id -> name."""
        if not ids:
            return [], {}
        counts: Counter[int] = Counter()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            counts.update(int(r[0]) for r in self._db.execute(
                f"SELECT entity_id FROM entity_articles WHERE article_id IN ({marks})", chunk))
        top = counts.most_common(15)
        if not top:
            return [], {}
        marks = ",".join("?" * len(top))
        names = {str(r[0]): str(r[1]) for r in self._db.execute(
            f"SELECT id, name FROM entities WHERE id IN ({marks})", [e for e, _ in top])}
        return [(str(e), n) for e, n in top if str(e) in names], names

    def _snippets(self, match: str, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        # FTS5 runs a query once per value of "rowid IN (...)" (a prefix expanded each
        # time: a hundred times a plain word's cost; a plain word's query set up each
        # time: twice the pass below on the load mix): one pass over the page's rowid
        # range instead, the list checked outside the index (the unary +)
        rows = self._db.execute(
            f"SELECT rowid, snippet(articles_fts, 1, ?, ?, '…', 24) FROM articles_fts "
            f"WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ? "
            f"AND +rowid IN ({marks})",
            [MARK_START, MARK_END, match, min(ids), max(ids), *ids])
        return {int(r[0]): _clean_marks(r[1] or "") for r in rows}

    def index_size(self) -> int:
        """Bytes the full-text index takes (its shadow tables' pages)."""
        try:
            row = self._db.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%'").fetchone()
            return int(row[0] or 0)
        except sqlite3.OperationalError:  # SQLite built without the dbstat table
            rows = self._db.execute("SELECT block FROM articles_fts_data").fetchall()
            return sum(len(r[0] or b"") for r in rows)


def _clean_marks(snippet: str) -> str:
    """Drop unbalanced markers (a snippet cut inside a match) so each start has its end."""
    out, open_ = [], False
    for part in re.split("([\x02\x03])", snippet):
        if part == MARK_START:
            if not open_:
                out.append(part)
                open_ = True
        elif part == MARK_END:
            if open_:
                out.append(part)
                open_ = False
        else:
            out.append(_MARKS.sub("", part))
    if open_:
        out.append(MARK_END)
    return "".join(out)
