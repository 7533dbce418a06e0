"""Pairs for the stance benchmark (``bench/stance.py``), built at run time from
``../shared/benchmarks`` (never copied into the repository).

* :func:`body_pairs`: the **body-level four-class dev set**. Emergent's article
  bodies are not in its source repository, so each Emergent article's body is
  stood in for by its headline (the text whose stance the gold labels), either
  alone (``lead``) or as the opening sentence of a news-length body whose other
  sentences come from a BASIL article on another event (``body``: about 250
  words, like the standard set's bodies; the padding is on another subject, so
  relatedness has to find the passage, and the cues of an unrelated political
  text must not decide the stance). Each body is paired, the way the standard
  headline-vs-body set pairs them, with up to three *other* headlines of its
  claim (or the claim itself) and labelled with the body's stance; unrelated
  pairs join it with headlines of other claims, as many as make 72 % of the
  pairs (the standard set's share).
* :func:`basil_pairs`: real bodies for relatedness: a BASIL headline against
  another outlet's body on the same event (related) or two other events' bodies.
* :func:`part_of`: the split: sorted claims (events) alternate between the
  part settings are chosen on (``choose``) and the part they are reported on
  (``report``).
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks"
LABELS = {"for": "supports", "against": "contradicts", "observing": "discusses"}
UNRELATED_SHARE = 0.72  # of the standard headline-vs-body set's pairs
PAD_WORDS = 250  # words of a padded body
HEADLINES_PER_BODY = 3


@dataclass(frozen=True, slots=True)
class Pair:
    claim: str
    text: str
    label: str | None  # supports / contradicts / discusses / unrelated; None: related, no class
    group: str  # the claim or event: never on both sides of a split
    part: str  # "choose" or "report"


def load(path: Path) -> list[dict]:
    if not path.exists():
        sys.exit(f"{path} is missing: the benchmarks live in ../shared/benchmarks beside the repo")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def part_of(groups: list[str]) -> dict[str, str]:
    """Alternate sorted groups between the choosing and the reporting part."""
    return {g: ("choose" if i % 2 == 0 else "report") for i, g in enumerate(sorted(set(groups)))}


def _padding(seed: int) -> list[str]:
    """BASIL bodies cut to about :data:`PAD_WORDS` words (their opening sentences)."""
    from newsweave.nlp.sentences import split_sentences

    docs = load(DATA / "basil" / "docs.jsonl")
    random.Random(seed).shuffle(docs)
    out = []
    for doc in docs:
        kept, words = [], 0
        for piece in split_sentences(doc["text"]):
            if words >= PAD_WORDS:
                break
            kept.append(piece.text)
            words += len(piece.text.split())
        out.append(" ".join(kept))
    return out


def body_pairs(variant: str, *, seed: int = 13) -> list[Pair]:
    """The four-class dev pairs; ``variant`` "lead" (the headline alone) or "body" (padded)."""
    rows = load(DATA / "emergent" / "pairs.jsonl")
    parts = part_of([r["claim_id"] for r in rows])
    rng = random.Random(seed)
    padding = _padding(seed) if variant == "body" else []
    by_claim: dict[str, list[dict]] = {}
    for row in rows:
        by_claim.setdefault(row["claim_id"], []).append(row)
    bodies = []
    for k, row in enumerate(rows):
        text = row["headline"]
        if padding:
            text = text.rstrip(" .") + ".\n\n" + padding[k % len(padding)]
        bodies.append((row, text))
    pairs = []
    for row, text in bodies:
        claim_id = row["claim_id"]
        heads = [row["claim"]] + [r["headline"] for r in by_claim[claim_id]
                                  if r["id"] != row["id"] and r["headline"] != row["headline"]]
        for head in rng.sample(heads, min(HEADLINES_PER_BODY, len(heads))):
            pairs.append(Pair(head, text, LABELS[row["stance"]], claim_id, parts[claim_id]))
    related = len(pairs)
    wanted = round(related * UNRELATED_SHARE / (1 - UNRELATED_SHARE))
    for _ in range(wanted):
        row, text = rng.choice(bodies)
        other = rng.choice([r for r in rows if r["claim_id"] != row["claim_id"]])
        head = other["claim"] if rng.random() < 0.25 else other["headline"]
        pairs.append(Pair(head, text, "unrelated", row["claim_id"], parts[row["claim_id"]]))
    return pairs


def basil_pairs(*, seed: int = 13) -> list[Pair]:
    """BASIL headline against another outlet's body: same event (label None: related, its
    class unknown) or two other events' (unrelated)."""
    docs = load(DATA / "basil" / "docs.jsonl")
    parts = part_of([d["event"] for d in docs])
    events = sorted({d["event"] for d in docs})
    rng = random.Random(seed)
    pairs = []
    for doc in docs:
        if not (doc.get("title") or "").strip():
            continue
        same = [d for d in docs if d["event"] == doc["event"] and d["id"] != doc["id"]]
        others = [e for e in events if e != doc["event"]]
        far = [rng.choice([d for d in docs if d["event"] == e]) for e in rng.sample(others, 2)]
        for other, label in [(d, None) for d in same] + [(d, "unrelated") for d in far]:
            pairs.append(Pair(doc["title"], other["text"], label, str(doc["event"]),
                              parts[str(doc["event"])]))
    return pairs


def emergent_headline_pairs() -> list[Pair]:
    """Emergent as published: claim against headline, three classes."""
    rows = load(DATA / "emergent" / "pairs.jsonl")
    parts = part_of([r["claim_id"] for r in rows])
    return [Pair(r["claim"], r["headline"], LABELS[r["stance"]], r["claim_id"],
                 parts[r["claim_id"]]) for r in rows]


def emergent_related_pairs(*, seed: int = 13) -> list[Pair]:
    """Claim against its own headline (related) or another claim's (unrelated)."""
    rows = load(DATA / "emergent" / "pairs.jsonl")
    parts = part_of([r["claim_id"] for r in rows])
    rng = random.Random(seed)
    pairs = []
    for row in rows:
        other = rng.choice([r for r in rows if r["claim_id"] != row["claim_id"]])
        pairs.append(Pair(row["claim"], row["headline"], None, row["claim_id"],
                          parts[row["claim_id"]]))
        pairs.append(Pair(row["claim"], other["headline"], "unrelated", row["claim_id"],
                          parts[row["claim_id"]]))
    return pairs
