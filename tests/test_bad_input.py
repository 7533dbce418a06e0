"""Each kind of bad input gets one clear line naming it; the rest of the batch goes on."""

import gzip
import json
from pathlib import Path

import pytest

import newsweave

GOOD = ("Bridge reopens after repairs\n\nThe river bridge reopened to traffic on Monday "
        "after six weeks of repairs, the city council said.\n\nEngineers replaced two "
        "bearings and resurfaced the deck, the council added.\n")


@pytest.fixture
def batch(tmp_path):
    """A folder with one good article; each test adds one bad input beside it."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


def ingest(tmp_path, *paths, **settings):
    with newsweave.open(str(tmp_path / "s.db"), **settings) as engine:
        report = engine.ingest([str(p) for p in paths])
        assert engine.check_store() == []  # never half-written
        titles = [a.title for a in engine.articles()]
    return report, titles


def only_rejection(report):
    assert len(report.rejected) == 1, report.rejected
    return report.rejected[0]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty input"),
        ("blank.txt", b"\n\n   \n", "empty input"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "binary file"),
        ("doc.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file"),
        ("nul.txt", b"abc\x00def" * 100, "binary file"),
        ("chrome.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
         "no article text"),
        ("bad.json", b'{"title": "x", "text": ', "invalid JSON"),
        ("nobody.json", b'{"title": "only a title"}', "no article text"),
        ("broken.gz", b"\x1f\x8b\x08\x00garbage", "corrupt gzip"),
    ],
)
def test_bad_file_is_rejected_and_the_good_one_kept(tmp_path, batch, name, content, reason):
    (batch / name).write_bytes(content)
    report, titles = ingest(tmp_path, batch)
    rejection = only_rejection(report)
    assert name in rejection.source
    assert reason in rejection.reason
    assert titles == ["Bridge reopens after repairs"]


def test_missing_path(tmp_path, batch):
    report, titles = ingest(tmp_path, batch, tmp_path / "nowhere.txt")
    assert "no such file" in only_rejection(report).reason
    assert len(titles) == 1


def test_file_over_the_size_limit(tmp_path, batch):
    (batch / "huge.txt").write_text("word " * 1000)
    report, titles = ingest(tmp_path, batch, max_bytes=2000)
    assert "over the size limit" in only_rejection(report).reason
    assert len(titles) == 1


def test_unreadable_file(tmp_path, batch, monkeypatch):
    locked = batch / "locked.txt"
    locked.write_text(GOOD.replace("Monday", "Friday"))
    real = Path.read_bytes

    def read_bytes(self):  # tests run as root, where chmod 000 does not stop reading
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report, titles = ingest(tmp_path, batch)
    assert "permission denied" in only_rejection(report).reason
    assert len(titles) == 1


def test_non_utf8_text_is_decoded_not_rejected(tmp_path, batch):
    text = GOOD.replace("Bridge", "Café bridge").replace("council", "conseil municipal")
    (batch / "latin1.txt").write_bytes(text.encode("latin-1"))
    report, titles = ingest(tmp_path, batch)
    assert report.rejected == []
    assert "Café bridge reopens after repairs" in titles


def test_truncated_and_malformed_html_still_yield_the_body(tmp_path, batch):
    body = "".join(f"<p>Paragraph {i}: the harbour authority said the new quay would open "
                   f"in spring, after delays caused by winter storms.</p>" for i in range(6))
    page = f"<html><head><title>Quay opening</title></head><body><article>{body}"
    (batch / "truncated.html").write_text(page[: len(page) - 40])
    (batch / "malformed.html").write_text(
        page.replace("</p>", "").replace("<p>", "<p><b><i>") + "</div></span>")
    report, titles = ingest(tmp_path, batch)
    assert report.rejected == []
    assert titles.count("Quay opening") == 2


def test_jsonl_with_bad_lines_keeps_the_good_ones(tmp_path, batch):
    lines = [json.dumps({"id": i, "text": GOOD.replace("Monday", f"day {i}")}) for i in range(3)]
    lines.insert(1, "{not json")
    (batch / "feed.jsonl").write_text("\n".join(lines))
    report, _ = ingest(tmp_path, batch)
    rejection = only_rejection(report)
    assert rejection.source.endswith("feed.jsonl:2")
    assert len(report.new) == 4


def test_gzipped_html_is_read(tmp_path, batch):
    page = ("<html><head><title>Quay</title></head><body><article><p>The quay opened on "
            "Monday after two years of work, the port said.</p><p>Ships will dock there "
            "from April, the port added in a statement.</p></article></body></html>")
    (batch / "page.html.gz").write_bytes(gzip.compress(page.encode()))
    report, _ = ingest(tmp_path, batch)
    assert report.rejected == [] and len(report.new) == 2
