"""Web archives through ``ingest``: HTML responses become articles, the rest is skipped,
bad records are rejections with a reason, and the archive is read as a stream."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from fetch_news import STORIES
from fetch_site import article_html
from newsweave.engine import Engine
from newsweave.settings import load_settings
from newsweave.store import open_store


def write_warc(path: Path, *, gzip: bool = True) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)

        def response(uri: str, body: bytes, status: str = "200 OK",
                     content_type: str = "text/html; charset=utf-8") -> None:
            http = StatusAndHeaders(status, [("Content-Type", content_type)],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=http))

        writer.write_record(writer.create_warc_record(
            "http://news.example/", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
        for slug, (title, paras) in STORIES.items():
            response(f"http://news.example/{slug}", article_html(title, paras).encode())
        response("http://news.example/missing", b"<p>Not found</p>", status="404 Not Found")
        response("http://news.example/logo.png", b"\x89PNG....", content_type="image/png")
        response("http://news.example/binary", b"\x89PNG\r\n\x1a\n" + b"\0" * 50)
        response("http://news.example/huge", b"<p>" + b"x" * 300_000 + b"</p>")
        writer.write_record(writer.create_warc_record(
            "http://news.example/wet", "conversion", payload=io.BytesIO(
                b"Ferry service resumes\n\nThe island ferry resumed service on Friday after "
                b"three weeks of engine repairs, the operator said."),
            warc_content_type="text/plain"))


def open_engine(tmp_path: Path, name: str = "w.db", **settings: object) -> Engine:
    resolved = load_settings(db=str(tmp_path / name), **settings)
    return Engine(open_store(resolved.db), resolved, stages=[])


def test_html_responses_become_articles_with_url_and_capture_time(tmp_path: Path):
    archive = tmp_path / "crawl.warc.gz"
    write_warc(archive)
    with open_engine(tmp_path, max_bytes=200_000, batch_size=2) as engine:
        report = engine.ingest([str(archive)])
        assert len(report.new) == 4, report.to_dict()  # three pages and the WET record
        reasons = {r.source.rsplit("#", 1)[-1]: r.reason for r in report.rejected}
        assert set(reasons) == {"http://news.example/binary", "http://news.example/huge"}
        assert "size limit" in reasons["http://news.example/huge"]
        articles = engine.articles()
        assert {a.url for a in articles} >= {f"http://news.example/{s}" for s in STORIES}
        assert all(a.metadata["captured_at"].startswith("20") for a in articles)
        again = engine.ingest([str(archive)])
        assert again.new == [] and len(again.known) == 4


def test_uncompressed_warc_and_a_truncated_one(tmp_path: Path):
    plain = tmp_path / "crawl.warc"
    write_warc(plain, gzip=False)
    data = plain.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with open_engine(tmp_path, max_bytes=200_000) as engine:
        assert len(engine.ingest([str(plain)]).new) == 4
    with open_engine(tmp_path, "cut.db", max_bytes=200_000) as engine:
        report = engine.ingest([str(cut)])
        assert report.rejected  # the truncated tail is reported, not a crash
        assert len(report.new) + len(report.known) >= 1
