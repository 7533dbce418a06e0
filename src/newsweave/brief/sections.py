"""The brief's sections besides its claims: the lead, the quotes, the timeline, the
entities and the sources (:func:`newsweave.brief.build.build_brief` puts them together).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from newsweave.brief.document import Cited, QuoteGroup, Source, TimelineEntry
from newsweave.brief.sentences import (
    _PRONOUN_START,
    _is_prose,
    _prose_text,
    _standalone,
    balance_quotes,
    display_text,
    is_furniture,
    strip_dateline,
)
from newsweave.brief.timeline import story_timeline
from newsweave.crosscheck.status import ClaimGroup, CrossCheck, count_origins
from newsweave.model import Claim, ClaimVariant, Entity, Passage, Quote

LEAD_MIN, LEAD_MAX = 3, 6


def _lead(
    check: CrossCheck, key_facts: Sequence[ClaimGroup], claims: Sequence[Claim]
) -> list[Cited]:
    """The best-supported facts in reading order, and where the main point is disputed,
    the majority version followed by the dissent."""
    index = {display_text(u): u.index for g in check.groups for u in g.units}
    pool: list[tuple[tuple[float, ...], float, Cited]] = []
    for claim in claims:
        if claim.status == "contested" and claim.variants:
            first = claim.variants[0]
            other = next((v for v in claim.variants if v.value != first.value), None)
            weight = (count_origins(first.cites, check.origin_of) + 1, len(first.cites))
            pool.append((weight, index.get(first.text, 99), Cited(first.text, first.cites)))
            if other is not None:  # the reader must learn from the lead that reports differ
                pool.append((weight, index.get(first.text, 99) + 0.5,
                             Cited(other.text, other.cites)))
        elif _prose_text(claim.text):
            weight = (claim.independent_origins, min(len(claim.cites), 4))
            pool.append((weight, index.get(claim.text, 99), Cited(claim.text, claim.cites)))
    chosen = sorted(pool, key=lambda item: (item[0], -item[1]), reverse=True)[:LEAD_MAX]
    chosen.sort(key=lambda item: item[1])
    lead = [item[2] for item in chosen]
    if len(lead) < LEAD_MIN:
        first_id = check.articles[0].id if check.articles else None
        for unit in check.claims.get(first_id, []) if first_id is not None else []:
            text = display_text(unit)
            if len(lead) >= LEAD_MIN:
                break
            if all(text != c.text for c in lead) and _is_prose(unit) \
                    and not _PRONOUN_START.match(text) and not is_furniture(text):
                lead.append(Cited(text, [unit.article]))
    return lead


def _speaker(
    name: str | None, outlets: Sequence[str], places: set[str]
) -> str | None:
    """A quote's speaker as shown: a person or a body that speaks, never the outlet that
    reports it ("— The Courier") or a place ("— Lake County")."""
    from newsweave.reuse.attribution import is_medium, same_source

    if not name:
        return None
    if name.lower() in places or is_medium(name) or any(same_source(name, o) for o in outlets):
        return None
    return name


def _quotes(
    check: CrossCheck, quotes: Sequence[Quote], facts: Sequence[ClaimGroup],
    entities: Sequence[Entity] = (),
) -> list[QuoteGroup]:
    story_ids = {a.id for a in check.articles}
    outlets = sorted({a.outlet for a in check.articles if a.outlet})
    places = {n.lower() for e in entities if e.type in ("GPE", "LOC", "FAC")
              for n in (e.name, *e.aliases)}
    people = {n.lower() for e in entities if e.type in ("PERSON", "ORG", "NORP")
              for n in (e.name, *e.aliases)}
    places -= people  # a name the story also gives a person or a body can speak
    groups = []
    for quote in quotes:
        cites = sorted({a for a in quote.articles if a in story_ids})
        if not cites or not quote.direct:
            continue  # indirect speech is already among the claims
        variants = [ClaimVariant(_standalone(v.text), [v.article]) for v in quote.variants
                    if v.article in story_ids and v.text != quote.text]
        groups.append(QuoteGroup(_standalone(quote.text),
                                 _speaker(quote.speaker, outlets, places), cites, variants))
    if not groups:  # no extract stage output: quoted claims, speaker unknown
        groups = [QuoteGroup(display_text(g.first), None, g.articles)
                  for g in facts if g.first.is_quote]
    groups.sort(key=lambda q: -len(q.cites))
    return groups


TIMELINE_MAX = 15  # entries in a brief's timeline: the best-scored dates


def _timeline(
    check: CrossCheck, event_dates: Mapping[int, Sequence[tuple[date, int, int]]] | None
) -> list[TimelineEntry]:
    """The story's dated timeline (:func:`story_timeline`, the function Timeline17 measures);
    each entry cites its sentence's article and the articles whose claims align with it,
    and is dated by those and every article reporting the same event on that day."""
    group_of = {id(u): g for g in check.groups for u in g.units}
    units_of = check.claims
    entries = []
    for pick in story_timeline(check.articles, TIMELINE_MAX, event_dates=event_dates):
        sentence = pick.sentence
        cites = {sentence.article}
        for unit in units_of.get(sentence.article, []):
            if unit.start < sentence.end and sentence.start < unit.end:
                group = group_of.get(id(unit))
                if group is not None:
                    cites.update(group.articles)
        text = balance_quotes(strip_dateline(sentence.text))
        if is_furniture(text):
            continue  # a dated photo caption is no event
        dating = [Passage(s.article, s.start, s.end, s.text) for s in pick.dated
                  if not is_furniture(strip_dateline(s.text))]
        entries.append(TimelineEntry(pick.date.isoformat(), text, sorted(cites),
                                     dating=dating))
    return entries


def _entities(check: CrossCheck, entities: Sequence[Entity]) -> list[dict[str, Any]]:
    story_ids = {a.id for a in check.articles}
    if entities:
        rows = []
        for entity in entities:
            cites = sorted(a for a in entity.articles if a in story_ids)
            if cites:
                rows.append({"name": entity.name, "type": entity.type,
                             "aliases": [a for a in entity.aliases if a != entity.name],
                             "cites": cites})
        rows.sort(key=lambda r: (-len(r["cites"]), r["name"]))
        return rows
    counts: Counter[tuple[str, str]] = Counter()
    cites: dict[tuple[str, str], set[int]] = {}
    for units in check.claims.values():
        for unit in units:
            typed = set(unit.people) | set(unit.places)
            # Without the extract stage's types, names stay untyped ("NAME"), not lost.
            untyped = [n for n in unit.names if n not in typed]
            for kind, names in (("PERSON", unit.people), ("GPE", unit.places),
                                ("NAME", untyped)):
                for name in names:
                    counts[(name, kind)] += 1
                    cites.setdefault((name, kind), set()).add(unit.article)
    return [{"name": n, "type": k, "aliases": [], "cites": sorted(cites[(n, k)])}
            for (n, k), _ in counts.most_common(30)]


def _sources(check: CrossCheck, derived_from: Mapping[int, int | None] | None) -> list[Source]:
    rows = []
    for article in check.articles:
        origins = check.origin_of.get(article.id) or [article.id]
        parent = (derived_from or {}).get(article.id)
        if parent is None and origins[0] != article.id:
            parent = origins[0]
        rows.append(Source(article.id, article.outlet, article.published, origins[0], parent,
                           article.title))
    return rows
