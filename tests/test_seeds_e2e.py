"""End to end on the five seed articles: one ingest, every stage that exists, checked output."""

import json

from click.testing import CliRunner

from newsweave.cli import cli


def test_seed_folder_end_to_end(seeds_dir, db_path):
    result = CliRunner().invoke(cli, ["--db", db_path, "ingest", str(seeds_dir), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (len(report["new"]), report["rejected"]) == (5, [])
    articles = {a["source"].rsplit("/", 1)[-1][:3]: a for a in json.loads(
        CliRunner().invoke(cli, ["--db", db_path, "articles", "--json"]).output)}
    assert sorted(articles) == ["000", "001", "002", "003", "004"]
    for article in articles.values():
        assert article["language"] == "en"
        # 002 opens straight with its first paragraph: no headline, so no title.
        assert bool(article["title"]) != article["source"].endswith("002_b447af281f8316f0.txt")
        assert article["removed"] or article["source"].endswith("002_b447af281f8316f0.txt")
        for junk in ("Advertisement", "Related posts", "Leave a Reply", "Story Code",
                     "License Photo", "QR code", "Latest Headlines"):
            assert junk not in article["text"], (article["source"], junk)
    assert articles["001"]["outlet"] == "UPI"
    assert articles["003"]["outlet"] == "Afghan Voice Agency"
    assert articles["003"]["published"] == "2022-09-20T09:43"
    # Re-ingesting the folder adds nothing.
    again = json.loads(CliRunner().invoke(
        cli, ["--db", db_path, "ingest", str(seeds_dir), "--json"]).output)
    assert (again["new"], len(again["known"])) == ([], 5)
