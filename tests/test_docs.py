"""The README stays honest: every command and setting is documented."""

import re

from conftest import REPO
from newsweave.cli import cli
from newsweave.settings import SETTINGS

README = (REPO / "README.md").read_text()


def test_every_command_is_in_the_readme():
    for name in cli.commands:
        assert f"`newsweave {name}" in README, f"command {name} is not documented in README.md"


def test_every_setting_is_in_the_readme_table():
    for setting in SETTINGS:
        row = re.search(rf"^\| {setting.name} \| `{setting.env}` \| `?([^|`]+)`? \| (.+) \|$",
                        README, re.M)
        assert row, f"setting {setting.name} is missing from README.md"
        assert row.group(1).strip() == str(setting.default)
        assert row.group(2).strip() == setting.help


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    commands = re.findall(r"```sh\n(.+?)\n```", README.split("## Quick start")[1].split("##")[0])
    assert len(commands) == 2
    assert "newsweave demo" in commands[0]
    ci = (REPO / ".ci" / "run").read_text()
    assert commands[1] in ci


def test_every_setting_flag_is_in_the_readme():
    from newsweave.cli import setting_flag

    for setting in SETTINGS:
        assert f"`{setting_flag(setting.name)}`" in README, (
            f"flag {setting_flag(setting.name)} is not documented in README.md")
    assert "`--setting NAME VALUE`" in README


def test_every_subcommand_is_in_the_readme():
    from newsweave.cli.examples import commands

    for name in commands(cli):
        assert f"`newsweave {name}" in README, f"command {name} is not documented in README.md"
