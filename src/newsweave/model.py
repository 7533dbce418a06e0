"""The shared vocabulary of newsweave: what flows between the stages.

Every stage reads and writes these types; none of them knows about SQLite,
HTTP or the command line. Field names here are the field names of the JSON
output, so they are part of the stable interface.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece of input the cleaner took out of an article body, and why.

    ``reason`` is a stable code (see :data:`newsweave.clean.REASONS`), so a
    reader can filter the log; ``text`` is the removed text itself.
    """

    text: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "reason": self.reason}


@dataclass(slots=True)
class Cleaned:
    """What the cleaning stage makes of one input document.

    ``text`` is the article body: paragraphs separated by a blank line, no
    headline. Metadata fields are ``None`` where the cleaner found nothing;
    it never invents a value.
    """

    text: str
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date or datetime
    published_how: str | None = None  # e.g. "html-meta", "dateline"
    outlet: str | None = None
    outlet_how: str | None = None  # e.g. "html-meta", "signature"
    url: str | None = None
    language: str | None = None


@dataclass(slots=True)
class Article:
    """One stored article: its raw input, its clean body and its metadata."""

    id: int | None
    content_hash: str
    raw: str
    raw_format: str  # "text" | "html" | "json" | "feed"
    text: str
    source: str  # the path or URL the input came from, as given
    external_id: str | None = None
    title: str | None = None
    outlet: str | None = None
    outlet_how: str | None = None
    url: str | None = None
    author: str | None = None
    published: str | None = None
    published_how: str | None = None
    language: str | None = None
    removed: list[Removal] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    ingested_at: str | None = None

    def to_dict(self, *, raw: bool = False) -> dict[str, Any]:
        """The article as JSON-ready data (the stable ``--json`` shape). ``skipped``: the
        components its language routed it past, with their stage and why
        (:func:`newsweave.nlp.language.skipped_components`)."""
        from newsweave.nlp.language import skipped_components

        data = asdict(self)
        data["removed"] = [r.to_dict() for r in self.removed]
        data["skipped"] = skipped_components(self.language)
        if not raw:
            data.pop("raw")
        return data


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that could not become an article, with a reason for a human."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did: new article ids, already-known ones, rejections."""

    new: list[int] = field(default_factory=list)
    known: list[int] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "known": self.known,
            "rejected": [{"source": r.source, "reason": r.reason} for r in self.rejected],
        }


# -- what the analysis stages add ------------------------------------------------
# Field names are the JSON field names the issues fix; each type has to_dict().


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of one article's clean text (character offsets into ``Article.text``)."""

    article: int
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        # What asdict gives, written out: asdict copies each field recursively, and the reuse
        # store writes two passages per aligned sentence (a tenth of ingest CPU at 38k).
        return {"article": self.article, "start": self.start, "end": self.end,
                "text": self.text}


@dataclass(slots=True)
class Evidence:
    """An aligned pair of passages behind a derivation edge, with its similarity."""

    derived_passage: Passage
    source_passage: Passage
    score: float
    kind: str = "verbatim"  # "verbatim" | "edited" | "paraphrase" | "quote"

    def to_dict(self) -> dict[str, Any]:
        return {
            "derived_passage": self.derived_passage.to_dict(),
            "source_passage": self.source_passage.to_dict(),
            "score": round(self.score, 4),
            "kind": self.kind,
        }


@dataclass(slots=True)
class Attribution:
    """A source an article names for its content ("Reuters reported", "(UPI)")."""

    article: int
    name: str  # the outlet, agency or person named
    kind: str  # "outlet" | "agency" | "person" | "statement" | "photo-credit" | "dateline"
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Edge:
    """A relation between two articles; for copy/rewrite/translation, ``derived`` comes from
    ``source``."""

    derived: int
    source: int
    # "copy" | "rewrite" | "translation" | "shared-quotes" | "same-event" (one event in
    # two languages: not provenance) | "independent"
    kind: str
    confidence: float
    shared_fraction: float  # share of the derived article covered by the source
    attribution: str | None = None
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    score: float = 0.0  # how much text the pair shares, 0..1 (reuse stage)

    def to_dict(self) -> dict[str, Any]:
        return {
            "derived": self.derived,
            "source": self.source,
            "kind": self.kind,
            "confidence": round(self.confidence, 4),
            "shared_fraction": round(self.shared_fraction, 4),
            "attribution": self.attribution,
            "reasons": list(self.reasons),
            "evidence": [e.to_dict() for e in self.evidence],
            "score": round(self.score, 4),
        }


@dataclass(slots=True)
class Neighbour:
    """An article near another one (``newsweave similar``), with how they relate."""

    article: int
    outlet: str | None
    title: str | None
    relation: str  # "copy of", "source (rewrite)", "shared-quotes", "related", ...
    score: float  # relatedness 0..1: embedding similarity raised by shared text
    cosine: float | None = None
    shared_fraction: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["score"] = round(self.score, 4)
        data["cosine"] = None if self.cosine is None else round(self.cosine, 4)
        data["shared_fraction"] = round(self.shared_fraction, 4)
        return data


@dataclass(slots=True)
class Story:
    """Articles about one real-world event."""

    id: int
    title: str
    articles: list[int]
    outlets: list[str]
    first_published: str | None
    last_published: str | None
    independent_origins: int
    entities: list[str] = field(default_factory=list)
    merged_into: int | None = None
    # How clearly it stands apart (newsweave.stories.user): 0 doubtful .. 1 clear.
    confidence: float | None = None
    cohesion: float | None = None  # mean similarity of its articles to each other
    nearest_story: int | None = None  # the story closest to the bar of joining it
    nearest_similarity: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Entity:
    """One real-world referent with its canonical name and every spelling seen."""

    id: int
    name: str
    type: str  # "PERSON" | "ORG" | "GPE" | "LOC" | "NORP" | "EVENT" | ...
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    articles: dict[int, int] = field(default_factory=dict)  # article id -> mentions

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["articles"] = {str(k): v for k, v in self.articles.items()}
        return data


@dataclass(slots=True)
class QuoteVariant:
    article: int
    text: str
    start: int = -1
    end: int = -1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Quote:
    """One statement, as carried by one or more articles (verbatim, trimmed, paraphrased)."""

    id: int
    text: str
    speaker: str | None
    cue: str | None
    articles: list[int] = field(default_factory=list)
    variants: list[QuoteVariant] = field(default_factory=list)
    direct: bool = True

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["variants"] = [v.to_dict() for v in self.variants]
        return data


@dataclass(slots=True)
class ClaimVariant:
    text: str
    cites: list[int]
    # The cited passages that support the text (set by the brief's support check).
    evidence: list[Passage] = field(default_factory=list)
    # For a contested claim: what this variant says ("14", "Victor Ortiz"); several
    # variants (different wordings) may share one value.
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Claim:
    """A fact reported in a story, grouped across articles, with its cross-check status."""

    text: str
    status: str  # "corroborated" | "contested" | "single-source"
    cites: list[int]
    independent_origins: int
    variants: list[ClaimVariant] = field(default_factory=list)
    kind: str | None = None  # for contested claims: "number" | "person" | "negation" | ...
    evidence: list[Passage] = field(default_factory=list)
    # Who really said it: the named source the claim is attributed to ("Ministry of ..."),
    # whether every origin relays that one source, and the articles that only cite
    # another outlet for it ({"article": 9, "outlet": "The Valley Courier"}): no origin.
    source: str | None = None
    source_shared: bool = False
    citing: list[dict[str, Any]] = field(default_factory=list)
    subject: str | None = None  # for contested claims: what differs ("people killed")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["variants"] = [v.to_dict() for v in self.variants]
        return data


@dataclass(slots=True)
class StanceResult:
    """How a text holds a claim: ``stance`` is "supports" | "contradicts" | "discusses" |
    "unrelated"; ``evidence`` the passage that decides it (character offsets ``start``/``end``
    into the text; None when unrelated); ``score`` the confidence 0..1."""

    stance: str
    score: float
    evidence: str | None
    start: int | None = None
    end: int | None = None
    article: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class CheckOrigin:
    """One independent origin's articles that hold a checked claim (each with its stance)."""

    origin: int  # the id of the origin's original article
    stance: str  # the origin's stance: "contradicts" if any article contradicts, else ...
    articles: list[StanceResult] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"origin": self.origin, "stance": self.stance, "outlets": self.outlets,
                "articles": [a.to_dict() for a in self.articles]}


@dataclass(slots=True)
class ClaimCheck:
    """A claim checked against the store: ``verdict`` is "corroborated" (>= 2 independent
    origins support it and none contradicts), "contested" (some origin contradicts it),
    "single-source" (one origin supports it) or "unverified" (nothing found)."""

    claim: str
    verdict: str
    origins: list[CheckOrigin] = field(default_factory=list)
    searched: int = 0  # candidate articles read
    story: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "verdict": self.verdict, "story": self.story,
                "searched": self.searched, "origins": [o.to_dict() for o in self.origins]}
