"""Quotes and reported speech in one article: content, source (speaker) and cue spans.

Direct quotes are found from quote marks (curly, straight, ``''``; across
sentences, and across paragraphs where a quote goes on); reported speech from
cue verbs ("said", "told", "backs", "believes", "announced"), "according to
X" and "Name: ..." lines (headlines, transcripts). Only the sentences holding
a quote or a cue are parsed; the parse gives the speaker (the cue's subject)
and the content. The content spans follow the PolNeAR annotation scheme: a
quotation interrupted by its attribution ('"A," she said. "B."') is one
content from the first mark to the last, a reported clause keeps its "that"
and runs to the end of its sentence, and a paragraph that only goes on
quoting belongs to the attribution before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

# The parts, in their own modules (the quote marks, the parse's cues, an article's
# attributions); the names imported from here re-exported.
from newsweave.extract.attributions import Found, _Article, _names_document
from newsweave.extract.cues import has_cue
from newsweave.extract.quote_marks import Quotation, Span, find_quotations, find_quote_spans
from newsweave.nlp.sentences import Sentence, split_sentences

__all__ = [
    "PARSE_BUDGET", "Found", "Parser", "Quotation", "Span", "candidate_sentences",
    "find_attributions", "find_attributions_many", "find_quotations", "find_quote_spans",
    "is_pronoun",
]

_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "it", "him", "her"})
# Characters of candidate sentences parsed per article: about ten typical news articles' worth
# (3-4 KB each, three quarters of it in candidate sentences). Parsing is the costliest step
# after NER, so a book-length text must not hold up its whole batch; attributions past the
# budget are not looked for.
PARSE_BUDGET = 30_000


Parser = Callable[[Sequence[str]], Iterable[Any]]


def candidate_sentences(text: str, quotes: Sequence[Quotation],
                        budget: int = PARSE_BUDGET) -> list[Sentence]:
    """Sentences whose parse may give an attribution: a cue verb or "according to", or a
    quote with a document that may speak for someone ("in a statement"); at most ``budget``
    characters of them, from the start of the text. (A quote with neither gives nothing to
    parse for: its speaker, if any, is found from the cue of another sentence.)"""
    chosen: list[Sentence] = []
    for sentence in split_sentences(text):
        if has_cue(sentence.text) or (
            any(q.outer[0] < sentence.end and sentence.start < q.outer[1] for q in quotes)
            and _names_document(sentence.text)
        ):
            budget -= len(sentence.text)
            if budget < 0:
                break
            chosen.append(sentence)
    return chosen


def find_attributions(text: str, parser: Parser) -> list[Found]:
    """Every attribution in ``text``; ``parser`` turns sentence strings into spaCy docs."""
    return find_attributions_many([text], parser)[0]


def find_attributions_many(texts: Sequence[str], parser: Parser) -> list[list[Found]]:
    """:func:`find_attributions` for many texts, with one parser call for all of them."""
    prepared = []
    for text in texts:
        quotes = find_quotations(text)
        prepared.append((quotes, candidate_sentences(text, quotes)))
    flat = [s.text for _, sentences in prepared for s in sentences]
    docs = iter(parser(flat))
    results: list[list[Found]] = []
    for text, (quotes, sentences) in zip(texts, prepared, strict=True):
        parsed = [(sentence, next(docs)) for sentence in sentences]
        results.append(_Article(text, quotes).attributions(parsed))
    return results


def is_pronoun(text: str) -> bool:
    return text.lower() in _PRONOUNS
