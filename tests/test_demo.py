import json

from click.testing import CliRunner

from newsweave.cli import cli
from newsweave.demo import corpus_files, run_demo


def test_demo_corpus_is_shipped_in_every_format():
    suffixes = {p.suffix for p in corpus_files()}
    assert {".txt", ".html"} <= suffixes
    assert len(corpus_files()) >= 10


def test_demo_ingests_everything_into_a_fresh_store(tmp_path):
    summary = run_demo(tmp_path / "demo")
    assert summary["ingest"]["rejected"] == []
    assert len(summary["articles"]) >= 12
    assert all(a["title"] for a in summary["articles"])
    exported = json.loads((tmp_path / "demo" / "articles.json").read_text())
    assert len(exported) == len(summary["articles"])
    # Running it again starts fresh rather than reporting everything as known.
    again = run_demo(tmp_path / "demo")
    assert len(again["ingest"]["new"]) == len(summary["ingest"]["new"])


def test_demo_command_says_where_the_output_went(tmp_path):
    out = tmp_path / "d"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out / "newsweave.db") in result.output
    assert str(out / "articles.json") in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Open in the browser: newsweave --db ") and " serve " in last
