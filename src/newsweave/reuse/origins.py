"""The provenance graph and its independent origins.

Every copy/rewrite/translation pair says which article derives from which. The graph
keeps, for each derived article, only the sources it really came from: of
several copies of one wire story it picks the wire itself, not another copy
(the one it names, else the earliest, else the closest), and it takes a
second source only when that one is unrelated to the first (an article that
combines two wire stories). An edge that would close a cycle is skipped.

An origin is an article with no source plus everything derived from it; its
id is the original's article id. Two outlets quoting one statement share no
copy/rewrite edge, so they stay two origins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from newsweave.model import Edge
from newsweave.reuse.relation import parse_time

# A translation is the same text in another language: the same origin, like a copy.
DERIVING = ("copy", "rewrite", "translation")


def by_derived(edges: Iterable[Edge]) -> dict[int, list[Edge]]:
    """The copy/rewrite/translation edges by derived article, in their order."""
    out: dict[int, list[Edge]] = {}
    for edge in edges:
        if edge.kind in DERIVING:
            out.setdefault(edge.derived, []).append(edge)
    return out


def choose_sources(derived: int, candidates: Sequence[Edge], related: set[tuple[int, int]],
                   published: Mapping[int, str | None],
                   parents: Mapping[int, Sequence[int]], *,
                   indexed: Mapping[int, Sequence[Edge]] | None = None) -> list[int]:
    """The sources kept for ``derived`` among its copy/rewrite pairs (see module doc).

    ``indexed``: ``by_derived(candidates)``, made once by a caller that chooses for many
    articles (looking through all candidates for each made the graph update quadratic in
    the pairs of the articles it touches)."""
    if indexed is None:
        indexed = by_derived(candidates)
    options = list(indexed.get(derived, ()))

    sources = {e.source for e in options}
    # A candidate that is itself a copy of another candidate is a worse guess
    # than that other one: the wire, not a repost of it.
    secondhand = {other for other in sources
                  if any(e.source in sources for e in indexed.get(other, ()))}

    def preference(edge: Edge) -> tuple[bool, bool, bool, float, float, int]:
        when = parse_time(published.get(edge.source))
        stamp = when.timestamp() if when else 0.0
        return (edge.attribution is None, edge.source in secondhand, when is None, stamp,
                -edge.shared_fraction, edge.source)

    chosen: list[int] = []
    for edge in sorted(options, key=preference):
        source = edge.source
        if any((min(source, c), max(source, c)) in related for c in chosen):
            continue  # a copy of a source already chosen: not a second origin of content
        if _reaches(source, derived, parents):
            continue  # would close a cycle
        chosen.append(source)
    return chosen


def _reaches(start: int, goal: int, parents: Mapping[int, Sequence[int]]) -> bool:
    """Whether following source edges up from ``start`` arrives at ``goal``."""
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for up in parents.get(node, ()):
            if up not in seen:
                seen.add(up)
                stack.append(up)
    return False


def component(seeds: Iterable[int], edges: Iterable[tuple[int, int]]) -> set[int]:
    """Articles connected to ``seeds`` through graph edges, in either direction."""
    neighbours: dict[int, set[int]] = {}
    for derived, source in edges:
        neighbours.setdefault(derived, set()).add(source)
        neighbours.setdefault(source, set()).add(derived)
    found = set(seeds)
    stack = list(found)
    while stack:
        node = stack.pop()
        for other in neighbours.get(node, ()):
            if other not in found:
                found.add(other)
                stack.append(other)
    return found


def origins_of(nodes: Iterable[int], parents: Mapping[int, Sequence[int]]) -> dict[int, list[int]]:
    """For each node, the original(s) it derives from: the roots above it, or itself."""
    out: dict[int, list[int]] = {}
    for node in nodes:
        roots: set[int] = set()
        stack, seen = [node], {node}
        while stack:
            current = stack.pop()
            ups = parents.get(current, ())
            if not ups:
                roots.add(current)
            for up in ups:
                if up not in seen:
                    seen.add(up)
                    stack.append(up)
        out[node] = sorted(roots)
    return out


def parents_map(edges: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """``{derived: [sources]}`` from (derived, source) edges."""
    out: dict[int, list[int]] = {}
    for derived, source in edges:
        out.setdefault(derived, []).append(source)
    return out
