"""A slice of a large store that holds what the stories stage reads, taken (read-only) at a
moment when one shard waits for that stage: so the stage of a shard at the size of a store
too large to copy (the 1M run's, 39 GB at 690,000 articles) can be run, timed and profiled
again and again (``bench/shard_stages.py stories SLICE.db``).

    python bench/stories_slice.py LIVE.db --out SLICE.db [--wait 600]
    python bench/stories_slice.py --digest A.db B.db ...   # the stories tables compared
    python bench/stories_slice.py --links SLICE.db [--rounds 3]   # a repair's link reads
    python bench/stories_slice.py --links SLICE.db --read-from LIVE.db   # ... read from LIVE
    python bench/stories_slice.py --census SLICE.db    # the stories' sizes, the repair's work

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
stage runs, not these. ``--links`` runs the stage once on a copy of the slice, noting the
articles of each neighbourhood its repair re-clusters, then reads those neighbourhoods'
links from the slice (read-only) both ways, in alternating rounds: every pair touching
them as :class:`Edge` objects, kept where both ends are inside (the read before part 27),
and ``ReuseTables.links_among`` (after); CPU s each, the pairs read, and whether the links
are the same. ``--read-from LIVE``: the reads from that store instead (read-only: the
live store's pairs keep their evidence in the row, the slice's do not).

``--census`` prints the slice's stories (live, their sizes' percentiles, index rows,
document-frequency keys, sentence vectors) and runs the stage once on a copy,
counting what its repair does: neighbourhoods re-clustered (their articles' and stories'
percentiles), why each was (a decision within the margin, ``eager``; the story drifted;
or a hinted story mergeable by the stories' summed vectors), how many changed anything,
how many two-story neighbourhoods have a copy link between their stories (and the days
their stories span, first member to last), and the CPU s of
the stage's parts (assignment, features, the neighbourhoods' checks, the re-clusterings by
why each ran, and inside them: links, vectors, pair matrices, clustering).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

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
    parser.add_argument("--links", type=Path, help="a repair's link reads on this slice")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--read-from", type=Path, help="with --links: read from this store")
    parser.add_argument("--census", type=Path, help="the stories and the repair's work")
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
    if args.census:
        print(json.dumps(census(args.census)))
        return
    if args.links:
        print(json.dumps(time_links(args.links, args.rounds, args.read_from)))
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


def _percentiles(values: list[int]) -> list[float]:
    import numpy as np

    return [round(float(v), 1) for v in np.percentile(values, [10, 50, 90, 99])] if values else []


def census(path: Path) -> dict[str, object]:
    """The slice's stories, and what the stage's repair does with its pending shard."""
    import collections

    import newsweave.stories as stories
    import newsweave.stories.repair as repair

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import brief_split
    import shard_stages

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        sizes = [int(r[0]) for r in db.execute(
            "SELECT size FROM stories WHERE merged_into IS NULL AND size > 0")]
        out: dict[str, object] = {
            "live_stories": len(sizes), "members": sum(sizes),
            "story_sizes_p10_50_90_99": _percentiles(sizes), "largest": max(sizes, default=0),
            "index_rows": db.execute("SELECT count(*) FROM story_keys").fetchone()[0],
            "df_keys": db.execute("SELECT count(*) FROM story_df").fetchone()[0],
            "sentence_vectors": db.execute("SELECT count(*) FROM article_vectors").fetchone()[0],
        }
    counts: collections.Counter[str] = collections.Counter()
    cpu: collections.Counter[str] = collections.Counter()
    groups: list[tuple[int, int]] = []
    spans: list[int] = []  # the days from first to last member of two-story neighbourhoods
    why: dict[str, str] = {}
    saved: list[tuple[object, str, object]] = []

    def timed(module: object, name: str) -> None:
        real = getattr(module, name)
        saved.append((module, name, real))
        setattr(module, name, brief_split.timed(cpu, name, real))  # type: ignore[arg-type]

    real_cohesive, real_neighbourhood, real_group = (
        repair._cohesive, repair._neighbourhood, repair._repair_group)

    def cohesive(state: object, *args: object) -> bool:
        found = real_cohesive(state, *args)  # type: ignore[arg-type]
        why["drifted"] = "" if found else "drifted"
        return found

    def neighbourhood(tables: object, seed: int, *args: object, **kwargs: object) -> list[int]:
        why.clear()
        started = time.process_time()
        group = real_neighbourhood(tables, seed, *args, **kwargs)  # type: ignore[arg-type]
        cpu["_neighbourhood"] += time.process_time() - started
        if group:
            why["why"] = ("eager" if not kwargs.get("check", True)
                          else why.get("drifted") or "mergeable")
            counts[why["why"]] += 1
        return group

    def repair_group(tables: Any, group: list[int], weights: object, threshold: float,
                     links: Any, report: Any, cache: object = None) -> None:
        members = tables.members(group)
        if len(group) == 2 and links is not None:
            started = time.process_time()
            story_of = {a: s for s, m in members.items() for a in m}
            across = any(story_of[a] != story_of[b] for a, b in links(sorted(story_of)))
            counts["two_stories_linked" if across else "two_stories_unlinked"] += 1
            spans.extend(r.last_day - r.first_day for r in tables.stories_by_id(group).values()
                         if r.first_day is not None and r.last_day is not None)
            cpu["_links_among"] -= time.process_time() - started  # (not the stage's)
        before = (len(report.merged), len(report.split), report.moved)
        started = time.process_time()
        real_group(tables, group, weights, threshold, links, report, cache)
        cpu[f"re-clustering, {why.get('why', 'whole')}"] += time.process_time() - started
        changed = before != (len(report.merged), len(report.split), report.moved)
        counts[f"changed_{why.get('why', 'whole')}"] += changed
        groups.append((sum(len(m) for m in members.values()), len(group)))

    for name in ("_cohesive", "_neighbourhood", "_repair_group"):
        saved.append((repair, name, getattr(repair, name)))
    repair._cohesive, repair._neighbourhood, repair._repair_group = (  # type: ignore[assignment]
        cohesive, neighbourhood, repair_group)
    for module, name in ((stories, "assign"), (stories, "feature_row"),
                         (stories, "_links_among"), (repair, "article_vectors"),
                         (repair, "pair_matrices"), (repair, "cluster_rows")):
        timed(module, name)
    try:
        ran = shard_stages.run_stories(path)
    finally:
        for module, name, real in reversed(saved):
            setattr(module, name, real)
    return {**out, "articles": ran["articles"], "stage_cpu_s": round(ran["stories_cpu_s"], 2),
            "neighbourhoods": len(groups),
            "their_articles_p10_50_90_99": _percentiles([g[0] for g in groups]),
            "their_stories_p50_90": _percentiles([g[1] for g in groups])[1:3],
            "repairs": dict(counts),
            "two_stories_span_days_p10_50_90_99": _percentiles(spans),
            "cpu_s": {k: round(v, 2) for k, v in cpu.items()}}


def time_links(path: Path, rounds: int, read_from: Path | None = None) -> dict[str, object]:
    """The repair's link reads of the slice's pending shard, the old way and the new."""
    import os
    import shutil
    import tempfile

    import newsweave.stories as stories
    from newsweave.store import open_store
    from newsweave.store.sql import read_snapshot

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import reuse_growth

    work = Path(tempfile.mkdtemp(prefix="stories-slice-"))
    copy = work / "store.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as a, sqlite3.connect(copy) as b:
        a.backup(b)
    asked: list[list[int]] = []
    real = stories._links_among

    def noted(store: object, article_ids: list[int]) -> dict[tuple[int, int], float]:
        asked.append(list(article_ids))
        return real(store, article_ids)  # type: ignore[arg-type]

    stories._links_among = noted  # type: ignore[assignment]
    engine = reuse_growth._engine(copy, stories=True)
    try:
        engine.analyze(stages=["stories"])
    finally:
        engine.close()
        stories._links_among = real  # type: ignore[assignment]
        shutil.rmtree(work, ignore_errors=True)
    store = open_store(str(read_from or path), readonly=True)

    def before(ids: list[int]) -> dict[tuple[int, int], float]:
        inside = set(ids)
        return {k: w for k, w in stories._copy_pairs(store, ids).items()
                if k[0] in inside and k[1] in inside}

    figures: dict[str, object] = {"neighbourhoods": len(asked),
                                  "articles": sum(len(a) for a in asked)}
    times: dict[str, list[float]] = {"before": [], "after": []}
    same = True
    for _ in range(rounds):
        found = {}
        with read_snapshot(store._db):  # a live store moves on: both reads see one state
            for name, read in (("before", before), ("after", lambda ids: real(store, ids))):
                cpu = time.process_time()
                found[name] = [list(read(ids).items()) for ids in asked]
                times[name].append(round(time.process_time() - cpu, 3))
            same = same and found["before"] == found["after"]
            touching = sum(len(stories._copy_pairs(store, ids)) for ids in asked)
    figures["links"] = sum(len(f) for f in found["after"])
    figures["pairs_touching"] = touching
    store.close()
    return {**figures, "cpu_s": times, "same": same, "load_average": round(os.getloadavg()[0], 1)}


if __name__ == "__main__":
    main()
