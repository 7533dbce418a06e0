"""Vector index candidates for the reuse stage: build, top-k query, recall, memory, disk.

Three persisted indexes of N unit vectors (384 dimensions: both of newsweave's models,
multilingual-e5-small and all-MiniLM-L6-v2, embed to 384), each built into a file and then
opened by a *fresh process* that queries it, as a later ingest or ``newsweave similar``
would:

* ``numpy``: brute force over a memory-mapped float32 file (``np.memmap``): exact;
* ``usearch``: HNSW (cosine, f32), saved and then opened as a memory-mapped view;
* ``hnswlib``: HNSW (cosine, M=16, ef_construction=200, ef=64), saved and loaded whole.

The vectors are synthetic but shaped like news: N / 20 story centres (Zipf-sized stories),
each article its centre plus noise, so same-story cosines are about 0.6 and unrelated ones
about 0; queries are fresh articles of the same stories. Recall is the share of the exact
top-k (by numpy over the same vectors) that a backend returns. Times are CPU seconds of the
process (``time.process_time``), so they hold up on a shared machine better than wall time.
RSS is the query process's resident memory after its queries beyond the same process before
it opened the index (file-backed pages of a memory map count while they are resident, but
the kernel can drop them and processes share them).

``--stage N...`` measures instead what the reuse stage's vector search costs in memory as a
store grows to N articles, before and after the persisted index: a real store gets its last
``--grow`` articles (default 10,000; the ones before are written straight in) in batches of
``--batch`` (the engine's default, 100); each batch's vectors of both models are saved as
the stage saves them, the stage's ``SemanticIndex`` is refreshed and asked for each new
article's neighbours. The peak is divided by all N articles the index holds. "before" is
the in-memory index of commit ``ae284d2`` (read from git at run time), "after" the working
tree's. Each runs in its own
process; printed: peak RSS beyond the process before the loop (per article), the anonymous
and file-backed parts of the resident memory at the end, and CPU seconds.

Usage, from the repository root (usearch and hnswlib are optional: a backend that cannot be
imported is skipped; they need not be installed in the project's environment)::

    python bench/vector_index.py                  # 10,000 and 100,000 vectors
    python bench/vector_index.py --sizes 10000 --queries 200
    PYTHONPATH=src python bench/vector_index.py --stage 10000 100000  # the last 10k grown
    python bench/vector_index.py --switch 100000 200000 500000 1000000  # exact vs lists
    PYTHONPATH=src python bench/vector_index.py --lists /tmp/h-million/store.db  # recall@50

``--switch N...``: at each size, the exact product against the coarse lists
(``store/vector_lists.py``): their build, CPU ms a query, rows read, recall of the exact top
50, for 8-64 probed lists. ``--lists STORE``: builds a real store's lists as a refresh does,
then compares the whole-store check's candidates (``SemanticIndex.nearest``, approximate) with
the exact search for ``--claims`` claims of the store's real stories and ``--emergent``
Emergent claims, at several settings (probes, re-rank depth).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384
K = 10
BATCH = 16  # the reuse stage queries a batch of new articles at once


def make_vectors(n: int, queries: int, seed: int = 11, labelled: bool = False) -> Any:
    """``n`` stored and ``queries`` query unit vectors in Zipf-sized clusters (and, with
    ``labelled``, each vector's cluster: stored ones, then the queries')."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 20), DIM)).astype(np.float32)
    weights = 1.0 / np.arange(1, len(centres) + 1)
    weights /= weights.sum()
    labels = rng.choice(len(centres), size=n + queries, p=weights)
    rows = centres[labels] + rng.normal(scale=0.8, size=(n + queries, DIM)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    if labelled:
        return rows[:n].astype(np.float32), rows[n:].astype(np.float32), labels
    return rows[:n].astype(np.float32), rows[n:].astype(np.float32)


# -- backends (each: build into a folder; open it; query a batch) -------------------------

def build_numpy(vectors: np.ndarray, folder: Path) -> None:
    out = np.memmap(folder / "vectors.f32", dtype=np.float32, mode="w+", shape=vectors.shape)
    out[:] = vectors
    out.flush()
    np.arange(len(vectors), dtype=np.int64).tofile(folder / "ids.i64")


def open_numpy(folder: Path, n: int) -> Any:
    matrix = np.memmap(folder / "vectors.f32", dtype=np.float32, mode="r", shape=(n, DIM))
    ids = np.fromfile(folder / "ids.i64", dtype=np.int64)
    return matrix, ids


def query_numpy(index: Any, batch: np.ndarray, k: int) -> np.ndarray:
    matrix, ids = index
    scores = batch @ matrix.T
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
    return ids[np.take_along_axis(top, order, axis=1)]


def build_usearch(vectors: np.ndarray, folder: Path) -> None:
    from usearch.index import Index

    index = Index(ndim=DIM, metric="cos", dtype="f32")
    index.add(np.arange(len(vectors), dtype=np.uint64), vectors, threads=1)
    index.save(str(folder / "usearch.bin"))


def open_usearch(folder: Path, n: int) -> Any:
    from usearch.index import Index

    return Index.restore(str(folder / "usearch.bin"), view=True)


def query_usearch(index: Any, batch: np.ndarray, k: int) -> np.ndarray:
    return np.atleast_2d(np.asarray(index.search(batch, k, threads=1).keys, dtype=np.int64))


def build_hnswlib(vectors: np.ndarray, folder: Path) -> None:
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=DIM)
    index.init_index(max_elements=len(vectors), ef_construction=200, M=16)
    index.set_num_threads(1)
    index.add_items(vectors, np.arange(len(vectors)))
    index.save_index(str(folder / "hnswlib.bin"))


def open_hnswlib(folder: Path, n: int) -> Any:
    import hnswlib

    index = hnswlib.Index(space="cosine", dim=DIM)
    index.load_index(str(folder / "hnswlib.bin"), max_elements=n)
    index.set_ef(64)
    index.set_num_threads(1)
    return index


def query_hnswlib(index: Any, batch: np.ndarray, k: int) -> np.ndarray:
    labels, _ = index.knn_query(batch, k=k)
    return np.asarray(labels, dtype=np.int64)


BACKENDS = {
    "numpy": (build_numpy, open_numpy, query_numpy),
    "usearch": (build_usearch, open_usearch, query_usearch),
    "hnswlib": (build_hnswlib, open_hnswlib, query_hnswlib),
}


def available(name: str) -> bool:
    if name == "numpy":
        return True
    try:
        __import__("usearch.index" if name == "usearch" else name)
    except ImportError:
        return False
    return True


# -- the two child processes --------------------------------------------------------------

def _rss_mb() -> float:
    """Resident memory now (anonymous and file-backed pages), from /proc."""
    fields = dict(line.split(":", 1) for line in
                  Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_build(name: str, data: Path, folder: Path) -> dict[str, Any]:
    vectors = np.load(data / "stored.npy")
    started = time.process_time()
    BACKENDS[name][0](vectors, folder)
    seconds = time.process_time() - started
    disk = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
    return {"build_cpu_s": seconds, "disk_mb": disk}


def child_query(name: str, data: Path, folder: Path, n: int) -> dict[str, Any]:
    _, open_index, query = BACKENDS[name]
    queries = np.load(data / "queries.npy")
    exact = np.load(data / "exact.npy")
    before = _rss_mb()
    started = time.process_time()
    index = open_index(folder, n)
    opened = time.process_time() - started
    found = []
    started = time.process_time()
    for i in range(len(queries)):  # one at a time, as `similar` or a claim check asks
        found.append(query(index, queries[i : i + 1], K)[0])
    single = (time.process_time() - started) / len(queries)
    started = time.process_time()
    for i in range(0, len(queries), BATCH):  # batches, as the reuse stage asks
        query(index, queries[i : i + BATCH], K)
    batched = (time.process_time() - started) / len(queries)
    hits = sum(len(set(f.tolist()) & set(e.tolist())) for f, e in zip(found, exact, strict=True))
    return {"open_cpu_s": opened, "query_ms": single * 1000, "batch_query_ms": batched * 1000,
            "recall": hits / exact.size, "query_rss_mb": _rss_mb() - before}


def run_child(args: list[str]) -> dict[str, Any]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode:
        raise SystemExit(f"child {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(sizes: list[int], queries: int, names: list[str]) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            data = Path(tmp) / f"data{n}"
            data.mkdir()
            stored, asked = make_vectors(n, queries)
            np.save(data / "stored.npy", stored)
            np.save(data / "queries.npy", asked)
            np.save(data / "exact.npy", query_numpy((stored, np.arange(n)), asked, K))
            del stored
            for name in names:
                folder = Path(tmp) / f"{name}{n}"
                folder.mkdir()
                row = {"backend": name, "n": n}
                row |= run_child(["--child-build", name, str(data), str(folder)])
                row |= run_child(["--child-query", name, str(data), str(folder), str(n)])
                rows.append(row)
                print(format_row(row), flush=True)
    return rows


def format_row(r: dict[str, Any]) -> str:
    return (f"| {r['backend']} | {r['n']:,} | {r['build_cpu_s']:.2f} | {r['open_cpu_s']:.3f} | "
            f"{r['query_ms']:.2f} | {r['batch_query_ms']:.2f} | {r['recall']:.3f} | "
            f"{r['query_rss_mb']:.0f} | {r['disk_mb']:.0f} |")


BEFORE = "ae284d2"  # the last commit with the in-memory index


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def child_stage(version: str, n: int, batch: int, folder: Path, grow: int) -> dict[str, Any]:
    """Grow a store to ``n`` articles as the reuse stage does, with one index version: the
    last ``grow`` of them batch by batch (the first ones are written straight in)."""
    import types

    from newsweave.model import Article
    from newsweave.nlp import english
    from newsweave.nlp.embed import MODEL_NAME
    from newsweave.store import open_store

    if version == "before":
        source = subprocess.run(["git", "show", f"{BEFORE}:src/newsweave/reuse/semantic.py"],
                                capture_output=True, text=True, check=True,
                                cwd=Path(__file__).resolve().parents[1]).stdout
        module = types.ModuleType("semantic_before")
        exec(compile(source, "semantic_before.py", "exec"), module.__dict__)
        index = module.SemanticIndex()
    else:
        from newsweave.reuse.semantic import SemanticIndex

        index = SemanticIndex()
    store = open_store(str(folder / f"{version}.db"))
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(max(1, n // 20), DIM)).astype(np.float32)

    def vectors(size: int) -> np.ndarray:
        block = centres[rng.integers(len(centres), size=size)]
        block = block + rng.normal(scale=0.8, size=block.shape).astype(np.float32)
        return block / np.linalg.norm(block, axis=1, keepdims=True)

    first = n - min(grow, n)
    for start in range(0, first, 5000):  # written straight in, the index not yet asked
        size = min(5000, first - start)
        ids = store.add_articles(
            [Article(None, f"h{start + i}", "", "text", f"t {start + i}", f"<{start + i}>")
             for i in range(size)], [{}] * size)
        for model in (MODEL_NAME, english.MODEL_NAME):
            store.reuse.save_vectors(model, dict(zip(ids, vectors(size), strict=True)))
    before = _peak_mb()
    started = time.process_time()
    for start in range(first, n, batch):
        size = min(batch, n - start)
        ids = store.add_articles(
            [Article(None, f"h{start + i}", "", "text", f"t {start + i}", f"<{start + i}>")
             for i in range(size)], [{}] * size)
        rows = {}
        for model in (MODEL_NAME, english.MODEL_NAME):
            block = vectors(size)
            rows[model] = block
            store.reuse.save_vectors(model, dict(zip(ids, block, strict=True)))
        index.refresh(store)
        index.nearest(rows[MODEL_NAME], list(rows[english.MODEL_NAME]), 10, 0.9)
    cpu = time.process_time() - started
    peak = _peak_mb()
    store.close()
    return {"version": version, "n": n, "cpu_s": cpu, "peak_mb": peak - before,
            "kb_per_article": (peak - before) * 1024 / n,
            "anon_mb": _status_mb("RssAnon"), "file_mb": _status_mb("RssFile")}


def measure_stage(sizes: list[int], batch: int, versions: list[str], grow: int) -> None:
    print(f"reuse-stage vector search while a store grows; batches of {batch}; both models "
          f"({DIM}-d); the last {grow:,} articles of each size batch by batch; load average "
          f"{os.getloadavg()[0]:.1f}")
    print("| index | articles | CPU s | peak RSS beyond the start | per article | resident "
          "at the end: anonymous / file-backed |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        for version in versions:
            with tempfile.TemporaryDirectory() as tmp:
                r = run_child(["--child-stage", version, str(n), str(batch), tmp, str(grow)])
            print(f"| {version} | {n:,} | {r['cpu_s']:.1f} | {r['peak_mb']:.0f} MB | "
                  f"{r['kb_per_article']:.2f} KB | {r['anon_mb']:.0f} / {r['file_mb']:.0f} MB |",
                  flush=True)


# -- the coarse lists (store/vector_lists.py): where to switch, and recall on a real store ----

SETTINGS = [(8, 200), (16, 200), (32, 100), (32, 200), (32, 400), (64, 200)]  # probes, depth


def measure_switch(sizes: list[int], queries: int) -> None:
    """Exact product against the lists' read (build, CPU ms a query, recall@50) at each
    size, on the synthetic news-shaped vectors: where the exact search stops being cheap."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from newsweave.nlp.blas import one_blas_thread
    from newsweave.reuse.semantic import _scan
    from newsweave.store import vector_lists

    print(f"{DIM}-d, top 50, {queries} single queries, one BLAS thread; CPU; load average "
          f"{os.getloadavg()[0]:.1f}")
    print("| vectors | exact ms/query | lists build CPU s | probes | rows read | "
          "lists ms/query | recall@50 | recall of the top 50's own-story vectors (per query) |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        data, asked, labels = make_vectors(n, queries, labelled=True)
        ids = np.arange(n, dtype=np.int64)
        blas = one_blas_thread()
        blas.__enter__()
        used = time.process_time()
        exact = [np.argpartition(-(data @ q), 49)[:50] for q in asked]
        exact_ms = (time.process_time() - used) * 1000 / queries
        used = time.process_time()
        found = vector_lists.build(data, ids, 0)
        order = np.argsort(found.assignment, kind="stable")  # the file in list order
        data = data[order]
        lists = vector_lists.VectorLists(found.centres, found.assignment[order], 0, n)
        build_s = time.process_time() - used
        for probes in (8, 16, 32, 64):
            used, hits, read, same, same_hits = time.process_time(), 0, 0, 0, 0
            for number, (q, truth) in enumerate(zip(asked, exact, strict=True)):
                rows = lists.rows_near(q, probes)
                scores = _scan(data, rows, q)
                top = order[rows[np.argpartition(-scores, min(49, len(rows) - 1))[:50]]]
                hits += len(np.intersect1d(top, truth))
                read += len(rows)
                story = truth[labels[truth] == labels[n + number]]  # the query's own story
                same += len(story)
                same_hits += len(np.intersect1d(top, story))
            ms = (time.process_time() - used) * 1000 / queries
            print(f"| {n:,} | {exact_ms:.2f} | {build_s:.1f} | {probes} | {read // queries:,} | "
                  f"{ms:.2f} | {hits / (50 * queries):.3f} | "
                  f"{same_hits / max(same, 1):.3f} ({same / queries:.1f}) |", flush=True)
        blas.__exit__(None, None, None)
        del data


def measure_quantised(n: int) -> None:
    """One query's exact product over ``n`` rows stored as float32, float16 and int8, in
    numpy on one BLAS thread: whether smaller copies of the vectors would read faster."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from newsweave.nlp.blas import one_blas_thread

    data, asked = make_vectors(n, 5)
    half, query_half = data.astype(np.float16), asked.astype(np.float16)
    small = np.round(data * 127).astype(np.int8)
    query_small = np.round(asked * 127).astype(np.int32)
    print(f"{n:,} rows, 5 queries, one BLAS thread; load average {os.getloadavg()[0]:.1f}")
    with one_blas_thread():
        for name, matrix, queries in (("float32", data, asked), ("float16", half, query_half),
                                      ("int8", small, query_small)):
            matrix @ queries[0]
            used = time.process_time()
            for query in queries:
                matrix @ query
            ms = (time.process_time() - used) * 1000 / len(queries)
            print(f"{name}: {ms:.1f} CPU ms a query ({matrix.nbytes / 2**20:.0f} MB)")


def measure_store_lists(db: str, claims: int, emergent: int) -> None:
    """On a real store: build its lists as a refresh does (CPU s), then recall@50 of the
    whole-store check's candidates (``SemanticIndex.nearest``, approximate) against the exact
    search, and CPU ms per query, for claims from the store's real stories (as
    bench/batch_latency.py samples them) and Emergent's claims (topics the store may lack)."""
    import random

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import newsweave
    from batch_latency import claim_of, sample_stories
    from newsweave.nlp import english
    from newsweave.nlp.embed import embed
    from newsweave.reuse import vector_index  # where VectorIndex.search reads PROBES, DEPTH

    engine = newsweave.open(db)
    index = engine._reuse_vectors()
    used, started = time.process_time(), time.perf_counter()
    index.refresh(engine.store)
    built = sum(i._file.lists_built for i in (index.lead, index.english) if i._file)
    print(f"{db}: refresh {time.process_time() - used:.1f} CPU s, "
          f"{time.perf_counter() - started:.1f} s wall (lists built: {built}); "
          f"vectors e5 {len(index.lead._id_array):,}, English {len(index.english._id_array):,}; "
          f"load average {os.getloadavg()[0]:.1f}")
    rng = random.Random(7)
    texts = [("story claim", c) for s in sample_stories(engine, rng, claims)
             if (c := claim_of(engine, s, rng))]
    bench = Path(__file__).resolve().parents[1].parent / "shared/benchmarks/emergent/pairs.jsonl"
    if bench.exists() and emergent:
        seen: list[str] = []
        for line in bench.read_text().splitlines():
            claim = json.loads(line)["claim"]
            if claim not in seen:
                seen.append(claim)
        texts += [("Emergent claim", c) for c in seen[:emergent]]
    has_lead, has_english = index.searchable()
    queries = []
    for kind, text in texts:
        lead = embed([text], kind="query")[0] if has_lead else None
        en = english.embed_english([text])[0] if has_english else None
        queries.append((kind, lead, en))

    def run(approximate: bool) -> tuple[dict[str, list[list[int]]], float]:
        out: dict[str, list[list[int]]] = {}
        used = time.process_time()
        for kind, lead, en in queries:
            found = index.nearest([lead], [en], 50, -1.0, approximate=approximate)[0]
            out.setdefault(kind, []).append([i for i, _ in found][:50])
        return out, (time.process_time() - used) * 1000 / len(queries)

    truth, exact_ms = run(False)
    counts = {kind: len(v) for kind, v in truth.items()}
    print(f"queries: {counts}; exact search {exact_ms:.1f} CPU ms/query")
    print("| probes | depth | CPU ms/query | " + " | ".join(
        f"recall@50, {kind}s (min)" for kind in truth) + " |")
    print("|---|---|---|" + "---|" * len(truth))
    for probes, depth in SETTINGS:
        vector_index.PROBES, vector_index.DEPTH = probes, depth
        found, ms = run(True)
        cells = []
        for kind, exact in truth.items():
            each = [len(set(a) & set(b)) / max(len(b), 1)
                    for a, b in zip(found[kind], exact, strict=True)]
            cells.append(f"{sum(each) / len(each):.3f} ({min(each):.2f})")
        print(f"| {probes} | {depth} | {ms:.1f} | " + " | ".join(cells) + " |", flush=True)
    engine.close()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-stage":
        print(json.dumps(child_stage(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                                     Path(sys.argv[5]), int(sys.argv[6]))))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-build":
        print(json.dumps(child_build(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-query":
        print(json.dumps(child_query(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]),
                                     int(sys.argv[5]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS))
    parser.add_argument("--stage", type=int, nargs="+", metavar="N",
                        help="measure the reuse stage's index memory, before and after")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--grow", type=int, default=10_000,
                        help="articles added batch by batch (the rest written straight in)")
    parser.add_argument("--versions", nargs="+", default=["before", "after"],
                        choices=["before", "after"])
    parser.add_argument("--switch", type=int, nargs="+", metavar="N",
                        help="exact search against the coarse lists at these sizes")
    parser.add_argument("--lists", metavar="STORE",
                        help="build a real store's lists, recall@50 of the check's candidates")
    parser.add_argument("--quantised", type=int, metavar="N",
                        help="one query's product over N float32, float16 and int8 rows")
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--emergent", type=int, default=100)
    args = parser.parse_args()
    if args.switch:
        measure_switch(args.switch, min(args.queries, 200))
        return
    if args.quantised:
        measure_quantised(args.quantised)
        return
    if args.lists:
        measure_store_lists(args.lists, args.claims, args.emergent)
        return
    if args.stage:
        measure_stage(args.stage, args.batch, args.versions, args.grow)
        return
    names = [b for b in args.backends if available(b)]
    skipped = sorted(set(args.backends) - set(names))
    note = f"; skipped (not installed): {skipped}" if skipped else ""
    print(f"{DIM}-d unit vectors, top-{K}, {args.queries} queries; CPU seconds; load average "
          f"{os.getloadavg()[0]:.1f}{note}")
    print("| backend | vectors | build CPU s | open CPU s | query ms (one) | query ms (batch "
          f"of {BATCH}, each) | recall@{K} | query RSS MB | disk MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    measure(args.sizes, args.queries, names)


if __name__ == "__main__":
    main()
