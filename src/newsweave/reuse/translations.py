"""The reuse stage's pairs across languages decided as a batch: at most one translation
of an article per language, and the candidate translations whose sentences did not align
compared, and kept as reports of one event (``same-event``) where they tell of one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import numpy as np

from newsweave.model import Edge
from newsweave.reuse import crosslingual
from newsweave.reuse.crosslingual import Comparison, compare, is_same_event, rivals, same_event
from newsweave.reuse.pairs import Indexed, _load
from newsweave.reuse.relation import TRANSLATION_COSINE
from newsweave.reuse.semantic import VectorIndex, primary_language
from newsweave.store import Store

log = logging.getLogger(__name__)

# The relations a ``same-event`` one takes the place of (see ``_same_events``).
SAME_EVENT_REPLACES = ("independent", "shared-quotes")


def _one_per_language(store: Store, edges: list[Edge],
                      language_of: Callable[[int], str | None]) -> tuple[list[Edge], set[int]]:
    """At most one translation of an article per language: the closest.

    Pairs are decided as articles arrive, so an article whose own translation had
    not arrived yet may have been paired with another document's version; when the
    closer partner comes, the older pair is demoted to ``independent``. Returns the
    edges to save and the articles whose pairs were demoted (their graph is redone).
    """
    fresh = [e for e in edges if e.kind == "translation"]
    ends = {i for e in fresh for i in (e.derived, e.source)}
    pairs = {(min(e.derived, e.source), max(e.derived, e.source)): e
             for e in store.reuse.pairs(sorted(ends), kinds=("translation",))}
    pairs.update(((min(e.derived, e.source), max(e.derived, e.source)), e) for e in fresh)
    best: dict[tuple[int, str], tuple[float, tuple[int, int]]] = {}
    for key, edge in sorted(pairs.items()):
        for end, partner in ((key[0], key[1]), (key[1], key[0])):
            if end not in ends:
                continue
            slot = (end, primary_language(language_of(partner)))
            if slot not in best or edge.score > best[slot][0]:
                best[slot] = (edge.score, key)
    # A pair stays when it is the closest of each of its ends seen here (the score of a
    # translation is the share of its sentences aligned: crosslingual.aligned_share).
    losing = {key for key in pairs
              if any(best[(end, primary_language(language_of(partner)))][1] != key
                     for end, partner in ((key[0], key[1]), (key[1], key[0]))
                     if end in ends)}
    if not losing:
        return edges, set()
    demoted = [Edge(derived=pairs[k].derived, source=pairs[k].source, kind="independent",
                    confidence=0.6, shared_fraction=0.0,
                    reasons=["translation demoted: a closer version in this language arrived"])
               for k in sorted(losing)]
    out = [e for e in edges if (min(e.derived, e.source), max(e.derived, e.source))
           not in losing]
    return out + demoted, {i for k in losing for i in k}


def _without_rivals(store: Store, confirmed: dict[tuple[int, int], tuple[float, float]],
                    measured: dict[tuple[int, int], Comparison], index: VectorIndex,
                    language_of: Callable[[int], str | None]
                    ) -> dict[tuple[int, int], tuple[float, float]]:
    """``confirmed`` (pair -> (lead cosine, share)) without the short alignments (fewer
    than ``crosslingual.RIVAL_BELOW`` sentence pairs) that have a rival: an end's nearer
    lead in the partner's language that is not already a translation of another article
    of the end's language (:func:`crosslingual.rivals`; stored translations and this
    batch's confirmed pairs count). Such a pair is then weighed as any refused candidate
    (a ``same-event`` relation needs each end the other's nearest: it gets none)."""
    below = crosslingual.RIVAL_BELOW  # read when called: the bench sweeps it
    short = [k for k in confirmed if k in measured and measured[k].aligned < below]
    found = {k: rivals(index, k, language_of) for k in short}
    nearer = sorted({z for pairs in found.values() for _, z in pairs})
    if not nearer:
        return confirmed
    partners: dict[int, set[int]] = {}
    stored = store.reuse.pairs(nearer, kinds=("translation",), evidence=False)
    for a, b in [*((e.derived, e.source) for e in stored), *confirmed]:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)

    def explained(end: int, rival: int) -> bool:
        language = primary_language(language_of(end))
        return any(other != end and primary_language(language_of(other)) == language
                   for other in partners.get(rival, ()))

    dropped = {k for k, pairs in found.items()
               if not all(explained(end, rival) for end, rival in pairs)}
    if dropped:
        log.debug("reuse: %d short sentence alignments across languages refused: a nearer "
                  "lead in the other language is no other article's translation", len(dropped))
    return {k: v for k, v in confirmed.items() if k not in dropped}


# Arrivals whose leads are scored against the store in one matrix product: the products
# of one at a time each read every stored lead; a block's scores are this many rows of
# the store's size (32 x 1M leads: 128 MB of float32).
_SCORED_TOGETHER = 32


def _rechecked(store: Store, arrived: Mapping[int, np.ndarray], edges: list[Edge],
               index: VectorIndex, language_of: Callable[[int], str | None],
               indexed: dict[int, Indexed], others: dict[int, Indexed | None]
               ) -> tuple[list[Edge], set[int]]:
    """``edges`` with the stored short translations that an arrived article now rivals
    demoted to ``independent``, as :func:`_one_per_language` demotes, and the articles
    whose pairs were demoted (their graph is redone).

    :func:`_without_rivals` asks of a pair as it is decided; a report that arrives later
    and whose lead is nearer to an end than the partner's is, in the partner's language,
    was not there to ask about. Such an arrival (``arrived``: id -> lead vector) that is no
    other article's translation into the end's language (stored, or in ``edges``) is a
    rival, and a stored pair it rivals is checked again with the same rule: its sentences
    compared anew, it stands when it aligns at least ``crosslingual.RIVAL_BELOW`` sentence
    pairs. A rival is nearer than a partner whose lead cosine reached
    ``TRANSLATION_COSINE``: only leads above it are looked at. Pairs decided in this batch
    are not asked again."""
    below = crosslingual.RIVAL_BELOW  # read when called: the bench sweeps them
    if below <= 0 or not crosslingual.RECHECK_RIVALS or not arrived or not len(index._id_array):
        return edges, set()
    ids = index._id_array
    languages = index.labels(lambda i: primary_language(language_of(i)))
    near: dict[int, list[tuple[int, float]]] = {}  # stored end -> (arrived, lead cosine)
    asked = [(a, v) for a, v in sorted(arrived.items()) if primary_language(language_of(a))]
    for start in range(0, len(asked), _SCORED_TOGETHER):  # one product a block of arrivals
        block = asked[start:start + _SCORED_TOGETHER]
        rows = index.scores(np.stack([v for _, v in block]))
        for (article, _), scores in zip(block, rows, strict=True):
            own = primary_language(language_of(article))
            for cell in np.flatnonzero((scores >= TRANSLATION_COSINE) & (languages != own)
                                       & (languages != "")):
                near.setdefault(int(ids[cell]), []).append((article, float(scores[cell])))
    if not near:
        return edges, set()
    decided = {(min(e.derived, e.source), max(e.derived, e.source)) for e in edges}
    stored = [e for e in store.reuse.pairs(sorted(near), kinds=("translation",),
                                           evidence=False)
              if (min(e.derived, e.source), max(e.derived, e.source)) not in decided]
    if not stored:
        return edges, set()
    partners: dict[int, set[int]] = {}
    arrivals = sorted({a for found in near.values() for a, _ in found})
    fresh = [e for e in edges if e.kind == "translation"]
    for e in [*store.reuse.pairs(arrivals, kinds=("translation",), evidence=False), *fresh]:
        partners.setdefault(e.derived, set()).add(e.source)
        partners.setdefault(e.source, set()).add(e.derived)

    def lead_cosine(a: int, b: int) -> float | None:
        first, second = index.vector_of(a), index.vector_of(b)
        return None if first is None or second is None else float(first @ second)

    def rivalled(end: int, partner: int) -> bool:
        cosine = lead_cosine(end, partner)
        if cosine is None:
            return False
        language = primary_language(language_of(partner))
        end_language = primary_language(language_of(end))
        return any(cos > cosine and other != partner
                   and primary_language(language_of(other)) == language
                   and not any(primary_language(language_of(x)) == end_language
                               for x in partners.get(other, ()) if x != end)
                   for other, cos in near.get(end, ()))

    suspects: dict[tuple[int, int], float] = {}
    for e in stored:
        key = (min(e.derived, e.source), max(e.derived, e.source))
        if rivalled(e.derived, e.source) or rivalled(e.source, e.derived):
            suspects[key] = lead_cosine(*key) or 0.0
    if not suspects:
        return edges, set()
    measured = _confirm_safely(store, suspects, indexed, others)
    short = sorted(k for k, v in measured.items() if v.aligned < below)
    if not short:
        return edges, set()
    log.debug("reuse: %d stored short translations demoted: a nearer lead in the other "
              "language arrived that is no other article's translation", len(short))
    by_key = {(min(e.derived, e.source), max(e.derived, e.source)): e for e in stored}
    demoted = [Edge(derived=by_key[k].derived, source=by_key[k].source, kind="independent",
                    confidence=0.6, shared_fraction=0.0,
                    reasons=["translation demoted: a nearer lead in the other language "
                             "arrived that is no other article's translation"])
               for k in short]
    return edges + demoted, {i for k in short for i in k}


def _same_events(store: Store, edges: list[Edge], index: VectorIndex,
                 language_of: Callable[[int], str | None],
                 refused: dict[tuple[int, int], Comparison],
                 indexed: dict[int, Indexed], others: dict[int, Indexed | None]) -> list[Edge]:
    """``edges`` with a ``same-event`` relation (:func:`crosslingual.same_event`) for each
    candidate translation whose sentences did not align (``refused``: pair -> its
    sentences compared) that still tells of one event (:func:`is_same_event`) and
    shares no text (no copy or rewrite found): two reports of one event in two
    languages, evidence for the stories stage, never provenance. It takes the place of
    the pair's ``independent`` relation, or of its ``shared-quotes`` one (the store keeps
    one relation a pair): a quotation left in its language in both reports is part of
    the same-event evidence, kept as the relation's passages, and the stories stage
    would not count it alone (a few quoted words are under ``stories.QUOTE_SHARE`` of a
    text), so the relation that says more of the pair stands."""
    kept = {k: v for k, v in refused.items()
            if is_same_event(index, k, v, language_of)}
    if not kept:
        return edges
    related = {(min(e.derived, e.source), max(e.derived, e.source)): e for e in edges}
    out = [e for e in edges
           if e.kind not in SAME_EVENT_REPLACES
           or (min(e.derived, e.source), max(e.derived, e.source)) not in kept]
    for key, compared in sorted(kept.items()):
        found = related.get(key)
        if found is not None and found.kind not in SAME_EVENT_REPLACES:
            continue
        first, second = (indexed.get(i) or _load(store, i, others) for i in key)
        if first is not None and second is not None:
            quoted = found if found is not None and found.kind == "shared-quotes" else None
            out.append(same_event(first.article, second.article, compared, quoted))
    return out


def _confirm_safely(store: Store, candidates: dict[tuple[int, int], float],
                    indexed: dict[int, Indexed], others: dict[int, Indexed | None]
                    ) -> dict[tuple[int, int], Comparison]:
    """The candidate translations with their sentences compared (:func:`crosslingual.compare`:
    the caller keeps those that align as translations, and weighs the others as reports of
    one event). Where the sentences cannot be embedded, none: the pairs are then aligned as
    any other (the batch goes on)."""
    if not candidates:
        return {}
    sides = {i: indexed.get(i) or _load(store, i, others) for key in candidates for i in key}
    try:
        return compare(candidates, {i: s.article for i, s in sides.items() if s is not None})
    except Exception:
        log.exception("reuse: could not compare the sentences of %d candidate translations",
                      len(candidates))
        return {}
