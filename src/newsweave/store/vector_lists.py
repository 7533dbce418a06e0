"""Coarse lists over one model's vector file: which rows a query needs to read at scale.

An exact search reads every row of the vector file (``store/vectors.py``): at a million
384-dimensional rows that is 1.5 GB and about a third of a CPU second per query. The lists
are an inverted file (IVF, as faiss calls it): the rows are grouped around ``nlist`` centres
found by spherical k-means on a sample of them, and a query reads only the rows of the
centres nearest to it, scored exactly by the caller. Where a store's nearest neighbours lie
in a few groups (news: the reports of one event), a few per cent of the rows hold them.

When the lists are built the vector file's rows are rewritten in list order (dead rows
dropped), so a list is one contiguous run of the file: a query reads a few runs instead of
gathering scattered rows (which cost about 0.8 microseconds a row at a million, six times
the product).

One file per model beside the vector file, ``<model>.lists``: a header, the centres, each
covered row's list, and the covered rows ordered by list with each list's start. It covers
the first ``covered`` rows of the vector file of one build (``generation``); rows appended
since are the *tail*, which a query scans exactly, and which a refresh folds into the lists
once it is long (:data:`TAIL_ROWS`). A row overwritten in place (an article's newer vector)
is assigned again. A file whose checksum, sizes or build do not match, or a store
:data:`GROWTH` times the size the centres were trained on, is rebuilt by a writable store
and never used by a read-only one (which then searches exactly, and says so).

This module knows files and rows; the exact scoring of the rows found is the caller's
(``reuse/semantic.py``).
"""

from __future__ import annotations

import logging
import os
import zlib
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAGIC = 0x4E57_4956_4631  # "NWIVF1"
HEADER = 9  # int64: magic, dim, nlist, covered, generation, trained, nonce, crc, reserved
# Below this many live rows the exact search costs at most about 50 CPU ms a query (a sixth
# of the check's 300 ms goal; the stance and the claim's embedding take about 75): measured
# 28 ms at 200,000 rows and 68 at 400,000 (bench/vector_index.py --switch; docs/benchmarks.md,
# "Archive scale, part 7"), so the lists take over from 300,000.
MIN_ROWS = 300_000
TAIL_ROWS = 20_000  # rows appended since the lists before a refresh folds them in
GROWTH = 1.5  # live rows over those the centres were trained on that make a rebuild
SAMPLE_PER_LIST = 48  # rows per centre the k-means trains on
ITERATIONS = 8
CHUNK = 32_768  # rows scored against the centres at a time


def list_count(rows: int) -> int:
    """How many lists for ``rows`` rows: about the square root (a list holds about as many
    rows as there are lists), at least 16."""
    return max(16, int(np.sqrt(max(rows, 1)) + 0.5))


class VectorLists:
    """The lists of one vector file, loaded in memory (a few bytes per row)."""

    def __init__(self, centres: np.ndarray, assignment: np.ndarray, generation: int,
                 trained: int) -> None:
        self.centres = np.ascontiguousarray(centres, dtype=np.float32)
        self.assignment = np.ascontiguousarray(assignment, dtype=np.int32)
        self.generation = generation
        self.trained = trained
        self.nonce = 0
        self._order = np.zeros(0, dtype=np.int32)
        self._starts = np.zeros(0, dtype=np.int64)
        self._sort()

    @property
    def covered(self) -> int:
        """Rows of the vector file the lists cover (the first ones)."""
        return len(self.assignment)

    def _sort(self) -> None:
        self._order = np.argsort(self.assignment, kind="stable").astype(np.int32)
        counts = np.bincount(self.assignment, minlength=len(self.centres))
        self._starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def rows_near(self, query: np.ndarray, probes: int) -> np.ndarray:
        """The covered rows in the ``probes`` lists whose centres are nearest to ``query``
        (ascending row order, so a memory map is read forwards)."""
        scores = self.centres @ np.asarray(query, dtype=np.float32)
        probes = min(probes, len(scores))
        chosen = np.argpartition(-scores, probes - 1)[:probes]
        parts = [self._order[self._starts[c]:self._starts[c + 1]] for c in chosen.tolist()]
        rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        rows.sort()
        return rows

    def extend(self, matrix: np.ndarray, upto: int) -> None:
        """Assign rows ``covered .. upto`` of ``matrix`` to their lists."""
        if upto > self.covered:
            fresh = assign(matrix, self.centres, self.covered, upto)
            self.assignment = np.concatenate([self.assignment, fresh])
            self._sort()

    def reassign(self, matrix: np.ndarray, rows: np.ndarray) -> None:
        """Assign covered ``rows`` again (their vectors were overwritten in place)."""
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[rows < self.covered]
        if len(rows):
            scores = np.asarray(matrix[np.sort(rows)], dtype=np.float32) @ self.centres.T
            self.assignment[np.sort(rows)] = np.argmax(scores, axis=1).astype(np.int32)
            self._sort()

    # -- the file ---------------------------------------------------------------------

    def write(self, path: Path) -> None:
        """Write the file atomically (a reader sees the old file or the new one, whole)."""
        self.nonce = int.from_bytes(os.urandom(7), "little")
        payload = [self.centres.tobytes(), self.assignment.tobytes(), self._order.tobytes(),
                   self._starts.tobytes()]
        crc = 0
        for part in payload:
            crc = zlib.crc32(part, crc)
        header = np.array([MAGIC, self.centres.shape[1], len(self.centres), self.covered,
                           self.generation, self.trained, self.nonce, crc, 0], dtype=np.int64)
        scratch = path.with_suffix(".lists.tmp")
        with scratch.open("wb") as out:
            out.write(header.tobytes())
            for part in payload:
                out.write(part)
        scratch.replace(path)


def read_words(path: Path, count: int) -> list[int] | None:
    """The first ``count`` int64 words of a file (a vector or lists file's header), or None
    when it is missing or shorter."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(count * 8)
    except OSError:
        return None
    return np.frombuffer(raw, np.int64).tolist() if len(raw) == count * 8 else None


def read_header(path: Path) -> dict[str, int] | None:
    """The header of a lists file, or None when it is missing or not one."""
    words = read_words(path, HEADER)
    if words is None:
        return None
    magic, dim, nlist, covered, generation, trained, nonce, crc, _ = words
    if magic != MAGIC or dim <= 0 or nlist <= 0 or covered < 0:
        return None
    return {"dim": dim, "nlist": nlist, "covered": covered, "generation": generation,
            "trained": trained, "nonce": nonce, "crc": crc}


def load(path: Path, dim: int, generation: int) -> VectorLists | None:
    """The lists in ``path`` if they are whole (sizes, checksum) and belong to the vector
    file's build ``generation`` with rows of ``dim``; None otherwise."""
    header = read_header(path)
    if header is None or header["dim"] != dim or header["generation"] != generation:
        return None
    nlist, covered = header["nlist"], header["covered"]
    sizes = [nlist * dim * 4, covered * 4, covered * 4, (nlist + 1) * 8]
    try:
        raw = path.read_bytes()[HEADER * 8:]
    except OSError:
        return None
    if len(raw) != sum(sizes):
        return None
    crc, start, parts = 0, 0, []
    for size in sizes:
        crc = zlib.crc32(raw[start:start + size], crc)
        parts.append(raw[start:start + size])
        start += size
    if crc != header["crc"]:
        return None
    centres = np.frombuffer(parts[0], np.float32).reshape(nlist, dim)
    assignment = np.frombuffer(parts[1], np.int32).copy()
    if not np.all(np.isfinite(centres)) or (covered and (
            assignment.min() < 0 or assignment.max() >= nlist)):
        return None
    lists = VectorLists.__new__(VectorLists)
    lists.centres, lists.assignment = centres, assignment
    lists.generation, lists.trained, lists.nonce = generation, header["trained"], header["nonce"]
    lists._order = np.frombuffer(parts[2], np.int32)
    lists._starts = np.frombuffer(parts[3], np.int64)
    return lists


def build(matrix: np.ndarray, ids: np.ndarray, generation: int, seed: int = 0) -> VectorLists:
    """Train the centres on a sample of the live rows (spherical k-means) and assign every
    row of ``matrix`` (dead ones too: they are skipped when read)."""
    rows = len(ids)
    live = np.flatnonzero(ids >= 0)
    nlist = min(list_count(len(live)), max(len(live), 1))
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(live, size=min(len(live), SAMPLE_PER_LIST * nlist),
                                replace=False))
    sample = np.asarray(matrix[picked], dtype=np.float32)
    centres = sample[rng.choice(len(sample), size=nlist, replace=False)].copy()
    for _ in range(ITERATIONS):
        owner = assign(sample, centres, 0, len(sample))
        order = np.argsort(owner, kind="stable")
        counts = np.bincount(owner, minlength=nlist)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        held = counts > 0
        sums = np.zeros_like(centres)
        sums[held] = np.add.reduceat(sample[order], starts[held], axis=0)
        # an empty list starts again from a random row
        sums[~held] = sample[rng.choice(len(sample), size=int((~held).sum()))]
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centres = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
    return VectorLists(centres, assign(matrix, centres, 0, rows), generation, len(live))


def assign(matrix: np.ndarray, centres: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The nearest centre of each row ``start .. stop`` of ``matrix`` (read in chunks)."""
    out = np.zeros(max(stop - start, 0), dtype=np.int32)
    for at in range(start, stop, CHUNK):
        block = np.asarray(matrix[at:min(at + CHUNK, stop)], dtype=np.float32)
        out[at - start:at - start + len(block)] = np.argmax(block @ centres.T, axis=1)
    return out


__all__ = ["MIN_ROWS", "TAIL_ROWS", "VectorLists", "build", "list_count", "load", "read_header"]
