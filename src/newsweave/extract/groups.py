"""Quote groups: the same statement as carried by several articles.

Outlets copy a statement verbatim, trim it, or paraphrase it in translation.
Two quotations are one statement when the shorter one is found almost whole
in the longer one (rapidfuzz partial ratio) or when most of their content
words are shared. Candidates are found through an index of rare words, so
grouping stays linear in practice.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

from rapidfuzz import fuzz

from newsweave.model import Quote, QuoteVariant

_STOP = frozenset(
    """a an the of to in on at for and or but is are was were be been being it its this that
    these those with as by from we our they their he she his her i you not will would can could
    has have had do does did so than then there here which who whom what when where while about
    into over under also all any each more most such no nor only own same too very
    s t just""".split()
)
MIN_WORDS = 5  # shorter quotations are not grouped with others (scare quotes, fragments)
# Share of the shorter quotation's content words two quotations must share to be compared
# (a verbatim or trimmed copy shares nearly all, a paraphrase at least 70 %).
SHARED_MIN = 0.6


@dataclass(slots=True)
class Instance:
    """One quotation or reported statement in one article."""

    article: int
    text: str
    start: int
    end: int
    speaker: str | None
    cue: str | None
    direct: bool


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def same_statement(a: str, b: str, min_score: float) -> bool:
    """Whether two quotations report one statement (verbatim, trimmed or paraphrased).

    >>> same_statement("We will rebuild every home, the minister said",
    ...                "We will rebuild every home", 85)
    True
    """
    wa, wb = words(a), words(b)
    if min(len(wa), len(wb)) < MIN_WORDS:
        return False
    short, long_ = sorted((" ".join(wa), " ".join(wb)), key=len)
    if fuzz.partial_ratio(short, long_) >= min_score:
        return True
    ca, cb = set(wa) - _STOP, set(wb) - _STOP
    if min(len(ca), len(cb)) < 4:
        return False
    return len(ca & cb) / min(len(ca), len(cb)) >= 0.7


def group_quotes(instances: Sequence[Instance], min_score: float = 85.0) -> list[Quote]:
    """Quote groups (ids from 1, most-carried first) from every article's quotations."""
    quotes = [_quote([instances[i] for i in c]) for c in cluster_quotes(instances, min_score)]
    quotes.sort(key=lambda q: (-len(q.articles), q.variants[0].article, q.variants[0].start))
    for number, quote in enumerate(quotes, start=1):
        quote.id = number
    return quotes


def content_words(text: str) -> set[str]:
    return set(words(text)) - _STOP


def cluster_quotes(instances: Sequence[Instance], min_score: float = 85.0,
                   settled: Sequence[Sequence[int]] = ()) -> list[list[int]]:
    """Which quotations report one statement: clusters of indices into ``instances``.

    ``settled`` are groups resolved before (indices into ``instances``): their members
    stay together and are not compared with each other or with other settled groups
    again, only with the rest, so a batch costs what its new quotations cost.
    """
    parent = list(range(len(instances)))
    old = [False] * len(instances)
    for group in settled:
        for i in group:
            old[i] = True
            parent[i] = group[0]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tokens = [words(q.text) for q in instances]
    content = [set(ws) - _STOP for ws in tokens]
    index: dict[str, list[int]] = defaultdict(list)
    for i, ws in enumerate(content):
        if len(tokens[i]) < MIN_WORDS:
            continue
        # Every content word (not only the pool's rarest), so that which pairs are compared
        # does not depend on what else is in the pool: resolving a batch against part of
        # the store gives what resolving the whole store gives.
        for w in ws:
            index[w].append(i)
    for i, ws in enumerate(content):
        if len(tokens[i]) < MIN_WORDS or old[i]:
            continue  # a settled quotation is compared from the new side only
        # Counted in one C-level pass over the word buckets, filtered after.
        shared = Counter(chain.from_iterable(
            bucket for bucket in map(index.get, ws) if bucket and len(bucket) <= 200))
        # Either test of same_statement needs most of the shorter quotation's content words
        # in the other (and at least two): pairs sharing fewer are not worth comparing.
        for j in sorted(j for j, n in shared.items() if n >= 2 and (j > i or old[j])):
            if shared[j] < SHARED_MIN * min(len(ws), len(content[j])):
                continue
            if find(i) != find(j) and same_statement(instances[i].text, instances[j].text,
                                                     min_score):
                parent[max(find(i), find(j))] = min(find(i), find(j))
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(instances)):
        clusters[find(i)].append(i)
    return list(clusters.values())


def _quote(members: list[Instance]) -> Quote:
    members = sorted(members, key=lambda m: (m.article, m.start))
    texts = Counter(" ".join(words(m.text)) for m in members)
    # The text most outlets carry; on a tie, the longest (an untrimmed variant).
    best = max(members, key=lambda m: (texts[" ".join(words(m.text))], m.direct, len(m.text)))
    speakers = Counter(m.speaker for m in members if m.speaker)
    cues = Counter(m.cue.lower() for m in members if m.cue)
    return Quote(
        id=0,
        text=best.text,
        speaker=_most_common(speakers),
        cue=_most_common(cues),
        articles=sorted({m.article for m in members}),
        variants=[QuoteVariant(m.article, m.text, m.start, m.end) for m in members],
        direct=any(m.direct for m in members),
    )


def _most_common(counts: Mapping[str, int]) -> str | None:
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], len(k)))
