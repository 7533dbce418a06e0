"""An article's embeddings: which models embed it (the multilingual lead, the English
whole text), the text each one reads, and how related two articles' cosines make them
(each model's cosines rescaled to 0..1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from newsweave.model import Article
from newsweave.nlp import english
from newsweave.nlp.embed import embed, lead_text
from newsweave.nlp.language import runs_english

# e5 cosines are compressed: unrelated news leads score about 0.75, the same
# story 0.85-0.95. Relatedness rescales that range to 0..1.
COSINE_FLOOR = 0.75
COSINE_CEIL = 0.95
# MiniLM (English, whole text) spreads wider: unrelated articles about 0.08,
# the same story 0.7-0.9. Its range is read off ECB+ at the quantiles where
# e5's range sits there (`python bench/embed_scale.py`): the floor at the 32nd
# percentile of unrelated pairs, the ceiling at the 85th of same-story pairs,
# so the two rescaled scores mean the same and can be averaged.
ENGLISH_FLOOR = 0.03
ENGLISH_CEIL = 0.86
SCALES = {"e5": (COSINE_FLOOR, COSINE_CEIL), "minilm": (ENGLISH_FLOOR, ENGLISH_CEIL)}
ENGLISH_CHARS = 3000  # more than the English model's word pieces: it cuts the rest


def primary_language(language: str | None) -> str:
    """The primary subtag: ``zh-cn`` and ``zh`` are one language here."""
    return (language or "").lower().replace("_", "-").split("-")[0]


def needs_lead(language: str | None, multilingual: bool, english_model: bool = True) -> bool:
    """Whether an article needs its multilingual (e5) lead vector now.

    e5 is what finds translations and scores pairs across languages. An English article
    has the English model's vector for its pairs with other English articles, so in a
    store of English only it needs no e5 vector; once the store holds an article in
    another language (``multilingual``), every English article gets one (those stored
    before are embedded then, once: see :class:`newsweave.reuse.ReuseStage`), so a
    translation is found whichever of the two arrives first. An article of another or an
    unknown language always gets one, and so does every article when the English model is
    off (``english_model`` False).

    >>> needs_lead("en", False), needs_lead("en", True), needs_lead("de", False)
    (False, True, True)
    >>> needs_lead("en", False, english_model=False), needs_lead(None, False)
    (True, True)
    """
    return multilingual or not english_model or not english.is_english(language)


def other_language(language: str | None) -> bool:
    """Whether a detected language is one other than English (an unknown one is not:
    an article whose language is unknown never takes part in a translation)."""
    return bool(primary_language(language)) and not english.is_english(language)


def article_vectors(articles: Sequence[Article]) -> np.ndarray:
    """Embeddings of the articles' titles and leads (one row each)."""
    return embed([lead_text(a.title, a.text) for a in articles])


def english_text(title: str | None, body: str) -> str:
    """What the English model embeds: the title and the body (it reads the first
    :data:`newsweave.nlp.english.MAX_TOKENS` word pieces)."""
    return lead_text(title, body, chars=ENGLISH_CHARS)


def english_vectors(articles: Sequence[Article]) -> dict[int, np.ndarray]:
    """English-model embeddings of the English articles among ``articles``, by id, and of
    those whose language detection could not tell (English-only components run on them,
    :func:`newsweave.nlp.language.runs_english`: mostly short English texts, which would
    otherwise share no model with the English articles of an English-only store)."""
    chosen = [a for a in articles if a.id is not None and runs_english(a.language)]
    if not chosen:
        return {}
    rows = english.embed_english([english_text(a.title, a.text) for a in chosen])
    return {int(a.id or 0): row for a, row in zip(chosen, rows, strict=True)}


def rescale(cosine: Any, floor: float, ceil: float) -> Any:
    """``cosine`` (a number or an array of them) mapped linearly from [floor, ceil] to
    [0, 1], clipped."""
    return np.clip((cosine - floor) / (ceil - floor), 0.0, 1.0)


def relatedness(cosine: float | None, shared: float = 0.0,
                english_cosine: float | None = None) -> float:
    """How related two articles are, 0..1: rescaled embedding cosines, raised by shared text.

    ``cosine`` is the multilingual e5 cosine of the leads; ``english_cosine``
    the English model's cosine of the whole texts, for pairs of English
    articles. With both, the semantic part is the mean of the two rescaled
    cosines (equal weights: neither model is better on its own, and they err
    on different pairs); with one, that one.

    >>> round(relatedness(0.9), 2), round(relatedness(0.9, shared=0.8), 2)
    (0.75, 0.95)
    >>> round(relatedness(0.9, english_cosine=0.45), 2)
    0.63
    """
    parts = []
    if cosine is not None:
        parts.append(rescale(cosine, COSINE_FLOOR, COSINE_CEIL))
    if english_cosine is not None:
        parts.append(rescale(english_cosine, ENGLISH_FLOOR, ENGLISH_CEIL))
    semantic = float(sum(parts) / len(parts)) if parts else 0.0
    return max(semantic, 1.0 - (1.0 - semantic) * (1.0 - shared))
