"""The reuse stage of one shard replayed on a large store read-only (a live run's: it is
never written), timed by part: what in the stage grows with the store.

    python bench/reuse_replay.py STORE [--upto ID] [--newest 1000] [--warm] [--json]
    NEWSWEAVE_SRC=OTHER/src python bench/reuse_replay.py STORE ...   # another tree

STORE is opened read-only (``open_store(readonly=True)``) and every read of the replay is
made in one read transaction (one snapshot; a few tens of seconds). The articles replayed
are the ``--newest`` ones up to ``--upto`` (default: the newest the reuse stage has done),
which the stage has indexed and related already; :class:`ReuseStage` runs on them again
(no embeddings, as ``bench/scale.py``), with the store's writes replaced by counters (the
rows each would write) and the transactions by nothing. What the run stored after them is
kept out of the reads, so the stage reads about what it read when it ran: candidates
(band and sentence matches) and stored pairs and graph edges with an article above
``--upto`` are dropped. It cannot be exact (a later batch may have changed an older
article's origin or chosen source); ``--warm`` replays the ``--newest`` before them first,
untimed, in the same stage (its prepared texts kept across batches, as in a long run).
The graph update is given the graph as the batch found it, as far as can be: the batch's
own chosen sources and origins are left out of its reads (new articles had none), so the
writes it asks for are about the batch's (older articles the batch changed cannot be put
back). ``--writes DIR`` copies the graph tables (``reuse_edges``, ``article_origin``) into a
scratch file in DIR and makes the graph's writes there for real through the store's own
``ReuseTables``, timed (as the replay's reads see them: without the batch's own rows and
the edges above ``--upto``; its indexes as the live store's; the tables' pages are not the
live store's, so this times the statements on a table of the same rows, not its I/O).

Printed: the stage's CPU seconds (``time.process_time``) and its parts', each timed by
wrapping the function that does it (parts nest: a part includes what it calls): the
reads of the index (``band_matches``, ``sentence_matches``, ``sentence_counts``), the
candidates as a whole, the families' bound, loading the candidates (articles and their
attributions), preparing and relating pairs, the graph update and its reads (pairs,
publication times, the components' edges) and its computing (sources, components,
origins); the rows the writes would have written (index rows, pairs, graph edges, origin
rows); and digests of the pairs related, of the sources chosen and of the origins set, so
two trees' replays can be compared (the same where a change is exact), and with
``--writes`` of the scratch graph tables the writes left (the same where two trees write
different rows to the same end).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path
from typing import Any

# Its part clock; importing it puts this tree's src (or NEWSWEAVE_SRC's) first on the path.
import reuse_growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--upto", type=int, help="the replayed articles end at this id")
    parser.add_argument("--newest", type=int, default=1000)
    parser.add_argument("--warm", action="store_true",
                        help="replay the --newest before them first, untimed")
    parser.add_argument("--writes", type=Path, metavar="DIR",
                        help="make the graph's writes for real on a scratch copy of the "
                             "graph tables in DIR, timed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.warm and args.writes:
        # The replay's reads do not see its writes: after a warm batch the scratch tables
        # hold what it wrote and the reads what the run stored, and the writes that follow
        # depend on which rows a tree writes.
        parser.error("--writes makes no sense with --warm")
    figures = replay(args.store, args.upto, args.newest, args.warm, args.writes)
    print(json.dumps(figures, indent=None if args.json else 2))


def _digest(values: Any) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()
                          ).hexdigest()[:16]


def _graph_scratch(live: Any, folder: Path, batch: set[int], top: int) -> Any:
    """The live store's graph tables (``reuse_edges``, ``article_origin``, with their
    indexes) copied into a scratch SQLite file in ``folder``, and the store's own
    :class:`ReuseTables` over it: the replay's graph writes made there for real, timed."""
    import sqlite3
    from contextlib import contextmanager

    from newsweave.store.reuse import ReuseTables

    path = folder / "graph-scratch.db"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for name in ("reuse_edges", "article_origin"):
        for (sql,) in live.execute("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND "
                                   "sql IS NOT NULL ORDER BY type DESC", (name,)):
            db.execute(sql.replace("REFERENCES articles(id) ON DELETE CASCADE", ""))
    db.execute("BEGIN")
    for name in ("reuse_edges", "article_origin"):
        rows = live.execute(f"SELECT * FROM {name}")
        db.executemany(f"INSERT INTO {name} VALUES (?, ?)", rows)
    # As the replay's reads see the graph (see ``replay``): without the batch's own sources
    # and origins, and without edges reaching above ``top``.
    db.execute("CREATE TEMP TABLE batch (id INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO temp.batch VALUES (?)", [(i,) for i in sorted(batch)])
    db.execute("DELETE FROM reuse_edges WHERE derived IN temp.batch OR derived > ? OR "
               "source > ?", (top, top))
    db.execute("DELETE FROM article_origin WHERE article_id IN temp.batch")
    db.execute("COMMIT")

    class Scratch:
        _db = db

        @contextmanager
        def transaction(self) -> Any:
            # As inside the stage's transaction: a savepoint (the one transaction is never
            # committed: the scratch file is thrown away).
            db.execute("SAVEPOINT write")
            yield db
            db.execute("RELEASE write")

    db.execute("BEGIN")
    return ReuseTables(Scratch())  # type: ignore[arg-type]


def replay(store_path: Path, upto: int | None, newest: int, warm: bool,
           work: Path | None = None) -> dict[str, Any]:
    import newsweave.reuse as reuse
    import newsweave.reuse.pairs as reuse_pairs
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.store.reuse import ReuseTables

    load_before = os.getloadavg()
    store = open_store(str(store_path), readonly=True)
    db = store.reuse._db
    db.execute("BEGIN")  # one snapshot for every read below
    if upto is None:
        upto = int(db.execute("SELECT max(article_id) FROM stage_runs WHERE stage = 'reuse'"
                              ).fetchone()[0])
    top = upto

    def done_between(low: int, high: int) -> list[int]:
        return [int(r[0]) for r in db.execute(
            "SELECT article_id FROM stage_runs WHERE stage = 'reuse' AND article_id > ? AND "
            "article_id <= ? ORDER BY article_id", (low, high))]

    ids = done_between(upto - newest, upto)
    written: Counter[str] = Counter()
    write_cpu: Counter[str] = Counter()
    related: list[Any] = []
    sources: dict[int, list[int]] = {}
    origins: dict[int, list[int]] = {}
    # Reads limited to what the store held when the replayed articles were related.
    tables = store.reuse
    band, sentence = tables.band_matches, tables.sentence_matches
    pairs, edges = tables.pairs, tables.edges
    tables.band_matches = lambda keys: {a: n for a, n in band(keys).items() if a <= top}
    tables.sentence_matches = lambda keys: {a: n for a, n in sentence(keys).items()
                                            if a <= top}
    tables.pairs = lambda *a, **k: [e for e in pairs(*a, **k)
                                    if e.derived <= top and e.source <= top]
    batch = set(ids)
    origin_of = tables.origin_of
    # The graph as the batch found it, as far as can be: its own articles' chosen sources
    # and origins left out (new articles had none), so the writes counted are the batch's.
    tables.edges = lambda *a, **k: [e for e in edges(*a, **k)
                                    if max(e) <= top and e[0] not in batch]
    tables.origin_of = lambda found: {a: o for a, o in origin_of(found).items()
                                      if a not in batch}
    # The writes, counted and not made.
    store.transaction = nullcontext  # type: ignore[method-assign]
    tables.save_index = lambda entries: (written.update(
        index=len(entries), bands=sum(len(e.band_keys) for e in entries),
        sentences=sum(len(set(e.sentence_keys)) for e in entries)), set())[1]
    tables.save_pairs = lambda found: (written.update(pairs=len(found)),
                                       related.extend(e.to_dict() for e in found))[0]

    scratch = _graph_scratch(db, work, batch, top) if work is not None else None

    def set_edges(derived: int, chosen: Any) -> None:
        written.update(edge_sets=1, edges=len(chosen))
        sources[derived] = list(chosen)
        if scratch is not None:
            started = time.process_time()
            scratch.set_edges(derived, chosen)
            write_cpu["set_edges"] += time.process_time() - started

    def set_origins(found: Any) -> None:
        written.update(origin_sets=1, origin_articles=len(found),
                       origin_rows=sum(len(set(v)) for v in found.values()))
        origins.update((k, sorted(set(v))) for k, v in found.items())
        if scratch is not None:
            started = time.process_time()
            scratch.set_origins(found)
            write_cpu["set_origins"] += time.process_time() - started

    tables.set_edges = set_edges
    tables.set_origins = set_origins
    store.mark_done = lambda *a, **k: None  # type: ignore[method-assign]
    store.record_errors = lambda *a, **k: None  # type: ignore[method-assign]

    settings = load_settings(db=str(store_path), batch_size=1000, reuse_embed=0)
    stage = reuse.ReuseStage()
    warm_ids = done_between(upto - 2 * newest, upto - newest) if warm else []
    if warm_ids:
        stage.run(store, warm_ids, settings)
        written.clear()
        write_cpu.clear()
        related.clear()
        sources.clear()
        origins.clear()

    clock = reuse_growth._Clock()
    # Each name wrapped where the code that calls it looks it up (as reuse_growth does).
    for owner, name, part in (
            (reuse, "index_article", "index"), (reuse.ReuseStage, "_candidates", "candidates"),
            (reuse, "bound_families", "families"), (reuse, "_load", "load"),
            (reuse_pairs, "relate_pair", "relate"), (reuse_pairs, "prepare", "prepare"),
            (reuse, "update_graph", "graph"), (reuse, "choose_sources", "graph_sources"),
            (reuse, "component", "graph_component"), (reuse, "origins_of", "graph_origins"),
            (reuse, "parents_map", "graph_parents"), (reuse, "by_derived", "graph_index"),
            (reuse, "_rechecked", "rechecked"), (reuse, "_same_events", "same_events"),
            (ReuseTables, "published", "read_published"),
            (ReuseTables, "origin_of", "read_origin_of"),
            (ReuseTables, "sentence_counts", "read_sentence_counts"),
            (ReuseTables, "attributions", "read_attributions")):
        clock.wrap(owner, name, part)
    # The instance's own (filtering) readers, timed with what they filter.
    for name, part in (("band_matches", "read_bands"), ("sentence_matches", "read_sentences"),
                       ("pairs", "read_pairs"), ("edges", "read_edges")):
        clock.wrap(tables, name, part)
    clock.wrap(store, "get_article", "read_articles")
    cpu = time.process_time()
    stage.run(store, ids, settings)
    stage_cpu = time.process_time() - cpu
    db.execute("ROLLBACK")
    store.close()
    graph: dict[str, str] = {}
    if scratch is not None and work is not None:
        for name in ("reuse_edges", "article_origin"):  # the graph the writes left
            graph[name] = _digest(scratch._db.execute(
                f"SELECT * FROM {name} ORDER BY 1, 2").fetchall())
        scratch._db.close()
        (work / "graph-scratch.db").unlink(missing_ok=True)
    return {
        "store": str(store_path), "upto": upto, "articles": len(ids), "warm": len(warm_ids),
        "reuse_cpu_s": round(stage_cpu, 2),
        "parts_cpu_s": {k: round(v, 3) for k, v in clock.seconds.most_common()},
        "calls": dict(clock.calls), "written": dict(written),
        "graph_writes_cpu_s": {k: round(v, 3) for k, v in write_cpu.items()},
        "digests": {"pairs": _digest(sorted(related, key=lambda e: (e["derived"], e["source"]))),
                    "sources": _digest(sorted(sources.items())),
                    "origins": _digest(sorted(origins.items())),
                    **{f"scratch_{k}": v for k, v in graph.items()}},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(x, 1) for x in (*load_before, *os.getloadavg())],
    }


if __name__ == "__main__":
    main()
