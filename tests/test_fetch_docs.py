"""The README documents every fetch setting with its environment variable and default."""

import re

from conftest import REPO
from newsweave.fetch import FETCH_SETTINGS

README = (REPO / "README.md").read_text()


def test_every_fetch_setting_is_in_the_readme_table():
    for setting in FETCH_SETTINGS:
        row = re.search(rf"^\| {setting.name} \| `{setting.env}` \| ([^|]+) \| (.+) \|$",
                        README, re.M)
        assert row, f"fetch setting {setting.name} is missing from README.md"
        shown = row.group(1).strip()
        assert shown == (str(setting.default) if setting.default != "" else "(empty)")
        assert row.group(2).strip() == setting.help
