"""How the stories stage's pair signals combine, fitted instead of set by hand (#12 part 13).

The stage scores two reports by their word cosine times one factor per signal that
disagrees (names, publication dates, years, figures, weekdays, places) times the sentence
vectors' agreement (``stories.vectors.pair_matrices``): a log-linear score,

    log sim = log cosine + sum_k x_k log(penalty_k) + log semantic_factor(MiniLM cosine),

joined where it passes ``story_threshold``. Each factor was chosen by hand on the dev
splits, one at a time. This fits them together, as one pairwise logistic model on the
training splits only (ECB+ odd topics and the AllSides training split; Newton's method with
an L2 penalty, as the cross-check's claim models are fitted: ``bench/msrp.py``):

    logit P(same event) = b + c log cosine + sum_k beta_k x_k + gamma agree

where ``x_k`` is 1 where signal k disagrees and ``agree`` is the sentence vectors'
agreement (``clip((cos - floor) / (ceil - floor), 0, 1)`` minus the neutral point, 0 where a
side has no vector). Dividing by ``c`` puts the model on the stage's scale: penalty_k =
exp(beta_k / c); the semantic weight a with (1 + a) = exp(gamma / c) (the stage's factor is
linear in ``agree``, the model's exponential: the two agree at both ends). The intercept
only moves the threshold, which stays the stage's (its neighbours are reported instead).

The pairs: every pair of one set whose word cosine (the stage's vectors, document
frequencies over the set, no factor) reaches ``--floor``: below it no factor can lift a pair
to the threshold. Each set weighs the same in the fit (its pairs' weights sum to 1, then
scaled to the mean pair count), and each set has an intercept of its own (the share of one
event's pairs differs between sets; only the signals' coefficients are shared). Prints the
coefficients, the factors, each set's pair counts, and the ``bench/stories_dev.py`` options
that run the stage with the fitted factors.

    PYTHONPATH=src:bench python bench/stories_combine.py      # fit on the training splits
    PYTHONPATH=src:bench python bench/stories_combine.py --l2 10 --floor 0.15
    PYTHONPATH=src:bench python bench/stories_combine.py --sets allsides-val  # one set's own
    PYTHONPATH=src:bench python bench/stories_combine.py --check ecb-even allsides  # held out
    PYTHONPATH=src:bench python bench/stories_combine.py --interact   # signals x how much said
    PYTHONPATH=src:bench python bench/stories_combine.py --extra  # names' cosine, titles
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence

import numpy as np

from stories_dev import Doc, load_set, stage_vectors

SIGNALS = ("names", "dates far", "years", "figures", "weekdays", "places")


def set_signals(docs: Sequence[Doc], floor: float, extra: bool = False, interact: bool = False,
                meaning: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(x, y, column names) of every pair of ``docs`` whose word cosine reaches ``floor``;
    without ``meaning``, no sentence vectors are read (the agreement is 0)."""
    from newsweave.reuse.semantic import english_text
    from newsweave.settings import load_settings
    from newsweave.stories import features as stories_features
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import (
        MIN_NAMES,
        NAMES_PRODUCT,
        SEMANTIC_CEIL,
        _cosines,
        veto_years,
    )
    from stories_meaning import TextVectors

    weights = weights_from(load_settings())
    saved = stories_features.WEEKDAY_PENALTY, stories_features.PLACE_PENALTY
    # Collect every signal, on or off in the stage (the features hold them only when on).
    stories_features.WEEKDAY_PENALTY = min(saved[0], 0.99)
    stories_features.PLACE_PENALTY = min(saved[1], 0.99)
    try:
        items = stage_vectors(docs, weights)
    finally:
        stories_features.WEEKDAY_PENALTY, stories_features.PLACE_PENALTY = saved
    full = _cosines([a.arrays() for a in items])
    np.fill_diagonal(full, 0.0)
    ii, jj = np.nonzero(np.triu(full >= floor, 1))
    cos = full[ii, jj]
    del full
    names = _cosines([a.name_arrays() for a in items])[ii, jj]
    counts = np.array([a.name_count() for a in items], dtype=np.int64)
    low, high = np.minimum(counts[ii], counts[jj]), counts[ii] * counts[jj]
    enough = (low >= MIN_NAMES) & (high >= NAMES_PRODUCT)
    columns: dict[str, np.ndarray] = {"log cosine": np.log(cos)}
    columns["names"] = enough & (names < weights.name_floor)
    days = np.array([-1 if a.day is None else a.day for a in items], dtype=np.int64)
    both_dated = (days[ii] >= 0) & (days[jj] >= 0)
    columns["dates far"] = both_dated & (np.abs(days[ii] - days[jj]) > weights.window_days)
    years = [veto_years(a.dates, a.lead_years, weights) for a in items]

    def clash(sets: Sequence[frozenset[int]]) -> np.ndarray:
        return np.fromiter((bool(sets[i]) and bool(sets[j]) and sets[i].isdisjoint(sets[j])
                            for i, j in zip(ii, jj, strict=True)), dtype=bool, count=len(ii))

    columns["years"] = ~both_dated & clash(years)
    columns["figures"] = clash([a.figures for a in items])
    columns["weekdays"] = ~both_dated & clash([a.weekdays for a in items])
    columns["places"] = clash([a.places for a in items])
    if meaning:
        rows = TextVectors().vectors([english_text(d.get("title"), d["text"]) for d in docs])
        matrix = np.asarray(rows, dtype=np.float64)
        has = np.array([np.any(r) for r in rows], dtype=bool)
        cosine = np.einsum("ij,ij->i", matrix[ii], matrix[jj])
        agree = np.clip((cosine - weights.semantic_floor)
                        / (SEMANTIC_CEIL - weights.semantic_floor), 0.0, 1.0)
        columns["agree"] = np.where(has[ii] & has[jj], agree - weights.semantic_neutral, 0.0)
    else:
        columns["agree"] = np.zeros(len(ii))
    if interact:  # how much a signal says may grow with how much the two reports say
        columns["names x log count"] = columns["names"] * np.log(np.maximum(low, 1) / MIN_NAMES)
        words = np.array([len(d["text"].split()) for d in docs], dtype=np.float64)
        shorter = np.log(np.maximum(np.minimum(words[ii], words[jj]), 1.0) / 100.0)
        columns["agree x log words"] = columns["agree"] * shorter
    if extra:  # signals the stage does not weigh apart: who/where as a cosine, the titles
        columns["names cosine"] = names
        titles = [(d.get("title") or "").lower().split() for d in docs]
        columns["title overlap"] = np.fromiter(
            (_overlap(titles[i], titles[j]) for i, j in zip(ii, jj, strict=True)),
            dtype=np.float64, count=len(ii))
    gold = [d["event"] for d in docs]
    y = np.fromiter((gold[i] == gold[j] for i, j in zip(ii, jj, strict=True)), dtype=np.float64,
                    count=len(ii))
    names_ = list(columns)
    x = np.column_stack([columns[k].astype(np.float64) for k in names_])
    return x, y, names_


def _overlap(a: Sequence[str], b: Sequence[str]) -> float:
    """Shared words of two titles over the shorter's (0 where either has none)."""
    if not a or not b:
        return 0.0
    return len(set(a) & set(b)) / min(len(set(a)), len(set(b)))


def fit_logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float,
                 free: int = 0) -> tuple[np.ndarray, float]:
    """Weighted L2-penalised logistic regression by Newton's method, on the raw features
    (their coefficients are read as factors). The intercept and the last ``free`` columns
    (one intercept per set beyond the first) are not penalised."""
    z = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(z.shape[1])
    penalty = np.eye(z.shape[1]) * l2
    penalty[0, 0] = 0.0
    for k in range(z.shape[1] - free, z.shape[1]):
        penalty[k, k] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -40, 40)))
        grad = z.T @ (weight * (p - y)) + penalty @ w
        hess = (z * (weight * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w[1:], float(w[0])


def fit_sets(xs: Sequence[np.ndarray], ys: Sequence[np.ndarray],
             l2: float) -> tuple[np.ndarray, float]:
    """The signals' coefficients and the first set's intercept, fitted over every set's
    pairs: each set weighs the same, and each has an intercept of its own (the sets' shares
    of one event's pairs differ, ECB+ odd half, AllSides 3 %, and a signal one set lacks, as
    titles, must not stand in for that)."""
    x, y = np.vstack(xs), np.concatenate(ys)
    weight = np.concatenate([np.full(len(part), 1.0 / len(part)) for part in ys])
    weight *= len(y) / len(ys)
    owner = np.repeat(np.arange(len(xs)), [len(part) for part in xs])
    sets = np.zeros((len(y), len(xs) - 1))
    for k in range(1, len(xs)):
        sets[:, k - 1] = owner == k
    coef, bias = fit_logistic(np.hstack([x, sets]), y, weight, l2, free=len(xs) - 1)
    return coef[:x.shape[1]], bias


def factor_of(coef: np.ndarray, names: Sequence[str], column: str) -> float:
    """A signal's fitted factor on the stage's scale: exp(its coefficient / log cosine's)."""
    return math.exp(coef[list(names).index(column)] / coef[0])


def _date_penalty() -> float:
    from newsweave.settings import load_settings

    return float(load_settings().story_date_penalty)


STAGE_FACTORS = {"dates far": _date_penalty}  # what stands for a signal no pair carries


def stage_score(x: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The stage's own log similarity of each pair (its factors as the defaults set them)."""
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import year_penalty

    w = weights_from(load_settings())
    stage = {"names": w.name_penalty, "dates far": w.date_penalty, "years": year_penalty(w),
             "figures": w.figure_penalty, "weekdays": w.weekday_penalty,
             "places": w.place_penalty}
    score = x[:, 0].copy()
    for k, column in enumerate(names):
        if column in stage:
            score += x[:, k] * math.log(stage[column])
        elif column == "agree":  # the stage's factor (semantic_factor), agree + neutral in [0, 1]
            score += np.log((1 + w.semantic * (x[:, k] + w.semantic_neutral))
                            / (1 + w.semantic * w.semantic_neutral))
    return score


def auc(score: np.ndarray, y: np.ndarray) -> float:
    """The share of (one event, different events) pairs of pairs ranked right (ties half)."""
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    sorted_ = score[order]
    # average ranks over ties
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_)) + 1]
    ends = np.r_[starts[1:], len(score)]
    for a, b in zip(starts, ends, strict=True):
        ranks[order[a:b]] = (a + b - 1) / 2 + 1
    positive = int(y.sum())
    negative = len(y) - positive
    return float((ranks[y == 1].sum() - positive * (positive + 1) / 2) / (positive * negative))


def check(name: str, args: argparse.Namespace, names: Sequence[str], coef: np.ndarray) -> None:
    """One held-out set's pairs: the stage's score against the fitted one, by AUC."""
    docs = load_set(name)
    x, y, all_names = set_signals(docs, args.floor, args.extra, args.interact)
    x = x[:, [all_names.index(column) for column in names]]
    fitted = x @ coef
    print(f"  check {name}: {len(y)} pairs ({int(y.sum())} of one event); AUC stage "
          f"{auc(stage_score(x, names), y):.4f}, fitted {auc(fitted, y):.4f}, "
          f"word cosine alone {auc(x[:, 0], y):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["ecb-odd", "allsides-train"])
    parser.add_argument("--floor", type=float, default=0.1,
                        help="word cosine from which a pair is in the fit")
    parser.add_argument("--l2", type=float, default=1.0, help="the L2 penalty")
    parser.add_argument("--drop", nargs="*", default=[], choices=(*SIGNALS, "agree"),
                        help="signals left out of the fit (their factor 1: off)")
    parser.add_argument("--check", nargs="*", default=[], metavar="SET",
                        help="sets whose pairs score the fitted combination against the "
                        "stage's own (AUC of one event's pairs over different events')")
    parser.add_argument("--interact", action="store_true",
                        help="also the names' veto times the log of the fewer names, and the "
                        "agreement times the log of the shorter text's words (not in the stage)")
    parser.add_argument("--extra", action="store_true",
                        help="also the names' cosine and the titles' overlap (not in the stage)")
    args = parser.parse_args()
    started = time.process_time()
    xs, ys = [], []
    names: list[str] = []
    for name in args.sets:
        docs = load_set(name)
        x, y, names = set_signals(docs, args.floor, args.extra, args.interact,
                                  meaning="agree" not in args.drop)
        kept = [k for k, column in enumerate(names) if column not in args.drop]
        x, names = x[:, kept], [names[k] for k in kept]
        print(f"{name}: {len(docs)} docs, {len(y)} pairs at word cosine >= {args.floor} "
              f"({int(y.sum())} of one event)")
        for k, column in enumerate(names[1:], start=1):
            same, other = x[y == 1, k], x[y == 0, k]
            print(f"  {column:<14} one event {same.mean():.3f}   different events "
                  f"{other.mean():.3f}")
        xs.append(x)
        ys.append(y)
    coef, bias = fit_sets(xs, ys, args.l2)
    x, y = np.vstack(xs), np.concatenate(ys)
    scale = coef[0]
    print(f"fit on {' + '.join(args.sets)}, L2 {args.l2}, floor {args.floor}: "
          f"{len(y)} pairs ({time.process_time() - started:.0f} CPU s)")
    print(f"  intercept {bias:.3f}; log cosine {scale:.3f} (the scale)")
    factors: dict[str, float] = dict.fromkeys(args.drop, 1.0)
    for k, (column, beta) in enumerate(zip(names[1:], coef[1:], strict=True), start=1):
        if not np.any(x[:, k]):  # no training pair carries it (the splits are undated)
            print(f"  {column:<14} not fitted: no pair of the fit carries it (the stage's "
                  "factor stays)")
            coef[k] = scale * math.log(STAGE_FACTORS[column]())
            continue
        factor = factor_of(coef, names, column) if scale > 0 else math.nan
        factors[column] = factor
        label = ("semantic weight a = factor - 1" if column == "agree" else
                 "penalty" if column in SIGNALS else "factor per unit")
        print(f"  {column:<14} beta {beta:+.3f}   exp(beta / scale) {factor:.3f}  ({label})")
    print(f"  implied threshold at P = 0.5 ({args.sets[0]}'s intercept): "
          f"{math.exp(-bias / scale):.3f}")
    for name in args.check:
        check(name, args, names, coef)
    options = {"names": "--set story_name_penalty={:.2f}",
               "dates far": "--set story_date_penalty={:.2f}",
               "years": "--year-penalty {:.2f}", "figures": "--figure-penalty {:.2f}",
               "weekdays": "--weekday-penalty {:.2f}", "places": "--place-penalty {:.2f}"}
    # A factor above 1 would raise a pair for disagreeing: read as "no evidence", off.
    parts = [form.format(min(1.0, factors[k])) for k, form in options.items() if k in factors]
    if "agree" in factors:
        parts.append(f"--set story_semantic_weight={max(0.0, factors['agree'] - 1.0):.2f}")
    print("run the stage with them (factors above 1 read as 1):")
    print("  " + " ".join(parts))

if __name__ == "__main__":
    main()
