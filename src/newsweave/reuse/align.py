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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import product

import numpy as np
from rapidfuzz import fuzz, process

from newsweave.nlp.blas import one_blas_thread
from newsweave.nlp.sentences import Sentence

# The prepared sentences and a sentence pair's label, in their own modules; the names
# imported from here re-exported. (The thresholds are read where they are defined: one
# set on this module would change nothing but _pair_cells' and _measure's reading.)
from newsweave.reuse.sentence_labels import (
    EDITED,
    NEAR_VERBATIM,
    PARAPHRASE,
    PARTIAL,
    TOKEN_KEPT,
    _label,
    _near_verbatim,
    may_be_partial,
)
from newsweave.reuse.sentence_units import (
    MIN_WORDS,
    QUOTED,
    Facts,
    PreparedTexts,
    SentenceWords,
    Unit,
    Units,
    UnitsKey,
    facts,
    prepare,
    units_key,
)

__all__ = [
    "COPY_KINDS", "EDITED", "MIN_WORDS", "NEAR_VERBATIM", "PARAPHRASE", "PARTIAL", "QUOTED",
    "TEXT_KINDS", "TOKEN_KEPT", "Alignment", "AlignmentMemo", "Facts", "PreparedTexts",
    "SentencePair", "SentenceWords", "Unit", "Units", "UnitsKey", "align", "align_texts",
    "facts", "may_be_partial", "prepare", "units_key",
]

TEXT_KINDS = ("verbatim", "edited", "paraphrase")
COPY_KINDS = ("verbatim", "edited")


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
