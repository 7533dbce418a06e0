"""A web archive of a few hundred MB through ``ingest``: speed and peak memory.

The archive is generated here (``--mb`` MB on disk, gzip per record as crawlers
write them): for each article page (~25 KB of HTML: navigation, scripts,
a body of invented sentences) ``--images`` image responses of 60 KB random
bytes, a request record and a 404 response, which is what a crawl of a news
site holds. Each ingest runs in a fresh process with ``batch_size`` records per
transaction; peak RSS is that process's ``ru_maxrss``. A small archive is
ingested too, so flat memory shows as equal peaks. ``--stages`` runs the
analysis stages as well (slow on a loaded machine; off by default: the figure
is ingest, cleaning and storage). Also printed: the raw parse speed of warcio
(the library used) and of fastwarc when it is installed.

    python bench/fetch_warc.py [--mb 300] [--small-mb 50] [--images 2] [--stages]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

WORDS = ("the council said on Monday that repairs to the northern bridge would begin next "
         "month after engineers found damage to two supports while residents asked for "
         "a temporary ferry and shop owners reported fewer customers since the closure "
         "police officials added that traffic would be diverted through the ring road").split()


def page(rng: random.Random, n: int) -> bytes:
    nav = "".join(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(80))
    script = "<script>var cfg = {" + ",".join(f"k{i}: {i}" for i in range(300)) + "};</script>"
    paras = []
    for _ in range(12):
        sentences = []
        for _ in range(4):
            words = rng.choices(WORDS, k=rng.randint(12, 24))
            sentences.append(" ".join(words).capitalize() + f" {rng.randint(2, 900)}.")
        paras.append("<p>" + " ".join(sentences) + "</p>")
    return (f"<!doctype html><html><head><title>Report {n}</title>{script}</head><body>"
            f"<nav><ul>{nav}</ul></nav><article><h1>Report {n}: bridge repairs</h1>"
            f"{''.join(paras)}</article><footer>{nav}</footer></body></html>").encode()


def generate(path: Path, megabytes: int, images: int) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(15)
    limit = megabytes * 1_000_000
    pages = 0
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)

        def response(uri: str, body: bytes, status: str, kind: str) -> None:
            http = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=http))

        while out.tell() < limit:
            uri = f"http://news.example/{pages}"
            writer.write_record(writer.create_warc_record(
                uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
            response(uri, page(rng, pages), "200 OK", "text/html; charset=utf-8")
            for i in range(images):
                response(f"{uri}/img{i}.jpg", rng.randbytes(60_000), "200 OK", "image/jpeg")
            response(f"{uri}/gone", b"<p>Not found</p>", "404 Not Found", "text/html")
            pages += 1
    return pages


def child(archive: str, db: str, stages: bool) -> None:
    """Runs in a fresh process: ingest, then print figures as JSON."""
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    settings = load_settings(db=db)
    start = time.perf_counter()
    with Engine(open_store(db), settings, stages=None if stages else []) as engine:
        report = engine.ingest([archive])
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "new": len(report.new),
                      "rejected": len(report.rejected),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def parse_speed(archive: Path) -> dict[str, float]:
    from warcio.archiveiterator import ArchiveIterator

    speeds = {}
    start = time.perf_counter()
    with archive.open("rb") as handle:
        n = sum(1 for r in ArchiveIterator(handle) if r.content_stream().read() is not None)
    speeds["warcio"] = n / (time.perf_counter() - start)
    try:
        from fastwarc import ArchiveIterator as FastIterator
    except ImportError:
        return speeds
    start = time.perf_counter()
    with archive.open("rb") as handle:
        n = sum(1 for r in FastIterator(handle) if r.reader.read() is not None)
    speeds["fastwarc"] = n / (time.perf_counter() - start)
    return speeds


def ingest(archive: Path, tmp: str, stages: bool) -> dict[str, float]:
    db = str(Path(tmp) / f"{archive.stem}.db")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, __file__, "--child", str(archive), db]
                          + (["--stages"] if stages else []),
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--small-mb", type=int, default=50)
    parser.add_argument("--images", type=int, default=2)
    parser.add_argument("--stages", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("ARCHIVE", "DB"))
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.stages)
        return
    with tempfile.TemporaryDirectory(dir=os.environ.get("NEWSWEAVE_BENCH_TMP")) as tmp:
        for megabytes in (args.small_mb, args.mb):
            archive = Path(tmp) / f"crawl{megabytes}.warc.gz"
            start = time.perf_counter()
            pages = generate(archive, megabytes, args.images)
            made = time.perf_counter() - start
            speeds = parse_speed(archive)
            result = ingest(archive, tmp, args.stages)
            size = archive.stat().st_size / 1e6
            print(f"{size:.0f} MB archive, {pages} article pages (+{pages * (args.images + 2)}"
                  f" other records), generated in {made:.0f} s")
            print("  parse only: " + ", ".join(f"{k} {v:,.0f} records/s"
                                               for k, v in speeds.items()))
            print(f"  ingest{' + stages' if args.stages else ' (no analysis stages)'}: "
                  f"{result['new']} articles, {result['rejected']} rejected, "
                  f"{result['seconds']:.0f} s ({result['new'] / result['seconds']:.0f} "
                  f"articles/s, {size / result['seconds']:.1f} MB/s), "
                  f"peak RSS {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
