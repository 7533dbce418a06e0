"""Clean speed on a generated archive: CPU seconds of the cleaner and of the metadata reader.

Reads the first ``--shards`` shards of an archive written by ``bench/corpus.py`` and, for
each article, runs :func:`newsweave.clean.clean_text` on its text (as ingest cleans a JSON
record's body, without the outlet's recurring lines, which need a store) and then
:func:`newsweave.clean.metadata.find_metadata` (publication date, outlet, language: the
language identifier is most of it). Prints the CPU seconds of each per 1,000 articles and a
digest of everything both produced (body, removal log with reasons, title, language, date,
outlet), so two versions of the code can be shown to clean identically.

    python bench/clean_speed.py ARCHIVE [--shards 3]
    python bench/clean_speed.py ARCHIVE --shards 3 --ingest

``--ingest --parts`` also prints the CPU seconds of the path's parts (cutting and
classifying, sifting, metadata with language, line keys, storing new articles, rewriting
re-cleaned ones, the outlets' recurring lines; the rest is reading and bookkeeping).

``--ingest`` times the ingest's whole cleaning path instead: the shards go through
``Engine.ingest`` (one call per shard, no stages after cleaning) into a new SQLite store,
so an article is also cleaned again once its outlet's recurring lines are known, and the
articles stored earlier are cleaned again when their lines start to recur. It prints the
CPU seconds per 1,000 articles, a digest of every stored article (body, title,
language, date and how, outlet and how, author, removal log) and the peak RSS.
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
    parser.add_argument("--ingest", action="store_true",
                        help="time Engine.ingest with no stages (the ingest's cleaning path)")
    parser.add_argument("--parts", action="store_true",
                        help="with --ingest: also the CPU seconds of each part of the path")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    if args.ingest:
        parts = time_parts() if args.parts else None
        cpu = time_ingest(args.archive, args.shards)
        if parts is not None:
            parts["the rest"] = cpu - sum(parts.values())
            print("CPU s by part: " + ", ".join(f"{k} {v:.2f}" for k, v in parts.items()))
        return
    from newsweave.clean import clean_text
    from newsweave.clean.metadata import find_metadata
    from newsweave.nlp.langid import load_identifier

    load_identifier()  # loading the model is not cleaning
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


def time_parts() -> dict[str, float]:
    """Wrap the cleaning path's parts in CPU clocks (outermost call only); the returned dict
    fills as the ingest runs."""
    import functools

    from newsweave.clean import stage, text
    from newsweave.store.sqlite import SQLiteStore

    spent: dict[str, float] = {}
    inside = [False]

    def clock(owner: object, name: str, label: str) -> None:
        wrapped = getattr(owner, name)
        spent[label] = 0.0

        @functools.wraps(wrapped)
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            if inside[0]:
                return wrapped(*args, **kwargs)
            inside[0] = True
            started = time.process_time()
            try:
                return wrapped(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started
                inside[0] = False

        setattr(owner, name, timed)

    clock(stage, "prepare_text", "cut and classify")
    clock(text, "sift_blocks", "sift")
    clock(stage, "find_metadata", "metadata")
    clock(stage, "line_keys", "line keys")
    clock(SQLiteStore, "insert_new_articles", "store new")
    clock(SQLiteStore, "replace_clean_text", "rewrite re-cleaned")
    clock(SQLiteStore, "recurring_lines", "recurring lines")
    return spent


def time_ingest(archive: Path, shards: int) -> float:
    """CPU of ``Engine.ingest`` (cleaning and storing only) and a digest of what it stored;
    returns the CPU seconds."""
    import resource
    import tempfile

    from newsweave.engine import Engine
    from newsweave.nlp.langid import load_identifier
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    def peak_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    before = peak_mb()
    load_identifier()
    loaded = peak_mb()
    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="newsweave-clean-") as work:
        db = str(Path(work) / "clean.db")
        engine = Engine(open_store(db), load_settings(db=db, batch_size=1000), stages=[])
        started = time.process_time()
        for name in manifest["shards"][:shards]:
            engine.ingest([str(archive / name)])
        cpu = time.process_time() - started
        peak = peak_mb()
        digest = hashlib.sha256()
        articles = 0
        for listed in engine.store.iter_articles():
            a = engine.store.get_article(listed.id)
            assert a is not None
            digest.update(repr((a.id, a.text, a.title, a.language, a.published,
                                a.published_how, a.outlet, a.outlet_how, a.author,
                                [(r.text, r.reason) for r in a.removed])).encode())
            articles += 1
        engine.close()
    print(f"{articles:,} articles ingested with no stages: {cpu * 1000 / articles:.2f} CPU s "
          f"per 1,000 ({articles / cpu:,.0f} articles per CPU s); stored articles' digest "
          f"{digest.hexdigest()[:16]}; peak RSS {before:.0f} MB before the language model, "
          f"{loaded:.0f} MB after it, {peak:.0f} MB after the ingest")
    return cpu


if __name__ == "__main__":
    main()
