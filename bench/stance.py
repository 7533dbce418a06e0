"""Stance benchmark: fit and score the two stance models, and time the batch path.

Data (``../shared/benchmarks`` beside the repository, never copied into it):

* **Emergent** (``emergent/pairs.jsonl``): 524 claim / headline pairs, 60 claims, stance
  for / against / observing = supports / contradicts / discusses. The three-class model is
  fitted here; its figures are **5-fold cross-validated with folds grouped by claim** (no
  claim is ever in both the fitted and the scored part), for each L2 penalty of a grid, with
  and without class-balanced weights; the setting with the best cross-validated macro-F1 is
  the one written to :mod:`newsweave.crosscheck.stance_weights`.
* **BASIL** (``basil/docs.jsonl``): 100 events x 3 outlets. Related pairs are one outlet's
  headline against each other outlet's body on the same event; unrelated pairs are the
  headline against the bodies of two other events drawn with a fixed seed. The related /
  unrelated model is fitted here, cross-validated by event the same way.
* **Speed**: the ``newsweave stance`` batch path (:func:`newsweave.crosscheck.stance_batch.
  stance_lines`) over BASIL headlines x bodies (each body recurs on 10 lines), in pairs/s.

Usage, from the repository root::

    python bench/stance.py          # score the shipped weights (cross-validated figures too)
    python bench/stance.py --fit    # choose settings by CV, refit on all, rewrite the weights
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks"
WEIGHTS_FILE = REPO / "src" / "newsweave" / "crosscheck" / "stance_weights.py"
LABELS = {"for": "supports", "against": "contradicts", "observing": "discusses"}
PENALTIES = (0.01, 0.1, 1.0, 10.0, 100.0)
FOLDS = 5


def load(path: Path) -> list[dict]:
    if not path.exists():
        sys.exit(f"{path} is missing: the benchmarks live in ../shared/benchmarks beside the repo")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def emergent_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature matrix, labels (index into CLASSES) and claim groups of the Emergent pairs."""
    from newsweave.crosscheck.stance import (
        CLASSES,
        STANCE_FEATURES,
        analyse_body,
        analyse_claim,
        stance_features,
    )

    rows = load(DATA / "emergent" / "pairs.jsonl")
    x, y, groups = [], [], []
    for row in rows:
        _, _, passages = stance_features(analyse_claim(row["claim"]),
                                         analyse_body(row["headline"]))
        values = passages[0] if passages else dict.fromkeys(STANCE_FEATURES, 0.0)
        x.append([values[name] for name in STANCE_FEATURES])
        y.append(CLASSES.index(LABELS[row["stance"]]))
        groups.append(row["claim_id"])
    return np.array(x), np.array(y), np.array(groups)


def emergent_related_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Claim against headline: its own claim's (related) or two other claims' (unrelated)."""
    from newsweave.crosscheck.stance import (
        RELATED_FEATURES,
        analyse_body,
        analyse_claim,
        stance_features,
    )

    rows = load(DATA / "emergent" / "pairs.jsonl")
    rng = random.Random(13)
    x, y, groups = [], [], []
    for row in rows:
        claim = analyse_claim(row["claim"])
        others = [r for r in rows if r["claim_id"] != row["claim_id"]]
        for other, label in [(row, 1)] + [(o, 0) for o in rng.sample(others, 1)]:
            values, _, _ = stance_features(claim, analyse_body(other["headline"]))
            x.append([values[name] for name in RELATED_FEATURES])
            y.append(label)
            groups.append(row["claim_id"])
    return np.array(x), np.array(y), np.array(groups)


def basil_rows() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Headline-vs-body pairs from BASIL: related (same event, other outlet) or not."""
    from newsweave.crosscheck.stance import (
        RELATED_FEATURES,
        analyse_body,
        analyse_claim,
        stance_features,
    )

    docs = load(DATA / "basil" / "docs.jsonl")
    bodies = {d["id"]: analyse_body(d["text"]) for d in docs}
    events = sorted({d["event"] for d in docs})
    rng = random.Random(13)
    x, y, groups = [], [], []
    for doc in docs:
        if not (doc.get("title") or "").strip():
            continue
        claim = analyse_claim(doc["title"])
        same = [d for d in docs if d["event"] == doc["event"] and d["id"] != doc["id"]]
        others = [e for e in events if e != doc["event"]]
        far = [rng.choice([d for d in docs if d["event"] == e]) for e in rng.sample(others, 2)]
        for other, label in [(d, 1) for d in same] + [(d, 0) for d in far]:
            values, _, _ = stance_features(claim, bodies[other["id"]])
            x.append([values[name] for name in RELATED_FEATURES])
            y.append(label)
            groups.append(doc["event"])
    return np.array(x), np.array(y), np.array(groups)


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: int, l2: float, *,
                balanced: bool = False) -> dict:
    """L2-penalised multinomial logistic regression (gradient descent, standardised inputs)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    onehot = np.eye(classes)[y]
    counts = onehot.sum(axis=0)
    weight = (len(y) / (classes * np.maximum(counts, 1)))[y] if balanced else np.ones(len(y))
    w = np.zeros((classes, z.shape[1]))
    b = np.zeros(classes)
    step = 0.5
    for _ in range(3000):
        logits = z @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        err = (p - onehot) * weight[:, None] / len(y)
        w -= step * (err.T @ z + l2 * w / len(y))
        b -= step * err.sum(axis=0)
    return {"mean": mean, "scale": scale, "coef": w, "bias": b}


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


def run_emergent(fit: bool) -> dict | None:
    from newsweave.crosscheck.stance import CLASSES, STANCE_FEATURES

    x, y, groups = emergent_rows()
    print(f"Emergent: {len(y)} pairs, {len(set(groups.tolist()))} claims; majority class "
          f"{np.bincount(y).max() / len(y):.3f}")
    best = None
    for balanced in (False, True):
        for l2 in PENALTIES:
            probs = cross_validate(x, y, groups, len(CLASSES), l2, balanced)
            predicted = probs.argmax(axis=1)
            f1, per = macro_f1(y, predicted, len(CLASSES))
            acc = float((predicted == y).mean())
            print(f"  CV by claim  l2 {l2:<6} balanced {balanced!s:<5}  accuracy {acc:.3f}  "
                  f"macro-F1 {f1:.3f}  (" + ", ".join(
                      f"{c} {s:.2f}" for c, s in zip(CLASSES, per, strict=True)) + ")")
            if best is None or f1 > best[0]:
                best = (f1, acc, l2, balanced)
    assert best is not None
    print(f"  chosen: l2 {best[2]}, balanced {best[3]} (CV accuracy {best[1]:.3f}, "
          f"macro-F1 {best[0]:.3f})")
    if not fit:
        return None
    model = fit_softmax(x, y, len(CLASSES), best[2], balanced=best[3])
    return as_weights(model, STANCE_FEATURES, classes=list(CLASSES), l2=best[2],
                      balanced=int(best[3]))


def run_related(fit: bool, short: bool = False) -> dict | None:
    """The related/unrelated model for bodies (BASIL headline vs body) or, ``short``, for
    headline-sized texts (Emergent claim vs headline)."""
    from newsweave.crosscheck.stance import RELATED_FEATURES

    x, y, groups = emergent_related_rows() if short else basil_rows()
    what = "Emergent claim-headline" if short else "BASIL headline-body"
    print(f"related/unrelated, {what} pairs: {len(y)}, half related")
    best = None
    for l2 in PENALTIES:
        probs = cross_validate(x, y, groups, 2, l2, False)[:, 1]
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
            predicted = (probs >= threshold).astype(int)
            f1, per = macro_f1(y, predicted, 2)
            acc = float((predicted == y).mean())
            if threshold == 0.5 or l2 == 1.0:
                print(f"  CV by {'claim' if short else 'event'}  l2 {l2:<6} threshold {threshold}  "
                      f"accuracy {acc:.3f}  F1 related {per[1]:.3f}  unrelated {per[0]:.3f}")
            if best is None or f1 > best[0]:
                best = (f1, acc, l2, threshold)
    assert best is not None
    print(f"  chosen: l2 {best[2]}, threshold {best[3]} (CV accuracy {best[1]:.3f}, "
          f"macro-F1 {best[0]:.3f})")
    if not fit:
        return None
    model = fit_softmax(x, y, 2, best[2])
    return binary_weights(model, RELATED_FEATURES, best[3], best[2])


def score_shipped() -> None:
    """The shipped weights through the package's own decision (Emergent is in-sample here)."""
    from newsweave.crosscheck.stance import CLASSES, stance

    rows = load(DATA / "emergent" / "pairs.jsonl")
    predicted, gold = [], []
    for row in rows:
        result = stance(row["claim"], row["headline"])
        predicted.append(result.stance)
        gold.append(LABELS[row["stance"]])
    labels = [*CLASSES, "unrelated"]
    p = np.array([labels.index(s) for s in predicted])
    g = np.array([labels.index(s) for s in gold])
    f1, _ = macro_f1(g, p, 3)
    print(f"shipped weights on all Emergent (in-sample, not a held-out figure): accuracy "
          f"{float((p == g).mean()):.3f}, macro-F1 {f1:.3f}, called unrelated "
          f"{int((p == 3).sum())}")


def body_level() -> None:
    """What the shipped models call BASIL headlines against other outlets' bodies on the same
    event. No gold: same-event coverage is mostly supporting or discussing, so the share
    called "contradicts" is a rough false-contradiction rate at body length to watch."""
    from collections import Counter

    from newsweave.crosscheck.stance import stance

    docs = load(DATA / "basil" / "docs.jsonl")
    calls: Counter[str] = Counter()
    for doc in docs:
        for other in docs:
            if other["event"] == doc["event"] and other["id"] != doc["id"] and doc["title"]:
                calls[stance(doc["title"], other["text"]).stance] += 1
    total = sum(calls.values())
    print("BASIL same-event headline vs body (no gold): " + ", ".join(
        f"{k} {v / total:.2f}" for k, v in calls.most_common()) + f" (n={total})")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true", help="refit and rewrite the weights")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed run")
    args = parser.parse_args()
    stance_model = run_emergent(args.fit)
    related_model = run_related(args.fit)
    short_model = run_related(args.fit, short=True)
    if args.fit and stance_model and related_model and short_model:
        write_weights({"related": related_model, "related_short": short_model,
                       "stance": stance_model},
                      "related: BASIL headline-vs-body pairs; related_short: Emergent claim vs "
                      "its own or\nanother claim's headline; stance: Emergent claim-vs-headline "
                      "pairs.\nSettings chosen by 5-fold cross-validation grouped by event / "
                      "claim.")
        print(f"wrote {WEIGHTS_FILE.relative_to(REPO)}")
        import importlib

        from newsweave.crosscheck import stance, stance_weights

        importlib.reload(stance_weights)
        importlib.reload(stance)
    score_shipped()
    body_level()
    msrp_view()
    if not args.no_speed:
        run_speed()


if __name__ == "__main__":
    main()
