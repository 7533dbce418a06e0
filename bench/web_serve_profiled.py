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

Usage (from the repository root; normally through web_load.py)::

    python bench/web_serve_profiled.py --db STORE --port 8000 --tokens FILE --out FILE
"""

from __future__ import annotations

import argparse
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

    def wrap(self, endpoint: Any) -> Any:
        def measured(request: Any) -> Any:
            kind = classify(request.url.path)
            ident = threading.get_ident()
            with self.lock:
                self.running[ident] = kind
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return endpoint(request)
            finally:
                cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
                with self.lock:
                    self.running.pop(ident, None)
                    self.cpu[kind].append(cpu * 1000)
                    self.wall[kind].append(wall * 1000)

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
    args = parser.parse_args()

    import uvicorn
    from starlette.routing import Route, request_response

    from newsweave.settings import load_settings
    from newsweave.web import create_app
    from newsweave.web.auth import load_tokens

    app = create_app(load_settings(db=args.db).db, load_tokens(args.tokens))
    profile = Profile(args.interval / 1000)
    for route in app.router.routes:
        if isinstance(route, Route) and not _is_async(route.endpoint):
            route.app = request_response(profile.wrap(route.endpoint))
    sampler = threading.Thread(target=profile.sample, daemon=True)
    sampler.start()
    # uvicorn stops on SIGTERM, then raises it again under this handler: exit normally,
    # so the report below is written
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        profile.stop.set()
        from newsweave.store.search import _ORIGINS

        notes = [f"list cache: {app.state.lists.hits} pages reused, "
                 f"{app.state.lists.misses} computed"]
        notes += [f"'origins' order at {path}: {kept.full} full counts, {kept.partial} "
                  f"partial (stories new articles joined), {kept.reused} store changes "
                  f"that changed no count" for path, kept in _ORIGINS.items()]
        Path(args.out).write_text("\n".join(notes) + "\n" + profile.report())


def _is_async(endpoint: Any) -> bool:
    import inspect

    return inspect.iscoroutinefunction(endpoint)


if __name__ == "__main__":
    main()
