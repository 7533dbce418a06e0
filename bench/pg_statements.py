"""Statements the store sends to PostgreSQL (and SQLite runs) per ingested article.

The archive of ``bench/pg_vs_sqlite.py`` (``bench/corpus.py``, seed 7; needs
``../shared/benchmarks``) is ingested through ``Engine.ingest`` with the same stages (clean,
``reuse`` without embeddings, ``stories``), once into a fresh PostgreSQL database of a
throw-away cluster (or ``--pg URL``) and once into a fresh SQLite file. Counted:

- PostgreSQL: at psycopg's cursor, every ``execute`` is one statement and one round trip;
  an ``executemany`` of n rows is n statements (psycopg 3 sends them in one pipeline: one
  round trip); a multi-statement text (the store's BEGIN + lock) counts once;
- SQLite: every statement its trace callback reports (each a function call, no round trip).

Printed: totals per 500 articles, and the statement kinds that count most on PostgreSQL
(IN lists and VALUES lists folded, so one kind is one line).

    python bench/pg_statements.py --articles 1000 [--keep DIR] [--top 25]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
_FOLD = [(re.compile(r"\((?:\s*(?:%s|\?)\s*,)+\s*(?:%s|\?)\s*\)"), "(…)"),
         (re.compile(r"(?:\(…\)\s*,\s*)+\(…\)"), "(…)"),
         (re.compile(r"nested_\d+"), "nested_N"),
         (re.compile(r"lock_timeout = \d+"), "lock_timeout = N"),
         (re.compile(r"\s+"), " ")]


def kind(sql: str) -> str:
    """A statement's text with its lists folded: one line per kind of statement."""
    text = sql if isinstance(sql, str) else str(sql)
    for pattern, repl in _FOLD:
        text = pattern.sub(repl, text)
    return text.strip()[:150]


class Counter:
    def __init__(self) -> None:
        self.statements: collections.Counter[str] = collections.Counter()
        self.round_trips = 0

    def add(self, sql: Any, n: int = 1) -> None:
        self.statements[kind(sql)] += n
        self.round_trips += 1


def ingest(location: str, archive: Path, batch: int, counter: Counter) -> int:
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.engine import Engine
    from newsweave.reuse import ReuseStage
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage

    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    settings = load_settings(db=location, batch_size=batch, reuse_embed=0)
    store = open_store(location)
    if not location.startswith("postgresql://"):
        store._db.set_trace_callback(lambda sql: counter.add(sql))
    engine = Engine(store, settings, stages=[ReuseStage(), StoriesStage()])
    for shard in manifest["shards"]:
        engine.ingest([str(archive / shard)])
    articles = store.count_articles()
    engine.close()
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--shard-size", type=int, default=500)
    parser.add_argument("--pg", help="URL of a PostgreSQL database whose user may create "
                        "databases (default: start a throw-away cluster)")
    parser.add_argument("--keep", type=Path, help="keep the generated archive in this folder")
    parser.add_argument("--top", type=int, default=25, help="statement kinds listed")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "bench"))
    import psycopg

    from corpus import generate
    from newsweave.store.postgres_cluster import scratch_database

    pg = Counter()
    execute, executemany = psycopg.Cursor.execute, psycopg.Cursor.executemany

    def counted_execute(self: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        pg.add(query)
        return execute(self, query, params, **kw)

    def counted_executemany(self: Any, query: Any, params_seq: Any, **kw: Any) -> Any:
        rows = list(params_seq)
        pg.add(query, len(rows))
        return executemany(self, query, rows, **kw)

    work = Path(tempfile.mkdtemp(prefix="newsweave-pgcount-"))
    archive = args.keep or work / "archive"
    if not (archive / "manifest.json").exists():
        generate(args.articles, archive, seed=7, shard_size=args.shard_size)
    try:
        with scratch_database(args.pg, "newsweave_count") as location:
            psycopg.Cursor.execute = counted_execute  # type: ignore[method-assign]
            psycopg.Cursor.executemany = counted_executemany  # type: ignore[method-assign]
            try:
                pg_articles = ingest(location, archive, args.batch, pg)
            finally:
                psycopg.Cursor.execute = execute  # type: ignore[method-assign]
                psycopg.Cursor.executemany = executemany  # type: ignore[method-assign]
        lite = Counter()
        lite_articles = ingest(str(work / "count.db"), archive, args.batch, lite)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    per = 500 / pg_articles
    print(f"PostgreSQL: {pg_articles} articles; per 500 articles "
          f"{sum(pg.statements.values()) * per:,.0f} statements in "
          f"{pg.round_trips * per:,.0f} round trips")
    print(f"SQLite: {lite_articles} articles; per 500 articles "
          f"{sum(lite.statements.values()) * 500 / lite_articles:,.0f} statements")
    print(f"PostgreSQL statement kinds, most first (per 500 articles; of {len(pg.statements)}):")
    for text, n in pg.statements.most_common(args.top):
        print(f"{n * per:9,.0f}  {text}")


if __name__ == "__main__":
    main()
