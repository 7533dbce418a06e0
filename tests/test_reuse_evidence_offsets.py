"""A reuse pair's aligned passages stored as offsets into the articles' texts (#16 item 4):
read back, they are what was saved, character for character, on both backends; rows
written with their text (every store before) read as before; a text replaced (re-cleaned,
revised) leaves its pairs reading the same; the explicit compaction changes no reading;
the migration rewrites nothing."""

from __future__ import annotations

import json

import pytest

from conftest import StoreBackend
from newsweave.model import Article, Edge, Evidence, Passage
from newsweave.store.migrations import MIGRATIONS
from newsweave.store.reuse import evidence_json

TEXTS = {
    1: "Floods closed the bridge on Monday. \u201cWe will rebuild,\u201d the mayor said. "
       "Schools stay shut.",
    2: "Officials said so. Floods closed the bridge on Monday. \u201cWe will rebuild,\u201d "
       "the mayor said.\n\nRain is forecast.",
    3: "Schools stay shut, officials said. Floods closed the bridge on Monday.",
}


def _store(backend: StoreBackend):
    store = backend.open()
    ids = store.add_articles(
        [Article(None, f"h{n}", "", "text", TEXTS[n], f"<{n}>", title=f"T{n}",
                 outlet=f"O{n}") for n in sorted(TEXTS)], [{}] * len(TEXTS))
    assert ids == sorted(TEXTS)
    return store


def _passage(article: int, sentence: str) -> Passage:
    start = TEXTS[article].index(sentence)
    return Passage(article, start, start + len(sentence), sentence)


def _edge(derived: int, source: int, sentences: list[tuple[str, str]],
          kind: str = "copy") -> Edge:
    edge = Edge(derived, source, kind, 0.8123456, 0.61, "O1")
    edge.score = 0.7
    edge.reasons = ["time: 1 published 2 hours before 2", "containment: \u00bd"]
    edge.evidence = [Evidence(_passage(derived, d), _passage(source, s),
                              round(0.91234567 - i / 10, 4), "verbatim" if d == s else "edited")
                     for i, (d, s) in enumerate(sentences)]
    return edge


PAIR = [("Floods closed the bridge on Monday.", "Floods closed the bridge on Monday."),
        ("\u201cWe will rebuild,\u201d the mayor said.",
         "\u201cWe will rebuild,\u201d the mayor said.")]


def _stored(store, a: int, b: int) -> str:
    return str(store._db.execute("SELECT evidence FROM reuse_pairs WHERE a = ? AND b = ?",
                                 (a, b)).fetchone()[0])


def _same(read: Edge, saved: Edge) -> None:
    assert json.dumps(read.to_dict(), ensure_ascii=False) == json.dumps(
        saved.to_dict(), ensure_ascii=False)
    # The old stored form, rebuilt from what is read: the same characters.
    assert evidence_json(read.evidence) == evidence_json(saved.evidence)


def test_passages_are_stored_as_offsets_and_read_back_exactly(store_backend: StoreBackend):
    store = _store(store_backend)
    edge = _edge(2, 1, PAIR)
    store.reuse.save_pairs([edge, Edge(3, 1, "independent", 0.1, 0.0, None)])
    stored = _stored(store, 1, 2)
    assert stored.startswith("[[") and "Floods" not in stored
    assert len(stored) < len(evidence_json(edge.evidence)) / 3
    assert _stored(store, 1, 3) == "[]"
    (read,) = store.reuse.pairs([2])
    _same(read, edge)
    assert [e.evidence for e in store.reuse.pairs([1])] == [edge.evidence, []]
    assert store.reuse.pairs([2], evidence=False)[0].evidence == []


def test_a_passage_not_in_its_articles_text_keeps_its_text(store_backend: StoreBackend):
    store = _store(store_backend)
    edge = _edge(3, 1, [("Schools stay shut, officials said.", "Schools stay shut.")])
    stale = _edge(2, 1, PAIR)
    # Aligned on a text the store no longer holds (re-cleaned meanwhile): as before.
    stale.evidence[0] = Evidence(Passage(2, 0, 10, "Officials,"),
                                 stale.evidence[0].source_passage, 0.5, "edited")
    store.reuse.save_pairs([edge, stale])
    assert _stored(store, 1, 3).startswith("[[")
    assert _stored(store, 1, 2) == evidence_json(stale.evidence)
    got = {(e.derived, e.source): e for e in store.reuse.pairs([1])}
    _same(got[(3, 1)], edge)
    _same(got[(2, 1)], stale)


def test_rows_written_with_their_text_read_as_before(store_backend: StoreBackend):
    store = _store(store_backend)
    edge = _edge(2, 1, PAIR)
    store.reuse.save_pairs([edge])
    old = evidence_json(edge.evidence)  # what every store before this wrote
    with store.transaction() as db:
        db.execute("UPDATE reuse_pairs SET evidence = ? WHERE a = 1 AND b = 2", (old,))
    (read,) = store.reuse.pairs([1])
    _same(read, edge)


def test_a_replaced_text_leaves_its_pairs_reading_the_same(store_backend: StoreBackend):
    store = _store(store_backend)
    copy, other = _edge(2, 1, PAIR), _edge(3, 1, [PAIR[0]])
    store.reuse.save_pairs([copy, other])
    before = {(e.derived, e.source): e.to_dict() for e in store.reuse.pairs([1, 2, 3])}
    store.replace_clean_text([(1, "A wholly new body. " + TEXTS[1][:20], [], {})])
    assert store.get_article(1).text.startswith("A wholly new body.")
    after = {(e.derived, e.source): e.to_dict() for e in store.reuse.pairs([1, 2, 3])}
    assert after == before
    assert _stored(store, 1, 2) == evidence_json(copy.evidence)  # the text, written back
    assert _stored(store, 1, 3) == evidence_json(other.evidence)
    # An unchanged text writes nothing back.
    store.reuse.save_pairs([_edge(3, 2, [PAIR[0]])])
    store.replace_clean_text([(3, TEXTS[3], [], {})])
    assert _stored(store, 2, 3).startswith("[[")


def test_the_compaction_rewrites_old_rows_without_changing_a_reading(
        store_backend: StoreBackend):
    store = _store(store_backend)
    edges = [_edge(2, 1, PAIR), _edge(3, 1, [PAIR[0]]), _edge(3, 2, [PAIR[0]])]
    stale = _edge(3, 2, [PAIR[0]])
    stale.evidence[0] = Evidence(Passage(3, 0, 6, "Floods"), stale.evidence[0].source_passage,
                                 0.5, "edited")
    store.reuse.save_pairs([*edges[:2], stale])
    with store.transaction() as db:
        for e in edges[:2]:
            db.execute("UPDATE reuse_pairs SET evidence = ? WHERE a = ? AND b = ?",
                       (evidence_json(e.evidence), e.source, e.derived))
    before = [e.to_dict() for e in store.reuse.pairs()]
    assert store.reuse.compact_evidence(limit=2) == (2, 2, (1, 3))
    assert store.reuse.compact_evidence(limit=2, after=(1, 3)) == (1, 0, (2, 3))
    assert store.reuse.compact_evidence(limit=2, after=(2, 3)) == (0, 0, None)
    assert _stored(store, 1, 2).startswith("[[") and _stored(store, 1, 3).startswith("[[")
    assert _stored(store, 2, 3) == evidence_json(stale.evidence)  # not its text: kept
    assert [e.to_dict() for e in store.reuse.pairs()] == before


def test_the_migration_rewrites_no_pair(store_backend: StoreBackend,
                                        monkeypatch: pytest.MonkeyPatch):
    import newsweave.store.postgres as postgres
    import newsweave.store.sqlite as sqlite

    made = next(n for n, m in enumerate(MIGRATIONS) if "reuse_evidence" in m)
    assert made == len(MIGRATIONS) - 1 or "reuse_evidence" not in MIGRATIONS[-1]
    edge = _edge(2, 1, PAIR)
    with monkeypatch.context() as patch:  # a store as the tree before made it
        for module in (sqlite, postgres):
            patch.setattr(module, "MIGRATIONS", MIGRATIONS[:made])
        old = _store(store_backend)
        with old.transaction() as db:
            db.execute("INSERT INTO reuse_pairs (a, b, derived, source, kind, score, "
                       "confidence, shared_fraction, attribution, reasons, evidence) "
                       "VALUES (1, 2, 2, 1, 'copy', 0.7, 0.8123456, 0.61, 'O1', ?, ?)",
                       (json.dumps(edge.reasons, ensure_ascii=False),
                        json.dumps([e.to_dict() for e in edge.evidence], ensure_ascii=False)))
        assert old.schema_version == made
        old.close()
    store = store_backend.open()
    assert store.schema_version == len(MIGRATIONS)
    assert store._db.execute("SELECT version FROM store_formats WHERE name = "
                             "'reuse_evidence'").fetchone()[0] == 2
    assert _stored(store, 1, 2) == evidence_json(edge.evidence)  # not rewritten
    (read,) = store.reuse.pairs([1])
    _same(read, edge)


def test_the_stage_stores_every_demo_pair_as_offsets(demo_engine):
    """The reuse stage aligns the articles' stored texts: every pair with passages is
    stored as offsets, and reads back as passages of those texts."""
    store = demo_engine.store
    forms = [str(r[0])[:2] for r in store._db.execute("SELECT evidence FROM reuse_pairs")]
    assert forms and set(forms) <= {"[[", "[]"} and "[[" in forms
    for edge in store.reuse.pairs():
        for item in edge.evidence:
            for passage in (item.derived_passage, item.source_passage):
                text = store.get_article(passage.article).text
                assert text[passage.start:passage.end] == passage.text


def test_the_pairs_and_the_texts_filling_them_are_read_in_one_state(tmp_path):
    """A text replaced between the read of a pair and the read of its article's text
    would give passages of neither state: both reads are one read transaction."""
    from conftest import StoreBackend as Backend

    store = _store(Backend("sqlite", str(tmp_path / "s.db")))
    store.reuse.save_pairs([_edge(2, 1, PAIR)])
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    store.reuse.pairs([1])
    store._db.set_trace_callback(None)
    texts = next(i for i, s in enumerate(statements) if "FROM articles" in s)
    assert statements[0] == "BEGIN" and statements[-1] == "COMMIT"
    assert 0 < texts < len(statements) - 1
    statements.clear()
    store._db.set_trace_callback(statements.append)
    store.reuse.pairs([1], evidence=False)  # no passages: no transaction taken
    assert "BEGIN" not in statements
    store.close()
