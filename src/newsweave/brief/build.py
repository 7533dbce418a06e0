"""The brief of one story, built from its cross-check: every sentence taken from a source.

Nothing here is written fresh: the lead, the key facts, the contested points,
the quotes and the timeline entries are source sentences (a dateline cut off
at most), each with the articles that carry it as ``cites``. The support
check (:mod:`newsweave.brief.support`) then verifies every citation.

Stable API: :class:`Brief`, :class:`Cited`, :class:`QuoteGroup`,
:class:`Source`, :func:`build_brief`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from newsweave.brief.timeline import story_timeline
from newsweave.crosscheck.align import COSINE_CUTS
from newsweave.crosscheck.claims import ClaimUnit
from newsweave.crosscheck.status import ClaimGroup, CrossCheck, count_origins
from newsweave.model import Claim, ClaimVariant, Entity, Passage, Quote

LEAD_MIN, LEAD_MAX = 3, 6
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+(?:,[^.\n]{0,60}?)?\s*(?:--|—|–)\s+")


@dataclass(slots=True)
class Cited:
    """A sentence of the brief with the articles that support it."""

    text: str
    cites: list[int]
    evidence: list[Passage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "cites": list(self.cites),
                "evidence": [p.to_dict() for p in self.evidence]}


@dataclass(slots=True)
class TimelineEntry:
    date: str  # ISO date
    text: str
    cites: list[int]  # the articles that state the sentence (support-checked)
    evidence: list[Passage] = field(default_factory=list)
    # Each article's own sentence that puts this event on this date, in whatever words
    # it uses (newsweave.brief.timeline.same_event): what corroborates the *date*.
    dating: list[Passage] = field(default_factory=list)

    @property
    def dated_by(self) -> list[int]:
        """The articles that give this event this date: the cited ones and ``dating``'s."""
        return sorted(set(self.cites) | {p.article for p in self.dating})

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "text": self.text, "cites": list(self.cites),
                "evidence": [p.to_dict() for p in self.evidence],
                "dated_by": list(self.dated_by), "dating": [p.to_dict() for p in self.dating]}


@dataclass(slots=True)
class QuoteGroup:
    text: str
    speaker: str | None
    cites: list[int]
    variants: list[ClaimVariant] = field(default_factory=list)
    evidence: list[Passage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "speaker": self.speaker, "cites": list(self.cites),
                "variants": [v.to_dict() for v in self.variants],
                "evidence": [p.to_dict() for p in self.evidence]}


@dataclass(slots=True)
class Source:
    article: int
    outlet: str | None
    published: str | None
    origin: int
    derived_from: int | None
    title: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class FigureView:
    """One quantity of the story with each value given and who gives it."""

    label: str  # what is counted: "people killed"
    status: str  # "corroborated" | "single-source" | "contested" | "updated"
    values: list[dict[str, Any]]  # {"value", "cites", "independent_origins"}, main first

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "status": self.status,
                "values": [dict(v) for v in self.values]}


@dataclass(slots=True)
class Brief:
    """The cited brief of one story; ``to_dict()`` is the JSON of docs/schema/brief.json."""

    story: int
    title: str
    lead: list[Cited]
    claims: list[Claim]
    quotes: list[QuoteGroup]
    timeline: list[TimelineEntry]
    entities: list[dict[str, Any]]
    sources: list[Source]
    unique: dict[str, list[Cited]] = field(default_factory=dict)
    omissions: dict[str, list[str]] = field(default_factory=dict)
    independent_origins: int = 0
    support: dict[str, int] = field(default_factory=dict)
    figures: list[FigureView] = field(default_factory=list)

    @property
    def contested(self) -> list[Claim]:
        return [c for c in self.claims if c.status == "contested"]

    def sentences(self) -> list[Any]:
        """Every cited item of the brief (what the support check verifies)."""
        items: list[Any] = [*self.lead, *self.claims, *self.quotes, *self.timeline]
        items += [v for c in self.claims for v in c.variants]
        items += [v for q in self.quotes for v in q.variants]
        items += [c for cited in self.unique.values() for c in cited]
        return items

    def to_dict(self) -> dict[str, Any]:
        return {
            "story": self.story,
            "title": self.title,
            "independent_origins": self.independent_origins,
            "lead": [c.to_dict() for c in self.lead],
            "claims": [_claim_dict(c) for c in self.claims],
            "quotes": [q.to_dict() for q in self.quotes],
            "timeline": [t.to_dict() for t in self.timeline],
            "entities": self.entities,
            "sources": [s.to_dict() for s in self.sources],
            "unique": [
                {"outlet": outlet, "claims": [c.to_dict() for c in items]}
                for outlet, items in self.unique.items()
            ],
            "omissions": [
                {"outlet": outlet, "claims": list(texts)}
                for outlet, texts in self.omissions.items()
            ],
            "support": dict(self.support),
            "figures": [f.to_dict() for f in self.figures],
        }


def _claim_dict(claim: Claim) -> dict[str, Any]:
    return {
        "text": claim.text,
        "status": claim.status,
        "kind": claim.kind,
        "cites": list(claim.cites),
        "independent_origins": claim.independent_origins,
        "variants": [
            {"text": v.text, "value": v.value, "cites": list(v.cites),
             "evidence": [p.to_dict() for p in v.evidence]}
            for v in claim.variants
        ],
        "evidence": [p.to_dict() for p in claim.evidence],
        "source": claim.source,
        "source_shared": claim.source_shared,
        "citing": [dict(c) for c in claim.citing],
        "subject": claim.subject,
    }


def display_text(unit: ClaimUnit) -> str:
    """A claim as the brief shows it: the source sentence without its dateline, its
    quotation marks balanced."""
    return balance_quotes(strip_dateline(unit.text))


def balance_quotes(text: str) -> str:
    """A sentence cut out of a longer quotation gets back the mark it lost.

    >>> balance_quotes("First the roar, and then the street was a river,” said Perez.")
    '“First the roar, and then the street was a river,” said Perez.'
    >>> balance_quotes('He said: "We will rebuild.')
    'He said: "We will rebuild."'
    """
    opening, closing = text.count("“"), text.count("”")
    if closing > opening:
        text = "“" * (closing - opening) + text
    elif opening > closing:
        text = text + "”" * (opening - closing)
    if text.count('"') % 2:
        first = text.index('"')
        # A mark that opens the sentence (or follows a colon) lost its end; one further
        # in closed a quotation that began in the sentence before.
        opens = first == 0 or text[:first].rstrip().endswith(":")
        text = text + '"' if opens else '"' + text
    return text


_PRONOUN_START = re.compile(
    r"^(?:He|She|They|His|Her|Their|Him|Them)\b")  # a person the sentence does not name
_PHOTO_PROMPT = re.compile(
    r"^\W*(?:[A-Z]\w*\s+)?(?i:photos?|photographs?|pictures?|images?|videos?)\b[\s:|]+[A-Z(]")


def is_furniture(text: str) -> bool:
    """A caption, photo prompt, credit or byline ("Buy Photo Wayne County ...", "Photo:
    ...", "By Jane Roe"), never a fact of the story."""
    from newsweave.clean.rules import classify_block  # the cleaner's own tests

    return bool(_PHOTO_PROMPT.match(text)) or classify_block(text) is not None


def with_antecedent(unit: ClaimUnit, claims: Mapping[int, Sequence[ClaimUnit]]) -> str | None:
    """The claim's text, led by the sentence before it when it opens with a pronoun
    ("He said it was too early ..." needs who "he" is); None when there is none."""
    text = display_text(unit)
    if not _PRONOUN_START.match(text):
        return text
    units = claims.get(unit.article, [])
    before = [u for u in units if u.end <= unit.start]
    if not before:
        return None
    return f"{display_text(before[-1])} {text}"


def strip_dateline(sentence: str) -> str:
    """``sentence`` on one line, without a leading dateline ("BEIJING, Sept 19 -- ")."""
    text = " ".join(sentence.split())
    match = _DATELINE.match(text)
    if match and len(text) - match.end() > 20:
        text = text[match.end() :]
        text = text[:1].upper() + text[1:]
    return text


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


def _mostly_quoted(unit: ClaimUnit) -> bool:
    """A sentence that is mostly a quotation belongs with the quotes, not the facts."""
    quoted = sum(len(m) for m in re.findall(r"[“\"][^”\"]*[”\"]?", unit.text))
    return unit.is_quote or quoted >= 0.4 * len(unit.text) or unit.text.count("”") > \
        unit.text.count("“")


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


_QUOTE_MARKS = "\"“”«»„"


def _is_statement(unit: ClaimUnit) -> bool:
    """A sentence that states something (not a headline, menu or share bar)."""
    text = display_text(unit)
    words = text.split()
    if len(words) < 6 or text[-1:] not in ".!?\"”’" or "|" in text:
        return False
    return sum(w[:1].islower() for w in words) >= 0.4 * len(words)


def _is_prose(unit: ClaimUnit) -> bool:
    """A full reported sentence fit for the lead: no quotation, no page furniture."""
    return not unit.is_quote and _prose_text(display_text(unit))


def _prose_text(text: str) -> bool:
    words = text.split()
    if len(words) < 8 or any(q in text for q in _QUOTE_MARKS):
        return False
    if text[-1:] not in ".!?" or "|" in text:
        return False
    lower = sum(w[:1].islower() for w in words)
    return lower >= 0.5 * len(words)


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


def _standalone(quoted: str) -> str:
    """A quotation shown on its own: the comma that led into "..., he said" becomes a stop.

    >>> _standalone("We will not stop until everyone is found,")
    'We will not stop until everyone is found.'
    """
    return re.sub(r"\s*[,;:]\s*$", ".", quoted.strip())


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


__all__ = ["Brief", "Cited", "FigureView", "QuoteGroup", "Source", "TimelineEntry",
           "balance_quotes", "build_brief", "display_text", "is_furniture", "strip_dateline",
           "with_antecedent"]
