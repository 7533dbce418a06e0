"""What grew with the store in the clean and stories stages, now read without growing
(docs/benchmarks.md, "Archive scale, part 9"): the stories stage's copy links read the
reuse pairs without their passages, and an outlet's recurring lines are kept current from
the store's own writes instead of recounted over all the outlet's lines."""

from __future__ import annotations

import pytest

import newsweave.store.reuse_pairs as reuse_tables
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
        def no_passages(*args):
            raise AssertionError("the copy links decoded a pair's passages")

        # Stored with their text or as offsets: each form has its decoder.
        for decoder in ("_passages", "_filled"):
            monkeypatch.setattr(reuse_tables, decoder, no_passages)
        assert _copy_pairs(store, ids) == expected
    finally:
        store.close()


@pytest.fixture
def lines_store(tmp_path):
    store = open_store(str(tmp_path / "lines.db"))
    yield store
    store.close()


def _add(store, number: int, outlet: str, keys: dict[str, bool]) -> int:
    article = Article(None, f"r{number}", "", "text", f"Body {number}.", f"<{number}>",
                      outlet=outlet)
    return store.add_articles([article], [keys])[0]


def test_recurring_lines_are_counted_in_from_the_own_writes(lines_store, tmp_path):
    store = lines_store
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)

    def counted(outlet: str, floor: int) -> frozenset[str]:
        return frozenset(r[0] for r in store._db.execute(
            "SELECT line_key FROM outlet_lines WHERE outlet = ? GROUP BY 1 "
            "HAVING count(*) >= ?", (outlet, floor)))

    def whole_counts() -> int:
        return sum("GROUP BY line_key" in s and "line_key IN" not in s for s in statements)

    for number in range(6):
        _add(store, number, "A", {"follow us": True, f"line {number}": True})
    _add(store, 6, "B", {"follow us": True})
    assert store.recurring_lines("A", 3) == {"follow us"} == counted("A", 3)
    assert store.recurring_lines("B", 3) == frozenset()
    assert whole_counts() == 2
    # New articles, a line crossing the floor, a re-cleaned body dropping one: each asked
    # again is the whole count's answer, from the keys written alone.
    ids = [_add(store, 7 + n, "A", {"line x": True, **({"new line": True} if n < 2 else {})})
           for n in range(3)]
    assert store.recurring_lines("A", 3) == {"follow us", "line x"} == counted("A", 3)
    assert store.recurring_lines("A", 2) == counted("A", 2)
    store.replace_clean_text([(ids[0], "Body again.", [], {"other": True})])
    assert store.recurring_lines("A", 3) == {"follow us"} == counted("A", 3)
    assert store.recurring_lines("A", 2) == counted("A", 2) == {"follow us", "line x"}
    for number in range(3):
        _add(store, 20 + number, "B", {"follow us": True})
    assert store.recurring_lines("B", 3) == {"follow us"} == counted("B", 3)
    assert whole_counts() == 3  # ("A", 2) once; the rest counted key by key
    # A rolled-back write forgets what was counted in.
    with pytest.raises(RuntimeError), store.transaction():
        for number in range(4):
            _add(store, 30 + number, "A", {"rolled back": True})
        assert store.recurring_lines("A", 3) == {"follow us", "rolled back"}
        raise RuntimeError
    assert store.recurring_lines("A", 3) == {"follow us"} == counted("A", 3)
    # Another connection's commit: counted again whole.
    other = open_store(store.path)
    try:
        for number in range(3):
            _add(other, 40 + number, "A", {"line 1": True})
    finally:
        other.close()
    before = whole_counts()
    assert store.recurring_lines("A", 3) == {"follow us", "line 1"} == counted("A", 3)
    assert whole_counts() == before + 1


def test_lines_still_in_bodies_are_found_through_their_own_index(lines_store):
    store = lines_store
    for number in range(5):
        _add(store, number, "A", {"follow us": number == 4, "line": True})
    assert store.articles_with_lines("A", ["follow us"]) == [5]
    plan = " ".join(str(tuple(r)) for r in store._db.execute(
        "EXPLAIN QUERY PLAN SELECT DISTINCT article_id FROM outlet_lines "
        "WHERE outlet = ? AND in_body = 1 AND line_key IN (?)", ("A", "follow us")))
    assert "outlet_lines_in_body" in plan
