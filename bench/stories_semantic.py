"""Evidence beyond words for stories: the English MiniLM vectors beside the stage's similarity.

    python bench/stories_semantic.py             # nearest neighbours, pair cosines, the grid
    python bench/stories_semantic.py --quick     # nearest neighbours and pair cosines only

The reuse stage stores a MiniLM vector (``newsweave.nlp.english``, the title and the body's
first 128 word pieces: ``reuse.semantic.english_text``) for every English article before the
stories stage runs. This script computes the same vectors for the dev sets (the model from
its registry package, nothing downloaded) and measures what they add to the stage's word
similarity (``stories.vectors.pair_matrices``; each set clustered as a whole, as
``stories_dev.py --grid``):

- the share of reports whose most similar other report is of their own event (a ceiling on
  what a cut of that similarity separates), for the stage, MiniLM alone and a mix;
- on ECB+, whose topics each hold two events of one kind (two earthquakes, two rehab stays),
  the MiniLM cosine of pairs of one event, of two same-kind events of one topic and of
  different topics: how much a sentence vector tells same-kind events apart;
- BCubed F1 at story_threshold 0.20 / 0.22 / 0.24 / 0.26 for three ways to combine, chosen
  at 0.22 on ECB+ odd topics + AllSides validation split, reported on ECB+ even, BASIL and
  the AllSides test split. With ``sem = clip((cos - lo) / (0.9 - lo), 0, 1)`` and ``factor``
  the stage's veto factor of the pair (names, dates):
  ``mix``: ``((1 - a) * words + a * sem) * factor``;
  ``gated``: ``words * factor + a * sem`` only where no veto applies (factor 1);
  ``attach gate``: the stage's similarity, and a small story attaches to a larger one only if
  their mean MiniLM cosine reaches ``g`` as well.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from stories_dev import GRID_SETS, load_set, stage_vectors
from stories_ecb import bcubed

THRESHOLDS = (0.2, 0.22, 0.24, 0.26)
CHOICE = ("ecb-odd", "allsides-val")


def minilm(docs: Sequence[dict[str, str]]) -> np.ndarray:
    """The English model's vectors of ``docs``, as the reuse stage stores them."""
    from newsweave.nlp.english import embed_english
    from newsweave.reuse.semantic import english_text

    rows = embed_english([english_text(d.get("title"), d["text"]) for d in docs])
    return np.asarray(rows, dtype=np.float64)


def nearest_share(sims: np.ndarray, gold: np.ndarray) -> float:
    s = np.array(sims, dtype=np.float64)
    np.fill_diagonal(s, -np.inf)
    return float((gold[s.argmax(axis=1)] == gold).mean())


def attach_gated(clusters: Sequence[Sequence[int]], sims: np.ndarray, agree: np.ndarray,
                 cos: np.ndarray, attach: float, small: int, gate: float) -> list[list[int]]:
    """``linkage.attach_small`` with one more condition: the mean MiniLM cosine reaches
    ``gate`` (the same code otherwise, so the rows compare)."""
    big = [c for c in clusters if len(c) > small]
    if not big:
        return [list(c) for c in clusters]
    member = np.zeros((len(sims), len(big)))
    for b, rows in enumerate(big):
        member[list(rows), b] = 1.0
    sizes = member.sum(axis=0)
    to_big, agree_big, cos_big = sims @ member, agree @ member, cos @ member
    result = [list(c) for c in big]
    for rows in clusters:
        if len(rows) > small:
            continue
        index = list(rows)
        scale = len(index) * sizes
        ok = (agree_big[index].sum(axis=0) / scale >= 0.5) & (
            cos_big[index].sum(axis=0) / scale >= gate)
        mean = np.where(ok, to_big[index].sum(axis=0) / scale, -np.inf)
        best = int(np.argmax(mean))
        if mean[best] >= attach:
            result[best].extend(index)
        else:
            result.append(index)
    return result


def main() -> None:
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.linkage import attach_small, average_link
    from newsweave.stories.vectors import SMALL_STORY, pair_matrices

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="no clustering grid")
    args = parser.parse_args()
    weights = weights_from(load_settings())
    plain = replace(weights, name_penalty=1.0, date_penalty=1.0)
    data = {}
    started = time.process_time()
    for name in GRID_SETS:
        docs = load_set(name)
        items = stage_vectors(docs, weights)
        sims, agree = pair_matrices(items, weights)
        raw, _ = pair_matrices(items, plain)
        factor = np.divide(sims, raw, out=np.ones_like(sims), where=raw > 1e-12)
        vectors = minilm(docs)
        data[name] = (docs, np.array([d["event"] for d in docs]), sims, agree, factor,
                      vectors @ vectors.T)
    print(f"features and MiniLM vectors of {sum(len(d[0]) for d in data.values())} docs: "
          f"{time.process_time() - started:.0f} CPU s")
    print("\nShare of reports whose most similar other report is of their own event:")
    print("| set | stage | MiniLM alone | mix lo 0.5, a 0.15 |")
    print("|---|---|---|---|")
    for name, (_, gold, sims, _, factor, cos) in data.items():
        sem = np.clip((cos - 0.5) / 0.4, 0.0, 1.0)
        mixed = (0.85 * np.divide(sims, factor) + 0.15 * sem) * factor
        print(f"| {name} | {nearest_share(sims, gold):.3f} | {nearest_share(cos, gold):.3f} | "
              f"{nearest_share(mixed, gold):.3f} |")
    print("\nECB+ MiniLM cosine by pair (mean; 10th / 50th / 90th percentile):")
    for name in ("ecb-odd", "ecb-even"):
        docs, gold, _, _, _, cos = data[name]
        topic = np.array([d["topic"] for d in docs])
        upper = np.triu(np.ones(cos.shape, dtype=bool), 1)
        same_event = np.equal.outer(gold, gold) & upper
        same_topic = np.equal.outer(topic, topic) & upper & ~same_event
        other = ~np.equal.outer(topic, topic) & upper
        parts = []
        for label, mask in (("one event", same_event), ("same-kind events of one topic",
                                                         same_topic), ("other topics", other)):
            q = np.quantile(cos[mask], (0.1, 0.5, 0.9))
            parts.append(f"{label} {cos[mask].mean():.3f} ({q[0]:.2f} / {q[1]:.2f} / "
                         f"{q[2]:.2f})")
        print(f"  {name}: " + "; ".join(parts))
    if args.quick:
        return

    def scores(name: str, sims: np.ndarray, gate: float | None = None) -> list[float]:
        docs, gold, _, agree, _, cos = data[name]
        found = []
        for threshold in THRESHOLDS:
            clusters = average_link(sims, threshold)
            if gate is None:
                clusters = attach_small(clusters, sims, agree, weights.attach, SMALL_STORY)
            else:
                clusters = attach_gated(clusters, sims, agree, cos, weights.attach,
                                        SMALL_STORY, gate)
            pred = [0] * len(docs)
            for c, rows in enumerate(clusters):
                for i in rows:
                    pred[i] = c
            found.append(bcubed(pred, list(gold))[2])
        return found

    print(f"\nBCubed F1 at story_threshold {' / '.join(map(str, THRESHOLDS))}; choice: the sum "
          f"at 0.22 on {' + '.join(CHOICE)}")
    print("| combination | choice sum | " + " | ".join(GRID_SETS) + " |")
    print("|---|---|" + "---|" * len(GRID_SETS))
    rows: list[tuple[str, str, float | None, float, float]] = [("the stage", "none", None, 0, 0)]
    rows += [(f"mix lo {lo}, a {a}", "mix", None, lo, a)
             for lo in (0.5, 0.55, 0.6) for a in (0.05, 0.1, 0.15)]
    rows += [(f"gated lo {lo}, a {a}", "gated", None, lo, a)
             for lo in (0.5, 0.55, 0.6) for a in (0.05, 0.1, 0.15)]
    rows += [(f"attach gate {g}", "none", g, 0, 0) for g in (0.4, 0.5, 0.6)]
    for label, mode, gate, lo, a in rows:
        cells, choice = [], 0.0
        for name in GRID_SETS:
            _, _, sims, _, factor, cos = data[name]
            sem = np.clip((cos - lo) / (0.9 - lo), 0.0, 1.0) if lo else 0.0
            if mode == "mix":
                sims = ((1 - a) * np.divide(sims, factor) + a * sem) * factor
            elif mode == "gated":
                sims = sims + a * sem * (factor >= 0.999)
            found = scores(name, sims, gate)
            if name in CHOICE:
                choice += found[1]
            cells.append(" ".join(f"{f:.3f}" for f in found))
        print(f"| {label} | {choice:.3f} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
