"""``watch --once`` over many local feeds with nothing new: conditional GET at work.

A local HTTP server on 127.0.0.1 (the test suite's fake site, tests/fetch_site.py)
serves ``--feeds`` RSS feeds of ``--entries`` short invented articles each. The
first round (library, every stage on) registers the feeds and ingests the
entries; then ``newsweave watch FEEDS --once`` runs as a fresh process (what a
cron job does) and every feed answers 304. Printed: both rounds' wall time, the
second one's statuses. Goal (issue #15): the second round <= 10 s for 200 feeds.

    python bench/fetch_watch.py [--feeds 200] [--entries 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests")]

import newsweave  # noqa: E402
from fetch_site import rss, serve  # noqa: E402
from newsweave.fetch import Fetcher, load_fetch_options  # noqa: E402
from newsweave.fetch.watch import Watcher  # noqa: E402

PLACES = ["Harlow", "Brenmouth", "Calder", "Dunmere", "Eastvale", "Fenwick", "Galloway"]
EVENTS = [("a fire destroyed a warehouse", "firefighters"),
          ("the council closed a road", "officials"),
          ("a storm cut power to homes", "the utility"),
          ("a new clinic opened", "the health board"),
          ("a ferry ran aground", "the coast guard"),
          ("teachers went on strike", "the union")]


def invent(rng: random.Random, n: int) -> tuple[str, str]:
    place = rng.choice(PLACES)
    event, who = rng.choice(EVENTS)
    count = rng.randint(2, 400)
    title = f"{place}: {event} ({n})"
    body = (f"<p>In {place} on {rng.choice(['Monday', 'Tuesday', 'Friday'])}, {event}, "
            f"{who} said.</p><p>About {count} people were affected, according to {who}, and "
            f"a review will follow next month.</p>")
    return title, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(15)
    with serve() as site, tempfile.TemporaryDirectory() as tmp:
        urls = []
        for f in range(args.feeds):
            items = []
            for e in range(args.entries):
                title, body = invent(rng, f * args.entries + e)
                items.append({"title": title, "link": f"{site.base}/f{f}/{e}", "content": body})
            site.set(f"/feed{f}.xml", rss(f"Feed {f}", items), "application/rss+xml")
            urls.append(f"{site.base}/feed{f}.xml")
        feeds = Path(tmp) / "feeds.txt"
        feeds.write_text("\n".join(urls) + "\n")
        db = str(Path(tmp) / "watch.db")
        start = time.perf_counter()
        with newsweave.open(db) as engine:
            fetcher = Fetcher(load_fetch_options(fetch_allow_private=1, fetch_host_delay=0.0))
            watcher = Watcher(engine, fetcher)
            watcher.add(urls)
            first = watcher.poll_round(all_sources=True)
            articles = engine.store.count_articles()
        first_s = time.perf_counter() - start
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "newsweave", "--db", db, "watch", str(feeds), "--once",
             "--json", "--allow-private", "--delay", "0"],
            capture_output=True, text=True, env=env, check=True)
        second_s = time.perf_counter() - start
        polls = json.loads(done.stdout)
    statuses: dict[str, int] = {}
    for poll in polls:
        statuses[poll["status"]] = statuses.get(poll["status"], 0) + 1
    print(f"feeds: {args.feeds}, entries per feed: {args.entries}")
    print(f"first round (library, all stages): {len(first)} polls, {articles} articles, "
          f"{first_s:.1f} s")
    print(f"second round (`newsweave watch --once`, new process): {len(polls)} polls "
          f"{statuses}, new {sum(p['new'] for p in polls)}, {second_s:.2f} s wall "
          f"(polls alone {sum(p['seconds'] for p in polls):.2f} s)")


if __name__ == "__main__":
    main()
