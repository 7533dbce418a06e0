"""The cross-check of one story: claim groups, their status, conflicts, unique details.

Pure functions over the story's articles: nothing here reads the store, so the
same code serves the stage, the engine's ``brief()`` and the benchmarks.

* A **group** is a set of claims from different articles that report the same
  fact (:func:`newsweave.crosscheck.align.same_fact`, with embeddings when given).
* **Independent origins** are counted with the reuse stage's origins: a copy or
  rewrite of a wire story shares the wire's origin, so it adds nothing.
* A group is ``corroborated`` with two or more origins, ``single-source``
  with one, and ``contested`` where a conflict (:mod:`.compare`) touches it.
* **Unique details**: groups only one outlet reports; **omissions**: outlets
  of the story that leave out a corroborated group.

Stable API: :class:`StoryArticle`, :class:`ClaimGroup`, :class:`CrossCheck`,
:func:`cross_check`, :func:`count_origins`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from newsweave.crosscheck.align import (
    COSINE_CUTS,
    PairCache,
    pack_pairs,
    pairs_key,
    score_at_least,
    threshold,
    tokens,
    unpack_pairs,
)
from newsweave.crosscheck.claims import ClaimUnit, describe_quantities, split_claims
from newsweave.crosscheck.compare import (
    Conflict,
    Figure,
    Similarity,
    default_similarity,
    find_conflicts,
    find_figures,
)
from newsweave.crosscheck.frames import ClaimFramer
from newsweave.crosscheck.sources import Attributed, cited_outlet
from newsweave.nlp.language import runs_english
from newsweave.reuse.attribution import same_source

Embedder = Callable[[Sequence[str]], np.ndarray]
_PREFILTER = 0.2  # share of content words in common below which a pair is not scored


@dataclass(slots=True)
class StoryArticle:
    """What the cross-check needs of one article."""

    id: int
    text: str
    outlet: str | None = None
    published: str | None = None
    title: str | None = None
    language: str | None = None  # English-only claim rules skip other languages


@dataclass(slots=True)
class ClaimGroup:
    """Claims from several articles reporting one fact."""

    units: list[ClaimUnit]
    origins: int
    status: str  # "corroborated" | "single-source" | "contested"
    conflict: Conflict | None = None
    # Articles that attribute the claim to another outlet (article -> that outlet):
    # they cite it, so they add no origin of their own.
    citing: dict[int, str] = field(default_factory=dict)
    relayed: str | None = None  # the one named source every carrier gives, if any

    @property
    def articles(self) -> list[int]:
        return sorted({u.article for u in self.units})

    @property
    def first(self) -> ClaimUnit:
        return self.units[0]


@dataclass(slots=True)
class CrossCheck:
    """Everything the brief is built from."""

    articles: list[StoryArticle]
    claims: dict[int, list[ClaimUnit]]
    groups: list[ClaimGroup]
    conflicts: list[Conflict]
    origin_of: dict[int, list[int]]
    unique: dict[str, list[ClaimGroup]] = field(default_factory=dict)
    omissions: dict[str, list[ClaimGroup]] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # claim text -> embedding
    figures: list[Figure] = field(default_factory=list)  # each quantity and its values
    vector_model: str = "embedding"  # the "same fact" model ``vectors`` are read with


def embedder_model(embedder: Embedder | None) -> str:
    """The "same fact" model an embedder's vectors go with: its ``model`` attribute
    (:class:`newsweave.crosscheck.align.ClaimEmbedder`), else e5's ("embedding")."""
    return str(getattr(embedder, "model", "embedding"))


def count_origins(article_ids: Sequence[int], origin_of: Mapping[int, Sequence[int]]) -> int:
    """Independent origins behind ``article_ids``: a derived article adds nothing new
    when one of its origins is already counted.

    >>> count_origins([1, 2, 3], {1: [1], 2: [1], 3: [3]})
    2
    """
    counted: set[int] = set()
    ids = sorted(set(article_ids), key=lambda a: (list(origin_of.get(a, [a])) != [a], a))
    for article in ids:
        origins = list(origin_of.get(article) or [article])
        if not counted.intersection(origins):
            counted.add(origins[0])
    return len(counted)


def cross_check(
    articles: Sequence[StoryArticle],
    origin_of: Mapping[int, Sequence[int]],
    *,
    entity_types: Mapping[str, str] | None = None,
    embedder: Embedder | None = None,
    similarity: Similarity | None = None,
    framer: ClaimFramer | None = None,
    pairs: PairCache | None = None,
) -> CrossCheck:
    """Claims, groups, statuses, conflicts, unique details and omissions of a story.

    ``similarity`` compares what figures count (:func:`.compare.find_conflicts`).
    ``framer`` and ``pairs`` read what an earlier cross-check of the same texts kept (the
    parse's frames, the scored claim pairs) and keep what they did not have: the result
    is the same with or without them (a brief prepared ahead, ``Engine.prepare_briefs``).
    """
    ordered = sorted(articles, key=_publication_order)
    origins = {a.id: list(origin_of.get(a.id) or [a.id]) for a in ordered}
    claims = {a.id: split_claims(a.id, a.text, entity_types) if runs_english(a.language)
              else [] for a in ordered}
    describe_quantities((u for units in claims.values() for u in units), framer)
    vectors: dict[str, np.ndarray] = {}
    groups = _group(ordered, claims, origins, embedder, vectors, pairs)
    _attribute_groups(groups, ordered, origins)
    texts = {a.id: a.text for a in ordered}
    first_origin = {a: o[0] for a, o in origins.items()}
    published = {a.id: a.published for a in ordered}
    similarity = similarity or default_similarity()
    figures = find_figures(claims, first_origin, published, similarity)
    conflicts = find_conflicts(claims, first_origin, texts, [g.units for g in groups],
                               published=published, similarity=similarity, figures=figures,
                               framer=framer)
    _mark_contested(groups, conflicts, origins)
    result = CrossCheck(list(ordered), claims, groups, conflicts, origins, vectors=vectors,
                        figures=figures, vector_model=embedder_model(embedder))
    _unique_and_omitted(result)
    return result


def _publication_order(article: StoryArticle) -> tuple[str, str, int]:
    """Earliest first; an unknown time of day sorts after the known times of that day,
    and an unknown date last (a date-only value must not pass for midnight)."""
    published = article.published or ""
    return (published[:10] or "9999", published[10:] or "~", article.id)


def _group(
    articles: Sequence[StoryArticle],
    claims: Mapping[int, list[ClaimUnit]],
    origins: Mapping[int, Sequence[int]],
    embedder: Embedder | None,
    keep: dict[str, np.ndarray],
    cache: PairCache | None = None,
) -> list[ClaimGroup]:
    units = [u for a in articles for u in claims[a.id]]
    index = {id(u): i for i, u in enumerate(units)}
    # Reposts repeat the wire's sentences: embed and score each distinct text once.
    distinct = list(dict.fromkeys(u.text for u in units))
    slot = {text: k for k, text in enumerate(distinct)}
    vectors = embedder(distinct) if embedder is not None and distinct else None
    if vectors is not None:
        keep.update(zip(distinct, vectors, strict=True))
    content = [set(tokens(u.text)) for u in units]
    pairs: list[tuple[float, int, int]] = []
    model = embedder_model(embedder)
    cut = threshold(embedding=vectors is not None, model=model)
    scored: dict[tuple[int, int], float | None] = {}
    # The pairs at or above the cut are all the grouping reads: kept, they spare the
    # scoring (a tenth of a first brief's time) for the same texts in the same order.
    kept_key = pairs_key(model if vectors is not None else "lexical", distinct) \
        if cache is not None and distinct else None
    blob = cache.claim_pairs(kept_key) if cache is not None and kept_key else None
    known = unpack_pairs(blob) if blob is not None else None
    for i, a in enumerate(units):
        for j in range(i + 1, len(units)):
            b = units[j]
            if a.article == b.article:
                continue
            key = (slot[a.text], slot[b.text])
            if key not in scored:
                scored[key] = known.get(key) if known is not None else _pair_score(
                    a.text, b.text, content[i], content[j], vectors, key, model, cut)
            score = scored[key]
            if score is not None and score >= cut:
                pairs.append((score, i, j))
    if cache is not None and kept_key and known is None:
        cache.save_claim_pairs(kept_key, pack_pairs(
            {k: s for k, s in scored.items() if s is not None and s >= cut}))
    # Greedy merge, best pairs first; a group holds at most one claim per article,
    # which keeps one loose pair from chaining two facts together.
    parent = list(range(len(units)))
    members: dict[int, set[int]] = {i: {units[i].article} for i in range(len(units))}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, i, j in sorted(pairs, reverse=True):
        ri, rj = root(i), root(j)
        if ri == rj or members[ri] & members[rj]:
            continue
        parent[rj] = ri
        members[ri] |= members.pop(rj)
    clusters: dict[int, list[ClaimUnit]] = {}
    for u in units:
        clusters.setdefault(root(index[id(u)]), []).append(u)
    groups = []
    for members_list in clusters.values():
        ordered = sorted(members_list, key=lambda u: (_is_copy(u.article, origins), units.index(u)))
        n = count_origins([u.article for u in ordered], origins)
        groups.append(
            ClaimGroup(ordered, n, "corroborated" if n >= 2 else "single-source")
        )
    groups.sort(key=lambda g: (-g.origins, -len(g.units), g.first.article, g.first.index))
    return groups


def _attribute_groups(
    groups: list[ClaimGroup],
    articles: Sequence[StoryArticle],
    origins: Mapping[int, Sequence[int]],
) -> None:
    """Who really said it: an article citing another outlet for a claim adds no origin
    for it (the cited outlet's does, or one of its own when it is not in the story);
    a group whose carriers all name one source says so."""
    outlet_of = {a.id: a.outlet for a in articles}
    outlets = sorted({a.outlet for a in articles if a.outlet})
    for group in groups:
        external: dict[int, str] = {}  # citing article -> an outlet outside the story
        counted: list[int] = []
        for unit in group.units:
            said = Attributed(unit.source, unit.told, unit.cites)
            cited = cited_outlet(said, outlet_of.get(unit.article), outlets)
            if cited is None:
                counted.append(unit.article)
                continue
            group.citing[unit.article] = cited
            inside = [a.id for a in articles if a.outlet and same_source(a.outlet, cited)]
            if inside:
                counted.append(inside[0])  # the cited report is the origin
            else:
                external[unit.article] = cited.lower().removeprefix("the ")
        if group.citing:
            # A copy that names the wire it took the claim from adds nothing when the
            # group already holds that copy's original.
            held = {o for a in counted for o in (origins.get(a) or [a])}
            outside = {name for a, name in external.items()
                       if not held & set(origins.get(a) or [a])}
            group.origins = count_origins(counted, origins) + len(outside)
            if group.status != "contested":
                group.status = "corroborated" if group.origins >= 2 else "single-source"
        sources = [u.source for u in group.units]
        if all(sources) and all(same_source(sources[0], s) for s in sources[1:]):  # type: ignore[arg-type]
            group.relayed = max(sources, key=len)  # type: ignore[arg-type]


def _pair_score(
    a: str, b: str, words_a: set[str], words_b: set[str], vectors: np.ndarray | None,
    key: tuple[int, int], model: str = "embedding", cut: float = 0.0,
) -> float | None:
    """Same-fact probability of two claim texts, None when the prefilter rules them out
    or when it is provably below ``cut`` (the grouping reads no pair below it)."""
    if a == b:
        return 1.0  # verbatim: the same fact (a copy), no need to score
    cosine = float(vectors[key[0]] @ vectors[key[1]]) if vectors is not None else None
    shared = len(words_a & words_b) / max(min(len(words_a), len(words_b)), 1)
    if shared < _PREFILTER and (
            cosine is None or cosine < COSINE_CUTS[model]["cosine_prefilter"]):
        return None
    return score_at_least(a, b, cut, cosine=cosine, model=model)


def _is_copy(article: int, origins: Mapping[int, Sequence[int]]) -> bool:
    return list(origins.get(article) or [article]) != [article]


def _mark_contested(
    groups: list[ClaimGroup], conflicts: list[Conflict], origins: Mapping[int, Sequence[int]]
) -> None:
    by_unit = {id(u): g for g in groups for u in g.units}
    for conflict in conflicts:
        if conflict.update:
            continue  # a later figure replaces an earlier one: nothing is disputed
        touched = [by_unit[id(u)] for side in conflict.variants for u in side if id(u) in by_unit]
        for group in touched:
            if group.conflict is None:
                group.status = "contested"
                group.conflict = conflict
        if touched:
            every = [u.article for side in conflict.variants for u in side]
            touched[0].origins = max(touched[0].origins, count_origins(every, origins))


def _unique_and_omitted(result: CrossCheck) -> None:
    outlet_of = {a.id: a.outlet or f"article {a.id}" for a in result.articles}
    outlets = sorted(set(outlet_of.values()))
    for group in result.groups:
        carried = {outlet_of[a] for a in group.articles}
        if len(carried) == 1 and group.status != "contested":
            result.unique.setdefault(next(iter(carried)), []).append(group)
        if group.status == "corroborated":
            for outlet in outlets:
                if outlet not in carried:
                    result.omissions.setdefault(outlet, []).append(group)


__all__ = ["ClaimGroup", "CrossCheck", "StoryArticle", "count_origins", "cross_check",
           "embedder_model"]
