"""Sentence alignment of two articles: which passages of one reappear in the other, and how.

Each sentence of one article is paired with at most one sentence of the other
(greedy, best pairs first) and the pair is labelled:

* ``verbatim``: the same words (quote marks, case, punctuation and spacing aside);
* ``edited``: the same sentence with small edits, or cut short;
* ``paraphrase``: new wording that keeps the facts (names, numbers, content words);
* ``quote``: both sentences carry the same quoted statement, the text around
  the quote marks differs. Two outlets quoting one official is not reuse of
  each other's text, so quote pairs never count towards coverage.

Coverage is measured in characters of sentence text, so a long copied
paragraph weighs more than a copied one-line caption.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import product

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from newsweave.nlp.blas import one_blas_thread
from newsweave.nlp.sentences import Sentence, split_sentences
from newsweave.reuse.text import content_words, quoted_spans, words

EDITED = 0.78  # character similarity (0..1) of the normalised words
TOKEN_KEPT = 0.85  # share of the shorter sentence's words kept in order, for an edit
PARTIAL = 0.93  # one sentence is (almost) a cut-down version of the other
PARAPHRASE = 0.5  # content-word overlap (Dice)
QUOTED = 0.5  # share of a sentence inside quote marks to call it a quotation
MIN_WORDS = 5  # shorter sentences ("He left.") say nothing about reuse

# Near-verbatim: an edited pair whose words are (almost) all the source's, in
# order: character similarity >= 0.95, or >= 95 % of the shorter sentence's
# words kept in order in the longer (words cut or added, none replaced:
# "late on Monday" -> "late Monday"). Swapping words for synonyms or moving
# clauses is rewording, however close the letters stay.
NEAR_VERBATIM = 0.95

TEXT_KINDS = ("verbatim", "edited", "paraphrase")
COPY_KINDS = ("verbatim", "edited")


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence prepared for comparison."""

    sentence: Sentence
    normal: str
    content: frozenset[str]
    quoted: float  # share of its characters inside quote marks


@dataclass(frozen=True, slots=True)
class SentencePair:
    a: Sentence
    b: Sentence
    score: float
    kind: str  # "verbatim" | "edited" | "paraphrase" | "quote"
    a_index: int
    b_index: int
    near: bool = False  # verbatim or near-verbatim (see NEAR_VERBATIM)


@dataclass(slots=True)
class Alignment:
    """The aligned sentence pairs of articles A and B and what they add up to."""

    pairs: list[SentencePair] = field(default_factory=list)
    copy_a: float = 0.0  # share of A in verbatim/edited pairs
    copy_b: float = 0.0
    text_a: float = 0.0  # share of A in verbatim/edited/paraphrase pairs
    text_b: float = 0.0
    quote_a: float = 0.0  # share of A in (near-)verbatim quotation pairs
    quote_b: float = 0.0
    all_a: float = 0.0  # share of A in pairs of any kind, quotations included
    all_b: float = 0.0
    order: float = 0.0  # share of text pairs that keep the same order in both
    sentences_a: int = 0
    sentences_b: int = 0

    def count(self, *kinds: str) -> int:
        """The pairs of these kinds (read off :meth:`kinds`)."""
        found = self.kinds()
        return sum(found.get(kind, 0) for kind in kinds)

    def kinds(self) -> dict[str, int]:
        """The pairs of each kind (what :meth:`count` counts, all kinds at once)."""
        found: dict[str, int] = {}
        for pair in self.pairs:
            found[pair.kind] = found.get(pair.kind, 0) + 1
        return found


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


def align(a: Sequence[Unit], b: Sequence[Unit]) -> Alignment:
    """Align two prepared articles (see :func:`prepare`)."""
    result = Alignment(sentences_a=len(a), sentences_b=len(b))
    if not a or not b:
        return result
    if len(a) == len(b) and all(x.normal == y.normal for x, y in zip(a, b, strict=True)):
        _align_same(result, a, b)
    else:
        _align_cells(result, a, b)
    _measure(result, a, b)
    return result


def _align_same(result: Alignment, a: Sequence[Unit], b: Sequence[Unit]) -> None:
    """The alignment of two articles whose sentences have the same words, one for one (a
    wire copy whose boilerplate the cleaner removed): what :func:`_align_cells` finds for
    them, without its n x m matrices. Every cell of the diagonal scores 1.0, the highest
    score, and is labelled (verbatim, or quote where both are quotations); the greedy
    pairing takes the cells of 1.0 row by row in column order, and on row i every column
    before i is already taken by its own row, so it takes (i, i)."""
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        # _label never refuses two equal normal forms: "quote" or "verbatim".
        kind, score = _label(x, y, 1.0, 1.0 if x.content else 0.0)
        result.pairs.append(SentencePair(x.sentence, y.sentence, score, kind or "verbatim",
                                         i, i, kind == "verbatim"))


def _align_cells(result: Alignment, a: Sequence[Unit], b: Sequence[Unit]) -> None:
    """Greedy one-to-one pairing, strongest cells first (appends to ``result.pairs``, in
    A's order): a rewrite that splits one sentence in two keeps its better half, which is
    enough for coverage.

    The cells of the highest score, 1.0 (the same words, or the same content words), come
    first in that order, row by row: they are found by hashing and labelled first, and the
    score matrices are made only for the rows and columns they leave free. Among those the
    order is the full matrix's, so the pairs are the same as :func:`_pair_cells` over all
    of A and B would find (a cell of 1.0 that its label refused is refused again there); a
    copy with a few sentences of its own costs a few rows instead of n x m cells."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    for i, j in _top_cells(a, b):
        if i in used_a or j in used_b:
            continue
        x, y = a[i], b[j]
        same = x.normal == y.normal
        ratio = 1.0 if same else _ratio(x.normal, y.normal)
        dice = 1.0 if x.content and x.content == y.content else 0.0
        if _take(result, a, b, i, j, ratio, dice):
            used_a.add(i)
            used_b.add(j)
    rows = [i for i in range(len(a)) if i not in used_a]
    cols = [j for j in range(len(b)) if j not in used_b]
    if rows and cols:
        _pair_cells(result, a, b, rows, cols)
    result.pairs.sort(key=lambda p: p.a_index)


def _top_cells(a: Sequence[Unit], b: Sequence[Unit]) -> list[tuple[int, int]]:
    """The cells whose score is 1.0, in row-major order: the same normalised words (letter
    ratio 1.0) or the same non-empty set of content words (Dice 1.0), found from both
    texts' units by wording and by content words (:func:`facts`)."""
    fa, fb = facts(a), facts(b)
    cells: set[tuple[int, int]] = set()
    for found_a, found_b in ((fa.by_normal, fb.by_normal), (fa.by_content, fb.by_content)):
        for key in found_a.keys() & found_b.keys():
            cells.update(product(found_a[key], found_b[key]))
    return sorted(cells)


def _ratio(x: str, y: str) -> float:
    """One cell of the letter-ratio matrix, computed as the matrix computes it."""
    cell = process.cdist([x], [y], scorer=fuzz.ratio, dtype=np.float32, workers=1) / 100.0
    return float(cell[0, 0])


def _take(result: Alignment, a: Sequence[Unit], b: Sequence[Unit], i: int, j: int,
          ratio: float, dice: float) -> bool:
    """Label cell (i, j); when it gets a label, add the pair and return True."""
    kind, score = _label(a[i], b[j], ratio, dice)
    if kind is None:
        return False
    near = kind == "verbatim" or (kind == "edited" and _near_verbatim(
        a[i].normal, b[j].normal, ratio))
    result.pairs.append(SentencePair(a[i].sentence, b[j].sentence, score, kind, i, j, near))
    return True


def _pair_cells(result: Alignment, a: Sequence[Unit], b: Sequence[Unit],
                rows: Sequence[int], cols: Sequence[int]) -> None:
    """The greedy pairing over the matrix of ``rows`` x ``cols`` (all of them: the whole
    alignment), strongest cell first, ties in row-major order (appends, unsorted)."""
    ratio = process.cdist([a[i].normal for i in rows], [b[j].normal for j in cols],
                          scorer=fuzz.ratio, dtype=np.float32, workers=1) / 100.0
    dice = _dice_cells(a, b, rows, cols)
    best = np.maximum(ratio, dice)
    # Cells that no label can accept (see _label: a paraphrase needs ratio >= 0.65 or Dice
    # >= 0.4; a cut-down copy keeps its content words, so Dice stays well above 0.3; a
    # quotation needs both sentences quoted) are skipped before the costly labelling: long
    # articles have thousands of cells of middling letter similarity.
    quoted_a = facts(a).quoted[list(rows)]
    quoted_b = facts(b).quoted[list(cols)]
    possible = (ratio >= 0.65) | (dice >= 0.3) | (quoted_a[:, None] & quoted_b[None, :])
    best = np.where(possible, best, 0.0)
    order = np.argsort(-best, axis=None, kind="stable")
    used_a: set[int] = set()
    used_b: set[int] = set()
    threshold = min(EDITED, PARAPHRASE) - 0.1
    width = len(cols)
    for flat in order:
        r, c = divmod(int(flat), width)
        if best[r, c] < threshold:
            break
        if r in used_a or c in used_b:
            continue
        if _take(result, a, b, rows[r], cols[c], float(ratio[r, c]), float(dice[r, c])):
            used_a.add(r)
            used_b.add(c)


def _label(ua: Unit, ub: Unit, ratio: float, dice: float) -> tuple[str | None, float]:
    if ratio < EDITED:
        short, long_ = sorted((ua.normal, ub.normal), key=len)
        if len(short) >= 0.4 * len(long_) and len(short) >= 30 and may_be_partial(short, long_):
            partial = fuzz.partial_ratio(short, long_) / 100.0
            if partial >= PARTIAL:
                ratio = max(ratio, EDITED + (partial - PARTIAL) * 0.5)
    if ratio >= EDITED and not _same_word_order(ua.normal.split(), ub.normal.split()):
        # Similar letters but words moved or swapped ("X, police said" ->
        # "Police said that X"): reworded, not lightly edited.
        ratio = min(ratio, EDITED - 0.01)
    if ua.quoted >= QUOTED and ub.quoted >= QUOTED and max(ratio, dice) >= PARAPHRASE - 0.1:
        return "quote", max(ratio, dice)
    if ua.normal == ub.normal:
        return "verbatim", 1.0
    if ratio >= EDITED:
        return "edited", ratio
    shared = len(ua.content & ub.content)
    if (dice >= PARAPHRASE and shared >= 4) or (dice >= PARAPHRASE - 0.1 and shared >= 5) or (
        ratio >= 0.65 and shared >= 3
    ):
        return "paraphrase", max(dice, ratio)
    return None, 0.0


# Edits that a window of the longer sentence may be from the shorter, for a letter ratio of
# PARTIAL (0.93) with it: at most (1 - PARTIAL) of the two lengths, the window at most as
# long as the shorter. A hair above, so that no float rounding at the bound can refuse a
# window rapidfuzz would score at PARTIAL.
_PARTIAL_EDITS = 2 * (1 - PARTIAL) + 1e-6


def may_be_partial(short: str, long_: str) -> bool:
    """False when no window of ``long_`` can have a letter ratio of PARTIAL or more with
    ``short`` (``len(short) <= len(long_)``), i.e. ``fuzz.partial_ratio`` is below
    PARTIAL: decided from their whole Indel distance, a bit-parallel count far cheaper
    than the windows (in a 10,000-article archive ingest 45,300 of 45,900 partial ratios
    were of sentences that share little: their answer, mostly about 0.45, changed nothing).

    Why it is exact: ``partial_ratio`` is the best ``ratio`` of ``short`` with a window W
    of ``long_`` no longer than ``short`` (shorter at its ends; with equal lengths, also
    the other way round, the same bound). A ratio of PARTIAL or more means an Indel
    distance d <= (1 - PARTIAL) * (|short| + |W|) <= 2 (1 - PARTIAL) |short|; and since
    d >= |short| - |W|, turning ``short`` into W and then adding the rest of ``long_``
    around it makes the whole distance at most d + |long_| - |W| <= 2 d + |long_| -
    |short|. A whole distance above that rules out every window."""
    edits = _PARTIAL_EDITS * len(short)
    return Indel.distance(short, long_) <= 2 * edits + len(long_) - len(short)


def _near_verbatim(a: str, b: str, ratio: float) -> bool:
    if ratio >= NEAR_VERBATIM:
        return True
    short, long_ = sorted((a.split(), b.split()), key=len)
    return bool(short) and Indel.similarity(short, long_) // 2 >= NEAR_VERBATIM * len(short)


def _same_word_order(a: list[str], b: list[str]) -> bool:
    """Whether most words of the shorter sentence appear in the same order in the longer."""
    short, long_ = sorted((a, b), key=len)
    if not short:
        return False
    lcs = Indel.similarity(short, long_) // 2  # Indel similarity is twice the LCS length
    return lcs >= TOKEN_KEPT * len(short) and lcs >= 0.6 * len(long_)


def _dice_matrix(a: Sequence[Unit], b: Sequence[Unit]) -> np.ndarray:
    """Dice overlap of the content words of every sentence pair (see :func:`_dice_cells`)."""
    return _dice_cells(a, b, range(len(a)), range(len(b)))


def _dice_cells(a: Sequence[Unit], b: Sequence[Unit], rows: Sequence[int],
                cols: Sequence[int]) -> np.ndarray:
    """Dice overlap of the content words of the sentence pairs of ``rows`` x ``cols``, as
    one matrix product over the words the two texts share (long articles have thousands
    of pairs). Each text's words are numbered once (:func:`facts`); a pair maps the
    shared ones to the product's columns. The counts are whole numbers in float32, exact
    whatever the columns' order, so the matrix is the same as counting each cell's
    words."""
    out = np.zeros((len(rows), len(cols)), dtype=np.float32)
    fa, fb = facts(a), facts(b)
    common = list(fa.vocabulary.keys() & fb.vocabulary.keys())
    if not common:
        return out
    numbers = np.arange(len(common), dtype=np.intp)

    def incidence(found: Facts, chosen: Sequence[int]) -> np.ndarray:
        column = np.full(len(found.vocabulary), -1, dtype=np.intp)
        column[[found.vocabulary[w] for w in common]] = numbers
        cells = column[found.word_ids]
        kept = cells >= 0
        matrix = np.zeros((len(found.content_sizes), len(common)), dtype=np.float32)
        matrix[found.word_rows[kept], cells[kept]] = 1.0
        return matrix[list(chosen)]

    # A product this small gains nothing from more BLAS threads; they only spin (on a busy
    # 2-core machine a 40 x 100 product took 1 ms on two threads against 5 us on one).
    with one_blas_thread():
        shared = incidence(fa, rows) @ incidence(fb, cols).T
    sizes = (fa.content_sizes[list(rows)][:, None] + fb.content_sizes[list(cols)][None, :])
    np.divide(2.0 * shared, sizes, out=out, where=sizes > 0)
    return out


def _measure(result: Alignment, a: Sequence[Unit], b: Sequence[Unit]) -> None:
    """The shares of A and B in each kind of pair, and the order kept: in one pass over
    the pairs (their characters are whole numbers, so the sums do not depend on it)."""
    size_a = facts(a).size or 1
    size_b = facts(b).size or 1
    copy_a = copy_b = text_a = text_b = quote_a = quote_b = all_a = all_b = 0
    text: list[tuple[int, int]] = []
    for p in result.pairs:
        length_a, length_b = len(p.a.text), len(p.b.text)
        all_a += length_a
        all_b += length_b
        if p.kind in TEXT_KINDS:
            text_a += length_a
            text_b += length_b
            text.append((p.a_index, p.b_index))
            if p.kind in COPY_KINDS:
                copy_a += length_a
                copy_b += length_b
        elif p.kind == "quote" and p.score >= EDITED:
            quote_a += length_a
            quote_b += length_b
    result.copy_a, result.copy_b = copy_a / size_a, copy_b / size_b
    result.text_a, result.text_b = text_a / size_a, text_b / size_b
    result.quote_a, result.quote_b = quote_a / size_a, quote_b / size_b
    result.all_a, result.all_b = all_a / size_a, all_b / size_b
    result.order = _in_order(sorted(text))


def _in_order(pairs: list[tuple[int, int]]) -> float:
    """Longest increasing run of B positions, as a share of the pairs (1.0 = same order)."""
    if not pairs:
        return 0.0
    tails: list[int] = []
    for _, j in pairs:
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if tails[mid] < j:
                lo = mid + 1
            else:
                hi = mid
        if lo == len(tails):
            tails.append(j)
        else:
            tails[lo] = j
    return len(tails) / len(pairs)


UnitsKey = tuple[tuple[str, float, int], ...]


def units_key(units: Sequence[Unit]) -> UnitsKey:
    """All an alignment reads of an article's sentences: each one's words (its content
    words are made from them), quoted share and length, in order."""
    return tuple((u.normal, u.quoted, len(u.sentence.text)) for u in units)


class AlignmentMemo:
    """Alignments made so far (in one batch), by both sides' :func:`units_key`.

    An article and its wire copies often have the same sentences once cleaned, and a new
    article is a candidate of all of them: it is aligned once with that text, and each
    other pair gets the same sentence pairs (A's and B's own sentences, for the
    passages' offsets) and the same shares."""

    def __init__(self) -> None:
        self._done: dict[tuple[UnitsKey, UnitsKey], Alignment] = {}

    def align(self, a: Sequence[Unit], b: Sequence[Unit], key_a: UnitsKey,
              key_b: UnitsKey) -> Alignment:
        """:func:`align` of A and B (whose keys are given, made once per article)."""
        done = self._done.get((key_a, key_b))
        if done is None:
            result = align(a, b)
            self._done[(key_a, key_b)] = replace(result, pairs=list(result.pairs))
            return result
        pairs = [SentencePair(a[p.a_index].sentence, b[p.b_index].sentence, p.score, p.kind,
                              p.a_index, p.b_index, p.near) for p in done.pairs]
        return replace(done, pairs=pairs)


def align_texts(text_a: str, text_b: str) -> Alignment:
    """Align two article bodies."""
    return align(prepare(text_a), prepare(text_b))
