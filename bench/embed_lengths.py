"""How much text each embedder needs, and what it costs (issue 11, item 3).

``--screen`` (default): SemEval-2022 task 8's 193 English-English pairs (385 texts,
ingested through the engine with no stages, so cleaned, titled and language-tagged as
any article), embedded with multilingual e5 on leads of 600 / 400 / 300 / 200 characters
and with English MiniLM cut at 256 / 192 / 128 / 96 word pieces; prints each setting's CPU
milliseconds per text and the Pearson r (against ``-Overall``) of the semantic part of
relatedness (:func:`newsweave.reuse.semantic.relatedness`, the engine's rescale ranges)
for every combination, and of each model alone. A screen: the engine's own figure is
``bench/semeval.py``.

``--ecb-range``: the English model at its current limit (``newsweave.nlp.english.MAX_TOKENS``)
on ECB+'s 982 articles (the data the rescale ranges are read from, ``bench/embed_scale.py``):
cosine percentiles of unrelated, same-topic and same-story pairs, and the range at the
quantiles where e5's range sits (unrelated p32, same story p85).

``--threads``: the English model's CPU per text with one and with two onnxruntime
intra-op threads (64 ECB+ texts).

    python bench/embed_lengths.py [--screen [--limit N] | --ecb-range | --threads]
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
SHARED = REPO.parent / "shared" / "benchmarks"
PAIRS = SHARED / "semeval2022_task8" / "pairs.jsonl"
ECB = SHARED / "ecbplus" / "docs.jsonl"
LEADS = (600, 400, 300, 200)
PIECES = (256, 192, 128, 96)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--screen", action="store_true", help="the length grid (default)")
    mode.add_argument("--ecb-range", action="store_true", help="the English range on ECB+")
    mode.add_argument("--threads", action="store_true", help="onnxruntime threads, 1 and 2")
    parser.add_argument("--limit", type=int, default=0, help="screen: only the first N pairs")
    args = parser.parse_args()
    for path in (PAIRS, ECB):
        if not path.is_file():
            sys.exit(f"{path} not found: the benchmarks live in ../shared beside the repository")
    sys.path.insert(0, str(REPO / "src"))
    if args.ecb_range:
        ecb_range()
    elif args.threads:
        threads()
    else:
        screen(args.limit)


def cpu_ms_per(count: int, work: Callable[[], object]) -> tuple[object, float]:
    started = time.process_time()
    result = work()
    return result, 1000 * (time.process_time() - started) / max(1, count)


def with_pieces(pieces: int, work: Callable[[], object]) -> object:
    """``work()`` with the English model cutting at ``pieces`` word pieces (then put back)."""
    from newsweave.nlp import english

    tokenizer = english._load()[1]
    english._RECENT.clear()
    tokenizer.enable_truncation(max_length=pieces)
    try:
        return work()
    finally:
        tokenizer.enable_truncation(max_length=english.MAX_TOKENS)
        english._RECENT.clear()


def screen(limit: int = 0) -> None:
    import numpy as np

    from newsweave.engine import Engine
    from newsweave.nlp import english
    from newsweave.nlp.embed import embed, lead_text
    from newsweave.reuse.semantic import ENGLISH_CHARS, relatedness
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    rows = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    rows = [r for r in rows if r["lang1"] == "en" and r["lang2"] == "en"][: limit or None]
    records: dict[str, dict[str, str]] = {}
    keys = []
    for row in rows:
        pair = []
        for side in "12":
            key = hashlib.sha1(f"{row['link' + side]}\x00{row['text' + side]}".encode()
                               ).hexdigest()[:20]
            records.setdefault(key, {"id": key, "url": row["link" + side],
                                     "text": row["text" + side]})
            pair.append(key)
        keys.append(pair)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "pairs.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                  for r in records.values()), encoding="utf-8")
        db = str(Path(tmp) / "s.db")
        engine = Engine(open_store(db), load_settings(db=db), stages=[])
        try:
            engine.ingest([str(source)])
            articles = {a.external_id: a for a in engine.articles()}
        finally:
            engine.store.close()
    ids = list(articles)
    position = {key: n for n, key in enumerate(ids)}
    gold = -np.array([r["Overall"] for r in rows], dtype=float)
    print(f"{len(rows)} English-English pairs, {len(ids)} texts ingested")

    e5 = {}
    for chars in LEADS:
        texts = [lead_text(articles[i].title, articles[i].text, chars=chars) for i in ids]
        e5[chars], ms = cpu_ms_per(len(ids), lambda texts=texts: embed(texts))
        print(f"  e5, lead of {chars} characters: {ms:.1f} CPU ms a text")
    minilm = {}
    texts = [lead_text(articles[i].title, articles[i].text, chars=ENGLISH_CHARS) for i in ids]
    for pieces in PIECES:
        minilm[pieces], ms = cpu_ms_per(len(ids), lambda pieces=pieces: with_pieces(
            pieces, lambda: english.embed_english(texts)))
        print(f"  MiniLM, {pieces} word pieces: {ms:.1f} CPU ms a text")

    def pearson(lead, whole) -> float:
        values, truth = [], []
        for (a, b), rating in zip(keys, gold, strict=True):
            if a not in position or b not in position:
                continue  # a text ingest rejected
            both = all(english.is_english(articles[k].language) for k in (a, b))
            cosine = None if lead is None else float(lead[position[a]] @ lead[position[b]])
            other = (float(whole[position[a]] @ whole[position[b]])
                     if whole is not None and both else None)
            values.append(relatedness(cosine, 0.0, other))
            truth.append(rating)
        return float(np.corrcoef(values, truth)[0, 1])

    print("Pearson r of the semantic part, English-English pairs "
          "(rows: e5 lead characters; columns: MiniLM word pieces; last: e5 alone)")
    print("          " + "".join(f"{p:>8}" for p in PIECES) + "   alone")
    print("alone     " + "".join(f"{pearson(None, minilm[p]):8.3f}" for p in PIECES))
    for chars in LEADS:
        print(f"{chars:<10}" + "".join(f"{pearson(e5[chars], minilm[p]):8.3f}" for p in PIECES)
              + f"{pearson(e5[chars], None):8.3f}")


def ecb_range() -> None:
    import numpy as np

    from newsweave.nlp.english import MAX_TOKENS, embed_english
    from newsweave.reuse.semantic import ENGLISH_CEIL, ENGLISH_FLOOR, english_text

    docs = [json.loads(line) for line in ECB.open(encoding="utf-8")]
    topic = np.array([d["topic"] for d in docs])
    event = np.array([d["event"] for d in docs])
    vectors, ms = cpu_ms_per(len(docs), lambda: embed_english(
        [english_text(None, d["text"]) for d in docs]))
    cosines = vectors @ vectors.T  # type: ignore[operator]
    upper = np.triu(np.ones((len(docs), len(docs)), dtype=bool), k=1)
    same_topic = topic[:, None] == topic[None, :]
    same_event = event[:, None] == event[None, :]
    unrelated = cosines[upper & ~same_topic]
    other = cosines[upper & same_topic & ~same_event]
    story = cosines[upper & same_event]
    print(f"MiniLM at {MAX_TOKENS} word pieces on {len(docs)} ECB+ articles: {ms:.1f} CPU ms each")
    for name, values in (("different topics", unrelated), ("same topic, other event", other),
                         ("same event", story)):
        print(f"  {name:<24} p5/25/50/75/90/95: "
              + " ".join(f"{v:.3f}" for v in np.percentile(values, (5, 25, 50, 75, 90, 95))))
    print(f"  range at e5's quantiles (unrelated p32, same story p85): "
          f"[{np.quantile(unrelated, 0.32):.3f}, {np.quantile(story, 0.85):.3f}] "
          f"(engine: [{ENGLISH_FLOOR}, {ENGLISH_CEIL}])")
    for name, negatives in (("unrelated", unrelated), ("same topic, other event", other)):
        print(f"  ROC AUC same story against {name}: {_auc(negatives, story):.4f}")


def _auc(negatives, positives) -> float:
    import numpy as np

    scores = np.concatenate([negatives, positives])
    ranks = np.empty(len(scores))
    ranks[np.argsort(scores, kind="stable")] = np.arange(1, len(scores) + 1)
    n_pos, n_neg = len(positives), len(negatives)
    return float((ranks[n_neg:].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def threads() -> None:
    import onnxruntime as ort

    from newsweave.nlp import english
    from newsweave.reuse.semantic import english_text

    docs = [json.loads(line) for line in ECB.open(encoding="utf-8")][:64]
    texts = [english_text(None, d["text"]) for d in docs]
    session, tokenizer = english._load()
    path = session._model_path
    for count in (1, 2):
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = count
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        english._loaded = (ort.InferenceSession(path, sess_options=options,
                                                providers=["CPUExecutionProvider"]), tokenizer)
        english._RECENT.clear()
        english.embed_english(texts[:4])
        english._RECENT.clear()
        started = time.perf_counter()
        _, ms = cpu_ms_per(len(texts), lambda: english.embed_english(texts))
        wall = 1000 * (time.perf_counter() - started) / len(texts)
        print(f"{count} intra-op thread(s): {ms:.1f} CPU ms, {wall:.1f} ms wall a text")
    english._loaded = (session, tokenizer)


if __name__ == "__main__":
    main()
