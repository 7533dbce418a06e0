"""The one interface batch work runs through: map over partitions, shuffle by key.

An :class:`Executor` is all the batch code knows of the engine that runs it, so Dask
(:mod:`newsweave.batch.on_dask`) could be replaced by another (Ray, Spark, a process pool)
without touching a stage. Partitions are opaque handles (lists here, futures on Dask): data
stays where it was computed until :meth:`Executor.collect` brings it back.

>>> from newsweave.batch.executor import LocalExecutor
>>> ex = LocalExecutor()
>>> words = ex.map_partitions(lambda part: [(w, 1) for w in part], [["a", "b"], ["a"]])
>>> sorted(ex.collect(ex.shuffle(words, lambda key, ones: [(key, sum(ones))])))
[('a', 2), ('b', 1)]
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, Protocol

Partitions = Sequence[Any]
"""Opaque handles of partitioned data; each partition is a list once collected."""

Mapper = Callable[[Any], list[Any]]
"""Turns one partition (a list, or whatever describes it: a file name) into a list."""

Reducer = Callable[[Any, list[Any]], Iterable[Any]]
"""Turns one key and all the values shuffled to it into output items."""


class Executor(Protocol):
    """Runs partitioned work; see the module doc."""

    def map_partitions(self, func: Mapper, partitions: Iterable[Any]) -> Partitions:
        """``func`` applied to every partition, each where it can run."""
        ...

    def shuffle(self, partitions: Partitions, reduce: Reducer, *,
                outputs: int | None = None) -> Partitions:
        """Partitions of ``(key, value)`` pairs regrouped so that all the values of a key
        meet in one place, then ``reduce(key, values)`` on each key (keys in sorted order
        within an output partition). ``outputs`` is the number of output partitions
        (default: as many as the input)."""
        ...

    def collect(self, partitions: Partitions) -> Iterator[Any]:
        """Every item of every partition, brought back to the caller, partition by partition."""
        ...


def slot(key: Hashable, outputs: int) -> int:
    """The output partition of a key: the same in every process (no salted ``hash()``).

    >>> slot(-7, 4), slot((1, 2), 4) == slot((1, 2), 4)
    (1, True)
    """
    if isinstance(key, int):
        return key % outputs
    return zlib.crc32(repr(key).encode("utf-8")) % outputs


def split(partition: list[tuple[Any, Any]], outputs: int) -> list[list[tuple[Any, Any]]]:
    """One partition's pairs cut into ``outputs`` pieces by key (the map side of a shuffle)."""
    pieces: list[list[tuple[Any, Any]]] = [[] for _ in range(outputs)]
    for key, value in partition:
        pieces[slot(key, outputs)].append((key, value))
    return pieces


def reduce_pieces(reduce: Reducer, *pieces: list[tuple[Any, Any]]) -> list[Any]:
    """The reduce side of a shuffle: group the pieces' pairs by key, reduce each key."""
    groups: dict[Any, list[Any]] = {}
    for piece in pieces:
        for key, value in piece:
            groups.setdefault(key, []).append(value)
    out: list[Any] = []
    for key in sorted(groups):
        out.extend(reduce(key, groups[key]))
    return out


class LocalExecutor:
    """Everything in this process, in order: the reference the distributed executors must
    equal, and the executor for archives that fit one machine's single core."""

    def map_partitions(self, func: Mapper, partitions: Iterable[Any]) -> Partitions:
        return [func(part) for part in partitions]

    def shuffle(self, partitions: Partitions, reduce: Reducer, *,
                outputs: int | None = None) -> Partitions:
        count = max(1, outputs or len(partitions))
        pieces = [split(part, count) for part in partitions]
        return [reduce_pieces(reduce, *(p[j] for p in pieces)) for j in range(count)]

    def collect(self, partitions: Partitions) -> Iterator[Any]:
        for part in partitions:
            yield from part
