"""Python's cyclic garbage collector paused while a stage makes and drops many objects.

The collector runs after every few hundred new container objects, and a full collection
walks every object the process holds. A long ingest holds many (the reuse stage's
prepared texts and vector index, the stories' vectors), and the reuse stage makes tens of
objects for every pair it relates or reads (the alignment's sentence pairs, the evidence's
passages, each stored pair read back as an edge): at 47,000 articles, in a process
holding a thousand articles' pairs, reading the graph update's pairs cost 0.70 CPU s with
the collector and 0.12 without (docs/benchmarks.md, "Archive scale, part 20"). Those
objects hold no reference cycles and are freed by their counts when the batch ends, so the
collector has nothing to find in them; paused for the batch, it never walks the heap for
them. What it would find (a cycle made in the batch) is found once it runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic cyclic collection inside (where it was on; it is on again after)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
