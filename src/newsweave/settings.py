"""Every setting in one place: name, default, environment variable and help.

The CLI flags and the documentation are derived from this table, so a setting
exists once. Values come from, in order: an explicit argument, the
environment variable ``NEWSWEAVE_<NAME>``, the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "NEWSWEAVE_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "newsweave.db", "Path of the SQLite store."),
    Setting("batch_size", 100, "Inputs written to the store per transaction."),
    Setting(
        "max_bytes", 20_000_000, "Inputs larger than this many bytes are rejected, not read."
    ),
    Setting(
        "recurring_min_articles",
        3,
        "A short line seen in at least this many articles of one outlet is boilerplate.",
    ),
    Setting(
        "recurring_max_chars",
        200,
        "Only lines up to this length count as possible recurring boilerplate.",
    ),
)


@dataclass(slots=True)
class Settings:
    """Resolved settings; build with :func:`load_settings` (defaults live in SETTINGS)."""

    db: str
    batch_size: int
    max_bytes: int
    recurring_min_articles: int
    recurring_max_chars: int


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, then ``overrides`` (``None`` values are ignored).

    >>> load_settings(batch_size=10).batch_size
    10
    """
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    for setting in SETTINGS:
        raw = os.environ.get(setting.env)
        if raw is not None and raw != "":
            values[setting.name] = _convert(setting, raw)
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    unknown = set(values) - {f.name for f in fields(Settings)}
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return Settings(**values)


def _convert(setting: Setting, raw: str) -> Any:
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{setting.env}={raw!r}: expected a whole number") from None
    return raw
