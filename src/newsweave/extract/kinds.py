"""A batch's pool of locals clustered by kind, without going through every local.

``canonical.resolve_distinct`` resolves only the first local of each kind of a pool (the
rest follow it), but a batch still built the pool of every local of every entity it
touched, sorted it and read each local's kind: a common name has a local in every article
naming it, so that grew with the store (archive scale, part 24). Here each held entity
keeps its locals' kinds (:class:`Kinds`: the first local of each, and the surnames used
alone), so a batch goes through the touched entities' kinds and the batch's own locals
only, and finds the same clusters in the same order: the first local of a kind in the pool
(sorted by article, stably) is the one of lowest (article, the entity's place in the pool,
its place in the entity) among the entities carrying it, the batch's own after them.

What it gives is per cluster (:class:`Cluster`): which entities it holds, whole or in
part, and the batch's locals in it; its members in the pool's order are put together only
when asked (a common entity that just gains the batch's locals never is).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsweave.extract.canonical import Local, kind_of_part, kind_part, resolve_locals

Part = tuple[Any, ...]


@dataclass(slots=True)
class Kinds:
    """An entity's locals by kind (``canonical.kind_part``, before the pool is known): the
    (article, index) of the first of each kind, lowest article first, and the (name, story)
    of its surnames used alone."""

    first: dict[Part, tuple[int, int]] = field(default_factory=dict)
    lone: set[tuple[str, int]] = field(default_factory=set)

    def add(self, loc: Local, index: int) -> None:
        part, alone = kind_part(loc)
        seen = self.first.get(part)
        if seen is None or loc.article < seen[0]:
            self.first[part] = (loc.article, index)
        if alone is not None:
            self.lone.add(alone)


def kinds_of(locals_: Sequence[Local], indices: Sequence[int] | None = None) -> Kinds:
    """The kinds of ``locals_`` (of those at ``indices`` only, when given)."""
    kinds = Kinds()
    for index in range(len(locals_)) if indices is None else indices:
        kinds.add(locals_[index], index)
    return kinds


def moved_kinds(kinds: Kinds, kept: Sequence[int]) -> Kinds:
    """``kinds`` (of the locals at ``kept``, increasing indices) once those locals are
    moved to the front, in their order (a patched entity's: ``resolve._patch``)."""
    return Kinds({part: (article, bisect_left(kept, index))
                  for part, (article, index) in kinds.first.items()}, set(kinds.lone))


@dataclass(slots=True)
class Entry:
    """A touched entity in the pool: its locals as stored, which of them are in the pool
    (all, or those of other articles than the batch's), their kinds, its place."""

    locals: list[Local]
    identities: list[str]
    kept: Sequence[int]  # indices of the locals in the pool
    kinds: Kinds
    rank: int  # its place in the pool (the order the store returns the entities in)


@dataclass(slots=True)
class Cluster:
    """One cluster of the pool: the entities whose locals it holds (all their pooled
    locals: ``whole``; or the indices of some), and the batch's locals in it."""

    whole: list[int] = field(default_factory=list)
    some: dict[int, list[int]] = field(default_factory=dict)
    fresh: list[int] = field(default_factory=list)  # indices into the batch's locals

    def only(self) -> int | None:
        """The one entity it holds, whole and nothing of another (None: not so)."""
        return self.whole[0] if len(self.whole) == 1 and not self.some else None


class Pool:
    """The touched entities' pooled locals and the batch's, clustered by kind."""

    def __init__(self, entries: Mapping[int, Entry], fresh: Sequence[Local]) -> None:
        self.entries = entries
        self.fresh = fresh
        self.fresh_identities = [loc.identity() for loc in fresh]
        self.clusters = self._cluster()

    def _cluster(self) -> list[Cluster]:
        fresh_parts = [kind_part(loc) for loc in self.fresh]
        lone: set[tuple[str, int]] = {alone for _, alone in fresh_parts if alone is not None}
        for entry in self.entries.values():
            lone |= entry.kinds.lone
        # The first local of each kind: (article, the entity's place, the local's place).
        firsts: dict[Part, tuple[int, int, int, Local]] = {}
        kinds_of_entity: dict[int, set[Part]] = {}
        for entity_id, entry in self.entries.items():
            mine = kinds_of_entity[entity_id] = set()
            for part, (article, index) in entry.kinds.first.items():
                kind = kind_of_part(part, lone)
                mine.add(kind)
                seen = firsts.get(kind)
                place = (article, entry.rank, index)
                if seen is None or place < seen[:3]:
                    firsts[kind] = (*place, entry.locals[index])
        last = len(self.entries)  # the batch's locals come after every stored one
        fresh_kinds = []
        for index, (loc, (part, _)) in enumerate(zip(self.fresh, fresh_parts, strict=True)):
            kind = kind_of_part(part, lone)
            fresh_kinds.append(kind)
            if kind not in firsts or (loc.article, last, index) < firsts[kind][:3]:
                firsts[kind] = (loc.article, last, index, loc)
        order = sorted(firsts, key=lambda k: firsts[k][:3])
        cluster_of: dict[Part, int] = {}
        found = resolve_locals([firsts[k][3] for k in order])
        for number, members in enumerate(found):
            for index in members:
                cluster_of[order[index]] = number
        clusters = [Cluster() for _ in found]
        for entity_id, kinds in kinds_of_entity.items():
            numbers = {cluster_of[k] for k in kinds}
            if len(numbers) == 1:
                clusters[numbers.pop()].whole.append(entity_id)
                continue
            # Split between clusters: which of its locals go where.
            entry = self.entries[entity_id]
            for index in entry.kept:
                part, _ = kind_part(entry.locals[index])
                number = cluster_of[kind_of_part(part, lone)]
                clusters[number].some.setdefault(entity_id, []).append(index)
        for index, kind in enumerate(fresh_kinds):
            clusters[cluster_of[kind]].fresh.append(index)
        return clusters

    def size(self, entity_id: int) -> int:
        return len(self.entries[entity_id].kept)

    def counts(self, cluster: Cluster, previous: Mapping[str, int]) -> Counter[int]:
        """How many of the cluster's members each earlier entity had (``previous``: the
        entity of each earlier local of the batch's articles, by identity)."""
        counts: Counter[int] = Counter()
        for entity_id in cluster.whole:
            counts[entity_id] += self.size(entity_id)
        for entity_id, indices in cluster.some.items():
            counts[entity_id] += len(indices)
        for index in cluster.fresh:
            earlier = previous.get(self.fresh_identities[index])
            if earlier is not None:
                counts[earlier] += 1
        return +counts

    def members(self, cluster: Cluster) -> list[tuple[Local, str]]:
        """The cluster's locals and identities in the pool's order."""
        placed: list[tuple[int, int, int, Local, str]] = []
        for entity_id, indices in [*((e, self.entries[e].kept) for e in cluster.whole),
                                   *cluster.some.items()]:
            entry = self.entries[entity_id]
            placed += [(entry.locals[i].article, entry.rank, i, entry.locals[i],
                        entry.identities[i]) for i in indices]
        last = len(self.entries)
        placed += [(self.fresh[i].article, last, i, self.fresh[i], self.fresh_identities[i])
                   for i in cluster.fresh]
        placed.sort(key=lambda p: p[:3])
        return [(p[3], p[4]) for p in placed]


def pool_entries(held: Mapping[int, Any], ranks: Mapping[int, int],
                 articles: Collection[int], lost_in: Collection[int]
                 ) -> tuple[dict[int, Entry], dict[int, list[Local]], dict[str, int]]:
    """The touched entities as pool entries (``held``: each one's ``Held``; ``lost_in``:
    the entities with locals of the batch's ``articles``, which leave the pool), with
    those locals by entity and their identities' entity."""
    entries: dict[int, Entry] = {}
    lost: dict[int, list[Local]] = {}
    previous: dict[str, int] = {}
    for entity_id, entry in held.items():
        if entity_id in lost_in:
            kept = [i for i, loc in enumerate(entry.locals) if loc.article not in articles]
            gone = [i for i, loc in enumerate(entry.locals) if loc.article in articles]
            if gone:
                lost[entity_id] = [entry.locals[i] for i in gone]
                previous.update((entry.identities[i], entity_id) for i in gone)
                kinds = kinds_of(entry.locals, kept)
            else:
                kinds = entry.by_kind()
        else:
            kept = range(len(entry.locals))
            kinds = entry.by_kind()
        if kept:
            entries[entity_id] = Entry(entry.locals, entry.identities, kept, kinds,
                                       ranks[entity_id])
    return entries, lost, previous
