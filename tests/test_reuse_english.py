"""The second, English embedding model: its API, the combined relatedness, and the
stage storing and using its vectors for English articles only."""

import numpy as np
import pytest

from newsweave.engine import Engine
from newsweave.nlp import english
from newsweave.nlp.embed import MODEL_NAME
from newsweave.reuse import ReuseStage
from newsweave.reuse.semantic import (
    COSINE_CEIL,
    COSINE_FLOOR,
    ENGLISH_CEIL,
    ENGLISH_FLOOR,
    relatedness,
)
from newsweave.settings import load_settings
from newsweave.store import open_store

DAM = ("Dam bursts above Morvik\n\nAt least 14 people were killed after the Tavra Dam gave way "
       "late on Monday, officials said. About 3,200 residents were evacuated overnight to "
       "schools on higher ground, and army engineers searched the flooded streets by boat.")
DAM_AGAIN = ("Morvik flood toll rises\n\nFourteen people died when the Tavra Dam failed on "
             "Monday night, according to officials. Rescuers in boats went through flooded "
             "streets while thousands of residents spent the night in schools uphill.")
FOOTBALL = ("Rovers win the cup\n\nThe Rovers beat Athletic 2-1 after extra time in the cup "
            "final on Saturday. Ned Ambrose headed the winner in the 108th minute, and a parade "
            "is planned for next Sunday.")
GERMAN = ("Damm bei Morvik gebrochen\n\nMindestens 14 Menschen kamen ums Leben, nachdem der "
          "Tavra-Damm am späten Montagabend nachgegeben hatte, teilten die Behörden mit. Etwa "
          "3.200 Einwohner wurden über Nacht in Schulen auf höher gelegenem Gelände gebracht.")


def test_embed_english_gives_normalised_rows_that_rank_meaning():
    vectors = english.embed_english([DAM, DAM_AGAIN, FOOTBALL, "  "])
    assert vectors.shape == (4, english.DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-4)
    assert not vectors[3].any()
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.3
    assert english.embed_english([]).shape == (0, english.DIM)
    with pytest.raises(TypeError):
        english.embed_english(DAM)  # type: ignore[arg-type]


def test_embed_english_is_independent_of_batch_and_cuts_long_texts():
    alone = english.embed_english([DAM])[0]
    batched = english.embed_english([FOOTBALL, DAM, DAM_AGAIN * 3])[1]
    assert float(alone @ batched) > 0.9999  # padding within a batch changes nothing
    long = english.embed_english([DAM + " " + FOOTBALL * 40, DAM + " " + FOOTBALL * 80])
    assert float(long[0] @ long[1]) > 0.9999  # both cut at MAX_TOKENS word pieces


def test_is_english_reads_language_codes():
    assert english.is_english("en") and english.is_english("en-GB") and english.is_english("EN")
    assert not english.is_english("de") and not english.is_english(None)
    assert english.available()


def test_relatedness_averages_both_models_when_both_exist():
    def e5_at(x: float) -> float:
        return COSINE_FLOOR + x * (COSINE_CEIL - COSINE_FLOOR)

    def minilm_at(x: float) -> float:
        return ENGLISH_FLOOR + x * (ENGLISH_CEIL - ENGLISH_FLOOR)

    assert relatedness(e5_at(0.8)) == pytest.approx(0.8)
    assert relatedness(e5_at(0.8), english_cosine=minilm_at(0.4)) == pytest.approx(0.6)
    assert relatedness(None, english_cosine=minilm_at(0.4)) == pytest.approx(0.4)
    # Shared text still raises the score, and values outside the ranges are clipped.
    assert relatedness(e5_at(0.8), 0.5, minilm_at(0.4)) == pytest.approx(0.8)
    assert relatedness(0.2, english_cosine=-0.3) == 0.0
    assert relatedness(0.99, english_cosine=0.99) == 1.0
    assert relatedness(None) == 0.0


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("english") / "english.db")
    settings = load_settings(db=db)
    with Engine(open_store(db), settings, stages=[ReuseStage()]) as engine:
        for text in (DAM, DAM_AGAIN, FOOTBALL, GERMAN):
            engine.ingest_text(text)
        ids = {a.title: a.id for a in engine.articles()}
        yield engine, ids


def test_stage_stores_english_vectors_for_english_articles_only(mixed):
    engine, ids = mixed
    everyone = list(ids.values())
    assert set(engine.store.reuse.vectors(everyone, MODEL_NAME)) == set(everyone)
    stored = engine.store.reuse.vectors(everyone, english.MODEL_NAME)
    assert set(stored) == {ids["Dam bursts above Morvik"], ids["Morvik flood toll rises"],
                           ids["Rovers win the cup"]}


def test_similar_uses_both_models_for_english_pairs_and_e5_across_languages(mixed):
    engine, ids = mixed
    dam, again = ids["Dam bursts above Morvik"], ids["Morvik flood toll rises"]
    german, football = ids["Damm bei Morvik gebrochen"], ids["Rovers win the cup"]
    near = {n.article: n for n in engine.similar(dam, limit=10)}
    vectors = engine.store.reuse.vectors([dam, again, german, football])
    en = engine.store.reuse.vectors([dam, again, football], english.MODEL_NAME)
    differs = 0
    for other in (again, football):
        e5_cosine = float(vectors[dam] @ vectors[other])
        pair = [e for e in engine.store.reuse.pairs([dam]) if other in (e.source, e.derived)]
        shared = pair[0].score if pair and pair[0].kind in ("copy", "rewrite") else 0.0
        expected = relatedness(e5_cosine, shared, float(en[dam] @ en[other]))
        assert near[other].score == pytest.approx(expected, abs=1e-5)
        differs += expected != pytest.approx(relatedness(e5_cosine, shared), abs=1e-3)
    assert differs  # the English model moved at least one score
    # The translation has no English vector: e5 alone, and it still ranks above football.
    german_cosine = float(vectors[dam] @ vectors[german])
    assert near[german].cosine == pytest.approx(german_cosine, abs=1e-5)
    assert near[german].score >= relatedness(german_cosine) - 1e-6
    assert near[german].score > near[football].score
    assert near[again].score > near[football].score


def test_english_model_can_be_turned_off(tmp_path):
    db = str(tmp_path / "off.db")
    settings = load_settings(db=db, reuse_english=0)
    with Engine(open_store(db), settings, stages=[ReuseStage()]) as engine:
        engine.ingest_text(DAM)
        engine.ingest_text(DAM_AGAIN)
        ids = [a.id for a in engine.articles()]
        assert engine.store.reuse.vectors(ids, english.MODEL_NAME) == {}
        assert len(engine.store.reuse.vectors(ids)) == 2
        near = engine.similar(ids[0])
        pairs = engine.store.reuse.pairs(ids)
        shared = pairs[0].score if pairs and pairs[0].kind in ("copy", "rewrite") else 0.0
        assert [n.article for n in near] == [ids[1]]
        assert near[0].score == pytest.approx(relatedness(near[0].cosine, shared), abs=1e-5)


def _unit(*values: float) -> np.ndarray:
    row = np.zeros(english.DIM, dtype=np.float32)
    row[: len(values)] = values
    return row / np.linalg.norm(row)


def test_neighbour_search_ranks_english_pairs_by_both_models(db_path):
    from newsweave.model import Article
    from newsweave.reuse.semantic import SemanticIndex

    store = open_store(db_path)
    try:
        articles = [Article(None, f"h{i}", "", "text", f"text {i}", f"<{i}>") for i in range(4)]
        ids = store.add_articles(articles, [{}] * 4)
        # e5: article 2 is a little closer to the query than 1; the English model says 1 is
        # the same story and 2 is not. 3 has no English vector and a low e5 cosine.
        query = _unit(1.0)
        store.reuse.save_vectors(MODEL_NAME, {ids[0]: query, ids[1]: _unit(1.0, 0.62),
                                              ids[2]: _unit(1.0, 0.55), ids[3]: _unit(1.0, 1.5)})
        store.reuse.save_vectors(english.MODEL_NAME, {ids[0]: _unit(1.0), ids[1]: _unit(1.0, 0.2),
                                                      ids[2]: _unit(0.0, 1.0)})
        index = SemanticIndex()
        index.refresh(store)
        e5_only = index.nearest(query[None, :], [None], k=3, min_cosine=0.8)[0]
        both = index.nearest(query[None, :], [_unit(1.0)], k=3, min_cosine=0.8)[0]
        assert [i for i, _ in e5_only][:3] == [ids[0], ids[2], ids[1]]
        assert [i for i, _ in both][:3] == [ids[0], ids[1], ids[2]]
        assert dict(both)[ids[1]] == pytest.approx(float(query @ _unit(1.0, 0.62)), abs=1e-6)
        assert ids[3] not in dict(both)  # below the cosine floor either way
        found = index.cosines(query, _unit(1.0))
        assert found[ids[3]][1] is None and found[ids[1]][1] == pytest.approx(
            float(_unit(1.0) @ _unit(1.0, 0.2)), abs=1e-6)
    finally:
        store.close()


def test_a_replaced_vector_is_reloaded_by_the_next_refresh(db_path):
    from newsweave.model import Article
    from newsweave.reuse.semantic import SemanticIndex

    store = open_store(db_path)
    try:
        ids = store.add_articles([Article(None, f"v{i}", "", "text", f"t {i}", f"<{i}>")
                                  for i in range(2)], [{}] * 2)
        store.reuse.save_vectors(MODEL_NAME, {ids[0]: _unit(1.0), ids[1]: _unit(0.0, 1.0)})
        index = SemanticIndex()
        index.refresh(store)
        assert index.cosines(_unit(1.0), None)[ids[1]][0] == pytest.approx(0.0, abs=1e-6)
        # Re-embedded (a re-cleaned article): the change log shows the changed row.
        store.reuse.save_vectors(MODEL_NAME, {ids[1]: _unit(1.0)})
        index.refresh(store)
        assert index.cosines(_unit(1.0), None)[ids[1]][0] == pytest.approx(1.0, abs=1e-6)
        store.reuse.delete_vectors(MODEL_NAME, [ids[0]])
        index.refresh(store)
        assert set(index.cosines(_unit(1.0), None)) == {ids[1]}
    finally:
        store.close()
