"""The claim model of a first brief: all-MiniLM-L6-v2 cosines in the "same fact" decision.

A story's claims are split from its English articles only, so the multilingual e5 model's
strength (aligning translations) is never used by the claim alignment, while it costs
about 3.5 times the CPU of the English MiniLM model per sentence (docs/benchmarks.md,
"Brief speed, part 2"). This fits the "same fact" logistic model with the MiniLM cosine
in place of the e5 one, the way ``bench/msrp.py --fit`` fits the shipped ones: on MSRP
``train.jsonl`` only (Newton's method, L2 penalty 1, the threshold that maximises
accuracy on 5-fold cross-validated training predictions), and scores it on
``test.jsonl`` beside the e5 model and neighbouring thresholds.

The two cosine thresholds the cross-check reads besides the model (the prefilter that
scores a pair sharing few words when its cosine is high, and the cosine at which a
rewrite's sentence restates its source's) are carried over from e5 to MiniLM at the same
quantile of the MSRP **training** pairs' cosines.

Usage, from the repository root::

    PYTHONPATH=src python bench/brief_claim_model.py          # score the shipped weights
    PYTHONPATH=src python bench/brief_claim_model.py --fit    # refit, rewrite the weights
    PYTHONPATH=src python bench/brief_claim_model.py --screen --db /tmp/bs/scale.db
    PYTHONPATH=src python bench/brief_claim_model.py --speed 200   # CPU per sentence, both models

``--screen`` measures a MiniLM screen in front of e5: e5 decides only the pairs whose MiniLM
probability lies in a band (the others keep MiniLM's decision), with the share of MSRP pairs
whose decision equals e5's; with ``--db`` (a ``bench/brief_scale.py`` store), how many of the
demo story's and three filler stories' distinct claim texts e5 would still embed.

The MiniLM vectors of the 11.6k benchmark sentences are cached in
``~/.cache/newsweave-bench/`` (never in the repo).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
WEIGHTS_FILE = REPO / "src" / "newsweave" / "crosscheck" / "align_weights_minilm.py"
E5_CUTS = {"cosine_prefilter": 0.86, "origin_cosine": 0.9}  # the e5 values carried over


def minilm_vectors(rows: list[dict]) -> dict[str, np.ndarray]:
    """MiniLM vector of every sentence of ``rows`` by SHA-1, cached on disk."""
    from msrp import sentence_vectors
    from newsweave.nlp.english import MAX_TOKENS, MODEL_NAME, embed_english

    return sentence_vectors(rows, f"{MODEL_NAME}-{MAX_TOKENS}", embed_english)


def minilm_cosines(rows: list[dict]) -> np.ndarray:
    from msrp import pair_cosines

    return pair_cosines(rows, minilm_vectors(rows))


def carried_cuts(e5: np.ndarray, minilm: np.ndarray) -> dict[str, float]:
    """Each e5 cosine threshold moved to the MiniLM cosine at the same quantile."""
    out = {}
    for name, cut in E5_CUTS.items():
        share = float((e5 < cut).mean())
        out[name] = round(float(np.quantile(minilm, share)), 3)
        print(f"{name}: e5 {cut} is quantile {share:.3f} of MSRP train cosines -> "
              f"MiniLM {out[name]}")
    return out


def write_weights(model: dict, cuts: dict[str, float]) -> None:
    text = (
        '"""Fitted weights of the "same fact" model with MiniLM cosines: written by\n'
        "``bench/brief_claim_model.py --fit``.\n\n"
        "Fitted on ../shared/benchmarks/msrp/train.jsonl only (logistic regression, L2 "
        "penalty 1);\nthe cosine thresholds are the e5 ones carried to the same quantile of "
        "the training\npairs' MiniLM cosines. Do not edit by hand: rerun the script.\n"
        '"""\n\n'
        f"WEIGHTS: dict = {json.dumps(model, indent=4)}\n\n"
        f"CUTS: dict = {json.dumps(cuts, indent=4)}\n"
    )
    WEIGHTS_FILE.write_text(text, encoding="utf-8")


def scores(rows: list[dict], x: np.ndarray, cos: np.ndarray, model: dict) -> np.ndarray:
    from msrp import predict

    return predict(model, np.hstack([x, cos[:, None]]))


def report(name: str, y: np.ndarray, predicted: np.ndarray) -> None:
    tp = int((predicted & (y == 1)).sum())
    fp = int((predicted & (y == 0)).sum())
    fn = int((~predicted & (y == 1)).sum())
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    accuracy = float((predicted == (y == 1)).mean())
    print(f"{name:<34} accuracy {accuracy:.3f}  F1 {f1:.3f}  "
          f"(precision {precision:.3f}, recall {recall:.3f}, n={len(y)})")


def speed(count: int) -> None:
    """CPU seconds per sentence of each claim model on ``count`` MSRP test sentences (each
    run on texts neither model has seen in this process, after one warm-up call)."""
    import os

    from msrp import load
    from newsweave.crosscheck.align import embed_claims

    sentences = [r["s1"] for r in load("test")][:count]
    for model in ("embedding", "minilm"):
        embed_claims(["A warm-up sentence loads the model."], model=model)
        texts = [f"{s} ({model})" for s in sentences]  # not in any cache of this process
        cpu, wall = time.process_time(), time.perf_counter()
        embed_claims(texts, model=model)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"{model}: {1000 * cpu / len(texts):.1f} ms CPU, {1000 * wall / len(texts):.1f} ms "
              f"wall per sentence ({len(texts)} sentences; load average "
              f"{os.getloadavg()[0]:.1f})")


def screen(db: str | None) -> None:
    from msrp import cosines, lexical_matrix, load, predict
    from newsweave.crosscheck.align import WEIGHTS

    parts = {}
    for part in ("train", "test"):
        rows = load(part)
        x = lexical_matrix(rows)
        parts[part] = (np.array([r["paraphrase"] for r in rows]),
                       predict(WEIGHTS["embedding"], np.hstack([x, cosines(rows)[:, None]])),
                       predict(WEIGHTS["minilm"], np.hstack([x, minilm_cosines(rows)[:, None]])))
    cut_e5, cut_m = WEIGHTS["embedding"]["threshold"], WEIGHTS["minilm"]["threshold"]
    for low, high in ((0.1, 0.95), (0.2, 0.9), (0.3, 0.8), (0.4, 0.7)):
        line = []
        for part, (y, e5, mini) in parts.items():
            band = (mini >= low) & (mini < high)
            decided = np.where(band, e5 >= cut_e5, mini >= cut_m)
            line.append(f"{part}: same as e5 {(decided == (e5 >= cut_e5)).mean():.3f}, "
                        f"accuracy {(decided == (y == 1)).mean():.3f}, e5 asked for "
                        f"{band.mean():.2f} of pairs")
        print(f"screen [{low}, {high}): " + "; ".join(line))
    if db:
        screen_stories(db)


def screen_stories(db: str) -> None:
    """Distinct claim texts of a story e5 would embed behind a MiniLM screen at each floor."""
    import newsweave
    from newsweave.crosscheck.align import embed_claims, same_fact_score, tokens
    from newsweave.crosscheck.claims import split_claims
    from newsweave.reuse.graph import story_members

    with newsweave.open(db, readonly=True) as engine:
        wire = next(a for a in engine.iter_articles(limit=20)
                    if a.source.endswith("01_meridian-press-agency.txt"))
        demo = int(engine.story_of(wire.id))  # type: ignore[arg-type]
        fillers = [int(r[0]) for r in engine.store._db.execute(
            "SELECT id FROM stories WHERE title LIKE 'Filler story %' ORDER BY id LIMIT 3")]
        stories = {s: [engine.store.get_article(i) for i in story_members(engine.store, s)]
                   for s in [demo, *fillers]}
    cut = screen_cut()
    for story, articles in stories.items():
        units = [u for a in articles if a for u in split_claims(a.id, a.text, None)]
        distinct = list(dict.fromkeys(u.text for u in units))
        vectors = dict(zip(distinct, embed_claims(distinct, model="minilm"), strict=True))
        words = {t: set(tokens(t)) for t in distinct}
        needed: dict[float, set[str]] = {floor: set() for floor in (0.05, 0.1, 0.2, 0.3)}
        for i, a in enumerate(units):
            for b in units[i + 1:]:
                if a.article == b.article or a.text == b.text:
                    continue
                shared = len(words[a.text] & words[b.text]) / max(
                    min(len(words[a.text]), len(words[b.text])), 1)
                cosine = float(vectors[a.text] @ vectors[b.text])
                if shared < 0.2 and cosine < cut:
                    continue
                p = same_fact_score(a.text, b.text, cosine=cosine, model="minilm")
                for floor, texts in needed.items():
                    if p >= floor:
                        texts |= {a.text, b.text}
        print(f"story {story}: {len(distinct)} distinct claim texts; e5 still embeds "
              + ", ".join(f"{len(t)} at MiniLM p >= {f}" for f, t in needed.items()))


def screen_cut() -> float:
    from newsweave.crosscheck.align import COSINE_CUTS

    return COSINE_CUTS["minilm"]["cosine_prefilter"]


def main() -> None:
    from msrp import cosines, fit, lexical_matrix, load

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true", help="refit on train.jsonl first")
    parser.add_argument("--screen", action="store_true", help="measure a MiniLM screen for e5")
    parser.add_argument("--db", help="with --screen: a bench/brief_scale.py store")
    parser.add_argument("--no-e5", action="store_true",
                        help="score without the e5 line (no e5 vectors needed: quick)")
    parser.add_argument("--speed", type=int, metavar="N",
                        help="time both models on N sentences instead")
    args = parser.parse_args()
    if args.speed:
        speed(args.speed)
        return
    if args.screen:
        screen(args.db)
        return
    started = time.perf_counter()
    test = load("test")
    y_test = np.array([r["paraphrase"] for r in test])
    x_test = lexical_matrix(test)
    if args.fit:
        from newsweave.crosscheck.align import FEATURES

        train = load("train")
        y_train = np.array([r["paraphrase"] for r in train])
        x_train = lexical_matrix(train)
        cos_train = minilm_cosines(train)
        model = fit(np.hstack([x_train, cos_train[:, None]]), y_train, [*FEATURES, "cosine"])
        write_weights(model, carried_cuts(cosines(train), cos_train))
        print(f"wrote {WEIGHTS_FILE.relative_to(REPO)}")
    import importlib

    from newsweave.crosscheck import align, align_weights, align_weights_minilm

    importlib.reload(align_weights_minilm)
    importlib.reload(align)
    minilm = minilm_cosines(test)
    if not args.no_e5:
        e5 = cosines(test)
        report("e5 embedding model (default)", y_test, np.array(
            [align.same_fact(r["s1"], r["s2"], cosine=float(c), model="embedding")
             for r, c in zip(test, e5, strict=True)]))
    shipped = align_weights_minilm.WEIGHTS["threshold"]
    report(f"MiniLM embedding model ({shipped})", y_test, np.array(
        [align.same_fact(r["s1"], r["s2"], cosine=float(c), model="minilm")
         for r, c in zip(test, minilm, strict=True)]))
    chosen = align_weights_minilm.WEIGHTS
    p = scores(test, x_test, minilm, chosen)
    for delta in (-0.05, -0.025, 0.025, 0.05):
        cut = round(chosen["threshold"] + delta, 4)
        report(f"MiniLM, threshold {cut} (neighbour)", y_test, p >= cut)
    report("lexical model", y_test, np.array([align.same_fact(r["s1"], r["s2"]) for r in test]))
    _ = align_weights
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
