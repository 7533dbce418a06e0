"""What the story list's spans share, and what the change counter and a date range cost,
on a store (docs/benchmarks.md, "Web and API under load, part 6").

Prints: the stories the first spans of every sort and filter of the load benchmark's mix
list (3 sorts x no filter, each outlet, a date range; 4 spans of 51 each followed by
cursor), against the distinct stories among them (what ``web.spans.Records`` builds
once per store state); the CPU of one read of the lists' change counter with the WAL
index header unchanged and with the statement run each time; the CPU of the "origins"
order's page with a date range, its stories read then kept.

Usage, from the repository root (STORE: a store built by ``bench/web_load.py --fillers``)::

    python bench/web_spans.py --db STORE
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--spans", type=int, default=4, help="spans followed per list")
    args = parser.parse_args()
    from newsweave.engine import open_engine
    from newsweave.store.listing import StoryFilter
    from newsweave.web.spans import SPAN

    engine = open_engine(args.db, readonly=True, create=False)
    tables = engine.store.search
    outlets = [str(r[0]) for r in engine.store._db.execute(
        "SELECT outlet FROM articles WHERE outlet IS NOT NULL GROUP BY outlet ORDER BY outlet")]
    dated = StoryFilter(since=date(2024, 6, 1), until=date(2024, 9, 30))
    filters = [StoryFilter(), dated] + [StoryFilter(outlet=o) for o in outlets]
    entries, stories, first = 0, set(), set()
    for sort in ("newest", "largest", "origins"):
        for f in filters:
            after = None
            for k in range(args.spans):
                rows = tables.story_page(sort, f, after, SPAN + 1)
                if not rows:
                    break
                entries += len(rows)
                stories.update(r[0] for r in rows)
                if k == 0:
                    first.update(r[0] for r in rows)
                after = (rows[-1][1], rows[-1][0])
    print(f"spans of {SPAN + 1}: 3 sorts x {len(filters)} filters x {args.spans} spans list "
          f"{entries:,} stories, {len(stories):,} distinct ({len(first):,} in the first spans)")

    def cpu_us(fn, n: int = 2000) -> float:
        started = time.process_time()
        for _ in range(n):
            fn()
        return (time.process_time() - started) / n * 1e6

    tables.listing_state()
    tables.listing_state()
    kept = cpu_us(tables.listing_state)
    header = tables._wal
    tables._wal = False  # the statement each time, as before
    asked = cpu_us(tables.listing_state)
    tables._wal = header
    print(f"change counter, one read: {kept:.1f} us of CPU with the WAL index header unchanged "
          f"({'available' if header else 'NOT available'}), {asked:.1f} us with the statement")
    from newsweave.store import listing

    listing._FILTERS.clear()  # the date range's stories read again (the order stays)
    started = time.process_time()
    tables.story_page("origins", dated, None, SPAN + 1)
    cold = (time.process_time() - started) * 1000
    warm = cpu_us(lambda: tables.story_page("origins", dated, None, SPAN + 1), 50) / 1000
    print(f"'origins' page with a date range: {cold:.2f} ms of CPU with its stories read, "
          f"{warm:.2f} ms with them kept")
    engine.close()


if __name__ == "__main__":
    main()
