import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from newsweave.cli import cli

ARTICLE_FIELDS = {"id", "external_id", "source", "title", "outlet", "published", "language",
                  "text", "removed"}
STORY = ("Library extends opening hours\n\nThe city library will open until 9 p.m. on "
         "weekdays from April, the council said on Monday.\n\nThe change follows a survey "
         "of 2,000 readers, most of whom asked for later hours.\n")


def run(db, *args, stdin=None):
    return CliRunner().invoke(cli, ["--db", db, *args], input=stdin)


def test_ingest_list_show(db_path, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(STORY)
    result = run(db_path, "ingest", str(path))
    assert result.exit_code == 0, result.output
    assert "1 new, 0 already known, 0 rejected" in result.output
    again = run(db_path, "ingest", str(path), "--json")
    assert json.loads(again.output) == {"new": [], "known": [1], "rejected": []}
    listing = json.loads(run(db_path, "articles", "--json").output)
    assert len(listing) == 1 and set(listing[0]) >= ARTICLE_FIELDS
    assert listing[0]["title"] == "Library extends opening hours"
    shown = json.loads(run(db_path, "article", "1", "--json").output)
    assert shown == listing[0]
    assert "raw" in json.loads(run(db_path, "article", "1", "--json", "--raw").output)
    text = run(db_path, "article", "1").output
    assert "Library extends opening hours" in text and "until 9 p.m." in text
    assert "Library extends" in run(db_path, "articles").output


def test_stdin_and_outlet(db_path):
    result = run(db_path, "ingest", "-", "--outlet", "Town Crier", stdin=STORY)
    assert result.exit_code == 0, result.output
    [article] = json.loads(run(db_path, "articles", "--json").output)
    assert (article["source"], article["outlet"]) == ("<stdin>", "Town Crier")


def test_exit_codes(db_path, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(STORY)
    partial = run(db_path, "ingest", str(good), str(tmp_path / "missing.txt"))
    assert partial.exit_code == 1
    assert "missing.txt: no such file or folder" in partial.output
    assert "1 new" in partial.output
    assert run(db_path, "ingest").exit_code == 2  # no PATH
    assert run(db_path, "frobnicate").exit_code == 2
    missing = run(db_path, "article", "99")
    assert missing.exit_code == 2 and "no article with id 99" in missing.output
    assert run(db_path, "article", "abc").exit_code == 2


def test_bad_store_is_a_clear_error(tmp_path):
    notes = tmp_path / "notes.db"
    notes.write_text("not a database " * 100)
    result = run(str(notes), "articles")
    assert result.exit_code == 1
    assert "not a newsweave store" in result.output


def test_env_var_picks_the_store(tmp_path, monkeypatch):
    db = str(tmp_path / "env.db")
    monkeypatch.setenv("NEWSWEAVE_DB", db)
    result = CliRunner().invoke(cli, ["ingest", "-"], input=STORY)
    assert result.exit_code == 0 and db in result.output


def test_python_m_entry_point(db_path):
    done = subprocess.run([sys.executable, "-m", "newsweave", "--db", db_path, "articles"],
                          capture_output=True, text=True, check=False)
    # A read command never creates a store: a missing one is one clear line.
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: {db_path}: no store here (create one with: "
                                   f"newsweave --db {db_path} ingest PATH...)")
    assert not Path(db_path).exists()
