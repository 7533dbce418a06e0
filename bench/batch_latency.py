"""Brief, search and check latency on a large store (the one ``bench/scale.py --keep-db`` keeps).

On a store filled by ``bench/scale.py`` (clean + reuse + stories; reuse without embeddings,
no extract), with a seeded sample:

* **search**: ``--queries`` queries built from stored titles (one rare word, two words, a
  quoted two-word phrase, in turn), each ``Engine.search(q, limit=20)``; one warm-up query;
* **brief**: ``--stories`` stories of 2-12 articles; the extract stage is first run on their
  articles only (the brief reads entities, quotes and dates; the scale run left extract
  pending), then ``Engine.brief(id)`` twice per story: the first call of the run also loads
  the models (reported apart), a story's second call is warm (its claim vectors cached);
* **check**: ``Engine.check(claim, story=id)`` for one sentence of each sampled story's first
  article (the story's articles are the candidates), and ``Engine.check(claim)`` over the
  whole store, whose candidates come from the stored lead vectors (none in a store filled
  without embeddings: then only the claim is embedded and the lookup done; said so).

Each figure: median and p95 in milliseconds, and CPU seconds of the process per call, with
the load average when the calls ended.

On a store built by ``bench/web_store.py --stage-rows`` (real articles through every stage
beside fillers), the stories sampled are the real ones (a filler story's title says it is
one), and their articles have been through extract already.

**Cold** (``--cold N``): N fresh processes per kind of call (search, brief, check over the
store), each importing the engine and loading the embedding models and the parser first (a
per-process cost whatever the store's size), then evicting the store's files (the
database, its WAL, the vector files) from the operating system's page cache
(``posix_fadvise(DONTNEED)``: this store's files only, nothing else on the machine), then
opening the store and timing the first call, then the same call again (warm). ``--warm-cache``
skips the eviction (a fresh process on a store the OS has cached). The cold briefs cache
their stories' claim embeddings in the store, as any brief does: for first briefs in both
halves, run the cold calls apart (``--cold-only``), each after ``--forget-claims``.

    python bench/batch_latency.py /tmp/dbs/scale-10000.db [--queries 200] [--stories 10]
    python bench/batch_latency.py /tmp/h-million/store.db --forget-claims
    python bench/batch_latency.py /tmp/h-million/store.db --cold 5 --cold-only --forget-claims
    python bench/batch_latency.py /tmp/h-million/store.db --profile check
    python bench/batch_latency.py /tmp/h-warm/m1.db --forget-claims --prepare

**Prepared** (``--prepare``): before the warm calls, a separate process runs the extract
stage on the sampled stories' pending articles and prepares their briefs
(``Engine.prepare_briefs``, one story at a time, each timed: wall, CPU, articles), then
times how long finding the changed stories of the whole store takes (the scan an
overnight ``newsweave analyze --stages brief`` starts with); so "brief, first call per
story" is then a prepared story's first brief in a process that never briefed it (its
models loaded by the untimed first brief, as without the flag). With ``--forget-claims``
the kept frames, scored pairs and preparations are emptied too, so the preparation
starts from nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_store import FILLER_TITLE


def timed(calls: list[Callable[[], Any]]) -> dict[str, float]:
    wall: list[float] = []
    cpu: list[float] = []
    for call in calls:
        started, used = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append(time.process_time() - used)
    wall.sort()
    return {"calls": len(wall), "median_ms": statistics.median(wall),
            "p95_ms": wall[min(len(wall) - 1, round(0.95 * (len(wall) - 1)))],
            "max_ms": wall[-1], "cpu_s_per_call": sum(cpu) / len(cpu)}


def show(name: str, f: dict[str, float]) -> None:
    print(f"{name:<34} {f['calls']:>4} calls  median {f['median_ms']:>8.1f} ms  p95 "
          f"{f['p95_ms']:>8.1f} ms  max {f['max_ms']:>8.1f} ms  CPU {f['cpu_s_per_call']:.3f} s"
          f"/call  (load {load()})", flush=True)


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def sample_stories(engine: Any, rng: random.Random, count: int) -> list[int]:
    """``count`` live stories of 2-12 articles, none of them a filler story."""
    rows = engine.store._db.execute(
        "SELECT id FROM stories WHERE merged_into IS NULL AND size BETWEEN 2 AND 12 "
        "AND coalesce(title, '') NOT LIKE ? ORDER BY id", (FILLER_TITLE + "%",))
    stories = [int(r[0]) for r in rows]
    return rng.sample(stories, min(count, len(stories)))


def make_queries(engine: Any, rng: random.Random, count: int) -> list[str]:
    """One rare word, two words, a quoted two-word phrase, in turn, from stored titles."""
    titles = [a.title or "" for a in engine.store.iter_articles(limit=20000)]
    words = [w for t in titles for w in re.findall(r"[A-Za-z]{5,}", t)]
    queries: list[str] = []
    for n in range(count):
        title = re.findall(r"[A-Za-z]{4,}", rng.choice(titles)) or [rng.choice(words)]
        if n % 3 == 0:
            queries.append(rng.choice(title))
        elif n % 3 == 1 or len(title) < 2:
            queries.append(" ".join(rng.sample(title, min(2, len(title)))))
        else:
            start = rng.randrange(len(title) - 1)
            queries.append(f'"{title[start]} {title[start + 1]}"')
    return queries


def claim_of(engine: Any, story: int, rng: random.Random) -> str | None:
    """One sentence of the story's first article, or None."""
    text = engine.article(engine.story_articles(story)[0]).text
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if 40 < len(s) < 300]
    return rng.choice(sentences) if sentences else None


def store_files(db: str) -> list[Path]:
    """The store's database, WAL and vector files."""
    base = Path(db)
    found = [base, Path(db + "-wal")]
    vectors = Path(db + ".vectors")
    if vectors.is_dir():
        found += sorted(p for p in vectors.iterdir() if p.suffix in (".f32", ".ids"))
    return [p for p in found if p.is_file()]


def evict(db: str) -> None:
    """Drop this store's files from the OS page cache (their pages only)."""
    for path in store_files(db):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)  # dirty pages stay cached: write them first
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def run_extract(engine: Any, ids: list[int]) -> None:
    """The extract stage on those of ``ids`` still pending (the brief reads its output)."""
    from newsweave.extract import ExtractStage

    stage = ExtractStage()
    pending = sorted(set(ids) & set(engine.store.pending(stage.name, stage.version)))
    if pending:
        started = time.perf_counter()
        stage.run(engine.store, pending, engine.settings)
        print(f"extract stage on {len(pending)} of the sampled stories' {len(ids)} "
              f"articles: {time.perf_counter() - started:.1f} s (not a latency)", flush=True)


def prepare_child(db: str, stories: list[int]) -> None:
    """``--prepare``'s process: extract, then each story's brief prepared and timed."""
    import newsweave
    from newsweave.brief.prepare import changed_stories

    with newsweave.open(db) as engine:
        run_extract(engine, sorted({i for s in stories for i in engine.story_articles(s)}))
        rows = []
        for story in stories:
            started, used = time.perf_counter(), time.process_time()
            report = engine.prepare_briefs([story])
            rows.append((story, report.articles, time.perf_counter() - started,
                         time.process_time() - used, len(report.prepared)))
            print(f"  prepared story {story:>7}: {report.articles:>3} articles, "
                  f"{rows[-1][2]:6.2f} s wall, {rows[-1][3]:6.2f} s CPU", flush=True)
        articles = sum(r[1] for r in rows)
        cpu = [r[3] for r in rows]
        wall = sorted(r[2] for r in rows)
        print(f"prepared {sum(r[4] for r in rows)} stories, {articles} articles (the first "
              f"also loads the models): CPU per story median {statistics.median(cpu):.2f} s, "
              f"max {max(cpu):.2f} s; wall median {statistics.median(wall):.2f} s; "
              f"{sum(cpu) / max(articles, 1):.2f} CPU s and {sum(wall) / max(articles, 1):.2f} "
              f"s wall per article (load {load()})", flush=True)
        started, used = time.perf_counter(), time.process_time()
        changed, unchanged = changed_stories(engine.store, engine.settings)
        print(f"finding the changed stories of the whole store: {len(changed):,} changed, "
              f"{len(unchanged):,} unchanged, {time.perf_counter() - started:.1f} s wall, "
              f"{time.process_time() - used:.1f} s CPU (load {load()})", flush=True)


def call_of(engine: Any, kind: str, arg: str) -> Callable[[], Any]:
    if kind == "search":
        return lambda: engine.search(arg, limit=20)
    if kind == "brief":
        return lambda: engine.brief(int(arg))
    if kind == "check-story":
        story, claim = arg.split("\t", 1)
        return lambda: engine.check(claim, story=int(story))
    return lambda: engine.check(arg)


def child(db: str, kind: str, arg: str, keep_cache: bool) -> None:
    """One cold call in this fresh process (see the module's docstring); prints JSON."""
    started = time.perf_counter()
    import newsweave
    import newsweave.engine  # the engine's modules: importing them is no cost of the store
    from newsweave.nlp import english
    from newsweave.nlp.embed import embed
    from newsweave.nlp.spacy_model import load_spacy

    embed(["warm the model"], kind="query")
    if english.available():
        english.embed_english(["warm the model"])
    load_spacy(("senter",))  # the cross-check's parser (crosscheck/frames.py)
    newsweave.open(db, readonly=True).close()  # the stages' modules, imported on opening
    models = time.perf_counter() - started
    if not keep_cache:
        evict(db)
    out: dict[str, Any] = {"models_s": models}
    started, used = time.perf_counter(), time.process_time()
    with newsweave.open(db) as engine:
        out["open_ms"] = (time.perf_counter() - started) * 1000
        run = call_of(engine, kind, arg)
        started = time.perf_counter()
        run()
        out["first_ms"] = (time.perf_counter() - started) * 1000
        out["first_cpu_s"] = time.process_time() - used
        started = time.perf_counter()
        run()
        out["again_ms"] = (time.perf_counter() - started) * 1000
    print(json.dumps(out))


def cold(db: str, calls: list[tuple[str, str]], keep_cache: bool) -> None:
    """Each call in a fresh process (see :func:`child`), by kind: open, first call, again."""
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1] / "src"))
    kinds: dict[str, list[dict[str, float]]] = {}
    for kind, arg in calls:
        done = subprocess.run([sys.executable, __file__, db, "--child", kind, arg]
                              + (["--warm-cache"] if keep_cache else []),
                              check=True, capture_output=True, text=True, env=env)
        kinds.setdefault(kind, []).append(json.loads(done.stdout.strip().splitlines()[-1]))
    cache = "OS cache kept" if keep_cache else "store's files evicted from the OS cache"
    print(f"cold: each call in a fresh process, the engine's modules and models loaded first, "
          f"{cache}:")
    for kind, found in kinds.items():
        def cut(key: str, found: list[dict[str, float]] = found) -> str:
            values = sorted(f[key] for f in found)
            p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
            return f"median {statistics.median(values):>7.1f} ms p95 {p95:>7.1f} ms"
        models = statistics.median(f["models_s"] for f in found)
        print(f"  {kind:<12} {len(found):>3} processes  (imports and models {models:.1f} s "
              f"first, not timed)  open {cut('open_ms')}  |  first call "
              f"{cut('first_ms')}  |  the same again {cut('again_ms')}  (load {load()})",
              flush=True)


def profile(db: str, calls: list[tuple[str, str]]) -> None:
    """The first call untimed (models, maps), then the others under cProfile; then each SQL
    statement they ran, run again alone, if it takes over 10 ms."""
    import cProfile
    import pstats

    import newsweave

    with newsweave.open(db) as engine:
        call_of(engine, *calls[0])()
        statements: list[str] = []
        engine.store._db.set_trace_callback(statements.append)
        profiler = cProfile.Profile()
        profiler.enable()
        for kind, arg in calls[1:]:
            started, used = time.perf_counter(), time.process_time()
            call_of(engine, kind, arg)()
            print(f"{kind} {arg[:40]!r}: {time.perf_counter() - started:.2f} s, CPU "
                  f"{time.process_time() - used:.2f} s (profiled; load {load()})")
        profiler.disable()
        engine.store._db.set_trace_callback(None)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        for sql in dict.fromkeys(statements):
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                started = time.perf_counter()
                engine.store._db.execute(sql).fetchall()
                took = time.perf_counter() - started
                if took > 0.01:
                    print(f"{took * 1000:7.1f} ms  {sql[:160]}")


def check_only(engine: Any, claims: list[tuple[int, str]], dump: str | None) -> None:
    """The checks alone: ``--story`` and whole-store, each claim once, results kept for
    ``--dump`` (what the two trees' outputs are compared on)."""
    results: dict[str, list[dict[str, Any]]] = {"story": [], "store": []}
    show("check CLAIM --story ID", timed([
        lambda c=c, s=s: results["story"].append(engine.check(c, story=s).to_dict())
        for s, c in claims]))
    started = time.perf_counter()
    results["store"].append(engine.check(claims[0][1]).to_dict())
    print(f"first check over the whole store (loads the embedder, maps the vectors): "
          f"{time.perf_counter() - started:.1f} s")
    show("check CLAIM (whole store)", timed([
        lambda c=c: results["store"].append(engine.check(c).to_dict()) for _, c in claims[1:]]))
    if dump:
        Path(dump).write_text(json.dumps(results, indent=1, sort_keys=True))
        print(f"results of {len(claims)} claims written to {dump}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--stories", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cold", type=int, default=0,
                        help="also N cold calls of each kind, each in a fresh process")
    parser.add_argument("--warm-cache", action="store_true",
                        help="cold calls without evicting the store's files from the OS cache")
    parser.add_argument("--cold-only", action="store_true", help="only the cold calls")
    parser.add_argument("--forget-claims", action="store_true",
                        help="empty the store's cache of claim vectors first, so that a "
                        "story's first brief embeds its claims as a brief never asked does")
    parser.add_argument("--profile", choices=("search", "brief", "check"),
                        help="only profile calls of this kind (cProfile, and every SQL "
                        "statement they ran that takes over 10 ms when run again)")
    parser.add_argument("--only-check", action="store_true",
                        help="only the whole-store and --story checks (with --stories N "
                        "claims), none of the searches and briefs (cold: checks only)")
    parser.add_argument("--dump", metavar="JSON",
                        help="write every check's result (verdict, origins, stances) to "
                        "compare two trees' outputs on the same claims")
    parser.add_argument("--prepare", action="store_true",
                        help="prepare the sampled stories' briefs first, in another process "
                        "(timed per story), so the first briefs timed are prepared ones")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not Path(args.db).is_file():
        raise SystemExit(f"{args.db}: no such store")
    if args.child and args.child[0] == "prepare":
        prepare_child(args.db, [int(s) for s in args.child[1].split(",")])
        return
    if args.child:
        child(args.db, *args.child, keep_cache=args.warm_cache)
        return
    import newsweave
    from newsweave.nlp import english
    from newsweave.nlp.embed import MODEL_NAME

    rng = random.Random(args.seed)
    with newsweave.open(args.db) as engine:
        if args.forget_claims:
            with engine.store.transaction() as db:
                gone = db.execute("DELETE FROM claim_vectors").rowcount
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
                kept = {t: db.execute(f"DELETE FROM {t}").rowcount
                        for t in ("claim_frames", "claim_pairs", "brief_prepared")
                        if t in tables}
            print(f"claim vectors cached by earlier briefs, deleted: {gone}; also deleted: "
                  f"{kept}")
        articles = engine.store.count_articles()
        vectors = sum(engine.store.reuse.vector_count(m) for m in (MODEL_NAME, english.MODEL_NAME))
        print(f"{args.db}: {articles:,} articles, {vectors:,} stored vectors; load average "
              f"{load()}")
        queries = make_queries(engine, rng, args.queries)
        sample = sample_stories(engine, rng, args.stories)
        claims = [(s, c) for s in sample if (c := claim_of(engine, s, rng))]
    if args.cold:
        picked = random.Random(args.seed + 1)
        calls = [("search", q) for q in picked.sample(queries, min(args.cold, len(queries)))]
        calls += [("brief", str(s)) for s in sample[: args.cold]]
        if args.only_check:
            calls = []
        calls += [("check", c) for _, c in claims[: args.cold]]
        cold(args.db, calls, args.warm_cache)
    if args.cold_only:
        return
    if args.prepare:
        env = dict(os.environ)
        env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1] / "src"))
        print("preparing the sampled stories' briefs in another process:", flush=True)
        subprocess.run([sys.executable, __file__, args.db, "--child", "prepare",
                        ",".join(str(s) for s in sample)], check=True, env=env)
    if args.profile:
        calls = {"search": [("search", q) for q in queries[:10]],
                 "brief": [("brief", str(s)) for s in sample[:3]],
                 "check": [("check", c) for _, c in claims[:4]]}[args.profile]
        profile(args.db, calls)
        return
    with newsweave.open(args.db) as engine:
        if args.only_check:
            check_only(engine, claims, args.dump)
            return
        engine.search(queries[0])
        show("search (limit 20)", timed([lambda q=q: engine.search(q, limit=20)
                                         for q in queries]))
        run_extract(engine, sorted({i for s in sample for i in engine.story_articles(s)}))
        started = time.perf_counter()
        engine.brief(sample[0])
        print(f"first brief of the run (loads the models): {time.perf_counter() - started:.1f} s")
        show("brief, first call per story", timed([lambda s=s: engine.brief(s)
                                                   for s in sample[1:]]))
        show("brief, second call per story", timed([lambda s=s: engine.brief(s)
                                                    for s in sample]))
        show("check CLAIM --story ID", timed([lambda c=c, s=s: engine.check(c, story=s)
                                              for s, c in claims]))
        started = time.perf_counter()
        engine.check(claims[0][1])  # loads the claim embedder and maps the vectors
        print(f"first check over the whole store (loads the embedder, maps the vectors): "
              f"{time.perf_counter() - started:.1f} s")
        note = "" if vectors else " (no stored vectors: lookup only)"
        show("check CLAIM (whole store)" + note, timed([lambda c=c: engine.check(c)
                                                        for _, c in claims[1:]]))


if __name__ == "__main__":
    main()
