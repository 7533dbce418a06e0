"""The ingest's own costs cut with the same answers (docs/benchmarks.md, "Archive scale,
part 14"): each shortcut checked against the long way on inputs built to sit at its edge."""

from __future__ import annotations

import random
import string

from rapidfuzz import fuzz

from newsweave.reuse.align import PARTIAL, may_be_partial

LETTERS = string.ascii_lowercase + "     "


def _edited(text: str, edits: int, rng: random.Random) -> str:
    """``text`` with ``edits`` random single-letter insertions, deletions or swaps."""
    chars = list(text)
    for _ in range(edits):
        where = rng.randrange(len(chars) + 1)
        move = rng.choice("ids")
        if move == "i" or not chars:
            chars.insert(where, rng.choice(LETTERS))
        elif move == "d":
            del chars[min(where, len(chars) - 1)]
        else:
            chars[min(where, len(chars) - 1)] = rng.choice(LETTERS)
    return "".join(chars)


def _pairs(count: int, seed: int) -> list[tuple[str, str]]:
    """Shorter and longer sentence: the longer holds an edited copy of the shorter (a few
    edits, up to about twice what a ratio of PARTIAL allows) among other letters, or cut
    at one of its ends, or no copy."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        short = "".join(rng.choice(LETTERS) for _ in range(rng.randrange(30, 160)))
        edits = rng.randrange(0, max(1, int(0.3 * len(short))))
        kept = _edited(short, edits, rng) if rng.random() < 0.8 else "".join(
            rng.choice(LETTERS) for _ in range(len(short)))
        before = "".join(rng.choice(LETTERS) for _ in range(rng.randrange(0, 120)))
        after = "".join(rng.choice(LETTERS) for _ in range(rng.randrange(0, 120)))
        cut = rng.randrange(0, max(1, int(0.15 * len(short))))
        if rng.random() < 0.5:  # the copy cut at an end of the longer sentence: its best
            # window there is shorter than the shorter sentence (the bound's worst case)
            long_ = kept[cut:] + after if rng.random() < 0.5 else before + kept[:len(kept) - cut]
        else:
            long_ = before + kept + after
        if len(long_) < len(short):
            short, long_ = long_, short
        out.append((short, long_))
    return out


def test_may_be_partial_never_refuses_a_partial_match():
    """Wherever rapidfuzz's partial ratio reaches PARTIAL, the Indel bound lets it be asked;
    the pairs include many just over and just under the bound (the edited copies), so a
    bound a few edits too tight refuses some of them."""
    pairs = _pairs(3000, seed=14)
    matched = refused = 0
    for short, long_ in pairs:
        partial = fuzz.partial_ratio(short, long_) / 100.0
        allowed = may_be_partial(short, long_)
        if partial >= PARTIAL:
            matched += 1
            assert allowed, (short, long_, partial)
        refused += not allowed
    assert matched > 300 and refused > 300  # both sides of the bound were exercised


def test_may_be_partial_is_tight_enough_to_matter():
    """Unrelated sentences of news length are ruled out (what saves the time)."""
    rng = random.Random(5)
    unrelated = [("".join(rng.choice(LETTERS) for _ in range(90)),
                  "".join(rng.choice(LETTERS) for _ in range(140))) for _ in range(200)]
    assert not any(may_be_partial(s, t) for s, t in unrelated)
    assert may_be_partial("the water rose over the bank by noon", "by then the water rose "
                          "over the bank by noon, officials said")
