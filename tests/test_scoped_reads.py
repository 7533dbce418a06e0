"""Reads scoped to what they serve (issue 11, item 4): a story's provenance and origins read
its members' rows only, and give what the whole graph restricted to the story gives."""

from __future__ import annotations

import re

from newsweave.model import Article, Edge
from newsweave.reuse.graph import provenance
from newsweave.store import open_store


def _articles(store, count: int) -> list[int]:
    return store.add_articles([Article(None, f"h{i}", "", "text", f"Body {i}.", f"<{i}>",
                                       title=f"Title {i}", outlet=f"Outlet {i % 3}")
                               for i in range(count)], [{}] * count)


def _graph(store) -> None:
    """Two stories' worth of graph: 1 <- 2 <- 3 and 1 <- 4, plus 5 <- 6, 7 quoted by 8,
    and 9 alone; then many unrelated copy pairs standing for the rest of a big store."""
    pairs = [Edge(2, 1, "copy", 0.9, 0.9, None), Edge(3, 2, "rewrite", 0.7, 0.6, None),
             Edge(4, 1, "copy", 0.9, 0.95, None), Edge(6, 5, "copy", 0.9, 0.9, None),
             Edge(8, 7, "shared-quotes", 0.5, 0.1, None)]
    pairs += [Edge(i + 1, i, "copy", 0.9, 0.9, None) for i in range(20, 60, 2)]
    store.reuse.save_pairs(pairs)
    for e in pairs:
        if e.kind != "shared-quotes":
            store.reuse.set_edges(e.derived, [e.source])
    origins = {1: [1], 2: [1], 3: [1], 4: [1], 5: [5], 6: [5], 7: [7], 8: [8], 9: [9]}
    origins |= {i: [i - i % 2] for i in range(20, 60)}
    store.reuse.set_origins(origins)


def test_a_story_graph_is_the_whole_graph_restricted_to_it(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    try:
        _articles(store, 60)
        _graph(store)
        whole = provenance(store)
        for members in ([1, 2, 3, 4], [2, 3, 9], [5, 6, 7, 8], [30, 31, 32], [9]):
            scoped = provenance(store, members)
            assert scoped.edges == [e for e in whole.edges
                                    if e.derived in members and e.source in members]
            assert scoped.origins == [
                kept for group in whole.origins if (kept := [i for i in group if i in members])]
            assert set(scoped.nodes) == set(members)
        assert provenance(store, [1, 2, 3, 4]).origins == [[1, 2, 3, 4]]
        assert [(e.derived, e.source) for e in provenance(store, [2, 3, 9]).edges] == [(3, 2)]
    finally:
        store.close()


def test_a_story_graph_reads_no_table_whole(tmp_path):
    store = open_store(str(tmp_path / "s.db"))
    try:
        _articles(store, 60)
        _graph(store)
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        provenance(store, [1, 2, 3, 4])
        store.reuse.origins([5, 6])
        store._db.set_trace_callback(None)
        reads = [s for s in statements if re.search(r"\bFROM (reuse_edges|article_origin|"
                                                    r"reuse_pairs)\b", s)]
        assert reads, "the graph was read from somewhere else"
        for sql in reads:  # every read of these tables is restricted to given articles
            assert re.search(r"\bWHERE\b.*\bIN \(", sql), sql
    finally:
        store.close()


def test_similar_ranks_as_the_full_scores_do(tmp_path):
    import numpy as np

    from newsweave.nlp import english
    from newsweave.nlp.embed import MODEL_NAME
    from newsweave.reuse.graph import related, similar
    from newsweave.reuse.semantic import SemanticIndex

    store = open_store(str(tmp_path / "s.db"))
    try:
        ids = _articles(store, 120)
        rng = np.random.default_rng(2)
        centre = rng.normal(size=16)
        rows = centre + rng.normal(scale=1.0, size=(120, 16))
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        store.reuse.save_vectors(MODEL_NAME, dict(zip(ids, rows.astype(np.float32),
                                                      strict=True)))
        english_ids = ids[::2]  # half the articles have the English model's vector too
        en = centre + rng.normal(scale=1.0, size=(len(english_ids), 16))
        en /= np.linalg.norm(en, axis=1, keepdims=True)
        store.reuse.save_vectors(english.MODEL_NAME, dict(zip(english_ids, en.astype(
            np.float32), strict=True)))
        store.reuse.save_pairs([Edge(ids[0], ids[77], "copy", 0.95, 0.9, None),
                                Edge(ids[91], ids[0], "shared-quotes", 0.4, 0.1, None)])
        index = SemanticIndex()
        full = related(store, index, ids[0])
        assert len(full) == 119
        ranked = sorted(full, key=lambda i: (-full[i][0], i))
        for limit in (1, 5, 20):
            found = similar(store, index, ids[0], limit)
            assert [n.article for n in found] == ranked[:limit]
            assert len(related(store, index, ids[0], limit=limit)) < 119
    finally:
        store.close()
