"""A cue verb in a sentence's dependency parse (spaCy): the cue tokens, their subject
(the speaker) and their complement (what was said), as character offsets in the sentence."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from newsweave.extract.cues import CUE_FORMS


@lru_cache(maxsize=1)
def _cue_hashes() -> Any:
    import numpy
    from spacy.strings import hash_string

    return numpy.array(sorted(hash_string(f) for f in CUE_FORMS | {"according"}),
                       dtype=numpy.uint64)


def _cue_candidates(doc: Any) -> list[Any]:
    """Tokens whose lower-cased form is a cue's: found in the doc's array of forms, since
    making a Python object of every token costs more than the rest of the rules."""
    import numpy
    from spacy.attrs import LOWER

    hits = numpy.flatnonzero(numpy.isin(doc.to_array(LOWER), _cue_hashes()))
    return [doc[int(i)] for i in hits]


def _is_cue(token: Any, doc: Any) -> bool:
    lower = token.lower_
    if lower == "according":
        return token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to"
    # Fine-grained tags (VB, VBD, VBZ...): the attribute ruler that maps them to coarse
    # parts of speech is not run, it costs a third of the parse.
    return lower in CUE_FORMS and token.tag_.startswith("VB")


def _abs(base: int, offsets: tuple[int, int]) -> tuple[int, int]:
    return base + offsets[0], base + offsets[1]


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
        return _subject(verb.head) if verb.head.tag_[:2] in ("VB", "MD") else None
    return None


def _complement(verb: Any) -> tuple[int, int, bool] | None:
    """The reported content after the cue: (start, end, whether it is a clause)."""
    for child in verb.children:
        if child.dep_ in ("ccomp", "xcomp") and child.i > verb.i:
            return (*_subtree(child, start_at=_first_right(verb, child)), True)
    for child in verb.children:
        if child.dep_ in ("dobj", "prep", "dative") and child.i > verb.i and not (
                child.dep_ == "prep" and child.lower_ in ("in", "on", "at", "during", "after")):
            span = _subtree(child)
            if child.dep_ == "dative" or span[1] - span[0] < 4:
                continue
            return (*span, False)
    return None


def _sentence_end(text: str, complement: tuple[int, int], cues: Sequence[Any], cue: Any) -> int:
    """Where reported content ends: the sentence's end (PolNeAR runs a reported clause on to
    it), unless a later cue in the sentence starts an attribution of its own."""
    later = [t for t in cues if t.idx > complement[0] and t.i != cue.i]
    if later:
        return complement[1]
    end = len(text.rstrip())
    while end > complement[1] and text[end - 1] in ".;:,!?—- ":
        end -= 1
    return max(end, complement[1])


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


def _rest(text: str, low: int, high: int) -> tuple[int, int] | None:
    """The longer side of the sentence ``text`` outside ``low..high`` (the content of
    "X, he said")."""
    before = (0, low)
    after = (high, len(text))
    best = max(before, after, key=lambda s: len(text[s[0] : s[1]].strip(" ,.;:—-")))
    chunk = text[best[0] : best[1]]
    stripped = chunk.strip(" ,.;:—-\n")
    if len(stripped.split()) < 3:
        return None
    offset = best[0] + chunk.index(stripped)
    return offset, offset + len(stripped)
