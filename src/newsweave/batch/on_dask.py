"""The :class:`~newsweave.batch.executor.Executor` on Dask (``pip install 'newsweave[dask]'``).

Partitions are Dask futures: a map runs one task per partition on the workers, and a
shuffle is the textbook hash shuffle, done with futures so that the data never passes
through this process: each input partition is cut into one piece per output partition on
the worker that holds it, and each output task fetches only its own pieces.

:func:`local_executor` starts a ``LocalCluster`` of worker processes with Dask's sampling
profiler off: on a 2-core machine the profiler's thread fights the work for the GIL (1.15x
with it against 1.47x without it, ``../shared/STACK.md`` section 11). On a real cluster,
build the executor on a ``Client`` of its scheduler: ``DaskExecutor(Client("tcp://host:8786"))``.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from newsweave.batch.executor import Mapper, Partitions, Reducer, reduce_pieces, split


class Packed:
    """A partition's list as one object for Dask to move, pickled in one go: bare lists went
    through Dask's serialisation far more slowly (gathering 320,000 ``(key, id)`` tuples
    took 69 s on the loaded machine; see docs/benchmarks.md, "Archive scale")."""

    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def _open(part: Any) -> Any:
    return part.items if isinstance(part, Packed) else part


def _map(func: Mapper, part: Any) -> Packed:
    return Packed(func(_open(part)))


def _split(part: Packed, outputs: int) -> tuple[Packed, ...]:
    return tuple(Packed(piece) for piece in split(part.items, outputs))


def _reduce(reduce: Reducer, *pieces: Packed) -> Packed:
    return Packed(reduce_pieces(reduce, *(p.items for p in pieces)))


class DaskExecutor:
    """Runs batch work on the Dask cluster behind ``client``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def map_partitions(self, func: Mapper, partitions: Iterable[Any]) -> Partitions:
        parts = list(partitions)
        return self.client.map(_map, [func] * len(parts), parts, pure=False)

    def shuffle(self, partitions: Partitions, reduce: Reducer, *,
                outputs: int | None = None) -> Partitions:
        count = max(1, outputs or len(partitions))
        cut = self.client.map(_split, list(partitions), outputs=count, pure=False)
        out = []
        for j in range(count):
            # Each piece is taken out where its partition was cut: only it moves.
            mine = [self.client.submit(operator.getitem, c, j, pure=False) for c in cut]
            out.append(self.client.submit(_reduce, reduce, *mine, pure=False))
        return out

    def collect(self, partitions: Partitions) -> Iterator[Any]:
        for part in self.client.gather(list(partitions)):  # one round trip for all
            yield from part.items


@contextmanager
def local_executor(workers: int = 2) -> Iterator[DaskExecutor]:
    """A :class:`DaskExecutor` on a fresh ``LocalCluster`` of ``workers`` single-threaded
    processes (no dashboard), closed on exit. Callers in a script need an
    ``if __name__ == "__main__":`` guard: the workers are new processes."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:  # an optional extra
        raise ImportError("Dask is not installed: pip install 'newsweave[dask]'") from exc
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                         dashboard_address=None) as cluster, Client(cluster) as client:
        yield DaskExecutor(client)


@contextmanager
def cluster_executor(address: str) -> Iterator[DaskExecutor]:
    """A :class:`DaskExecutor` on the running cluster whose scheduler is at ``address``
    (``tcp://host:8786``); the workers need newsweave installed and the input files at
    the same paths (a shared folder)."""
    try:
        from distributed import Client
    except ImportError as exc:  # an optional extra
        raise ImportError("Dask is not installed: pip install 'newsweave[dask]'") from exc
    with Client(address, timeout="10s") as client:  # an unreachable one fails in 10 s
        yield DaskExecutor(client)
