"""Where a SQLite store's bytes go: pages by table and index (``dbstat``), per article.

    python bench/store_footprint.py STORE.db [MORE.db ...] [--evidence-sample K] [--json OUT]

For each store: every table with its indexes (and an FTS table with its shadow tables),
its pages, bytes on disk, bytes per article, the share of its pages that are overflow
pages, and, given two stores or more, how much faster than the article count each grew
(bytes per article in the last store over the first). ``--evidence-sample K`` reads every
K-th pair of ``reuse_pairs`` and splits its ``evidence`` JSON into the passages' text and
the rest, checking that each passage's text is its article's stored text at its offsets
(what storing offsets alone relies on) and that its article is the pair's.

The stores are opened ``immutable`` (no locks, no writes): only for a store that no
process is writing, whose write-ahead log is empty (checked: the run stops otherwise).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any


def open_quiet(path: str) -> sqlite3.Connection:
    """A connection that neither locks nor writes; refused while the WAL holds pages."""
    wal = Path(path + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        sys.exit(f"{path}: its write-ahead log is not empty (a writer is active?)")
    return sqlite3.connect(f"file:{path}?immutable=1", uri=True)


def owners(db: sqlite3.Connection) -> dict[str, str]:
    """Each b-tree's table: an index belongs to its table, FTS shadow tables to theirs."""
    out = {"sqlite_schema": "sqlite_schema", "sqlite_master": "sqlite_schema"}
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    virtual = [n for t, n, _, s in rows if t == "table" and s and "VIRTUAL TABLE" in s.upper()]
    for kind, name, table, _ in rows:
        owner = table
        for v in virtual:
            if kind == "table" and name.startswith(v + "_"):
                owner = v
        out[name] = owner
    return out


def measure_pages(db: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Pages and bytes of each b-tree, overflow pages apart (one pass of ``dbstat``)."""
    out: dict[str, dict[str, int]] = {}
    for name, kind, pages, size, payload, unused in db.execute(
            "SELECT name, pagetype, count(*), sum(pgsize), sum(payload), sum(unused) "
            "FROM dbstat GROUP BY name, pagetype"):
        row = out.setdefault(name, {"pages": 0, "bytes": 0, "payload": 0, "unused": 0,
                                    "overflow_pages": 0})
        row["pages"] += pages
        row["bytes"] += size
        row["payload"] += payload or 0
        row["unused"] += unused or 0
        if kind == "overflow":
            row["overflow_pages"] += pages
    return out


def sample_evidence(db: sqlite3.Connection, every: int) -> dict[str, object]:
    """Every ``every``-th pair's evidence: bytes of passage text against the rest, and
    whether each passage's text is its article's text at its offsets."""
    pairs = total = text_bytes = passages = same = own = 0
    by_kind: dict[str, list[int]] = {}
    texts: dict[int, str] = {}

    def text_of(article: int) -> str:
        if article not in texts:
            if len(texts) > 20000:
                texts.clear()
            row = db.execute("SELECT text FROM articles WHERE id = ?", (article,)).fetchone()
            texts[article] = row[0] if row else ""
        return texts[article]

    rows = []
    for row in db.execute("SELECT * FROM reuse_pairs WHERE rowid % ? = 0", (every,)):
        rows.append(row)
        derived, source, kind, evidence = row[2], row[3], row[4], row[10]
        pairs += 1
        size = len(evidence.encode())
        total += size
        got = by_kind.setdefault(kind, [0, 0])
        got[0] += 1
        got[1] += size
        for item in json.loads(evidence):
            for side, article in (("derived_passage", derived), ("source_passage", source)):
                p = item[side]
                if "text" not in p:
                    continue
                passages += 1
                text_bytes += len(p["text"].encode())
                own += p["article"] == article
                same += text_of(p["article"])[p["start"]:p["end"]] == p["text"]
    return {"every": every, "pairs": pairs, "evidence_bytes": total,
            "rewritten": rewrite_sample(db, rows, texts_of=text_of),
            "passage_text_bytes": text_bytes, "passages": passages,
            "passages_equal_to_article_text": same, "passages_of_the_pairs_articles": own,
            "by_kind": {k: {"pairs": n, "mean_bytes": round(b / max(1, n))}
                        for k, (n, b) in sorted(by_kind.items())}}


def rewrite_sample(db: sqlite3.Connection, rows: list[tuple[Any, ...]],
                   texts_of: Callable[[int], str]) -> dict[str, float]:
    """The sampled pairs written into a new store's ``reuse_pairs`` as they are and with
    their passages as offsets (``offsets_json``, what ``save_pairs`` now writes where it
    can): bytes on disk a pair of each, from ``dbstat``. An estimate of what the store's
    pairs take in either form (the sample's pages, not the store's)."""
    import tempfile

    from newsweave.model import Edge
    from newsweave.store.reuse import _passages, offsets_json

    schema = db.execute("SELECT sql FROM sqlite_master WHERE name = 'reuse_pairs'").fetchone()[0]
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for form in ("as stored", "offsets"):
            new = sqlite3.connect(f"{folder}/{form[:2]}.db")
            new.execute(schema.replace("REFERENCES articles(id) ON DELETE CASCADE", ""))
            new.execute("CREATE INDEX reuse_pairs_b ON reuse_pairs(b)")
            kept = 0
            for row in rows:
                evidence = row[10]
                if form == "offsets" and evidence.startswith("[{"):
                    edge = Edge(row[2], row[3], "", 0.0, 0.0, None)
                    edge.evidence = _passages(json.loads(evidence))
                    texts = {row[2]: texts_of(row[2]), row[3]: texts_of(row[3])}
                    compact = offsets_json(edge, texts)
                    kept += compact is None
                    evidence = compact or evidence
                new.execute(f"INSERT INTO reuse_pairs VALUES ({','.join('?' * len(row))})",
                            (*row[:10], evidence))
            new.commit()
            size = new.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%reuse_pairs%'"
                               ).fetchone()[0]
            out[form] = round(size / max(1, len(rows)))
            if form == "offsets":
                out["kept_with_text"] = kept
            new.close()
    return out


def count_pair_growth(db: sqlite3.Connection, step: int) -> list[tuple[int, int]]:
    """Pairs whose later article is at or below each multiple of ``step`` (and the last
    id): a pair is stored when its later article arrives, so this is the pair count as
    the store grew (read off ``reuse_pairs_b``, not the table)."""
    last = int(db.execute("SELECT max(id) FROM articles").fetchone()[0] or 0)
    marks = [*range(step, last, step), last]
    return [(n, int(db.execute("SELECT count(*) FROM reuse_pairs INDEXED BY reuse_pairs_b "
                               "WHERE b <= ?", (n,)).fetchone()[0])) for n in marks]


def estimate_pairs(growth: list[tuple[int, int]], articles: int) -> tuple[float, float, int]:
    """New pairs per new article as a straight line in the article count (least squares
    over the steps of ``growth`` past the first), and the pairs it gives at ``articles``:
    (intercept, slope, pairs). An extrapolation, not a measurement."""
    xs, ys = [], []
    for (n0, c0), (n1, c1) in pairwise(growth):
        xs.append((n0 + n1) / 2)
        ys.append((c1 - c0) / (n1 - n0))
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs)
    intercept = my - slope * mx
    n0, c0 = growth[-1]
    pairs = c0 + intercept * (articles - n0) + slope / 2 * (articles ** 2 - n0 ** 2)
    return intercept, slope, round(pairs)


def measure(path: str, every: int | None, step: int | None = None) -> dict[str, object]:
    db = open_quiet(path)
    started = time.process_time()
    articles = int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
    trees = measure_pages(db)
    tables: dict[str, dict[str, object]] = {}
    owner = owners(db)
    for name, row in trees.items():
        table = tables.setdefault(owner.get(name, name), {"bytes": 0, "pages": 0,
                                                          "overflow_pages": 0, "trees": {}})
        table["bytes"] += row["bytes"]  # type: ignore[operator]
        table["pages"] += row["pages"]  # type: ignore[operator]
        table["overflow_pages"] += row["overflow_pages"]  # type: ignore[operator]
        table["trees"][name] = row  # type: ignore[index]
    out: dict[str, object] = {
        "store": path, "articles": articles, "file_bytes": Path(path).stat().st_size,
        "bytes_per_article": round(Path(path).stat().st_size / max(1, articles)),
        "tables": dict(sorted(tables.items(), key=lambda kv: -kv[1]["bytes"])),  # type: ignore
    }
    if every:
        out["evidence_sample"] = sample_evidence(db, every)
    if step:
        out["pair_growth"] = count_pair_growth(db, step)
    out["cpu_s"] = round(time.process_time() - started, 1)
    return out


def print_store(result: dict[str, object]) -> None:
    articles = int(result["articles"])  # type: ignore[arg-type]
    size = int(result["file_bytes"])  # type: ignore[arg-type]
    print(f"\n{result['store']}: {articles:,} articles, {size / 1e6:,.0f} MB, "
          f"{size / max(1, articles) / 1e3:.1f} KB an article")
    print(f"  {'table (+ its indexes)':34} {'MB':>9} {'share':>6} {'B/article':>10} "
          f"{'overflow':>9}")
    for name, table in result["tables"].items():  # type: ignore[union-attr]
        if table["bytes"] < size / 1000:
            continue
        print(f"  {name:34} {table['bytes'] / 1e6:9,.1f} {table['bytes'] / size:6.1%} "
              f"{table['bytes'] / max(1, articles):10,.0f} "
              f"{table['overflow_pages'] / max(1, table['pages']):9.1%}")
        for tree, row in sorted(table["trees"].items(), key=lambda kv: -kv[1]["bytes"]):
            if tree != name and row["bytes"] >= size / 1000:
                print(f"    {tree:32} {row['bytes'] / 1e6:9,.1f} {'':6} "
                      f"{row['bytes'] / max(1, articles):10,.0f} "
                      f"{row['overflow_pages'] / max(1, row['pages']):9.1%}")
    sample = result.get("evidence_sample")
    if sample:
        s = sample  # type: ignore[assignment]
        print(f"  evidence, every {s['every']}th pair ({s['pairs']:,} pairs): "
              f"{s['evidence_bytes'] / max(1, s['pairs']):,.0f} B a pair, of which passage "
              f"text {s['passage_text_bytes'] / max(1, s['evidence_bytes']):.1%}; "
              f"{s['passages']:,} passages with text, {s['passages_equal_to_article_text']:,} "
              f"equal to their article's text at their offsets, "
              f"{s['passages_of_the_pairs_articles']:,} of the pair's own articles")
        r = s["rewritten"]
        print(f"  the sampled pairs rewritten into a new store (an estimate): "
              f"{r['as stored']:,} B a pair on disk as stored, {r['offsets']:,} with offsets "
              f"alone ({r['kept_with_text']} pairs kept their text)")
        for kind, k in s["by_kind"].items():
            print(f"    {kind:14} {k['pairs']:8,} pairs, {k['mean_bytes']:7,} B a pair")


def print_estimate(result: dict[str, object], articles: int) -> None:
    """What a store grown the same way would take at ``articles`` (an estimate): its
    pairs extrapolated (:func:`estimate_pairs`) at the sample's bytes a pair on disk, as
    stored and as offsets, beside the other tables at their bytes per article now."""
    growth = [tuple(g) for g in result["pair_growth"]]  # type: ignore[union-attr]
    have = int(result["articles"])  # type: ignore[arg-type]
    print("\npairs as the store grew (new pairs per new article over each step):")
    for (n0, c0), (n1, c1) in zip([(0, 0), *growth], growth, strict=False):
        print(f"  {n1:>9,} articles: {c1:>11,} pairs, {(c1 - c0) / (n1 - n0):6.2f} a new article")
    intercept, slope, pairs = estimate_pairs(growth, articles)  # type: ignore[arg-type]
    sample = result["evidence_sample"]["rewritten"]  # type: ignore[index]
    tables = result["tables"]  # type: ignore[assignment]
    pair_bytes = tables["reuse_pairs"]["bytes"]  # type: ignore[index]
    rest = (int(result["file_bytes"]) - pair_bytes) / have  # type: ignore[arg-type]
    stored = pair_bytes / growth[-1][1]
    print(f"ESTIMATE at {articles:,} articles: new pairs per new article {intercept:.2f} + "
          f"{slope * 1e5:.2f} per 100,000 articles stored; {pairs:,} pairs")
    for label, per_pair in (("as stored now", stored), ("offsets", sample["offsets"])):
        total = pairs * per_pair + rest * articles
        print(f"  {label:14}: pairs {pairs * per_pair / 1e9:6.1f} GB ({per_pair:,.0f} B a pair) "
              f"+ the rest {rest * articles / 1e9:5.1f} GB ({rest:,.0f} B an article) = "
              f"{total / 1e9:6.1f} GB, {total / articles / 1e3:5.1f} KB an article")


def print_growth(results: list[dict[str, object]]) -> None:
    first, last = results[0], results[-1]
    a0, a1 = int(first["articles"]), int(last["articles"])  # type: ignore[arg-type]
    if a0 == a1:
        print(f"\nbytes per article, {last['store']} over {first['store']}")
    else:
        print(f"\ngrowth, bytes per article at {a1:,} over at {a0:,} (1.00: linear in articles)")
    t0, t1 = first["tables"], last["tables"]
    for name, table in t1.items():  # type: ignore[union-attr]
        before = t0.get(name)  # type: ignore[union-attr]
        if not before or not before["bytes"] or table["bytes"] < int(last["file_bytes"]) / 200:
            continue
        print(f"  {name:34} {before['bytes'] / a0:10,.0f} -> {table['bytes'] / a1:10,.0f} "
              f"B/article  x{(table['bytes'] / a1) / (before['bytes'] / a0):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stores", nargs="+")
    parser.add_argument("--evidence-sample", type=int, default=None, metavar="K")
    parser.add_argument("--pair-growth", type=int, default=None, metavar="STEP",
                        help="count the pairs every STEP articles; with --evidence-sample "
                             "and --estimate, extrapolate the last store")
    parser.add_argument("--estimate", type=int, default=1_000_000, metavar="ARTICLES",
                        help="the size to extrapolate to (default 1,000,000)")
    parser.add_argument("--json", default=None, metavar="FILE",
                        help="write the figures to FILE (a STORE given as FILE.json is read "
                             "back instead of measured: a 40 GB store takes a while)")
    args = parser.parse_args()
    results = []
    for path in args.stores:
        if path.endswith(".json"):
            with open(path) as fh:
                loaded = json.load(fh)
            for result in loaded:  # the pair counts read off an index: quick to add
                if args.pair_growth and not result.get("pair_growth"):
                    result["pair_growth"] = count_pair_growth(open_quiet(result["store"]),
                                                              args.pair_growth)
            results.extend(loaded)
        else:
            results.append(measure(path, args.evidence_sample, args.pair_growth))
    for result in results:
        print_store(result)
    if len(results) > 1:
        print_growth(results)
    last = results[-1]
    if last.get("pair_growth") and last.get("evidence_sample"):
        print_estimate(last, args.estimate)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh)


if __name__ == "__main__":
    main()
