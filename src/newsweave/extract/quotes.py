"""Quotes and reported speech in one article: content, source (speaker) and cue spans.

Direct quotes are found from quote marks (curly or straight, across
sentences); reported speech from cue verbs ("said", "told", "backs",
"believes", "announced") and "according to X". Only the sentences holding a
quote or a cue are parsed, and the parse gives the speaker (the cue's
subject) and the content (its clausal complement or object, or the rest of
the sentence for "..., X said.").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from newsweave.nlp.sentences import Sentence, split_sentences

# Attribution cue verbs (forms, not lemmas: no lemmatizer runs). Chosen from the
# cues annotated in the PolNeAR training split: reporting, stance and belief verbs.
_CUE_LEMMAS = """
say tell add write ask report note announce suggest argue tweet describe continue find endorse
show decline accuse criticize respond declare explain acknowledge express agree point claim warn
refuse cite propose reveal state defend conclude praise vow pledge promise oppose recall insist
question reject mention attack post issue reply deny decide back blast believe dismiss denounce
predict confirm charge admit blame learn order complain assure echo reiterate mock urge
identify repeat assert joke remind stress concede request emphasize highlight tout thank plead
threaten allege estimate remark answer shout lament disclose quote caution recommend testify
speculate observe contend comment think hope fear expect want support call see wonder worry
inform imply hint brag boast slam applaud welcome condemn interject retweet demand advise
""".split()
_IRREGULAR = {
    "say": "says said saying", "tell": "tells told telling",
    "write": "writes wrote written writing",
    "find": "finds found finding", "show": "shows showed shown showing",
    "think": "thinks thought thinking", "see": "sees saw seen seeing",
    "learn": "learns learned learnt learning", "lament": "laments lamented lamenting",
}


def _forms(lemma: str) -> set[str]:
    if lemma in _IRREGULAR:
        return {lemma, *_IRREGULAR[lemma].split()}
    if lemma.endswith("e"):
        return {lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return {lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    past = lemma + ("ed" if not re.search(r"[^aeiou][aeiou][bdgmnpt]$", lemma) or
                    lemma in {"comment", "report", "support", "want", "post", "insist"}
                    else lemma[-1] + "ed")
    ing = past[:-2] + "ing"
    ends = ("s", "sh", "ch", "x", "z")
    third = lemma + ("es" if lemma.endswith(ends) else "s")
    return {lemma, third, past, ing}


CUE_FORMS = frozenset(f for lemma in _CUE_LEMMAS for f in _forms(lemma))
# Cues that only attribute when they introduce a clause ("thinks that ...", "calls for").
_WEAK = frozenset(_forms("see") | _forms("want") | _forms("call") | _forms("show")
                  | _forms("find") | _forms("continue") | _forms("expect") | _forms("hope")
                  | _forms("back") | _forms("post") | _forms("issue") | _forms("order")
                  | _forms("learn") | _forms("decide") | _forms("question") | _forms("think"))
_CUE_RE = re.compile(r"\b(?:" + "|".join(sorted(CUE_FORMS, key=len, reverse=True))
                     + r"|according to)\b", re.IGNORECASE)
_OPEN_CLOSE = {"“": "”", "«": "»"}
_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "it", "him", "her"})
_MIN_QUOTE_WORDS = 3


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Found:
    """One attribution found in an article."""

    content: Span
    source: Span | None
    cue: Span | None
    direct: bool  # the content is a quotation in quote marks

    def to_dict(self) -> dict[str, Any]:
        def span(s: Span | None) -> dict[str, Any] | None:
            return None if s is None else {"start": s.start, "end": s.end, "text": s.text}

        return {"content": span(self.content), "source": span(self.source),
                "cue": span(self.cue), "direct": self.direct}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Found:
        def span(d: dict[str, Any] | None) -> Span | None:
            return None if d is None else Span(d["start"], d["end"], d["text"])

        content = span(data["content"])
        assert content is not None
        return cls(content, span(data["source"]), span(data["cue"]), bool(data["direct"]))


Parser = Callable[[Sequence[str]], Iterable[Any]]


def find_quote_spans(text: str) -> list[Span]:
    """Quotations in quote marks (the text between the marks), spanning sentences.

    Straight quotes are paired within a paragraph; an unclosed quote runs to
    the paragraph's end, as news style does for a quote that goes on.
    """
    spans: list[Span] = []
    for para in re.finditer(r"[^\n]+", text):
        start, body = para.start(), para.group()
        i = 0
        while i < len(body):
            ch = body[i]
            close = _OPEN_CLOSE.get(ch) or ('"' if ch == '"' else None)
            if close is None:
                i += 1
                continue
            j = body.find(close, i + 1)
            if ch == "“" and j < 0:
                j = len(body)
            if j < 0:
                i += 1
                continue
            inner = body[i + 1 : j].strip()
            if len(inner.split()) >= _MIN_QUOTE_WORDS:
                s = start + body.index(inner, i + 1) if inner else start + i + 1
                spans.append(Span(s, s + len(inner), inner))
            i = j + 1
    return spans


def candidate_sentences(text: str, quotes: Sequence[Span]) -> list[Sentence]:
    """Sentences that may carry an attribution: a quote, a cue verb or "according to"."""
    chosen: list[Sentence] = []
    for sentence in split_sentences(text):
        if any(q.start < sentence.end and sentence.start < q.end for q in quotes) or (
            _CUE_RE.search(sentence.text)
        ):
            chosen.append(sentence)
    return chosen


def find_attributions(text: str, parser: Parser) -> list[Found]:
    """Every attribution in ``text``; ``parser`` turns sentence strings into spaCy docs."""
    return find_attributions_many([text], parser)[0]


def find_attributions_many(texts: Sequence[str], parser: Parser) -> list[list[Found]]:
    """:func:`find_attributions` for many texts, with one parser call for all of them."""
    prepared = []
    for text in texts:
        quotes = find_quote_spans(text)
        prepared.append((quotes, candidate_sentences(text, quotes)))
    flat = [s.text for _, sentences in prepared for s in sentences]
    docs = iter(parser(flat))
    results: list[list[Found]] = []
    for text, (quotes, sentences) in zip(texts, prepared, strict=True):
        found: list[Found] = []
        used_quotes: set[Span] = set()
        for sentence in sentences:
            for item in _from_sentence(text, sentence, next(docs), quotes):
                if item.direct:
                    used_quotes.update(q for q in quotes if q.start == item.content.start)
                found.append(item)
        for quote in quotes:
            if quote not in used_quotes and len(quote.text.split()) >= 5:
                found.append(Found(quote, None, None, True))
        found.sort(key=lambda f: f.content.start)
        results.append(_dedupe(found))
    return results


def _from_sentence(text: str, sentence: Sentence, doc: Any, quotes: Sequence[Span]) -> list[Found]:
    base = sentence.start
    inside = [q for q in quotes if q.start < sentence.end and sentence.start < q.end]
    found: list[Found] = []
    for token in doc:
        lower = token.lower_
        if lower == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            to = doc[token.i + 1]
            objects = [c for c in to.children if c.dep_ == "pobj"]
            if not objects:
                continue
            source = _subtree(objects[0])
            cue = (token.idx, to.idx + len(to))
            content = _rest(doc, min(cue[0], source[0]), max(cue[1], source[1]))
        elif lower in CUE_FORMS and token.pos_ == "VERB":
            if any(q.start <= base + token.idx < q.end for q in inside):
                continue  # a verb inside a quotation is the quoted person's, not a cue
            subject = _subject(token)
            complement = _complement(token)
            if lower in _WEAK and complement is None:
                continue
            source = _subtree(subject) if subject is not None else None
            cue = (token.idx, token.idx + len(token))
            if complement is not None:
                content = complement
            else:
                low = min(cue[0], source[0]) if source else cue[0]
                high = max(cue[1], source[1]) if source else cue[1]
                content = _rest(doc, low, high)
            if source is None and complement is None:
                continue
        else:
            continue
        if content is None or content[1] - content[0] < 8:
            continue
        quote = _quote_for(inside, base + content[0], base + content[1], base + cue[0])
        if quote is None and lower != "according":
            # '"...," the council said in a statement': the quotation is what was said.
            quote = next((q for q in inside if not (q.start <= base + cue[0] < q.end)), None)
        if quote is not None:
            found.append(Found(quote, _span(text, base, source), _span(text, base, cue), True))
        else:
            found.append(Found(_span(text, base, content), _span(text, base, source),  # type: ignore[arg-type]
                               _span(text, base, cue), False))
    return found


def _subject(verb: Any) -> Any | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            if child.dep_ == "nsubjpass":
                for agent in (c for c in verb.children if c.dep_ == "agent"):
                    objects = [o for o in agent.children if o.dep_ == "pobj"]
                    if objects:
                        return objects[0]
            return child
    # "..., adding that", "and said": the subject of the verb this one hangs on.
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head is not verb:
        return _subject(verb.head) if verb.head.pos_ in ("VERB", "AUX") else None
    return None


def _complement(verb: Any) -> tuple[int, int] | None:
    """The reported content: the clause or object after the cue."""
    for child in verb.children:
        if child.dep_ in ("ccomp", "xcomp") and child.i > verb.i:
            return _subtree(child, start_at=_first_right(verb, child))
    for child in verb.children:
        if child.dep_ in ("dobj", "prep", "dative") and child.i > verb.i and not (
                child.dep_ == "prep" and child.lower_ in ("in", "on", "at", "during", "after")):
            span = _subtree(child)
            if child.dep_ == "dative" or span[1] - span[0] < 4:
                continue
            return span
    return None


def _first_right(verb: Any, child: Any) -> Any:
    left = child.left_edge
    # Keep "that" with its clause but not the cue's own particles.
    return left if left.i > verb.i else child


def _subtree(token: Any, start_at: Any | None = None) -> tuple[int, int]:
    first = start_at if start_at is not None else token.left_edge
    last = token.right_edge
    while last.i > first.i and last.is_punct and last.text not in "”\"’)":
        last = last.nbor(-1)
    return first.idx, last.idx + len(last)


def _rest(doc: Any, low: int, high: int) -> tuple[int, int] | None:
    """The longer side of the sentence outside ``low..high`` (the content of "X, he said")."""
    text = doc.text
    before = (0, low)
    after = (high, len(text))
    best = max(before, after, key=lambda s: len(text[s[0] : s[1]].strip(" ,.;:—-")))
    chunk = text[best[0] : best[1]]
    stripped = chunk.strip(" ,.;:—-\n")
    if len(stripped.split()) < 3:
        return None
    offset = best[0] + chunk.index(stripped)
    return offset, offset + len(stripped)


def _quote_for(quotes: Sequence[Span], start: int, end: int, cue: int) -> Span | None:
    """The quotation this content is, when the content overlaps one and the cue is outside."""
    for quote in quotes:
        if quote.start < end and start < quote.end and not (quote.start <= cue < quote.end):
            return quote
    return None


def _span(text: str, base: int, offsets: tuple[int, int] | None) -> Span | None:
    if offsets is None:
        return None
    start, end = base + offsets[0], base + offsets[1]
    return Span(start, end, text[start:end])


def _dedupe(found: list[Found]) -> list[Found]:
    """One record per (content, cue); a quote keeps its first attribution."""
    seen: set[tuple[int, int, int]] = set()
    kept: list[Found] = []
    for item in found:
        key = (item.content.start, item.content.end, item.cue.start if item.cue else -1)
        direct_key = (item.content.start, item.content.end, -2)
        if key in seen or (item.direct and direct_key in seen):
            continue
        seen.add(key)
        if item.direct:
            seen.add(direct_key)
        kept.append(item)
    return kept


def is_pronoun(text: str) -> bool:
    return text.lower() in _PRONOUNS
