"""The brief as data: its cited sentences, quotes, timeline entries, sources and
figures, and the JSON of ``docs/schema/brief.json`` (``Brief.to_dict``).

Built by :mod:`newsweave.brief.build`, which re-exports these names.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from newsweave.model import Claim, ClaimVariant, Passage


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
