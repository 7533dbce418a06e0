"""The shared vocabulary of newsweave: what flows between the stages.

Every stage reads and writes these types; none of them knows about SQLite,
HTTP or the command line. Field names here are the field names of the JSON
output, so they are part of the stable interface.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece of input the cleaner took out of an article body, and why.

    ``reason`` is a stable code (see :data:`newsweave.clean.REASONS`), so a
    reader can filter the log; ``text`` is the removed text itself.
    """

    text: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "reason": self.reason}


@dataclass(slots=True)
class Cleaned:
    """What the cleaning stage makes of one input document.

    ``text`` is the article body: paragraphs separated by a blank line, no
    headline. Metadata fields are ``None`` where the cleaner found nothing;
    it never invents a value.
    """

    text: str
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date or datetime
    published_how: str | None = None  # e.g. "html-meta", "dateline"
    outlet: str | None = None
    outlet_how: str | None = None  # e.g. "html-meta", "signature"
    url: str | None = None
    language: str | None = None


@dataclass(slots=True)
class Article:
    """One stored article: its raw input, its clean body and its metadata."""

    id: int | None
    content_hash: str
    raw: str
    raw_format: str  # "text" | "html" | "json" | "feed"
    text: str
    source: str  # the path or URL the input came from, as given
    external_id: str | None = None
    title: str | None = None
    outlet: str | None = None
    outlet_how: str | None = None
    url: str | None = None
    author: str | None = None
    published: str | None = None
    published_how: str | None = None
    language: str | None = None
    removed: list[Removal] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    ingested_at: str | None = None

    def to_dict(self, *, raw: bool = False) -> dict[str, Any]:
        """The article as JSON-ready data (the stable ``--json`` shape)."""
        data = asdict(self)
        data["removed"] = [r.to_dict() for r in self.removed]
        if not raw:
            data.pop("raw")
        return data


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that could not become an article, with a reason for a human."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did: new article ids, already-known ones, rejections."""

    new: list[int] = field(default_factory=list)
    known: list[int] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "known": self.known,
            "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejected],
        }
