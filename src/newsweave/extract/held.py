"""The stored locals of entities, held decoded across batches of one process.

Resolving a batch reads back every local (one per article naming it) of every entity the
batch touches, and common names are in every batch: reading and decoding them again was
the part of extract's resolution that grew with the store (archive scale, part 18). A
process now keeps the decoded locals of the entities it touched (least recently touched
dropped past a bound), with what :class:`~newsweave.extract.canonical.Tally` counted over
them, and reads from the store only the entities it does not hold.

They are the store's rows exactly, in the order the store returns them: each resolution
written sets a fresh random stamp in the store (in its transaction); held locals are used
only while the store's stamp is the one this process last wrote, so a rolled-back batch,
or another process resolving in the same store, makes it read everything again.
"""

from __future__ import annotations

import random
import weakref
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newsweave.extract.canonical import Local, Tally
from newsweave.extract.kinds import Kinds, kinds_of
from newsweave.store import Store
from newsweave.store.sql import chunks

# Locals held at most, all entities together (about 940 bytes each, decoded). A batch
# decoded all its touched entities' locals at once before they were held (at 10,000
# articles two thirds of the store's), so holding about as many costs little more memory
# than that peak; past the bound the least recently touched entities are read again.
MAX_HELD = 1_000_000


@dataclass(slots=True)
class Held:
    """One entity's locals as stored (the store's order) and their identities."""

    locals: list[Local]
    identities: list[str]
    tally: Tally | None = None  # counted over the locals in article order, when wanted
    last: int = field(default=-1)  # the highest article id among the locals
    keys: Counter[str] | None = None  # how many locals carry each lookup key, when wanted
    kinds: Kinds | None = None  # the locals' kinds (``extract/kinds.py``), when wanted

    def counted(self) -> Tally:
        """The tally of the locals in article order (the store's order on a tie), as the
        resolution orders them."""
        if self.tally is None:
            tally = Tally()
            for loc in sorted(self.locals, key=lambda loc: loc.article):
                tally.add(loc)
            self.tally = tally
        return self.tally

    def by_kind(self) -> Kinds:
        """The locals' kinds (kept up as locals are appended; made again when they change
        otherwise)."""
        if self.kinds is None:
            self.kinds = kinds_of(self.locals)
        return self.kinds

    def key_counts(self) -> Counter[str]:
        """How many of the locals carry each lookup key (the entity's keys are those
        carried at all)."""
        if self.keys is None:
            self.keys = Counter()
            for loc in self.locals:
                self.keys.update(loc.keys())
        return self.keys


class HeldLocals:
    """The held entities of one store in one process."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = MAX_HELD if limit is None else limit
        self.stamp: int | None = None
        self.entities: OrderedDict[int, Held] = OrderedDict()
        self.size = 0

    def check(self, store: Store) -> None:
        """Forget everything unless the store is as this process last left it; until
        :meth:`seal`, everything held counts as unsure (an update failing midway leaves
        it so)."""
        if self.stamp is None or store.extract.stamp() != self.stamp:
            self.entities.clear()
            self.size = 0
        self.stamp = None

    def seal(self, store: Store) -> None:
        """The update is written: mark the store and what is held as one."""
        self.stamp = random.getrandbits(31)
        store.extract.set_stamp(self.stamp)

    def read(self, store: Store, entity_ids: set[int]) -> list[tuple[int, Local, str]]:
        """(entity id, local, identity) of these entities, in the store's order (as
        ``store.extract.entity_locals`` returns them: SQLite's by entity id within each
        chunk of the id list, and by row within an entity)."""
        have, order = self.entries(store, entity_ids)
        rows: list[tuple[int, Local, str]] = []
        for entity_id in order:
            held = have[entity_id]
            rows += zip([entity_id] * len(held.locals), held.locals, held.identities,
                        strict=True)
        return rows

    def entries(self, store: Store, entity_ids: set[int]) -> tuple[dict[int, Held], list[int]]:
        """These entities held (those not yet held read from the store), and their order in
        the store's (:meth:`read`)."""
        have: dict[int, Held] = {}
        for entity_id in entity_ids:
            held = self.entities.get(entity_id)
            if held is not None:
                have[entity_id] = held
                self.entities.move_to_end(entity_id)  # the least recently used go first
        missing = [e for e in entity_ids if e not in have]
        if missing:
            read: dict[int, Held] = {}
            for entity_id, data in store.extract.entity_locals(missing):
                held = read.get(entity_id)
                if held is None:
                    held = read[entity_id] = Held([], [])
                local = Local.from_dict(data)
                held.locals.append(local)
                held.identities.append(local.identity())
                held.last = max(held.last, local.article)
            for entity_id, held in read.items():
                self.put(entity_id, held)
            have.update(read)
        # (an entity has locals: none is written without)
        order = [entity_id for chunk in chunks(set(entity_ids)) for entity_id in sorted(chunk)
                 if entity_id in have]
        return have, order

    def get(self, entity_id: int) -> Held | None:
        return self.entities.get(entity_id)

    def put(self, entity_id: int, held: Held) -> None:
        self.drop([entity_id])
        self.entities[entity_id] = held
        self.resized(len(held.locals))

    def resized(self, change: int) -> None:
        """Held entities gained (or lost) ``change`` locals in place; past the bound the
        least recently touched go."""
        self.size += change
        while self.size > self.limit and self.entities:
            _, evicted = self.entities.popitem(last=False)
            self.size -= len(evicted.locals)

    def drop(self, entity_ids: Iterable[int]) -> None:
        for entity_id in entity_ids:
            held = self.entities.pop(entity_id, None)
            if held is not None:
                self.size -= len(held.locals)

    def clear(self) -> None:
        self.entities.clear()
        self.size = 0
        self.stamp = None


_HELD: weakref.WeakKeyDictionary[Any, HeldLocals] = weakref.WeakKeyDictionary()


def held_for(store: Store) -> HeldLocals:
    """This process's held locals of ``store`` (made on first use)."""
    held = _HELD.get(store)
    if held is None:
        held = _HELD[store] = HeldLocals()
    return held


def iter_held(store: Store) -> Iterator[tuple[int, Held]]:
    """What is held of ``store`` (for tests and benches)."""
    held = _HELD.get(store)
    return iter(() if held is None else list(held.entities.items()))
