"""`newsweave serve` (one worker process) with each request's CPU measured and its threads
sampled: where a request's time goes under load, per request class.

Started by ``bench/web_load.py --profile FILE`` in place of ``newsweave serve``; writes
its report to FILE when stopped (SIGTERM, as web_load.py stops its server):

* per class (story page, search, API story list, API article list, other): requests,
  the CPU time of the request's own thread (``time.thread_time``: the handler's Python
  and the SQLite calls it makes, not other threads' work) at p50 / p95 / max and in all;
* where the request threads were, sampled every ``--interval`` ms
  (``sys._current_frames``): the innermost frame in newsweave's code (a SQL statement
  shows as the line that runs it) and the innermost frame of any code, as shares of the
  samples of that class. A sample is wall time: a thread waiting for the interpreter
  lock counts where it waits.

With ``--trace FILE`` it also writes one JSON line per request (class, path, when it
started and ended, its wall and own-thread CPU ms, and the wall / CPU ms spent in each
measured phase: the list cache, the store's change counter, the "origins" order and its
recount, a page's stories, their confidences, an article page) and one per change of the
store's listing state (polled every 10 ms on a connection of its own, with the stages
logged since the change before), and appends to the report where the story lists' slowest
requests spent their time and how soon after a store change they started.

Usage (from the repository root; normally through web_load.py)::

    python bench/web_serve_profiled.py --db STORE --port 8000 --tokens FILE --out FILE
"""

from __future__ import annotations

import argparse
import bisect
import signal
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
PACKAGE = str(REPO / "src" / "newsweave")


def classify(path: str) -> str:
    """The request class of a path, as web_load.py labels its samples."""
    if path.startswith("/stories/"):
        return "story"
    if path.startswith("/search"):
        return "search"
    if path.startswith("/api/v1/stories") and path.count("/") == 3:
        return "api_stories"
    if path.startswith("/api/v1/articles") and path.count("/") == 3:
        return "api_articles"
    return "other"


class Profile:
    """Requests in flight (thread id -> class), their CPU, and the stack samples."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.lock = threading.Lock()
        self.running: dict[int, str] = {}
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.wall: dict[str, list[float]] = defaultdict(list)
        self.ours: dict[str, Counter[str]] = defaultdict(Counter)
        self.inner: dict[str, Counter[str]] = defaultdict(Counter)
        self.samples: Counter[str] = Counter()
        self.stop = threading.Event()

    def wrap(self, endpoint: Any, trace: Trace | None = None) -> Any:
        def measured(request: Any) -> Any:
            kind = classify(request.url.path)
            ident = threading.get_ident()
            with self.lock:
                self.running[ident] = kind
            if trace is not None:
                trace.begin()
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return endpoint(request)
            finally:
                cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
                with self.lock:
                    self.running.pop(ident, None)
                    self.cpu[kind].append(cpu * 1000)
                    self.wall[kind].append(wall * 1000)
                if trace is not None:
                    trace.end(kind, str(request.url.path) + "?" + str(request.url.query),
                              wall, cpu)

        measured.__name__ = getattr(endpoint, "__name__", "endpoint")
        return measured

    def sample(self) -> None:
        while not self.stop.wait(self.interval):
            with self.lock:
                running = dict(self.running)
            if not running:
                continue
            frames = sys._current_frames()
            for ident, kind in running.items():
                frame = frames.get(ident)
                if frame is None:
                    continue
                inner = f"{_where(frame)}"
                ours = None
                while frame is not None:
                    if frame.f_code.co_filename.startswith(PACKAGE):
                        ours = _where(frame)
                        break
                    frame = frame.f_back
                with self.lock:
                    self.samples[kind] += 1
                    self.inner[kind][inner] += 1
                    self.ours[kind][ours or "(outside newsweave)"] += 1

    def report(self, top: int = 12) -> str:
        lines = ["request CPU (the request's own thread), ms:",
                 f"{'class':<14}{'n':>6}{'p50':>8}{'p95':>8}{'max':>8}{'sum s':>8}"
                 f"{'wall p95':>10}"]
        for kind in sorted(self.cpu):
            values, walls = sorted(self.cpu[kind]), sorted(self.wall[kind])
            lines.append(f"{kind:<14}{len(values):>6}{_pct(values, 50):>8.1f}"
                         f"{_pct(values, 95):>8.1f}{values[-1]:>8.1f}{sum(values) / 1000:>8.2f}"
                         f"{_pct(walls, 95):>10.0f}")
        for kind in sorted(self.samples):
            total = self.samples[kind]
            lines.append(f"\n{kind}: {total} samples of request threads; innermost newsweave "
                         f"frame (share):")
            lines += [f"  {n / total:6.1%}  {where}" for where, n in
                      self.ours[kind].most_common(top)]
            lines.append(f"{kind}: innermost frame of any code (share):")
            lines += [f"  {n / total:6.1%}  {where}" for where, n in
                      self.inner[kind].most_common(top)]
        return "\n".join(lines) + "\n"


class Trace:
    """Per request: its phases' wall and CPU (functions wrapped by :meth:`measure`, timed
    on the request's thread), written as JSON lines with the store's state changes."""

    def __init__(self, out: str, db: str) -> None:
        self.out = open(out, "w")  # noqa: SIM115 (closed by close())
        self.db = db
        self.lock = threading.Lock()
        self.local = threading.local()
        self.origin = time.perf_counter()
        self.stop = threading.Event()
        self.poller = threading.Thread(target=self._poll, daemon=True)

    def begin(self) -> None:
        self.local.phases = {}
        self.local.depth = 0
        self.local.start = time.perf_counter() - self.origin

    def end(self, kind: str, path: str, wall: float, cpu: float) -> None:
        phases = getattr(self.local, "phases", {})
        self._write({"kind": kind, "path": path, "start": self.local.start,
                     "end": time.perf_counter() - self.origin, "wall": wall * 1000,
                     "cpu": cpu * 1000, "phases": phases})
        self.local.phases = None

    def measure(self, owner: Any, name: str, label: str) -> None:
        """Time ``owner.name`` (a function or method) as the phase ``label``."""
        original = getattr(owner, name)
        local = self.local

        def timed(*args: Any, **kwargs: Any) -> Any:
            phases = getattr(local, "phases", None)
            if phases is None:
                return original(*args, **kwargs)
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                entry = phases.setdefault(label, [0.0, 0.0, 0])
                entry[0] += (time.perf_counter() - wall) * 1000
                entry[1] += (time.thread_time() - cpu) * 1000
                entry[2] += 1

        timed.__name__ = getattr(original, "__name__", name)
        setattr(owner, name, timed)

    def _write(self, record: dict[str, Any]) -> None:
        import json

        with self.lock:
            self.out.write(json.dumps(record) + "\n")

    def _poll(self) -> None:
        import sqlite3

        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        state, logged = None, None
        while not self.stop.wait(0.01):
            try:
                row = conn.execute(
                    "SELECT (SELECT coalesce(max(rowid), 0) FROM stage_runs), "
                    "(SELECT coalesce(max(id), 0) FROM articles), "
                    "(SELECT coalesce(max(seq), 0) FROM story_log), "
                    "(SELECT coalesce(max(id), 0) FROM stage_log)").fetchone()
            except sqlite3.Error:
                continue
            if row[:3] != state:
                stages = [] if logged is None else [r[0] for r in conn.execute(
                    "SELECT DISTINCT stage FROM stage_log WHERE id > ?", (logged,))]
                if state is not None:
                    self._write({"kind": "state", "at": time.perf_counter() - self.origin,
                                 "state": list(row[:3]), "stages": stages})
                state, logged = row[:3], row[3]
        conn.close()

    def close(self) -> None:
        self.stop.set()
        self.poller.join(timeout=5)
        self.out.close()


def summarize(path: str, kind: str = "api_stories") -> str:
    """Where ``kind``'s slowest requests spent their wall time, and how soon after a
    store change they started (from a trace written by :class:`Trace`)."""
    import json

    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    changes = sorted(r["at"] for r in rows if r["kind"] == "state")
    requests = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["wall"])
    if not requests:
        return ""

    def since(at: float) -> float:
        i = bisect.bisect_right(changes, at)
        return at - changes[i - 1] if i else float("inf")

    def overlapped(r: dict[str, Any]) -> bool:  # a store change while it ran
        i = bisect.bisect_right(changes, r["start"])
        return i < len(changes) and changes[i] <= r["end"]

    lines = [f"\n{kind}: {len(requests)} requests, {len(changes)} store changes; "
             "by wall time (in the handler):",
             f"{'group':<12}{'n':>6}{'wall ms':>9}{'cpu ms':>8}{'<1s after':>10}"
             f"{'change in':>10}  mean wall ms / cpu ms per phase"]
    n = len(requests)
    groups = [("fastest 50%", requests[: n // 2]), ("50-90%", requests[n // 2 : n * 9 // 10]),
              ("90-95%", requests[n * 9 // 10 : n * 95 // 100]),
              ("slowest 5%", requests[n * 95 // 100 :])]
    for name, group in groups:
        if not group:
            continue
        phases: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for r in group:
            for label, (wall, cpu, _) in r["phases"].items():
                phases[label][0] += wall
                phases[label][1] += cpu
        g = len(group)
        shown = ", ".join(f"{label} {w / g:.0f}/{c / g:.0f}" for label, (w, c) in
                          sorted(phases.items(), key=lambda kv: -kv[1][0]))
        lines.append(f"{name:<12}{g:>6}{sum(r['wall'] for r in group) / g:>9.0f}"
                     f"{sum(r['cpu'] for r in group) / g:>8.1f}"
                     f"{sum(since(r['start']) < 1 for r in group) / g:>10.0%}"
                     f"{sum(overlapped(r) for r in group) / g:>10.0%}  {shown}")
    return "\n".join(lines) + "\n"


def _where(frame: Any) -> str:
    name = frame.f_code.co_filename
    short = name[len(str(REPO)) + 1:] if name.startswith(str(REPO)) else \
        "/".join(Path(name).parts[-2:])
    return f"{short}:{frame.f_lineno} {frame.f_code.co_name}"


def _pct(values: list[float], p: int) -> float:
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tokens")
    parser.add_argument("--out", required=True)
    parser.add_argument("--interval", type=float, default=5.0, help="sampling period, ms")
    parser.add_argument("--trace", help="one JSON line per request and per store change "
                                        "(see the module's docstring)")
    parser.add_argument("--switch-interval", type=float, metavar="MS",
                        help="the interpreter's thread switch interval (sys.setswitchinterval; "
                             "Python's default 5 ms)")
    args = parser.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval / 1000)

    import uvicorn
    from starlette.routing import Route, request_response

    from newsweave.settings import load_settings
    from newsweave.web import create_app
    from newsweave.web.auth import load_tokens

    app = create_app(load_settings(db=args.db).db, load_tokens(args.tokens))
    profile = Profile(args.interval / 1000)
    trace = Trace(args.trace, args.db) if args.trace else None
    if trace is not None:
        _measure_phases(trace)
        trace.poller.start()
    for route in app.router.routes:
        if isinstance(route, Route) and not _is_async(route.endpoint):
            route.app = request_response(profile.wrap(route.endpoint, trace))
    sampler = threading.Thread(target=profile.sample, daemon=True)
    sampler.start()
    # uvicorn stops on SIGTERM, then raises it again under this handler: exit normally,
    # so the report below is written
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        profile.stop.set()
        from newsweave.store.listing import _ORIGINS

        lists = app.state.lists
        notes = [f"list cache: {lists.hits} pages reused, {lists.misses} computed"
                 + (f", {lists.stale} previous pages served during their refill"
                    if hasattr(lists, "stale") else "")
                 + (f", {lists.refills} refills by the refill thread"
                    if hasattr(lists, "refills") else "")]
        records = getattr(app.state, "records", None)
        if records is not None:
            notes.append(f"story records (web/spans.py): {records.reused} reused, "
                         f"{records.built} built")
        notes += [f"'origins' order at {path}: {kept.full} full counts, {kept.partial} "
                  f"partial (stories new articles joined), {kept.reused} store changes "
                  f"that changed no count" for path, kept in _ORIGINS.items()]
        report = "\n".join(notes) + "\n" + profile.report()
        if trace is not None:
            trace.close()
            report += summarize(args.trace) + summarize(args.trace, "api_articles")
        Path(args.out).write_text(report)


def _measure_phases(trace: Trace) -> None:
    """The phases a list request goes through, timed per request (absent ones skipped:
    the bench runs against older trees too)."""
    import importlib

    for module, owner, name, label in (
            ("newsweave.web.listcache", "ListCache", "get", "cache get"),
            ("newsweave.web.listcache", "ListCache", "page", "cache page"),
            ("newsweave.web.listcache", "ListCache", "serve", "cache serve"),
            ("newsweave.web.listcache", "ListCache", "_compute", "cache refill"),
            ("newsweave.store.search", "SearchTables", "article_rows", "article rows"),
            ("newsweave.store.search", "SearchTables", "listing_state", "state"),
            ("newsweave.store.search", "SearchTables", "_origin_counts", "origins"),
            ("newsweave.store.search", "SearchTables", "_recount", "recount"),
            ("newsweave.store.search", "SearchTables", "story_page", "page ids"),
            ("newsweave.stories", None, "build_stories", "page stories"),
            ("newsweave.web.confidence", "Confidences", "fill", "confidences"),
            ("newsweave.engine", "Engine", "article_page", "article page")):
        try:
            target: Any = importlib.import_module(module)
            if owner is not None:
                target = getattr(target, owner)
            getattr(target, name)
        except (ImportError, AttributeError):
            continue
        trace.measure(target, name, label)


def _is_async(endpoint: Any) -> bool:
    import inspect

    return inspect.iscoroutinefunction(endpoint)


if __name__ == "__main__":
    main()
