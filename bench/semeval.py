"""Story-level similarity on SemEval-2022 task 8: Pearson r with the human ``Overall``.

Data: ``../shared/benchmarks/semeval2022_task8/pairs.jsonl`` (798 pairs of
news articles in 8 languages; ``Overall`` 1 = same story ... 4 = unrelated).
The score is the engine's own relatedness, the one ``newsweave similar``
ranks by: the multilingual e5 embedding of each article's lead (title and
first 600 characters; here the text as given, which starts with the title)
rescaled to 0..1 and raised by the text the two share after sentence
alignment (:func:`newsweave.reuse.semantic.relatedness`). Nothing is fitted
on the benchmark. Figures: Pearson r between the score and ``-Overall``, for
English-English pairs and for all pairs; also for the cosine alone.

    python bench/semeval.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO.parent / "shared" / "benchmarks" / "semeval2022_task8" / "pairs.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs")
    args = parser.parse_args()
    if not PAIRS.is_file():
        sys.exit(f"{PAIRS} not found: the benchmarks live in ../shared beside the repository")
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from newsweave.model import Article
    from newsweave.nlp.embed import embed, lead_text
    from newsweave.reuse.align import align_texts
    from newsweave.reuse.relation import Side, relate
    from newsweave.reuse.semantic import relatedness

    rows = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    started = time.perf_counter()
    vectors = embed([lead_text(None, r[key]) for r in rows for key in ("text1", "text2")])
    embedded = time.perf_counter() - started
    cosines, scores = [], []
    for i, row in enumerate(rows):
        cosine = float(vectors[2 * i] @ vectors[2 * i + 1])
        a = Side(Article(1, "a", "", "text", row["text1"], "a"), [])
        b = Side(Article(2, "b", "", "text", row["text2"], "b"), [])
        shared = relate(a, b, align_texts(row["text1"], row["text2"])).score
        cosines.append(cosine)
        scores.append(relatedness(cosine, shared))
    gold = -np.array([r["Overall"] for r in rows], dtype=float)
    english = np.array([r["lang1"] == "en" and r["lang2"] == "en" for r in rows])

    def pearson(values: list[float], mask: np.ndarray | None = None) -> float:
        x = np.asarray(values, dtype=float)
        keep = np.ones(len(x), dtype=bool) if mask is None else mask
        return float(np.corrcoef(x[keep], gold[keep])[0, 1])

    print(f"pairs: {len(rows)} ({int(english.sum())} English-English), "
          f"{2 * len(rows)} texts embedded in {embedded:.0f} s")
    print(f"engine relatedness: r = {pearson(scores, english):.3f} English-English, "
          f"{pearson(scores):.3f} all pairs")
    print(f"embedding cosine alone: r = {pearson(cosines, english):.3f} English-English, "
          f"{pearson(cosines):.3f} all pairs")


if __name__ == "__main__":
    main()
