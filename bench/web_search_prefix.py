"""What an FTS5 prefix index would change for the load bench's prefix searches (a trial).

The load bench's search p95 is its prefix queries (``word*``): FTS5 expands a prefix
over every matching term at each of the three passes a search makes (count, the rank
window's bound, ranking), and once more for the snippets. An FTS5 ``prefix=`` option
keeps the prefixes' postings ready. This builds such an index beside the store's
(``articles_fts_prefix_trial``, same content and tokenizer), times the passes of each
prefix query of the load mix on both (CPU ms, best of 3), checks that both rank the same
articles the same, prints the sizes and the build's CPU, and drops the trial index.

It writes into the store (the trial table, dropped at the end): give it a copy::

    cp web-base.db trial.db && python bench/web_search_prefix.py --db trial.db
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from web_load import _pct, _plan  # noqa: E402

TRIAL = "articles_fts_prefix_trial"
WINDOW = 10_000  # store/search.py's RANK_WINDOW
CONSIDERED = 1_000  # and CONSIDERED


def _passes(db: sqlite3.Connection, table: str, match: str) -> tuple[float, list]:
    """CPU ms of a search's three index passes (best of 3) and its ranked ids."""
    best, ranked = float("inf"), []
    for _ in range(3):
        started = time.process_time()
        db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (match,)).fetchone()
        bound = db.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid "
                           f"DESC LIMIT 1 OFFSET ?", (match, WINDOW - 1)).fetchone()
        ranked = db.execute(
            f"SELECT rowid, bm25({table}, 4.0, 1.0) AS rank FROM {table} WHERE {table} "
            f"MATCH ? AND rowid >= ? ORDER BY rank, rowid LIMIT ?",
            (match, bound[0] if bound else 0, CONSIDERED)).fetchall()
        best = min(best, (time.process_time() - started) * 1000)
    return best, ranked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a COPY of a store (written to)")
    parser.add_argument("--prefix", default="2 3 4", help="FTS5 prefix lengths to index")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    _, plan = _plan(args.db, args.requests, args.seed, 12)
    from urllib.parse import parse_qs, urlsplit

    queries = sorted({parse_qs(urlsplit(p).query)["q"][0] for k, p in plan
                      if k == "search" and "%2A" in p})
    db = sqlite3.connect(args.db)
    db.execute(f"DROP TABLE IF EXISTS {TRIAL}")
    db.execute(f"CREATE VIRTUAL TABLE {TRIAL} USING fts5(title, text, content='articles', "
               f"content_rowid='id', tokenize='porter unicode61 remove_diacritics 2', "
               f"prefix='{args.prefix}')")
    started, wall = time.process_time(), time.perf_counter()
    db.execute(f"INSERT INTO {TRIAL} ({TRIAL}) VALUES ('rebuild')")
    db.commit()
    build = (time.process_time() - started, time.perf_counter() - wall)
    sizes = {t: db.execute(f"SELECT sum(length(block)) FROM {t}_data").fetchone()[0]
             for t in ("articles_fts", TRIAL)}
    now, trial, same = [], [], 0
    for q in queries:
        a, ranked_a = _passes(db, "articles_fts", q)
        b, ranked_b = _passes(db, TRIAL, q)
        now.append(a)
        trial.append(b)
        same += ranked_a == ranked_b
    db.execute(f"DROP TABLE {TRIAL}")
    db.commit()
    now.sort()
    trial.sort()
    print(f"prefix index '{args.prefix}': built in {build[0]:.1f} CPU s ({build[1]:.1f} s wall); "
          f"index {sizes['articles_fts'] / 1e6:.1f} MB now, {sizes[TRIAL] / 1e6:.1f} MB with "
          f"it (load average {os.getloadavg()[0]:.1f})")
    print(f"{len(queries)} prefix queries of the load mix (seed {args.seed}), the count, bound "
          f"and ranking passes, CPU ms p50 / p95 / max: now {_pct(now, 50):.1f} / "
          f"{_pct(now, 95):.1f} / {now[-1]:.1f}, with the prefix index {_pct(trial, 50):.1f} / "
          f"{_pct(trial, 95):.1f} / {trial[-1]:.1f}; same ranking in {same} of {len(queries)}")


if __name__ == "__main__":
    main()
