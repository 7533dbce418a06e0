"""Reads that grew with the store at a million articles (issue 16, item 4): a whole-store
``check`` merged the two vector indexes' ids on every call (the search's entity facet,
which scanned every row of entity_articles, is tested in tests/test_search_statement.py).
They give what they gave before, at a cost bounded by the query."""

from __future__ import annotations

import numpy as np

from newsweave.model import Article
from newsweave.store import open_store


def _articles(store, count: int, first: int = 0) -> list[int]:
    return store.add_articles(
        [Article(None, f"h{i}", "", "text", f"Police said the bridge closed on day {i}.",
                 f"<{i}>", title=f"Bridge {i}", outlet=f"Outlet {i % 3}")
         for i in range(first, first + count)], [{}] * count)


def test_check_candidates_do_not_merge_the_indexes_each_call(tmp_path):
    from newsweave.nlp import english
    from newsweave.nlp.embed import MODEL_NAME
    from newsweave.reuse.semantic import (
        COSINE_CEIL,
        COSINE_FLOOR,
        ENGLISH_CEIL,
        ENGLISH_FLOOR,
        SemanticIndex,
        rescale,
    )

    store = open_store(str(tmp_path / "s.db"))
    try:
        ids = _articles(store, 200)
        rng = np.random.default_rng(3)
        rows = rng.normal(size=(200, 16))
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        # an English store: the English model's vectors only (no e5 row for English text)
        store.reuse.save_vectors(english.MODEL_NAME,
                                 dict(zip(ids, rows.astype(np.float32), strict=True)))
        index = SemanticIndex()
        index.refresh(store)
        query = rows[17] + rng.normal(scale=0.3, size=16)
        query = (query / np.linalg.norm(query)).astype(np.float32)
        found = index.nearest([None], [query], 10, -1.0)[0]
        expected = np.argsort(-(rows @ query), kind="stable")[:10]
        assert [i for i, _ in found][:10] == [ids[j] for j in expected]
        assert found[0][0] == ids[17]
        # no e5 cosine: the English score put back on e5's scale
        score = float(rescale(np.float32(rows[17] @ query), ENGLISH_FLOOR, ENGLISH_CEIL))
        assert abs(found[0][1] - (COSINE_FLOOR + score * (COSINE_CEIL - COSINE_FLOOR))) < 1e-5
        union = index._union()[0]
        index.nearest([None], [query], 5, -1.0)
        assert index._union()[0] is union  # kept while no index changed
        more = _articles(store, 1, first=500)
        extra = rng.normal(size=16)
        store.reuse.save_vectors(english.MODEL_NAME,
                                 {more[0]: (extra / np.linalg.norm(extra)).astype(np.float32)})
        store.reuse.save_vectors(MODEL_NAME,
                                 {ids[0]: rows[0].astype(np.float32)})  # one e5 row too
        index.refresh(store)
        ids_now, positions = index._union()
        assert ids_now is not union and list(ids_now) == [*ids, more[0]]
        assert list(positions[MODEL_NAME]) == [0]
        again = index.nearest([None], [query], 10, -1.0)[0]
        assert [i for i, _ in again][:3] == [i for i, _ in found][:3]
    finally:
        store.close()


def test_a_brief_does_not_look_for_the_story_nearest_its_own(demo_engine):
    """The brief shows no story confidence, so it does not compute one: that look among the
    stories sharing the story's keys read more rows the bigger the store."""
    from newsweave.brief.assemble import assemble_brief

    engine = demo_engine
    story = engine.story_of(engine.articles()[0].id)
    assert story is not None
    statements: list[str] = []
    engine.store._db.set_trace_callback(statements.append)
    brief = engine.brief(story)
    engine.store._db.set_trace_callback(None)
    assert not [s for s in statements if "story_keys" in s]
    assert engine.story(story).confidence is not None  # the story's own record still has it
    with_confidence = assemble_brief(engine.store, engine.settings, engine.story(story),
                                     entities=engine.entities(story=story),
                                     quotes=engine.quotes(story=story))
    assert brief.to_dict() == with_confidence.to_dict()


def test_a_process_checks_the_vector_file_without_mapping_every_row(tmp_path):
    """The first refresh of a process compares a few sampled rows with the store's: it
    finds those rows, builds no map of every row, and still catches a sampled row that
    differs."""
    from newsweave.store.vectors import SAMPLES, VectorFile, folder_of

    store = open_store(str(tmp_path / "s.db"))
    try:
        ids = _articles(store, 50)
        rows = np.random.default_rng(4).normal(size=(50, 8)).astype(np.float32)
        store.reuse.save_vectors("m", dict(zip(ids, rows, strict=True)))
        VectorFile(store, "m").refresh()  # the file is written
        later = VectorFile(store, "m")
        later.refresh()
        assert later.rebuilt == 0 and later._where is None
        assert set(later._positions_of([ids[0], ids[-1]])) == {ids[0], ids[-1]}
        matrix_file = folder_of(store) / "m.f32"
        damaged = np.fromfile(matrix_file, dtype=np.float32)
        damaged[-8:] = 0.5  # the last row, always among the SAMPLES compared
        damaged.tofile(matrix_file)
        assert SAMPLES >= 2
        third = VectorFile(store, "m")
        third.refresh()
        assert third.rebuilt == 1
        assert np.array_equal(np.asarray(third.blocks()[0][1][-1]), rows[-1])
    finally:
        store.close()
