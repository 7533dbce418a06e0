"""Batch work over an archive, behind one small interface (:class:`Executor`).

``Executor`` maps over partitions and shuffles by key; :class:`LocalExecutor` does it in
this process, :class:`~newsweave.batch.on_dask.DaskExecutor` on a Dask cluster (the optional
``dask`` extra). The near-duplicate join (:func:`near_duplicates`) is written against the
interface only, with the reuse stage's own MinHash and band functions.
:func:`newsweave.batch.archive.run_batch` (``newsweave batch``) takes a whole archive through
clean, reuse and stories on an executor, with the result ``ingest`` gives.
"""

from __future__ import annotations

from newsweave.batch.dedup import (
    NearDuplicates,
    candidate_pairs,
    connected_components,
    join_bands,
    near_duplicates,
)
from newsweave.batch.executor import Executor, LocalExecutor

__all__ = [
    "Executor",
    "LocalExecutor",
    "NearDuplicates",
    "candidate_pairs",
    "connected_components",
    "join_bands",
    "near_duplicates",
]
