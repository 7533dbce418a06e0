"""Reports of one event in two languages (issue 12, item 3): a candidate translation whose
sentences do not align is stored as a ``same-event`` relation, never provenance, and the
stories stage takes it as a damped link, so the report joins the story of its event."""

from __future__ import annotations

import numpy as np
import pytest

from newsweave.engine import Engine
from newsweave.model import Article
from newsweave.reuse import ReuseStage
from newsweave.reuse.crosslingual import (
    SAME_EVENT_SCORE,
    Comparison,
    closeness,
    compare,
    is_same_event,
    same_event,
    same_event_score,
)
from newsweave.reuse.graph import provenance
from newsweave.reuse.origins import DERIVING
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.stories import LINK_WEIGHTS, StoriesStage
from newsweave.stories.vectors import link_floor
from test_reuse_translation_sentences import ENGLISH, GERMAN_REPORT

# Written for this test: a German report of something else (a football match).
GERMAN_OTHER = ("Bayern verliert in Dortmund\n\nDer FC Bayern hat am Samstag in Dortmund mit "
                "1:3 verloren. Der Trainer sprach nach dem Spiel von einem verdienten Sieg der "
                "Gastgeber. Zwei Tore fielen nach Ecken. Die Münchner bleiben dennoch "
                "Tabellenführer. Am Mittwoch spielt die Mannschaft in Mailand.")


def _article(article_id: int, language: str) -> Article:
    return Article(id=article_id, content_hash=str(article_id), raw="", raw_format="text",
                   text="Text.", source="-", language=language)


def test_same_event_is_evidence_not_provenance() -> None:
    assert "same-event" not in DERIVING  # origins and the provenance graph ignore it
    weight = LINK_WEIGHTS["same-event"]
    assert 0.0 < weight < 1.0
    assert link_floor(weight, 0.6) < weight  # damped by the pair's vetoes
    edge = same_event(_article(7, "de"), _article(3, "en"), Comparison(0.9, 0.25, 0.84))
    assert (edge.kind, edge.derived, edge.source, edge.shared_fraction) == (
        "same-event", 7, 3, 0.0)
    assert "not a translation" in edge.reasons[0] and "25%" in edge.reasons[0]
    assert "closeness 0.840" in edge.reasons[0]
    assert edge.confidence == pytest.approx(same_event_score(0.9, 0.84)) == pytest.approx(0.87)
    assert 0.8 < SAME_EVENT_SCORE < 0.9  # above the translation gate (0.78)


@pytest.mark.parametrize("linked", [True, False])
def test_a_report_in_another_language_joins_its_event(tmp_path, monkeypatch, linked) -> None:
    """English and German reports of one flood, and a German report of a match: the flood
    reports share a story through their same-event relation (without the link they share
    no words, and stay apart), the match stays out, and each report is its own origin."""
    if not linked:
        monkeypatch.setitem(LINK_WEIGHTS, "same-event", 0.0)
    db = str(tmp_path / "s.db")
    with Engine(open_store(db), load_settings(db=db, reuse_english=0),
                stages=[ReuseStage(), StoriesStage()]) as engine:
        for text in (ENGLISH, GERMAN_REPORT, GERMAN_OTHER):
            engine.ingest_text(text)
        flood, report, match = (a.id for a in engine.articles())
        ids = [flood, report, match]
        pairs = {(min(e.derived, e.source), max(e.derived, e.source)): e
                 for e in engine.store.reuse.pairs(ids)}
        story = engine.store.stories.story_of(ids)
        origins = dict(engine.store.reuse.origin_of(ids))
        drawn = provenance(engine.store, ids).edges
    edge = pairs[(flood, report)]
    assert edge.kind == "same-event" and "lead cosine" in edge.reasons[0]
    assert all(e.kind != "same-event" for k, e in pairs.items() if match in k)
    assert all(e.kind not in DERIVING for e in pairs.values())
    assert all(origins.get(i) in (None, [i]) for i in ids)  # an origin of its own
    assert drawn == []  # the provenance graph (exports, web lineage) never draws it
    assert (story[flood] == story[report]) is linked
    assert story[match] not in (story[flood], story[report])


def test_closeness_reads_the_shorter_side_in_any_order() -> None:
    """Each sentence of the shorter side counts its best match in the other, wherever it
    stands (a report of one event tells the facts in its own order)."""
    rows = np.eye(4, dtype=np.float32)
    assert closeness(rows[[2, 0]], rows) == pytest.approx(1.0)  # any order, any length
    assert closeness(rows, rows[[2, 0]]) == closeness(rows[[2, 0]], rows)  # symmetric
    assert closeness(rows[:2], rows[2:]) == pytest.approx(0.0)
    assert closeness(rows[:0], rows) == 0.0  # nothing to compare: no evidence


def test_same_event_evidence_of_written_reports() -> None:
    """The English flood report and its German same-event report come closer, sentence by
    sentence, than the English one and a German report of a football match; none of them
    aligns as a translation."""
    articles = {1: _text(1, ENGLISH, "en"), 2: _text(2, GERMAN_REPORT, "de"),
                3: _text(3, GERMAN_OTHER, "de")}
    found = compare({(1, 2): 0.9, (1, 3): 0.9}, articles)
    assert set(found) == {(1, 2), (1, 3)}
    assert found[(1, 2)].closeness > found[(1, 3)].closeness + 0.03
    assert found[(1, 3)].closeness < SAME_EVENT_SCORE  # the match's sentences are far
    assert all(c.cosine == 0.9 for c in found.values())


def _text(article_id: int, text: str, language: str) -> Article:
    return Article(id=article_id, content_hash=str(article_id), raw=text, raw_format="text",
                   text=text, source="-", language=language)


def test_is_same_event_needs_the_evidence_and_mutual_nearest(tmp_path) -> None:
    """The gate is on the mean of lead cosine and closeness, and only between two articles
    each the other's nearest lead in its language (1 and 2 here, 3 and 4)."""
    from conftest import indexed_store

    languages = {1: "en", 2: "de", 3: "de", 4: "en"}
    _, index = indexed_store(":memory:", {1: [1.0, 0.1, 0.0], 2: [1.0, 0.12, 0.0],
                                          3: [0.8, 0.6, 0.0], 4: [0.75, 0.66, 0.0]})
    close, far = SAME_EVENT_SCORE + 0.02, SAME_EVENT_SCORE - 0.04
    assert is_same_event(index, (1, 2), Comparison(close, 0.2, close), languages.get)
    # The lead alone is not enough when the sentences are far, nor the reverse.
    assert not is_same_event(index, (1, 2), Comparison(close, 0.2, far), languages.get)
    assert not is_same_event(index, (1, 2), Comparison(far, 0.2, close), languages.get)
    # Close enough, but not each other's nearest: 1's nearest German lead is 2's, 3's
    # nearest English one is 4's.
    assert not is_same_event(index, (1, 3), Comparison(close, 0.2, close), languages.get)
