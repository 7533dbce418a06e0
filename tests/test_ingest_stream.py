"""Batches count records, not input files (issue 11, item 4): a big JSON Lines file is read
as a stream and stored in batches of records, never held whole."""

from __future__ import annotations

import json
import tracemalloc

from newsweave.engine import Engine
from newsweave.ingest import read_input, read_records
from newsweave.ingest.sources import Input
from newsweave.model import Rejection
from newsweave.settings import load_settings
from newsweave.store import open_store


def _line(i: int, words: int = 600) -> str:
    body = " ".join(f"word{i}x{n}" for n in range(words))
    return json.dumps({"title": f"Report {i}", "text": f"Report {i} says. {body}."})


def test_a_big_jsonl_file_is_read_line_by_line(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(3500):  # about 20 MB
            out.write(_line(i) + "\n")
    assert path.stat().st_size > 19_000_000
    tracemalloc.start()
    try:
        records = read_input(Input(str(path), path), 50_000_000)
        first = next(iter(records))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first.fields["title"] == "Report 0"
    assert peak < 2_000_000, f"{peak:,} bytes held to give the first record"
    assert sum(1 for _ in records) == 3499


def test_the_stream_reads_what_the_whole_text_reads(tmp_path):
    lines = ["\ufeff" + _line(1, 5), "", "{not json", json.dumps(
        {"title": "Line\u2028break", "text": "A body with \u2028 inside and \r a return."}),
        "[1, 2]", _line(2, 5) + "\r"]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8"))
    streamed = list(read_input(Input(str(path), path), 10_000_000))
    whole = list(read_records(str(path), path.read_text(encoding="utf-8-sig")))
    assert streamed == whole
    assert [type(r).__name__ for r in streamed] == [
        "Record", "Rejection", "Record", "Rejection", "Record"]
    assert streamed[1].source.endswith("mixed.jsonl:3")
    # Not UTF-8: read whole, with the encoding detected, as before.
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(("\n".join([json.dumps({"text": "Caf\u00e9 ouvert, dit le maire."},
                                             ensure_ascii=False)] * 2)).encode("latin-1"))
    found = list(read_input(Input(str(latin), latin), 10_000_000))
    assert len(found) == 2 and "Caf\u00e9" in found[0].body
    # Empty and binary files are refused as any input is.
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    (refused,) = read_input(Input(str(empty), empty), 10_000_000)
    assert isinstance(refused, Rejection) and "empty" in refused.reason
    binary = tmp_path / "db.jsonl"
    binary.write_bytes(b"SQLite format 3\x00" + b"x" * 100)
    (refused,) = read_input(Input(str(binary), binary), 10_000_000)
    assert isinstance(refused, Rejection) and "SQLite" in refused.reason


def test_one_jsonl_file_is_stored_in_batches_of_records(tmp_path, monkeypatch):
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(_line(i, 30) for i in range(25)) + "\n", encoding="utf-8")
    settings = load_settings(db=str(tmp_path / "s.db"), batch_size=10)
    store = open_store(settings.db)
    batches: list[int] = []
    real = store.insert_new_articles

    def insert(articles, line_keys):
        batches.append(len(articles))
        return real(articles, line_keys)

    monkeypatch.setattr(store, "insert_new_articles", insert)
    with Engine(store, settings, stages=[]) as engine:
        report = engine.ingest([str(path)])
    assert batches == [10, 10, 5]
    assert len(report.new) == 25 and not report.rejected
