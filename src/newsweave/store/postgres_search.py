"""Full-text search of the PostgreSQL store: tsvector, ts_rank and ts_headline.

The index is the ``articles_fts`` column of ``articles`` (a generated tsvector:
title weighted A, body B, English stemming like the SQLite index's Porter
tokenizer; see :mod:`newsweave.store.dialect`) with a GIN index. Queries keep
the syntax the SQLite search accepts: words (all must match), ``"a phrase"``,
``OR``, ``NOT``, ``AND``, ``prefix*`` and parentheses. :func:`parse_query`
turns one into a tsquery built from bound parameters, so no query text ever
becomes SQL or tsquery syntax by itself. Everything else (facets, paging,
one hit per origin, the story catalogue) is :class:`SearchTables`'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from newsweave.store import search as search_module
from newsweave.store.dialect import FTS_CONFIG
from newsweave.store.search import (
    MARK_END,
    MARK_START,
    SearchHit,
    SearchTables,
    _clean_marks,
    article_filters,
    page_hits,
    plain_query,
)
from newsweave.store.search_summary import Summary, summarize

# ts_rank's weights, in its order D, C, B, A: a title match (A) weighs four body matches
# (B), as bm25's column weights 4.0 and 1.0 do in the SQLite index.
_WEIGHTS = "{0.1, 0.2, 0.25, 1.0}"
_RANK_NORMALIZATION = 1  # rank / (1 + log(document length)): long bodies do not win alone
_SNIPPET_WORDS = 24
_HEADLINE = (f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords={_SNIPPET_WORDS}, '
             "MinWords=12, ShortWord=2")
# A fragment around the best match, as SQLite's snippet() picks one; a short body is
# shown whole (a fragment keeps only the words around the match).
_FRAGMENT = _HEADLINE + ', MaxFragments=1, FragmentDelimiter=" … "'
_TOKENS = re.compile(r'\s+|"(?:[^"]|"")*"|[()*]|[\w\x1a]+|.', re.UNICODE)
_SYNTAX_MESSAGE = ("the query's syntax was not understood (use \"a phrase\", OR, NOT, "
                   "prefix*); searched for its words instead")


class QuerySyntaxError(ValueError):
    """The query is not in the search syntax (an unbalanced quote or parenthesis, a
    dangling operator, a character outside a phrase that the syntax does not know)."""


def parse_query(text: str) -> tuple[str, list[str]]:
    """A tsquery expression (SQL with ``%s`` placeholders) and its parameters.

    >>> expression, params = parse_query('"prime minister" OR budget*')
    >>> expression
    "(phraseto_tsquery('english', %s) || to_tsquery('english', %s))"
    >>> params
    ['prime minister', 'budget:*']
    >>> parse_query('talks NOT ceasefire')[0]
    "(plainto_tsquery('english', %s) && !!plainto_tsquery('english', %s))"
    >>> parse_query('(a OR')
    Traceback (most recent call last):
    ...
    newsweave.store.postgres_search.QuerySyntaxError: expected a word or a phrase at the end
    """
    tokens = [t for t in _TOKENS.findall(text) if not t.isspace()]
    params: list[str] = []
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def primary() -> str:
        token = peek()
        if token is None or token in ("OR", "AND", "NOT", ")", "*"):
            where = f"at {token!r}" if token else "at the end"
            raise QuerySyntaxError(f"expected a word or a phrase {where}")
        take()
        if token == "(":
            inner = either()
            if peek() != ")":
                raise QuerySyntaxError("a '(' is never closed")
            take()
            return inner
        if token.startswith('"'):
            if len(token) < 2 or not token.endswith('"'):
                raise QuerySyntaxError("a phrase's quote is never closed")
            phrase = token[1:-1].replace('""', '"')
            if peek() == "*":  # a phrase's last word as a prefix: kept as a phrase
                take()
            params.append(phrase)
            return f"phraseto_tsquery('{FTS_CONFIG}', %s)"
        if not re.fullmatch(r"[\w\x1a]+", token):
            raise QuerySyntaxError(f"{token!r} is not part of the search syntax")
        if peek() == "*":
            take()
            params.append(token + ":*")
            return f"to_tsquery('{FTS_CONFIG}', %s)"
        params.append(token)
        return f"plainto_tsquery('{FTS_CONFIG}', %s)"

    def negation() -> str:
        left = primary()
        while peek() == "NOT":
            take()
            left = f"({left} && !!{primary()})"
        return left

    def conjunction() -> str:
        left = negation()
        while peek() is not None and peek() not in ("OR", ")"):
            if peek() == "AND":
                take()
            left = f"({left} && {negation()})"
        return left

    def either() -> str:
        left = conjunction()
        while peek() == "OR":
            take()
            left = f"({left} || {conjunction()})"
        return left

    expression = either()
    if peek() is not None:
        raise QuerySyntaxError(f"unexpected {peek()!r}")
    return expression, params


class PostgresSearchTables(SearchTables):
    """Search on a :class:`~newsweave.store.postgres.PostgresStore` (``store.search``)."""

    def _found(self, text: str, outlet: str | None, language: str | None,
               story: int | None, since: date | None, until: date | None,
               entity: int | None, one_per_origin: bool, limit: int, offset: int
               ) -> tuple[Summary, str, int, str | None, list[SearchHit]] | None:
        """As :meth:`SearchTables._found`: the summary (:meth:`_summary`), then the page's
        snippets and articles, one statement each."""
        found = self._summary(text, outlet, language, story, since, until, entity,
                              one_per_origin, limit, offset)
        if found is None:
            return None
        summary, match, total, message = found
        ids = [p[0] for p in summary.page]
        snippets = self._snippets(match, ids)
        marks = ",".join("?" * len(ids))
        listed = {int(a[0]): (*a[1:], snippets.get(int(a[0]), "")) for a in self._db.execute(
            f"SELECT id, title, outlet, language, published, url FROM articles "
            f"WHERE id IN ({marks})", ids)} if ids else {}
        return summary, match, total, message, page_hits(summary.page, listed)

    def _summary(self, text: str, outlet: str | None, language: str | None,
                 story: int | None, since: date | None, until: date | None,
                 entity: int | None, one_per_origin: bool, limit: int, offset: int
                 ) -> tuple[Summary, str, int, str | None] | None:
        """As :meth:`SearchTables._summary`: the ranking returns the best hits with their
        facts (:meth:`_matches`), counted in Python (:func:`summarize`)."""
        found = self._matches(text, outlet, language, story, since, until, entity)
        if found is None:
            return None
        rows, match, total, message = found
        return (summarize(rows, one_per_origin, offset, limit, self._entity_facet), match,
                total, message)

    def _matches(self, text: str, outlet: str | None, language: str | None,
                 story: int | None, since: date | None, until: date | None,
                 entity: int | None = None
                 ) -> tuple[list[tuple[Any, ...]], str, int, str | None] | None:
        """As :meth:`SearchTables._matches`: the best CONSIDERED matches, the expression
        that ran, the total and a message; None if nothing runs. (PostgreSQL ranks every
        match through the GIN index, so no rank window is needed here.)"""
        message = None
        for match in (text, plain_query(text)):
            try:
                expression, words = parse_query(match)
            except QuerySyntaxError:
                message = _SYNTAX_MESSAGE
                continue
            clauses, params = article_filters(outlet, language, story, entity, since, until)
            where = ["a.articles_fts @@ q.query", *clauses]
            sql = (
                f"WITH q AS MATERIALIZED (SELECT {expression.replace('%s', '?')} AS query) "
                f"SELECT a.id, a.outlet, a.language, a.published, m.story_id, "
                f"coalesce((SELECT min(o.origin_id) FROM article_origin o "
                f"WHERE o.article_id = a.id), a.id), "
                f"-ts_rank('{_WEIGHTS}', a.articles_fts, q.query, {_RANK_NORMALIZATION}) "
                f"AS rank, count(*) OVER () FROM q JOIN articles a ON a.articles_fts @@ q.query "
                f"LEFT JOIN story_members m ON m.article_id = a.id "
                f"WHERE {' AND '.join(where)} ORDER BY rank, a.id LIMIT ?"
            )
            # counted in the statement (the window's count is taken before the LIMIT):
            # only the best CONSIDERED rows cross into Python, not every match
            rows = self._db.execute(sql, [*words, *params, search_module.CONSIDERED]).fetchall()
            total = int(rows[0][7]) if rows else 0
            return [tuple(r[:7]) for r in rows], match, total, message
        return None

    def _snippets(self, match: str, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        try:
            expression, words = parse_query(match)
        except QuerySyntaxError:
            return {}
        marks = ",".join("?" * len(ids))
        query = expression.replace("%s", "?")
        rows = self._db.execute(
            f"SELECT a.id, CASE WHEN array_length(regexp_split_to_array(btrim(a.text), "
            f"'\\s+'), 1) <= {_SNIPPET_WORDS} "
            f"THEN ts_headline('{FTS_CONFIG}', a.text, {query}, ?) "
            f"ELSE ts_headline('{FTS_CONFIG}', a.text, {query}, ?) END, a.text "
            f"FROM articles a WHERE a.id IN ({marks})",
            [*words, _HEADLINE, *words, _FRAGMENT, *ids])
        return {int(r[0]): _ellipsis(_clean_marks(r[1] or ""), r[2] or "") for r in rows}

    def index_size(self) -> int:
        """Bytes the full-text index takes (its GIN index)."""
        row = self._db.execute("SELECT pg_relation_size('articles_fts_index')").fetchone()
        return int(row[0] or 0) if row else 0

    def generation(self) -> int:
        """As :meth:`SearchTables.generation`, from the stage log (PostgreSQL has no rowid):
        every finished stage run adds a row to it."""
        row = self._db.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM stage_log) * 1000003 "
            "+ (SELECT coalesce(max(id), 0) FROM articles)").fetchone()
        return int(row[0]) if row else 0

    def listing_state(self) -> tuple[int, int, int]:
        """As :meth:`SearchTables.listing_state` (the web's list cache is keyed by it),
        from the stage log (PostgreSQL has no rowid): the newest stage log row, article
        and story log entry, three primary-key maxima."""
        row = self._db.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM stage_log), "
            "(SELECT coalesce(max(id), 0) FROM articles), "
            "(SELECT coalesce(max(seq), 0) FROM story_log)").fetchone()
        return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)


def _ellipsis(snippet: str, text: str) -> str:
    """'…' where the snippet cuts the text, as the SQLite index's snippets show it."""
    plain = snippet.replace(MARK_START, "").replace(MARK_END, "").strip()
    if not plain:
        return snippet
    head = plain.split(" … ")[0][:40]
    tail = plain.split(" … ")[-1][-40:]
    start = "" if text.lstrip().startswith(head) else "…"
    end = "" if text.rstrip().endswith(tail) else "…"
    return start + snippet.strip() + end


__all__ = ["PostgresSearchTables", "QuerySyntaxError", "parse_query"]
