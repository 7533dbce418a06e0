"""bench/stories_combine.py: the stories stage's pair signals fitted as one logistic model
(#12 part 13; docs/benchmarks.md). Not adopted: these hold the fit and the finding that
kept it out of the stage."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from conftest import load_bench, require_shared


def _combine(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    return load_bench("stories_combine")


def test_the_fit_recovers_known_factors_and_an_intercept_per_set(monkeypatch):
    """Pairs drawn from a known log-linear model, in two sets of different base rates: the
    fitted factors are the true ones, and the sets' base rates do not leak into them."""
    combine = _combine(monkeypatch)
    rng = np.random.default_rng(3)
    xs, ys = [], []
    # The set of the lower base rate carries the veto far more often: pooled under one
    # intercept, the veto would take the blame for the base rate (a factor well below 0.6).
    for intercept, count, vetoed in ((4.0, 20000, 0.1), (1.0, 60000, 0.6)):
        log_cos = np.log(rng.uniform(0.1, 0.9, count))
        veto = (rng.random(count) < vetoed).astype(np.float64)
        logit = intercept + 3.0 * log_cos + 3.0 * math.log(0.6) * veto
        y = (rng.random(count) < 1 / (1 + np.exp(-logit))).astype(np.float64)
        xs.append(np.column_stack([log_cos, veto]))
        ys.append(y)
    coef, bias = combine.fit_sets(xs, ys, l2=1.0)
    assert abs(coef[0] - 3.0) < 0.15
    assert abs(combine.factor_of(coef, ["log cosine", "names"], "names") - 0.6) < 0.04
    assert abs(bias - 4.0) < 0.2


def test_ecb_and_allsides_want_different_name_vetoes(monkeypatch):
    """The finding that kept the fitted combination out of the stage: fitted on one set's
    pairs alone (no sentence vectors), "they name nobody in common" is strong evidence of
    two events on ECB+ odd topics (factor about 0.55) and none on AllSides' validation
    split's short excerpts (about 1.0): one set of factors is a compromise between them."""
    require_shared("benchmarks/allsides/docs.jsonl")
    require_shared("benchmarks/ecbplus/docs.jsonl")
    combine = _combine(monkeypatch)
    found = {}
    for name in ("ecb-odd", "allsides-val"):
        x, y, names = combine.set_signals(combine.load_set(name), 0.1, meaning=False)
        kept = [k for k, column in enumerate(names) if column != "agree"]
        coef, _ = combine.fit_sets([x[:, kept]], [y], l2=1.0)
        found[name] = combine.factor_of(coef, [names[k] for k in kept], "names")
    print(found)
    assert found["ecb-odd"] < 0.65
    assert found["allsides-val"] > 0.9


def test_the_graded_names_veto_is_off_by_default_and_grades_by_the_fewer_names():
    """``NAME_GRADE`` < 1: two reports whose names disagree are damped by NAME_BASE *
    NAME_GRADE ** log(fewer names / MIN_NAMES) instead of the flat ``story_name_penalty``."""
    from dataclasses import replace

    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import ArticleVector, pair_matrices

    def report(i: int, names: int) -> ArticleVector:
        # Shared topic words (keys 1-3), names of its own (disjoint between reports).
        return ArticleVector(i, {1: 0.5, 2: 0.5, 3: 0.5, 4 + i: 0.5},
                             {1000 * (i + 1) + k: 1.0 for k in range(names)}, frozenset(), None)

    flat = weights_from(load_settings())
    graded = replace(flat, name_grade=0.65, name_base=0.92)
    short = [report(0, 4), report(1, 4)]
    long = [report(0, 16), report(1, 16)]
    base = pair_matrices(short, replace(flat, name_penalty=1.0))[0][0, 1]
    assert pair_matrices(short, flat)[0][0, 1] == pytest.approx(base * flat.name_penalty)
    assert pair_matrices(short, graded)[0][0, 1] == pytest.approx(base * 0.92)
    assert pair_matrices(long, graded)[0][0, 1] == pytest.approx(
        base * 0.92 * 0.65 ** math.log(4))
    assert pair_matrices(long, graded)[1][0, 1] == 0.0  # the names still disagree


def test_allsides_val_short_reports_keep_their_event_with_the_graded_names_veto(monkeypatch):
    """The AllSides validation split (921 short excerpts) clustered as a whole with the
    stage's word similarity (no sentence vectors): with the names' veto graded by the names
    two reports hold, recall and F1 rise (#12 part 13); ECB+ odd topics (long reports) keep
    their F1. A few CPU s."""
    from dataclasses import replace

    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import pair_matrices

    require_shared("benchmarks/allsides/docs.jsonl")
    require_shared("benchmarks/ecbplus/docs.jsonl")
    combine = _combine(monkeypatch)
    ecb = load_bench("stories_ecb")
    dev = load_bench("stories_dev")
    threshold = load_settings().story_threshold
    base = replace(weights_from(load_settings()), semantic=0.0, name_grade=1.0)
    found = {}
    for name in ("allsides-val", "ecb-odd"):
        docs = combine.load_set(name)
        gold = [d["event"] for d in docs]
        items = combine.stage_vectors(docs, base)
        for grade in (1.0, 0.65):
            weights = replace(base, name_grade=grade, name_base=0.92)
            sims, agree = pair_matrices(items, weights)
            pred = dev.cluster_labels(sims, agree, threshold, weights.attach)
            found[name, grade] = ecb.bcubed(pred, gold)
    print(found)
    (_, r_off, f_off), (_, r_on, f_on) = found["allsides-val", 1.0], found["allsides-val", 0.65]
    assert r_on >= r_off + 0.005
    assert f_on >= f_off + 0.002
    assert found["ecb-odd", 0.65][2] >= found["ecb-odd", 1.0][2] - 0.002
