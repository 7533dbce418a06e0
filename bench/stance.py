"""Stance benchmark: choose and fit the stance models on one part of the dev data, report
the four-class figures on the other, and time the batch path.

Dev data (``bench/stance_data.py`` builds it at run time from ``../shared/benchmarks``):

* **Body-level four-class set** (the standard headline-vs-body kind: supports / contradicts
  / discusses / unrelated = agree / disagree / discuss / unrelated): Emergent articles'
  labelled headlines standing for their bodies, alone ("lead") or opening a news-length body
  padded with another event's BASIL text ("body"), each paired with other headlines of its
  claim, plus 72 % unrelated pairs. Scored with the standard **weighted score** (0.25 for
  related-vs-unrelated right, +0.75 for the right class of a related pair, as a share of the
  best possible) and **macro-F1 over the four classes**.
* **BASIL** real bodies: a headline against another outlet's body on the same event or on
  another event (relatedness only: the class of a same-event body is not labelled).
* **Emergent** as published (claim vs headline, three classes).

**The split.** Claims (Emergent) and events (BASIL) alternate, in sorted order, between the
``choose`` part and the ``report`` part. Every setting (the L2 penalty, class weights, the
related threshold) is chosen by 5-fold cross-validation grouped by claim/event *inside the
choose part*; the models are fitted on the choose part and written to
:mod:`newsweave.crosscheck.stance_weights`; the figures that count are those on the
``report`` part, printed with the neighbouring settings' figures beside them.

Usage, from the repository root::

    python bench/stance.py          # report the shipped weights (and the neighbours)
    python bench/stance.py --fit    # choose settings on the choose part, refit, rewrite weights
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stance_data import (  # a sibling module of this script
    DATA,
    REPO,
    Pair,
    basil_pairs,
    body_pairs,
    emergent_headline_pairs,
    emergent_related_pairs,
    load,
)

WEIGHTS_FILE = REPO / "src" / "newsweave" / "crosscheck" / "stance_weights.py"
PENALTIES = (0.1, 1.0, 10.0, 100.0, 1000.0)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
FOLDS = 5
FOUR = ("supports", "contradicts", "discusses", "unrelated")


def read(pairs: Sequence[Pair], cache: object = None) -> tuple[list, list]:
    """The models' word-signal reading of every pair and the sentence model's cosines (for
    every pair: which ones the decision uses depends on the word-signal model being
    scored); a recurring text is analysed and embedded once."""
    from newsweave.crosscheck.stance import cosines_of, stance_features
    from newsweave.crosscheck.stance_batch import BodyCache

    cache = cache or BodyCache(1_000_000)
    readings, cosines = [], []
    for p in pairs:
        claim, body = cache.claim(p.claim), cache.body(p.text)  # type: ignore[attr-defined]
        reading = stance_features(claim, body)
        reading.related.pop("cos_best", None)
        reading.related.pop("cos_lead", None)
        readings.append(reading)
        cosines.append(cosines_of(claim, body, reading.top) if reading.top else None)
    return readings, cosines


def banded(reading: object, cosines: tuple[float, float] | None) -> object:
    """The reading as the package gives it under the current weights: the cosines are
    there only where the word signals leave relatedness in doubt."""
    from newsweave.crosscheck.stance import EMBED_BAND, related_probability

    short = reading.features["short"] == 1.0  # type: ignore[attr-defined]
    related = dict(reading.related)  # type: ignore[attr-defined]
    p = related_probability(related, short=short)
    if cosines is not None and EMBED_BAND[0] <= p <= EMBED_BAND[1]:
        related.update(cos_best=cosines[0], cos_lead=cosines[1])
    return replace(reading, related=related)  # type: ignore[type-var]


def decided(readings: list, cosines: list) -> list[str]:
    from newsweave.crosscheck.stance import decide

    out = []
    for reading, cos in zip(readings, cosines, strict=True):
        reading = banded(reading, cos)
        out.append(decide(reading, short=reading.features["short"] == 1.0)[0])
    return out


def embed_matrix(readings: list, cosines: list, pairs: Sequence[Pair]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The refinement's inputs for the pairs whose word signals leave relatedness in doubt
    under the current word-signal models: the word-signal logit, the cosines, short."""
    from newsweave.crosscheck.stance import EMBED_FEATURES, related_probability

    x, y, groups = [], [], []
    for reading, cos, pair in zip(readings, cosines, pairs, strict=True):
        view = banded(reading, cos)
        if "cos_best" not in view.related:  # type: ignore[attr-defined]
            continue
        short = reading.features["short"] == 1.0
        p = min(max(related_probability(reading.related, short=short), 1e-9), 1 - 1e-9)
        values = {"lexical": float(np.log(p / (1 - p))), "cos_best": cos[0],
                  "cos_lead": cos[1], "short": float(short)}
        x.append([values[n] for n in EMBED_FEATURES])
        y.append(int(pair.label != "unrelated"))
        groups.append(pair.group)
    return np.array(x), np.array(y), np.array(groups)


def related_matrix(readings: list, pairs: Sequence[Pair]) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray, np.ndarray]:
    """Relatedness features, labels (1 related), groups and the short-text flag."""
    from newsweave.crosscheck.stance import RELATED_FEATURES

    x = np.array([[r.related[n] for n in RELATED_FEATURES] for r in readings])
    y = np.array([int(p.label != "unrelated") for p in pairs])
    groups = np.array([p.group for p in pairs])
    short = np.array([r.features["short"] == 1.0 for r in readings])
    return x, y, groups, short


def stance_matrix(readings: list, pairs: Sequence[Pair]) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """Three-class features, labels (index into CLASSES) and groups of the labelled,
    related pairs."""
    from newsweave.crosscheck.stance import CLASSES, STANCE_FEATURES

    keep = [i for i, p in enumerate(pairs) if p.label in CLASSES]
    x = np.array([[readings[i].features[n] for n in STANCE_FEATURES] for i in keep])
    y = np.array([CLASSES.index(pairs[i].label) for i in keep])  # type: ignore[arg-type]
    return x, y, np.array([pairs[i].group for i in keep])


def weighted_score(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """The standard headline-vs-body score as a share of the best possible: 0.25 for a pair
    whose related-or-not is right, 0.75 more for a related pair's right class."""
    got = best = 0.0
    for g, p in zip(gold, predicted, strict=True):
        best += 0.25 if g == "unrelated" else 1.0
        if (g == "unrelated") == (p == "unrelated"):
            got += 0.25
            if g != "unrelated" and g == p:
                got += 0.75
    return got / best if best else 0.0


def four_class(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Weighted score, macro-F1 over the four classes, accuracy and each class's F1."""
    g = np.array([FOUR.index(v) for v in gold])
    p = np.array([FOUR.index(v) for v in predicted])
    f1, per = macro_f1(g, p, 4)
    return {"weighted": weighted_score(gold, predicted), "macro_f1": f1,
            "accuracy": float((g == p).mean()), "per": per}


def show(result: dict) -> str:
    return (f"weighted {100 * result['weighted']:.1f}  macro-F1 {result['macro_f1']:.3f}  "
            f"accuracy {result['accuracy']:.3f}  (" + ", ".join(
                f"{c} {s:.2f}" for c, s in zip(FOUR, result["per"], strict=True)) + ")")


def grid(x: np.ndarray, y: np.ndarray, groups: np.ndarray, classes: int, what: str, *,
         thresholds: Sequence[float] = (), balanced: Sequence[bool] = (False,)) -> dict:
    """THE choice of a model's settings: every (L2, class weighting, threshold) of the grid
    cross-validated by group, each printed, the best macro-F1 kept. A binary model with
    ``thresholds`` is decided at each threshold on the class-1 probability."""
    best: dict | None = None
    for bal in balanced:
        for l2 in PENALTIES:
            probs = cross_validate(x, y, groups, classes, l2, bal)
            cuts = thresholds or (None,)
            for cut in cuts:
                predicted = (probs[:, 1] >= cut).astype(int) if cut is not None \
                    else probs.argmax(axis=1)
                f1, per = macro_f1(y, predicted, classes)
                acc = float((predicted == y).mean())
                setting = {"l2": l2, "balanced": bal, "threshold": cut}
                print(f"  {what}: l2 {l2:<5} balanced {bal!s:<5} "
                      + (f"threshold {cut}  " if cut is not None else "")
                      + f"CV accuracy {acc:.3f} macro-F1 {f1:.3f} ("
                      + ", ".join(f"{s:.2f}" for s in per) + ")")
                if best is None or f1 > best["f1"]:
                    best = {**setting, "f1": f1, "accuracy": acc}
    assert best is not None
    print(f"  {what}: chosen l2 {best['l2']}, balanced {best['balanced']}, threshold "
          f"{best['threshold']} (CV accuracy {best['accuracy']:.3f}, macro-F1 {best['f1']:.3f})")
    return best


def fit_chosen(x: np.ndarray, y: np.ndarray, n_classes: int, setting: dict, features: tuple,
               **extra: object) -> dict:
    """The model of a chosen setting fitted on all of ``x``, as shipped weights."""
    model = fit_softmax(x, y, n_classes, setting["l2"], balanced=setting["balanced"])
    if n_classes == 2:
        return binary_weights(model, features, setting["threshold"], setting["l2"])
    return as_weights(model, features, l2=setting["l2"], balanced=int(setting["balanced"]),
                      **extra)


class DevData:
    """Every dev pair read once, with the choose / report split."""

    def __init__(self) -> None:
        started = time.process_time()
        self.sets = {"lead": body_pairs("lead"), "body": body_pairs("body"),
                     "basil": basil_pairs(), "emergent": emergent_headline_pairs(),
                     "emergent_related": emergent_related_pairs()}
        from newsweave.crosscheck.stance_batch import BodyCache

        cache = BodyCache(1_000_000)
        self.readings, self.cosines = {}, {}
        for name, pairs in self.sets.items():
            self.readings[name], self.cosines[name] = read(pairs, cache)
        count = sum(len(p) for p in self.sets.values())
        print(f"dev pairs read: {count:,} in {time.process_time() - started:.0f} CPU s")

    def part(self, name: str, part: str) -> tuple[list[Pair], list, list]:
        keep = [i for i, p in enumerate(self.sets[name]) if p.part == part]
        return ([self.sets[name][i] for i in keep], [self.readings[name][i] for i in keep],
                [self.cosines[name][i] for i in keep])

    def joined(self, names: Sequence[str], part: str) -> tuple[list[Pair], list, list]:
        pairs, readings, cosines = [], [], []
        for name in names:
            p, r, c = self.part(name, part)
            pairs += p
            readings += r
            cosines += c
        return pairs, readings, cosines


def choose(data: DevData) -> dict:
    """Settings chosen and models fitted on the choose part only."""
    from newsweave.crosscheck import stance as module
    from newsweave.crosscheck.stance import (
        CLASSES,
        EMBED_FEATURES,
        RELATED_FEATURES,
        STANCE_FEATURES,
    )

    weights = {}
    for key, names in (("related", ("basil", "body")), ("related_short", ("lead",
                                                                          "emergent_related"))):
        pairs, readings, _ = data.joined(names, "choose")
        x, y, groups, _ = related_matrix(readings, pairs)
        print(f"related or not ({key}): {len(y):,} choose-part pairs of {', '.join(names)}, "
              f"{y.mean():.2f} related")
        setting = grid(x, y, groups, 2, key, thresholds=THRESHOLDS)
        weights[key] = fit_chosen(x, y, 2, setting, RELATED_FEATURES)
    module.WEIGHTS.update(weights)  # the band of doubt is that of the new word-signal models
    pairs, readings, cosines = data.joined(("basil", "body", "lead", "emergent_related"),
                                           "choose")
    x, y, groups = embed_matrix(readings, cosines, pairs)
    print(f"related or not, in doubt (the sentence model asked): {len(y):,} choose-part pairs, "
          f"{y.mean():.2f} related")
    setting = grid(x, y, groups, 2, "related_embed", thresholds=THRESHOLDS)
    weights["related_embed"] = fit_chosen(x, y, 2, setting, EMBED_FEATURES)
    pairs, readings, _ = data.joined(("lead", "body", "emergent"), "choose")
    x, y, groups = stance_matrix(readings, pairs)
    print(f"three classes: {len(y):,} choose-part related pairs (lead, body, Emergent)")
    setting = grid(x, y, groups, 3, "stance", balanced=(False, True))
    weights["stance"] = fit_chosen(x, y, 3, setting, STANCE_FEATURES, classes=list(CLASSES))
    return weights


def evaluate(data: DevData, name: str, part: str) -> dict:
    """The shipped decision (:func:`newsweave.crosscheck.stance.decide`) on one dev set."""
    pairs, readings, cosines = data.part(name, part)
    predicted = decided(readings, cosines)
    return four_class([p.label or "related" for p in pairs], predicted) \
        if name in ("lead", "body") else {"predicted": predicted, "pairs": pairs}


def report(data: DevData) -> None:
    """The figures of the shipped weights, both parts (the report part is the held-out one)."""
    for part in ("report", "choose"):
        tag = "HELD OUT" if part == "report" else "fitted on (in-sample)"
        for name in ("body", "lead"):
            pairs, _, _ = data.part(name, part)
            print(f"four classes, {name} variant, {part} part ({tag}, {len(pairs):,} pairs): "
                  + show(evaluate(data, name, part)))
        out = evaluate(data, "basil", part)
        related = [(p.label != "unrelated", v != "unrelated")
                   for p, v in zip(out["pairs"], out["predicted"], strict=True)]
        acc = sum(g == v for g, v in related) / len(related)
        print(f"related or not, BASIL real bodies, {part} part ({tag}, {len(related):,} pairs): "
              f"accuracy {acc:.3f}")
        out = evaluate(data, "emergent", part)
        gold = [p.label for p in out["pairs"]]
        g = np.array([FOUR.index(v) for v in gold])
        v = np.array([FOUR.index(v) for v in out["predicted"]])
        f1, _ = macro_f1(g, v, 3)
        print(f"Emergent claim vs headline, {part} part ({tag}): accuracy "
              f"{float((g == v).mean()):.3f}, macro-F1 (3 classes) {f1:.3f}, called unrelated "
              f"{int((v == 3).sum())}")


def neighbours(data: DevData) -> None:
    """Four-class figures on the report part for settings beside the shipped ones: each
    model refitted on the choose part at a neighbouring L2 / class weighting / threshold,
    and the band of doubt where the sentence model is asked made narrower or wider."""
    from newsweave.crosscheck import stance as module
    from newsweave.crosscheck.stance import CLASSES, EMBED_FEATURES, STANCE_FEATURES

    shipped = {k: dict(v) for k, v in module.WEIGHTS.items()}
    band = module.EMBED_BAND
    pairs, readings, _ = data.joined(("lead", "body", "emergent"), "choose")
    x, y, _ = stance_matrix(readings, pairs)
    related = data.joined(("basil", "body", "lead", "emergent_related"), "choose")
    base, embed = shipped["stance"], shipped["related_embed"]
    rows: list[tuple[str, dict]] = []
    for l2 in PENALTIES:
        for bal in (False, True):
            rows.append(("stance", {"l2": l2, "balanced": bal}))
    for cut in THRESHOLDS:
        rows.append(("related_embed", {"l2": embed["l2"], "balanced": False, "threshold": cut}))
    for wider in ((0.1, 0.9), (0.01, 0.99), (0.0, 1.0)):
        rows.append(("band", {"l2": embed["l2"], "balanced": False,
                              "threshold": embed["threshold"], "band": wider}))
    print("neighbouring settings, report part (body variant | lead variant):")
    try:
        for key, setting in rows:
            if key == "stance":
                module.WEIGHTS["stance"] = fit_chosen(x, y, 3, setting, STANCE_FEATURES,
                                                      classes=list(CLASSES))
                mark = setting["l2"] == base["l2"] and int(setting["balanced"]) == base["balanced"]
            else:
                module.EMBED_BAND = setting.get("band", band)
                ex, ey, _ = embed_matrix(related[1], related[2], related[0])
                module.WEIGHTS["related_embed"] = fit_chosen(ex, ey, 2, setting, EMBED_FEATURES)
                mark = key == "related_embed" and setting["threshold"] == embed["threshold"]
            text = " | ".join(show(evaluate(data, name, "report")).split("  (")[0]
                              for name in ("body", "lead"))
            label = ", ".join(f"{k} {v}" for k, v in setting.items())
            print(f"  {key} {label}: {text}" + ("  (shipped)" if mark else ""))
            module.WEIGHTS.update({k: dict(v) for k, v in shipped.items()})
            module.EMBED_BAND = band
    finally:
        module.WEIGHTS.update(shipped)
        module.EMBED_BAND = band


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: int, l2: float, *,
                balanced: bool = False) -> dict:
    """L2-penalised multinomial logistic regression on standardised inputs (Newton's method:
    a few dozen features, so the full Hessian is small and a fit takes a few steps)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    n, dim = z.shape
    onehot = np.eye(classes)[y]
    counts = onehot.sum(axis=0)
    weight = (len(y) / (classes * np.maximum(counts, 1)))[y] if balanced else np.ones(len(y))
    theta = np.zeros((classes, dim))
    penalty = np.tile(np.r_[np.full(dim - 1, l2 / n), 0.0], classes) + 1e-6
    for _ in range(50):
        logits = z @ theta.T
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = ((p - onehot) * weight[:, None]).T @ z / n
        grad[:, :-1] += l2 * theta[:, :-1] / n
        inner = weight[:, None, None] * (p[:, :, None] * (np.eye(classes)[None] - p[:, None, :]))
        hessian = np.einsum("ikl,ia,ib->kalb", inner, z, z).reshape(classes * dim,
                                                                    classes * dim) / n
        step = np.linalg.solve(hessian + np.diag(penalty), grad.ravel()).reshape(classes, dim)
        theta -= step
        if np.abs(step).max() < 1e-7:
            break
    return {"mean": mean, "scale": scale, "coef": theta[:, :-1], "bias": theta[:, -1]}


def predict(model: dict, x: np.ndarray) -> np.ndarray:
    z = (x - np.asarray(model["mean"])) / np.asarray(model["scale"])
    logits = z @ np.asarray(model["coef"]).T + np.asarray(model["bias"])
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def folds_of(groups: np.ndarray) -> np.ndarray:
    """Fold of each row: whole groups (claims, events) per fold, assigned in sorted order."""
    order = {g: i % FOLDS for i, g in enumerate(sorted(set(groups.tolist())))}
    return np.array([order[g] for g in groups.tolist()])


def cross_validate(x: np.ndarray, y: np.ndarray, groups: np.ndarray, classes: int, l2: float,
                   balanced: bool) -> np.ndarray:
    folds = folds_of(groups)
    probs = np.zeros((len(y), classes))
    for k in range(FOLDS):
        model = fit_softmax(x[folds != k], y[folds != k], classes, l2, balanced=balanced)
        probs[folds == k] = predict(model, x[folds == k])
    return probs


def macro_f1(y: np.ndarray, predicted: np.ndarray, classes: int) -> tuple[float, list[float]]:
    scores = []
    for c in range(classes):
        tp = int(((predicted == c) & (y == c)).sum())
        fp = int(((predicted == c) & (y != c)).sum())
        fn = int(((predicted != c) & (y == c)).sum())
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        scores.append(2 * p * r / max(p + r, 1e-9))
    return float(np.mean(scores)), scores


def as_weights(model: dict, features: tuple[str, ...], **extra: object) -> dict:
    return {
        **extra,
        "features": list(features),
        "mean": [round(float(v), 6) for v in model["mean"]],
        "scale": [round(float(v), 6) for v in model["scale"]],
        "bias": [round(float(v), 6) for v in np.atleast_1d(model["bias"])],
        "coef": [[round(float(v), 6) for v in row] for row in np.atleast_2d(model["coef"])],
    }


def binary_weights(model: dict, features: tuple[str, ...], threshold: float, l2: float) -> dict:
    """A two-class softmax as one logistic row: class 1 minus class 0."""
    coef = np.asarray(model["coef"])
    bias = np.asarray(model["bias"])
    single = {"mean": model["mean"], "scale": model["scale"],
              "coef": (coef[1] - coef[0])[None, :], "bias": np.array([bias[1] - bias[0]])}
    return as_weights(single, features, threshold=threshold, l2=l2)


def write_weights(weights: dict, notes: str) -> None:
    WEIGHTS_FILE.write_text(
        '"""Fitted weights of the stance models: written by ``bench/stance.py --fit``.\n\n'
        f"{notes}\nDo not edit by hand: rerun the script.\n\"\"\"\n\n"
        f"WEIGHTS: dict = {json.dumps(weights, indent=4)}\n",
        encoding="utf-8",
    )


def msrp_view() -> None:
    """MSRP test pairs (same-story sentences; paraphrase or not) read as claim and text: no
    stance gold, but a paraphrase should come out "supports" far more often than a
    non-paraphrase, and almost never "contradicts" or "unrelated"."""
    from collections import Counter

    from newsweave.crosscheck.stance import stance

    rows = load(DATA / "msrp" / "test.jsonl")
    for label, name in ((1, "paraphrase"), (0, "not paraphrase")):
        calls = Counter(stance(r["s1"], r["s2"]).stance for r in rows if r["paraphrase"] == label)
        total = sum(calls.values())
        print(f"MSRP test, {name} (n={total}): " + ", ".join(
            f"{k} {v / total:.2f}" for k, v in calls.most_common()))


def run_speed() -> None:
    from newsweave.crosscheck.stance_batch import stance_lines

    docs = load(DATA / "basil" / "docs.jsonl")
    rng = random.Random(7)
    lines = []
    for i, doc in enumerate(d for d in docs if (d.get("title") or "").strip()):
        for other in rng.sample(docs, 10):
            lines.append(json.dumps({"id": f"{i}-{other['id']}", "claim": doc["title"],
                                     "text": other["text"]}))
    started, cpu = time.perf_counter(), time.process_time()
    out = list(stance_lines(lines))
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    errors = sum(1 for o in out if "error" in o)
    print(f"speed: {len(lines):,} pairs ({len(docs)} distinct bodies, each on ~10 lines) in "
          f"{elapsed:.1f} s = {len(lines) / elapsed:,.0f} pairs/s, one process ({errors} errors); "
          f"{len(lines) / used:,.0f} pairs per CPU second")
    unique = lines[::10]  # every body once: nothing to reuse
    started, cpu = time.perf_counter(), time.process_time()
    list(stance_lines(unique))
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    print(f"speed, one line per headline (bodies mostly distinct): {len(unique):,} pairs in "
          f"{elapsed:.1f} s = "
          f"{len(unique) / elapsed:,.0f} pairs/s; {len(unique) / used:,.0f} pairs per CPU second")


def body_level(data: DevData) -> None:
    """What the shipped models call BASIL headlines against other outlets' bodies on the same
    event. No gold: same-event coverage mostly supports or discusses, so the share called
    "contradicts" is a rough false-contradiction rate at body length to watch."""
    from collections import Counter

    predicted = decided(data.readings["basil"], data.cosines["basil"])
    calls: Counter[str] = Counter(
        v for p, v in zip(data.sets["basil"], predicted, strict=True) if p.label is None)
    total = sum(calls.values())
    print("BASIL same-event headline vs body (no gold): " + ", ".join(
        f"{k} {v / total:.2f}" for k, v in calls.most_common()) + f" (n={total})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true",
                        help="choose settings on the choose part, refit, rewrite the weights")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed run")
    args = parser.parse_args()
    data = DevData()
    if args.fit:
        from newsweave.crosscheck import stance as module

        weights = choose(data)
        write_weights(weights, "related: BASIL headline-vs-body pairs and the padded body-level "
                      "dev pairs;\nrelated_short: the headline-only dev pairs and Emergent claim "
                      "vs own/other headline;\nstance: the related dev pairs and Emergent "
                      "claim-vs-headline pairs.\nAll fitted on the choose part only (alternate "
                      "claims / events); settings by 5-fold\ncross-validation grouped by claim / "
                      "event inside it.")
        print(f"wrote {WEIGHTS_FILE.relative_to(REPO)}")
        module.WEIGHTS.clear()
        module.WEIGHTS.update(weights)
    report(data)
    neighbours(data)
    body_level(data)
    msrp_view()
    if not args.no_speed:
        run_speed()


if __name__ == "__main__":
    main()
