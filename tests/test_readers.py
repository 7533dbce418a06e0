import json

import pytest

from newsweave.errors import InputError
from newsweave.ingest import Input, expand_paths, normalise_date, read_records, sniff_format
from newsweave.ingest.sources import read_bytes
from newsweave.model import Rejection

FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour Gazette</title>
<item><title>Ferry resumes service</title><link>https://example.org/ferry</link>
<guid>ferry-1</guid><pubDate>Tue, 03 Mar 2026 09:15:00 GMT</pubDate>
<content:encoded><![CDATA[<p>The ferry resumed service on Tuesday after a week of storms.</p>
<p>Operators said timetables would be back to normal by Friday.</p>]]></content:encoded></item>
<item><title>Teaser only</title><link>https://example.org/teaser</link>
<description>A short teaser.</description></item>
</channel></rss>"""


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("a.txt", "<html>", "text"),  # the extension says
        ("a.HTML", "plain", "html"),
        ("a.jsonl.gz", "{}", "jsonl"),
        ("<stdin>", "<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("<stdin>", FEED, "feed"),
        ("<stdin>", '{"text": "x"}', "json"),
        ("<stdin>", '{"text": "x"}\n{"text": "y"}', "jsonl"),
        ("<stdin>", '[{"text": "x"},\n {"text": "y"}]', "json"),
        ("<stdin>", "Headline\n\nBody text.", "text"),
    ],
)
def test_sniff_format(name, text, kind):
    assert sniff_format(name, text) == kind


def test_json_fields_are_read_and_the_rest_kept_as_metadata():
    obj = {"id": 42, "title": "T", "url": "https://x", "published": "2026-03-03T09:15:00Z",
           "outlet": "O", "author": "A", "content": "Body.", "section": "world", "tags": ["x"]}
    [record] = read_records("a.json", json.dumps(obj))
    assert record.body == "Body."
    assert record.fields == {"external_id": "42", "title": "T", "url": "https://x",
                             "published": "2026-03-03T09:15", "outlet": "O", "author": "A"}
    assert record.metadata == {"section": "world", "tags": ["x"]}
    assert record.raw_format == "json" and record.format == "text"


def test_json_list_and_articles_wrapper():
    items = [{"text": "One."}, {"body": "<p>Two.</p>"}, {"title": "no body"}, 7]
    records = list(read_records("a.json", json.dumps({"articles": items})))
    assert [getattr(r, "body", None) for r in records[:2]] == ["One.", "<p>Two.</p>"]
    assert records[1].format == "html"
    assert isinstance(records[2], Rejection) and "no article text" in records[2].reason
    assert records[2].source == "a.json[2]"
    assert isinstance(records[3], Rejection) and "expected a JSON object" in records[3].reason


def test_bad_jsonl_line_is_reported_with_its_line_and_the_rest_goes_on():
    text = '{"text": "one"}\n{"text": broken\n\n{"text": "three"}\n'
    records = list(read_records("news.jsonl", text))
    assert [r.body for r in records if not isinstance(r, Rejection)] == ["one", "three"]
    [bad] = [r for r in records if isinstance(r, Rejection)]
    assert bad.source == "news.jsonl:2"
    assert "invalid JSON" in bad.reason


def test_malformed_json_file_is_one_rejection():
    [bad] = list(read_records("a.json", '{"text": "x",'))
    assert isinstance(bad, Rejection) and "invalid JSON" in bad.reason


def test_feed_entries_with_full_content_become_records():
    records = list(read_records("feed.xml", FEED))
    full = [r for r in records if not isinstance(r, Rejection)]
    [teaser] = [r for r in records if isinstance(r, Rejection)]
    assert len(full) == 1
    assert full[0].fields["title"] == "Ferry resumes service"
    assert full[0].fields["outlet"] == "Harbour Gazette"
    assert full[0].fields["published"] == "2026-03-03T09:15"
    assert full[0].format == "html" and "resumed service" in full[0].body
    assert "only a summary" in teaser.reason


def test_broken_feed_is_rejected():
    [bad] = list(read_records("feed.xml", "<rss><channel><item>"))
    assert isinstance(bad, Rejection)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-03", "2026-03-03"),
        ("2026-03-03T09:15:00+02:00", "2026-03-03T09:15+02:00"),
        ("2026-03-02T23:30:00-05:00", "2026-03-02T23:30-05:00"),  # still Monday locally
        ("Tue, 03 Mar 2026 09:15:00 GMT", "2026-03-03T09:15"),
        ("2026-03-03T09:15:00Z", "2026-03-03T09:15"),
        ("sometime last spring", None),
        ("<img src=x onerror=alert(1)>", None),
    ],
)
def test_normalise_date(value, expected):
    assert normalise_date(value) == expected


def test_expand_paths(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for name in ("a.txt", "sub/b.html", "sub/deeper/c.json", ".hidden.txt", ".git/x.txt"):
        (tmp_path / name).write_text("x")
    found = list(expand_paths([str(tmp_path)]))
    assert sorted(i.path.name for i in found) == ["a.txt", "b.html", "c.json"]
    by_glob = list(expand_paths([str(tmp_path / "**" / "*.html"), str(tmp_path / "a.txt")]))
    assert [i.path.name for i in by_glob] == ["b.html", "a.txt"]
    missing = list(expand_paths([str(tmp_path / "nope.txt"), str(tmp_path / "*.xyz")]))
    assert [type(m) for m in missing] == [Rejection, Rejection]
    assert "no such file" in missing[0].reason and "no file matches" in missing[1].reason
    # The same file named twice is read once.
    assert len(list(expand_paths([str(tmp_path / "a.txt")] * 2))) == 1


def test_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("x" * 2000)
    with pytest.raises(InputError, match="over the size limit"):
        read_bytes(Input(str(big), big), 1000)
    assert read_bytes(Input(str(big), big), 5000) == b"x" * 2000


def test_an_unreadable_date_is_kept_as_metadata_never_as_the_date():
    obj = {"title": "T", "published": "<img src=x onerror=alert(1)>", "text": "Body."}
    [record] = read_records("a.json", json.dumps(obj))
    assert "published" not in record.fields
    assert record.metadata == {"published_raw": "<img src=x onerror=alert(1)>"}
