"""A slice of a large store that holds what the stories stage reads, taken (read-only) at a
moment when one shard waits for that stage: so the stage of a shard at the size of a store
too large to copy (the 1M run's, 39 GB at 690,000 articles) can be run, timed and profiled
again and again (``bench/shard_stages.py stories SLICE.db``).

    python bench/stories_slice.py LIVE.db --out SLICE.db [--wait 600]
    python bench/stories_slice.py --digest A.db B.db ...   # the stories tables compared

LIVE.db is opened read-only (``mode=ro``) and read in one transaction (one snapshot): the
slice is written only once a shard is cleaned and reused and its stories are pending (at
least ``--least`` articles, 900 by default; the script polls every 2 s up to ``--wait``
seconds for that moment). The slice holds, from that snapshot:

- every story table (``stories``, ``story_members``, ``story_keys``, ``story_features``,
  ``story_df``, ``story_df_pending``, ``story_log``) row for row;
- ``reuse_pairs`` without their reasons and evidence (the stage reads pairs without them);
- ``article_vectors``, and the stage tables (``stage_runs``, ``stage_marks``,
  ``stage_reopened``, ``stage_errors``; not the live process's claims);
- the pending articles in full, and every other article as a stub row (its id only:
  the stage reads only its batch's articles; the stubs satisfy the foreign keys of what
  the stage writes about them). The stubs are not in the full-text index.

It prints the slice's counts (articles pending, live stories, members, index rows, pairs)
and the CPU seconds the copy took. ``--digest`` prints a digest of each store's stories
tables (``stories`` without their timestamps, ``story_members``, ``story_keys``,
``story_features``, ``story_log`` without times, ``story_df`` without its row -2, the
frequency cache's random generation token, ``story_df_pending``, and the extract stage's
invalidations without times), for stores the stage left from one slice (``bench/
shard_stages.py stories --keep``): ``bench/scale.py --compare-db`` compares the members and
stage runs, not these.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

STORY_TABLES = ("stories", "story_members", "story_keys", "story_features", "story_df",
                "story_df_pending", "story_log")
STAGE_TABLES = ("stage_runs", "stage_marks", "stage_reopened", "stage_errors")
PAIR_COLUMNS = ("a, b, derived, source, kind, score, confidence, shared_fraction, "
                "attribution")


DIGESTS = {
    "stories": "SELECT id, size, title, centroid, names, dates, first_day, last_day, entities, "
               "merged_into FROM stories ORDER BY id",
    "story_members": "SELECT article_id, story_id FROM story_members ORDER BY article_id",
    "story_keys": "SELECT key, story_id FROM story_keys ORDER BY key, story_id",
    "story_features": "SELECT * FROM story_features ORDER BY article_id",
    "story_log": "SELECT seq, action, story_id, other_id, articles FROM story_log ORDER BY seq",
    "story_df": "SELECT key, df FROM story_df WHERE key != -2 ORDER BY key",
    "story_df_pending": "SELECT * FROM story_df_pending ORDER BY seq",
    "stage_invalidations": "SELECT stage, article_id, reason FROM stage_invalidations "
                           "ORDER BY stage, article_id",
}


def digest(path: Path) -> dict[str, str]:
    """Per table of :data:`DIGESTS`: its row count and the first 16 hex digits of a SHA-256
    of its rows in order."""
    out = {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        for table, sql in DIGESTS.items():
            h, n = hashlib.sha256(), 0
            for row in db.execute(sql):
                h.update(repr(row).encode())
                n += 1
            out[table] = f"{n} {h.hexdigest()[:16]}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("live", type=Path, nargs="?")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--digest", type=Path, nargs="+", help="digests of these stores")
    parser.add_argument("--least", type=int, default=900,
                        help="pending articles a snapshot must hold (a shard's, reused)")
    parser.add_argument("--wait", type=float, default=600.0)
    args = parser.parse_args()
    if args.digest:
        found = {str(path): digest(path) for path in args.digest}
        for path, tables in found.items():
            print(path, json.dumps(tables))
        print("the same" if len({json.dumps(t) for t in found.values()}) == 1 else "differ")
        return
    if args.live is None or args.out is None:
        parser.error("LIVE and --out, or --digest")
    print(json.dumps(slice_store(args.live, args.out, args.least, args.wait)))


def _pending(db: sqlite3.Connection, schema: str) -> list[int]:
    """Articles the reuse stage has done and the stories stage has not (a shard waiting for
    its stories, with any older article cleaned again)."""
    return [int(r[0]) for r in db.execute(
        f"SELECT r.article_id FROM {schema}.stage_runs r WHERE r.stage = 'reuse' AND NOT "
        f"EXISTS (SELECT 1 FROM {schema}.stage_runs s WHERE s.article_id = r.article_id AND "
        f"s.stage = 'stories') ORDER BY r.article_id")]


def slice_store(live: Path, out: Path, least: int, wait: float) -> dict[str, object]:
    from newsweave.store import open_store

    if out.exists():
        raise SystemExit(f"{out} exists")
    open_store(str(out)).close()  # the schema, as the tree's migrations make it
    db = sqlite3.connect(out, isolation_level=None)
    db.execute(f"ATTACH DATABASE 'file:{live}?mode=ro' AS live")
    deadline = time.monotonic() + wait
    cpu = time.process_time()
    while True:
        db.execute("BEGIN")  # one snapshot of the live store for every read below
        pending = _pending(db, "live")
        if len(pending) >= least:
            break
        db.execute("ROLLBACK")
        if time.monotonic() > deadline:
            raise SystemExit(f"no shard waiting for its stories within {wait:.0f} s")
        time.sleep(2.0)
    waited_cpu = time.process_time() - cpu
    cpu = time.process_time()
    for table in STORY_TABLES + STAGE_TABLES:
        db.execute(f"DELETE FROM main.{table}")
        db.execute(f"INSERT INTO main.{table} SELECT * FROM live.{table}")
    db.execute(f"INSERT INTO main.reuse_pairs ({PAIR_COLUMNS}) "
               f"SELECT {PAIR_COLUMNS} FROM live.reuse_pairs")
    db.execute("INSERT INTO main.article_vectors SELECT * FROM live.article_vectors")
    # The stubs stay out of the full-text index (the stage searches nothing).
    triggers = db.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' "
                          "AND tbl_name = 'articles'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER main.{name}")
    db.execute("CREATE TEMP TABLE wanted (id INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO temp.wanted VALUES (?)", [(a,) for a in pending])
    db.execute("INSERT INTO main.articles (id, content_hash, raw, raw_format, text, source, "
               "ingested_at) SELECT id, 'stub:' || id, '', 'text', '', '', '' FROM "
               "live.articles WHERE id NOT IN temp.wanted")
    db.execute("INSERT INTO main.articles SELECT * FROM live.articles WHERE id IN temp.wanted")
    for _, sql in triggers:
        db.execute(sql)
    db.execute("COMMIT")
    figures = {
        "pending": len(pending), "first_pending": pending[0],
        "articles": db.execute("SELECT count(*) FROM main.articles").fetchone()[0],
        "live_stories": db.execute("SELECT count(*) FROM main.stories WHERE merged_into IS "
                                   "NULL AND size > 0").fetchone()[0],
        "members": db.execute("SELECT count(*) FROM main.story_members").fetchone()[0],
        "index_rows": db.execute("SELECT count(*) FROM main.story_keys").fetchone()[0],
        "pairs": db.execute("SELECT count(*) FROM main.reuse_pairs").fetchone()[0],
        "copy_cpu_s": round(time.process_time() - cpu, 1), "wait_cpu_s": round(waited_cpu, 1),
    }
    db.execute("DETACH DATABASE live")
    db.close()
    return figures


if __name__ == "__main__":
    main()
