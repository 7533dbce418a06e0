"""A related pair's shortcuts give what the long way gives (docs/benchmarks.md, "Archive
scale, part 20"): each text's alignment facts kept with its prepared units, the Dice cells
and the 1.0 cells found from them, the evidence without its strongest-first sort, the
evidence JSON written out, and one BLAS limit around many."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from newsweave.model import Evidence, Passage
from newsweave.nlp import blas
from newsweave.reuse.align import (
    Units,
    _dice_cells,
    _top_cells,
    align,
    facts,
    prepare,
)
from newsweave.reuse.relation import MAX_EVIDENCE, _evidence
from newsweave.store.reuse import evidence_json
from test_reuse_growth import WORDS


def _sentence(rng: random.Random) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 14))).capitalize() + "."
    return f'"{text}" the mayor said.' if rng.random() < 0.15 else text


def _texts(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    a = [_sentence(rng) for _ in range(rng.randint(1, 25))]
    b = []
    for sentence in a:
        roll = rng.random()
        if roll < 0.4:
            b.append(sentence)
        elif roll < 0.7:
            words = sentence.rstrip(".").split()
            rng.shuffle(words)
            b.append(" ".join(words) + ".")
        elif roll < 0.85:
            b.append(_sentence(rng))
        if rng.random() < 0.1:
            b.append(rng.choice(a))
    return "\n\n".join(a), "\n\n".join(b)


def _top_cells_long_way(a, b) -> list[tuple[int, int]]:
    return [(i, j) for i, x in enumerate(a) for j, y in enumerate(b)
            if x.normal == y.normal or (x.content and x.content == y.content)]


def _dice_long_way(a, b, rows, cols) -> np.ndarray:
    out = np.zeros((len(rows), len(cols)), dtype=np.float32)
    for r, i in enumerate(rows):
        for c, j in enumerate(cols):
            size = np.float32(len(a[i].content) + len(b[j].content))
            if size:
                out[r, c] = (np.float32(2.0) * np.float32(len(a[i].content & b[j].content))
                             / size)
    return out


@pytest.mark.parametrize("seed", range(120))
def test_facts_give_the_cells_the_units_give(seed):
    text_a, text_b = _texts(seed)
    a, b = prepare(text_a), prepare(text_b)
    assert isinstance(a, Units) and isinstance(b, Units)
    assert _top_cells(a, b) == _top_cells_long_way(a, b)
    rng = random.Random(seed)
    rows = sorted(rng.sample(range(len(a)), rng.randint(1, len(a)))) if a else []
    cols = sorted(rng.sample(range(len(b)), rng.randint(1, len(b)))) if b else []
    got = _dice_cells(a, b, rows, cols)
    assert got.dtype == np.float32
    assert np.array_equal(got, _dice_long_way(a, b, rows, cols))
    fa = facts(a)
    assert fa is facts(a)  # kept with the units
    assert fa.size == sum(len(u.sentence.text) for u in a)


@pytest.mark.parametrize("seed", range(120))
def test_alignment_of_kept_facts_is_that_of_plain_lists(seed):
    """Plain lists of units (made for each call) and kept ones align the same, both ways,
    and aligning again with the facts kept changes nothing."""
    text_a, text_b = _texts(seed)
    a, b = prepare(text_a), prepare(text_b)
    plain = align(list(a), list(b))
    assert align(a, b) == plain
    assert align(a, b) == plain
    assert align(b, a) == align(list(b), list(a))


def test_units_pickle_without_their_facts():
    import pickle

    units = prepare("The council met on Monday to talk about the flood. The mayor said "
                    "the river was rising fast near the old bridge.")
    facts(units)
    again = pickle.loads(pickle.dumps(units))
    assert isinstance(again, Units) and list(again) == list(units)
    assert again._facts is None


def _evidence_long_way(alignment, a_id, b_id, a_derived):
    out = []
    for pair in sorted(alignment.pairs, key=lambda p: -p.score)[:MAX_EVIDENCE]:
        pa = Passage(a_id, pair.a.start, pair.a.end, pair.a.text)
        pb = Passage(b_id, pair.b.start, pair.b.end, pair.b.text)
        derived, source = (pa, pb) if a_derived else (pb, pa)
        out.append(Evidence(derived, source, pair.score, pair.kind))
    out.sort(key=lambda e: e.derived_passage.start)
    return out


@pytest.mark.parametrize("seed", range(60))
def test_evidence_is_the_strongest_in_the_derived_order(seed):
    text_a, text_b = _texts(seed)
    alignment = align(prepare(text_a), prepare(text_b))
    for a_derived in (True, False):
        assert _evidence(alignment, 3, 8, a_derived) == _evidence_long_way(
            alignment, 3, 8, a_derived)
    rng = random.Random(seed)
    # More aligned pairs than are kept: the strongest MAX_EVIDENCE, ties as before.
    many = " ".join(_sentence(rng) for _ in range(MAX_EVIDENCE + 30))
    long_alignment = align(prepare(many), prepare(many.replace("mayor", "major")))
    assert len(long_alignment.pairs) > MAX_EVIDENCE
    for a_derived in (True, False):
        assert _evidence(long_alignment, 1, 2, a_derived) == _evidence_long_way(
            long_alignment, 1, 2, a_derived)


def test_evidence_json_is_json_dumps():
    rng = random.Random(5)
    letters = 'ab "\\\n\t\x00\x1f\u2028é漢😀\x7f/'
    scores = [0.0, 1.0, 1e-7, 0.123456789, 0.99995, 2.5e-05, 1 / 3, float("nan"),
              float("inf"), 1, True]
    for _ in range(2000):
        evidence = [Evidence(
            Passage(rng.randint(0, 10**9), rng.randint(0, 9999), rng.randint(0, 9999),
                    "".join(rng.choice(letters) for _ in range(rng.randint(0, 30)))),
            Passage(rng.randint(0, 10**6), rng.randint(0, 99), rng.randint(0, 99),
                    "".join(rng.choice(letters) for _ in range(rng.randint(0, 6)))),
            rng.choice(scores) if rng.random() < 0.3 else rng.random(),
            rng.choice(["verbatim", "edited", "paraphrase", "quote", 'é"']))
            for _ in range(rng.randint(0, 5))]
        want = json.dumps([x.to_dict() for x in evidence], ensure_ascii=False)
        assert evidence_json(evidence) == want


def test_a_nested_blas_limit_sets_nothing(monkeypatch):
    with blas.one_blas_thread() as outer:
        calls = []
        monkeypatch.setattr(blas._CONTROLLER, "limit",
                            lambda **kw: calls.append(kw))  # would be called if set again
        with blas.one_blas_thread() as inner, blas.one_blas_thread():
            assert inner is None
        assert calls == []
        monkeypatch.undo()
        assert outer is not None
    with blas.one_blas_thread() as again:  # outside: the limit is set again
        assert again is not None


def _measure_long_way(result, a, b) -> None:
    """align._measure as it was: a sum over the pairs for each share."""
    from newsweave.reuse.align import COPY_KINDS, EDITED, TEXT_KINDS, _in_order

    size_a = sum(len(u.sentence.text) for u in a) or 1
    size_b = sum(len(u.sentence.text) for u in b) or 1
    copy = [p for p in result.pairs if p.kind in COPY_KINDS]
    text = [p for p in result.pairs if p.kind in TEXT_KINDS]
    result.copy_a = sum(len(p.a.text) for p in copy) / size_a
    result.copy_b = sum(len(p.b.text) for p in copy) / size_b
    result.text_a = sum(len(p.a.text) for p in text) / size_a
    result.text_b = sum(len(p.b.text) for p in text) / size_b
    quotes = [p for p in result.pairs if p.kind == "quote" and p.score >= EDITED]
    result.quote_a = sum(len(p.a.text) for p in quotes) / size_a
    result.quote_b = sum(len(p.b.text) for p in quotes) / size_b
    result.all_a = sum(len(p.a.text) for p in result.pairs) / size_a
    result.all_b = sum(len(p.b.text) for p in result.pairs) / size_b
    result.order = _in_order(sorted((p.a_index, p.b_index) for p in text))


@pytest.mark.parametrize("seed", range(120))
def test_shares_in_one_pass_are_the_sums(seed):
    from dataclasses import replace

    text_a, text_b = _texts(seed)
    a, b = prepare(text_a), prepare(text_b)
    for x, y in ((a, b), (b, a)):
        got = align(x, y)
        want = replace(got, pairs=list(got.pairs))
        _measure_long_way(want, x, y)
        assert got == want
        assert got.kinds() == {k: got.count(k) for k in {p.kind for p in got.pairs}}


def test_collection_paused_restores_the_collector():
    import gc

    from newsweave.gcpause import collection_paused

    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():  # nested: still off, and not turned on by the inner one
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collection_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()


def test_reuse_stage_pauses_the_collector_for_its_batch(monkeypatch):
    import gc

    from newsweave.reuse import ReuseStage

    seen = []
    monkeypatch.setattr(ReuseStage, "_run", lambda self, *args: seen.append(gc.isenabled()))
    ReuseStage().run(None, [], None)  # type: ignore[arg-type]
    assert seen == [False]
    assert gc.isenabled()
