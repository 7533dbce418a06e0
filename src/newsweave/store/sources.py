"""SQL of live news in: polled sources, seen entries, article URLs, revisions.

Tables (migration "fetch" in :mod:`newsweave.store.migrations`):

- ``fetch_sources``: one row per feed (or page/sitemap) that ``watch`` polls:
  HTTP validators (ETag, Last-Modified) for conditional GET, last poll, last
  new item, consecutive failures and the time of the next poll (back-off), so
  a restarted watcher resumes where it stopped.
- ``fetch_items``: the entry keys already seen per source.
- ``article_urls``: every URL an article was fetched under (its canonical URL
  and aliases: AMP, tracking parameters, redirects): one article however many URLs.
- ``revisions``: each version of an article that changed after it was first
  fetched, with the word-level diff from the previous one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsweave.store.sql import chunks

if TYPE_CHECKING:
    from newsweave.model import Article
    from newsweave.store import Store
    from newsweave.store.sqlite import SQLiteStore


@dataclass(slots=True)
class SourceState:
    """One polled source and its health."""

    id: int
    url: str
    kind: str
    title: str | None
    discovered_from: str | None
    etag: str | None
    last_modified: str | None
    last_poll: str | None
    last_status: str | None
    last_new: str | None
    last_error: str | None
    failures: int
    next_poll: str | None
    polls: int
    items: int
    added_at: str

    @property
    def health(self) -> str:
        """``new`` (never polled), ``ok`` or ``failing`` (consecutive failures > 0)."""
        if self.last_poll is None:
            return "new"
        return "failing" if self.failures else "ok"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["health"] = self.health
        return data


@dataclass(slots=True)
class Revision:
    """One version of an article; ``rev`` 1 is the first fetched."""

    article: int
    rev: int
    fetched_at: str
    content_hash: str
    title: str | None
    text: str
    diff: list[dict[str, Any]]
    stealth: bool
    note: str | None

    def to_dict(self, *, text: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not text:
            data.pop("text")
        return data


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FetchTables:
    """The fetch tables of a :class:`SQLiteStore` (see :func:`fetch_tables`)."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db

    # -- sources --------------------------------------------------------------

    def add_source(self, url: str, *, kind: str = "feed",
                   discovered_from: str | None = None) -> int:
        with self._store.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO fetch_sources (url, kind, discovered_from, added_at) "
                "VALUES (?, ?, ?, ?)", (url, kind, discovered_from, now_iso()),
            )
            return int(db.execute("SELECT id FROM fetch_sources WHERE url = ?",
                                  (url,)).fetchone()[0])

    def sources(self) -> list[SourceState]:
        rows = self._db.execute("SELECT * FROM fetch_sources ORDER BY id").fetchall()
        return [SourceState(**dict(r)) for r in rows]

    def source(self, source_id: int) -> SourceState | None:
        row = self._db.execute("SELECT * FROM fetch_sources WHERE id = ?",
                               (source_id,)).fetchone()
        return SourceState(**dict(row)) if row else None

    def record_poll(self, source_id: int, *, status: str, ok: bool, new_items: int,
                    next_poll: str, etag: str | None = None, last_modified: str | None = None,
                    error: str | None = None, title: str | None = None,
                    kind: str | None = None, forget_validators: bool = False) -> None:
        """Store one poll's outcome: validators only change on a 200, failures reset on ok.
        ``forget_validators``: the next poll is a full GET (entries failed this time)."""
        now = now_iso()
        with self._store.transaction() as db:
            if forget_validators:
                db.execute("UPDATE fetch_sources SET etag = NULL, last_modified = NULL "
                           "WHERE id = ?", (source_id,))
                etag = last_modified = None
            db.execute(
                "UPDATE fetch_sources SET last_poll = ?, last_status = ?, next_poll = ?, "
                "polls = polls + 1, items = items + ?, "
                "failures = CASE WHEN ? THEN 0 ELSE failures + 1 END, "
                "last_error = CASE WHEN ? THEN NULL ELSE ? END, "
                "last_new = CASE WHEN ? > 0 THEN ? ELSE last_new END, "
                "etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), "
                "title = coalesce(?, title), kind = coalesce(?, kind) WHERE id = ?",
                (now, status, next_poll, new_items, ok, ok, error, new_items, now,
                 etag, last_modified, title, kind, source_id),
            )

    def seen_items(self, source_id: int, keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(dict.fromkeys(keys)):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._db.execute(
                f"SELECT item_key FROM fetch_items WHERE source_id = ? AND item_key IN ({marks})",
                (source_id, *chunk)))
        return found

    def mark_items(self, source_id: int, keys: Iterable[str]) -> None:
        now = now_iso()
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO fetch_items (source_id, item_key, seen_at) "
                "VALUES (?, ?, ?)", [(source_id, k, now) for k in keys])

    # -- article URLs ---------------------------------------------------------

    def article_for_urls(self, urls: Iterable[str]) -> int | None:
        """The article already fetched under any of ``urls`` (canonical URLs first)."""
        found = None
        for chunk in chunks(dict.fromkeys(u for u in urls if u)):
            marks = ",".join("?" * len(chunk))
            row = self._db.execute(
                f"SELECT article_id FROM article_urls WHERE url IN ({marks}) "
                "ORDER BY canonical DESC LIMIT 1", chunk).fetchone()
            if row:
                found = int(row[0])
                break
        return found

    def link_urls(self, article_id: int, canonical: str, aliases: Iterable[str] = ()) -> None:
        with self._store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO article_urls (url, article_id, canonical) "
                       "VALUES (?, ?, 1)", (canonical, article_id))
            db.executemany(
                "INSERT OR IGNORE INTO article_urls (url, article_id, canonical) "
                "VALUES (?, ?, 0)", [(u, article_id) for u in aliases if u and u != canonical])

    def urls_of(self, article_id: int) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT url FROM article_urls WHERE article_id = ? ORDER BY canonical DESC, url",
            (article_id,))]

    # -- revisions ------------------------------------------------------------

    def replace_article(self, article: Article, line_keys: Mapping[str, bool]) -> None:
        """Store a new version of a stored article (same id): raw input, hash, metadata and
        clean body; every stage's results for it become pending again."""
        assert article.id is not None
        with self._store.transaction() as db:
            db.execute(
                "UPDATE articles SET content_hash = ?, raw = ?, raw_format = ?, title = ?, "
                "author = coalesce(?, author), published = coalesce(?, published), "
                "metadata = ? WHERE id = ?",
                (article.content_hash, article.raw, article.raw_format, article.title,
                 article.author, article.published,
                 json.dumps(article.metadata, ensure_ascii=False, sort_keys=True), article.id),
            )
            self._store.replace_clean_text(
                [(article.id, article.text, list(article.removed), line_keys)])

    def add_revision(self, revision: Revision) -> None:
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO revisions (article_id, rev, fetched_at, content_hash, title, text, "
                "diff, stealth, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (revision.article, revision.rev, revision.fetched_at, revision.content_hash,
                 revision.title, revision.text, json.dumps(revision.diff, ensure_ascii=False),
                 int(revision.stealth), revision.note),
            )

    def revisions(self, article_ids: Sequence[int] | None = None) -> list[Revision]:
        sql = "SELECT * FROM revisions"
        params: list[int] = []
        if article_ids is not None:
            sql += f" WHERE article_id IN ({','.join('?' * len(article_ids))})"
            params = list(article_ids)
        rows = self._db.execute(sql + " ORDER BY article_id, rev", params).fetchall()
        return [Revision(r["article_id"], r["rev"], r["fetched_at"], r["content_hash"],
                         r["title"], r["text"], json.loads(r["diff"]), bool(r["stealth"]),
                         r["note"]) for r in rows]


    def articles_containing(self, phrase: str, exclude: int, limit: int = 200) -> list[int]:
        """Ids of other articles whose text holds ``phrase`` verbatim (a full scan: used
        only to show, for one revision, which articles still carry the old wording)."""
        rows = self._db.execute(
            "SELECT id FROM articles WHERE id != ? AND instr(text, ?) > 0 ORDER BY id LIMIT ?",
            (exclude, phrase, limit))
        return [int(r[0]) for r in rows]


def fetch_tables(store: Store) -> FetchTables:
    """The fetch tables of ``store`` (the SQLite store; attached on first use)."""
    tables = getattr(store, "_fetch_tables", None)
    if tables is None:
        tables = FetchTables(store)  # type: ignore[arg-type]
        store._fetch_tables = tables  # type: ignore[attr-defined]
    return tables


__all__ = ["FetchTables", "Revision", "SourceState", "fetch_tables"]
