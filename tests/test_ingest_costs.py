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


# -- attributions: the patterns gated by what their matches must hold ---------------------

AGENCIES = ["NPA", "Northern Press Agency", "UPI", "the agency", "Reuters", "AFP", "Kremlin Pool"]
PIECES = [
    "ASHFORD, March 3 ({a}) -- Water rose.", "({b}) -- The dam held.", "Ridge,({b}): ok",
    "{a} ({b}): the dam held.", "Harbour ({b}) - ok",
    "Photo by {a}/UPI", "Photos: {a} | more", "Photograph: {a}; later", "Image: {a}.",
    "Picture by {a})", "Pictures: {a}\n", "Credit: {a}/{b}. Next", "(Photo: {a})",
    "REUTERS/Tingshu Wang", "AP PHOTO/Jo Lee Kim", "{b}/Getty Images", "photo by {a}",
    "According to {a}, it fell.", "as reported by {a}", "citing {a} sources", "Citing {a},",
    "told the {a} on Monday", "As {a} reported, the river rose.", "quoted by {a}",
    "cited by {a}", "carried by {a}", "{a} reported that", "{a} said on Tuesday",
    "the water (which rose) stayed", "in 2020/21 it rose", "Pictured: nothing",
]


def _sentences(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [rng.choice(PIECES).format(a=rng.choice(AGENCIES), b=rng.choice(AGENCIES))
                 for _ in range(rng.randrange(1, 4))]
        out.append(" ".join(parts))
    return out


def test_gated_attribution_patterns_find_what_the_patterns_find(monkeypatch):
    """Sentence by sentence, the attributions and credits with the gates equal those with
    every gate open (an empty string is in every text): a gate missing a word that a
    match holds ("Credit", "Picture") or a wrong character loses matches here."""
    from newsweave.reuse import attribution as at

    sentences = _sentences(3000, seed=3)
    gated = [(at._in_sentence(7, s, 0), at._credits(7, s, -1)) for s in sentences]
    monkeypatch.setattr(at, "_DATELINE_NEEDS", "")
    monkeypatch.setattr(at, "_CAPS_CREDIT_NEEDS", "")
    monkeypatch.setattr(at, "_PHOTO_NEEDS", ("",))
    open_ = [(at._in_sentence(7, s, 0), at._credits(7, s, -1)) for s in sentences]
    assert gated == open_
    kinds = {a.kind for found, _ in gated for a in found}
    assert {"dateline", "photo-credit", "agency"} <= kinds


def test_forward_pattern_matches_as_written_without_look_ahead():
    """The look-ahead of first letters in front of ``_FORWARD`` changes none of its
    matches (the pattern as it was written before it)."""
    import re

    from newsweave.reuse import attribution as at

    before = re.compile(r"\b(?P<how>[Aa]ccording to|(?:quoted|cited|reported|carried) by|"
                        r"[Cc]iting|told|[Aa]s)\s+")
    for sentence in _sentences(3000, seed=4):
        assert ([m.span("how") for m in at._FORWARD.finditer(sentence)]
                == [m.span("how") for m in before.finditer(sentence)])
