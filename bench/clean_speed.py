"""Clean speed on a generated archive: CPU seconds of the cleaner and of the metadata reader.

Reads the first ``--shards`` shards of an archive written by ``bench/corpus.py`` and, for
each article, runs :func:`newsweave.clean.clean_text` on its text (as ingest cleans a JSON
record's body, without the outlet's recurring lines, which need a store) and then
:func:`newsweave.clean.metadata.find_metadata` (publication date, outlet, language: the
language identifier is most of it). Prints the CPU seconds of each per 1,000 articles and a
digest of everything both produced (body, removal log with reasons, title, language, date,
outlet), so two versions of the code can be shown to clean identically.

    python bench/clean_speed.py ARCHIVE [--shards 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, help="a folder written by bench/corpus.py")
    parser.add_argument("--shards", type=int, default=3, help="how many shards (default 3)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.clean import clean_text
    from newsweave.clean.metadata import find_metadata, load_language_identifier

    load_language_identifier()  # loading the model is not cleaning
    manifest = json.loads((args.archive / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256()
    clean_cpu = meta_cpu = 0.0
    articles = 0
    for name in manifest["shards"][: args.shards]:
        with open(args.archive / name, encoding="utf-8") as fh:
            for record in map(json.loads, fh):
                started = time.process_time()
                cleaned = clean_text(record["text"])
                clean_cpu += time.process_time() - started
                digest.update(repr((cleaned.text, [(r.text, r.reason) for r in cleaned.removed],
                                    cleaned.title)).encode())
                started = time.process_time()
                find_metadata(record["text"], cleaned)
                meta_cpu += time.process_time() - started
                digest.update(repr((cleaned.language, cleaned.published, cleaned.outlet,
                                    cleaned.title)).encode())
                articles += 1
    print(f"{articles:,} articles: clean_text {clean_cpu * 1000 / articles:.2f} CPU s per 1,000 "
          f"({articles / clean_cpu:,.0f} articles per CPU s), find_metadata "
          f"{meta_cpu * 1000 / articles:.2f} CPU s per 1,000; output digest "
          f"{digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
