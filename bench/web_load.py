"""Web and API under load: a store built from benchmark texts, `newsweave serve` on
loopback, a bounded number of concurrent clients; latency per request class and errors.

Store: BASIL (300 articles, 3 outlets, dates, titles, URLs) plus Timeline17 articles
(outlet, date) sampled evenly over its stories with a fixed seed, ingested through the
whole engine (every stage). Also measured: search indexing speed (an FTS5 rebuild of the
whole store) and the index size per article.

Load: ``--clients`` threads, each with its own keep-alive connection, send ``--requests``
requests in all, a fixed mix drawn with a fixed seed: story pages, searches (words from
the store's own titles, some as phrases, OR and prefix queries), API story lists (all
sorts, followed cursors) and API article lists. Story pages are timed twice: the first
view of each story (its brief is computed) and repeat views (the brief is cached per
store generation). ``--ingest-during`` also ingests more articles through
``POST /api/v1/ingest`` while the load runs (each ingest changes the generation).

Usage, from the repository root::

    python bench/web_load.py            # 1,500 + 300 articles, 8 clients, 2,000 requests
    python bench/web_load.py --timeline17 500 --requests 500       # a quicker run
    python bench/web_load.py --db /tmp/web-bench.db --reuse        # an existing store again
    python bench/web_load.py --db /tmp/web-bench.db --reuse --warm-briefs --stories 12
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "benchmarks"
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from web_store import build, real_documents  # noqa: E402

TOKEN = "bench-ingest-token-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeline17", type=int, default=1500, help="Timeline17 articles")
    parser.add_argument("--basil", type=int, default=300, help="BASIL articles (max 300)")
    parser.add_argument("--fillers", type=int, default=0, metavar="N",
                        help="N filler articles in filler stories beside the real ones "
                             "(see bench/web_store.py)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--db", help="store path (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="use --db as it is, do not build")
    parser.add_argument("--ingest-during", type=int, default=0, metavar="N",
                        help="ingest N more Timeline17 articles through the API during the load")
    parser.add_argument("--warm-briefs", action="store_true",
                        help="compute every story's brief before the load (steady state)")
    parser.add_argument("--stories", type=int, default=0, metavar="N",
                        help="story pages only of the first N stories by id (0: all)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1,
                        help="server worker processes (serve --workers)")
    parser.add_argument("--ingest-nice", type=int, default=0,
                        help="niceness of the server's ingest worker (serve --ingest-nice)")
    parser.add_argument("--profile", metavar="FILE",
                        help="serve through bench/web_serve_profiled.py (one worker): each "
                             "request's thread CPU and stack samples per class, to FILE")
    parser.add_argument("--trace", metavar="FILE",
                        help="with --profile: one JSON line per request (its phases) and per "
                             "store change, to FILE, summarised in the profile")
    parser.add_argument("--switch-interval", type=float, metavar="MS",
                        help="the server's thread switch interval, ms (serve "
                             "--switch-interval; with --profile, the profiled server's)")
    parser.add_argument("--build-only", action="store_true",
                        help="build the store at --db and stop (no server, no load)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="web-bench-"))
    db = args.db or str(folder / "web.db")
    docs = real_documents(args.timeline17 + args.ingest_during, args.basil, args.seed)
    extra = docs[len(docs) - args.ingest_during:] if args.ingest_during else []
    docs = docs[: len(docs) - args.ingest_during]
    if not args.reuse:
        build(db, docs, args.fillers, folder)
    if args.build_only:
        return
    _index_figures(db)
    _serve_and_load(db, args, extra, folder)


def _index_figures(db: str) -> None:
    conn = sqlite3.connect(db)
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    chars = conn.execute("SELECT sum(length(text)) + sum(length(coalesce(title, ''))) "
                         "FROM articles").fetchone()[0]
    start = time.perf_counter()
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    conn.commit()
    wall = time.perf_counter() - start
    size = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%'"
                        ).fetchone()[0]
    conn.close()
    print(f"search index: rebuilt {articles:,} articles in {wall:.2f} s "
          f"({articles / wall:,.0f} articles/s, {chars / wall / 1e6:.1f} M characters/s); "
          f"{size / 1e6:.1f} MB, {size / articles / 1024:.2f} KiB per article "
          f"({size / chars:.2f} bytes per character of text)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_and_load(db: str, args: argparse.Namespace, extra: list[dict[str, str]],
                    folder: Path) -> None:
    tokens = folder / "tokens.txt"
    tokens.write_text(f"{TOKEN} ingest\n")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    log = (folder / "server.log").open("w")
    command = [sys.executable, "-m", "newsweave", "--db", db, "serve", "--port", str(port),
               "--tokens", str(tokens), "--workers", str(args.workers),
               "--ingest-nice", str(args.ingest_nice)]
    if args.switch_interval:
        command += ["--switch-interval", str(args.switch_interval)]
    if args.profile:
        command = [sys.executable, str(REPO / "bench" / "web_serve_profiled.py"), "--db", db,
                   "--port", str(port), "--tokens", str(tokens), "--out", args.profile]
        if args.trace:
            command += ["--trace", args.trace]
        if args.switch_interval:
            command += ["--switch-interval", str(args.switch_interval)]
    server = subprocess.Popen(command, env=env, stderr=log, stdout=log)
    try:
        _wait(port)
        _load(port, db, args, extra, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    print(f"server log: {folder / 'server.log'}")
    if args.profile and Path(args.profile).exists():
        print(f"per-request profile ({args.profile}):")
        print(Path(args.profile).read_text())


def _wait(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            status, _ = _get(http.client.HTTPConnection("127.0.0.1", port, timeout=5),
                             "/api/v1/stories?size=1")
            if status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def _plan(db: str, total: int, seed: int, first: int
          ) -> tuple[list[int], list[tuple[str, str]]]:
    """Story ids and the request mix (class, path), drawn with a fixed seed."""
    conn = sqlite3.connect(db)
    # story pages and search words come from the articles that went through every stage
    # (not the fillers of bench/web_store.py); lists and searches run over the whole store
    stories = [r[0] for r in conn.execute(
        "SELECT id FROM stories s WHERE merged_into IS NULL AND size > 0 AND EXISTS "
        "(SELECT 1 FROM story_members m JOIN articles a ON a.id = m.article_id "
        "WHERE m.story_id = s.id AND a.source NOT LIKE 'filler-%') ORDER BY id")]
    stories = stories[:first] if first else stories
    titles = [r[0] for r in conn.execute(
        "SELECT title FROM articles WHERE title IS NOT NULL AND source NOT LIKE 'filler-%'")]
    outlets = [r[0] for r in conn.execute(
        "SELECT outlet FROM articles WHERE outlet IS NOT NULL GROUP BY outlet ORDER BY outlet")]
    conn.close()
    rng = random.Random(seed)
    words = [w for t in titles for w in re.findall(r"[A-Za-z]{5,}", t)]
    plan: list[tuple[str, str]] = []
    for _ in range(total):
        kind = rng.choices(["story", "search", "api_stories", "api_articles"],
                           weights=[3, 3, 3, 1])[0]
        if kind == "story":
            plan.append((kind, f"/stories/{rng.choice(stories)}"))
        elif kind == "search":
            a, b = rng.choice(words), rng.choice(words)
            q = rng.choice([a, f"{a} {b}", f'"{a} {b}"', f"{a} OR {b}", f"{a[:4]}*"])
            extra = rng.choice(["", "&origins=one", "&language=en"])
            plan.append((kind, f"/search?q={quote(q)}{extra}"))
        elif kind == "api_stories":
            sort = rng.choice(["newest", "largest", "origins"])
            # a quarter of the lists filtered by an outlet or a date range
            extra = rng.choice(["", "", "", f"&outlet={quote(rng.choice(outlets))}",
                                "&since=2024-06-01&until=2024-09-30"])
            plan.append((kind, f"/api/v1/stories?sort={sort}&size={rng.choice([10, 20, 50])}"
                               f"{extra}&page={rng.randint(0, 3)}"))
        else:
            extra = rng.choice(["", "", "", f"&outlet={quote(rng.choice(outlets))}"])
            plan.append((kind, f"/api/v1/articles?size=50{extra}&page={rng.randint(0, 3)}"))
    return stories, plan


def _load(port: int, db: str, args: argparse.Namespace, extra: list[dict[str, str]],
          pid: int) -> None:
    stories, plan = _plan(db, args.requests, args.seed, args.stories)
    if args.warm_briefs:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        start = time.perf_counter()
        failed = sum(_get(conn, f"/api/v1/stories/{s}/brief")[0] != 200 for s in stories)
        took = time.perf_counter() - start
        print(f"briefs computed before the load: {len(stories):,} in {took:.0f} s "
              f"({took / len(stories):.2f} s a story), {failed} failed")
        conn.close()
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    first_view: set[int] = set()
    lock = threading.Lock()
    queue = list(reversed(plan))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        while True:
            with lock:
                if not queue:
                    break
                kind, path = queue.pop()
            pages = int(path.rsplit("&page=", 1)[1]) if "&page=" in path else 0
            path = path.split("&page=")[0]
            label = kind
            if kind == "story":
                story = int(path.rsplit("/", 1)[1])
                with lock:
                    label = "story (first view)" if story not in first_view else "story (repeat)"
                    first_view.add(story)
            # a list request may follow its cursor to later pages: each page is one sample
            for _ in range(pages + 1):
                start = time.perf_counter()
                try:
                    status, body = _get(conn, path)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                    status, body = 0, repr(exc).encode()
                took = (time.perf_counter() - start) * 1000
                with lock:
                    timings[label].append(took)
                    if status != 200:
                        errors.append(f"{status} {path}: {body[:120]!r}")
                if status != 200 or not path.startswith("/api/"):
                    break
                path = json.loads(body).get("next_url")
                if not path:
                    break
        conn.close()

    ingest_stats: dict[str, float] = {}
    load_done = threading.Event()
    ingester = threading.Thread(target=_ingest_during,
                                args=(port, extra, ingest_stats, load_done))
    start, load_before = time.perf_counter(), os.getloadavg()[0]
    cpu, ingest_cpu = _tree_cpu(pid)
    threads = [threading.Thread(target=worker) for _ in range(args.clients)]
    for t in threads:
        t.start()
    if extra:
        ingester.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    load_done.set()
    cpu_load_end = _tree_cpu(pid)
    if extra:
        ingester.join()
    cpu_after, ingest_after = cpu_load_end
    cpu, ingest_cpu = cpu_after - cpu, ingest_after - ingest_cpu
    sent = sum(len(v) for v in timings.values())
    print(f"server CPU during the load: {cpu:.1f} s ({cpu / sent * 1000:.1f} ms a request; "
          f"an ingest run by the server's own threads included), ingest worker processes "
          f"{ingest_cpu:.1f} s; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    print(f"load: {sent:,} requests ({args.requests:,} drawn, cursors followed) from "
          f"{args.clients} clients in {wall:.1f} s ({sent / wall:.1f} requests/s), "
          f"{len(errors)} errors; {len(stories):,} stories")
    print(f"{'class':<20}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for label in ("story (first view)", "story (repeat)", "search", "api_stories",
                  "api_articles"):
        values = sorted(timings.get(label, []))
        if values:
            print(f"{label:<20}{len(values):>6}{_pct(values, 50):>10.0f}{_pct(values, 95):>10.0f}"
                  f"{values[-1]:>10.0f}")
    if ingest_stats:
        print(f"ingest during the load: {ingest_stats['articles']:.0f} articles in "
              f"{ingest_stats['wall']:.1f} s, {ingest_stats['errors']:.0f} errors "
              f"({ingest_stats['during']:.0f} ingests finished while the load ran)")
    for e in errors[:10]:
        print("error:", e)


def _ingest_during(port: int, docs: list[dict[str, str]], stats: dict[str, float],
                   load_done: threading.Event) -> None:
    """Post the articles one after another (each waits for its job); a failure or a
    timeout is counted as an error and the next one is posted."""
    start, failed, during = time.perf_counter(), 0, 0
    for d in docs:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        try:
            conn.request("POST", "/api/v1/ingest?wait=true", body=json.dumps(d).encode(),
                         headers={"Authorization": f"Bearer {TOKEN}",
                                  "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            failed += response.status != 200
        except (OSError, http.client.HTTPException) as exc:
            print(f"ingest error: {exc!r}")
            failed += 1
        finally:
            conn.close()
        during += not load_done.is_set()
    stats.update(articles=len(docs), wall=time.perf_counter() - start, errors=failed,
                 during=during)


def _tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of the server's processes (``pid`` and its descendants: uvicorn's
    workers) and, apart, of its ingest worker processes; a process that has ended is
    no longer counted."""
    server = ingest = 0.0
    todo = [pid]
    while todo:
        each = todo.pop()
        try:
            seconds = _cpu_seconds(each)
            command = Path(f"/proc/{each}/cmdline").read_bytes()
            for task in Path(f"/proc/{each}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
        if b"newsweave.web.ingest_worker" in command:
            ingest += seconds
        else:
            server += seconds
    return server, ingest


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], p: int) -> float:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


if __name__ == "__main__":
    main()
