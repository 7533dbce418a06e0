"""bench/stories_combine.py: the stories stage's pair signals fitted as one logistic model
(#12 part 13; docs/benchmarks.md). Not adopted: these hold the fit and the finding that
kept it out of the stage."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

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
