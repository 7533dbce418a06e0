"""What the web's ETags save, and what the stories list's confidence costs.

In-process (Starlette's TestClient, no network), one request at a time:

* article page, article JSON and compare page: a full answer (200) against a revalidation
  with the ETag the client holds (304: the view is not computed);
* one page of the stories list (``Engine.story_page``, 20 stories) with and without each
  story's confidence.

Usage, from the repository root::

    python bench/web_cache.py                    # a store of the demo corpus, built now
    python bench/web_cache.py --db STORE         # an existing store (e.g. web_load.py's)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import newsweave
from newsweave.demo import corpus_files


def _times(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def _row(label: str, ms: list[float]) -> str:
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"| {label} | {len(ms)} | {statistics.median(ms):.2f} | {p95:.2f} |"


def main() -> None:
    from starlette.testclient import TestClient

    from newsweave.web import create_app

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="an existing store (default: build the demo corpus)")
    parser.add_argument("--n", type=int, default=200, help="requests per row")
    args = parser.parse_args()
    db = args.db
    if db is None:
        db = str(Path(tempfile.mkdtemp()) / "demo.db")
        with newsweave.open(db) as engine:
            engine.ingest([str(p) for p in corpus_files()])
    with newsweave.open(db) as engine:
        articles = sum(1 for _ in engine.articles())
        edges = engine.provenance_graph().edges
        first = next(a.id for a in engine.articles())
        pair = (edges[0].source, edges[0].derived) if edges else None
        stories = len(engine.stories(confidence=False))
    print(f"store: {db}: {articles} articles, {stories} stories")
    print("| request | n | p50 ms | p95 ms |\n|---|---|---|---|")
    urls = [f"/articles/{first}", f"/api/v1/articles/{first}"]
    if pair:
        urls.append(f"/compare?a={pair[0]}&b={pair[1]}")
    with TestClient(create_app(db)) as client:
        for url in urls:
            tag = client.get(url).headers["etag"]
            assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
            print(_row(f"`{url}` full (200)", _times(lambda u=url: client.get(u), args.n)))
            print(_row(f"`{url}` revalidated (304)", _times(
                lambda u=url, t=tag: client.get(u, headers={"If-None-Match": t}), args.n)))
    with newsweave.open(db) as engine:
        for sure in (False, True):
            ms = _times(lambda s=sure: engine.story_page("newest", limit=21, confidence=s),
                        args.n)
            print(_row(f"`Engine.story_page` 21 stories, confidence={sure}", ms))


if __name__ == "__main__":
    main()
