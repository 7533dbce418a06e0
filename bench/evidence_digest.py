"""A digest of every reuse pair of a store as the store API reads it (``store.reuse.pairs``
with their evidence), to show two stores, or one store read by two trees, give the same.

    PYTHONPATH=TREE/src python bench/evidence_digest.py STORE.db [--chunk 500]

The pairs are read by chunks of article ids (each pair once, where its first article
falls), in the order of their key, and each edge's ``to_dict()`` JSON goes into one
SHA-256; printed with the pairs' and passages' counts and the CPU seconds of the reads.
Run with another tree's ``src`` on ``PYTHONPATH`` to read with that tree's code (this
script imports nothing else). The store is opened read-only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time

from newsweave.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("--chunk", type=int, default=500, help="article ids a read")
    args = parser.parse_args()
    store = open_store(args.store, readonly=True)
    ids = [int(r[0]) for r in store._db.execute("SELECT id FROM articles ORDER BY id")]
    digest = hashlib.sha256()
    pairs = passages = 0
    cpu = 0.0
    for start in range(0, len(ids), args.chunk):
        chunk = ids[start:start + args.chunk]
        mine = set(chunk)
        began = time.process_time()
        edges = store.reuse.pairs(chunk)
        cpu += time.process_time() - began
        for edge in edges:
            if min(edge.derived, edge.source) not in mine:
                continue  # read again with its first article's chunk
            pairs += 1
            passages += 2 * len(edge.evidence)
            digest.update(json.dumps(edge.to_dict(), ensure_ascii=False).encode())
            digest.update(b"\n")
    store.close()
    print(f"{args.store}: {pairs:,} pairs, {passages:,} passages, sha256 "
          f"{digest.hexdigest()[:16]}, reads {cpu:.1f} CPU s")


if __name__ == "__main__":
    main()
