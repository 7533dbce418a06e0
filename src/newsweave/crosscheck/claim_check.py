"""Check one claim against the store: who supports it, who contradicts it, by origin.

The candidates come from the index the reuse stage keeps, not from reading
every text: the claim is embedded once (e5 as a search query, plus the English
model for an English claim) and the nearest stored articles by the same
semantic score the reuse stage ranks with are read (:data:`CANDIDATES` of them,
or every article of the story when one is given). Each candidate's stance
(:mod:`.stance`) decides whether it counts; the ones that hold the claim are
grouped by independent origin (an original and everything copied from it count
once), and the verdict follows from the origins:

* **corroborated**: two or more independent origins support it and none contradicts;
* **contested**: some origin contradicts it;
* **single-source**: one origin supports it and none contradicts;
* **unverified**: no article supports or contradicts it (some may discuss it).

Stable API: :data:`CANDIDATES`, :func:`check_claim`, :func:`verdict_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from newsweave.crosscheck.stance import analyse_claim, stance_of
from newsweave.crosscheck.stance_batch import BodyCache
from newsweave.model import Article, CheckOrigin, ClaimCheck, StanceResult

CANDIDATES = 50  # nearest articles read per claim: stance costs a few ms each
# Analysed bodies kept between checks (by content, so an edited text is analysed anew): a
# fact-checker's claims about one story keep reading the same articles.
_BODIES = BodyCache(2048)
_ORDER = {"contradicts": 0, "supports": 1, "discusses": 2}


def find_candidates(index: object, claim: str, k: int = CANDIDATES) -> list[int]:
    """Ids of the ``k`` stored articles nearest to ``claim`` in the reuse stage's index
    (:class:`newsweave.reuse.semantic.SemanticIndex`, refreshed by the caller).

    The claim is embedded only by the models whose index holds vectors (an English-only
    store has no e5 vectors: that query would score nothing), and a large store is searched
    through its coarse lists (``approximate``: the exact top 50's recall is measured in
    docs/benchmarks.md, part 7)."""
    from newsweave.nlp import english
    from newsweave.nlp.embed import embed

    has_lead, has_english = index.searchable()  # type: ignore[attr-defined]
    lead = embed([claim], kind="query")[0] if has_lead else None
    english_vector = None
    if has_english and english.available():
        english_vector = english.embed_english([claim])[0]
    found = index.nearest([lead], [english_vector], k, -1.0,  # type: ignore[attr-defined]
                          approximate=True)
    return [i for i, _ in found[0]][:k] if found else []


def verdict_of(origins: Sequence[CheckOrigin]) -> str:
    """The verdict from the origins' stances (see the module's docstring)."""
    stances = [o.stance for o in origins]
    if "contradicts" in stances:
        return "contested"
    support = stances.count("supports")
    if support >= 2:
        return "corroborated"
    return "single-source" if support == 1 else "unverified"


def check_claim(
    claim: str,
    candidates: Sequence[int],
    load: Callable[[Sequence[int]], list[Article]],
    origin_of: Callable[[Sequence[int]], Mapping[int, list[int]]],
    *,
    story: int | None = None,
) -> ClaimCheck:
    """Read each candidate's stance toward ``claim`` and group those that hold it by origin.

    ``load`` fetches articles by id; ``origin_of`` maps an article id to its origin ids
    (an article missing from it is its own origin).
    """
    view = analyse_claim(claim)
    held: list[tuple[StanceResult, Article]] = []
    for article in load(candidates):
        if article.id is None or not article.text.strip():
            continue
        # Word signals only: the candidates were found by their vectors already, and asking
        # the sentence model about 50 bodies would spend the check's one-second budget.
        result = stance_of(view, _BODIES.body(article.text), article=article.id, embed=False)
        if result.stance != "unrelated":
            held.append((result, article))
    origins_map = origin_of([a.id for _, a in held if a.id is not None])
    groups: dict[int, CheckOrigin] = {}
    for result, article in held:
        origin = min(origins_map.get(int(article.id or 0)) or [int(article.id or 0)])
        group = groups.setdefault(origin, CheckOrigin(origin, "discusses"))
        group.articles.append(result)
        if article.outlet and article.outlet not in group.outlets:
            group.outlets.append(article.outlet)
    for group in groups.values():
        group.articles.sort(key=lambda r: (_ORDER[r.stance], -r.score, r.article or 0))
        group.stance = group.articles[0].stance
    ordered = sorted(groups.values(),
                     key=lambda g: (_ORDER[g.stance], -max(a.score for a in g.articles), g.origin))
    return ClaimCheck(claim, verdict_of(ordered), ordered, len(candidates), story)


__all__ = ["CANDIDATES", "check_claim", "find_candidates", "verdict_of"]
