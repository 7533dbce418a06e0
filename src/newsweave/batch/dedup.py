"""Near-duplicates of an archive as a shuffle by LSH band, never all pairs.

The reuse stage's own functions make the keys (:func:`newsweave.reuse.text.words`,
:func:`newsweave.reuse.index.signatures`, :func:`newsweave.reuse.index.band_keys`), so two
texts share a key here exactly when the stage's index would offer them to each other. As
the large de-duplication systems do (datatrove, NeMo Curator, text-dedup):

1. **map** over partitions of ``(article id, text)``: MinHash signatures, then one
   ``(band key, article id)`` row per band;
2. **shuffle by band key**: each bucket's ids meet in one place and become edges from the
   bucket's smallest id to each other member (a bucket of k copies gives k - 1 edges, not
   k(k - 1)/2 pairs), then a second shuffle by edge drops the edges found in several bands;
3. **connected components** of those edges (union-find in this process: the edges are
   far fewer than the texts' shingles).

>>> from newsweave.batch.executor import LocalExecutor
>>> texts = [(1, "a storm hit the coast on monday and cut power to ten thousand homes"),
...          (2, "A storm hit the coast on Monday and cut power to ten thousand homes."),
...          (3, "the central bank left its interest rate unchanged for a third month")]
>>> near_duplicates(LocalExecutor(), [texts[:2], texts[2:]]).components
[[1, 2]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from newsweave.batch.executor import Executor, Partitions
from newsweave.reuse.index import band_keys, signatures
from newsweave.reuse.text import words

Text = tuple[int, str]


@dataclass(slots=True)
class NearDuplicates:
    """The result of the join: edges to each bucket's smallest id, and their components."""

    edges: list[tuple[int, int]]
    components: list[list[int]]


def band_rows(partition: Sequence[Text]) -> list[tuple[int, int]]:
    """``(band key, article id)`` for every band of every text with words (map side)."""
    token_lists = [words(text) for _, text in partition]
    rows: list[tuple[int, int]] = []
    for (article_id, _), tokens, signature in zip(partition, token_lists,
                                                  signatures(token_lists), strict=True):
        if tokens:  # as the stage: a text without words has no band keys
            rows.extend((key, article_id) for key in band_keys(signature))
    return rows


Keyed = tuple[tuple[int, int], None]


def star_edges(_key: int, ids: list[int]) -> list[Keyed]:
    """A bucket's members as edges from its smallest id to each other one (keyed by the
    edge, ready for the shuffle that drops repeats)."""
    members = sorted(set(ids))
    return [((members[0], other), None) for other in members[1:]]


def bucket_pairs(_key: int, ids: list[int]) -> list[Keyed]:
    """Every pair within a bucket: the candidates the index offers (for comparison; a bucket
    of k copies gives k(k - 1)/2 of them, so the join itself uses :func:`star_edges`)."""
    return [(pair, None) for pair in combinations(sorted(set(ids)), 2)]


def first(key: tuple[int, int], _values: list[None]) -> list[tuple[int, int]]:
    """A key once, however many times it was emitted (an edge found in several bands)."""
    return [key]


def near_duplicates(executor: Executor, partitions: Iterable[Sequence[Text]]) -> NearDuplicates:
    """The near-duplicate join of the texts in ``partitions`` (see the module doc)."""
    return join_bands(executor, executor.map_partitions(band_rows, partitions))


def join_bands(executor: Executor, rows: Partitions) -> NearDuplicates:
    """Steps 2 and 3 on partitions of ``(band key, article id)`` rows (:func:`band_rows`,
    or a mapper that also reads and cleans its partition first)."""
    edges = _distinct(executor, executor.shuffle(rows, star_edges))
    return NearDuplicates(edges, connected_components(edges))


def candidate_pairs(executor: Executor, partitions: Iterable[Sequence[Text]]
                    ) -> list[tuple[int, int]]:
    """Every pair of texts sharing a band key, once, smaller id first: what the reuse stage's
    index offers as copy candidates (``store.reuse.band_matches``)."""
    return _distinct(executor, executor.shuffle(executor.map_partitions(band_rows, partitions),
                                                bucket_pairs))


def _distinct(executor: Executor, found: Partitions) -> list[tuple[int, int]]:
    unique = executor.shuffle(found, first)  # an edge found in several bands, once
    return sorted(executor.collect(unique))


def connected_components(edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Groups of ids joined by edges (two or more members each), sorted.

    >>> connected_components([(1, 2), (5, 6), (2, 3)])
    [[1, 2, 3], [5, 6]]
    """
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving keeps the trees flat
            node = parent[node]
        return node

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for node in parent:
        groups.setdefault(root(node), []).append(node)
    return sorted(sorted(g) for g in groups.values())
