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

``--chunks N`` also scores the whole text cut into chunks of whole sentences
of at most N characters, each embedded with the same model (the mean chunk
vector, the symmetrised soft match, and their mixes with the lead cosine): an
experiment recorded in docs/benchmarks.md, not the engine's score. Embeddings
are cached under ``~/.cache/newsweave-bench/`` (computing them takes minutes).

    python bench/semeval.py [--limit N] [--chunks 300]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO.parent / "shared" / "benchmarks" / "semeval2022_task8" / "pairs.jsonl"
CACHE = Path.home() / ".cache" / "newsweave-bench" / "semeval-text-cache.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs")
    parser.add_argument("--chunks", type=int, default=0,
                        help="also score whole texts in chunks of at most N characters")
    args = parser.parse_args()
    if not PAIRS.is_file():
        sys.exit(f"{PAIRS} not found: the benchmarks live in ../shared beside the repository")
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from newsweave.model import Article
    from newsweave.nlp.embed import lead_text
    from newsweave.reuse.align import align_texts
    from newsweave.reuse.relation import Side, relate
    from newsweave.reuse.semantic import relatedness

    rows = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    started = time.perf_counter()
    vectors = _embed_cached([lead_text(None, r[key]) for r in rows for key in ("text1", "text2")])
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
          f"{2 * len(rows)} texts embedded in {embedded:.0f} s (vectors cached in {CACHE})")
    print(f"engine relatedness: r = {pearson(scores, english):.3f} English-English, "
          f"{pearson(scores):.3f} all pairs")
    print(f"embedding cosine alone: r = {pearson(cosines, english):.3f} English-English, "
          f"{pearson(cosines):.3f} all pairs")
    if args.chunks:
        texts = [r[key] for r in rows for key in ("text1", "text2")]
        pieces = [_chunks(t, args.chunks) for t in texts]
        flat = _embed_cached([c for p in pieces for c in p])
        bounds = np.cumsum([0] + [len(p) for p in pieces])
        mats = [flat[bounds[i] : bounds[i + 1]] for i in range(len(texts))]

        def unit(v: np.ndarray) -> np.ndarray:
            return v / max(float(np.linalg.norm(v)), 1e-12)

        mean = [float(unit(mats[2 * i].mean(0)) @ unit(mats[2 * i + 1].mean(0)))
                for i in range(len(rows))]
        soft = []
        for i in range(len(rows)):
            grid = mats[2 * i] @ mats[2 * i + 1].T
            soft.append(0.5 * (float(grid.max(1).mean()) + float(grid.max(0).mean())))
        print(f"chunks of at most {args.chunks} characters: {len(flat)} chunks, "
              f"{len(flat) / len(texts):.1f} a text")
        for name, values in (("mean chunk vector", mean), ("soft match", soft)):
            print(f"  {name}: r = {pearson(values, english):.3f} English-English, "
                  f"{pearson(values):.3f} all pairs")
            for weight in (0.3, 0.5, 0.7):
                mixed = [weight * c + (1 - weight) * v for c, v in zip(cosines, values,
                                                                         strict=True)]
                print(f"    {weight} lead cosine + {1 - weight:.1f} {name}: r = "
                      f"{pearson(mixed, english):.3f} / {pearson(mixed):.3f}")


def _chunks(text: str, chars: int) -> list[str]:
    """Consecutive whole sentences, at most ``chars`` characters a chunk (longer ones cut)."""
    from newsweave.nlp.sentences import split_sentences

    out: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        flat = " ".join(sentence.text.split())
        while len(flat) > chars:
            cut = flat.rfind(" ", 0, chars + 1)
            cut = cut if cut > chars // 2 else chars
            if current:
                out.append(current)
                current = ""
            out.append(flat[:cut])
            flat = flat[cut:].strip()
        if current and len(current) + 1 + len(flat) > chars:
            out.append(current)
            current = flat
        else:
            current = f"{current} {flat}" if current else flat
    if current:
        out.append(current)
    return out or [" ".join(text.split())]


def _embed_cached(texts: list[str]):  # -> np.ndarray
    """:func:`newsweave.nlp.embed.embed`, with each text's vector kept on disk."""
    import numpy as np

    from newsweave.nlp.embed import embed

    cache: dict[str, np.ndarray] = {}
    if CACHE.is_file():
        with np.load(CACHE) as stored:
            cache = dict(zip(stored["keys"].tolist(), stored["vecs"], strict=True))
    keys = [hashlib.sha1(f"passage|{t}".encode()).hexdigest() for t in texts]
    todo = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in cache))
    for start in range(0, len(todo), 256):
        part = todo[start : start + 256]
        for text, vector in zip(part, embed(part), strict=True):
            cache[hashlib.sha1(f"passage|{text}".encode()).hexdigest()] = vector
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        names = list(cache)
        with CACHE.with_suffix(".tmp.npz").open("wb") as out:
            np.savez(out, keys=np.array(names), vecs=np.vstack([cache[n] for n in names]))
        CACHE.with_suffix(".tmp.npz").replace(CACHE)
    return np.vstack([cache[k] for k in keys])


if __name__ == "__main__":
    main()
