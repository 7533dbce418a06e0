"""SQL of the stories stage: story records, membership, merge log, incremental state.

Tables (migration "stories" in :mod:`newsweave.store.migrations`):

- ``story_features``: each article's hashed feature counts (packed vectors),
  name labels and publication day; ``story_df`` plain counters by key, which the
  stories stage keeps as document frequencies (:mod:`newsweave.stories.frequencies`),
  so IDF needs no pass over the store. The store adds to them; it does not decide
  what they count. A batch's changes to the feature keys' counters go first to
  ``story_df_pending`` (one row a batch, the keys and changes packed), and are folded
  into ``story_df`` once :data:`FOLD_KEYS` keys are pending: a counter is its
  ``story_df`` value plus its pending changes (:mod:`newsweave.store.story_frequencies`).
- ``stories``: one row per story id ever issued; ``merged_into`` points a
  merged id at its survivor. ``centroid``/``names``/``dates`` are the summed
  member vectors used for online assignment.
- ``story_members``: article -> story (one story per article).
- ``story_keys``: inverted index from a story's heaviest feature keys to the
  story, so a new article finds candidate stories with one indexed lookup.
- ``story_log``: what merged into what, what split off, when.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from newsweave.store.sql import chunks

# The rows and the tables' interface, and the document frequencies, live in their own
# modules; their names are re-exported here, where the stages import them from.
from newsweave.store.story_frequencies import (
    DF_CACHE_KEYS,
    DF_RECENT_KEYS,
    DOCUMENTS,
    FOLD_CHUNK,
    FOLD_KEYS,
    GENERATION,
    READ_ATTEMPTS,
    FrequencyCache,
    StoryFrequencies,
)
from newsweave.store.story_rows import (
    FeatureRow,
    StoredEntities,
    StoredLabels,
    StoryRow,
    StoryTables,
    entities_json,
)


class StoriesTables(StoryFrequencies):
    """The stories stage's SQL, on the store's connection (and inside its transactions); the
    document frequencies' part is :class:`StoryFrequencies`."""

    def save_features(self, rows: Sequence[FeatureRow]) -> None:
        with self._store.transaction() as db:
            # The document counter is created (from a count of the rows) before rows change,
            # so that the count does not already include the rows the caller is adding.
            self.document_count()
            for chunk in chunks([r.article_id for r in rows]):
                marks = ",".join("?" * len(chunk))
                db.execute(f"DELETE FROM story_features WHERE article_id IN ({marks})", chunk)
            db.executemany(
                "INSERT INTO story_features (article_id, terms, names, dates, labels, day, title) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.article_id, r.terms, r.names, r.dates,
                     json.dumps({str(k): v for k, v in r.labels.items()}, ensure_ascii=False),
                     r.day, r.title)
                    for r in rows
                ],
            )

    def features(self, article_ids: Iterable[int]) -> dict[int, FeatureRow]:
        found: dict[int, FeatureRow] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT article_id, terms, names, dates, labels, day, title FROM story_features "
                f"WHERE article_id IN ({marks})", chunk
            ):
                found[int(row[0])] = FeatureRow(
                    int(row[0]), row[1], row[2], row[3], StoredLabels(row[4]), row[5],
                    row[6] or "",
                )
        return found

    # -- stories ----------------------------------------------------------------

    def candidates(self, keys: Sequence[int], limit: int) -> list[int]:
        """Live stories sharing the most of ``keys`` in their index, best first."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT story_id, count(*) AS hits FROM story_keys WHERE key IN ({marks}) "
            f"GROUP BY story_id ORDER BY hits DESC, story_id LIMIT ?",
            (*keys, limit),
        )
        return [int(r[0]) for r in rows]

    def candidates_of(self, queries: Sequence[Sequence[int]], limit: int) -> list[list[int]]:
        """:meth:`candidates` of each query in ``queries``, from one read of the index
        rows of all their keys: a batch's articles share many keys (at 40,000 articles
        a batch's 1,000 lookups read 2.1 million index rows, the union of their keys 0.23
        million), and one query per article grouped and sorted each in temporary B-trees
        (docs/benchmarks.md, "Archive scale, part 26"). The same lists: ranked by hits,
        then story id; ``limit`` > 0. Fewer than :data:`CANDIDATES_AT_ONCE` queries share
        too few keys to pay for the union: they are looked up one by one."""
        if len(queries) < CANDIDATES_AT_ONCE:
            return [self.candidates(query, limit) for query in queries]
        postings: dict[int, list[int]] = {}
        for chunk in chunks(sorted({k for query in queries for k in query})):
            marks = ",".join("?" * len(chunk))
            for key, story_id in self._db.execute(
                    f"SELECT key, story_id FROM story_keys WHERE key IN ({marks})", chunk):
                postings.setdefault(key, []).append(story_id)
        found: list[list[int]] = []
        none: list[int] = []
        for query in queries:
            # (a key given twice counts once, as in IN)
            hits = Counter(chain.from_iterable([postings.get(k, none) for k in set(query)]))
            best = heapq.nsmallest(limit, hits.items(), key=_by_hits) if limit > 0 else []
            found.append([int(story_id) for story_id, _ in best])
        return found

    def stories_by_id(self, story_ids: Iterable[int]) -> dict[int, StoryRow]:
        found: dict[int, StoryRow] = {}
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(
                f"SELECT id, size, title, centroid, names, dates, first_day, last_day, entities, "
                f"merged_into FROM stories WHERE id IN ({marks})", chunk
            ):
                found[int(row[0])] = StoryRow(
                    int(row[0]), int(row[1]), row[2], row[3], row[4], row[5], row[6], row[7],
                    StoredEntities(row[8]), row[9],
                )
        return found

    def new_story(self, row: StoryRow) -> int:
        now = _now()
        with self._store.transaction() as db:
            cursor = db.execute(
                "INSERT INTO stories (size, title, centroid, names, dates, first_day, last_day, "
                "entities, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.size, row.title, row.centroid, row.names, row.dates, row.first_day,
                 row.last_day, entities_json(row.entities), now, now),
            )
        return int(cursor.lastrowid or 0)

    def update_story(self, row: StoryRow, keys: Sequence[int]) -> None:
        self.update_stories([(row, keys)])

    def update_stories(self, updates: Sequence[tuple[StoryRow, Sequence[int]]]) -> None:
        """:meth:`update_story` of many stories (each row with its index keys), in a few
        statements for all of them: a batch of articles changes a hundred stories."""
        if not updates:
            return
        now = _now()
        with self._store.transaction() as db:
            db.executemany(
                "UPDATE stories SET size = ?, title = ?, centroid = ?, names = ?, dates = ?, "
                "first_day = ?, last_day = ?, entities = ?, updated_at = ? WHERE id = ?",
                [(row.size, row.title, row.centroid, row.names, row.dates, row.first_day,
                  row.last_day, entities_json(row.entities), now, row.id)
                 for row, _ in updates],
            )
            # Only the keys that changed: a story's heaviest keys barely move when one
            # article joins, and rewriting all of them was most of the cost of a save.
            old: dict[int, set[int]] = {row.id: set() for row, _ in updates}
            for chunk in chunks(list(old)):
                marks = ",".join("?" * len(chunk))
                for story_id, key in db.execute(
                        f"SELECT story_id, key FROM story_keys WHERE story_id IN ({marks})",
                        chunk):
                    old[int(story_id)].add(int(key))
            gone: list[tuple[int, int]] = []
            added: list[tuple[int, int]] = []
            for row, keys in updates:
                new = set(keys)
                gone.extend((k, row.id) for k in old[row.id] - new)
                added.extend((k, row.id) for k in new - old[row.id])
                old[row.id] = new  # a story given twice: its last keys stand
            db.executemany("DELETE FROM story_keys WHERE key = ? AND story_id = ?", gone)
            db.executemany("INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)",
                           added)

    def merge_story(self, story_id: int, into: int) -> None:
        """Retire ``story_id``: it (and every id merged into it) now resolves to ``into``."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE stories SET merged_into = ?, size = 0, centroid = NULL, names = NULL, "
                "dates = NULL, updated_at = ? WHERE id = ?",
                (into, _now(), story_id),
            )
            db.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?",
                       (into, story_id))
            db.execute("DELETE FROM story_keys WHERE story_id = ?", (story_id,))

    def set_members(self, story_id: int, article_ids: Iterable[int]) -> None:
        with self._store.transaction() as db:
            db.executemany(
                "INSERT INTO story_members (article_id, story_id) VALUES (?, ?) "
                "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
                [(a, story_id) for a in article_ids],
            )

    def set_memberships(self, pairs: Iterable[tuple[int, int]]) -> None:
        """:meth:`set_members` of many stories at once: ``(article, story)`` pairs."""
        with self._store.transaction() as db:
            db.executemany(
                "INSERT INTO story_members (article_id, story_id) VALUES (?, ?) "
                "ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
                list(pairs),
            )

    def story_of(self, article_ids: Iterable[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for chunk in chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            found.update(
                (int(a), int(s))
                for a, s in self._db.execute(
                    f"SELECT article_id, story_id FROM story_members "
                    f"WHERE article_id IN ({marks})", chunk
                )
            )
        return found

    def members(self, story_ids: Iterable[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for a, s in self._db.execute(
                f"SELECT article_id, story_id FROM story_members WHERE story_id IN ({marks}) "
                f"ORDER BY article_id", chunk
            ):
                found.setdefault(int(s), []).append(int(a))
        return found

    def member_days(self, story_ids: Iterable[int]) -> dict[int, list[int | None]]:
        """Each story's members' publication days (None: undated, or no stored features),
        in no particular order."""
        found: dict[int, list[int | None]] = {}
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for s, day in self._db.execute(
                f"SELECT m.story_id, f.day FROM story_members m LEFT JOIN story_features f "
                f"ON f.article_id = m.article_id WHERE m.story_id IN ({marks})", chunk
            ):
                found.setdefault(int(s), []).append(None if day is None else int(day))
        return found

    def active_story_ids(self) -> list[int]:
        rows = self._db.execute(
            "SELECT id FROM stories WHERE merged_into IS NULL AND size > 0 ORDER BY id"
        )
        return [int(r[0]) for r in rows]

    def active_among(self, story_ids: Iterable[int]) -> list[int]:
        """Those of ``story_ids`` that are live (not merged away, not empty)."""
        return sorted(s for s, row in self.stories_by_id(story_ids).items()
                      if row.merged_into is None and row.size > 0)

    def resolve(self, story_id: int) -> int | None:
        """The live id for ``story_id`` (itself, or the story it was merged into)."""
        seen: set[int] = set()
        current = story_id
        while current not in seen:
            seen.add(current)
            row = self._db.execute(
                "SELECT merged_into FROM stories WHERE id = ?", (current,)
            ).fetchone()
            if row is None:
                return None
            if row[0] is None:
                return current
            current = int(row[0])
        return None

    def summaries(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Per story: title, entities, member ids, outlets, first/last published."""
        stories = self.stories_by_id(story_ids)
        found: dict[int, dict[str, Any]] = {
            s: {"title": row.title, "entities": row.entities, "articles": [], "outlets": [],
                "published": []}
            for s, row in stories.items()
        }
        for chunk in chunks(list(story_ids)):
            marks = ",".join("?" * len(chunk))
            for story_id, article_id, outlet, published in self._db.execute(
                f"SELECT m.story_id, a.id, a.outlet, a.published FROM story_members m "
                f"JOIN articles a ON a.id = m.article_id WHERE m.story_id IN ({marks}) "
                f"ORDER BY a.id", chunk
            ):
                entry = found.get(int(story_id))
                if entry is None:
                    continue
                entry["articles"].append(int(article_id))
                if outlet and outlet not in entry["outlets"]:
                    entry["outlets"].append(outlet)
                if published:
                    entry["published"].append(published)
        return found

    # -- merge log --------------------------------------------------------------

    def log(
        self, action: str, story_id: int, other_id: int | None,
        articles: Sequence[int] | Mapping[str, Sequence[int]],
    ) -> None:
        """Record a merge or split; ``articles``: the ids involved (a user's split gives
        ``{"moved": [...], "kept": [...]}``)."""
        shown = ({k: list(v) for k, v in articles.items()} if isinstance(articles, Mapping)
                 else list(articles))
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO story_log (action, story_id, other_id, articles, at) "
                "VALUES (?, ?, ?, ?, ?)",
                (action, story_id, other_id, json.dumps(shown), _now()),
            )

    def user_decisions(self) -> list[dict[str, Any]]:
        """The log entries a user made (``user-merge``, ``user-split``), oldest first."""
        return [
            {"seq": r[0], "action": r[1], "story": r[2], "other": r[3],
             "articles": json.loads(r[4]), "at": r[5]}
            for r in self._db.execute(
                "SELECT seq, action, story_id, other_id, articles, at FROM story_log "
                "WHERE action LIKE 'user-%' ORDER BY seq")
        ]

    def history(self, story_id: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT seq, action, story_id, other_id, articles, at FROM story_log"
        params: tuple[int, ...] = ()
        if story_id is not None:
            sql += " WHERE story_id = ? OR other_id = ?"
            params = (story_id, story_id)
        return [
            {"seq": r[0], "action": r[1], "story": r[2], "other": r[3],
             "articles": json.loads(r[4]), "at": r[5]}
            for r in self._db.execute(sql + " ORDER BY seq", params)
        ]



def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Queries from which StoryTables.candidates_of reads the union of their keys' index rows:
# at 40,000 articles 1,000 lookups took 0.40-0.58 CPU s at once against 0.54-0.67 one by
# one, in slices of 500 0.55-0.83 against 0.61-0.67 (about even), of 200 0.9-1.2 (docs/
# benchmarks.md, "Archive scale, part 26"); a stage batch of 1,000 new articles holds a
# few less (known and rejected inputs). The lists are the same either way.
CANDIDATES_AT_ONCE = 750


def _by_hits(item: tuple[int, int]) -> tuple[int, int]:
    """A candidate's rank in :meth:`StoryTables.candidates`' order: more hits first,
    then the smaller story id."""
    return -item[1], item[0]


__all__ = [
    "DF_CACHE_KEYS", "DF_RECENT_KEYS", "DOCUMENTS", "FOLD_CHUNK", "FOLD_KEYS", "GENERATION",
    "READ_ATTEMPTS", "FeatureRow", "FrequencyCache", "StoredEntities", "StoredLabels",
    "StoriesTables", "StoryRow", "StoryTables",
]
