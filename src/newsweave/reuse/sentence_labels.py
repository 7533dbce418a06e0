"""The label of one aligned sentence pair (verbatim, edited, paraphrase, quote) from its
letter ratio and content-word overlap, and the thresholds that decide it."""

from __future__ import annotations

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from newsweave.reuse.sentence_units import QUOTED, Unit

EDITED = 0.78  # character similarity (0..1) of the normalised words
TOKEN_KEPT = 0.85  # share of the shorter sentence's words kept in order, for an edit
PARTIAL = 0.93  # one sentence is (almost) a cut-down version of the other
PARAPHRASE = 0.5  # content-word overlap (Dice)

# Near-verbatim: an edited pair whose words are (almost) all the source's, in
# order: character similarity >= 0.95, or >= 95 % of the shorter sentence's
# words kept in order in the longer (words cut or added, none replaced:
# "late on Monday" -> "late Monday"). Swapping words for synonyms or moving
# clauses is rewording, however close the letters stay.
NEAR_VERBATIM = 0.95


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
