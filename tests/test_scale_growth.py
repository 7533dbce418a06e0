"""What grew with the store in the clean and stories stages, now read without growing
(docs/benchmarks.md, "Archive scale, part 9"): the stories stage's copy links read the
reuse pairs without their passages, and an outlet's recurring lines are kept current from
the store's own writes instead of recounted over all the outlet's lines."""

from __future__ import annotations

import pytest

import newsweave.store.reuse as reuse_tables
from newsweave.model import Article, Edge, Evidence, Passage
from newsweave.store import open_store
from newsweave.stories import LINK_WEIGHTS, QUOTE_SHARE, _copy_pairs


def _articles(store, count: int) -> list[int]:
    return store.add_articles([Article(None, f"h{i}", "", "text", f"Body {i}.", f"<{i}>",
                                       title=f"Title {i}", outlet=f"Outlet {i % 3}")
                               for i in range(count)], [{}] * count)


def test_copy_links_read_the_pairs_without_their_passages(tmp_path, monkeypatch):
    store = open_store(str(tmp_path / "s.db"))
    try:
        ids = _articles(store, 8)
        passage = Passage(ids[0], 0, 5, "Body.")
        evidence = [Evidence(passage, passage, 1.0)]
        pairs = [Edge(ids[1], ids[0], "copy", 0.9, 1.0, None, evidence=evidence),
                 Edge(ids[2], ids[0], "rewrite", 0.7, 0.5, None, evidence=evidence),
                 Edge(ids[3], ids[2], "shared-quotes", 0.6, 0.2, None, evidence=evidence),
                 Edge(ids[4], ids[3], "shared-quotes", 0.6, 0.01, None, evidence=evidence),
                 Edge(ids[5], ids[4], "independent", 0.6, 0.0, None, evidence=evidence)]
        store.reuse.save_pairs(pairs)
        # The links as read with the passages (the long way) ...
        expected = {(e.derived, e.source): LINK_WEIGHTS[e.kind]
                    for e in store.reuse.pairs(ids, kinds=tuple(LINK_WEIGHTS))
                    if e.kind != "shared-quotes" or (e.shared_fraction or 0.0) >= QUOTE_SHARE}
        assert expected == {(ids[1], ids[0]): 1.0, (ids[2], ids[0]): 1.0,
                            (ids[3], ids[2]): LINK_WEIGHTS["shared-quotes"]}

        # ... are what the stage reads, without decoding a passage (that grew with the
        # pairs a repair's neighbourhood holds).
        def no_passages(row):
            raise AssertionError("the copy links decoded a pair's passages")

        monkeypatch.setattr(reuse_tables, "_edge", no_passages)
        assert _copy_pairs(store, ids) == expected
    finally:
        store.close()


@pytest.fixture
def lines_store(tmp_path):
    store = open_store(str(tmp_path / "lines.db"))
    yield store
    store.close()
