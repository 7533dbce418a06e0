"""Story partition quality on ECB+: ingest all 982 articles, score against the gold events.

    python bench/stories_ecb.py                      # defaults
    python bench/stories_ecb.py --set story_threshold=0.18 --set story_name_penalty=0.5
    python bench/stories_ecb.py --half odd           # score only the odd-numbered topics

The engine sees only each article's text (``id`` and ``text`` as JSONL); the
labels stay here. Every stage that exists runs, as in a real ingest. The
partition is scored against ``event`` (86 events; BCubed P/R/F1, pairwise F1,
adjusted Rand index, number of stories) and against ``topic`` (43 pairs of
same-kind events). ``--half`` ingests only the odd or even topics, which is
how the defaults were chosen (tuned on one half, reported on the other).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from pathlib import Path

from newsweave.engine import Engine
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.stories import StoriesStage

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "ecbplus" / "docs.jsonl"


def bcubed(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a partition against gold labels."""
    by_pred: dict[Hashable, set[int]] = defaultdict(set)
    by_gold: dict[Hashable, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = recall = 0.0
    for p, g in zip(pred, gold, strict=True):
        both = len(by_pred[p] & by_gold[g])
        precision += both / len(by_pred[p])
        recall += both / len(by_gold[g])
    precision /= len(pred)
    recall /= len(pred)
    return precision, recall, _f1(precision, recall)


def pairwise_f1(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> float:
    """F1 over article pairs put in one cluster."""
    pairs = Counter(zip(pred, gold, strict=True))
    both = sum(c * (c - 1) / 2 for c in pairs.values())
    in_pred = sum(c * (c - 1) / 2 for c in Counter(pred).values())
    in_gold = sum(c * (c - 1) / 2 for c in Counter(gold).values())
    return _f1(both / in_pred if in_pred else 0.0, both / in_gold if in_gold else 0.0)


def adjusted_rand(pred: Sequence[Hashable], gold: Sequence[Hashable]) -> float:
    """Adjusted Rand index (Hubert & Arabie), as scikit-learn computes it."""
    n = len(pred)
    comb = lambda k: k * (k - 1) / 2  # noqa: E731
    index = sum(comb(c) for c in Counter(zip(pred, gold, strict=True)).values())
    a = sum(comb(c) for c in Counter(pred).values())
    b = sum(comb(c) for c in Counter(gold).values())
    expected = a * b / comb(n)
    top = (a + b) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def load(half: str | None = None) -> list[dict[str, str]]:
    if not DATA.exists():
        sys.exit(f"{DATA} not found: the benchmark data lives in ../shared beside the repo")
    docs = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    if half:
        keep = 1 if half == "odd" else 0
        docs = [d for d in docs if int(d["topic"]) % 2 == keep]
    return docs


def partition(docs: Sequence[dict[str, str]], settings: dict[str, object],
              folder: Path, *, stories_only: bool = False,
              restory: bool = False,
              fields: Sequence[str] = ("id", "text"),
              before: Sequence[object] = ()) -> tuple[list[int], float]:
    """Ingest ``docs`` (text only) into a fresh store; each doc's story id, and seconds taken.

    ``stories_only`` runs the stories stage alone (no reuse links): quicker, and it
    measures what the stage does by itself. ``restory`` runs ``Engine.restory()``
    after the ingest (its time is included). ``fields``: what the engine sees of each
    doc (never the labels). ``before``: stages run ahead of the stories stage in a
    stories-only run (``stories_meaning.EmbedStage``: the reuse stage's sentence vectors).
    """
    path = folder / "input.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for d in docs:
            out.write(json.dumps({f: d[f] for f in fields if f in d}, ensure_ascii=False) + "\n")
    started = time.perf_counter()
    stages = [*before, StoriesStage()] if stories_only else None
    with Engine(open_store(str(folder / "bench.db")), load_settings(**settings),
                stages) as engine:
        report = engine.ingest([str(path)])
        if restory:
            engine.restory()
        took = time.perf_counter() - started
        if report.rejected:
            print(f"warning: {len(report.rejected)} rejected: {report.rejected[:3]}")
        by_external = {a.external_id: a.id for a in engine.articles()}
        story_of = {a: s.id for s in engine.stories() for a in s.articles}
    # An article rejected or never assigned is a singleton (-index), never a silent pass.
    return [story_of.get(by_external.get(d["id"], -1), -1 - i) for i, d in enumerate(docs)], took


def score(pred: Sequence[int], docs: Sequence[dict[str, str]]) -> dict[str, float]:
    events = [d["event"] for d in docs]
    topics = [d["topic"] for d in docs]
    p, r, f = bcubed(pred, events)
    return {
        "articles": len(docs), "stories": len(set(pred)), "events": len(set(events)),
        "bcubed_p": p, "bcubed_r": r, "bcubed_f1": f,
        "pairwise_f1": pairwise_f1(pred, events), "ari": adjusted_rand(pred, events),
        "topic_bcubed_f1": bcubed(pred, topics)[2], "topics": len(set(topics)),
    }


def parse_sets(items: Sequence[str]) -> dict[str, object]:
    settings: dict[str, object] = {}
    for item in items:
        name, _, value = item.partition("=")
        settings[name] = float(value) if "." in value else int(value)
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. story_threshold=0.2")
    parser.add_argument("--half", choices=("odd", "even"), help="only odd or even topics")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--stories-only", action="store_true",
                        help="run only the stories stage (no reuse links)")
    parser.add_argument("--restory", action="store_true",
                        help="run a full restory after the ingest")
    args = parser.parse_args()
    docs = load(args.half)
    settings = parse_sets(args.set)
    with tempfile.TemporaryDirectory() as tmp:
        pred, took = partition(docs, settings, Path(tmp), stories_only=args.stories_only,
                               restory=args.restory)
    figures = score(pred, docs)
    figures["seconds"] = took
    if args.json:
        print(json.dumps(figures))
        return
    print(f"ECB+ {figures['articles']} articles{' (' + args.half + ' topics)' if args.half else ''}"
          f", settings {settings or 'default'}: ingest + "
          f"{'the stories stage' if args.stories_only else 'all stages'} {took:.1f} s")
    print(f"  vs event ({figures['events']}): BCubed P {figures['bcubed_p']:.3f} "
          f"R {figures['bcubed_r']:.3f} F1 {figures['bcubed_f1']:.3f}; pairwise F1 "
          f"{figures['pairwise_f1']:.3f}; ARI {figures['ari']:.3f}; stories {figures['stories']}")
    print(f"  vs topic ({figures['topics']}): BCubed F1 {figures['topic_bcubed_f1']:.3f}")
    if not math.isfinite(figures["bcubed_f1"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
