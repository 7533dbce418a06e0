"""Extract's resolution of articles resolved again (their stories merged or split:
``consume_invalidations``) writes only those articles' rows of a held entity that kept
all its other locals (``resolve._patch``, ``resolve.WRITE_CHANGES``), and leaves the
entity tables, row for row, as rewriting it whole does (``WRITE_CHANGES`` off and
nothing held: each batch reads the store and rewrites what lost a local, the path
before)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from conftest import StoreBackend
from newsweave.extract import resolve
from newsweave.extract.entities import Mention
from newsweave.extract.held import held_for, iter_held
from newsweave.model import Article

# Names whose entity depends on the story: people sharing a surname, the surname used
# alone (it joins the one person carrying it in its story), given names alone, an
# acronym, places; a story merge or split moves such a lone name between entities.
VOCABULARY: list[tuple[str, str, str | None]] = [
    ("Alexander Grushev", "PERSON", None), ("Maria Grushev", "PERSON", None),
    ("Grushev", "PERSON", None), ("Andrei Petrin", "PERSON", None),
    ("Oleg Petrin", "PERSON", None), ("Petrin", "PERSON", None), ("Wenli", "PERSON", None),
    ("Li Wenli", "PERSON", None), ("United Nations", "ORG", "UN"), ("UN", "ORG", None),
    ("Kiev", "GPE", None), ("Kyiv", "GPE", None), ("Herald", "ORG", None),
]
ROLES = ("minister", "engineer", "spokesman")
TABLES = {
    "entities": "SELECT id, name, type, aliases, roles FROM entities",
    "entity_articles": "SELECT entity_id, article_id, mentions FROM entity_articles",
    "entity_locals": "SELECT entity_id, article_id, data FROM entity_locals",
    "entity_keys": "SELECT key, entity_id FROM entity_keys",
    "entity_names": "SELECT article_id, name, entity_id, token FROM entity_names",
}


def _articles(store: Any, count: int) -> list[int]:
    return store.add_articles(
        [Article(id=None, content_hash=f"patch{n}", raw="", raw_format="text",
                 text=f"Body {n}.", source=f"patch{n}.txt") for n in range(count)],
        [{} for _ in range(count)])


def _mentions(rng: random.Random, ids: Sequence[int]) -> dict[int, list[Mention]]:
    found: dict[int, list[Mention]] = {}
    for article in ids:
        chosen = rng.sample(VOCABULARY, rng.randint(1, 5))
        found[article] = [
            Mention(text, label, 10 * n, 10 * n + len(text),
                    rng.sample(ROLES, rng.randint(0, 2)), acronym)
            for n, (text, label, acronym) in enumerate(chosen * rng.randint(1, 2))]
    return found


def _tables(store: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the entity tables (sorted: the order rows are stored in is not part
    of what the tables say)."""
    with store.transaction() as db:
        return {name: sorted(tuple(r) for r in db.execute(sql).fetchall())
                for name, sql in TABLES.items()}


def _clear(store: Any) -> None:
    """The entity tables emptied and their ids counted from 1 again (the same articles
    resolved again in the same database then number their entities as the first time)."""
    with store.transaction() as db:
        for table in ("entity_articles", "entity_locals", "entity_keys", "entity_names",
                      "entities", "extract_counters"):
            db.execute(f"DELETE FROM {table}")


def _rewrite_whole(store: Any, monkeypatch: pytest.MonkeyPatch, whole: bool) -> None:
    """Write what changed (the default), or rewrite it whole holding nothing (before)."""
    monkeypatch.setattr(resolve, "WRITE_CHANGES", not whole)
    if whole:
        held_for(store).limit = 0


def _resolve(store: Any, mentions: Mapping[int, list[Mention]], stories: Mapping[int, int],
             batch: Sequence[int]) -> None:
    with store.transaction():
        resolve.update_entities(store, {i: mentions[i] for i in batch}, stories, full=False)


def _merges_and_splits(rng: random.Random, ids: Sequence[int], stories: Mapping[int, int]
                       ) -> list[tuple[dict[int, int], list[int]]]:
    """The first 50 articles in batches of 6, then four steps each merging two stories and
    splitting some of the kept one's articles off, with the moved articles (and three
    others) to resolve again: (story changes, articles) per step."""
    plan: list[tuple[dict[int, int], list[int]]] = [({}, list(ids[i : i + 6]))
                                                    for i in range(0, 50, 6)]
    planned = dict(stories)
    for step in range(4):
        kept, gone = rng.sample(sorted(set(planned.values())), 2)
        moved = {i: kept for i in ids[:50] if planned.get(i) == gone}
        moved.update({i: 20 + step for i in ids[:50]
                      if planned.get(i) == kept and rng.random() < 0.4})
        planned.update(moved)
        plan.append((moved, sorted({*moved, *rng.sample(list(ids[:50]), 3)})))
    return plan


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_articles_resolved_again_after_stories_change_leave_what_a_rewrite_leaves(
        store_backend: StoreBackend, seed: int, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(seed)
    patching, rewriting = store_backend.open(), store_backend.open()
    ids = _articles(patching, 80)
    mentions = _mentions(rng, ids)
    stories = {i: rng.randint(1, 8) for i in ids if rng.random() < 0.8}
    outcomes: list[str] = []
    patch = resolve._patch

    def counted(*args: Any) -> Any:
        found = patch(*args)
        outcomes.append("same" if found is None else
                        "story only" if not found.dropped_keys and not found.keys
                        else "changed")
        return found

    monkeypatch.setattr(resolve, "_patch", counted)
    # The articles arrive in batches, then stories merge and split and the articles whose
    # story changed are resolved again (with the same mentions), then more arrive.
    plan = _merges_and_splits(rng, ids, stories)
    plan += [({}, ids[i : i + 10]) for i in range(50, 80, 10)]
    found = []
    seen = 0
    for store in (patching, rewriting):  # (one database: resolved twice, emptied between)
        _clear(store)
        _rewrite_whole(store, monkeypatch, store is rewriting)
        now = dict(stories)
        for moved, batch in plan:
            now.update(moved)
            _resolve(store, mentions, now, batch)
        found.append(_tables(store))
        if store is patching:
            seen = len(outcomes)
            # What is held is counted right (the bound on it is kept by that count).
            held = held_for(store)
            assert held.size == sum(len(h.locals) for _, h in iter_held(store)) > 0
    assert found[0]["entity_locals"] and found[0] == found[1]
    # What the test is about happened (the store holding nothing never patches).
    assert seen == len(outcomes) and {"story only", "changed"} <= set(outcomes), outcomes


def test_a_lone_surname_moving_to_another_person_drops_its_keys_and_names(
        store_backend: StoreBackend, monkeypatch: pytest.MonkeyPatch):
    """A story merge leaves "Grushev" used alone ambiguous: the person it had joined keeps
    its other articles' rows, loses that article's (its local, mention count and names)
    and the keys only that local carried."""
    def person(text: str) -> list[Mention]:
        return [Mention(text, "PERSON", 0, len(text))]

    patching, rewriting = store_backend.open(), store_backend.open()
    a, b, c, d = _articles(patching, 4)
    mentions = {a: person("Alexander Grushev"), b: person("Maria Grushev"),
                c: person("Grushev"), d: person("Alexander Grushev")}
    found = []
    for store in (patching, rewriting):  # (one database: resolved twice, emptied between)
        _clear(store)
        _rewrite_whole(store, monkeypatch, store is rewriting)
        _resolve(store, mentions, {a: 1, b: 2, c: 1, d: 3}, [a, b, d])
        _resolve(store, mentions, {a: 1, b: 2, c: 1, d: 3}, [c])
        entity = next(e for e in store.extract.entities() if e.name == "Alexander Grushev")
        assert sorted(entity.articles) == [a, c, d]
        assert entity.id in store.extract.entities_by_keys(["N:grushev"])
        # Story 1 merges into story 2, where Maria Grushev is: "Grushev" alone now fits
        # two people and stays apart.
        _resolve(store, mentions, {a: 2, b: 2, c: 2, d: 3}, [a, c])
        after = {e.id: sorted(e.articles) for e in store.extract.entities()}
        assert after[entity.id] == [a, d]
        assert [c] in after.values()
        assert entity.id not in store.extract.entities_by_keys(["N:grushev"])
        names = store.extract.entity_names([(c, "grushev")])
        assert names.get((c, "grushev")) != "Alexander Grushev"
        found.append(_tables(store))
    assert found[0] == found[1]

