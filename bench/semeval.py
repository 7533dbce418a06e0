"""Story-level similarity on SemEval-2022 task 8: Pearson r with the human ``Overall``.

Data: ``../shared/benchmarks/semeval2022_task8/pairs.jsonl`` (798 pairs of
news articles in 8 languages; ``Overall`` 1 = same story ... 4 = unrelated).

The score is the engine's own, computed the engine's way: every text goes
through ``Engine.ingest`` into a temporary store, as a JSON record with its
page's URL (so ingest cleans it, finds its title, language and outlet, and
drops lines that recur across one outlet's pages), the reuse stage indexes,
embeds and aligns the articles as it does for any store, and each pair is
scored by :func:`newsweave.reuse.graph.related`, the relatedness ``newsweave
similar`` ranks by: the multilingual e5 cosine of the leads and, for two
English articles, the English MiniLM cosine of the whole texts, each rescaled
to 0..1 (ranges read off ECB+, ``bench/embed_scale.py``), averaged, and
raised by the text the two share after sentence alignment. Nothing is fitted
on this benchmark. A text that ingest rejects (nothing left after cleaning)
scores 0.

Figures: Pearson r between the score and ``-Overall``, for English-English
pairs and for all pairs; also for its parts. Embeddings are cached under
``~/.cache/newsweave-bench/`` (keyed by the exact text embedded; computing
them takes a few minutes), so a rerun costs the ingest and alignment only.

    python bench/semeval.py [--limit N] [--no-english] [--english]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO.parent / "shared" / "benchmarks" / "semeval2022_task8" / "pairs.jsonl"
CACHE = Path.home() / ".cache" / "newsweave-bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs")
    parser.add_argument("--no-english", action="store_true",
                        help="the multilingual model alone (setting reuse_english=0)")
    parser.add_argument("--english", action="store_true",
                        help="only the English-English pairs, ingested alone (as the floor test)")
    parser.add_argument("--grid", action="store_true",
                        help="also other weights and English rescale ranges (robustness only)")
    args = parser.parse_args()
    if not PAIRS.is_file():
        sys.exit(f"{PAIRS} not found: the benchmarks live in ../shared beside the repository")
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from newsweave.reuse.semantic import (
        COSINE_CEIL,
        COSINE_FLOOR,
        ENGLISH_CEIL,
        ENGLISH_FLOOR,
        relatedness,
        rescale,
    )

    rows = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    if args.english:
        rows = [r for r in rows if r["lang1"] == "en" and r["lang2"] == "en"]
    if args.limit:
        rows = rows[: args.limit]
    started = time.perf_counter()
    scored, stats = score_pairs(rows, english=not args.no_english)
    elapsed = time.perf_counter() - started
    gold = -np.array([r["Overall"] for r in rows], dtype=float)
    english = np.array([r["lang1"] == "en" and r["lang2"] == "en" for r in rows])
    # A pair is scored when both texts are stored and related() knows it (by either model:
    # in a store of English only, English articles have no e5 vector).
    ingested = np.array([s.cosine is not None or s.english_cosine is not None
                         for s in scored])

    def pearson(values: list[float], mask: np.ndarray) -> float:
        x = np.asarray(values, dtype=float)
        return float(np.corrcoef(x[mask], gold[mask])[0, 1])

    def show(label: str, values: list[float], mask: np.ndarray = ingested) -> None:
        print(f"{label}: r = {pearson(values, mask & english):.3f} English-English, "
              f"{pearson(values, mask):.3f} all pairs")

    print(f"pairs: {len(rows)} ({int(english.sum())} English-English); {stats}; "
          f"{elapsed:.0f} s (embeddings cached in {CACHE})")
    print(f"pairs with both texts ingested: {int(ingested.sum())} "
          f"({int((ingested & english).sum())} English-English)")
    show("engine relatedness", [s.score for s in scored])
    show("engine relatedness, all pairs (a rejected text scores 0)", [s.score for s in scored],
         np.ones(len(rows), dtype=bool))
    show("  semantic part alone (no shared text)",
         [relatedness(s.cosine, 0.0, s.english_cosine) for s in scored])
    show("  e5 alone, with shared text",
         [relatedness(s.cosine, s.shared if s.kind in ("copy", "rewrite") else 0.0)
          for s in scored])
    show("  English model alone, with shared text (a store of English only scores English "
         "pairs so)",
         [relatedness(None, s.shared if s.kind in ("copy", "rewrite") else 0.0,
                      s.english_cosine) if s.english_cosine is not None else s.score
          for s in scored])
    show("  e5 cosine alone", [s.cosine if s.cosine is not None else 0.0 for s in scored])
    both = ingested & english & np.array([s.english_cosine is not None for s in scored])
    print(f"  English cosine alone: r = "
          f"{pearson([s.english_cosine or 0.0 for s in scored], both):.3f} on the "
          f"{int(both.sum())} English-English pairs with both English vectors")
    kinds: dict[str, int] = {}
    for s, e in zip(scored, english, strict=True):
        if e and s.kind:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
    print("English-English pairs the reuse stage aligned: "
          + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    if args.grid:
        print("robustness (not used to choose): e5 weight x English rescale range")
        for floor, ceil in ((ENGLISH_FLOOR, ENGLISH_CEIL), (0.0, 0.8), (0.1, 0.9), (0.2, 1.0)):
            for weight in (0.3, 0.5, 0.7):
                values = []
                for s in scored:
                    semantic = 0.0 if s.cosine is None else rescale(s.cosine, COSINE_FLOOR,
                                                                    COSINE_CEIL)
                    if s.english_cosine is not None:
                        semantic = weight * semantic + (1 - weight) * rescale(
                            s.english_cosine, floor, ceil)
                    shared = s.shared if s.kind in ("copy", "rewrite") else 0.0
                    values.append(max(semantic, 1 - (1 - semantic) * (1 - shared)))
                show(f"  [{floor:.2f}, {ceil:.2f}], e5 weight {weight}", values)


class Scored:
    """One pair's score and its parts."""

    __slots__ = ("cosine", "english_cosine", "kind", "score", "shared")

    def __init__(self, score: float, cosine: float | None, english_cosine: float | None,
                 shared: float, kind: str | None = None) -> None:
        self.score, self.cosine, self.english_cosine, self.shared = (
            score, cosine, english_cosine, shared)
        self.kind = kind  # the reuse stage's relation of the pair, if it aligned them


def pair_records(rows: list[dict]) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """One ingest record per distinct text of the pairs (keyed by link and text), and each
    pair's two keys."""
    keys: list[tuple[str, str]] = []
    records: dict[str, dict[str, str]] = {}
    for row in rows:
        pair = []
        for side in ("1", "2"):
            text, link = row[f"text{side}"], row[f"link{side}"]
            key = hashlib.sha1(f"{link}\x00{text}".encode()).hexdigest()[:20]
            records.setdefault(key, {"id": key, "url": link, "text": text})
            pair.append(key)
        keys.append((pair[0], pair[1]))
    return records, keys


def score_pairs(rows: list[dict], *, english: bool = True, cache: bool = True
                ) -> tuple[list[Scored], str]:
    """Ingest every text into a temporary store through the engine; score each pair.
    ``cache``: keep each text's vectors on disk (under ``~/.cache/newsweave-bench/``)."""
    from newsweave.nlp import english as english_model
    from newsweave.reuse import embeddings  # article_vectors calls embed there

    records, keys = pair_records(rows)
    # The engine's own embedding functions, each text's vector kept on disk (put back after).
    originals = embeddings.embed, english_model.embed_english
    if cache:
        embeddings.embed = _cached(embeddings.embed, "semeval-text-cache.npz", "passage|")
        # The key holds the English model's token limit: the same text cut elsewhere is
        # another vector.
        english_model.embed_english = _cached(
            english_model.embed_english, "semeval-minilm-cache.npz",
            f"minilm|{english_model.MAX_TOKENS}|")
    try:
        return _score(keys, records, english)
    finally:
        embeddings.embed, english_model.embed_english = originals


def _score(keys: list[tuple[str, str]], records: dict[str, dict[str, str]], english: bool
           ) -> tuple[list[Scored], str]:
    from newsweave.engine import Engine
    from newsweave.nlp import english as english_model
    from newsweave.reuse import ReuseStage
    from newsweave.reuse.graph import related
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "semeval.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                  for r in records.values()), encoding="utf-8")
        db = str(Path(tmp) / "semeval.db")
        stage = ReuseStage()
        settings = load_settings(db=db, reuse_english=int(english))
        engine = Engine(open_store(db), settings, stages=[stage])
        try:
            report = engine.ingest([str(source)])
            ids = {a.external_id: a.id for a in engine.articles()}
            english_ids = {a.id for a in engine.articles()
                           if english_model.is_english(a.language)}
            out: list[Scored] = []
            cache: dict[int, dict] = {}
            for a_key, b_key in keys:
                a, b = ids.get(a_key), ids.get(b_key)
                if a is None or b is None:
                    out.append(Scored(0.0, None, None, 0.0))
                    continue
                if a == b:
                    out.append(Scored(1.0, 1.0, 1.0, 1.0))
                    continue
                if a not in cache:
                    cache.clear()  # pairs come grouped by neither side: keep one at a time
                    cache[a] = related(engine.store, stage.vectors, a)
                found = cache[a].get(b)
                if found is None:
                    out.append(Scored(0.0, None, None, 0.0))
                    continue
                score, cosine, edge = found
                both = english and a in english_ids and b in english_ids
                english_cosine = _english_cosine(engine.store, a, b) if both else None
                out.append(Scored(score, cosine, english_cosine, edge.score if edge else 0.0,
                                  edge.kind if edge else None))
            stats = (f"{len(records)} texts ingested: {len(report.new)} articles, "
                     f"{len(report.rejected)} rejected, {len(english_ids)} English")
        finally:
            engine.store.close()
    return out, stats


def _english_cosine(store, a: int, b: int) -> float | None:
    from newsweave.nlp import english

    found = store.reuse.vectors([a, b], english.MODEL_NAME)
    if a not in found or b not in found:
        return None
    return float(found[a] @ found[b])


def _cached(function: Callable, name: str, prefix: str) -> Callable:
    """``function(texts, **kw)``, with each text's vector kept on disk in ``name``."""
    import numpy as np

    path = CACHE / name

    def cached(texts, **kwargs):
        store: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path) as stored:
                store = dict(zip(stored["keys"].tolist(), stored["vecs"], strict=True))
        keys = [hashlib.sha1(f"{prefix}{t}".encode()).hexdigest() for t in texts]
        todo = [t for t, k in zip(texts, keys, strict=True) if k not in store]
        if todo:
            todo = list(dict.fromkeys(todo))
            for text, vector in zip(todo, function(todo, **kwargs), strict=True):
                store[hashlib.sha1(f"{prefix}{text}".encode()).hexdigest()] = vector
            CACHE.mkdir(parents=True, exist_ok=True)
            names = list(store)
            with path.with_suffix(".tmp.npz").open("wb") as out:
                np.savez(out, keys=np.array(names), vecs=np.vstack([store[n] for n in names]))
            path.with_suffix(".tmp.npz").replace(path)
        if not keys:
            return function(texts, **kwargs)
        return np.vstack([store[k] for k in keys])

    return cached


if __name__ == "__main__":
    main()
