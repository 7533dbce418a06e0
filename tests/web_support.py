"""What the web tests share: a store holding the demo corpus and hostile articles, a real
uvicorn server on a free loopback port, and a check that a page holds nothing executable."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import newsweave
from newsweave.demo import corpus_files

# Each payload sets window.__pwned if it ever runs; every article field carries some.
PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    '<svg onload="window.__pwned=3">',
    '"><script>window.__pwned=4</script>',
    "' onmouseover='window.__pwned=5' x='",
    "javascript:window.__pwned=6",
)
# What must never reach a page unescaped.
RAW_MARKERS = ("<script>window", "<img src=x", "<svg onload", "onerror=\"window",
               "onmouseover='window")
TOKEN_INGEST = "ingest-token-0123456789abcdef"
TOKEN_READ = "read-token-0123456789abcdef00"

_BUILT: dict[str, str] = {}


def hostile_records() -> list[dict[str, str]]:
    """Three near-copies of one made-up report, payloads in every field (title, body,
    outlet, author, URL): the reuse stage links them, so the lineage graph, compare view,
    brief and search all carry the payloads too."""
    pay = " ".join(PAYLOADS)
    body = (
        "Floodwater breached the Tavra levee near Morvik on Monday night, officials said on "
        f"Tuesday. {pay}\n\n"
        "Rescuers in boats searched the flooded streets of the lower town through the night "
        "and into the morning. At least 12 people were killed and 40 were injured, the "
        "regional emergency office said in a statement. \"We will not stop until everyone "
        f"is found,\" said regional governor Dana Krul {PAYLOADS[1]}.\n\n"
        "The levee, built in 1971, had been inspected last month and was judged sound, "
        f"engineers said. {PAYLOADS[0]}"
    )
    urls = ("javascript:window.__pwned=7", "data:text/html,<script>window.__pwned=8</script>",
            'https://example.org/a?x="><script>window.__pwned=10</script>')
    outlets = (PAYLOADS[0] + " Gazette", PAYLOADS[1] + " Times",
               'Daily"><svg onload=window.__pwned=9>')
    return [
        {"title": f"Levee fails {PAYLOADS[i]} near Morvik", "outlet": outlets[i],
         "author": PAYLOADS[(i + 3) % len(PAYLOADS)], "url": urls[i],
         "published": f"2026-04-0{3 + i}",
         "text": body + ("" if i == 0 else f"\n\nUpdate {i}: the toll rose, officials said.")}
        for i in range(3)
    ]


def built_store(root: Path) -> str:
    """A store with the demo corpus and the hostile articles (built once per test run)."""
    if "db" in _BUILT:
        return _BUILT["db"]
    root.mkdir(parents=True, exist_ok=True)
    hostile = root / "hostile.json"
    hostile.write_text(json.dumps(hostile_records()), encoding="utf-8")
    db = str(root / "web.db")
    with newsweave.open(db) as engine:
        report = engine.ingest([*(str(p) for p in corpus_files()), str(hostile)])
        assert not report.rejected, report.rejected
    tokens = root / "tokens.txt"
    tokens.write_text(f"# test tokens\n{TOKEN_INGEST} ingest\n{TOKEN_READ} read\n")
    _BUILT["db"] = db
    return db


def private_copy(root: Path, name: str) -> str:
    """A copy of the shared store for a test module that writes to it."""
    import sqlite3

    shared = built_store(root / "web")
    copy = str(root / f"{name}.db")
    with sqlite3.connect(shared) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    return copy


def store_ids(db: str) -> dict[str, list[int]]:
    """Ids of every kind of page on the store: stories, articles, entities, copy pairs."""
    with newsweave.open(db, readonly=True) as engine:
        stories = [s.id for s in engine.stories()]
        articles = [a.id for a in engine.articles() if a.id is not None]
        entities = [e.id for e in engine.entities()]
        hostile = hostile_ids(db)
        hostile_story = engine.story_of(hostile[0]) if hostile else None
        pairs = [(e.source, e.derived) for e in engine.provenance_graph().edges]
    return {"stories": stories, "articles": articles, "entities": entities,
            "hostile_story": [hostile_story] if hostile_story else [], "pairs": pairs}


def every_page(ids: dict[str, list]) -> list[str]:
    """A URL of every page of the web UI on the store whose ``store_ids`` these are."""
    pages = ["/", "/?sort=largest", "/?sort=origins", "/search?q=levee",
             "/search?q=levee&origins=one", "/search?q=%3Cscript%3E", "/ingest"]
    pages += [f"/stories/{i}" for i in ids["stories"]]
    pages += [f"/articles/{i}" for i in ids["articles"]]
    pages += [f"/articles/{i}?hl=0-40" for i in ids["articles"][:3]]
    pages += [f"/entities/{i}" for i in ids["entities"]]
    pages += [f"/compare?a={a}&b={b}" for a, b in ids["pairs"]]
    return pages


def hostile_ids(db: str) -> list[int]:
    with newsweave.open(db) as engine:
        return [a.id for a in engine.articles() if a.title and "__pwned" in a.title
                and a.id is not None]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(db: str, tokens: dict[str, frozenset[str]] | None = None
                   ) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    import uvicorn

    from newsweave.web import create_app

    port = free_port()
    config = uvicorn.Config(create_app(db, tokens), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class _Inert(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "base", "frame"):
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                target = value.strip().lower()
                if ":" in target.split("/")[0] and not target.startswith(("http:", "https:")):
                    self.problems.append(f"{name}={value[:60]!r} on <{tag}>")
                if target.startswith("//"):
                    self.problems.append(f"protocol-relative {name}={value[:60]!r}")


def inert_problems(html: str) -> list[str]:
    """Everything in ``html`` that could run script or leave the site by a link."""
    parser = _Inert()
    parser.feed(html)
    problems = list(parser.problems)
    problems += [f"raw payload {m!r}" for m in RAW_MARKERS if m in html]
    return problems


def json_of(response: Any) -> Any:
    assert response.headers["content-type"].startswith("application/json"), response.text[:200]
    return response.json()
