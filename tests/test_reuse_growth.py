"""The reuse stage's shortcuts give what the long way gives (bench/reuse_growth.py measures
what they save as the store grows): the alignment's 1.0 cells labelled before the matrices,
two same-worded articles aligned along the diagonal, alignments remembered per batch, a
sentence's quoted share by bisection, the graph's sources chosen from an index."""

from __future__ import annotations

import random

import pytest

from newsweave.model import Edge
from newsweave.nlp.sentences import split_sentences
from newsweave.reuse.align import (
    Alignment,
    AlignmentMemo,
    _align_cells,
    _measure,
    _pair_cells,
    align,
    prepare,
    units_key,
)
from newsweave.reuse.origins import by_derived, choose_sources
from newsweave.reuse.text import quoted_spans

WORDS = ("council harbour flood minister river police storm bridge village mayor school "
         "hospital road water power fire union court judge price market farmers station "
         "the a of and to in on at said was were has have it").split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 14))]
    text = " ".join(words).capitalize() + "."
    if rng.random() < 0.15:
        text = f'"{text}" the mayor said.'
    return text


def _vary(sentence: str, rng: random.Random) -> str:
    words = sentence.rstrip(".").split()
    roll = rng.random()
    if roll < 0.3:
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    elif roll < 0.45 and len(words) > 5:
        del words[rng.randrange(len(words))]
    elif roll < 0.6:
        rng.shuffle(words)
    return " ".join(words) + "."


def _pair(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    a = [_sentence(rng) for _ in range(rng.randint(1, 25))]
    if rng.random() < 0.3:  # a stock line twice
        a.insert(rng.randrange(len(a) + 1), a[0])
    b = []
    for sentence in a:
        roll = rng.random()
        if roll < 0.45:
            b.append(sentence)
        elif roll < 0.75:
            b.append(_vary(sentence, rng))
        elif roll < 0.85:
            b.append(_sentence(rng))
        if rng.random() < 0.1:
            b.append(rng.choice(a))
    if rng.random() < 0.2:
        rng.shuffle(b)
    return "\n\n".join(a), "\n\n".join(b)


def _matrix_alignment(a: list, b: list) -> Alignment:
    """The alignment as made before the shortcuts: the greedy over every cell."""
    result = Alignment(sentences_a=len(a), sentences_b=len(b))
    if a and b:
        _pair_cells(result, a, b, range(len(a)), range(len(b)))
        result.pairs.sort(key=lambda p: p.a_index)
        _measure(result, a, b)
    return result


@pytest.mark.parametrize("seed", range(300))
def test_top_cells_first_gives_the_matrix_pairing(seed):
    text_a, text_b = _pair(seed)
    a, b = prepare(text_a), prepare(text_b)
    expected = _matrix_alignment(a, b)
    assert align(a, b) == expected
    assert align(b, a) == _matrix_alignment(b, a)
    cells = Alignment(sentences_a=len(a), sentences_b=len(b))
    if a and b:
        _align_cells(cells, a, b)
        _measure(cells, a, b)
        assert cells == expected


@pytest.mark.parametrize("seed", range(60))
def test_same_words_align_along_the_diagonal_as_the_matrix_does(seed):
    text, _ = _pair(seed)
    # The same sentences with other spacing and quote marks: other offsets, same words.
    other = "  " + text.replace(" the ", "  the ").replace('"', "“", 1)
    a, b = prepare(text), prepare(other)
    assert [u.normal for u in a] == [u.normal for u in b]
    got = align(a, b)
    assert got == _matrix_alignment(a, b)
    assert all(p.a_index == p.b_index for p in got.pairs)
    assert len(got.pairs) == len(a)


def test_a_remembered_alignment_has_the_other_articles_own_passages():
    text, other = _pair(3)
    copy = "Wire copy.\n\n" + other  # same sentences (the first is too short to count)
    a, b, c = prepare(text), prepare(other), prepare(copy)
    assert units_key(b) == units_key(c)
    memo = AlignmentMemo()
    first = memo.align(a, b, units_key(a), units_key(b))
    again = memo.align(a, c, units_key(a), units_key(c))
    assert again == align(a, c)
    assert again.pairs and first.pairs
    assert [p.b.start for p in again.pairs] == [p.b.start + len("Wire copy.\n\n")
                                              for p in first.pairs]
    assert memo.align(a, b, units_key(a), units_key(b)) == first


def _naive_quoted(text: str) -> list[float]:
    spans = quoted_spans(text)
    out = []
    for sentence in split_sentences(text):
        inside = sum(max(0, min(end, sentence.end) - max(start, sentence.start))
                     for start, end in spans)
        out.append(inside / max(1, sentence.end - sentence.start))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_quoted_share_is_the_sum_over_all_spans(seed):
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(3, 30)):
        sentence = _sentence(rng)
        if rng.random() < 0.3:  # a quotation running over two sentences
            sentence = f'"{sentence} {_sentence(rng)}"'
        parts.append(sentence)
    text = " ".join(parts)
    shares = {s.sentence.start: s.quoted for s in prepare(text)}
    naive = dict(zip((s.start for s in split_sentences(text)), _naive_quoted(text),
                     strict=True))
    assert shares and all(shares[start] == naive[start] for start in shares)


def _edge(derived: int, source: int, kind: str = "copy", attribution: str | None = None,
          shared: float = 0.5) -> Edge:
    return Edge(derived=derived, source=source, kind=kind, confidence=0.8,
                shared_fraction=shared, attribution=attribution)


@pytest.mark.parametrize("seed", range(30))
def test_sources_chosen_from_the_index_are_the_same(seed):
    rng = random.Random(seed)
    edges, seen = [], set()
    for _ in range(rng.randint(1, 40)):
        derived, source = rng.sample(range(1, 15), 2)
        if (derived, source) in seen or (source, derived) in seen:
            continue
        seen.add((derived, source))
        edges.append(_edge(derived, source, rng.choice(["copy", "rewrite", "shared-quotes",
                                                        "translation", "independent"]),
                           rng.choice([None, None, "Kelmar Press"]), rng.random()))
    related = {(min(e.derived, e.source), max(e.derived, e.source)) for e in edges}
    published = {i: f"2024-01-{i:02d}T10:00:00" if i % 3 else None for i in range(1, 15)}
    parents = {5: [3], 7: [5]}
    indexed = by_derived(edges)
    for derived in range(1, 15):
        assert (choose_sources(derived, edges, related, published, parents, indexed=indexed)
                == _choose_by_scanning(derived, edges, related, published, parents))


def _choose_by_scanning(derived, candidates, related, published, parents):
    """choose_sources as written before the index: every candidate looked at per article."""
    from newsweave.reuse.origins import DERIVING, _reaches
    from newsweave.reuse.relation import parse_time

    options = [e for e in candidates if e.derived == derived and e.kind in DERIVING]
    sources = {e.source for e in options}
    secondhand = {e.derived for e in candidates
                  if e.kind in DERIVING and e.derived in sources and e.source in sources}

    def preference(edge):
        when = parse_time(published.get(edge.source))
        stamp = when.timestamp() if when else 0.0
        return (edge.attribution is None, edge.source in secondhand, when is None, stamp,
                -edge.shared_fraction, edge.source)

    chosen = []
    for edge in sorted(options, key=preference):
        if any((min(edge.source, c), max(edge.source, c)) in related for c in chosen):
            continue
        if _reaches(edge.source, derived, parents):
            continue
        chosen.append(edge.source)
    return chosen


def test_sentences_prepared_once_per_batch_give_the_same_units():
    known: dict = {}
    texts = [_pair(seed)[k] for seed in range(20) for k in (0, 1)]
    texts.append("Wire copy.\n\n" + texts[0])  # the same sentences at other offsets
    for text in texts:
        assert prepare(text, known) == prepare(text)
    assert len(known) < sum(len(prepare(t)) for t in texts)  # sentences were shared
