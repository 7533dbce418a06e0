"""The app behind a real uvicorn server on 127.0.0.1: raw HTTP (paths a client library would
normalise), concurrent readers, and `newsweave serve` as a process."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from web_support import built_store, free_port, inert_problems, running_server

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory):
    db = built_store(tmp_path_factory.mktemp("web"))
    with running_server(db) as url:
        yield url


def _raw(base: str, path: str, method: str = "GET", headers: dict[str, str] | None = None,
         body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """A request with the path sent exactly as given (no client-side normalisation)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest(method, path, skip_accept_encoding=True)
    for k, v in (headers or {}).items():
        conn.putheader(k, v)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def test_raw_paths_never_redirect_off_site(base):
    for path in ("//evil.example", "//evil.example/", "/\\evil.example", "/%5Cevil.example",
                 "/%2F%2Fevil.example", "///evil.example/stories", "/stories/1/"):
        status, headers, body = _raw(base, path)
        assert status == 404, (path, status)
        assert "location" not in headers
        assert headers["x-content-type-options"] == "nosniff"
        assert not inert_problems(body.decode())


def test_errors_keep_one_shape_over_the_wire(base):
    status, _, body = _raw(base, "/api/v1/stories?cursor=%FF%FE")
    assert status == 400 and json.loads(body)["ok"] is False
    status, _, body = _raw(base, "/api/v1/articles/99999999")
    assert status == 404 and json.loads(body) == {
        "ok": False, "error": json.loads(body)["error"], "status": 404}
    status, _, _ = _raw(base, "/api/v1/ingest", "POST", {"Content-Type": "text/plain"}, b"x")
    assert status == 401  # read-only without a token
    status, _, _ = _raw(base, "/api/v1/stories", "DELETE")
    assert status == 405


def test_concurrent_readers_get_no_errors(base):
    urls = ["/", "/api/v1/stories", "/api/v1/search?q=dam", "/search?q=levee",
            "/api/v1/articles?size=5", "/articles/1", "/stories/1"] * 6

    def fetch(path: str) -> int:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            return r.status

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(fetch, urls))
    assert statuses == [200] * len(urls)


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_command_runs_uvicorn(tmp_path: Path, workers: int):
    db = built_store(tmp_path.parent / "web-serve")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsweave", "--db", db, "serve", "--port", str(port),
         "--workers", str(workers), "--switch-interval", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/stories",
                                            timeout=5) as r:
                    assert json.loads(r.read())["ok"] is True
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)

        def fetch(path: str) -> int:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
                return r.status

        paths = ["/", "/api/v1/stories?sort=origins", "/search?q=levee", "/stories/1"] * 4
        with ThreadPoolExecutor(4) as pool:  # answered by one worker or the other
            assert list(pool.map(fetch, paths)) == [200] * len(paths)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in err and "read-only" in err
    assert ("2 worker processes" in err) == (workers == 2)


def test_the_switch_interval_is_set_where_the_server_starts():
    from newsweave.cli.serve import SWITCH_MS, set_switch_interval

    before = sys.getswitchinterval()
    import newsweave.web  # noqa: F401  (importing the library changes nothing)

    assert sys.getswitchinterval() == before
    try:
        set_switch_interval(0.5)
        assert sys.getswitchinterval() == pytest.approx(0.0005)
    finally:
        sys.setswitchinterval(before)
    assert 0.05 <= SWITCH_MS <= 100


def test_serve_refuses_a_bad_tokens_file(tmp_path: Path):
    from click.testing import CliRunner

    from newsweave.cli import cli

    bad = tmp_path / "tokens.txt"
    bad.write_text("tiny read\n")
    out = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "serve", "--tokens", str(bad)])
    assert out.exit_code == 1 and "16 characters" in out.output


def test_serve_never_prints_a_database_password(monkeypatch, capsys):
    import uvicorn

    import newsweave.web
    from newsweave.cli.serve import run_server

    monkeypatch.setattr(newsweave.web, "create_app", lambda db, tokens, **kw: object())
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    run_server("postgresql://ann:s3cret-word@db.example/news", "127.0.0.1", 8080, None)
    err = capsys.readouterr().err
    assert "db.example/news" in err and "s3cret-word" not in err
