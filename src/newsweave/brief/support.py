"""The support check: every citation of the brief verified against the cited article.

A cited article supports a sentence of the brief when one of its sentences
(or two adjacent ones) reports the same fact (:func:`same_fact`) or contains
nearly all of the sentence's content words, and carries every number the
sentence gives. Citations that fail are dropped; a sentence left without one
is re-cited to any article of the story that supports it, or dropped.

Stable API: :func:`find_support`, :func:`check_support`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from itertools import pairwise

from newsweave.brief.build import Brief
from newsweave.crosscheck.align import STOPWORDS, numbers, same_fact, stem, tokens
from newsweave.model import Passage
from newsweave.nlp.sentences import split_sentences

_CONTAINMENT = 0.8


_Window = tuple[int, int, str, bool, frozenset[str], frozenset[str]]


@lru_cache(maxsize=256)
def _windows(text: str) -> tuple[_Window, ...]:
    """Each sentence, then each pair of adjacent sentences (a fact split in two), with
    their numbers and content words: computed once per article text, as a brief checks
    many sentences against the same few articles."""
    sentences = split_sentences(text)
    spans = [(s.start, s.end, s.text, True) for s in sentences]
    spans += [(a.start, b.end, text[a.start : b.end], False) for a, b in pairwise(sentences)]
    return tuple((start, end, passage, single, frozenset(numbers(passage)), _content(passage))
                 for start, end, passage, single in spans)


def _content(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in tokens(text) if w not in STOPWORDS)


def find_support(sentence: str, article: int, text: str) -> Passage | None:
    """The passage of ``text`` (article ``article``) that supports ``sentence``, if any.

    >>> find_support("Nine were missing.", 4, "Rain fell. Nine people were missing.").text
    'Nine people were missing.'
    """
    wanted = _content(sentence)
    figures = numbers(sentence)
    best: tuple[float, Passage] | None = None
    for start, end, passage, single, passage_figures, have in _windows(text):
        if figures and not figures <= passage_figures:
            continue
        containment = len(wanted & have) / max(len(wanted), 1)
        if containment < 0.3:
            continue
        if containment >= _CONTAINMENT or (single and same_fact(sentence, passage)):
            score = containment - 0.001 * len(passage) / 100  # prefer the tighter window
            if best is None or score > best[0]:
                best = (score, Passage(article, start, end, passage))
    return best[1] if best else None


def check_support(brief: Brief, texts: Mapping[int, str]) -> Brief:
    """Verify every citation of ``brief`` in place; return it with ``support`` counts.

    ``texts`` maps each article id of the story to its clean text.
    """
    counts = {"sentences": 0, "citations": 0, "supported": 0, "dropped_citations": 0,
              "recited": 0, "dropped_sentences": 0}
    dropped: set[int] = set()
    for item in brief.sentences():
        counts["sentences"] += 1
        kept, evidence = [], []
        for article in item.cites:
            counts["citations"] += 1
            passage = find_support(item.text, article, texts.get(article, ""))
            if passage is None:
                counts["dropped_citations"] += 1
                continue
            counts["supported"] += 1
            kept.append(article)
            evidence.append(passage)
        if not kept:
            for article, text in texts.items():
                passage = find_support(item.text, article, text)
                if passage is not None:
                    kept.append(article)
                    evidence.append(passage)
            if kept:
                counts["recited"] += 1
            else:
                counts["dropped_sentences"] += 1
                dropped.add(id(item))
        item.cites = kept
        item.evidence = evidence
    if dropped:
        _drop(brief, dropped)
    brief.support = counts
    return brief


def _drop(brief: Brief, dropped: set[int]) -> None:
    brief.lead = [c for c in brief.lead if id(c) not in dropped]
    brief.timeline = [t for t in brief.timeline if id(t) not in dropped]
    brief.quotes = [q for q in brief.quotes if id(q) not in dropped]
    for claim in brief.claims:
        claim.variants = [v for v in claim.variants if id(v) not in dropped]
    brief.claims = [c for c in brief.claims if id(c) not in dropped and
                    (c.status != "contested" or len(c.variants) >= 2)]
    for outlet in list(brief.unique):
        brief.unique[outlet] = [c for c in brief.unique[outlet] if id(c) not in dropped]
        if not brief.unique[outlet]:
            del brief.unique[outlet]


__all__ = ["check_support", "find_support"]
