"""SQLite tables of the extraction stage: per-article mentions and attributions,
and the canonical entities and quote groups resolved from them.

Per-article data is kept as found (JSON per article), so canonical names and
quote groups can be recomputed from it at any time (after a story merge, or
a new article) without running NER again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from newsweave.model import Entity, Quote, QuoteVariant


class ExtractStore(Protocol):
    """What the extraction stage needs from a store."""

    def save_articles(self, rows: Sequence[tuple[int, list[dict[str, Any]],
                                                 list[dict[str, Any]], str | None]]) -> None:
        """Store (article id, mentions, attributions, error or None) per article."""
        ...

    def found(self, article_ids: Iterable[int] | None = None
              ) -> dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        """Per article: (mentions, attributions) as stored; every article when ids is None."""
        ...

    def replace_entities(self, entities: Sequence[Entity]) -> None: ...

    def entities(self, article_ids: Iterable[int] | None = None) -> list[Entity]: ...

    def replace_quotes(self, quotes: Sequence[Quote]) -> None: ...

    def quotes(self, article_ids: Iterable[int] | None = None) -> list[Quote]: ...


class ExtractTables:
    """The extraction stage's tables in a :class:`~newsweave.store.sqlite.SQLiteStore`."""

    def __init__(self, store: Any) -> None:
        self._store = store

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db  # type: ignore[no-any-return]

    def save_articles(self, rows: Sequence[tuple[int, list[dict[str, Any]],
                                                 list[dict[str, Any]], str | None]]) -> None:
        with self._store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO extract_articles (article_id, mentions, attributions, "
                "error) VALUES (?, ?, ?, ?)",
                [(i, json.dumps(m, ensure_ascii=False), json.dumps(a, ensure_ascii=False), e)
                 for i, m, a, e in rows],
            )

    def found(self, article_ids: Iterable[int] | None = None
              ) -> dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        sql = "SELECT article_id, mentions, attributions FROM extract_articles"
        rows: list[sqlite3.Row] = []
        if article_ids is None:
            rows = self._db.execute(sql).fetchall()
        else:
            wanted = list(article_ids)
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self._db.execute(f"{sql} WHERE article_id IN ({marks})", chunk).fetchall()
        return {int(r[0]): (json.loads(r[1]), json.loads(r[2])) for r in rows}

    def replace_entities(self, entities: Sequence[Entity]) -> None:
        with self._store.transaction() as db:
            db.execute("DELETE FROM entity_articles")
            db.execute("DELETE FROM entities")
            db.executemany(
                "INSERT INTO entities (id, name, type, aliases, roles) VALUES (?, ?, ?, ?, ?)",
                [(e.id, e.name, e.type, json.dumps(e.aliases, ensure_ascii=False),
                  json.dumps(e.roles, ensure_ascii=False)) for e in entities],
            )
            db.executemany(
                "INSERT INTO entity_articles (entity_id, article_id, mentions) VALUES (?, ?, ?)",
                [(e.id, a, n) for e in entities for a, n in e.articles.items()],
            )

    def entities(self, article_ids: Iterable[int] | None = None) -> list[Entity]:
        counts: dict[int, dict[int, int]] = {}
        for row in self._db.execute("SELECT entity_id, article_id, mentions FROM entity_articles"):
            counts.setdefault(int(row[0]), {})[int(row[1])] = int(row[2])
        wanted = None if article_ids is None else set(article_ids)
        found: list[Entity] = []
        for row in self._db.execute("SELECT id, name, type, aliases, roles FROM entities "
                                    "ORDER BY id"):
            articles = counts.get(int(row[0]), {})
            if wanted is not None:
                articles = {a: n for a, n in articles.items() if a in wanted}
                if not articles:
                    continue
            found.append(Entity(int(row[0]), row[1], row[2], json.loads(row[3]),
                                json.loads(row[4]), dict(sorted(articles.items()))))
        return found

    def replace_quotes(self, quotes: Sequence[Quote]) -> None:
        with self._store.transaction() as db:
            db.execute("DELETE FROM quote_variants")
            db.execute("DELETE FROM quote_groups")
            db.executemany(
                "INSERT INTO quote_groups (id, text, speaker, cue, direct) VALUES (?, ?, ?, ?, ?)",
                [(q.id, q.text, q.speaker, q.cue, int(q.direct)) for q in quotes],
            )
            db.executemany(
                "INSERT INTO quote_variants (quote_id, seq, article_id, text, start, end) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(q.id, i, v.article, v.text, v.start, v.end)
                 for q in quotes for i, v in enumerate(q.variants)],
            )

    def quotes(self, article_ids: Iterable[int] | None = None) -> list[Quote]:
        variants: dict[int, list[QuoteVariant]] = {}
        for row in self._db.execute("SELECT quote_id, article_id, text, start, end "
                                    "FROM quote_variants ORDER BY quote_id, seq"):
            variants.setdefault(int(row[0]), []).append(
                QuoteVariant(int(row[1]), row[2], int(row[3]), int(row[4])))
        wanted = None if article_ids is None else set(article_ids)
        found: list[Quote] = []
        for row in self._db.execute("SELECT id, text, speaker, cue, direct FROM quote_groups "
                                    "ORDER BY id"):
            these = variants.get(int(row[0]), [])
            if wanted is not None:
                these = [v for v in these if v.article in wanted]
                if not these:
                    continue
            articles = sorted({v.article for v in these})
            found.append(Quote(int(row[0]), row[1], row[2], row[3], articles, these,
                               bool(row[4])))
        return found
