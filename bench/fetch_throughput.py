"""Fetch throughput against the local fake site (127.0.0.1, no per-host delay).

``--pages`` invented article pages (~25 KB each, the WARC bench's generator) and a
sitemap listing them. Printed: the HTTP client alone (guard, robots.txt, pinned
keep-alive connection, capped read), and ``fetch`` of the sitemap into a store
(fetch, canonical URL, clean, store; analysis stages off unless ``--stages``).

    python bench/fetch_throughput.py [--pages 200] [--stages]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests"), str(REPO / "bench")]

from fetch_site import serve  # noqa: E402
from fetch_warc import page  # noqa: E402
from newsweave.engine import Engine  # noqa: E402
from newsweave.fetch import Fetcher, load_fetch_options  # noqa: E402
from newsweave.fetch.collect import fetch_into  # noqa: E402
from newsweave.settings import load_settings  # noqa: E402
from newsweave.store import open_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args()
    rng = random.Random(15)
    options = load_fetch_options(fetch_allow_private=1, fetch_host_delay=0.0)
    with serve() as site, tempfile.TemporaryDirectory() as tmp:
        locs = []
        for n in range(args.pages):
            site.set(f"/news/{n}", page(rng, n))
            locs.append(f"<url><loc>{site.base}/news/{n}</loc></url>")
        site.set("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                 f'schemas/sitemap/0.9">{"".join(locs)}</urlset>', "application/xml")
        fetcher = Fetcher(options)
        start = time.perf_counter()
        size = sum(len(fetcher.get(f"{site.base}/news/{n}").body) for n in range(args.pages))
        raw_s = time.perf_counter() - start
        fetcher.close()
        settings = load_settings(db=str(Path(tmp) / "t.db"))
        fetcher = Fetcher(options)
        with Engine(open_store(settings.db), settings,
                    stages=None if args.stages else []) as engine:
            start = time.perf_counter()
            report = fetch_into(engine, [site.base + "/sitemap.xml"], fetcher)
            full_s = time.perf_counter() - start
        fetcher.close()
    print(f"HTTP client alone: {args.pages} pages ({size / 1e6:.1f} MB) in {raw_s:.2f} s = "
          f"{args.pages / raw_s:.0f} pages/s")
    label = "fetch + clean + store + stages" if args.stages else "fetch + clean + store"
    print(f"{label}: {len(report.new)} articles in {full_s:.1f} s = "
          f"{len(report.new) / full_s:.1f} articles/s ({len(report.rejected)} rejected)")


if __name__ == "__main__":
    main()
