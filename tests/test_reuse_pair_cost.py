"""What an aligned pair costs beyond its alignment stays the same answer when remembered
(docs/benchmarks.md, "Archive scale, part 12"): the reuse stage asks whether two names
are one medium for every pair it relates, and the pairs per new article grow with the
store, so those answers are remembered per name."""

from __future__ import annotations

import random

from newsweave.model import Attribution
from newsweave.reuse import attribution
from newsweave.reuse.attribution import names_source, same_source

NAMES = ["NPA", "Northern Press Agency", "the Valley Courier", "Courier", "Reuters",
         "Coast Today", "Kelmar Press Agency (KPA)", "KPA", "The Harbour Times", "Times",
         "Associated Wire", "AW", "Valley News", "News", "Ridge Post", "the Post", ""]


def _fresh(name: str) -> frozenset[str]:
    return attribution._variants.__wrapped__(name)  # type: ignore[attr-defined,no-any-return]


def _same_source_long_way(a: str, b: str) -> bool:
    """same_source with nothing remembered (its body as it was before the cache)."""
    variants_a, variants_b = _fresh(a), _fresh(b)
    if not variants_a or not variants_b:
        return False
    if variants_a & variants_b:
        return True
    for x in variants_a:
        for y in variants_b:
            short, long_ = sorted((x, y), key=len)
            if (any(w not in attribution._GENERIC for w in short.split())
                    and f" {short} " in f" {long_} "):
                return True
    return False


def test_remembered_same_source_answers_as_the_long_way():
    same_source.cache_clear()
    for a in NAMES:
        for b in NAMES:
            assert same_source(a, b) == _same_source_long_way(a, b), (a, b)
            assert same_source.__wrapped__(a, b) == same_source(a, b)  # type: ignore[attr-defined]


def test_a_pair_asked_again_is_answered_from_memory():
    same_source.cache_clear()
    rng = random.Random(5)
    asked = [(rng.choice(NAMES), rng.choice(NAMES)) for _ in range(400)]
    for a, b in asked:
        same_source(a, b)
    info = same_source.cache_info()
    assert info.misses == len(set(asked))
    assert info.hits == len(asked) - len(set(asked))


def test_variants_cannot_be_changed_by_a_caller():
    assert isinstance(attribution._variants("Kelmar Press Agency (KPA)"), frozenset)
    assert attribution._variants("Kelmar Press Agency (KPA)") == {"kelmar press agency",
                                                                "kpa"}


def test_names_source_is_unchanged_by_memory():
    found = [Attribution(1, "NPA", "dateline", "", 0, 3),
             Attribution(1, "Reuters", "agency", "", 10, 17)]
    same_source.cache_clear()
    first = names_source(found, ["Northern Press Agency"])
    again = names_source(found, ["Northern Press Agency"])
    assert first == again == "NPA"
    assert names_source(found, ["Coast Today"]) is None


def _units(texts: list[str]):
    from newsweave.reuse.align import prepare

    return prepare("\n\n".join(texts))


def test_dice_matrix_is_the_overlap_of_content_words():
    """The Dice matrix, built from one assignment of the incidence cells, equals
    2|A∩B| / (|A| + |B|) of each sentence pair's content words, in float32."""
    import numpy as np

    from newsweave.reuse.align import _dice_matrix

    rng = random.Random(11)
    words = ("council harbour flood minister river police storm bridge village mayor "
             "school hospital road water power fire union court judge price market").split()
    for _ in range(60):
        a = _units([" ".join(rng.choice(words) for _ in range(rng.randint(5, 12))) + "."
                    for _ in range(rng.randint(1, 8))])
        b = _units([" ".join(rng.choice(words) for _ in range(rng.randint(5, 12))) + "."
                    for _ in range(rng.randint(1, 8))])
        got = _dice_matrix(a, b)
        want = np.zeros((len(a), len(b)), dtype=np.float32)
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                size = np.float32(len(x.content) + len(y.content))
                if size:
                    want[i, j] = np.float32(2.0) * np.float32(len(x.content & y.content)) / size
        assert got.dtype == np.float32
        assert np.array_equal(got, want)
