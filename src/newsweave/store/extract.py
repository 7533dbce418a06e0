"""SQLite tables of the extraction stage.

Per article: the mentions and attributions as found (JSON), so canonical
names and quote groups can be recomputed without running NER again. Across
the store: entities, each with the per-article referents ("locals") it is
made of and the lookup keys new mentions are matched by; quote groups, each
with its variants and the words new quotations are matched by. Resolution is
incremental: a batch replaces only the entities and groups its articles
touch, and ids are kept (and never reused), so an id stays a handle on one
referent as the store grows.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any, Protocol

from newsweave.model import Entity, Quote, QuoteVariant
from newsweave.store.sql import chunks


@dataclass(slots=True)
class StoredEntity:
    """An entity to write: its fields, its locals (JSON-ready), lookup keys and names."""

    entity: Entity
    locals: list[tuple[int, dict[str, Any]]]  # (article id, local as a dict)
    keys: set[str]
    names: list[tuple[int, str, bool]]  # (article id, lowercased name, is a single token)
    # An entity already stored that only gained articles: ``locals``, ``keys`` and ``names``
    # are the new articles' only, added to what is stored; its fields are rewritten.
    grown: bool = False
    # A grown entity's articles whose rows (locals, mention counts, names) are deleted
    # before ``locals`` and ``names`` are added (their articles were resolved again), and
    # the keys it no longer has.
    replaced: frozenset[int] = frozenset()
    dropped_keys: frozenset[str] = frozenset()


@dataclass(slots=True)
class StoredVariant:
    """One quotation in one article, as kept in a quote group."""

    article: int
    text: str
    start: int
    end: int
    speaker_key: str | None  # lowercased name as the article gives it (resolved when read)
    speaker_text: str | None  # the source as written (shown when it names no entity)
    cue: str | None
    direct: bool


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

    def next_ids(self, kind: str, count: int) -> list[int]:
        """``count`` fresh ids for ``kind`` ("entity" or "quote"), never handed out before."""
        ...

    def stamp(self) -> int | None:
        """The value :meth:`set_stamp` last wrote (None if never): it changes with every
        resolution written, so a process holding what it last wrote can tell whether the
        entity tables are still as it left them."""
        ...

    def set_stamp(self, value: int) -> None: ...

    def entities_by_keys(self, keys: Iterable[str]) -> set[int]: ...

    def entities_of_articles(self, article_ids: Iterable[int]) -> set[int]: ...

    def entity_locals(self, entity_ids: Iterable[int] | None
                      ) -> list[tuple[int, dict[str, Any]]]:
        """(entity id, local) for these entities (all when None)."""
        ...

    def replace_entities(self, removed: Iterable[int] | None,
                         entities: Sequence[StoredEntity]) -> None:
        """Drop the ``removed`` entities (all when None) and write ``entities``."""
        ...

    def entities(self, article_ids: Iterable[int] | None = None) -> list[Entity]: ...

    def quotes_by_words(self, word_sets: Sequence[set[str]], max_bucket: int,
                        min_share: float) -> set[int]:
        """Groups that may take in one of the quotations given as content-word sets."""
        ...

    def quotes_of_articles(self, article_ids: Iterable[int]) -> set[int]: ...

    def quote_variants(self, quote_ids: Iterable[int] | None
                       ) -> list[tuple[int, StoredVariant]]: ...

    def replace_quotes(self, removed: Iterable[int] | None,
                       groups: Sequence[tuple[int, list[StoredVariant], set[str], int]]) -> None:
        """Drop the ``removed`` groups (all when None); write (id, variants, words, fewest
        content words of a variant) groups."""
        ...

    def quotes(self, article_ids: Iterable[int] | None = None) -> list[Quote]: ...



class ExtractTables:
    """The extraction stage's tables in a :class:`~newsweave.store.sqlite.SQLiteStore`."""

    def __init__(self, store: Any) -> None:
        self._store = store

    @property
    def _db(self) -> sqlite3.Connection:
        return self._store._db  # type: ignore[no-any-return]

    def _select(self, sql: str, column: str, values: Iterable[Any]) -> list[sqlite3.Row]:
        rows: list[sqlite3.Row] = []
        for chunk in chunks(values):
            marks = ",".join("?" * len(chunk))
            rows += self._db.execute(f"{sql} WHERE {column} IN ({marks})", chunk).fetchall()
        return rows

    # -- per article -------------------------------------------------------------

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
        if article_ids is None:
            rows = self._db.execute(sql).fetchall()
        else:
            rows = self._select(sql, "article_id", article_ids)
        return {int(r[0]): (json.loads(r[1]), json.loads(r[2])) for r in rows}

    def next_ids(self, kind: str, count: int) -> list[int]:
        table = {"entity": "entities", "quote": "quote_groups"}[kind]
        with self._store.transaction() as db:
            row = db.execute("SELECT value FROM extract_counters WHERE name = ?",
                             (kind,)).fetchone()
            top = db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
            first = max(int(row[0]) if row else 0, int(top)) + 1
            db.execute("INSERT OR REPLACE INTO extract_counters (name, value) VALUES (?, ?)",
                       (kind, first + count - 1))
        return list(range(first, first + count))

    # -- entities ----------------------------------------------------------------

    def stamp(self) -> int | None:
        row = self._db.execute("SELECT value FROM extract_counters WHERE name = ?",
                               ("stamp",)).fetchone()
        return None if row is None else int(row[0])

    def set_stamp(self, value: int) -> None:
        with self._store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO extract_counters (name, value) VALUES (?, ?)",
                       ("stamp", value))

    def entities_by_keys(self, keys: Iterable[str]) -> set[int]:
        rows = self._select("SELECT DISTINCT entity_id FROM entity_keys", "key", set(keys))
        return {int(r[0]) for r in rows}

    def entities_of_articles(self, article_ids: Iterable[int]) -> set[int]:
        rows = self._select("SELECT DISTINCT entity_id FROM entity_locals", "article_id",
                            set(article_ids))
        return {int(r[0]) for r in rows}

    def entity_locals(self, entity_ids: Iterable[int] | None
                      ) -> list[tuple[int, dict[str, Any]]]:
        sql = "SELECT entity_id, data FROM entity_locals"
        rows = (self._db.execute(sql).fetchall() if entity_ids is None
                else self._select(sql, "entity_id", set(entity_ids)))
        return [(int(r[0]), json.loads(r[1])) for r in rows]

    def replace_entities(self, removed: Iterable[int] | None,
                         entities: Sequence[StoredEntity]) -> None:
        with self._store.transaction() as db:
            tables = ("entity_articles", "entity_locals", "entity_keys", "entity_names")
            if removed is None:
                for table in (*tables, "entities"):
                    db.execute(f"DELETE FROM {table}")
            else:
                for chunk in chunks(set(removed)):
                    marks = ",".join("?" * len(chunk))
                    for table in tables:
                        db.execute(f"DELETE FROM {table} WHERE entity_id IN ({marks})", chunk)
                    db.execute(f"DELETE FROM entities WHERE id IN ({marks})", chunk)
            # A patched entity: only its rows of the articles resolved again go.
            replaced = [(s.entity.id, a) for s in entities for a in sorted(s.replaced)]
            for table in ("entity_locals", "entity_articles", "entity_names"):
                db.executemany(f"DELETE FROM {table} WHERE entity_id = ? AND article_id = ?",
                               replaced)
            db.executemany("DELETE FROM entity_keys WHERE key = ? AND entity_id = ?",
                           [(k, s.entity.id) for s in entities for k in sorted(s.dropped_keys)])
            db.executemany(
                # An upsert, not a REPLACE: that would delete the row and, with it, the rows
                # that reference it (a grown entity keeps them).
                "INSERT INTO entities (id, name, type, aliases, roles) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, "
                "aliases = excluded.aliases, roles = excluded.roles",
                [(s.entity.id, s.entity.name, s.entity.type,
                  json.dumps(s.entity.aliases, ensure_ascii=False),
                  json.dumps(s.entity.roles, ensure_ascii=False)) for s in entities],
            )
            db.executemany(
                "INSERT INTO entity_articles (entity_id, article_id, mentions) VALUES (?, ?, ?)",
                [(s.entity.id, a, s.entity.articles[a]) for s in entities
                 for a in (sorted({a for a, _ in s.locals}) if s.grown else s.entity.articles)],
            )
            db.executemany(
                "INSERT INTO entity_locals (entity_id, article_id, data) VALUES (?, ?, ?)",
                [(s.entity.id, a, json.dumps(d, ensure_ascii=False))
                 for s in entities for a, d in s.locals],
            )
            db.executemany("INSERT OR IGNORE INTO entity_keys (key, entity_id) VALUES (?, ?)",
                           [(k, s.entity.id) for s in entities for k in s.keys])
            db.executemany(
                "INSERT INTO entity_names (article_id, name, entity_id, token) VALUES (?, ?, ?, ?)",
                [(a, n, s.entity.id, int(t)) for s in entities for a, n, t in s.names],
            )

    def entities(self, article_ids: Iterable[int] | None = None) -> list[Entity]:
        counts: dict[int, dict[int, int]] = {}
        sql = "SELECT entity_id, article_id, mentions FROM entity_articles"
        rows = (self._db.execute(sql).fetchall() if article_ids is None
                else self._select(sql, "article_id", set(article_ids)))
        for row in rows:
            counts.setdefault(int(row[0]), {})[int(row[1])] = int(row[2])
        sql = "SELECT id, name, type, aliases, roles FROM entities"
        rows = (self._db.execute(sql).fetchall() if article_ids is None
                else self._select(sql, "id", counts))
        found = [Entity(int(r[0]), r[1], r[2], json.loads(r[3]), json.loads(r[4]),
                        dict(sorted(counts.get(int(r[0]), {}).items()))) for r in rows]
        return sorted((e for e in found if e.articles), key=lambda e: e.id)

    def entity_names(self, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
        """Canonical entity name per (article id, lowercased name) that names one entity
        there (a full name first, else a single name token carried by one entity only)."""
        wanted = set(keys)
        found: dict[tuple[int, str], set[tuple[int, int]]] = {}
        sql = ("SELECT n.article_id, n.name, n.entity_id, n.token FROM entity_names n")
        for row in self._select(sql, "n.article_id", {a for a, _ in wanted}):
            key = (int(row[0]), row[1])
            if key in wanted:
                found.setdefault(key, set()).add((int(row[3]), int(row[2])))
        chosen: dict[tuple[int, str], int] = {}
        for key, options in found.items():
            best = min(t for t, _ in options)
            ids = {e for t, e in options if t == best}
            if len(ids) == 1:
                chosen[key] = ids.pop()
        names = {int(r[0]): r[1] for r in self._select(
            "SELECT id, name FROM entities", "id", set(chosen.values()))}
        return {k: names[e] for k, e in chosen.items() if e in names}

    # -- quotes ------------------------------------------------------------------

    def quotes_by_words(self, word_sets: Sequence[set[str]], max_bucket: int,
                        min_share: float) -> set[int]:
        # A word carried by many groups says nothing about which one a quotation joins.
        rare = self._rare_words(set().union(*word_sets) if word_sets else set(), max_bucket)
        groups: dict[str, list[int]] = {}
        for row in self._select("SELECT word, quote_id FROM quote_words", "word", rare):
            groups.setdefault(row[0], []).append(int(row[1]))
        sizes = {int(r[0]): int(r[1]) for r in self._select(
            "SELECT id, min_words FROM quote_groups", "id",
            {q for ids in groups.values() for q in ids})}
        found: set[int] = set()
        for words in word_sets:
            shared = Counter(chain.from_iterable(map(groups.get, words, repeat(()))))
            # Two quotations are only compared when they share most content words of the
            # shorter one (groups.cluster_quotes): a group sharing fewer with this
            # quotation than that share of its own shortest member's cannot take it in.
            found.update(q for q, n in shared.items()
                         if n >= 2 and n >= min_share * min(len(words), sizes.get(q, 0)))
        return found

    def _rare_words(self, words: set[str], max_bucket: int) -> list[str]:
        rare: list[str] = []
        for chunk in chunks(words):
            marks = ",".join("?" * len(chunk))
            rare += [r[0] for r in self._db.execute(
                f"SELECT word FROM quote_words WHERE word IN ({marks}) GROUP BY word "
                f"HAVING COUNT(*) <= ?", [*chunk, max_bucket])]
        return rare

    def quotes_of_articles(self, article_ids: Iterable[int]) -> set[int]:
        rows = self._select("SELECT DISTINCT quote_id FROM quote_variants", "article_id",
                            set(article_ids))
        return {int(r[0]) for r in rows}

    def quote_variants(self, quote_ids: Iterable[int] | None
                       ) -> list[tuple[int, StoredVariant]]:
        sql = ("SELECT quote_id, article_id, text, start, \"end\", speaker_key, speaker_text, cue, "
               "direct, seq FROM quote_variants")
        rows = (self._db.execute(sql).fetchall() if quote_ids is None
                else self._select(sql, "quote_id", set(quote_ids)))
        rows.sort(key=lambda r: (int(r[0]), int(r[9])))
        return [(int(r[0]), StoredVariant(int(r[1]), r[2], int(r[3]), int(r[4]), r[5], r[6],
                                          r[7], bool(r[8]))) for r in rows]

    def replace_quotes(self, removed: Iterable[int] | None,
                       groups: Sequence[tuple[int, list[StoredVariant], set[str], int]]) -> None:
        with self._store.transaction() as db:
            if removed is None:
                for table in ("quote_words", "quote_variants", "quote_groups"):
                    db.execute(f"DELETE FROM {table}")
            else:
                for chunk in chunks(set(removed)):
                    marks = ",".join("?" * len(chunk))
                    db.execute(f"DELETE FROM quote_words WHERE quote_id IN ({marks})", chunk)
                    db.execute(f"DELETE FROM quote_variants WHERE quote_id IN ({marks})", chunk)
                    db.execute(f"DELETE FROM quote_groups WHERE id IN ({marks})", chunk)
            db.executemany(
                "INSERT INTO quote_groups (id, text, speaker, cue, direct, min_words) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(i, _best_text(vs), None, _most_common(v.cue for v in vs),
                  int(any(v.direct for v in vs)), size) for i, vs, _, size in groups],
            )
            db.executemany(
                "INSERT INTO quote_variants (quote_id, seq, article_id, text, start, \"end\", "
                "speaker_key, speaker_text, cue, direct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(i, n, v.article, v.text, v.start, v.end, v.speaker_key, v.speaker_text,
                  v.cue, int(v.direct)) for i, vs, _, _ in groups for n, v in enumerate(vs)],
            )
            db.executemany("INSERT OR IGNORE INTO quote_words (word, quote_id) VALUES (?, ?)",
                           [(w, i) for i, _, ws, _ in groups for w in ws])

    def quotes(self, article_ids: Iterable[int] | None = None) -> list[Quote]:
        wanted = None if article_ids is None else set(article_ids)
        ids = None if wanted is None else self.quotes_of_articles(wanted)
        variants: dict[int, list[StoredVariant]] = {}
        for quote_id, variant in self.quote_variants(ids):
            if wanted is None or variant.article in wanted:
                variants.setdefault(quote_id, []).append(variant)
        names = self.entity_names((v.article, v.speaker_key) for vs in variants.values()
                                  for v in vs if v.speaker_key)
        sql = "SELECT id, text, cue, direct FROM quote_groups"
        rows = self._select(sql, "id", variants)
        found: list[Quote] = []
        for row in sorted(rows, key=lambda r: int(r[0])):
            these = variants[int(row[0])]
            speakers = Counter(
                names.get((v.article, v.speaker_key or ""), v.speaker_text)
                for v in these if v.speaker_text)
            found.append(Quote(
                int(row[0]), row[1], _most_common(speakers.elements()), row[2],
                sorted({v.article for v in these}),
                [QuoteVariant(v.article, v.text, v.start, v.end) for v in these],
                bool(row[3])))
        return found


def _best_text(variants: Sequence[StoredVariant]) -> str:
    """The text most outlets carry; on a tie, the longest (an untrimmed variant)."""
    texts = Counter(" ".join(v.text.lower().split()) for v in variants)
    best = max(variants, key=lambda v: (texts[" ".join(v.text.lower().split())], v.direct,
                                        len(v.text)))
    return best.text


def _most_common(values: Iterable[str | None]) -> str | None:
    counts: Mapping[str, int] = Counter(v for v in values if v)
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], len(k)))
