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


def test_progress_clock_runs_between_counts_on_a_terminal():
    """A long batch gives no count for a while: the live line is redrawn with the time spent,
    then the ETA, without a call from the engine."""
    import io
    import time

    from newsweave.cli.articles import Progress

    out = io.StringIO()
    out.isatty = lambda: True  # type: ignore[method-assign]
    progress = Progress(out)
    progress.TICK = 0.02
    progress("read", 0, 1)
    progress.started -= 65  # as if reading had taken 65 s so far
    deadline = time.monotonic() + 5
    while "read: 0/1 inputs (1:05)" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "read: 0/1 inputs (1:05)" in out.getvalue()
    progress("extract", 0, 10)
    progress("extract", 5, 10)
    progress.started -= 100  # 100 s for 5 of 10: the ETA grows while no count comes
    deadline = time.monotonic() + 5
    while "ETA 1:40" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "extract: 5/10 articles (50%, ETA 1:40)" in out.getvalue()
    progress("extract", 10, 10)
    progress.close()
    assert out.getvalue().endswith("extract: 10/10 articles in 1:40\n")
    assert progress._ticker is not None and not progress._ticker.is_alive()


def test_progress_off_the_terminal_prints_one_line_per_phase():
    import io

    from newsweave.cli.articles import Progress

    out = io.StringIO()
    progress = Progress(out)
    for phase, total in (("read", 2), ("reuse", 3), ("stories", 3), ("extract", 3)):
        for done in range(total + 1):
            progress(phase, done, total)
    progress.close()
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["read", "reuse", "stories", "extract"]
    assert lines[0].startswith("read: 2/2 inputs in ") and lines[-1].startswith(
        "extract: 3/3 articles in ")
    assert progress._ticker is None  # no redrawing thread in a pipe or a log


def test_ingest_reports_reading_from_its_start(tmp_path):
    """The first call comes before any input is read, so a large single input shows at once."""
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(f"Report {n}\n\n{STORY}\nLine {n}.\n")
    db = str(tmp_path / "s.db")
    calls: list[tuple[str, int, int]] = []
    engine = Engine(open_store(db), load_settings(db=db), stages=[])
    try:
        engine.ingest([str(tmp_path / "*.txt")], progress=lambda *a: calls.append(a))
    finally:
        engine.store.close()
    assert calls[0] == ("read", 0, 3)
    assert calls[-1] == ("read", 3, 3)
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)
