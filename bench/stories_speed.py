"""Speed of the stories stage: articles assigned per second, p95 latency, peak memory.

    python bench/stories_speed.py                 # stores of 10,000 then 100,000 articles
    python bench/stories_speed.py --sizes 2000    # a quick look
    python bench/stories_speed.py --no-repair     # featurise + assign only

Articles are ECB+ texts (../shared/benchmarks/ecbplus) re-issued with every
capitalised word altered per copy, so each copy is a new event of the same
kind (the hard case for candidate lookup: topic words match, names do not).
They go straight into the store and only the stories stage runs, so the
figures are the stage's own: featurisation, assignment and automatic repair.
Throughput is measured while filling the store in batches of 100 (storing the
articles and the stage's run; the stage's own share is printed beside it); latency
as 200 single-article runs once the store holds the given number (the stage's run). Each figure
is given in wall-clock time and in this process's CPU time: on a shared
machine (other jobs running) the CPU figure is what a quiet machine would show.
Peak memory is the process's peak RSS, with its resident memory now beside it, and the
parts of it that are bounded caches: SQLite's own memory (its page cache, up to 64 MiB by
``store/sqlite.py``'s ``cache_size``) and the document-frequency cache's keys
(``StoriesTables``, at most ``DF_CACHE_KEYS``); the store's size on disk is shown too.
``--partition PATH`` writes the partition at each size (article -> story, JSON, to
PATH-SIZE.json) to compare two trees' partitions of the same stream; ``--keep DIR`` a copy
of the store at each size (DIR/stories-SIZE.db, after that size's figures are taken), to
profile or continue the same store without filling it again. ``--score PATH-SIZE.json ...``
scores such partitions against the stream's events (BCubed; each copy of an ECB+ event is
an event of its own) and does nothing else.
The default run (10,000 then 100,000, automatic repair on) takes about 8 minutes
of CPU time.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import re
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from newsweave.engine import content_hash
from newsweave.model import Article
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.stories import StoriesStage, words
from stories_ecb import load

_CAPITAL = re.compile(r"\b([A-Z][a-z]+)\b")


def variant(text: str, copy: int) -> str:
    """The text with each capitalised word suffixed by a per-copy code: a new event."""
    code = "".join(chr(97 + (copy // 26**i) % 26) for i in range(3))
    return _CAPITAL.sub(lambda m: m.group(1) + code, text) if copy else text


def articles(texts: list[str], start: int, count: int) -> list[Article]:
    out = []
    for n in range(start, start + count):
        text = variant(texts[n % len(texts)], n // len(texts))
        out.append(Article(id=None, content_hash=content_hash(f"{n}:{text}"), raw=text,
                           raw_format="text", text=text, source=f"bench:{n}",
                           published=f"2024-{1 + n // 9000 % 12:02d}-{1 + n % 28:02d}"))
    return out


def score_partition(pairs: list[list[int]]) -> dict[str, float]:
    """BCubed P/R/F1 of a ``--partition`` file ([article, story] pairs) against the stream's
    events: an article is the n-th of the stream (its id n + 1, as a fresh store numbers
    them), its event that of its ECB+ text (the same shuffle) in its copy (n // 982: each
    copy is a new event, :func:`variant`)."""
    from stories_ecb import bcubed

    docs = load()
    random.Random(7).shuffle(docs)  # the same permutation main() gives the texts
    stream = sorted(pairs)
    gold = [(n // len(docs), docs[n % len(docs)]["event"])
            for n in (a - 1 for a, _ in stream)]
    p, r, f1 = bcubed([s for _, s in stream], gold)
    return {"articles": len(stream), "p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4),
            "stories": len({s for _, s in stream}), "events": len(set(gold))}


def _resident_mib() -> float:
    """The process's resident memory now (peak RSS is set early, by the re-clusterings of
    a small store; this shows whether the steady state grows with the store)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _sqlite_mib() -> float:
    """SQLite's memory in use in this process (sqlite3_memory_used of the library the
    sqlite3 module is linked with); NaN where it cannot be asked."""
    try:
        import _sqlite3

        used = ctypes.CDLL(_sqlite3.__file__).sqlite3_memory_used
        used.restype = ctypes.c_int64
        return float(used()) / 2**20
    except (ImportError, OSError, AttributeError):
        return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--no-repair", action="store_true",
                        help="automatic repair off (story_repair_articles=0): featurising, "
                             "assignment and titles only")
    parser.add_argument("--partition", type=Path,
                        help="write the partition at each size to PATH-SIZE.json (JSON: [article, "
                             "story] pairs)")
    parser.add_argument("--keep", type=Path,
                        help="copy the store at each size to DIR/stories-SIZE.db")
    parser.add_argument("--score", type=Path, nargs="+", metavar="PARTITION",
                        help="only score --partition files against the stream's events")
    args = parser.parse_args()
    if args.score:
        for path in args.score:
            print(path, json.dumps(score_partition(json.loads(path.read_text()))))
        return
    texts = [d["text"] for d in load()]
    random.Random(7).shuffle(texts)
    stage = StoriesStage()
    settings = load_settings(**({"story_repair_articles": 0} if args.no_repair else {}))
    begun = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "speed.db"))
        stored = 0
        for size in sorted(args.sizes):
            started, cpu_started, filled = time.perf_counter(), time.process_time(), 0
            usage = resource.getrusage(resource.RUSAGE_SELF)
            stage_wall = stage_cpu = 0.0
            while stored < size - 200:
                count = min(100, size - 200 - stored)
                ids = store.add_articles(articles(texts, stored, count), [{}] * count)
                t, c = time.perf_counter(), time.process_time()
                stage.run(store, ids, settings)
                stage_wall += time.perf_counter() - t
                stage_cpu += time.process_time() - c
                stored += count
                filled += count
            rate = filled / max(time.perf_counter() - started, 1e-9)
            cpu_rate = filled / max(time.process_time() - cpu_started, 1e-9)
            now = resource.getrusage(resource.RUSAGE_SELF)
            # System time is the kernel's share (reads of store pages the page cache missed).
            user, system = now.ru_utime - usage.ru_utime, now.ru_stime - usage.ru_stime
            latencies, cpu = [], []
            for article in articles(texts, stored, 200):
                ids = store.add_articles([article], [{}])
                t, c = time.perf_counter(), time.process_time()
                stage.run(store, ids, settings)
                latencies.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                stored += 1
            latencies.sort()
            cpu.sort()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            now_rss = _resident_mib()
            cached = len(getattr(store.stories, "_df", ()))
            disk = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
            busy = os.getloadavg()[0]
            # Where the resident memory is: objects Python holds, the feature caches' entries.
            caches = ", ".join(f"{name} {f.cache_info().currsize:,}" for name, f in (
                ("term", words._term_key), ("name word", words._name_word),
                ("name key", words._name_key)) if hasattr(f, "cache_info"))
            print(f"{stored:>7} memory: {sys.getallocatedblocks():,} Python blocks; "
                  f"feature caches: {caches}", flush=True)
            print(f"{stored:>7} stored: {rate:,.0f} articles/s while filling (batches of 100; "
                  f"{cpu_rate:,.0f}/s of CPU time: {1000 * user / max(filled, 1):.2f} ms user, "
                  f"{1000 * system / max(filled, 1):.2f} ms system an article; the stage alone, "
                  f"without storing the articles: {filled / max(stage_wall, 1e-9):,.0f}/s, "
                  f"{filled / max(stage_cpu, 1e-9):,.0f}/s of CPU time); one assignment p50 "
                  f"{latencies[100] * 1000:.0f} ms, p95 {latencies[189] * 1000:.0f} ms "
                  f"(CPU p50 {cpu[100] * 1000:.0f} ms, p95 {cpu[189] * 1000:.0f} ms); "
                  f"peak RSS {peak:,.0f} MiB (now {now_rss:,.0f}; SQLite {_sqlite_mib():,.0f} MiB, "
                  f"{cached:,} frequencies cached); store {disk:,.0f} MiB on disk; "
                  f"{len(store.stories.active_story_ids()):,} stories; "
                  f"load average {busy:.1f}", flush=True)
            if args.partition:  # PATH-SIZE.json at each size
                live = store.stories.active_story_ids()
                args.partition.with_name(f"{args.partition.stem}-{size}.json").write_text(
                    json.dumps(sorted((a, s) for s, members in
                                      store.stories.members(live).items() for a in members)))
            if args.keep:  # after the figures: the copy's time and pages are not in them
                args.keep.mkdir(parents=True, exist_ok=True)
                kept = sqlite3.connect(str(args.keep / f"stories-{size}.db"))
                store._db.backup(kept)
                kept.close()
        store.close()
    print(f"done in {time.perf_counter() - begun:,.0f} s ({time.process_time():,.0f} s of CPU)")


if __name__ == "__main__":
    main()
