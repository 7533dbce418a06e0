"""Copy families: a new article aligned with a bounded few of a family's members.

A wire story republished by 200 outlets is a family of 200 near-copies; a new copy finds
the earlier ones among its candidates, and aligning it with every one (up to
``MAX_CANDIDATES``) and storing each pair made the stage's cost per new article grow with
the family: quadratic in it, however capped. The provenance graph needs far less: an
article's source is chosen among its pairs by attribution, then by being no copy of
another candidate, then by time (``origins.choose_sources``), and its origin follows the
source edges up to the family's root.

So among a new article's candidates, those the store already holds as one family (the same
origin(s) in ``article_origin``) are cut to the ones that can decide its source
(:func:`bounded`):

* the family's origin itself, where it is a candidate;
* the best-matching member(s) (the candidates come strongest first);
* the member published earliest (the graph's choice among unattributed sources);
* any member that the new article names, or that names it (an attribution outweighs
  time in both the direction and the choice of source).

The rest are not aligned and their pairs with the new article are not stored, once the
new article proves a copy, rewrite or translation of (or the source of) a member kept: at
most ``FAMILY_BEST`` + 2 pairs a family, plus the attributed ones, whatever its size. An
article related to none of the kept ones so (it only shares quotations with the family,
say) is aligned with the rest too, as before (:func:`confirmed_cuts`). The new
article joins the family through the pairs kept, so its origin is the family's. A family
is cut only for an article published after its earliest member for sure (a bare date
compared by the day, as the direction's vote does): an undated article, or one that may
be earlier than them all (the wire fetched after its copies), is aligned with every
candidate as before, so it can become their source.

Taking two candidates of one stored origin as related in ``origins.choose_sources`` even
without a pair of theirs was tried and dropped: it took away second sources the graph
chose before (docs/benchmarks.md, "Archive scale, part 25").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from newsweave.reuse.pairs import Indexed
from newsweave.reuse.relation import Side, names_either, parse_time, time_gap

FAMILY_BEST = 1  # a family's best-matching members aligned with each new article


Cut = tuple[tuple[int, ...], tuple[int, ...]]
"""A family cut from a new article's candidates: (its members kept, its members cut)."""


def bounded(article: Indexed, candidates: Sequence[int],
            origins: Mapping[int, Sequence[int]], published: Mapping[int, str | None],
            load: Callable[[int], Side | None],
            keep: Collection[int] = ()) -> tuple[list[int], list[Cut]]:
    """``candidates`` (strongest first) without the members of a family beyond those
    that can decide ``article``'s source (see the module doc), and for each family cut,
    its kept and its cut members: the cut ones are aligned after all where the article
    turns out to be no copy or rewrite of any kept one (:func:`confirmed_cuts`).
    ``origins`` and ``published`` of the candidates (an article absent from ``origins``
    is a family of its own); ``load`` gives a candidate's side for the attribution check
    (its outlet and attributions are all it reads);
    ``keep``: candidates never cut (a confirmed translation)."""
    cuts: list[Cut] = []
    own = article.article.published
    for roots, members in _families(candidates, origins).items():
        if len(members) <= FAMILY_BEST + 2:  # all of them would be kept anyway
            continue
        earliest = _earliest(members, published)
        # Published after the family's first member for sure (a bare date against the
        # other's date only, as the direction's vote): else it may be the source of them all.
        if earliest is None or time_gap(own, published.get(earliest)) <= 0:
            continue
        kept = {earliest, *members[:FAMILY_BEST], *(set(members) & set(roots)), *keep}
        cut: list[int] = []
        for other in members:
            if other in kept:
                continue
            side = load(other)
            if side is None or not names_either(article, side):
                cut.append(other)
        if cut:
            cuts.append((tuple(m for m in members if m not in cut), tuple(cut)))
    dropped = {m for _, cut in cuts for m in cut}
    return [c for c in candidates if c not in dropped], cuts


def confirmed_cuts(article_id: int, cuts: Sequence[Cut], deriving: Collection[tuple[int, int]]
                   ) -> list[int]:
    """The cut members to align after all: those of each family that the article is no
    copy, rewrite or translation of, nor the source of, through any kept member
    (``deriving``: the (article, other) pairs related so, either way round). An article
    that only quotes what the family quotes shares other passages with each member, and
    its shared quotations with all of them are kept, as before the cut."""
    out: list[int] = []
    for kept, cut in cuts:
        if not any((article_id, m) in deriving for m in kept):
            out.extend(cut)
    return out


def _families(candidates: Sequence[int], origins: Mapping[int, Sequence[int]]
              ) -> dict[tuple[int, ...], list[int]]:
    """The candidates by their origin(s), each family's in the candidates' order."""
    families: dict[tuple[int, ...], list[int]] = {}
    for other in candidates:
        roots = tuple(origins.get(other, ()))
        if roots:
            families.setdefault(roots, []).append(other)
    return families


def _earliest(members: Sequence[int], published: Mapping[int, str | None]) -> int | None:
    """The member published first, of those whose time is known."""
    dated = [(when, m) for m in members if (when := parse_time(published.get(m))) is not None]
    return min(dated)[1] if dated else None


def crowded(ranked: Mapping[int, Sequence[int]], origins: Mapping[int, Sequence[int]]
            ) -> set[int]:
    """The candidates that :func:`bounded` may cut for some new article (``ranked``: each
    new article's candidates): members of a family too large to keep whole, whose
    publication times it then needs."""
    out: set[int] = set()
    for candidates in ranked.values():
        for members in _families(candidates, origins).values():
            if len(members) > FAMILY_BEST + 2:
                out.update(members)
    return out


__all__ = ["FAMILY_BEST", "Cut", "bounded", "confirmed_cuts", "crowded"]
