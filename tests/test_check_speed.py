"""The whole-store check's stance path made cheaper without changing an answer (issue 16,
item 4): a body's analysis reads each word's stem once, and the refuting phrases are tried
only where their first word stands. Checked against the definitions they replace, on real
news text; and the claim is embedded only by a model whose index holds vectors."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np

from conftest import require_shared
from newsweave.crosscheck import claim_check
from newsweave.crosscheck.align import STOPWORDS, stem
from newsweave.crosscheck.stance import analyse_body
from newsweave.crosscheck.stance_cues import (
    _REFUTE_PHRASES,
    CONFIRM,
    HEDGE,
    REFUTE,
    cue_counts,
)


def _cue_counts_by_every_position(words: list[str]) -> tuple[int, int, int]:
    """The definition: every stem looked up, every phrase tried at every position."""
    stems = [stem(w) for w in words]
    refute = sum(s in REFUTE for s in stems)
    for phrase in _REFUTE_PHRASES:
        size = len(phrase)
        refute += sum(tuple(words[i:i + size]) == phrase for i in range(len(words) - size + 1))
    return refute, sum(s in HEDGE for s in stems), sum(s in CONFIRM for s in stems)


def _pairs_by_sentence(body) -> frozenset:
    """The definition: each sentence's adjacent content stems, stemmed again."""
    out: set = set()
    for sentence in body.sentences:
        content = [stem(w) for w in sentence.words if w not in STOPWORDS and len(w) > 1]
        out.update(pairwise(content))
    return frozenset(out)


def test_cue_counts_and_word_pairs_are_those_of_the_definitions():
    path = require_shared("benchmarks/basil/docs.jsonl")
    texts = [json.loads(line)["text"] for line in path.read_text().splitlines()[:60]]
    # Every refuting phrase, at the start, the middle and the end, repeated and overlapping.
    texts.append("not true. It is not true, not not true and no evidence; didn't happen "
                 "never happened did not happen isn't true no truth not real not")
    sentences = 0
    for text in texts:
        body = analyse_body(text)
        assert body.pairs == _pairs_by_sentence(body)
        for sentence in body.sentences:
            words = list(sentence.words)
            expected = _cue_counts_by_every_position(words)
            assert cue_counts(words) == expected
            assert cue_counts(words, sentence.word_stems) == expected
            assert sentence.cues == expected
            sentences += 1
    assert sentences > 1000
    assert cue_counts(["not", "true", "not", "true"]) == (2, 0, 0)


class _Index:
    """A SemanticIndex double recording what it was asked (the claim's vectors)."""

    def __init__(self, lead: bool, english: bool) -> None:
        self.held = (lead, english)
        self.asked: list = []

    def searchable(self) -> tuple[bool, bool]:
        return self.held

    def nearest(self, leads, english_vectors, k, min_cosine, *, approximate=False):
        self.asked.append((leads[0], english_vectors[0], approximate))
        return [[(7, 0.9), (3, 0.8)]]


def test_the_claim_is_embedded_only_for_an_index_that_holds_vectors(monkeypatch):
    calls: list[str] = []

    def fake_embed(texts, kind="passage"):
        calls.append("e5")
        return np.ones((len(texts), 4), dtype=np.float32)

    import newsweave.nlp.embed as embed_module
    from newsweave.nlp import english

    monkeypatch.setattr(embed_module, "embed", fake_embed)
    monkeypatch.setattr(english, "available", lambda: True)
    monkeypatch.setattr(english, "embed_english",
                        lambda texts: calls.append("minilm") or np.ones((len(texts), 4)))
    english_only = _Index(lead=False, english=True)
    assert claim_check.find_candidates(english_only, "The dam broke on Monday.") == [7, 3]
    assert calls == ["minilm"]
    lead, english_vector, approximate = english_only.asked[0]
    assert lead is None and english_vector is not None and approximate
    calls.clear()
    both = _Index(lead=True, english=True)
    claim_check.find_candidates(both, "The dam broke on Monday.")
    assert calls == ["e5", "minilm"] and both.asked[0][0] is not None
