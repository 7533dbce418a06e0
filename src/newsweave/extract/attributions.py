"""An article's attributions from its parsed candidate sentences: each cue's claim (its
source and reported content), "Label: text" lines and documents that speak, the
quotations given to the cues that introduce them, and :class:`Found`, one attribution.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsweave.extract.cue_syntax import (
    _abs,
    _complement,
    _cue_candidates,
    _is_cue,
    _rest,
    _sentence_end,
    _subject,
    _subtree,
)
from newsweave.extract.cues import CUE_FORMS, WEAK_CUES, forms
from newsweave.extract.quote_marks import Quotation, Span
from newsweave.nlp.sentences import Sentence

# Cues whose object is the person addressed ("told reporters"), never what was said.
_ADDRESSED = frozenset(forms("tell") | forms("ask") | forms("inform") | forms("remind")
                       | forms("assure") | forms("thank") | forms("urge"))
_MIN_ORPHAN_WORDS = 5
# "WALLACE: ...", "Pence: Flowers won't be at debate": a short capitalised label, then a colon.
_COLON_RE = re.compile(
    r"^[ \t]*((?:[A-Z][\w.'’-]*|[A-Z]\.)(?:[ \t]+(?:[A-Z][\w.'’-]*|of|the|de|van|von|al-\w+)){0,4})"
    r":[ \t]+(?=\S)", re.MULTILINE)
# Documents that speak for their authors ("in a statement", "in the poll").
_DOCUMENTS = frozenset("""
poll polls survey surveys statement statements interview report study letter memo speech op-ed
editorial essay column filing lawsuit complaint ruling opinion tweet tweets post email emails
video ad book interviews remarks testimony analysis
""".split())
_WORDS_RE = re.compile(r"[\w-]+")


def _names_document(text: str) -> bool:
    """Whether ``text`` has a word for a document that may speak ("statement", "poll")."""
    return not _DOCUMENTS.isdisjoint(_WORDS_RE.findall(text.lower()))


_NOT_SPEAKERS = frozenset("""
update updated correction note editor photo photos image video watch read related source
sources click see share advertisement ad caption credit credits warning breaking live q a
tags tag filed posted published copyright disclaimer subscribe follow listen featured more
also previously background context full transcript here why what how when who where
""".split())


@dataclass(slots=True)
class Found:
    """One attribution found in an article.

    ``content`` is the whole extent of what was said; for a quotation
    interrupted by its attribution it runs from the first quote mark to the
    last, and ``parts`` holds the quoted pieces (so the statement reads
    without "she said" in the middle: :meth:`statement`).
    """

    content: Span
    source: Span | None
    cue: Span | None
    direct: bool  # the content is a quotation in quote marks
    parts: tuple[Span, ...] = field(default=())

    def statement(self) -> str:
        """What was said, without the quote marks or an interrupting attribution."""
        if self.parts:
            # '"A," she said. "B."': the comma that led into the attribution ends A's
            # sentence once the attribution is gone, if B starts a new one.
            text = self.parts[0].text.strip()
            for part in self.parts[1:]:
                piece = part.text.strip()
                if text.endswith(",") and piece[:1].isupper():
                    text = text[:-1] + "."
                text += " " + piece
            return text
        return self.content.text.strip(" \"“”'«»")

    def to_dict(self) -> dict[str, Any]:
        def span(s: Span | None) -> dict[str, Any] | None:
            return None if s is None else {"start": s.start, "end": s.end, "text": s.text}

        data = {"content": span(self.content), "source": span(self.source),
                "cue": span(self.cue), "direct": self.direct}
        if self.parts:
            data["parts"] = [span(p) for p in self.parts]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Found:
        def span(d: dict[str, Any] | None) -> Span | None:
            return None if d is None else Span(d["start"], d["end"], d["text"])

        content = span(data["content"])
        assert content is not None
        parts = tuple(Span(p["start"], p["end"], p["text"]) for p in data.get("parts") or ())
        return cls(content, span(data["source"]), span(data["cue"]), bool(data["direct"]),
                   parts)


@dataclass(slots=True)
class _Claim:
    """A cue with its source, before its content is settled."""

    cue: tuple[int, int]
    source: tuple[int, int] | None
    content: tuple[int, int] | None  # reported content (absolute), None: quoted content
    quotes: list[Quotation] = field(default_factory=list)
    colon: bool = False  # "X said:" with the quotation following


class _Article:
    def __init__(self, text: str, quotes: Sequence[Quotation]) -> None:
        self.text = text
        self.quotes = list(quotes)
        self.paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]

    def paragraph_of(self, offset: int) -> int:
        for i, (start, end) in enumerate(self.paragraphs):
            if start <= offset < end:
                return i
        return len(self.paragraphs) - 1

    def in_quote(self, offset: int) -> bool:
        return any(q.outer[0] <= offset < q.outer[1] for q in self.quotes)

    def attributions(self, parsed: Sequence[tuple[Sentence, Any]]) -> list[Found]:
        claims: list[_Claim] = []
        for sentence, doc in parsed:
            claims += self.claims_in(sentence, doc)
        colons = self.colon_claims(claims)
        if colons:
            # A speaker's turn is one attribution; cues inside it are the speaker's own words.
            claims = [c for c in claims if not any(
                k.content and k.content[0] <= c.cue[0] < k.content[1] for k in colons)]
            claims += colons
        used: set[Quotation] = set()
        for claim in claims:
            if claim.content is not None:
                used.update(q for q in self.quotes if claim.content[0] <= q.inner.start
                            and q.inner.end <= claim.content[1])
        self.assign_quotes(claims, used)
        found = [f for f in (self.to_found(c) for c in claims) if f is not None]
        for quote in self.quotes:
            if quote not in used and len(quote.inner.text.split()) >= _MIN_ORPHAN_WORDS:
                found.append(Found(self.span(quote.outer), None, None, True, (quote.inner,)))
        return _dedupe(sorted(found, key=lambda f: (f.content.start, -f.content.end)))

    # -- cues in one sentence ------------------------------------------------

    def claims_in(self, sentence: Sentence, doc: Any) -> list[_Claim]:
        base = sentence.start
        claims: list[_Claim] = []
        cue_tokens = [t for t in _cue_candidates(doc)
                      if _is_cue(t, doc) and not self.in_quote(base + t.idx)]
        claims += self.document_claims(base, doc, cue_tokens, sentence.text)
        for token in cue_tokens:
            if token.lower_ == "according":
                to = doc[token.i + 1]
                objects = [c for c in to.children if c.dep_ == "pobj"]
                if not objects:
                    continue
                source = _subtree(objects[0])
                cue = (token.idx, to.idx + len(to))
                rest = _rest(sentence.text, min(cue[0], source[0]), max(cue[1], source[1]))
                content = self.reported(base, rest) if rest else None
                if content is None and not self.quotes_in(base, sentence.end, cue):
                    continue
                claims.append(_Claim(_abs(base, cue), _abs(base, source), content))
                continue
            subject = _subject(token)
            complement = _complement(token)
            if complement is not None and not complement[2] and (
                    token.lower_ in _ADDRESSED and self.quotes_in(base, sentence.end, (
                        token.idx, token.idx + 1), outside=(base + complement[0],
                                                             base + complement[1]))):
                # '"...," she told reporters': the object is the listener, not what was said.
                complement = None
            if token.lower_ in WEAK_CUES and complement is None:
                continue
            source = _subtree(subject) if subject is not None else None
            cue = (token.idx, token.idx + len(token))
            content: tuple[int, int] | None = None
            if complement is not None:
                end = _sentence_end(sentence.text, complement[:2], cue_tokens, token)
                content = self.reported(base, (complement[0], end))
            if content is None:
                quoted = self.quotes_in(base, sentence.end, cue)
                if not quoted and not sentence.text.rstrip().endswith(":"):
                    if source is None:
                        continue
                    # "The dam will hold, he said.": the rest of the sentence was said.
                    low = min(cue[0], source[0])
                    high = max(cue[1], source[1])
                    rest = _rest(sentence.text, low, high)
                    content = self.reported(base, rest) if rest else None
                    if content is None:
                        continue
            claim = _Claim(_abs(base, cue), _abs(base, source) if source else None, content)
            claim.colon = content is None and sentence.text.rstrip().endswith(":")
            claims.append(claim)
        return claims

    def document_claims(self, base: int, doc: Any, cues: Sequence[Any],
                        text: str) -> list[_Claim]:
        """'In a poll released Monday, 50 percent chose ...': a document as the source."""
        found: list[_Claim] = []
        if not _names_document(text):
            return found  # most sentences: no need to walk their tokens
        for token in doc:
            if token.lower_ != "in" or token.head in cues or self.in_quote(base + token.idx):
                continue
            objects = [c for c in token.children if c.dep_ == "pobj"]
            if not objects or objects[0].lower_ not in _DOCUMENTS:
                continue
            source = _subtree(objects[0])
            rest = _rest(text, token.idx, source[1])
            content = self.reported(base, rest) if rest else None
            if content is not None:
                found.append(_Claim(_abs(base, (token.idx, token.idx + 2)), _abs(base, source),
                                    content))
        return found

    def reported(self, base: int, offsets: tuple[int, int]) -> tuple[int, int] | None:
        """Absolute reported-content span, or None when it is (inside) one quotation."""
        start, end = base + offsets[0], base + offsets[1]
        if end - start < 8:
            return None
        for quote in self.quotes:
            inner = quote.inner
            # The complement is the quotation itself (or a piece of it): quoted content.
            if quote.outer[0] <= start + 1 and end <= quote.outer[1] + 1:
                return None
            covered = min(end, inner.end) - max(start, inner.start)
            if covered > 0.8 * (end - start) and inner.start <= start + 2:
                return None
        return start, end

    def quotes_in(self, base: int, end: int, cue: tuple[int, int],
                  outside: tuple[int, int] | None = None) -> list[Quotation]:
        """Quotations in the sentence ``base..end`` not holding the cue (nor overlapping
        ``outside``)."""
        return [q for q in self.quotes if q.outer[0] < end and base < q.outer[1]
                and not (q.outer[0] <= base + cue[0] < q.outer[1])
                and (outside is None or q.outer[1] <= outside[0] or outside[1] <= q.outer[0])]

    def colon_claims(self, claims: Sequence[_Claim]) -> list[_Claim]:
        """'Label: text' paragraphs (headline sources, transcript speakers)."""
        found: list[_Claim] = []
        for start, end in self.paragraphs:
            match = _COLON_RE.match(self.text, start, end)
            if match is None:
                continue
            label = match.group(1)
            words = [w.strip(".").lower() for w in label.split()]
            if not words or words[0] in _NOT_SPEAKERS or words[-1] in _NOT_SPEAKERS:
                continue
            if any(w.isdigit() for w in words) or any(w.lower() in CUE_FORMS for w in words):
                continue
            content_end = len(self.text[start:end].rstrip(" .")) + start
            if content_end - match.end() < 8:
                continue
            colon = match.end(1)
            found.append(_Claim((colon, colon + 1), (match.start(1), match.end(1)),
                                (match.end(), content_end)))
        return found

    # -- quotations to their cues ------------------------------------------------

    def assign_quotes(self, claims: list[_Claim], used: set[Quotation]) -> None:
        """Each unused quotation to the quoting cue of its paragraph (or the one before)."""
        quoting = [c for c in claims if c.content is None]
        by_paragraph: dict[int, list[_Claim]] = {}
        for claim in quoting:
            by_paragraph.setdefault(self.paragraph_of(claim.cue[0]), []).append(claim)
        last_direct: _Claim | None = None
        last_paragraph = -2
        for quote in self.quotes:
            if quote in used:
                continue
            paragraph = self.paragraph_of(quote.outer[0])
            here = by_paragraph.get(paragraph, [])
            before = [c for c in here if c.cue[0] < quote.outer[0]]
            claim: _Claim | None = None
            if before:
                claim = before[-1]
            elif here:
                claim = here[0]
            elif paragraph - 1 in by_paragraph and by_paragraph[paragraph - 1][-1].colon:
                claim = by_paragraph[paragraph - 1][-1]  # 'X said:' then the quote
            elif (last_direct is not None and last_paragraph == paragraph - 1
                  and quote.outer[0] == self.paragraphs[paragraph][0]
                  and not self._has_claim(claims, paragraph)):
                claim = last_direct  # a paragraph that goes on quoting
            if claim is None:
                continue
            claim.quotes.append(quote)
            used.add(quote)
            last_direct, last_paragraph = claim, paragraph

    def _has_claim(self, claims: Sequence[_Claim], paragraph: int) -> bool:
        return any(self.paragraph_of(c.cue[0]) == paragraph for c in claims)

    def to_found(self, claim: _Claim) -> Found | None:
        source = self.span(claim.source) if claim.source else None
        cue = self.span(claim.cue)
        if claim.content is not None:
            parts = tuple(q.inner for q in self.quotes if claim.content[0] <= q.inner.start
                          and q.inner.end <= claim.content[1])
            whole = bool(parts) and len(parts) == 1 and parts[0].start <= claim.content[0] + 1 \
                and parts[0].end >= claim.content[1] - 1
            return Found(self.span(claim.content), source, cue, whole)
        if not claim.quotes:
            return None
        quotes = sorted(claim.quotes, key=lambda q: q.outer[0])
        extent = (quotes[0].outer[0], quotes[-1].outer[1])
        return Found(self.span(extent), source, cue, True, tuple(q.inner for q in quotes))

    def span(self, offsets: tuple[int, int]) -> Span:
        return Span(offsets[0], offsets[1], self.text[offsets[0] : offsets[1]])


def _dedupe(found: list[Found]) -> list[Found]:
    """One record per content: two cues claiming one stretch of text keep the first."""
    kept: list[Found] = []
    for item in found:
        clash = False
        for other in kept[-6:]:
            a, b = item.content, other.content
            overlap = min(a.end, b.end) - max(a.start, b.start)
            if overlap > 0.5 * min(a.end - a.start, b.end - b.start):
                clash = True
                break
        if not clash:
            kept.append(item)
    return kept
