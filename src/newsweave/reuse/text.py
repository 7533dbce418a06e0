"""Text normalisation shared by the reuse stage: words, shingles, sentence keys.

Two outlets' copies of one wire story differ in quote marks, dashes, white
space, thousands separators and case; none of that should hide a copy, so
every comparison works on :func:`words` of the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

from newsweave.nlp.text import STOPWORDS as TEXT_STOPWORDS

# "3,200", "3 200" and "3.200" are one number; join the digit groups first.
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,.\u00a0\u202f ](?=\d{3}\b)")
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r"[\"“”„«»]([^\"“”„«»]{12,}?)[\"“”„«»]|‘([^‘’]{12,}?)’(?!\w)")

# The one stop-word list (nlp.text), plus words every report of an event repeats.
STOPWORDS = TEXT_STOPWORDS | frozenset(
    "reported reports one two new last first year years".split()
)


def words(text: str) -> list[str]:
    """Lowercased word tokens with number groups joined and accents kept.

    >>> words("About 3,200 residents—of Ashford!")
    ['about', '3200', 'residents', 'of', 'ashford']
    """
    if text.isascii():  # most news: NFKC leaves ASCII as it is, and one lower() will do
        return _WORD.findall(_DIGIT_GROUPS.sub("", text).lower())
    flat = _DIGIT_GROUPS.sub("", unicodedata.normalize("NFKC", text))
    return [w.lower() for w in _WORD.findall(flat)]


def content_words(tokens: Iterable[str]) -> set[str]:
    """The tokens that carry facts: not stop words, at least three letters, or numbers."""
    return {t for t in tokens if t not in STOPWORDS and (len(t) >= 3 or t.isdigit())}


def shingles(tokens: Sequence[str], size: int = 5) -> list[str]:
    """Overlapping ``size``-word shingles (the whole text as one if it is shorter)."""
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def key64(text: str) -> int:
    """A stable signed 64-bit key of a string (fits an SQLite INTEGER)."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def sentence_key(text: str) -> int | None:
    """Key of a sentence's words; ``None`` for sentences too short to signal a copy."""
    tokens = words(text)
    if len(tokens) < 6:
        return None
    return key64(" ".join(tokens))


_ROUGH_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+|\n\s*\n")


def sentence_keys(text: str) -> list[int]:
    """Keys of the sentences of a text, split roughly (fast; the same way for every article).

    Only equality matters for finding shared sentences, so a cheap split that
    cuts "Gov. Lind" in two is fine: both copies are cut the same way.
    """
    keys = []
    for chunk in _ROUGH_SENTENCE.split(text):
        key = sentence_key(chunk) if chunk else None
        if key is not None:
            keys.append(key)
    return keys


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the text inside quote marks (at least 12 characters long)."""
    spans = []
    for match in _QUOTED.finditer(text):
        group = 1 if match.group(1) is not None else 2
        spans.append((match.start(group), match.end(group)))
    return spans


def normal(text: str) -> str:
    """A sentence as compared character by character: its words, space-separated."""
    return " ".join(words(text))
