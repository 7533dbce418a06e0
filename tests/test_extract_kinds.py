"""Extract's resolution of a batch through the touched entities' kinds (``extract/kinds.py``,
``resolve.BY_KINDS``) writes what pooling every local of them writes (the path before,
``BY_KINDS`` off), row for row, and keeps each held entity's kinds right as it grows and
is patched."""

from __future__ import annotations

import random
from typing import Any

import pytest

from conftest import StoreBackend
from newsweave.extract import kinds as kinds_module
from newsweave.extract import resolve
from newsweave.extract.canonical import group_article, resolve_distinct
from newsweave.extract.held import iter_held
from newsweave.extract.kinds import Entry, Pool, kinds_of
from test_extract_patch import _articles, _clear, _mentions, _merges_and_splits, _resolve, _tables


def _plan(rng: random.Random, ids: list[int], stories: dict[int, int]
          ) -> list[tuple[dict[int, int], list[int]]]:
    """Batches of new articles, then stories merged and split with their articles (and a
    few others) resolved again, then more new articles, some older than the newest."""
    plan = _merges_and_splits(rng, ids, stories)
    late = ids[50:]
    rng.shuffle(late)
    return plan + [({}, sorted(late[i : i + 10])) for i in range(0, len(late), 10)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_resolving_by_kinds_leaves_what_pooling_every_local_leaves(
        store_backend: StoreBackend, seed: int, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(seed)
    by_kinds, by_locals = store_backend.open(), store_backend.open()
    ids = _articles(by_kinds, 90)
    mentions = _mentions(rng, ids)
    stories = {i: rng.randint(1, 8) for i in ids if rng.random() < 0.8}
    plan = _plan(rng, ids, stories)
    # What the kinds' path did with each cluster it was handed (to show it ran).
    members = Pool.members
    built: list[int] = []

    def counted(self: Pool, cluster: Any) -> Any:
        built.append(len(cluster.whole) + len(cluster.some))
        return members(self, cluster)

    monkeypatch.setattr(Pool, "members", counted)
    found = []
    for store in (by_kinds, by_locals):  # (one database: resolved twice, emptied between)
        _clear(store)
        monkeypatch.setattr(resolve, "BY_KINDS", store is by_kinds)
        now = dict(stories)
        for moved, batch in plan:
            now.update(moved)
            _resolve(store, mentions, now, batch)
            if store is by_kinds:
                # Every held entity's kinds are those of its locals (kept up, not made again).
                for _, held in iter_held(store):
                    if held.kinds is not None:
                        assert held.kinds == kinds_of(held.locals)
        found.append(_tables(store))
    assert found[0]["entity_locals"] and found[0] == found[1]
    assert built and len(built) < sum(len(b) for _, b in plan) * 5


@pytest.mark.parametrize("seed", range(6))
def test_a_pool_of_kinds_finds_the_clusters_of_every_local(seed: int):
    """Entities given as pool entries (their locals in a shuffled store order, some left
    out as the batch's articles' own) and a batch's locals: the clusters, each one's members
    in the pool's order, are ``resolve_distinct``'s on the whole pool sorted by article."""
    rng = random.Random(seed)
    ids = list(range(1, 121))
    mentions = _mentions(rng, ids)
    stories = {i: rng.randint(1, 6) for i in ids if rng.random() < 0.8}
    locals_ = [loc for i in ids for loc in group_article(i, stories.get(i), mentions[i])]
    batch = [loc for loc in locals_ if loc.article > 100]
    stored = [loc for loc in locals_ if loc.article <= 100]
    rng.shuffle(stored)
    entries: dict[int, Entry] = {}
    cut = sorted(rng.sample(range(1, len(stored)), 12))
    for rank, (start, end) in enumerate(zip([0, *cut], [*cut, len(stored)], strict=True)):
        held = stored[start:end]
        kept = [i for i, loc in enumerate(held) if loc.article % 7]  # the rest: "lost"
        if kept:
            entries[100 + rank] = Entry(held, [loc.identity() for loc in held], kept,
                                        kinds_of(held, kept), rank)
    pool_order = [(e.locals[i].article, e.rank, i, e.locals[i])
                  for e in entries.values() for i in e.kept]
    pool_order += [(loc.article, len(entries), i, loc) for i, loc in enumerate(batch)]
    pool = [p[3] for p in sorted(pool_order, key=lambda p: p[:3])]
    expected = [[id(pool[i]) for i in c] for c in resolve_distinct(pool)]
    found = Pool(entries, batch)
    assert [[id(loc) for loc, _ in found.members(c)] for c in found.clusters] == expected
    assert len(expected) > 5 and any(len(c) > 3 for c in expected)


def test_kinds_follow_a_lone_surname_in_the_story(monkeypatch: pytest.MonkeyPatch):
    """A full name's kind keeps its story only where a surname used alone in the pool could
    be matched in it: a person's locals of another story stay one kind (counted through
    the pool's ``lone`` set, not the entity's own)."""
    from newsweave.extract.entities import Mention

    def local(article: int, story: int, text: str) -> Any:
        return group_article(article, story, [Mention(text, "PERSON", 0, len(text))])[0]

    person = [local(1, 1, "Maria Grushev"), local(2, 2, "Maria Grushev"),
              local(3, 3, "Maria Grushev")]
    entry = Entry(person, [p.identity() for p in person], [0, 1, 2], kinds_of(person), 0)
    alone = [local(4, 2, "Grushev")]
    pool = Pool({7: entry}, alone)
    assert [len(c.whole) + len(c.fresh) for c in pool.clusters] == [2]
    calls: list[Any] = []
    first = kinds_module.kind_of_part
    monkeypatch.setattr(kinds_module, "kind_of_part",
                        lambda part, lone: calls.append(part) or first(part, lone))
    Pool({7: entry}, alone)
    # One kind for story 2 (where "Grushev" alone is), one for the others.
    assert len({first(p, {("grushev", 2)}) for p in calls if p[0]}) == 2


def _merge_full_names_pairwise(locals_: list[Any], people: list[int], union: Any) -> None:
    """The full names merged by comparing every pair of a block (the way before the pairs
    were kept)."""
    from collections import defaultdict

    from newsweave.extract.canonical import _same_person, skeleton

    by_name: dict[str, list[int]] = defaultdict(list)
    for i in people:
        by_name[skeleton(locals_[i].full or "")].append(i)
    blocks: dict[str, list[str]] = defaultdict(list)
    for name in by_name:
        blocks[name.split()[-1][:2]].append(name)
    for i_list in by_name.values():
        for j in i_list[1:]:
            union(i_list[0], j)
    for names in blocks.values():
        for x, a in enumerate(names):
            for b in names[x + 1 :]:
                if _same_person(a, b):
                    union(by_name[a][0], by_name[b][0])


@pytest.mark.parametrize("limit", [3, 1 << 18])
def test_kept_pairs_of_one_person_merge_what_comparing_every_pair_merges(
        limit: int, monkeypatch: pytest.MonkeyPatch):
    """Pools of transliterated, initialled and reordered full names, resolved one after
    another with the pairs kept across them (``limit`` 3: forgotten and found again),
    give the clusters of comparing every pair of each block."""
    from newsweave.extract import canonical
    from newsweave.extract.entities import Mention

    given = ["Andrei", "Andrey", "A.", "Maria", "Mariya", "Oleg", "Li"]
    family = ["Grushev", "Gruchev", "Grushin", "Petrin", "Petrine", "Wenli", "Chen", "Shen"]
    rng = random.Random(limit)
    monkeypatch.setattr(canonical, "_SAME_PEOPLE", canonical._SamePeople(limit))
    for round_ in range(8):
        locals_ = []
        for article in range(rng.randint(5, 40)):
            text = (f"{rng.choice(family)} {rng.choice(given)}" if rng.random() < 0.1
                    else f"{rng.choice(given)} {rng.choice(family)}")
            locals_ += group_article(article, rng.randint(1, 3),
                                     [Mention(text, "PERSON", 0, len(text))])
        kept = canonical.resolve_locals(locals_)
        with monkeypatch.context() as m:
            m.setattr(canonical, "_merge_full_names", _merge_full_names_pairwise)
            pairwise = canonical.resolve_locals(locals_)
        assert kept == pairwise, round_
