"""Extract's resolution with the touched entities' locals held across batches
(``extract/held.py``) writes what reading them back from the store writes: the same
entities, ids, locals, keys and names, batch after batch, whatever the batches' order,
through merges and splits, after a rolled-back batch and after another process's."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from conftest import StoreBackend
from newsweave.extract.canonical import (
    Local,
    group_article,
    resolve_distinct,
    resolve_locals,
    skeleton,
)
from newsweave.extract.entities import Mention
from newsweave.extract.held import held_for, iter_held
from newsweave.extract.resolve import update_entities
from newsweave.model import Article

# Names whose resolution depends on what else is in the pool: transliterations, given names
# that bridge two people ("Alex" between "Alexander" and "Alexei"), surnames used alone
# that one or several people carry, acronyms declared or guessed from initials, place
# spellings, one name with two labels.
VOCABULARY: list[tuple[str, str, str | None]] = [
    ("Alexander Grushev", "PERSON", None), ("Alexei Grushev", "PERSON", None),
    ("Alex Grushev", "PERSON", None), ("Grushev", "PERSON", None),
    ("Maria Grushev", "PERSON", None), ("Andrei Petrin", "PERSON", None),
    ("Andrey Petrin", "PERSON", None), ("Petrin", "PERSON", None),
    ("Andrei", "PERSON", None), ("Li Wenli", "PERSON", None), ("Wenli", "PERSON", None),
    ("United Nations", "ORG", "UN"), ("UN", "ORG", None), ("US", "GPE", None),
    ("United States", "GPE", None), ("US", "ORG", None), ("Kiev", "GPE", None),
    ("Kyiv", "GPE", None), ("Ostrava Hydro", "ORG", None), ("OH", "ORG", None),
    ("Herald", "ORG", None), ("Herald", "PERSON", None), ("Ministry of Energy", "ORG", None),
]
ROLES = ("minister", "engineer", "spokesman")


def _articles(store: Any, count: int) -> list[int]:
    return store.add_articles(
        [Article(id=None, content_hash=f"held{n}", raw="", raw_format="text",
                 text=f"Body {n}.", source=f"held{n}.txt") for n in range(count)],
        [{} for _ in range(count)])


def _mentions(rng: random.Random, ids: Sequence[int]) -> dict[int, list[Mention]]:
    found: dict[int, list[Mention]] = {}
    for article in ids:
        chosen = rng.sample(VOCABULARY, rng.randint(1, 6))
        found[article] = [
            Mention(text, label, 10 * n, 10 * n + len(text),
                    rng.sample(ROLES, rng.randint(0, 2)), acronym)
            for n, (text, label, acronym) in enumerate(chosen * rng.randint(1, 2))]
    return found


def _resolve(store: Any, mentions: Mapping[int, list[Mention]], stories: Mapping[int, int],
             batch: Sequence[int]) -> None:
    with store.transaction():
        update_entities(store, {i: mentions[i] for i in batch}, stories, full=False)


def _clear(store: Any) -> None:
    """The entity tables emptied and their ids counted from 1 again (a second resolution of
    the same articles in the same store then numbers its entities as the first did)."""
    with store.transaction() as db:
        for table in ("entity_articles", "entity_locals", "entity_keys", "entity_names",
                      "entities", "extract_counters"):
            db.execute(f"DELETE FROM {table}")


def _tables(store: Any) -> dict[str, Any]:
    """Everything the entity tables hold, comparable across two stores."""
    locals_ = sorted((e, json.dumps(d, sort_keys=True)) for e, d in
                     store.extract.entity_locals(None))
    keys = set().union(*(Local.from_dict(json.loads(d)).keys() for _, d in locals_))
    by_key = sorted((k, e) for k in keys for e in store.extract.entities_by_keys([k]))
    articles = sorted({a for e, d in locals_ for a in [json.loads(d)["article"]]})
    names = store.extract.entity_names(
        (a, name) for a in articles for name in
        ["grushev", "petrin", "wenli", "andrei", "herald", "alexander grushev", "us"])
    return {"entities": [(e.id, e.name, e.type, e.aliases, e.roles, e.articles)
                         for e in store.extract.entities()],
            "locals": locals_, "keys": by_key, "names": sorted(names.items())}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_held_locals_write_what_reading_the_store_writes(store_backend: StoreBackend,
                                                         seed: int):
    rng = random.Random(seed)
    held_store, reading = store_backend.open(), store_backend.open()
    ids = _articles(held_store, 60)
    mentions = _mentions(rng, ids)
    stories = {i: rng.choice([1, 2, 3]) for i in ids if rng.random() < 0.7}
    held_for(reading).limit = 0  # nothing held: every batch reads the store, as before
    # Articles out of order in batches of 1-7: an entity then gains articles older than
    # some it has (its tally is then counted again), and merges and splits happen.
    order = list(ids)
    rng.shuffle(order)
    batches, start = [], 0
    while start < len(order):
        size = rng.randint(1, 7)
        batches.append(order[start : start + size])
        start += size
    for batch in batches:
        _resolve(held_store, mentions, stories, batch)
    first = _tables(held_store)
    # The same articles again, in the same store, nothing held.
    _clear(reading)
    for batch in batches:
        _resolve(reading, mentions, stories, batch)
    assert _tables(reading) == first
    assert sum(len(h.locals) for _, h in iter_held(held_store)) > 0
    assert not list(iter_held(reading))
    assert any(len(e[5]) >= 5 for e in first["entities"])


def test_a_bridging_name_merges_two_entities_and_a_lone_surname_follows(
        store_backend: StoreBackend):
    """The cases a batch cannot just append to one entity: a new name that two held
    entities' people both match (they merge, the older id stays), a surname used alone
    that then fits one person, then two again (it splits off, with a new id)."""
    def person(text: str) -> list[Mention]:
        return [Mention(text, "PERSON", 0, len(text))]

    held_store = store_backend.open()
    ids = _articles(held_store, 6)
    mentions = {ids[0]: person("Alexander Grushev"), ids[1]: person("Alexei Grushev"),
                ids[2]: person("Grushev"), ids[3]: person("Alex Grushev"),
                ids[4]: person("Maria Grushev"), ids[5]: person("Grushev")}
    steps = [ids[:3], ids[3:4], ids[4:5], ids[5:]]

    def partitions(store: Any) -> list[dict[int, list[int]]]:
        seen = []
        for step in steps:
            _resolve(store, mentions, {}, step)
            seen.append({e.id: sorted(e.articles) for e in store.extract.entities()})
        return seen

    held = partitions(held_store)
    a, b, c, d, e, f = ids
    assert sorted(held[0].values()) == [[a], [b], [c]]  # the surname fits two people
    assert sorted(held[1].values()) == [[a, b, c, d]]  # "Alex" makes them one
    assert list(held[1]) == [min(held[0])]  # the older id stays
    assert sorted(held[2].values()) == [[a, b, d], [c], [e]]  # two people again
    assert max(held[2]) > max(held[0])  # a split-off part gets a new id
    assert sorted(held[3].values()) == [[a, b, d], [c, f], [e]]
    first = _tables(held_store)
    reading = store_backend.open()
    _clear(reading)
    held_for(reading).limit = 0
    assert partitions(reading)[-1] == held[-1]
    assert _tables(reading) == first


def test_a_rolled_back_batch_or_another_writer_makes_it_read_the_store_again(
        store_backend: StoreBackend):
    rng = random.Random(5)
    one, other, reading = (store_backend.open(), store_backend.open(),
                           store_backend.open())
    assert one.extract.stamp() is None
    ids = _articles(one, 40)
    mentions = _mentions(rng, ids)
    batches = [ids[i : i + 5] for i in range(0, len(ids), 5)]
    _resolve(one, mentions, {}, batches[0])
    stamp = one.extract.stamp()
    assert stamp is not None and one.extract.stamp() == other.extract.stamp()
    # A batch resolved in full, then rolled back: what it held is not the store any more.
    with pytest.raises(RuntimeError), one.transaction():
        update_entities(one, {i: mentions[i] for i in batches[1]}, {}, full=False)
        raise RuntimeError("the batch failed after its resolution")
    assert one.extract.stamp() == stamp
    for batch in batches[1:4]:
        _resolve(one, mentions, {}, batch)
    _resolve(other, mentions, {}, batches[4])  # another process's resolution in between
    for batch in batches[5:]:
        _resolve(one, mentions, {}, batch)
    first = _tables(one)
    _clear(reading)
    held_for(reading).limit = 0
    for batch in batches:
        _resolve(reading, mentions, {}, batch)
    assert _tables(reading) == first


def test_a_lone_name_joins_the_one_person_of_its_story_else_of_the_pool():
    """resolve_locals gathers the people carrying a name once per name (``_scope``): each
    lone name still goes where the rule says, checked against the people's clusters."""
    rng = random.Random(11)
    pool: list[Local] = []
    for article in range(200):
        chosen = rng.sample(VOCABULARY, rng.randint(1, 5))
        pool += group_article(article, rng.choice([None, *range(1, 80)]),
                              [Mention(t, lab, 0, len(t), [], acr) for t, lab, acr in chosen])
    clusters = resolve_locals(pool)
    cluster_of = {i: n for n, c in enumerate(clusters) for i in c}
    people: dict[str, list[int]] = defaultdict(list)
    for i, loc in enumerate(pool):
        if loc.full:
            for token in skeleton(loc.full).split():
                people[token].append(i)
    checked = 0
    for i, loc in enumerate(pool):
        key = skeleton(next(iter(loc.names)))
        if loc.full or loc.label != "PERSON" or " " in key:
            continue
        carrying = people.get(key, [])
        in_story = {cluster_of[j] for j in carrying if pool[j].story == loc.story}
        anywhere = {cluster_of[j] for j in carrying}
        expected = (in_story if loc.story is not None and in_story else anywhere)
        joined = [n for n in expected if n == cluster_of[i]]
        if len(expected) == 1:
            assert joined, (loc, expected)
        else:
            assert not any(pool[j].full for j in clusters[cluster_of[i]]), loc
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("seed", range(6))
def test_resolving_each_kind_of_local_once_gives_the_same_clusters(seed: int):
    """``resolve_distinct`` (the first local of each kind resolved, the rest following it)
    gives ``resolve_locals``'s clusters, in its order, on pools where most locals repeat
    an earlier one's name, label, acronyms and story, and surnames alone are in stories."""
    rng = random.Random(seed)
    pool: list[Local] = []
    for article in range(rng.randint(50, 400)):
        chosen = rng.sample(VOCABULARY, rng.randint(1, 6))
        pool += group_article(article, rng.choice([None, *range(1, rng.choice([3, 30, 90]))]),
                              [Mention(t, lab, 0, len(t), [], acr) for t, lab, acr in chosen])
    rng.shuffle(pool)  # in no particular order: the first of a kind is anywhere
    assert resolve_distinct(pool) == resolve_locals(pool)
    assert len(resolve_locals(pool)) > 3
