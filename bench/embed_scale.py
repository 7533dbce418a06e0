"""Where each embedding model's cosines fall on unrelated vs same-story news (ECB+).

Data: ``../shared/benchmarks/ecbplus/docs.jsonl`` (982 articles, 86 events in
43 topics of two similar events each). For both models the engine uses
(multilingual e5 on the lead, ``newsweave.nlp.embed``; English MiniLM on the
whole text, ``newsweave.nlp.english``) it prints cosine percentiles of
article pairs from different topics (unrelated), from the same topic but
different events (same kind of event, another story) and from the same event
(same story). The relatedness rescale ranges (``newsweave.reuse.semantic``)
are read off these: this is the data they were chosen on, not SemEval.
Vectors are cached under ``~/.cache/newsweave-bench/``.

    python bench/embed_scale.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO.parent / "shared" / "benchmarks" / "ecbplus" / "docs.jsonl"
CACHE = Path.home() / ".cache" / "newsweave-bench"
PERCENTILES = (5, 25, 50, 75, 90, 95)


def main() -> None:
    if not DOCS.is_file():
        sys.exit(f"{DOCS} not found: the benchmarks live in ../shared beside the repository")
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from newsweave.reuse.semantic import SCALES, english_text, lead_text

    docs = [json.loads(line) for line in DOCS.open(encoding="utf-8")]
    topic = np.array([d["topic"] for d in docs])
    event = np.array([d["event"] for d in docs])
    same_topic = topic[:, None] == topic[None, :]
    same_event = event[:, None] == event[None, :]
    upper = np.triu(np.ones((len(docs), len(docs)), dtype=bool), k=1)
    groups = {
        "different topics (unrelated)": upper & ~same_topic,
        "same topic, other event": upper & same_topic & ~same_event,
        "same event (same story)": upper & same_event,
    }
    models = {
        "multilingual-e5-small-q4 (lead)": ("e5", [lead_text(None, d["text"]) for d in docs]),
        "all-MiniLM-L6-v2 int8 (whole text)": ("minilm",
                                               [english_text(None, d["text"]) for d in docs]),
    }
    print(f"{len(docs)} ECB+ articles; pairs: "
          + ", ".join(f"{name} {int(mask.sum()):,}" for name, mask in groups.items()))
    at: tuple[float, float] | None = None  # where e5's range sits: quantiles of the groups
    for label, (key, texts) in models.items():
        vectors = _cached(key, texts)
        cosines = vectors @ vectors.T
        print(f"\n{label}: cosine percentiles {', '.join(f'p{p}' for p in PERCENTILES)}")
        for name, mask in groups.items():
            values = np.percentile(cosines[mask], PERCENTILES)
            print(f"  {name:<30} " + "  ".join(f"{v:.3f}" for v in values))
        floor, ceil = SCALES[key]
        unrelated = cosines[groups["different topics (unrelated)"]]
        story = cosines[groups["same event (same story)"]]
        below, above = float(np.mean(unrelated <= floor)), float(np.mean(story >= ceil))
        print(f"  engine range [{floor:.2f}, {ceil:.2f}]: {below:.0%} of unrelated pairs at or "
              f"below the floor, {above:.0%} of same-story pairs at or above the ceiling, "
              f"median same-story pair rescaled to "
              f"{(np.median(story) - floor) / (ceil - floor):.2f}")
        if at is None:
            at = (below, above)
        else:
            print(f"  the range at the same quantiles as e5's (unrelated p{100 * at[0]:.0f}, "
                  f"same-story p{100 - 100 * at[1]:.0f}): "
                  f"[{np.quantile(unrelated, at[0]):.3f}, {np.quantile(story, 1 - at[1]):.3f}]")
        ranked = np.concatenate([unrelated, story])
        truth = np.concatenate([np.zeros(len(unrelated)), np.ones(len(story))])
        print(f"  ROC AUC same story vs unrelated: {_auc(ranked, truth):.4f}")


def _auc(scores, truth) -> float:
    import numpy as np

    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    positives = truth == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _cached(key: str, texts: list[str]):  # -> np.ndarray
    import numpy as np

    from newsweave.nlp.english import MAX_TOKENS

    digest = hashlib.sha1("\n\x00".join(texts).encode()).hexdigest()[:12]
    limit = "" if key == "e5" else f"{MAX_TOKENS}-"  # the same text cut elsewhere differs
    path = CACHE / f"ecbplus-{key}-{limit}{digest}.npy"
    if path.is_file():
        return np.load(path)
    if key == "e5":
        from newsweave.nlp.embed import embed

        vectors = embed(texts)
    else:
        from newsweave.nlp.english import embed_english

        vectors = embed_english(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


if __name__ == "__main__":
    main()
