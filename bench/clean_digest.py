"""What cleaning makes of real texts, as one digest per corpus: two versions of the cleaner
(before and after a speed change) clean identically where every digest is the same.

Each text of the seed articles, of the benchmarks' plain texts (NTREX, SemEval 2022 task 8
with its broken encodings, AllSides, BASIL, Timeline17) and, optionally, of a generated
archive goes through :func:`newsweave.clean.clean_text` and
:func:`newsweave.clean.metadata.find_metadata`; each page of the article-extraction benchmark
through :func:`newsweave.clean.clean_html`. The digest covers the body, the title, every
removal with its reason, the language, the date and the outlet. Also prints the CPU seconds
of each corpus (the language model's loading excluded).

    python bench/clean_digest.py [--archive ARCHIVE --shards 3] [--only NAME ...]
        [--shared ../shared]  (another tree's copy of this script reads the same data)

With ``--headlines``, instead: Emergent's 524 news headlines, each cleaned as an article's
whole text (no title, as a feed item without description or a one-line wire flash), counted
by what is left of it: the body, the title only, or nothing (with the removing rule).

    python bench/clean_digest.py --headlines
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def read_jsonl(path: Path, *fields: str) -> Iterator[str]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            for field in fields:
                if row.get(field):
                    yield row[field]


def plain_corpora(shared: Path, archive: Path | None, shards: int) -> dict[str, Iterator[str]]:
    bench = shared / "benchmarks"
    corpora: dict[str, Iterator[str]] = {
        "seeds": (p.read_text(encoding="utf-8")
                  for p in sorted((shared / "corpus" / "seeds").glob("*.txt"))),
        "ntrex": read_jsonl(bench / "ntrex" / "docs.jsonl", "text"),
        "semeval": read_jsonl(bench / "semeval2022_task8" / "pairs.jsonl", "text1", "text2"),
        "allsides": read_jsonl(bench / "allsides" / "docs.jsonl", "text"),
        "basil": read_jsonl(bench / "basil" / "docs.jsonl", "text"),
        "timeline17": read_jsonl(bench / "timeline17" / "docs.jsonl", "text"),
    }
    if archive is not None:
        manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
        corpora["archive"] = (text for name in manifest["shards"][:shards]
                              for text in read_jsonl(archive / name, "text"))
    return corpora


def pages(shared: Path) -> Iterator[tuple[str, str | None]]:
    folder = shared / "benchmarks" / "article_extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        path = folder / "html" / f"{page_id}.html.gz"
        if path.exists():
            html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
            yield html, truth[page_id].get("url")


def count_headlines(shared: Path) -> None:
    """How many of Emergent's headlines, each an article's only text, survive cleaning."""
    from collections import Counter

    from newsweave.clean import clean_text

    kept: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    cpu = 0.0
    path = shared / "benchmarks" / "emergent" / "pairs.jsonl"
    for headline in read_jsonl(path, "headline"):
        started = time.process_time()
        cleaned = clean_text(headline)
        cpu += time.process_time() - started
        if cleaned.text:
            kept["in the body"] += 1
        elif cleaned.title:
            kept["as the title"] += 1
        else:
            kept["lost"] += 1
            lost.update(r.reason for r in cleaned.removed)
    total = sum(kept.values())
    survive = total - kept["lost"]
    print(f"headlines {total:,}: survive {survive:,} ({kept['in the body']:,} in the body, "
          f"{kept['as the title']:,} as the title), lost {kept['lost']:,} "
          f"{dict(lost.most_common())}  {cpu:.2f} CPU s")
    # Through the clean stage (which falls back on a title found in the raw text, and
    # rejects an article with no text left), each headline a plain-text file of its own.
    import tempfile

    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    with tempfile.TemporaryDirectory() as folder, \
            Engine(open_store(str(Path(folder) / "h.db")), load_settings(), []) as engine:
        rejected = 0
        for number, headline in enumerate(read_jsonl(path, "headline")):
            rejected += len(engine.ingest_text(headline, source=f"{number}.txt").rejected)
    print(f"ingested as a text alone: {total - rejected:,} of {total:,}, rejected {rejected:,}")


def describe(cleaned: object) -> bytes:
    c = cleaned
    return repr((c.text, c.title, [(r.text, r.reason) for r in c.removed],  # type: ignore[attr-defined]
                 c.language, c.published, c.published_how, c.outlet,  # type: ignore[attr-defined]
                 c.outlet_how)).encode()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="a folder written by bench/corpus.py")
    parser.add_argument("--shards", type=int, default=3, help="archive shards (default 3)")
    parser.add_argument("--only", nargs="*", help="these corpora only (names as printed)")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--headlines", action="store_true",
                        help="count Emergent's headlines that survive as a text alone")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    if args.headlines:
        count_headlines(args.shared)
        return
    from newsweave.clean import clean_html, clean_text
    from newsweave.clean.metadata import find_metadata
    from newsweave.nlp.langid import load_identifier

    load_identifier()
    corpora = plain_corpora(args.shared, args.archive, args.shards)
    for name, texts in corpora.items():
        if args.only and name not in args.only:
            continue
        digest, count, cpu = hashlib.sha256(), 0, 0.0
        for text in texts:
            started = time.process_time()
            cleaned = find_metadata(text, clean_text(text))
            cpu += time.process_time() - started
            digest.update(describe(cleaned))
            count += 1
        print(f"{name:18s} {count:6,} texts  digest {digest.hexdigest()[:16]}  {cpu:6.2f} CPU s")
    if not args.only or "article_extraction" in args.only:
        digest, count, cpu = hashlib.sha256(), 0, 0.0
        for html, url in pages(args.shared):
            started = time.process_time()
            cleaned = clean_html(html, url=url)
            cpu += time.process_time() - started
            digest.update(describe(cleaned))
            count += 1
        print(f"{'article_extraction':18s} {count:6,} pages  digest {digest.hexdigest()[:16]}  "
              f"{cpu:6.2f} CPU s")


if __name__ == "__main__":
    main()
