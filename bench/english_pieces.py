"""How many word pieces the English model (MiniLM) needs, chosen on ECB+ (issue 11, item 3).

The dev half of the choice: ECB+'s 982 articles (the data the engine's rescale ranges are
read from), embedded as the reuse stage embeds them (``english_text``) with the model cut
at each length; for each, CPU milliseconds per text, ROC AUC of same-event pairs against
pairs of other topics and against other events of the same topic (the harder negatives:
the rewrites and paraphrases the reuse stage scores sit among them), and the cosine range
at e5's quantiles (unrelated p32, same event p85) beside the engine's. SemEval-2022
(``bench/semeval.py --english``), NTREX and the copies set are the reporting half.

    python bench/english_pieces.py [--pieces 128 96 64]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ECB = REPO.parent / "shared" / "benchmarks" / "ecbplus" / "docs.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, nargs="+", default=[128, 96, 64])
    args = parser.parse_args()
    if not ECB.is_file():
        sys.exit(f"{ECB} not found: the benchmarks live in ../shared beside the repository")
    sys.path.insert(0, str(REPO / "src"))
    import numpy as np

    from newsweave.nlp import english
    from newsweave.reuse.semantic import ENGLISH_CEIL, ENGLISH_FLOOR, english_text

    docs = [json.loads(line) for line in ECB.open(encoding="utf-8")]
    texts = [english_text(None, d["text"]) for d in docs]
    topic = np.array([d["topic"] for d in docs])
    event = np.array([d["event"] for d in docs])
    upper = np.triu(np.ones((len(docs), len(docs)), dtype=bool), k=1)
    same_topic = topic[:, None] == topic[None, :]
    same_event = event[:, None] == event[None, :]
    _session, tokenizer = english._load()
    english.embed_english(texts[:4])  # warm
    print(f"ECB+ {len(docs)} articles; engine range [{ENGLISH_FLOOR}, {ENGLISH_CEIL}]")
    for pieces in args.pieces:
        tokenizer.enable_truncation(max_length=pieces)
        english._RECENT.clear()
        started = time.process_time()
        vectors = english.embed_english(texts)
        ms = 1000 * (time.process_time() - started) / len(texts)
        cosines = vectors @ vectors.T
        unrelated = cosines[upper & ~same_topic]
        other = cosines[upper & same_topic & ~same_event]
        story = cosines[upper & same_event]
        print(f"{pieces:>4} pieces: {ms:5.1f} CPU ms a text; AUC same event vs other topics "
              f"{_auc(unrelated, story):.4f}, vs same topic other event {_auc(other, story):.4f};"
              f" range at e5's quantiles [{np.quantile(unrelated, 0.32):.3f}, "
              f"{np.quantile(story, 0.85):.3f}]; medians unrelated {np.median(unrelated):.3f}"
              f" / other event {np.median(other):.3f} / same event {np.median(story):.3f}")
    tokenizer.enable_truncation(max_length=english.MAX_TOKENS)
    english._RECENT.clear()


def _auc(negatives, positives) -> float:  # type: ignore[no-untyped-def]
    import numpy as np

    scores = np.concatenate([negatives, positives])
    ranks = np.empty(len(scores))
    ranks[np.argsort(scores, kind="stable")] = np.arange(1, len(scores) + 1)
    n_pos, n_neg = len(positives), len(negatives)
    return float((ranks[n_neg:].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


if __name__ == "__main__":
    main()
