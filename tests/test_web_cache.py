"""ETags: a response that is a function of the store's state is tagged, answered 304 to a
client that holds its tag, and tagged anew once the store changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

import newsweave
from newsweave.web import create_app
from web_support import private_copy


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private copy of the shared store: this module writes to it."""
    return private_copy(tmp_path_factory.mktemp("cache"), "copy")


@pytest.fixture(scope="module")
def client(db: str):
    with TestClient(create_app(db)) as c:
        yield c


def _pair(db: str) -> tuple[int, int]:
    with newsweave.open(db) as engine:
        edge = engine.provenance_graph().edges[0]
    return edge.source, edge.derived


@pytest.mark.parametrize("kind", ["/articles/{a}", "/api/v1/articles/{a}",
                                  "/articles/{a}?hl=0-30", "/compare?a={a}&b={b}",
                                  "/api/v1/compare?a={a}&b={b}"])
def test_article_views_answer_304_to_their_own_tag(db, client, kind):
    a, b = _pair(db)
    url = kind.format(a=a, b=b)
    first = client.get(url)
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('"') and first.content
    assert first.headers["cache-control"] == "no-cache"
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert "script-src 'none'" in again.headers["content-security-policy"]
    # a weak form and a list naming it match too; another tag does not
    assert client.get(url, headers={"If-None-Match": f'"x", W/{tag}'}).status_code == 304
    other = client.get(url, headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200 and other.content == first.content
    assert other.headers["etag"] == tag


def test_tags_differ_by_view_and_article(db, client):
    a, b = _pair(db)
    tags = {client.get(u).headers["etag"] for u in (
        f"/articles/{a}", f"/articles/{b}", f"/api/v1/articles/{a}",
        f"/articles/{a}?hl=0-30", f"/articles/{a}?hl=0-31")}
    assert len(tags) == 5
    missing = client.get("/api/v1/articles/999999", headers={"If-None-Match": "*"})
    assert missing.status_code == 404 and "etag" not in missing.headers


def test_static_assets_are_tagged(client):
    first = client.get("/static/style.css")
    assert first.status_code == 200 and first.headers.get("etag")
    again = client.get("/static/style.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert "content-security-policy" in again.headers


def test_a_store_change_retags_the_article(db, client, tmp_path: Path):
    a, _ = _pair(db)
    url = f"/api/v1/articles/{a}"
    tag = client.get(url).headers["etag"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    with newsweave.open(db) as engine:
        engine.ingest_text("Bridge reopens in Lake Varna\n\nThe bridge in Lake Varna reopened "
                           "on Tuesday after repairs, the city council said.", source="n.txt")
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
