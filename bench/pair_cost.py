"""What one related pair costs the reuse stage, and what reading the stored pairs costs the
graph update and the stories repair, on a store's newest articles.

    python bench/pair_cost.py STORE [--newest 1000] [--upto ID] [--limit 3000] [--repeat 3]

Opens STORE read-only (``open_store(readonly=True)``: a live run's store is only read)
and takes the stored reuse pairs of its newest ``--newest`` related articles (at most ``--limit``,
copies and rewrites and shared quotations alike, in key order). Each pair's articles are
loaded and their sentences prepared once, untimed; then, ``--repeat`` times, it times in
CPU seconds (``time.process_time``):

* ``relate``: ``reuse.relate_pair`` of every pair (the alignment, its matrices, the
  relation and its evidence; the stage's batch memo of alignments left out, so each pair
  is aligned), inside one ``one_blas_thread`` as in the stage;
* ``serialise``: the rows ``save_pairs`` writes for those edges (their reasons and
  evidence as JSON), written to no table;
* ``read_graph``: what ``update_graph`` reads, the newest articles' copy, rewrite and
  translation pairs and then their partners' (``pairs(..., evidence=False)``);
* ``read_repair``: the stories repair's read of the same neighbourhood's pairs of every
  linking kind (``stories._copy_pairs``).

It prints the medians, per pair, and a digest of what each part returned: the edges
(``Edge.to_dict``), the serialised rows and the pairs read, so two trees' runs can be
compared (the digest must not change where a change is exact), and how many related edges
differ from the stored rows (kind, direction, scores, reasons, evidence): 0 where the stage
and this script agree."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--newest", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--upto", type=int,
                        help="the newest articles end at this id (default: the newest with a "
                             "stored pair; a growing store's earlier ones stay the same)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = measure(args.store, args.newest, args.limit, args.repeat, args.upto)
    print(json.dumps(figures, indent=None if args.json else 2))


def _digest(values: list[Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()[:16]


def measure(store_path: Path, newest: int, limit: int, repeat: int,
            upto: int | None = None) -> dict[str, Any]:
    from newsweave import reuse
    from newsweave.nlp.blas import one_blas_thread
    from newsweave.reuse.origins import DERIVING
    from newsweave.store import open_store
    from newsweave.stories import LINK_WEIGHTS

    load = [round(x, 1) for x in os.getloadavg()]
    store = open_store(str(store_path), readonly=True)
    db = store.reuse._db  # read-only: the pairs to relate, and their stored rows
    # The newest article with a stored pair: a live run's newest articles may be stored
    # and not yet related.
    top = upto or int(db.execute("SELECT max(b) FROM reuse_pairs").fetchone()[0])
    since = top - newest
    rows = db.execute(
        "SELECT a, b, derived, source, kind, score, confidence, shared_fraction, attribution, "
        "reasons, evidence FROM reuse_pairs WHERE b > ? AND b <= ? AND kind != 'translation' "
        "ORDER BY a, b LIMIT ?", (since, top, limit)).fetchall()
    ids = sorted({i for r in rows for i in r[:2]})
    articles = {i: store.get_article(i) for i in ids}
    found = store.reuse.attributions(ids)
    sides = {i: reuse.Indexed(a, found.get(i, [])) for i, a in articles.items() if a}
    for side in sides.values():
        side.units  # noqa: B018  # prepared once, untimed
        side.key  # noqa: B018
    pairs = [(sides[r[0]], sides[r[1]]) for r in rows if r[0] in sides and r[1] in sides]
    newest_ids = [i for i in ids if since < i <= top]

    def relate() -> list[Any]:
        with one_blas_thread():  # as the stage's batch loop (a tree before it: per pair)
            return [reuse.relate_pair(a, b) for a, b in pairs]

    def serialise(edges: list[Any]) -> list[Any]:
        captured: list[Any] = []

        class Capture:
            def executemany(self, _sql: str, values: list[Any]) -> None:
                captured.extend(values)

        class Transaction:
            def __enter__(self) -> Capture:
                return Capture()

            def __exit__(self, *_: Any) -> None:
                return None

        tables = store.reuse
        real = tables._store.transaction
        tables._store.transaction = lambda: Transaction()  # rows made, not written
        try:
            tables.save_pairs([e for e in edges if e is not None])
        finally:
            tables._store.transaction = real
        return captured

    def read_graph() -> list[Any]:
        first = store.reuse.pairs(newest_ids, kinds=DERIVING, evidence=False)
        affected = set(newest_ids) | {i for e in first for i in (e.derived, e.source)}
        return store.reuse.pairs(affected, kinds=DERIVING, evidence=False)

    def read_repair() -> list[Any]:
        first = store.reuse.pairs(newest_ids, kinds=tuple(LINK_WEIGHTS), evidence=False)
        around = set(newest_ids) | {i for e in first for i in (e.derived, e.source)}
        return store.reuse.pairs(sorted(around), kinds=tuple(LINK_WEIGHTS), evidence=False)

    times: dict[str, list[float]] = {"relate": [], "serialise": [], "read_graph": [],
                                     "read_repair": []}
    outputs: dict[str, Any] = {}
    for _ in range(repeat):
        for name, run in (("relate", relate), ("serialise", lambda: serialise(outputs["relate"])),
                          ("read_graph", read_graph), ("read_repair", read_repair)):
            started = time.process_time()
            outputs[name] = run()
            times[name].append(time.process_time() - started)
    edges = outputs["relate"]
    serialised = outputs["serialise"]
    by_key = {(r[0], r[1]): r for r in rows}
    differ = sum(1 for row in serialised if tuple(by_key[(row[0], row[1])]) != tuple(row))
    store.close()
    counts = {"pairs": len(pairs), "edges": sum(e is not None for e in edges),
              "evidence": sum(len(e.evidence) for e in edges if e is not None),
              "graph_pairs_read": len(outputs["read_graph"]),
              "repair_pairs_read": len(outputs["read_repair"])}
    medians = {k: statistics.median(v) for k, v in times.items()}
    per_pair = {"relate_ms": 1000 * medians["relate"] / max(1, counts["pairs"]),
                "serialise_ms": 1000 * medians["serialise"] / max(1, counts["edges"]),
                "read_graph_us": 1e6 * medians["read_graph"] / max(1, counts["graph_pairs_read"]),
                "read_repair_us": 1e6 * medians["read_repair"]
                / max(1, counts["repair_pairs_read"])}
    return {
        "store": str(store_path), "articles": top, "newest": newest, **counts,
        "cpu_s": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "median_cpu_s": {k: round(v, 3) for k, v in medians.items()},
        "per_pair": {k: round(v, 4) for k, v in per_pair.items()},
        "digests": {"edges": _digest([e.to_dict() if e else None for e in edges]),
                    "rows": _digest([list(r) for r in serialised]),
                    "graph": _digest([e.to_dict() for e in outputs["read_graph"]]),
                    "repair": _digest([e.to_dict() for e in outputs["read_repair"]])},
        "rows_differing_from_stored": differ,
        "load_average": [*load, *(round(x, 1) for x in os.getloadavg())],
    }


if __name__ == "__main__":
    main()  # with the tree to measure on PYTHONPATH (its src)
