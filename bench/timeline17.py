"""Timeline benchmark: the brief's date selection and entries on Timeline17.

Data: ``../shared/benchmarks/timeline17/{docs,timelines}.jsonl`` next to the
repository (Tran et al. 2013: 19 journalist-written timelines; the input of a
timeline is the articles of its folder, i.e. its story *and* outlet, as in the
original setup). Text is PTB-tokenised; it is detokenised first.

For each gold timeline with input articles, the engine's timeline is built
with :func:`newsweave.brief.timeline.select_timeline` (the function the brief
uses), asking for as many dates as the gold timeline has, from the dates the
articles' sentences mention (resolved against each article's publication
date by :func:`newsweave.brief.dates.resolve_dates`) plus publication dates,
limited to the span of the input's publication dates (a week either side).

Scores, macro-averaged over timelines:

* **date F1**: predicted dates against gold dates (same number of dates, so
  precision = recall = F1 unless a timeline has fewer candidate dates);
* **ROUGE-1 / ROUGE-2 F1 (concat)**: unigram / bigram overlap of all predicted
  entry texts against all gold entry texts, lowercased word tokens, counts
  clipped (the standard "concat" ROUGE of timeline summarisation);
* **aligned ROUGE-1 F1**: the same per date, over dates both timelines share
  (a wrong date scores 0 on both sides).

Usage, from the repository root::

    python bench/timeline17.py                 # all timelines (about 2 minutes)
    python bench/timeline17.py --max-docs 100  # sample 100 articles per timeline
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "timeline17"
_WORD = re.compile(r"\w+")


def load(name: str) -> list[dict]:
    path = DATA / name
    if not path.exists():
        sys.exit(f"{path} is missing: Timeline17 lives in ../shared/benchmarks beside the repo")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def ngrams(text: str, n: int) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def rouge_f1(predicted: str, gold: str, n: int) -> float:
    p, g = ngrams(predicted, n), ngrams(gold, n)
    hit = sum((p & g).values())
    if not hit:
        return 0.0
    precision, recall = hit / sum(p.values()), hit / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def build(docs: list[dict], count: int) -> list[tuple[date, str]]:
    from newsweave.brief.timeline import dated_sentences, detokenise, select_timeline

    mentions = []
    published = []
    for i, doc in enumerate(docs):
        text = detokenise(doc["text"])
        mentions += dated_sentences(i, text, doc["published"])
        published.append(date.fromisoformat(doc["published"][:10]))
    span = (min(published) - timedelta(days=7), max(published) + timedelta(days=7))
    chosen = select_timeline(mentions, published, count, within=span)
    return [(day, detokenise(best.text)) for day, best, _ in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-docs", type=int, default=0, help="sample this many per timeline")
    args = parser.parse_args()
    started = time.perf_counter()
    docs = load("docs.jsonl")
    by_folder: dict[str, list[dict]] = {}
    for doc in docs:
        by_folder.setdefault(f"{doc['story']}_{doc['outlet']}", []).append(doc)
    rows = []
    for gold in load("timelines.jsonl"):
        inputs = by_folder.get(gold["folder"], [])
        if not inputs:
            print(f"{gold['folder']}/{gold['file']}: no input articles in docs.jsonl, skipped")
            continue
        if args.max_docs and len(inputs) > args.max_docs:
            inputs = random.Random(0).sample(inputs, args.max_docs)
        gold_entries: dict[date, list[str]] = {}
        for entry in gold["entries"]:
            day = date.fromisoformat(entry["date"][:10])
            gold_entries.setdefault(day, []).append(entry["text"])
        predicted = build(inputs, len(gold_entries))
        pred_dates = {d for d, _ in predicted}
        hit = len(pred_dates & set(gold_entries))
        p = hit / max(len(pred_dates), 1)
        r = hit / len(gold_entries)
        f1 = 2 * p * r / (p + r) if hit else 0.0
        pred_text = " ".join(t for _, t in predicted)
        gold_text = " ".join(t for texts in gold_entries.values() for t in texts)
        aligned = [rouge_f1(t, " ".join(gold_entries[d]), 1) for d, t in predicted
                   if d in gold_entries]
        rows.append((gold["folder"], gold["file"], len(inputs), len(gold_entries), f1,
                     rouge_f1(pred_text, gold_text, 1), rouge_f1(pred_text, gold_text, 2),
                     sum(aligned) / max(len(predicted), 1)))
    print(f"{'timeline':<46} {'docs':>5} {'dates':>5} {'dateF1':>7} {'R1':>6} {'R2':>6} {'aR1':>6}")
    for folder, file, n_docs, n_dates, f1, r1, r2, ar1 in rows:
        print(f"{folder + '/' + file:<46} {n_docs:>5} {n_dates:>5} {f1:>7.3f} {r1:>6.3f} "
              f"{r2:>6.3f} {ar1:>6.3f}")
    n = len(rows)
    means = [sum(row[i] for row in rows) / n for i in (4, 5, 6, 7)]
    print(f"{'mean over ' + str(n) + ' timelines':<58} {means[0]:>7.3f} {means[1]:>6.3f} "
          f"{means[2]:>6.3f} {means[3]:>6.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
