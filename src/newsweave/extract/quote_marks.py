"""Quotations in quote marks (curly, straight, ``''``), spanning sentences, and the
:class:`Span` of text every attribution part is given as."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENERS = {"“": "”", "«": "»"}
_CLOSERS = frozenset("”»")
_MARK_RE = re.compile(r"''|[\"“”«»]")
_MIN_QUOTE_WORDS = 3


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Quotation:
    """Text in quote marks: ``outer`` includes the marks, ``inner`` is what is quoted."""

    outer: tuple[int, int]
    inner: Span


def find_quotations(text: str) -> list[Quotation]:
    """Quotations in quote marks, spanning sentences.

    Marks are paired within a paragraph. An unclosed curly quote, or a
    straight one that opens the paragraph, runs to the paragraph's end, as
    news style does for a quote that goes on into the next paragraph.
    """
    found: list[Quotation] = []
    for para in re.finditer(r"[^\n]+", text):
        marks = list(_MARK_RE.finditer(text, para.start(), para.end()))
        opened: re.Match[str] | None = None
        for mark in marks:
            kind = mark.group()
            if opened is None:
                if kind not in _CLOSERS:
                    opened = mark
                continue
            if kind in _OPENERS:  # a new opening while one is open: the first never closed
                _add(found, text, opened.start(), opened.end(), mark.start(), mark.start())
                opened = mark
                continue
            _add(found, text, opened.start(), opened.end(), mark.start(), mark.end())
            opened = None
        if opened is not None and (opened.group() in _OPENERS
                                   or opened.start() == para.start()):
            _add(found, text, opened.start(), opened.end(), para.end(), para.end())
    return found


def _add(found: list[Quotation], text: str, start: int, inner_start: int, inner_end: int,
         end: int) -> None:
    raw = text[inner_start:inner_end]
    inner = raw.strip()
    if len(inner.split()) < _MIN_QUOTE_WORDS:
        return
    s = inner_start + raw.index(inner)
    found.append(Quotation((start, end), Span(s, s + len(inner), inner)))


def find_quote_spans(text: str) -> list[Span]:
    """The quoted text of every quotation (without its marks)."""
    return [q.inner for q in find_quotations(text)]
