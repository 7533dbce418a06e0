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


# -- issue 11: listings, analyze, not-found, quiet ------------------------------


def _three(tmp_path):
    db = str(tmp_path / "s.db")
    lines = [json.dumps({"title": f"Item {i}", "outlet": "Wire" if i % 2 else "Herald",
                         "published": f"2026-03-0{i}T10:00:00Z",
                         "text": f"Report number {i} about the harbour of Ardmere."})
             for i in range(1, 4)]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run(db, "ingest", "--quiet", str(path))
    assert result.exit_code == 0, result.output
    return db


def _ids(result):
    return [a["id"] for a in json.loads(result.output)]


def test_listing_filters_limit_and_cursor(tmp_path):
    db = _three(tmp_path)
    assert _ids(run(db, "articles", "--json")) == [1, 2, 3]
    assert _ids(run(db, "articles", "--json", "--limit", "2")) == [1, 2]
    assert _ids(run(db, "articles", "--json", "--limit", "2", "--after", "2")) == [3]
    assert _ids(run(db, "articles", "--json", "--outlet", "Wire")) == [1, 3]
    assert _ids(run(db, "articles", "--json", "--since", "2026-03-02")) == [2, 3]
    assert _ids(run(db, "articles", "--json", "--until", "2026-03-02")) == [1, 2]
    assert _ids(run(db, "articles", "--json", "--language", "xx")) == []
    assert run(db, "articles", "--outlet", "Nobody").output == "no articles match\n"


def test_a_jsonl_input_is_batched_by_records(tmp_path):
    import newsweave

    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"title": f"T{i}", "text": f"Body number {i} here."})
                            + "\n" for i in range(25)))
    with newsweave.open(str(tmp_path / "s.db"), batch_size=10) as engine:
        engine.stages = []
        batches = []
        real = engine.store.insert_new_articles

        def counting(articles, keys):
            batches.append(len(articles))
            return real(articles, keys)

        engine.store.insert_new_articles = counting
        assert len(engine.ingest([str(path)]).new) == 25
    assert batches == [10, 10, 5]


def test_analyze_and_a_missing_id_is_one_line(tmp_path):
    db = _three(tmp_path)
    result = run(db, "analyze", "--json", "--quiet")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"clean": 0, "reuse": 0, "stories": 0, "extract": 0}
    missing = run(db, "article", "99")
    assert missing.exit_code == 2
    assert missing.output == f"Error: no article with id 99 in {db}\n"


def test_ingest_progress_covers_every_stage_and_quiet_silences_it(tmp_path):
    db = str(tmp_path / "s.db")
    path = tmp_path / "a.txt"
    path.write_text(STORY)
    done = subprocess.run([sys.executable, "-m", "newsweave", "--db", db, "ingest", str(path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    phases = [line.split(":")[0] for line in done.stderr.splitlines()]
    assert phases == ["read", "clean", "reuse", "stories", "extract"]
    assert "1/1 articles in 0:" in done.stderr
    path.write_text(STORY + "\nMore.\n")
    quiet = subprocess.run([sys.executable, "-m", "newsweave", "--db", db, "ingest", "-q",
                            str(path)], capture_output=True, text=True, check=False)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_progress_shows_an_eta_on_a_terminal():
    import io

    from newsweave.cli.articles import Progress

    out = io.StringIO()
    out.isatty = lambda: True  # type: ignore[method-assign]
    progress = Progress(out)
    progress("reuse", 0, 4)
    progress("reuse", 2, 4)
    progress("reuse", 4, 4)
    progress.close()
    text = out.getvalue()
    assert "reuse: 2/4 articles (50%, ETA 0:00)" in text
    assert text.endswith("reuse: 4/4 articles in 0:00\n")
