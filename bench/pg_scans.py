"""What PostgreSQL's statistics say a store's tables cost in scans: per table, sequential
scans and the rows they read, index scans, live rows, and when (and how often) it was
analysed (``pg_stat_user_tables``; counted since the database was made, kept across a
clean restart of the server). For a store of ``bench/pg_vs_sqlite.py --work`` or any
database the bench ingested into: a table read whole again and again shows here.

    python bench/pg_scans.py --pg URL [--top 8] [--table story_df]
"""

from __future__ import annotations

import argparse

_QUERY = ("SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), n_live_tup, "
          "analyze_count, autoanalyze_count, "
          "to_char(greatest(last_analyze, last_autoanalyze), 'HH24:MI:SS') "
          "FROM pg_stat_user_tables")


def table_scans(location: str, top: int = 8, tables: list[str] | None = None) -> list[tuple]:
    """Rows of ``pg_stat_user_tables`` (see the module's docstring): the ``top`` tables by
    rows read in sequential scans, or the ``tables`` named."""
    import psycopg

    with psycopg.connect(location, autocommit=True) as conn:
        if tables:
            return conn.execute(_QUERY + " WHERE relname = ANY(%s) ORDER BY relname",
                                (tables,)).fetchall()
        return conn.execute(_QUERY + " ORDER BY seq_tup_read DESC LIMIT %s", (top,)).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="the database's postgresql:// URL")
    parser.add_argument("--top", type=int, default=8, help="tables to list (default 8)")
    parser.add_argument("--table", action="append", help="list this table (repeatable)")
    args = parser.parse_args()
    print("table | seq scans | rows read by them | index scans | live rows | "
          "ANALYZE (by hand; by autovacuum) | last analysed (UTC)")
    for row in table_scans(args.pg, args.top, args.table):
        name, seq, read, idx, live, manual, auto, last = row
        print(f"{name} | {seq:,} | {read:,} | {idx:,} | {live:,} | {manual}; {auto} | {last}")


if __name__ == "__main__":
    main()
