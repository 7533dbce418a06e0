"""PostgreSQL's search before and after its ranking statement took a LIMIT: the load mix's
searches on a PostgreSQL store, each run both ways, alternating.

Before, ``PostgresSearchTables._matches`` fetched every match (with its facts) and kept the
best CONSIDERED in Python; now the statement returns only those and counts the rest with
``count(*) OVER ()``. This copies N articles (title, text, outlet, date, language) of an
SQLite store (one built by ``bench/web_load.py --fillers``) into a fresh PostgreSQL
database, then runs the load mix's searches (``bench/web_search_cpu.py``'s) through
``search()`` with the old statement and with the new one, one after the other per search;
prints the client's CPU, the PostgreSQL backend's CPU (``/proc``) and the wall time of
each way in all, and whether both gave the same results. PostgreSQL is a throw-away
cluster this script starts unless ``--pg URL`` names a server whose user may create
databases::

    python bench/web_search_pg.py --sqlite STORE --articles 20000
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from pg_vs_sqlite import _ticks  # noqa: E402
from web_search_cpu import outcome, searches  # noqa: E402


def old_tables(store: Any) -> Any:
    """The store's search tables with the statement as it was (every match fetched)."""
    from newsweave.store import search as search_module
    from newsweave.store.postgres_search import (
        _RANK_NORMALIZATION,
        _SYNTAX_MESSAGE,
        _WEIGHTS,
        PostgresSearchTables,
        QuerySyntaxError,
        article_filters,
        parse_query,
        plain_query,
    )

    class Before(PostgresSearchTables):
        def _matches(self, text, outlet, language, story, since, until, entity=None):  # type: ignore[no-untyped-def]
            message = None
            for match in (text, plain_query(text)):
                try:
                    expression, words = parse_query(match)
                except QuerySyntaxError:
                    message = _SYNTAX_MESSAGE
                    continue
                clauses, params = article_filters(outlet, language, story, entity, since,
                                                  until)
                where = ["a.articles_fts @@ q.query", *clauses]
                sql = (
                    f"WITH q AS MATERIALIZED (SELECT {expression.replace('%s', '?')} AS query) "
                    f"SELECT a.id, a.outlet, a.language, a.published, m.story_id, "
                    f"coalesce((SELECT min(o.origin_id) FROM article_origin o "
                    f"WHERE o.article_id = a.id), a.id), "
                    f"-ts_rank('{_WEIGHTS}', a.articles_fts, q.query, {_RANK_NORMALIZATION}) "
                    f"AS rank FROM q JOIN articles a ON a.articles_fts @@ q.query "
                    f"LEFT JOIN story_members m ON m.article_id = a.id "
                    f"WHERE {' AND '.join(where)} ORDER BY rank, a.id")
                rows = self._db.execute(sql, [*words, *params]).fetchall()
                return ([tuple(r) for r in rows[: search_module.CONSIDERED]], match, len(rows),
                        message)
            return None

    return Before(store)


def copy_articles(source: str, store: Any, count: int) -> int:
    """The first ``count`` articles of the SQLite store ``source``, written to ``store``."""
    from newsweave.model import Article

    db = sqlite3.connect(source)
    rows = db.execute("SELECT content_hash, text, source, title, outlet, published, language "
                      "FROM articles ORDER BY id LIMIT ?", (count,)).fetchall()
    db.close()
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        store.add_articles([Article(id=None, content_hash=r[0], raw="", raw_format="text",
                                    text=r[1], source=r[2], title=r[3], outlet=r[4],
                                    published=r[5], language=r[6], removed=[], metadata={})
                            for r in chunk], [{}] * len(chunk))
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite", required=True, help="the SQLite store to copy from")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--pg", help="a PostgreSQL URL whose user may create databases")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    import os

    from newsweave.store import open_store
    from newsweave.store.postgres_cluster import scratch_database

    with scratch_database(args.pg, "newsweave_search_bench") as location:
        store = open_store(location)
        started = time.perf_counter()
        copied = copy_articles(args.sqlite, store, args.articles)
        took = time.perf_counter() - started
        print(f"{copied:,} articles copied into PostgreSQL in {took:.0f} s")
        asked = searches(args.sqlite, args.requests, args.seed)
        backend = int(store._db.execute("SELECT pg_backend_pid()").fetchone()[0])
        ways = {"before (every match fetched)": old_tables(store), "after (LIMIT)": store.search}
        spent = {name: [0.0, 0.0, 0.0] for name in ways}
        same = 0
        for query, options in asked:
            results = []
            for name, tables in ways.items():
                wall, cpu, server = time.perf_counter(), time.process_time(), _ticks(backend)
                results.append(outcome(tables.search(query, **options)))
                spent[name][0] += time.perf_counter() - wall
                spent[name][1] += time.process_time() - cpu
                spent[name][2] += _ticks(backend) - server
            same += results[0] == results[1]
        print(f"{len(asked)} searches on {copied:,} articles, each both ways (load average "
              f"{os.getloadavg()[0]:.1f}); results equal in {same} of {len(asked)}")
        print(f"{'way':<30}{'wall ms':>9}{'client CPU ms':>15}{'server CPU ms':>15}  per search")
        for name, (wall, cpu, server) in spent.items():
            n = len(asked)
            print(f"{name:<30}{wall * 1000 / n:>9.1f}{cpu * 1000 / n:>15.1f}"
                  f"{server * 1000 / n:>15.1f}")
        store.close()


if __name__ == "__main__":
    main()
