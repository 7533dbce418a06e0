"""The CLI helps: every setting is a flag from the one settings table, every command's
--help has examples, and an id that is not in the store is one line on stderr, exit 2."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

import newsweave.cli
from newsweave.cli import cli, setting_flag
from newsweave.cli.examples import commands
from newsweave.engine import Engine
from newsweave.settings import SETTINGS, load_settings
from newsweave.store import open_store

STORY = ("Library extends opening hours\n\nThe city library will open until 9 p.m. on "
         "weekdays from April, the council said on Monday.\n")


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click 8.2+: stderr is always kept apart
        return CliRunner()


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("house") / "s.db")
    settings = load_settings(db=path)
    with Engine(open_store(path), settings, stages=[]) as engine:
        engine.ingest_text(STORY)
    return path


def test_every_setting_is_a_global_flag_with_its_help():
    help_text = _runner().invoke(cli, ["--help"], terminal_width=200).output
    flat = " ".join(help_text.split())
    for setting in SETTINGS:
        assert setting_flag(setting.name) in help_text, setting.name
        assert " ".join(setting.help.split()) in flat, setting.name


def test_flags_and_setting_pairs_reach_the_engine(small_db, monkeypatch):
    seen: list[dict] = []
    real = newsweave.cli.open_engine

    def spy(db, **kwargs):
        seen.append(kwargs)
        return real(db, **kwargs)

    monkeypatch.setattr(newsweave.cli, "open_engine", spy)
    monkeypatch.setenv("NEWSWEAVE_STORY_THRESHOLD", "0.5")
    result = _runner().invoke(cli, ["--db", small_db, "--story-threshold", "0.3",
                                    "--setting", "extract_workers", "1",
                                    "--setting", "reuse-neighbours", "4", "articles"])
    assert result.exit_code == 0, result.output
    assert seen[-1]["story_threshold"] == 0.3  # the flag beats the environment
    assert seen[-1]["extract_workers"] == 1
    assert seen[-1]["reuse_neighbours"] == 4


@pytest.mark.parametrize("args, message", [
    (["--setting", "story_treshold", "0.3"], "unknown setting 'story_treshold'"),
    (["--setting", "batch_size", "many"], "expected a whole number"),
    (["--batch-size", "many"], "'many' is not a valid integer"),
])
def test_a_bad_setting_is_a_usage_error_naming_it(small_db, args, message):
    result = _runner().invoke(cli, ["--db", small_db, *args, "articles"])
    assert result.exit_code == 2
    assert message in result.stderr


def test_every_command_help_has_examples():
    for name, command in commands(cli).items():
        result = _runner().invoke(cli, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        if isinstance(command, click.Group) and name != "stories":
            continue
        examples = result.output.split("Examples:", 1)
        assert len(examples) == 2, f"newsweave {name} --help has no examples"
        assert "newsweave " in examples[1] and f" {name}" in examples[1], name


NOT_FOUND = [
    (["article", "99"], "no article with id 99"),
    (["dates", "99"], "no article with id 99"),
    (["similar", "99"], "no article with id 99"),
    (["revisions", "99"], "99"),
    (["story", "99"], "no story with id 99"),
    (["brief", "99"], "no story with id 99"),
    (["entities", "--story", "99"], "no story with id 99"),
    (["quotes", "--story", "99"], "no story with id 99"),
    (["provenance", "--story", "99"], "no story with id 99"),
    (["check", "The library opens late", "--story", "99"], "no story with id 99"),
    (["stories", "merge", "98", "99"], "no story with id 98"),
    (["stories", "split", "99", "1"], "99"),
]


@pytest.mark.parametrize("args, message", NOT_FOUND, ids=[" ".join(a[:2]) for a, _ in NOT_FOUND])
def test_an_id_not_found_is_one_line_exit_2(small_db, args, message):
    result = _runner().invoke(cli, ["--db", small_db, *args])
    assert result.exit_code == 2, (result.exit_code, result.output, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert "Usage:" not in result.stderr
