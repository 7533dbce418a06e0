"""Settings of the fetcher: one table with defaults, environment variables and help.

They sit beside the engine's settings (:mod:`newsweave.settings`), in the same
form, and are read the same way: an explicit value, then ``NEWSWEAVE_<NAME>``,
then the default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from newsweave import __version__
from newsweave.settings import Setting

FETCH_SETTINGS: tuple[Setting, ...] = (
    Setting("fetch_contact", "", "Contact (e-mail or URL) sent in the User-Agent so sites can "
            "reach whoever runs the crawler."),
    Setting("fetch_connect_timeout", 10.0, "Seconds to wait for a connection."),
    Setting("fetch_read_timeout", 20.0, "Seconds to wait for the next bytes of a response."),
    Setting("fetch_total_timeout", 60.0, "Seconds one fetch may take in all (redirects included)."),
    Setting("fetch_max_bytes", 10_000_000, "Largest response body read, after decompression."),
    Setting("fetch_robots", 1, "1: honour robots.txt; 0: ignore it."),
    Setting("fetch_host_delay", 1.0, "Seconds between two requests to the same host."),
    Setting("fetch_allow_private", 0, "1: allow loopback and private addresses (intranet "
            "feeds, tests); 0: refuse them (SSRF guard)."),
)
MAX_REDIRECTS = 5


@dataclass(slots=True)
class FetchOptions:
    """Resolved fetch settings; build with :func:`load_fetch_options`."""

    fetch_contact: str = ""
    fetch_connect_timeout: float = 10.0
    fetch_read_timeout: float = 20.0
    fetch_total_timeout: float = 60.0
    fetch_max_bytes: int = 10_000_000
    fetch_robots: int = 1
    fetch_host_delay: float = 1.0
    fetch_allow_private: int = 0
    allow_hosts: tuple[str, ...] = field(default=())

    @property
    def user_agent(self) -> str:
        contact = f"; +{self.fetch_contact}" if self.fetch_contact else ""
        return f"newsweave/{__version__} (news reader{contact})"


def load_fetch_options(**overrides: Any) -> FetchOptions:
    """Options from the environment, then ``overrides`` (``None`` values are ignored).

    >>> load_fetch_options(fetch_host_delay=0).fetch_host_delay
    0
    """
    values: dict[str, Any] = {}
    for setting in FETCH_SETTINGS:
        raw = os.environ.get(setting.env)
        if raw:
            kind = type(setting.default)
            try:
                values[setting.name] = kind(raw)
            except ValueError:
                raise ValueError(f"{setting.env}={raw!r}: expected a {kind.__name__}") from None
    known = {f.name for f in fields(FetchOptions)}
    for name, value in overrides.items():
        if name not in known:
            raise ValueError(f"unknown fetch setting: {name}")
        if value is not None:
            values[name] = value
    return FetchOptions(**values)
