"""A first brief scores only the claim pairs that can reach the "same fact" cut
(:func:`newsweave.crosscheck.align.score_at_least`, docs/benchmarks.md "Brief speed, part
3"): the bound must never give up a pair at or above the cut, and must spare the costly
features of the pairs far below it."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from newsweave.crosscheck import align, status
from newsweave.crosscheck.align import same_fact_score, score_at_least, threshold
from newsweave.crosscheck.status import StoryArticle, cross_check
from newsweave.demo import corpus_files
from newsweave.nlp.sentences import split_sentences

MODELS = ("embedding", "minilm", None)  # None: the lexical model, no cosine


def demo_texts() -> list[str]:
    """The plain-text demo reports (one event told by several outlets)."""
    return [p.read_text(encoding="utf-8") for p in corpus_files() if p.suffix == ".txt"]


def demo_sentences(limit: int = 48) -> list[str]:
    found = [s.text for text in demo_texts() for s in split_sentences(text)
             if len(s.text) > 30]
    return list(dict.fromkeys(found))[:limit]


@pytest.mark.parametrize("model", MODELS)
def test_no_pair_at_or_above_the_cut_is_given_up(model: str | None) -> None:
    cut = threshold(embedding=model is not None, model=model)
    cosines = (0.5, 0.7, 0.8, 0.86, 0.9, 0.93, 0.96, 1.0) if model else (None,)
    given_up = kept = 0
    for a, b in itertools.combinations(demo_sentences(), 2):
        for cosine in cosines:
            exact = same_fact_score(a, b, cosine=cosine, model=model)
            got = score_at_least(a, b, cut, cosine=cosine, model=model)
            if got is None:
                assert exact < cut, (a, b, cosine)
                given_up += 1
            else:
                assert got == exact  # the same float, not a near one
                kept += 1
    assert given_up and kept  # both sides of the cut are exercised


def test_the_floor_at_its_ends_keeps_the_plain_score() -> None:
    a = "At least 14 people were killed when the dam broke on Monday."
    b = "The minister flew to the capital for talks with the governor."
    assert score_at_least(a, b, 0.0, cosine=0.8) == same_fact_score(a, b, cosine=0.8)
    assert score_at_least(a, a, 1.0) is None or same_fact_score(a, a) >= 1.0


def test_a_pair_far_below_the_cut_is_given_up_without_its_alignment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    aligned: list[int] = []
    real = align.SequenceMatcher

    def counting(*args: Any, **kwargs: Any) -> Any:
        aligned.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(align, "SequenceMatcher", counting)
    cut = threshold(embedding=True)
    a = "Officials said the water level in the reservoir fell by two metres overnight."
    b = "The football club announced the signing of a new goalkeeper on Friday."
    assert score_at_least(a, b, cut, cosine=0.78) is None
    assert not aligned  # the costly features were never computed
    reworded = "Overnight the reservoir's water level fell two metres, officials said."
    assert score_at_least(a, reworded, cut, cosine=0.97) is not None
    assert aligned


def bag_embedder(texts: Sequence[str]) -> np.ndarray:
    """Deterministic stand-in vectors: hashed bags of words, so two sentences sharing
    words have a high cosine (no model needed)."""
    rows = np.zeros((len(texts), 384), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in align.tokens(text):
            rows[i, int(hashlib.sha1(word.encode()).hexdigest(), 16) % 384] += 1.0
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def summary(check: status.CrossCheck) -> list[tuple[Any, ...]]:
    return [(tuple((u.article, u.index) for u in g.units), g.origins, g.status)
            for g in check.groups]


@pytest.mark.parametrize("embedder", [None, bag_embedder])
def test_a_story_is_grouped_the_same_with_the_bound(
        monkeypatch: pytest.MonkeyPatch, embedder: Any) -> None:
    articles = [StoryArticle(i, text, f"outlet {i}") for i, text in enumerate(demo_texts(), 1)]
    assert len(articles) >= 4
    origins = {a.id: [a.id] for a in articles}
    bounded = cross_check(articles, origins, embedder=embedder)

    def unbounded(a: str, b: str, floor: float, *, cosine: float | None = None,
                  model: str | None = None) -> float | None:
        score = same_fact_score(a, b, cosine=cosine, model=model)
        return score if score >= floor else None

    monkeypatch.setattr(status, "score_at_least", unbounded)
    plain = cross_check(articles, origins, embedder=embedder)
    assert summary(bounded) == summary(plain)
    assert any(len(g.units) > 1 for g in bounded.groups)  # the story's reports do align


def test_a_pair_is_bounded_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only store keeps no scored pairs, so each brief scores its pairs again: a
    pair given up must not cost its features again (warm briefs in ``newsweave serve``)."""
    cut = threshold(embedding=True)
    a = "Rescue teams reached the last flooded village downstream late on Tuesday."
    b = "The central bank left its interest rate unchanged at the monthly meeting."
    assert score_at_least(a, b, cut, cosine=0.77) is None
    computed: list[int] = []
    real = align._features

    def counting(*args: Any) -> Any:
        computed.append(1)
        return real(*args)

    monkeypatch.setattr(align, "_features", counting)
    assert score_at_least(a, b, cut, cosine=0.77) is None
    assert not computed
