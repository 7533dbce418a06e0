"""The brief of one story, built from its cross-check: every sentence taken from a source.

Nothing here is written fresh: the lead, the key facts, the contested points,
the quotes and the timeline entries are source sentences (a dateline cut off
at most), each with the articles that carry it as ``cites``. The support
check (:mod:`newsweave.brief.support`) then verifies every citation.

The brief's data types are in :mod:`newsweave.brief.document`, how a sentence is
shown in :mod:`newsweave.brief.sentences`, the sections besides the claims in
:mod:`newsweave.brief.sections`; this module builds the claims and the whole, and
re-exports the names it always had.

Stable API: :class:`Brief`, :class:`Cited`, :class:`QuoteGroup`,
:class:`Source`, :func:`build_brief`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from newsweave.brief.document import (
    Brief,
    Cited,
    FigureView,
    QuoteGroup,
    Source,
    TimelineEntry,
)
from newsweave.brief.sections import (
    LEAD_MAX,
    LEAD_MIN,
    TIMELINE_MAX,
    _entities,
    _lead,
    _quotes,
    _sources,
    _timeline,
)
from newsweave.brief.sentences import (
    _PRONOUN_START,
    _is_statement,
    _mostly_quoted,
    balance_quotes,
    display_text,
    is_furniture,
    strip_dateline,
    with_antecedent,
)
from newsweave.crosscheck.align import COSINE_CUTS
from newsweave.crosscheck.claims import ClaimUnit
from newsweave.crosscheck.status import ClaimGroup, CrossCheck, count_origins
from newsweave.model import Claim, ClaimVariant, Entity, Quote


def build_brief(
    story: int,
    title: str,
    check: CrossCheck,
    *,
    quotes: Sequence[Quote] = (),
    entities: Sequence[Entity] = (),
    derived_from: Mapping[int, int | None] | None = None,
    event_dates: Mapping[int, Sequence[tuple[date, int, int]]] | None = None,
) -> Brief:
    """Assemble the brief of ``story`` from its cross-check and the extract stage's output.

    ``derived_from`` maps an article to the article it copies or rewrites (the
    reuse stage's edges); ``event_dates`` maps an article to its resolved event
    dates with character spans (the extract stage); without them, sources fall
    back to origins and dates are resolved here from each claim's words.
    """
    origin_of = check.origin_of
    conflicts = _conflict_claims(check)
    touched = {id(u) for c in check.conflicts if not c.update for side in c.variants
               for u in side}
    facts = [g for g in check.groups if not any(id(u) in touched for u in g.units)]
    key_facts = [g for g in facts if len(g.articles) >= 2 and _is_statement(g.first)
                 and not _mostly_quoted(g.first) and not is_furniture(display_text(g.first))]
    texts = {a.id: a.text for a in check.articles}
    position = {a.id: i for i, a in enumerate(check.articles)}
    made = [_fact(g, texts, origin_of, position, check.claims) for g in key_facts]
    claims = conflicts + [c for c in made if c is not None]
    brief = Brief(
        story=story,
        title=title,
        lead=_lead(check, key_facts, claims),
        claims=claims,
        quotes=_quotes(check, quotes, facts, entities),
        timeline=_timeline(check, event_dates),
        entities=_entities(check, entities),
        sources=_sources(check, derived_from),
        independent_origins=count_origins([a.id for a in check.articles], origin_of),
        figures=_figures(check),
    )
    for outlet, groups in sorted(check.unique.items()):
        items = [Cited(text, g.articles) for g in groups
                 if _is_statement(g.first) and not is_furniture(display_text(g.first))
                 and not _from_origin(g, texts, origin_of, check.claims, check.vectors,
                                      COSINE_CUTS[check.vector_model]["origin_cosine"])
                 and (text := with_antecedent(g.first, check.claims)) is not None]
        if items:
            brief.unique[outlet] = _merge_led(items)
    for outlet, groups in sorted(check.omissions.items()):
        left_out = [display_text(g.first) for g in groups if _is_statement(g.first)]
        if left_out:
            brief.omissions[outlet] = left_out
    return brief


def _merge_led(items: list[Cited]) -> list[Cited]:
    """A detail shown with the sentence before it replaces that sentence shown alone."""
    out: list[Cited] = []
    for item in items:
        if out and item.text.startswith(out[-1].text + " "):
            out[-1] = Cited(item.text, sorted(set(out[-1].cites) | set(item.cites)))
        else:
            out.append(item)
    return out


def _fact(
    group: ClaimGroup,
    texts: Mapping[int, str],
    origin_of: Mapping[int, Sequence[int]],
    position: Mapping[int, int],
    claims: Mapping[int, Sequence[ClaimUnit]],
) -> Claim | None:
    """A key fact in the wording most of its carriers support; other wordings as variants.
    A wording that opens with a pronoun comes with the sentence that names who it is."""
    wordings = _wordings(group.units, None, texts, origin_of, position, claims)
    if any(_PRONOUN_START.match(w.text) for w in wordings):
        return None  # no antecedent to show
    citing = [{"article": a, "outlet": o} for a, o in sorted(group.citing.items())]
    source = group.relayed or next((u.source for u in group.units if u.source), None)
    shared = group.relayed is not None and group.origins >= 2
    if not wordings:
        return Claim(display_text(group.first), group.status, group.articles, group.origins,
                     source=source, source_shared=shared, citing=citing)
    main, *others = wordings
    return Claim(main.text, group.status, main.cites, group.origins, variants=others,
                 source=source, source_shared=shared, citing=citing)


def _figures(check: CrossCheck) -> list[FigureView]:
    """The story's quantities given by two articles or more, or disputed."""
    views = []
    for figure in check.figures:
        carriers = {u.article for _, units in figure.values for u in units}
        if len(carriers) < 2 and figure.status == "single-source":
            continue
        values = [{"value": value, "cites": sorted({u.article for u in units}),
                   "independent_origins": count_origins([u.article for u in units],
                                                        check.origin_of)}
                  for value, units in figure.values]
        views.append(FigureView(figure.label, figure.status, values))
    return views


def _from_origin(
    group: ClaimGroup,
    texts: Mapping[int, str],
    origin_of: Mapping[int, Sequence[int]],
    claims: Mapping[int, Sequence[ClaimUnit]],
    vectors: Mapping[str, Any],
    origin_cosine: float,
) -> bool:
    """Whether a rewrite's or translation's "unique" claim is its source's sentence reworded
    (alignment missed it, but the source article supports it): then it is not unique."""
    from newsweave.brief.support import find_support  # support imports this module

    for unit in group.units:
        mine = vectors.get(unit.text)
        for origin in origin_of.get(unit.article) or []:
            if origin == unit.article or origin not in texts:
                continue
            if find_support(display_text(unit), origin, texts[origin]) is not None:
                return True
            # A translation shares few words with its source: compare meaning instead.
            if mine is not None and any(
                float(mine @ vectors[u.text]) >= origin_cosine
                for u in claims.get(origin, []) if u.text in vectors
            ):
                return True
    return False


_WORDINGS_PER_VALUE = 3


def _conflict_claims(check: CrossCheck) -> list[Claim]:
    """One contested claim per conflict; per value, the wordings that cover its carriers.

    A variant's ``cites`` must each support its *text*, so a value carried in
    different words (the wire's sentence and an independent report's) becomes
    several variants with the same ``value``: every carrier is cited with a
    sentence it really says.
    """
    texts = {a.id: a.text for a in check.articles}
    position = {a.id: i for i, a in enumerate(check.articles)}
    claims = []
    for conflict in check.conflicts:
        if conflict.update:
            continue  # shown among the figures as an update, not as a dispute
        variants: list[ClaimVariant] = []
        for side, value in zip(conflict.variants, _labels(conflict), strict=True):
            variants += _wordings(side, value, texts, check.origin_of, position, check.claims)
        if len({v.value for v in variants}) < 2:
            continue
        cites = sorted({a for v in variants for a in v.cites})
        claims.append(
            Claim(
                text=variants[0].text,
                status="contested",
                cites=variants[0].cites,
                independent_origins=count_origins(cites, check.origin_of),
                variants=variants,
                kind=conflict.kind,
                subject=conflict.slot or None,
            )
        )
    return claims


def _labels(conflict: Any) -> list[str]:
    values = list(conflict.values)
    return values + [f"variant {i + 1}" for i in range(len(values), len(conflict.variants))]


def _wordings(
    side: Sequence[ClaimUnit],
    value: str | None,
    texts: Mapping[int, str],
    origin_of: Mapping[int, Sequence[int]],
    position: Mapping[int, int],
    claims: Mapping[int, Sequence[ClaimUnit]] | None = None,
) -> list[ClaimVariant]:
    """Sentences of ``side`` chosen greedily to cover most of its articles, originals first."""
    from newsweave.brief.support import find_support  # support imports this module

    carriers = {u.article for u in side}
    shown = {id(u): (with_antecedent(u, claims) if claims is not None else None)
             or display_text(u) for u in side}
    candidates = sorted(side, key=lambda u: (
        (origin_of.get(u.article) or [u.article])[0] != u.article,
        position.get(u.article, 0), u.index))
    covers = {
        id(u): {a for a in carriers
                if a == u.article or find_support(shown[id(u)], a, texts.get(a, "")) is not None}
        for u in candidates
    }
    out: list[ClaimVariant] = []
    left = set(carriers)
    while left and len(out) < _WORDINGS_PER_VALUE:
        best = max(candidates, key=lambda u: len(covers[id(u)] & left))
        gained = covers[id(best)] & left
        if not gained:
            break
        out.append(ClaimVariant(shown[id(best)], sorted(covers[id(best)]), value=value))
        left -= gained
    return out



__all__ = ["LEAD_MAX", "LEAD_MIN", "TIMELINE_MAX", "Brief", "Cited", "FigureView",
           "QuoteGroup", "Source", "TimelineEntry", "balance_quotes", "build_brief",
           "display_text", "is_furniture", "strip_dateline", "with_antecedent"]
