"""Timeline benchmark: the brief's date selection and entries on Timeline17.

Data: ``../shared/benchmarks/timeline17/{docs,timelines}.jsonl`` next to the
repository (Tran et al. 2013: 19 journalist-written timelines; the input of a
timeline is the articles of its folder, i.e. its story *and* outlet, as in the
original setup). Text is PTB-tokenised; it is detokenised first.

For each gold timeline with input articles, the engine's timeline is built
with :func:`newsweave.brief.timeline.story_timeline` (the function the brief
calls), asking for as many dates as the gold timeline has, under two protocols:

* **reporting period**: what the engine does for a story: every article of
  the folder, dates within the publication span a week either side;
* **reference span**: the TLS literature's protocol (the published figures
  were measured this way): only articles published between the reference
  timeline's first and last date, and only dates in that range.

Scores, macro-averaged over timelines:

* **date F1**: predicted dates against gold dates (same number of dates, so
  precision = recall = F1 unless a timeline has fewer candidate dates);
* **ROUGE-1 / ROUGE-2 F1 (concat)**: unigram / bigram overlap of all predicted
  entry texts against all gold entry texts, lowercased word tokens, counts
  clipped (the standard "concat" ROUGE of timeline summarisation);
* **aligned ROUGE-1 F1**: the same per date, over dates both timelines share
  (a wrong date scores 0 on both sides).

Usage, from the repository root::

    python bench/timeline17.py                 # all timelines (about 30 s)
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
from datetime import date
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


def build(docs: list[dict], count: int, within: tuple[date, date] | None = None,
          ) -> list[tuple[date, str]]:
    """The engine's timeline of ``docs`` (the function the brief calls), ``count`` dates."""
    from newsweave.brief.timeline import detokenise, story_timeline
    from newsweave.crosscheck.status import StoryArticle

    articles = [StoryArticle(i, detokenise(doc["text"]), published=doc["published"])
                for i, doc in enumerate(docs)]
    return [(pick.date, pick.sentence.text)
            for pick in story_timeline(articles, count, within=within)]


def score(predicted: list[tuple[date, str]], gold_entries: dict[date, list[str]],
          ) -> tuple[float, float, float, float]:
    """Date F1, concat ROUGE-1 and ROUGE-2, date-aligned ROUGE-1."""
    pred_dates = {d for d, _ in predicted}
    hit = len(pred_dates & set(gold_entries))
    p = hit / max(len(pred_dates), 1)
    r = hit / len(gold_entries)
    f1 = 2 * p * r / (p + r) if hit else 0.0
    pred_text = " ".join(t for _, t in predicted)
    gold_text = " ".join(t for texts in gold_entries.values() for t in texts)
    aligned = [rouge_f1(t, " ".join(gold_entries[d]), 1) for d, t in predicted
               if d in gold_entries]
    return (f1, rouge_f1(pred_text, gold_text, 1), rouge_f1(pred_text, gold_text, 2),
            sum(aligned) / max(len(predicted), 1))


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
        # Protocol 1: the engine's own reporting period (publication span +- 7 days).
        own = score(build(inputs, len(gold_entries)), gold_entries)
        # Protocol 2, the TLS literature's: articles published within the reference
        # timeline's first..last date, and only dates in that range.
        first, last = min(gold_entries), max(gold_entries)
        inside = [d for d in inputs if first <= date.fromisoformat(d["published"][:10]) <= last]
        ref = score(build(inside or inputs, len(gold_entries), within=(first, last)),
                    gold_entries)
        rows.append((f"{gold['folder']}/{gold['file']}", len(inputs), len(gold_entries),
                     *own, *ref))
    header = ("dateF1", "R1", "R2", "aR1")
    print(f"{'':<52} {'reporting period':^27} | {'reference span (literature)':^27}")
    print(f"{'timeline':<40} {'docs':>5} {'dates':>5} " + " ".join(f"{h:>6}" for h in header)
          + " | " + " ".join(f"{h:>6}" for h in header))
    for name, n_docs, n_dates, *figures in rows:
        print(f"{name[:40]:<40} {n_docs:>5} {n_dates:>5} "
              + " ".join(f"{x:>6.3f}" for x in figures[:4]) + " | "
              + " ".join(f"{x:>6.3f}" for x in figures[4:]))
    n = len(rows)
    means = [sum(row[i] for row in rows) / n for i in range(3, 11)]
    print(f"{'mean over ' + str(n) + ' timelines':<52} "
          + " ".join(f"{x:>6.3f}" for x in means[:4]) + " | "
          + " ".join(f"{x:>6.3f}" for x in means[4:]))
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
