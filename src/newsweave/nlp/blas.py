"""numpy's BLAS on one thread, where the stages multiply matrices.

The products the stages compute (spaCy's layers, a repair neighbourhood's
similarities) are small: extra BLAS threads only spin, and with two processes
on two cores they oversubscribe. On a busy 2-core machine the spinning made a
12 x 400 product take 1 ms instead of 10 us.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_CONTROLLER: Any = None
# Whether this thread is inside a one_blas_thread already: an inner one then changes
# nothing. Setting and restoring the limit costs about 0.1 ms (threadpoolctl calls into
# every BLAS library loaded), and the reuse stage's sentence alignment asks for it once a
# pair (thousands a shard) inside the stage's own.
_INSIDE = threading.local()


@contextmanager
def one_blas_thread() -> Iterator[Any]:
    """A context in which numpy's BLAS runs on one thread (nested: the outermost sets it)."""
    global _CONTROLLER
    if getattr(_INSIDE, "depth", 0):
        _INSIDE.depth += 1
        try:
            yield None
        finally:
            _INSIDE.depth -= 1
        return
    if _CONTROLLER is None:
        import numpy  # noqa: F401  # loads the BLAS library that is to be limited
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()  # inspecting the loaded libraries costs ~0.4 ms: once
    with _CONTROLLER.limit(limits=1, user_api="blas") as limiter:
        _INSIDE.depth = 1
        try:
            yield limiter
        finally:
            _INSIDE.depth = 0
