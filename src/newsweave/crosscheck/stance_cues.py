"""Word classes that mark how a passage holds a claim: refuting, hedging, confirming.

These are general classes of English, written from the linguistics of hedging
(epistemic modals, evidential adverbs, reporting of unverified sources) and of
denial (negative assessment of a report's truth), not read off any benchmark
item: a word is here because of what it means in any news report. Each class is
a set of stems (:func:`newsweave.crosscheck.align.stem` of the surface word), so
"denies", "denied" and "denying" count once; multi-word cues are matched on the
lowercased token sequence.

The weight each class gets is not set here: the stance model learns it
(``bench/stance.py --fit``).
"""

from __future__ import annotations

from collections.abc import Sequence

from newsweave.crosscheck.align import stem

# Denial and negative truth assessment: the passage says the claim is not so.
_REFUTE_WORDS = """
false falsely fake fakes faked hoax hoaxes debunk debunked debunks deny denies denied denying
denial refute refuted refutes rebut rebutted dismiss dismissed dismisses reject rejected
rejects untrue bogus baseless unfounded fabricated fabrication myth myths nonsense satire
satirical parody spoof prank retract retracted retraction misleading doctored photoshopped
incorrect inaccurate wrong lie lies lying scam contrary
""".split()
_REFUTE_PHRASES = (
    ("not", "true"), ("no", "evidence"), ("not", "real"), ("never", "happened"),
    ("no", "truth"), ("did", "not", "happen"), ("didn't", "happen"), ("isn't", "true"),
)
# Hedging and unverified report: the passage tells the claim without vouching for it.
_HEDGE_WORDS = """
reportedly allegedly alleged alleges allege purportedly purported supposedly apparently
apparent possibly possible probably likely unlikely may might could perhaps seemingly
seems seem appears appear unconfirmed unverified rumour rumours rumor rumors rumored
rumoured speculation speculate speculated claim claims claimed claiming suggest suggests
suggested believed thought report reports reported according sources whether if
investigating investigate investigates viral circulating
""".split()
# Confirmation: the passage vouches for the claim.
_CONFIRM_WORDS = """
confirm confirms confirmed confirming confirmation verified proves proved proven
indeed announced announces revealed reveals identified admitted admits acknowledged
""".split()

REFUTE = frozenset(stem(w) for w in _REFUTE_WORDS)
HEDGE = frozenset(stem(w) for w in _HEDGE_WORDS)
CONFIRM = frozenset(stem(w) for w in _CONFIRM_WORDS)
_NEGATORS = frozenset("not no never none nobody nothing neither nor without".split())


def negated(words: Sequence[str]) -> bool:
    """Whether a token sequence holds a negator ("not", "never", "n't", ...)."""
    return any(w in _NEGATORS or w.endswith("n't") for w in words)


# The refuting phrases by their first word: a phrase is tried only where its first word
# stands (every position was tried, a tuple built for each: most of a body's analysis).
_PHRASES_AT: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(p for p in _REFUTE_PHRASES if p[0] == first)
    for first in {p[0] for p in _REFUTE_PHRASES}}


def cue_counts(words: Sequence[str], stems: Sequence[str] | None = None
               ) -> tuple[int, int, int]:
    """How many (refuting, hedging, confirming) cues a lowercased token sequence holds
    (``stems``: the words' stems, if the caller has them).

    >>> cue_counts("officials denied the report that the dam had broken".split())
    (1, 1, 0)
    >>> cue_counts("police confirmed the claim is not true".split())
    (1, 1, 1)
    """
    refute = hedge = confirm = 0
    for word_stem in stems if stems is not None else [stem(w) for w in words]:
        if word_stem in REFUTE:
            refute += 1
        if word_stem in HEDGE:
            hedge += 1
        if word_stem in CONFIRM:
            confirm += 1
    for i, word in enumerate(words):
        for phrase in _PHRASES_AT.get(word, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                refute += 1
    return refute, hedge, confirm


__all__ = ["CONFIRM", "HEDGE", "REFUTE", "cue_counts", "negated"]
