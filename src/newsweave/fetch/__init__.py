"""Live news in: fetch URLs, feeds and sitemaps over HTTP(S), safely; watch feeds.

Library first: :class:`Fetcher` (guarded, capped HTTP), :func:`fetch_into`
(URLs to articles in an engine, with revisions) and :func:`poll_sources`
(the ``watch`` loop). The CLI (``newsweave fetch``/``watch``/``sources``/
``revisions``) only parses arguments and calls these.
"""

from __future__ import annotations

from newsweave.fetch.client import Fetcher, FetchError, Response
from newsweave.fetch.collect import FetchReport, fetch_into
from newsweave.fetch.guard import BlockedURL, Guard, Target
from newsweave.fetch.options import FETCH_SETTINGS, FetchOptions, load_fetch_options
from newsweave.fetch.revisions import claim_changes, list_revisions, still_saying
from newsweave.fetch.watch import Watcher, list_sources

__all__ = [
    "FETCH_SETTINGS",
    "BlockedURL",
    "FetchError",
    "FetchOptions",
    "FetchReport",
    "Fetcher",
    "Guard",
    "Response",
    "Target",
    "Watcher",
    "claim_changes",
    "fetch_into",
    "list_revisions",
    "list_sources",
    "load_fetch_options",
    "still_saying",
]
