"""How vectors and an article's facts (years, figures, places, lead years, weekdays) are
stored: packed bytes, keys (uint32, ascending) then values (float32).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from newsweave.stories.sparse import Arrays, Vector


def pack_arrays(arrays: Arrays) -> bytes:
    """:func:`pack` of a vector given as arrays, keys ascending."""
    keys, values = arrays
    return keys.astype(np.uint32).tobytes() + values.astype(np.float32).tobytes()


# The key that marks an article as a headline with nothing under it (stored with the
# count -5 in its facts' blob, and only while vectors.BARE_PAIR_FACTOR is on).
BARE_MARK = 0x62617265  # no crc32 of a feature in practice; "bare" in ASCII


def pack_dates(dates: Iterable[int] | Mapping[int, float], figures: Iterable[int],
               places: Iterable[int] = (), lead_years: Iterable[int] = (),
               weekdays: Iterable[int] = (), bare: bool = False) -> bytes:
    """Years (with their counts, or 1), figures, places, lead years and weekdays in one
    packed blob: a figure is stored with the count -1, a place with -2, a lead year with -3
    and a weekday with -4, so the blob of a store written before them reads as it did, and
    :func:`split_every` tells them apart (a key both a year and a figure stays a year)."""
    found: dict[int, float] = {BARE_MARK: -5.0} if bare else {}
    found.update(dict.fromkeys(weekdays, -4.0))
    found.update(dict.fromkeys(lead_years, -3.0))
    found.update(dict.fromkeys(places, -2.0))
    found.update(dict.fromkeys(figures, -1.0))
    found.update(dates if isinstance(dates, Mapping) else dict.fromkeys(dates, 1.0))
    return pack(found)


def split_dates(blob: bytes | None) -> tuple[frozenset[int], frozenset[int]]:
    """(years, figures) of a blob :func:`pack_dates` wrote.

    >>> split_dates(pack_dates({7: 2.0}, {9, 7})) == (frozenset({7}), frozenset({9}))
    True
    """
    years, figures, _ = split_facts(blob)
    return years, figures


def split_facts(blob: bytes | None) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """(years, figures, places) of a blob :func:`pack_dates` wrote.

    >>> split_facts(pack_dates({7: 2.0}, {9}, {5})) == ({7}, {9}, {5})
    True
    """
    return split_every(blob)[:3]


Every = tuple[frozenset[int], frozenset[int], frozenset[int], frozenset[int], frozenset[int]]
_NONE: Every = (frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def split_every(blob: bytes | None) -> Every:
    """(years, figures, places, lead years, weekdays) of a blob :func:`pack_dates` wrote (a
    few keys: plain Python is cheaper than numpy's masks here, and this runs for every
    article weighed).

    >>> split_every(pack_dates({7: 2.0}, {9}, {5}, {3}, {4})) == ({7}, {9}, {5}, {3}, {4})
    True
    """
    if not blob:
        return _NONE
    half = len(blob) // 2
    keys = np.frombuffer(blob, dtype=np.uint32, count=half // 4).tolist()
    values = np.frombuffer(blob, dtype=np.float32, offset=half).tolist()
    # One pass sorting each key by its count (a key is in a blob once): a year above 0, a
    # place -2, a lead year -3, a weekday -4, a figure anything else (-1). Three filtering
    # passes and a set difference cost a third more, and this runs for every candidate
    # story scored.
    found: tuple[list[int], ...] = ([], [], [], [], [])
    for k, v in zip(keys, values, strict=True):
        if v == -5.0:  # the bare-headline mark (is_bare): no fact
            continue
        found[0 if v > 0 else 2 if v == -2.0 else 3 if v == -3.0 else 4 if v == -4.0
              else 1].append(k)
    return (frozenset(found[0]), frozenset(found[1]), frozenset(found[2]),
            frozenset(found[3]), frozenset(found[4]))


def is_bare(blob: bytes | None) -> bool:
    """Whether a blob :func:`pack_dates` wrote marks its article a bare headline.

    >>> is_bare(pack_dates({7: 2.0}, {9}, bare=True)), is_bare(pack_dates({7: 2.0}, {9}))
    (True, False)
    """
    if not blob:
        return False
    half = len(blob) // 2
    return bool((np.frombuffer(blob, dtype=np.float32, offset=half) == -5.0).any())


def pack(vector: Mapping[int, float]) -> bytes:
    """A vector as bytes: keys (uint32, ascending) then values (float32)."""
    keys = np.fromiter(vector.keys(), dtype=np.uint32, count=len(vector))
    values = np.fromiter(vector.values(), dtype=np.float32, count=len(vector))
    order = np.argsort(keys, kind="stable")
    return keys[order].tobytes() + values[order].tobytes()


def unpack_arrays(blob: bytes | None) -> tuple[np.ndarray, np.ndarray]:
    """A packed vector as (keys, values) arrays; keys ascending for anything packed by
    :func:`pack` (older blobs are sorted here)."""
    if not blob:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32)
    half = len(blob) // 2
    # Views of the blob (slicing bytes would copy a story's tens of KiB twice).
    keys = np.frombuffer(blob, dtype=np.uint32, count=half // 4)
    values = np.frombuffer(blob, dtype=np.float32, offset=half)
    if len(keys) > 1 and not (keys[1:] > keys[:-1]).all():  # the method: no dispatch layer
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
    return keys, values


def unpack(blob: bytes | None) -> Vector:
    if not blob:
        return {}
    half = len(blob) // 2
    keys = np.frombuffer(blob[:half], dtype=np.uint32)
    values = np.frombuffer(blob[half:], dtype=np.float32)
    return dict(zip(keys.tolist(), values.tolist(), strict=True))
