"""Rewrite a store's reuse pairs written before offsets alone into offsets (an explicit,
resumable compaction: ``ReuseTables.compact_evidence``), and say what it freed.

    python bench/compact_evidence.py STORE.db [--batch 2000] [--vacuum]

Each batch of pairs is one transaction (a stop loses nothing: run it again, it goes on
past the pairs already in offsets). The file does not shrink by itself: the pages freed
go on SQLite's free list, and the store's next rows are written into them; ``--vacuum``
then rewrites the file to its new size (it needs as much free disk as the new file).
Printed: pairs read and rewritten, CPU seconds, the file's size and its free pages
before and after.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from newsweave.store import open_store


def free_pages(store: object) -> tuple[int, int]:
    db = store._db  # type: ignore[attr-defined]
    return (int(db.execute("PRAGMA freelist_count").fetchone()[0]),
            int(db.execute("PRAGMA page_size").fetchone()[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--batch", type=int, default=2000, help="pairs a transaction")
    parser.add_argument("--vacuum", action="store_true", help="then VACUUM the file")
    args = parser.parse_args()
    store = open_store(str(args.store))
    size = args.store.stat().st_size
    free, page = free_pages(store)
    print(f"{args.store}: {size / 1e6:,.0f} MB, {free * page / 1e6:,.0f} MB of it free pages")
    started = time.process_time()
    read = rewritten = 0
    after: tuple[int, int] | None = (0, 0)
    while after is not None:
        got, changed, after = store.reuse.compact_evidence(args.batch, after)
        read += got
        rewritten += changed
    cpu = time.process_time() - started
    free, page = free_pages(store)
    size = args.store.stat().st_size
    print(f"{read:,} pairs read, {rewritten:,} rewritten as offsets, {cpu:.1f} CPU s; "
          f"{size / 1e6:,.0f} MB, {free * page / 1e6:,.0f} MB of it free pages")
    if args.vacuum:
        started = time.process_time()
        store._db.execute("VACUUM")  # type: ignore[attr-defined]
        print(f"vacuumed: {args.store.stat().st_size / 1e6:,.0f} MB "
              f"({time.process_time() - started:.1f} CPU s)")
    store.close()


if __name__ == "__main__":
    main()
