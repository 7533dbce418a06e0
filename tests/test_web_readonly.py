"""The server reads through read-only engines: no GET, of any page or API, writes the store
file; a store whose file cannot be written is served read-only (ingest refused)."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from newsweave.web import create_app
from web_support import TOKEN_INGEST, every_page, private_copy, store_ids

TOKENS = {TOKEN_INGEST: frozenset({"ingest", "read"})}


def _state(db: str) -> dict[str, object]:
    """Size, modification time and digest of the store file, and the content of its
    write-ahead log (a reader may create it empty: SQLite's read-only WAL mode)."""
    path, wal = Path(db), Path(db + "-wal")
    info = path.stat()
    log = wal.read_bytes() if wal.exists() else b""
    return {"store": (info.st_size, info.st_mtime_ns,
                      hashlib.sha256(path.read_bytes()).hexdigest()),
            "wal": hashlib.sha256(log).hexdigest()}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return private_copy(tmp_path_factory.mktemp("readonly"), "copy")


def test_no_get_writes_the_store(db):
    ids = store_ids(db)
    api = ["/api/v1/stories", "/api/v1/stories?sort=origins&format=csv", "/api/v1/articles",
           "/api/v1/entities", "/api/v1/quotes", "/api/v1/search?q=levee",
           "/openapi.json"]
    story = ids["hostile_story"][0]  # one story's brief: each takes seconds
    api += [f"/api/v1/stories/{story}", f"/api/v1/stories/{story}/brief",
            f"/api/v1/stories/{story}/bundle", f"/api/v1/stories/{story}/provenance",
            f"/api/v1/stories/{story}/brief?format=md"]
    api += [f"/api/v1/articles/{a}" for a in ids["articles"][:5]]
    with TestClient(create_app(db, TOKENS, page_wait=0)) as client:
        before = _state(db)  # after the start, which may migrate the store
        for url in [*api, *every_page(ids)]:
            assert client.get(url).status_code == 200, url
        # the brief worker computed a brief (claim embeddings it may not cache)
        assert client.get(f"/api/v1/stories/{story}/brief").json()["brief"]["lead"]
        assert _state(db) == before


def test_a_store_file_that_cannot_be_written_is_served_read_only(tmp_path_factory):
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files anyway")
    folder = tmp_path_factory.mktemp("rofile")
    db = private_copy(folder, "locked")
    Path(db).chmod(stat.S_IRUSR)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)  # no -wal or -shm can be made either
    try:
        with TestClient(create_app(db, TOKENS)) as client:
            assert client.get("/").status_code == 200
            assert client.get("/search?q=levee").status_code == 200
            r = client.post("/api/v1/ingest", content="Some text to store.",
                            headers={"Authorization": f"Bearer {TOKEN_INGEST}"})
            assert r.status_code == 503 and "read-only" in r.json()["error"]
    finally:
        folder.chmod(stat.S_IRWXU)
        Path(db).chmod(stat.S_IRUSR | stat.S_IWUSR)
