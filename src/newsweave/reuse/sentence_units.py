"""An article's sentences prepared for alignment: each one's normalised words, content
words and quoted share (:class:`Unit`), what every alignment of a text reads of them
(:class:`Facts`, made once per :class:`Units`), and the prepared texts kept across
batches (:class:`PreparedTexts`)."""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from newsweave.nlp.sentences import Sentence, split_sentences
from newsweave.reuse.text import content_words, quoted_spans, words

QUOTED = 0.5  # share of a sentence inside quote marks to call it a quotation
MIN_WORDS = 5  # shorter sentences ("He left.") say nothing about reuse


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence prepared for comparison."""

    sentence: Sentence
    normal: str
    content: frozenset[str]
    quoted: float  # share of its characters inside quote marks


SentenceWords = dict[str, tuple[str, frozenset[str]] | None]


class Units(list[Unit]):
    """The prepared sentences of one text (what :func:`prepare` returns: a list of
    :class:`Unit`), keeping what every alignment of the text reads of them
    (:func:`facts`) once made: a stored article is aligned with each new version of its
    text, and a new article with up to ``reuse.MAX_CANDIDATES`` candidates, and each of
    those alignments made them again. Not to be changed once aligned."""

    __slots__ = ("_facts",)

    def __init__(self, units: Iterable[Unit] = ()) -> None:
        super().__init__(units)
        self._facts: Facts | None = None

    def __reduce__(self) -> tuple[type[Units], tuple[list[Unit]]]:
        return (Units, (list(self),))  # the facts are made again where needed


@dataclass(frozen=True, slots=True)
class Facts:
    """What an alignment reads of one text's units, made once per :class:`Units`."""

    by_normal: dict[str, list[int]]  # the units of each normalised wording, in order
    by_content: dict[frozenset[str], list[int]]  # of each non-empty set of content words
    size: int  # characters of sentence text
    vocabulary: dict[str, int]  # each content word's number
    word_ids: np.ndarray  # every unit's content words' numbers, unit by unit
    word_rows: np.ndarray  # the unit of each of them
    content_sizes: np.ndarray  # content words a unit (float32)
    quoted: np.ndarray  # whether each unit is a quotation (quoted share >= QUOTED)


def facts(units: Sequence[Unit]) -> Facts:
    """The :class:`Facts` of ``units``: kept with them when they are :class:`Units`,
    else made for this call."""
    found = units._facts if isinstance(units, Units) else None
    if found is None:
        found = _make_facts(units)
        if isinstance(units, Units):
            units._facts = found
    return found


def _make_facts(units: Sequence[Unit]) -> Facts:
    by_normal: dict[str, list[int]] = {}
    by_content: dict[frozenset[str], list[int]] = {}
    vocabulary: dict[str, int] = {}
    ids: list[int] = []
    rows: list[int] = []
    for row, unit in enumerate(units):
        by_normal.setdefault(unit.normal, []).append(row)
        if unit.content:
            by_content.setdefault(unit.content, []).append(row)
        for word in unit.content:
            ids.append(vocabulary.setdefault(word, len(vocabulary)))
        rows.extend([row] * len(unit.content))
    return Facts(by_normal, by_content, sum(len(u.sentence.text) for u in units), vocabulary,
                 np.array(ids, dtype=np.intp), np.array(rows, dtype=np.intp),
                 np.array([len(u.content) for u in units], dtype=np.float32),
                 np.array([u.quoted >= QUOTED for u in units], dtype=bool))


def prepare(text: str, known: SentenceWords | None = None,
            sentences: Sequence[Sentence] | None = None) -> Units:
    """The comparable sentences of an article body.

    ``known``: the words of sentences seen before (in other articles of a batch: a copy
    repeats its source's sentences), read and added to; ``sentences``: the body's
    ``split_sentences`` where the caller has it already."""
    spans = quoted_spans(text)  # in order and disjoint (one regex scan)
    ends = [end for _, end in spans]
    units = []
    for sentence in split_sentences(text) if sentences is None else sentences:
        if known is not None and sentence.text in known:
            seen = known[sentence.text]
        else:
            tokens = words(sentence.text)
            seen = (None if len(tokens) < MIN_WORDS
                    else (" ".join(tokens), frozenset(content_words(tokens))))
            if known is not None:
                known[sentence.text] = seen
        if seen is None:
            continue
        # Only the spans that end after the sentence starts and start before it ends
        # overlap it: found by bisection, not by summing over every span of the text
        # (which made a long, quote-heavy article cost its sentences times its quotes).
        inside = 0
        for k in range(bisect_right(ends, sentence.start), len(spans)):
            start, end = spans[k]
            if start >= sentence.end:
                break
            inside += max(0, min(end, sentence.end) - max(start, sentence.start))
        share = inside / max(1, sentence.end - sentence.start)
        units.append(Unit(sentence, seen[0], seen[1], share))
    return Units(units)


class PreparedTexts:
    """Texts prepared for alignment (:func:`prepare`, a function of the text alone), by
    their text, kept across batches: a stored article met as a candidate in one batch is
    often met again in the next ones (the earlier versions of a text a later report
    rewrites), and preparing it again was a growing part of the reuse stage as the store
    grew. The least recently used are dropped once the kept texts pass ``max_chars``
    characters (their prepared units take several times that in memory)."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._units: OrderedDict[str, list[Unit]] = OrderedDict()
        self._chars = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._units)

    def get(self, text: str) -> list[Unit] | None:
        found = self._units.get(text)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self._units.move_to_end(text)
        return found

    def __setitem__(self, text: str, units: list[Unit]) -> None:
        if text in self._units:
            self._units.move_to_end(text)
        else:
            self._chars += len(text)
        self._units[text] = units
        while self._chars > self.max_chars and len(self._units) > 1:
            dropped, _ = self._units.popitem(last=False)
            self._chars -= len(dropped)


UnitsKey = tuple[tuple[str, float, int], ...]


def units_key(units: Sequence[Unit]) -> UnitsKey:
    """All an alignment reads of an article's sentences: each one's words (its content
    words are made from them), quoted share and length, in order."""
    return tuple((u.normal, u.quoted, len(u.sentence.text)) for u in units)
