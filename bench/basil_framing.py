"""BASIL framing spans: how many does the brief surface under the outlet's own details?

BASIL (Fan et al., EMNLP 2019; ``../shared/benchmarks/basil/docs.jsonl``) has
100 events, each reported by three outlets, with ``informational`` spans: content
one outlet includes to frame the event (a fact, a quotation, background). The
brief's "reported by one outlet only" section lists, per outlet, the claims no
other origin of the story carries. For each event this script builds the brief
of its three articles (three independent origins; the cross-check and brief code
the engine runs, without sentence embeddings, which would take minutes per
event on this machine) and prints

* **recall**: the share of informational spans whose sentence the brief lists
  under that span's own outlet (a listed sentence covers a span when it holds
  at least 60 % of the span's content words);
* **on-frame share**: the share of listed sentences that cover an informational
  span of their outlet; the rest is what else the brief puts there;
* the **contested points** the briefs show, by kind: three outlets' reports of one
  event rarely dispute a fact, so these are mostly false conflicts to read.

The spans mark framing, not uniqueness (an outlet may frame with a fact the
others also report), so this is a figure to watch, not a goal. ``--show N``
prints N missed spans and N listed sentences without a span, to read.

Usage, from the repository root::

    python bench/basil_framing.py [--events N] [--show N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from newsweave.brief import make_brief
from newsweave.crosscheck.align import STOPWORDS, stem
from newsweave.crosscheck.status import StoryArticle

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "basil" / "docs.jsonl"
COVER = 0.6  # share of a span's content words a listed sentence must hold


def content(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOPWORDS}


def covers(sentence: str, span: str) -> bool:
    wanted = content(span)
    return bool(wanted) and len(wanted & content(sentence)) >= COVER * len(wanted)


def load(path: Path) -> dict[str, list[dict[str, Any]]]:
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            events[doc["event"]].append(doc)
    return dict(sorted(events.items()))


def score(events: dict[str, list[dict[str, Any]]], show: int) -> dict[str, float]:
    spans = found = listed = on_frame = 0
    contested: dict[str, int] = defaultdict(int)
    missed: list[str] = []
    extra: list[str] = []
    started = time.perf_counter()
    for event, docs in events.items():
        articles = [StoryArticle(i + 1, d["text"], d["outlet"], d["published"], d["title"])
                    for i, d in enumerate(docs)]
        brief = make_brief(0, event, articles, {a.id: [a.id] for a in articles})
        for claim in brief.contested:
            contested[claim.kind or "?"] += 1
        for doc in docs:
            mine = [c.text for c in brief.unique.get(doc["outlet"], [])]
            framing = [a for a in doc["annotations"] if a["kind"] == "informational"]
            for span in framing:
                spans += 1
                if any(covers(text, span["text"]) for text in mine):
                    found += 1
                else:
                    missed.append(f"[{doc['outlet']}] {span['text']}")
            for text in mine:
                listed += 1
                if any(covers(text, span["text"]) for span in framing):
                    on_frame += 1
                else:
                    extra.append(f"[{doc['outlet']}] {text}")
    rng = random.Random(13)
    for title, items in (("missed spans", missed), ("listed without a span", extra)):
        if show:
            print(f"-- {title} (a random {min(show, len(items))} of {len(items)}):")
            for item in rng.sample(items, min(show, len(items))):
                print("  ", item[:220])
    return {"events": len(events), "spans": spans, "recall": found / max(spans, 1),
            "listed": listed, "on_frame": on_frame / max(listed, 1),
            "seconds": time.perf_counter() - started, "contested": dict(contested)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=0, help="only the first N events")
    parser.add_argument("--show", type=int, default=0, help="print N misses and N extras")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data} is missing: the benchmarks live in ../shared beside the repo")
    events = load(args.data)
    if args.events:
        events = dict(list(events.items())[: args.events])
    result = score(events, args.show)
    print(f"BASIL framing: {result['events']} events, {result['spans']} informational spans; "
          f"recall {result['recall']:.3f}; {result['listed']} sentences listed as one outlet's "
          f"own, {result['on_frame']:.3f} of them on a span; {result['seconds']:.0f} s")
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(result["contested"].items())) or "none"
    print(f"contested points shown: {sum(result['contested'].values())} ({kinds})")


if __name__ == "__main__":
    main()
