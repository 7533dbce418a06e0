"""Sentence splitting with character offsets, tuned for news prose.

A rule splitter rather than a parser: it is fast (no model to load), keeps
offsets into the original text, and knows the abbreviations news copy is full
of ("Sept. 19", "Gov. Lind", "U.S.", "a.m."), so a dateline or a title is
never cut from its sentence. Quotes that close after the full stop stay with
their sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Abbreviations after which a full stop does not end a sentence (lowercased, no dot).
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen col lt sgt capt cmdr adm gov sen rep rev st mt ft jr sr
    pres supt insp det gen maj brig fr hon
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    no nos vol pp fig est approx dept univ corp inc ltd co bros assn
    vs etc al cf ie eg
    """.split()
)
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, space;
# or a full-width full stop, question or exclamation mark (Chinese, Japanese), which
# ends a sentence with no space after it.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+|$)|[。！？]+[」』”’）)\]]*")
_PARAGRAPH = re.compile(r"\n\s*\n")
_INITIAL = re.compile(r"(?:^|[\s(\"“])(?:[A-Z]|[A-Z]\.[A-Z]|[a-z]\.[a-z])$")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with offsets; paragraph breaks always end a sentence.

    >>> text = 'Gov. Lind spoke on Sept. 19. "We will rebuild." He left.'
    >>> [s.text for s in split_sentences(text)]
    ['Gov. Lind spoke on Sept. 19.', '"We will rebuild."', 'He left.']
    >>> [s.text for s in split_sentences("大坝决堤了。镇上被淹！")]
    ['大坝决堤了。', '镇上被淹！']
    """
    return list(_iter_sentences(text))


def _iter_sentences(text: str) -> Iterator[Sentence]:
    for para_start, para_end in _paragraph_spans(text):
        start = para_start
        for match in _BOUNDARY.finditer(text, para_start, para_end):
            end = match.end()
            if not _ends_sentence(text, start, match.start(), end, para_end):
                continue
            sentence = _trimmed(text, start, end)
            if sentence:
                yield sentence
            start = end
        sentence = _trimmed(text, start, para_end)
        if sentence:
            yield sentence


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _PARAGRAPH.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _ends_sentence(text: str, start: int, punct: int, end: int, limit: int) -> bool:
    """Whether the punctuation at ``punct`` really closes a sentence."""
    if text[punct] != ".":
        return _next_starts_sentence(text, end, limit, strict=False)
    token = _word_before(text, start, punct).lower()
    if token.rstrip(".") in _ABBREVIATIONS or _INITIAL.search(text[max(start, punct - 4) : punct]):
        # "Sept. 19", "Gov. Lind", "U.S. officials": an abbreviation ends a
        # sentence only when a clear new sentence follows (capital after it
        # and the abbreviation is not a title or month).
        return False
    if re.fullmatch(r"\d+", token) and re.match(r"\s*\d", text[end:limit]):
        return False  # "3. 5" lists and decimals split by spaces
    return _next_starts_sentence(text, end, limit, strict=True)


def _word_before(text: str, start: int, end: int) -> str:
    """The run of word characters and dots that ends at ``end`` (not before ``start``).

    Read backwards from ``end``: a ``[\\w.]+$`` search tries every position of the
    sentence, which made the splitter quadratic in a sentence's length. As ``$`` does,
    a single newline just before ``end`` is skipped."""
    if end > start and text[end - 1] == "\n":
        end -= 1
    first = end
    while first > start and (text[first - 1].isalnum() or text[first - 1] in "._"):
        first -= 1
    return text[first:end]


def _next_starts_sentence(text: str, end: int, limit: int, *, strict: bool) -> bool:
    rest = text[end:limit].lstrip()
    if not rest:
        return True
    first = rest[0]
    if first.isupper() or first.isdigit() or first in "\"“‘'(«[—-":
        return True
    # Lowercase after "?"/"!" inside a quote ("Why?" he asked) continues the sentence.
    return not strict and not first.islower()


def _trimmed(text: str, start: int, end: int) -> Sentence | None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return None
    offset = start + (len(chunk) - len(chunk.lstrip()))
    return Sentence(offset, offset + len(stripped), stripped)
