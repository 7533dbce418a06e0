"""The sentence check on candidate translations (issue 12, item 3): a translation says
the same thing sentence after sentence, in order; two reports of one event in two
languages do not, however close their leads."""

from __future__ import annotations

import numpy as np
import pytest

from newsweave.engine import Engine
from newsweave.model import Article
from newsweave.nlp.sentences import split_sentences
from newsweave.reuse import ReuseStage
from newsweave.reuse.crosslingual import (
    MARGIN_BELOW,
    MAX_SENTENCES,
    SENTENCE_COSINE,
    SENTENCE_MARGIN,
    SENTENCE_SHARE,
    aligned_share,
    compare,
    in_order,
    sentence_hits,
    sentence_texts,
)
from newsweave.settings import load_settings
from newsweave.store import open_store

# Written for these tests: an English report, its German translation, and a German
# report of the same flood that tells it in other sentences and another order.
ENGLISH = ("Flood closes the Varna bridge\n\nThe river rose two metres overnight and closed "
           "the old bridge in Varna on Tuesday. Police diverted traffic to the ring road "
           "while engineers checked the pillars. The mayor said the bridge would stay shut "
           "until Friday at the earliest. Schools in the lower town were closed for the day. "
           "Farmers upstream reported fields under water for the second time this year.")
GERMAN = ("Hochwasser sperrt die Brücke von Varna\n\nDer Fluss stieg über Nacht um zwei Meter "
          "und sperrte am Dienstag die alte Brücke in Varna. Die Polizei leitete den Verkehr "
          "auf die Ringstraße um, während Ingenieure die Pfeiler prüften. Der Bürgermeister "
          "sagte, die Brücke bleibe frühestens bis Freitag gesperrt. Die Schulen in der "
          "Unterstadt blieben für den Tag geschlossen. Bauern flussaufwärts meldeten zum "
          "zweiten Mal in diesem Jahr überflutete Felder.")
GERMAN_REPORT = ("Varna: Landwirte klagen über Ernteausfälle\n\nZum zweiten Mal in diesem Jahr "
                 "stehen die Felder oberhalb von Varna unter Wasser, klagt der Bauernverband. "
                 "Eine Versicherung für solche Schäden gebe es kaum. Der Verband fordert "
                 "Hilfen vom Land und neue Rückhaltebecken. In der Stadt selbst ist seit "
                 "Dienstag die alte Brücke gesperrt.")


def _unit(rows: list[list[float]]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_in_order_counts_a_monotone_one_to_one_alignment() -> None:
    hits = np.array([[1, 0, 0, 0],
                     [0, 1, 0, 0],
                     [0, 0, 0, 1],
                     [0, 0, 1, 0]], dtype=bool)
    assert in_order(hits) == 3  # the last two cross: one of them is out of order
    assert in_order(hits[[0, 1, 3, 2]]) == 4
    assert in_order(hits[::-1]) == 2  # backwards: only one way of the crossing counts
    assert in_order(np.ones((3, 2), dtype=bool)) == 2  # each sentence in one pair at most
    assert in_order(np.zeros((0, 3), dtype=bool)) == 0


def test_hits_are_mutual_nearest_above_the_floor() -> None:
    cosines = np.array([[0.95, 0.90, 0.10],
                        [0.93, 0.80, 0.10],
                        [0.10, 0.20, 0.70]])
    hits = sentence_hits(cosines, 0.85)
    # (0, 0): each the other's nearest. (1, 0): row 1's nearest, but column 0 prefers
    # row 0. (0, 1) is above the floor but not row 0's nearest; (2, 2) under the floor.
    assert hits.tolist() == [[True, False, False], [False, False, False],
                             [False, False, False]]
    assert sentence_hits(cosines, 0.6)[2, 2]


def test_few_aligned_sentences_must_stand_out_from_their_row_and_column() -> None:
    # e5 scores any two sentences of news prose alike: two short texts on nearby subjects
    # have pairs that are each other's nearest above the floor, no nearer than the rest.
    flat = np.array([[0.84, 0.81, 0.80],
                     [0.80, 0.83, 0.81]])
    assert sentence_hits(flat, 0.82).sum() == 2  # the margin is asked for, not assumed
    assert not sentence_hits(flat, 0.82, SENTENCE_MARGIN).any()
    assert SENTENCE_MARGIN > 0 and MARGIN_BELOW > 2
    # A translation's sentences stand out from the other sentences.
    sharp = np.array([[0.91, 0.80, 0.79],
                      [0.80, 0.90, 0.81]])
    assert sentence_hits(sharp, 0.82, SENTENCE_MARGIN).tolist() == [[True, False, False],
                                                                    [False, True, False]]


def test_aligned_share_asks_the_margin_of_short_alignments_only() -> None:
    def share(cosines: np.ndarray) -> float:  # rows against the identity: these cosines
        return aligned_share(cosines, np.eye(cosines.shape[1]))

    # Two texts of three sentences: two pairs each other's nearest, none standing out.
    assert share(np.full((3, 3), 0.80) + np.diag([0.03, 0.03, 0.0])) == 0.0
    assert share(np.full((3, 3), 0.78) + np.diag([0.15, 0.15, 0.0])) == 2 / 3
    # Many pairs in order count without the margin (a long translation, distant scripts).
    assert share(np.full((6, 6), 0.80) + np.diag([0.03] * 6)) == 1.0


def test_aligned_share_of_the_shorter_side() -> None:
    base = _unit([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    assert aligned_share(base[:2], base) == aligned_share(base, base[:2]) == 1.0
    assert aligned_share(base, base[[3, 2, 1, 0]], 0.9) == 0.25  # reversed: one pair
    assert aligned_share(base, base[[1, 0, 3, 2]], 0.9) == 0.5
    assert aligned_share(base[:1], base) == 0.0  # one sentence proves nothing
    assert aligned_share(base[:0], base) == 0.0


def test_sentence_texts_keeps_the_first_sentences_worth_comparing() -> None:
    text = " ".join(f"Sentence number {i} of the report." for i in range(30))
    kept = sentence_texts(text)
    assert len(kept) == MAX_SENTENCES and kept[0] == "Sentence number 0 of the report."
    assert sentence_texts("Oslo. " + text[:32]) == ["Sentence number 0 of the report."]
    assert sentence_texts("") == []


def test_full_width_stops_end_sentences() -> None:
    assert [s.text for s in split_sentences("河水上涨两米。旧桥关闭！市长说什么？")] == [
        "河水上涨两米。", "旧桥关闭！", "市长说什么？"]


def _article(article_id: int, text: str, language: str) -> Article:
    return Article(id=article_id, content_hash=str(article_id), raw=text, raw_format="text",
                   text=text, source="-", language=language)


def test_a_translation_aligns_and_a_report_of_the_same_event_does_not() -> None:
    articles = {1: _article(1, ENGLISH, "en"), 2: _article(2, GERMAN, "de"),
                3: _article(3, GERMAN_REPORT, "de")}
    compared = compare({(1, 2): 0.9, (1, 3): 0.9}, articles)
    assert set(compared) == {(1, 2), (1, 3)}
    assert compared[(1, 2)].cosine == 0.9
    assert compared[(1, 2)].share >= max(SENTENCE_SHARE, 0.8)
    # The other report's share, measured, sits well below the floor.
    assert compared[(1, 3)].share < SENTENCE_SHARE - 0.15
    assert compare({(1, 4): 0.9}, articles) == {}  # an article not given: no claim
    assert 0.7 < SENTENCE_COSINE < 1.0


@pytest.mark.parametrize("texts", [(ENGLISH, GERMAN_REPORT), (ENGLISH, GERMAN)])
def test_the_stage_links_only_what_aligns(tmp_path, texts) -> None:
    """In a store of two articles each is the other's nearest in the other language: the
    lead alone made a translation of any such pair (the false edges on SemEval)."""
    db = str(tmp_path / "s.db")
    with Engine(open_store(db), load_settings(db=db, reuse_english=0),
                stages=[ReuseStage()]) as engine:
        for text in texts:
            engine.ingest_text(text)
        ids = [a.id for a in engine.articles()]
        kinds = {e.kind for e in engine.store.reuse.pairs(ids)}
        edges = engine.store.reuse.pairs(ids, kinds=("translation",))
    if texts[1] is GERMAN:
        assert len(edges) == 1 and "aligned in order" in edges[0].reasons[0]
    else:
        assert edges == [] and "translation" not in kinds


def test_candidates_reach_the_second_nearest_lead(tmp_path) -> None:
    """A translation's lead is not always its original's nearest in that language (a lead
    cut at a fixed length covers more of some languages): candidates go ``rank`` deep,
    each among the other's nearest, and the sentence check decides."""
    from conftest import indexed_store
    from newsweave.reuse.crosslingual import translation_candidates

    # 1 (en) is nearest to 3 (de), but 2 (de) is 1's second nearest; 3's nearest English
    # lead is 4 (en). 5 (de) is far from everything.
    languages = {1: "en", 2: "de", 3: "de", 4: "en", 5: "de"}
    _, index = indexed_store(str(tmp_path / "s.db"), {
        1: [1.0, 0.2, 0.0], 2: [1.0, 0.5, 0.0], 3: [1.0, 0.1, 0.05], 4: [1.0, 0.1, 0.04],
        5: [0.0, 0.0, 1.0]})
    first = index.vector(0)
    one = translation_candidates(index, first, 1, languages.get, 0.5, rank=1)
    assert one == []  # mutual nearest only: 1's nearest German lead is not 1's
    two = dict(translation_candidates(index, first, 1, languages.get, 0.5, rank=2))
    assert set(two) == {2, 3}  # 1 is among each one's two nearest English leads
    assert two[2] == pytest.approx(float(first @ index.vector(1)))
    assert translation_candidates(index, index.vector(4), 5, languages.get, 0.5) == []
    assert translation_candidates(index, first, 1, {1: None}.get, 0.5) == []
