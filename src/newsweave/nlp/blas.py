"""numpy's BLAS on one thread, where the stages multiply matrices.

The products the stages compute (spaCy's layers, a repair neighbourhood's
similarities) are small: extra BLAS threads only spin, and with two processes
on two cores they oversubscribe. On a busy 2-core machine the spinning made a
12 x 400 product take 1 ms instead of 10 us.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

_CONTROLLER: Any = None


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which numpy's BLAS runs on one thread."""
    global _CONTROLLER
    if _CONTROLLER is None:
        import numpy  # noqa: F401  # loads the BLAS library that is to be limited
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()  # inspecting the loaded libraries costs ~0.4 ms: once
    return _CONTROLLER.limit(limits=1, user_api="blas")  # type: ignore[no-any-return]
