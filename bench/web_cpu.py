"""CPU per request of the web app on a store, one request at a time, in-process.

The load figures of ``bench/web_load.py`` on a shared, oversubscribed machine measure
mostly the wait for a CPU; this prints what each request class costs the server in
CPU time (``time.process_time`` around each request through Starlette's TestClient),
the same request mix drawn with the same seed, no ingest. Story pages are timed with
their briefs ready (computed first, not timed).

Usage, from the repository root (STORE: a store built by ``bench/web_load.py --fillers``)::

    python bench/web_cpu.py --db STORE --requests 400 --stories 12 [--follow]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from web_load import _pct, _plan  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--stories", type=int, default=12)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--list-cache", type=int, default=None, metavar="N",
                        help="list pages the app keeps (0: every list computed anew)")
    parser.add_argument("--follow", action="store_true",
                        help="follow a list's cursors as bench/web_load.py does (each page "
                             "a sample)")
    args = parser.parse_args()
    from starlette.testclient import TestClient

    from newsweave.web import create_app

    stories, plan = _plan(args.db, args.requests, args.seed, args.stories)
    cpu: dict[str, list[float]] = defaultdict(list)
    options = {} if args.list_cache is None else {"list_pages": args.list_cache}
    with TestClient(create_app(args.db, **options)) as client:
        for story in stories:  # briefs ready, as in web_load.py --warm-briefs
            assert client.get(f"/api/v1/stories/{story}/brief").status_code == 200
        for _kind, path in plan[:3]:  # first requests load caches: not timed
            client.get(path.split("&page=")[0])
        load = os.getloadavg()[0]
        for kind, path in plan:
            url: str | None = path.split("&page=")[0]
            pages = int(path.rsplit("&page=", 1)[1]) if args.follow and "&page=" in path else 0
            for _ in range(pages + 1):
                assert url is not None
                started = time.process_time()
                response = client.get(url)
                cpu[kind].append((time.process_time() - started) * 1000)
                if response.status_code != 200:
                    print(f"error {response.status_code} {url}")
                    break
                url = response.json().get("next_url") if pages else None
                if not url:
                    break
    print(f"CPU per request, one at a time, {len(plan)} requests (load average {load:.1f} "
          f"before, {os.getloadavg()[0]:.1f} after)")
    lists = getattr(client.app.state, "lists", None)  # type: ignore[attr-defined]
    if lists is not None:
        print(f"list cache: {lists.hits} pages reused, {lists.misses} computed"
              + (f" ({lists.refills} of them by the refill thread, {lists.stale} previous "
                 f"pages served)" if hasattr(lists, "refills") else ""))
    print(f"{'class':<14}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind in ("story", "search", "api_stories", "api_articles"):
        values = sorted(cpu.get(kind, []))
        if values:
            print(f"{kind:<14}{len(values):>6}{_pct(values, 50):>10.1f}{_pct(values, 95):>10.1f}"
                  f"{values[-1]:>10.1f}")


if __name__ == "__main__":
    main()
