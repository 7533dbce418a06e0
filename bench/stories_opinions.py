"""What would join the events the stories stage splits: the sentence vector's text, a
second model, short texts (#12 part 14).

    python bench/stories_opinions.py --zones --sets allsides-val ecb-odd [--e5]
    python bench/stories_opinions.py --whole --sets allsides-val ecb-odd --k1 1 2 \\
        --variants stage stage@0.20 short:1.1:80 e5:0.5:1:0.8:0.95

``--zones``: every pair of a set, scored by the stage's similarity (``stories.vectors.
pair_matrices``, MiniLM factor included, document frequencies over the set: each set
clustered as a whole, as ``bench/stories_bigstore.py``), in three zones: just below the
threshold ([T/2, T): the pairs a split event leaves apart and a looser rule would join),
below it ([0.05, T)) and at or above it (the joins). In each, the pairs of one event and of
different events, and how well each signal ranks them (AUC: the share of (one event,
different events) pairs ranked right; 1: every one-event pair above): the stage's
similarity; the MiniLM cosine of the text the reuse stage embeds (title and lead,
``reuse.semantic.english_text``); of the title alone (the first sentence where there is
none: a title-to-title signal); of the text without its title; and with ``--e5`` the
multilingual e5 cosine of title and lead (``nlp.embed``: what the reuse stage stores for
every article once a store holds another language).

``--whole``: each set clustered as a whole (average linkage and the attach rule,
``linkage.cluster_rows``) with the stage's similarity changed by a variant; BCubed P / R /
F1, and with ``--k1`` the BCubed precision of the set thinned to one report an event for
each seed (``bench/stories_thin.py``: recall is 1 there, so it measures wrong merges of
single same-kind reports, the local-news shape). Variants (each may end in ``@T``, the
threshold; default the stage's):

- ``stage``: the stage's similarity;
- ``short:B:W``: pairs whose two reports both hold at most W words (title and text) scaled
  by B: a threshold lower by B for short texts, whose word cosines run lower;
- ``e5:A:S:LO:HI``: the MiniLM factor replaced by ``(1 + A g) / (1 + A M)`` with ``g`` the
  agreement ``(1 - S)`` MiniLM's (``clip((cos - 0.5) / 0.4)``, the stage's) plus ``S`` e5's
  (``clip((cos - LO) / (HI - LO))``: e5's cosines run higher), M the stage's neutral 0.364;
- ``weekstories:P``: the similarity as the stage's, and in average linkage two stories of
  two or more reports each whose title-and-lead weekdays (the union of their undated
  members') are both named and disjoint have their mean similarity damped by P: the
  weekdays' veto (#12 part 11, between two reports only) carried to two stories in the
  linkage alone: ``features.WEEKDAY_STORY_PENALTY`` (off in the stage; here through
  ``linkage.cluster_rows``, as the stage's whole re-clusterings call it).

The vectors are cached by text under /tmp (``bench/stories_meaning.py``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import numpy as np

from stories_bigstore import _auc, stage_matrices
from stories_dev import Doc, load_set
from stories_ecb import bcubed
from stories_meaning import TextVectors
from stories_thin import thin

Modify = Callable[[np.ndarray, Sequence[Doc]], np.ndarray]


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """``rows`` as float64 unit vectors (a zero row stays zero)."""
    rows = np.asarray(rows, dtype=np.float64)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def title_of(doc: Doc) -> str:
    """A report's title; without one, its first sentence (as the stage reads a lead)."""
    title = (doc.get("title") or "").strip()
    return title or doc["text"].strip().split(". ")[0]


def word_count(doc: Doc) -> int:
    return len(f"{doc.get('title') or ''} {doc['text']}".split())


def cosines(texts: Sequence[str], multilingual: bool = False) -> np.ndarray:
    rows = unit_rows(TextVectors(multilingual).vectors(list(texts)))
    return rows @ rows.T


def lead_texts(docs: Sequence[Doc]) -> list[str]:
    from newsweave.reuse.semantic import english_text

    return [english_text(d.get("title"), d["text"]) for d in docs]


def e5_texts(docs: Sequence[Doc]) -> list[str]:
    from newsweave.nlp.embed import lead_text

    return [lead_text(d.get("title"), d["text"]) for d in docs]


def zone_aucs(signals: dict[str, np.ndarray], sims: np.ndarray, same: np.ndarray,
              zones: Sequence[tuple[float, float]]) -> list[tuple[float, float, int, int,
                                                                 dict[str, float]]]:
    """For each zone ``[low, high)`` of ``sims``: its one-event and different-event pair
    counts, and each signal's AUC over them (nan where a side is empty)."""
    upper = np.triu_indices(len(sims), 1)
    score = sims[upper]
    one = same[upper]
    found = []
    for low, high in zones:
        inside = (score >= low) & (score < high)
        right, wrong = inside & one, inside & ~one
        aucs = {name: (_auc(m[upper][right].tolist(), m[upper][wrong].tolist())
                       if right.any() and wrong.any() else float("nan"))
                for name, m in signals.items()}
        found.append((low, high, int(right.sum()), int(wrong.sum()), aucs))
    return found


def zones(name: str, e5: bool) -> None:
    docs = [d for d in load_set(name) if d["text"].strip()]
    _, resolved, _, sims, _, _ = stage_matrices(docs, {})
    threshold = resolved.story_threshold
    gold = np.array([d["event"] for d in docs])
    signals = {
        "the stage's similarity": sims,
        "MiniLM, title and lead (stored)": cosines(lead_texts(docs)),
        "MiniLM, title alone": cosines([title_of(d) for d in docs]),
        "MiniLM, text alone": cosines([d["text"] for d in docs]),
    }
    if e5:
        signals["e5, title and lead"] = cosines(e5_texts(docs), multilingual=True)
    bounds = ((threshold / 2, threshold), (0.05, threshold), (threshold, np.inf))
    print(f"\n{name}: {len(docs)} reports, threshold {threshold}")
    for low, high, right, wrong, aucs in zone_aucs(signals, sims, gold[:, None] == gold,
                                                   bounds):
        print(f"  pairs with the stage's similarity in [{low:.3f}, {high:.3f}): "
              f"one event {right}, different events {wrong}")
        for label, value in aucs.items():
            print(f"    {label:<34} AUC {value:.3f}")


def short_modify(factor: float, words: int) -> Modify:
    """Pairs of two reports of at most ``words`` words scaled by ``factor``."""
    def modify(sims: np.ndarray, docs: Sequence[Doc]) -> np.ndarray:
        short = np.array([word_count(d) <= words for d in docs])
        return np.where(np.outer(short, short), sims * factor, sims)
    return modify


def e5_modify(weight: float, share: float, low: float, high: float) -> Modify:
    """The MiniLM factor of ``sims`` replaced by one of MiniLM's and e5's agreement."""
    from newsweave.stories.vectors import SEMANTIC_NEUTRAL, Weights, semantic_factor

    def modify(sims: np.ndarray, docs: Sequence[Doc]) -> np.ndarray:
        minilm = cosines(lead_texts(docs))
        stage = semantic_factor(minilm, Weights(semantic=0.5))  # the stage's default factor
        agree = ((1 - share) * np.clip((minilm - 0.5) / 0.4, 0.0, 1.0)
                 + share * np.clip((cosines(e5_texts(docs), multilingual=True) - low)
                                   / (high - low), 0.0, 1.0))
        factor = (1 + weight * agree) / (1 + weight * SEMANTIC_NEUTRAL)
        return sims / stage * factor
    return modify


def variant(spec: str) -> tuple[Modify | None, float | None, float]:
    """A ``--variants`` spec as (modify, threshold, the linkage's weekday penalty)."""
    body, _, at = spec.partition("@")
    kind, *values = body.split(":")
    numbers = [float(v) for v in values]
    threshold = float(at) if at else None
    if kind == "stage":
        return None, threshold, 1.0
    if kind == "short":
        return short_modify(numbers[0], int(numbers[1])), threshold, 1.0
    if kind == "e5":
        return e5_modify(*numbers), threshold, 1.0
    if kind == "weekstories":
        return None, threshold, numbers[0]
    raise SystemExit(f"unknown variant {spec!r}")


def whole_scores(docs: Sequence[Doc], modify: Modify | None, threshold: float | None,
                 linkage_penalty: float = 1.0) -> tuple[float, float, float]:
    """BCubed P, R, F1 of ``docs`` clustered as a whole with the changed similarity."""
    from dataclasses import replace

    from newsweave.stories.linkage import cluster_rows, story_weekdays
    from newsweave.stories.vectors import SMALL_STORY

    items, resolved, weights, sims, agree, _ = stage_matrices(list(docs), {})
    if modify is not None:
        diagonal = np.diag(sims).copy()
        sims = modify(sims, docs)
        np.fill_diagonal(sims, diagonal)
    cut = resolved.story_threshold if threshold is None else threshold
    weights = replace(weights, weekday_story_penalty=linkage_penalty)
    pred = [0] * len(docs)
    for story, rows in enumerate(cluster_rows(sims, agree, cut, weights.attach, SMALL_STORY,
                                              story_weekdays(items, weights),
                                              linkage_penalty)):
        for i in rows:
            pred[i] = story
    return bcubed(pred, [d["event"] for d in docs])


def whole(names: Sequence[str], specs: Sequence[str], seeds: Sequence[int],
          k: int = 1, score: Callable[[list[Doc], str], tuple[float, float, float]] | None = None
          ) -> None:
    """One row per variant: each set's P / R / F1 clustered as a whole and, per seed, the
    set thinned to ``k`` reports an event (precision at k = 1, F1 above). ``score``: a
    variant's P / R / F1 on some documents (default: this module's variants, ``variant``)."""
    score = score or _scored
    sets = {n: [d for d in load_set(n) if d["text"].strip()] for n in names}
    shown = "P" if k == 1 else "F1"
    head = " | ".join(f"{n} P/R/F1" + "".join(f", k{k} s{s} {shown}" for s in seeds)
                      for n in names)
    print(f"| variant | {head} |")
    print("|---|" + "---|" * len(names))
    for spec in specs:
        cells = []
        for docs in sets.values():
            p, r, f = score(docs, spec)
            column = 0 if k == 1 else 2
            thinned = [score(thin(list(docs), k, s), spec)[column] for s in seeds]
            cells.append(f"{p:.3f} / {r:.3f} / **{f:.3f}**"
                         + "".join(f" [{x:.3f}]" for x in thinned))
        print(f"| {spec} | " + " | ".join(cells) + " |", flush=True)


def _scored(docs: list[Doc], spec: str) -> tuple[float, float, float]:
    return whole_scores(docs, *variant(spec))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["allsides-val", "ecb-odd"])
    parser.add_argument("--zones", action="store_true")
    parser.add_argument("--e5", action="store_true", help="--zones: also the e5 cosine")
    parser.add_argument("--whole", action="store_true")
    parser.add_argument("--variants", nargs="*", default=["stage"])
    parser.add_argument("--k1", nargs="*", type=int, default=[], metavar="SEED",
                        help="also each set thinned to one report an event, per seed")
    parser.add_argument("--thin", type=int, default=1, metavar="K",
                        help="--k1's seeds thin to K reports an event instead (F1 shown)")
    args = parser.parse_args()
    if args.zones:
        for name in args.sets:
            zones(name, args.e5)
    if args.whole:
        whole(args.sets, args.variants, args.k1, args.thin)


if __name__ == "__main__":
    main()
