"""Support benchmark: is every citation of a brief backed by the cited article?

An independent checker, deliberately unlike the brief's own support check
(``newsweave.brief.support``, which uses the "same fact" model and stem
containment of 80 %). Here a brief sentence is entailed by a cited article,
in the manner of overlap-based entailment baselines, when a window of up to
three consecutive sentences of that article

* covers at least 50 % of the sentence's content words, a word covered by one
  with the same first five letters or a near spelling (so "evacuated" /
  "evacuation", "Morvik" / "Morwik" and "metres" / "meters" match, while
  another fact does not), and
* contains every number the sentence gives (digits or number words; "3,200"
  = "3 200", "fourteen" = "14"), and
* does not flip its polarity (a negation in one and not the other fails).

The figure is the share of brief sentences whose every citation is
supported. Sentences are the lead, key facts and contested variants, quotes,
timeline entries and per-outlet unique details.

Usage, from the repository root::

    python bench/support.py            # the seeds and the demo corpus
    python bench/support.py --ecb 20   # also 20 ECB+ events (one story each)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
_NUMBER = re.compile(r"\d+(?:[ ,.]\d{3})*(?:\.\d+)?")
_SPLIT = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"(])|\n\s*\n")
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NEGATION = {"not", "no", "never", "none", "nobody", "nothing", "cannot", "without"}
_FUNCTION = set(
    "the a an and or but of to in on at by for with from as into about over after before than "
    "that this these those it its is are was were be been being has have had do does did will "
    "would can could may might must he she they we you i his her their our them him us who "
    "which what when where while also said says say told there here up out more most very "
    "some any all each such only other".split()
)
COVERAGE = 0.5


def _content(text: str) -> set[str]:
    words = (w.lower() for w in _WORD.findall(text))
    return {w for w in words if w not in _FUNCTION and w not in _NUMBER_WORDS and len(w) > 1}


def _covered(word: str, window: set[str]) -> bool:
    """A word is covered by one sharing its first five letters, or spelled nearly alike
    ("Morvik"/"Morwik", "metres"/"meters": transliterations and translations)."""
    if word in window or any(w[:5] == word[:5] for w in window if len(w) >= 5 <= len(word)):
        return True
    return any(SequenceMatcher(None, word, w).ratio() >= 0.8 for w in window
               if abs(len(w) - len(word)) <= 2)


def _numbers(text: str) -> set[str]:
    found = {re.sub(r"[ ,]", "", m) for m in _NUMBER.findall(text)}
    found |= {_NUMBER_WORDS[w] for w in (x.lower() for x in _WORD.findall(text))
              if w in _NUMBER_WORDS and w not in ("zero", "one")}
    return found


def _negated(text: str) -> bool:
    words = {w.lower() for w in _WORD.findall(text)}
    return bool(words & _NEGATION) or "n't" in text or "n’t" in text


def supported(sentence: str, article_text: str) -> bool:
    """Whether some window of up to 3 sentences of ``article_text`` entails ``sentence``."""
    wanted, figures, negated = _content(sentence), _numbers(sentence), _negated(sentence)
    if not wanted:
        return True
    parts = [p for p in _SPLIT.split(article_text) if p and p.strip()]
    for size in (1, 2, 3):
        for i in range(len(parts) - size + 1):
            window = " ".join(parts[i : i + size])
            if not figures <= _numbers(window):
                continue
            if size == 1 and _negated(window) != negated:
                continue
            have = _content(window)
            if sum(_covered(w, have) for w in wanted) / len(wanted) >= COVERAGE:
                return True
    return False


def brief_items(brief: dict) -> Iterable[dict]:
    yield from brief["lead"]
    for claim in brief["claims"]:
        yield claim
        yield from claim["variants"]
    yield from brief["quotes"]
    yield from brief["timeline"]
    for outlet in brief.get("unique", []):
        yield from outlet["claims"]


def score(briefs: list[dict], texts: dict[int, str]) -> tuple[int, int, list[str]]:
    total = ok = 0
    failures = []
    for brief in briefs:
        for item in brief_items(brief):
            total += 1
            bad = [c for c in item["cites"] if not supported(item["text"], texts[c])]
            if not bad and item["cites"]:
                ok += 1
            else:
                failures.append(f"story {brief['story']}: {item['text'][:90]!r} cites {bad}")
    return ok, total, failures


def briefs_for(paths: list[str], *, all_stories: bool = True) -> tuple[list[dict], dict[int, str]]:
    import newsweave

    with tempfile.TemporaryDirectory() as tmp, newsweave.open(str(Path(tmp) / "b.db")) as engine:
        engine.ingest(paths)
        texts = {a.id: a.text for a in engine.articles()}
        stories = [s for s in engine.stories() if all_stories or len(s.articles) > 1]
        briefs = [engine.brief(s.id).to_dict() for s in stories]
    return briefs, texts


def report(name: str, briefs: list[dict], texts: dict[int, str], show: int) -> None:
    ok, total, failures = score(briefs, texts)
    share = ok / total if total else 0.0
    print(f"{name:<8} {len(briefs):>3} briefs  {total:>5} sentences  supported {share:.1%}")
    for line in failures[:show]:
        print("   unsupported:", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ecb", type=int, default=0, metavar="N", help="also N ECB+ events")
    parser.add_argument("--show", type=int, default=5, help="unsupported sentences to list")
    args = parser.parse_args()
    seeds = SHARED / "corpus" / "seeds"
    if not seeds.is_dir():
        sys.exit(f"{seeds} is missing: the seed data lives in ../shared beside the repository")
    started = time.perf_counter()
    report("seeds", *briefs_for(sorted(str(p) for p in seeds.glob("*.txt"))), args.show)
    from newsweave.demo import corpus_files

    report("demo", *briefs_for([str(p) for p in corpus_files()]), args.show)
    if args.ecb:
        docs = [json.loads(line) for line in
                (SHARED / "benchmarks" / "ecbplus" / "docs.jsonl").open(encoding="utf-8")]
        events = sorted({d["event"] for d in docs})[: args.ecb]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ecb.jsonl"
            with path.open("w", encoding="utf-8") as fh:
                for d in docs:
                    if d["event"] in events:
                        fh.write(json.dumps({"id": d["id"], "text": d["text"],
                                             "url": d.get("url")}) + "\n")
            report(f"ecb+{args.ecb}", *briefs_for([str(path)], all_stories=False), args.show)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
