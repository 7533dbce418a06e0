"""What two aligned articles are to each other, and which one came from which.

Kinds: ``translation`` (two articles in different languages whose leads say the same
thing and whose sentences align in order: see :func:`translation` and
``reuse/crosslingual.py``), ``copy`` (at least half of the aligned sentences verbatim or
near-verbatim, see ``align.NEAR_VERBATIM``), ``rewrite`` (the same sentences, most
of them in new words, in the same order), ``shared-quotes``
(only quotations of the same statement in common; between two languages only a quotation
left in the same words in both, see :func:`quotes_across`) and ``independent``.

Direction of a copy or rewrite is a vote of the evidence, each with a weight:

* attribution (2.0): the derived article names the other's outlet or agency
  ("NPA reported", a "(NPA) --" dateline in another outlet's page);
* publication time (1.5, or 1.0 when under an hour apart): the earlier one is the source;
* containment (0.5): the article that the other covers more completely is
  the derived one (reposts trim the wire; rewrites condense it).

The confidence grows with the margin of the vote; with no evidence at all,
the article stored first is taken as the source at confidence 0.5.

A translation's direction is voted the same way without containment (the two
cover the same text): an attribution or a "translated from" line naming the
other's outlet, then publication time. With neither it is undirected: the
article stored first stands as the source at confidence 0.5, and the reasons
say there was no evidence, so a reader does not take the arrow as a finding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from newsweave.model import Article, Attribution, Edge, Evidence, Passage
from newsweave.reuse.align import COPY_KINDS, TEXT_KINDS, Alignment
from newsweave.reuse.attribution import identity, names_source
from newsweave.reuse.semantic import primary_language

# A copy keeps what it shares word for word: at least half of its aligned
# sentence pairs are verbatim or near-verbatim (align.NEAR_VERBATIM: words cut
# or added, none replaced). Reuse that rewords most of what it takes is a
# rewrite, however close its sentences stay to the source otherwise.
MOSTLY_COPIED = 0.5  # share of aligned text pairs that must be near-verbatim for a copy
COPY_SHARE = 0.45  # share of one article in verbatim/edited sentences for a copy
REWRITE_SHARE = 0.4  # share of one article in aligned sentences for a rewrite
ATTRIBUTED_SHARE = 0.3  # the same when one article names the other's outlet
REWRITE_PAIRS = 6
FULL_SHARE = 0.6  # share of both articles aligned: a rewrite of a short article
ORDER = 0.7
MAX_EVIDENCE = 60
# Translations: the multilingual e5 cosine of two leads in different languages, each the
# other's nearest in its language (crosslingual.translation_candidates), from which the pair is
# a candidate; it is one text in two languages when its sentences align too
# (reuse/crosslingual.py). Chosen with the sentence check on the even halves of NTREX-128's
# documents and SemEval-2022 task 8's cross-language pairs (python bench/ntrex.py
# --semeval prints it beside its neighbours and the figures on the odd halves).
TRANSLATION_COSINE = 0.78


@dataclass(slots=True)
class Side:
    """One article of a pair, with what the stage found in it."""

    article: Article
    attributions: Sequence[Attribution]

    @property
    def id(self) -> int:
        return int(self.article.id or 0)


def relate(a: Side, b: Side, alignment: Alignment, cosine: float | None = None) -> Edge:
    """The relation of A and B from their alignment (A's sentences are ``alignment``'s A);
    ``cosine``, the e5 cosine of their leads where known, tells translations apart."""
    if cosine is not None and is_translation(a.article, b.article, cosine):
        return translation(a, b, cosine)  # cosine given only for mutual nearest pairs
    a_names_b = names_source(_others(a, b), identity(b.article, b.attributions))
    b_names_a = names_source(_others(b, a), identity(a.article, a.attributions))
    kind = classify(alignment, attributed=bool(a_names_b or b_names_a))
    loose = kind == "shared-quotes" and not quotes_across(a.article, b.article, alignment)
    if loose:
        kind = "independent"
    score = _score(alignment)
    if kind in ("copy", "rewrite"):
        a_derived, confidence, reasons = _direction(a, b, alignment, a_names_b, b_names_a)
    else:
        a_derived = _later(a, b)
        confidence = 0.8 if kind == "shared-quotes" else 0.6
        reasons = _kind_reasons(kind, alignment)
    derived, source = (a, b) if a_derived else (b, a)
    attribution = a_names_b if a_derived else b_names_a
    # Once one article derives from the other, the quotations it took along
    # are part of what it took.
    if kind in ("copy", "rewrite"):
        shared = alignment.all_a if a_derived else alignment.all_b
    else:
        shared = alignment.text_a if a_derived else alignment.text_b
    if kind in ("copy", "rewrite"):
        reasons = _kind_reasons(kind, alignment) + reasons
    if loose:
        reasons.append("quotations paired across languages by their letters only, none in "
                       "the same words: not a shared quotation")
    return Edge(
        derived=derived.id,
        source=source.id,
        kind=kind,
        confidence=confidence,
        shared_fraction=shared,
        attribution=attribution if kind in ("copy", "rewrite") else None,
        reasons=reasons,
        evidence=_evidence(alignment, a.id, b.id, a_derived),
        score=score,
    )


def languages_differ(a: Article, b: Article) -> bool:
    """Whether both articles have a known language and they differ (``zh-cn`` and ``zh``
    are one language: only the primary subtag counts)."""
    la, lb = (primary_language(x.language) for x in (a, b))
    return bool(la and lb and la != lb)


def quotes_across(a: Article, b: Article, alignment: Alignment) -> bool:
    """Whether the quotation pairs of ``alignment`` can stand for a shared quotation.

    In one language a quotation pair (both sentences quoted, their words or letters
    alike: ``align``'s ``quote``) is two outlets quoting one statement. Across languages
    word alignment cannot tell a statement from its translation: what it pairs are
    letters, and two quotations in German and English share some 40 % of them whatever
    they say (NTREX-128: 256 such pairs between different documents, none between a
    text and its translation at or above ``align.EDITED``). Only a quotation left in the
    same words in both (near-verbatim: at or above ``align.EDITED``, the floor a
    quotation pair needs to count as shared text in ``align``) is one across languages.
    Two articles whose languages are not both known count as one language."""
    if not languages_differ(a, b):
        return True
    return bool(alignment.quote_a or alignment.quote_b)


def is_translation(a: Article, b: Article, cosine: float) -> bool:
    """Whether two articles, each among the other's nearest leads in its language, are one text in
    two languages: their languages differ and their leads' e5 cosine reaches
    :data:`TRANSLATION_COSINE`."""
    return cosine >= TRANSLATION_COSINE and languages_differ(a, b)


def translation(a: Side, b: Side, cosine: float, share: float | None = None) -> Edge:
    """The ``translation`` edge of A and B, directed where the evidence says which came
    first (see the module doc), else from the article stored first at confidence 0.5.
    ``share``: of the shorter one's sentences, those aligned in order with the other's
    (``reuse.crosslingual.aligned_share``), where it was measured."""
    a_names_b = names_source(_others(a, b), identity(b.article, b.attributions))
    b_names_a = names_source(_others(b, a), identity(a.article, a.attributions))
    a_derived, confidence, reasons = _direction(a, b, None, a_names_b, b_names_a)
    derived, source = (a, b) if a_derived else (b, a)
    # What a translation shares: the share of its sentences aligned with the other's where
    # measured, else all of its content as far as the leads tell.
    closeness = float(min(1.0, max(0.0, (cosine - TRANSLATION_COSINE)
                                   / (1.0 - TRANSLATION_COSINE)) * 0.5 + 0.5))
    if share is not None:
        closeness = float(share)
    found = (f"translation: {derived.article.language} and {source.article.language}, "
             f"each among the other's nearest leads in its language, "
             f"lead cosine {cosine:.3f}")
    if share is not None:
        found += f", {share:.0%} of the shorter one's sentences aligned in order"
    reasons = [found, *reasons]
    return Edge(
        derived=derived.id,
        source=source.id,
        kind="translation",
        confidence=confidence,
        shared_fraction=closeness,
        attribution=a_names_b if a_derived else b_names_a,
        reasons=reasons,
        score=closeness,
    )


def classify(alignment: Alignment, *, attributed: bool = False) -> str:
    """``copy``, ``rewrite``, ``shared-quotes`` or ``independent``."""
    kinds = alignment.kinds()
    copy_pairs = sum(kinds.get(k, 0) for k in COPY_KINDS)
    text_pairs = sum(kinds.get(k, 0) for k in TEXT_KINDS)
    copied = max(alignment.copy_a, alignment.copy_b)
    # Near-verbatim sentences must dominate what is shared: an article that
    # rewords most of what it took is a rewrite, even with a few sentences left
    # as they were (see NEAR_VERBATIM).
    near = sum(1 for p in alignment.pairs if p.near)
    mostly_copied = near >= MOSTLY_COPIED * text_pairs
    if copy_pairs >= 2 and copied >= COPY_SHARE and mostly_copied:
        return "copy"
    # A copied article full of quotations: once its own sentences are copied
    # too, the verbatim quotations were copied along with them.
    with_quotes = max(alignment.copy_a + alignment.quote_a, alignment.copy_b + alignment.quote_b)
    if copy_pairs >= 2 and copied >= COPY_SHARE / 3 and with_quotes >= COPY_SHARE and mostly_copied:
        return "copy"
    text = max(alignment.text_a, alignment.text_b)
    both = min(alignment.text_a, alignment.text_b)
    # Two independent reports of one press release share a few facts sentence
    # by sentence; a rewrite follows its source for many sentences, or for
    # nearly all of a short one, or says whose text it is.
    if alignment.order >= ORDER and (
        (text >= REWRITE_SHARE and text_pairs >= REWRITE_PAIRS)
        or (both >= FULL_SHARE and text_pairs >= 3)
        or (attributed and text >= ATTRIBUTED_SHARE and text_pairs >= 3)
    ):
        return "rewrite"
    if kinds.get("quote"):
        return "shared-quotes"
    return "independent"


def _score(alignment: Alignment) -> float:
    """How much text the pair shares, 0..1 (quotations count a little)."""
    text = max(alignment.text_a, alignment.text_b)
    quotes = min(0.2, 0.05 * alignment.kinds().get("quote", 0))
    return min(1.0, text + quotes)


def names_either(a: Side, b: Side) -> bool:
    """Whether either article names the other's outlet or agency (what makes an
    attribution in :func:`relate`)."""
    return bool(names_source(_others(a, b), identity(b.article, b.attributions))
                or names_source(_others(b, a), identity(a.article, a.attributions)))


def _others(side: Side, other: Side) -> list[Attribution]:
    """Attributions of ``side`` that do not name ``side``'s own outlet."""
    own = identity(side.article, side.attributions) if side.article.outlet else []
    return [a for a in side.attributions if not (own and names_source([a], own))]


def _direction(a: Side, b: Side, alignment: Alignment | None, a_names_b: str | None,
               b_names_a: str | None) -> tuple[bool, float, list[str]]:
    """Whether A derives from B, the confidence, and the reasons."""
    vote = 0.0  # > 0: A derives from B
    reasons: list[str] = []
    if a_names_b and not b_names_a:
        vote += 2.0
        reasons.append(f"attribution: {a.id} names {a_names_b!r}, which is {b.id}'s outlet")
    elif b_names_a and not a_names_b:
        vote -= 2.0
        reasons.append(f"attribution: {b.id} names {b_names_a!r}, which is {a.id}'s outlet")
    gap = time_gap(a.article.published, b.article.published)
    if gap:
        weight = 1.5 if abs(gap) >= 3600 else 1.0
        later, earlier = (a, b) if gap > 0 else (b, a)
        vote += weight if later is a else -weight
        reasons.append(f"time: {earlier.id} published {_ago(abs(gap))} before {later.id}")
    diff = 0.0 if alignment is None else alignment.text_a - alignment.text_b
    if alignment is not None and abs(diff) >= 0.1:
        covered, other = (a, b) if diff > 0 else (b, a)
        share = max(alignment.text_a, alignment.text_b)
        vote += 0.5 if covered is a else -0.5
        reasons.append(f"containment: {share:.0%} of {covered.id} is in {other.id}, "
                       f"which has more of its own")
    if vote == 0.0:
        a_derived = a.id > b.id
        reasons.append("no evidence of direction: the article stored first is taken as the source")
        return a_derived, 0.5, reasons
    confidence = 0.5 + 0.5 * (1.0 - math.exp(-abs(vote)))
    return vote > 0, confidence, reasons


def _kind_reasons(kind: str, alignment: Alignment) -> list[str]:
    kinds = alignment.kinds()
    counts = {k: kinds.get(k, 0) for k in ("verbatim", "edited", "paraphrase", "quote")}
    listed = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    return [f"{kind}: aligned sentences {listed or 'none'}; order kept {alignment.order:.0%}"]


def _evidence(alignment: Alignment, a_id: int, b_id: int, a_derived: bool) -> list[Evidence]:
    """The aligned pairs as passages, the strongest :data:`MAX_EVIDENCE`, in the derived
    article's order. (With no more pairs than that, all are taken and the strongest-first
    sort is skipped: the order is the derived passages', each sentence in one pair only.)"""
    pairs = alignment.pairs
    if len(pairs) > MAX_EVIDENCE:
        pairs = sorted(pairs, key=lambda p: -p.score)[:MAX_EVIDENCE]
    out = []
    for p in pairs:
        pa = Passage(a_id, p.a.start, p.a.end, p.a.text)
        pb = Passage(b_id, p.b.start, p.b.end, p.b.text)
        derived, source = (pa, pb) if a_derived else (pb, pa)
        out.append(Evidence(derived, source, p.score, p.kind))
    out.sort(key=lambda e: e.derived_passage.start)
    return out


def _later(a: Side, b: Side) -> bool:
    gap = time_gap(a.article.published, b.article.published)
    return gap > 0 if gap else a.id > b.id


def time_gap(a: str | None, b: str | None) -> float:
    """Seconds from B's publication to A's (> 0: A is later); 0 when unknown or equal.

    A bare date is compared with the other's date only, never with its midnight.
    """
    time_a, time_b = parse_time(a), parse_time(b)
    if time_a is None or time_b is None:
        return 0.0
    if _date_only(a) or _date_only(b):
        days = (time_a.date() - time_b.date()).days
        return float(days * 86400)
    return (time_a - time_b).total_seconds()


def _date_only(value: str | None) -> bool:
    return value is not None and len(value.strip()) <= 10


def parse_time(value: str | None) -> datetime | None:
    """An ISO date or datetime as an aware datetime (naive ones taken as UTC), or None."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(text[:10])
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ago(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"
