"""The weekdays of title and lead as a "when" for undated reports (stories.features.
WEEKDAY_PENALTY and WEEKDAY_SCOPE, #12 part 11): collected only when on, stored in the dates
blob, never weighed, damping only pairs not both dated, and (scope "pairs", the default)
only between two reports."""

from pathlib import Path

import numpy as np
import pytest

from conftest import load_bench, require_shared
from newsweave.settings import load_settings
from newsweave.store.stories import StoryRow
from newsweave.stories import features as stories_features
from newsweave.stories.assign import StoryState, _saved, weights_from
from newsweave.stories.features import WEEKDAY, extract_features, key
from newsweave.stories.vectors import (
    ArticleVector,
    Weights,
    pack,
    pack_dates,
    pair_matrices,
    split_every,
    veto_factor,
    weigh_packed,
)
from test_stories_units import _NoTables

TUESDAY, THURSDAY = key(WEEKDAY, "1"), key(WEEKDAY, "3")


def test_the_defaults_weigh_the_weekdays_between_two_reports_only():
    assert stories_features.WEEKDAY_PENALTY == 0.85
    assert stories_features.WEEKDAY_SCOPE == "pairs"
    weights = weights_from(load_settings())
    assert (weights.weekday_penalty, weights.weekday_scope) == (0.85, "pairs")


def test_weekdays_of_title_and_lead_are_collected_only_when_the_veto_is_on(monkeypatch):
    title, text = "Senate votes on Tuesday", "The vote came on Tuesday. It was Sun news on Friday."
    monkeypatch.setattr(stories_features, "WEEKDAY_PENALTY", 1.0)
    assert extract_features(title, text).weekdays == set()  # off: nothing collected
    monkeypatch.setattr(stories_features, "WEEKDAY_PENALTY", 0.7)
    assert extract_features(title, text).weekdays == {TUESDAY}  # not the later sentence's
    # Full names with a capital only ("Sun" is a newspaper too), no title: the first sentence.
    assert extract_features(None, "On Thursday the Sun said tuesday. Friday.").weekdays == {
        THURSDAY}
    assert weights_from(load_settings()).weekday_penalty == 0.7


def test_the_weekdays_ride_in_the_dates_blob_and_are_never_weighed(monkeypatch):
    monkeypatch.setattr(stories_features, "WEEKDAY_PENALTY", 0.7)
    f = extract_features("Jobless claims fell on Thursday", "Claims fell in 2020 to 1.5 million.")
    blob = pack_dates(f.dates, f.figures, f.places, f.lead_years, f.weekdays)
    assert split_every(blob)[4] == {THURSDAY}
    assert split_every(blob)[:4] == (frozenset(f.dates), frozenset(f.figures), frozenset(),
                               frozenset())
    assert split_every(pack(dict.fromkeys(f.dates, 1.0)))[4] == frozenset()  # an older blob
    terms, names = pack(f.terms), pack(f.names)
    on = weigh_packed([(terms, names, blob)], lambda k: np.ones(len(k)), 10, Weights())
    off = weigh_packed([(terms, names, pack_dates(f.dates, f.figures))],
                       lambda k: np.ones(len(k)), 10, Weights())
    assert on[0][0][0].tolist() == off[0][0][0].tolist()
    assert np.allclose(on[0][0][1], off[0][0][1])


def _item(i: int, days: set[int], day: int | None = None) -> ArticleVector:
    return ArticleVector(i, {1: 1.0}, {}, frozenset(), day, weekdays=frozenset(days))


def test_a_pair_is_damped_only_where_both_name_weekdays_none_shared_and_not_both_dated():
    items = [_item(0, {TUESDAY}), _item(1, {THURSDAY}), _item(2, {TUESDAY, THURSDAY}),
             _item(3, set()), _item(4, {THURSDAY}, day=738000), _item(5, {TUESDAY}, day=738001)]
    off = pair_matrices(items, Weights())[0]
    on = pair_matrices(items, Weights(weekday_penalty=0.7))[0]
    assert np.allclose(off, 1.0)
    assert on[0, 1] == pytest.approx(0.7)  # Tuesday against Thursday, undated
    assert on[0, 4] == pytest.approx(0.7)  # one side dated: the weekdays still say when
    assert on[4, 5] == 1.0  # both dated: their publication dates say when
    assert on[0, 2] == on[1, 2] == on[0, 3] == on[1, 3] == 1.0  # one shared, or none named
    # The online path's factor agrees with the matrix.
    w = Weights(weekday_penalty=0.7)
    assert veto_factor(0.0, False, frozenset(), frozenset(), None, w,
                       weekdays_a={TUESDAY}, weekdays_b={THURSDAY}) == pytest.approx(0.7)
    assert veto_factor(0.0, False, frozenset(), frozenset(), 1, w,
                       weekdays_a={TUESDAY}, weekdays_b={THURSDAY}) == 1.0


def test_a_story_carries_its_members_weekdays_and_keeps_them_when_saved():
    row = StoryRow(7, 1, "", b"", b"", pack_dates({}, set(), weekdays={TUESDAY}), None, None)
    state = StoryState(row)
    assert state.weekdays == {TUESDAY}
    other = _item(9, {THURSDAY})
    on = Weights(weekday_penalty=0.7, weekday_scope="all")
    assert state.score_parts(other, on)[2] == pytest.approx(0.7)
    assert state.score_parts(other, Weights())[2] == 1.0  # off
    # Scope "pairs": a report and a story are compared as before (order independence).
    assert state.score_parts(other, Weights(weekday_penalty=0.7, weekday_scope="pairs"))[2] == 1.0
    state.add(other)
    saved, _ = _saved(_NoTables(), state)  # type: ignore[arg-type]
    assert split_every(saved.dates)[4] == {TUESDAY, THURSDAY}


def test_allsides_val_weekdays_keep_same_kind_events_apart(monkeypatch):
    """The AllSides validation split (921 undated excerpts) clustered as a whole with the
    stage's word similarity: with the weekdays' veto, precision rises and F1 does not fall
    (#12 part 11). A few CPU s."""
    from dataclasses import replace


    require_shared("benchmarks/allsides/docs.jsonl")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    dev = load_bench("stories_dev")
    ecb = load_bench("stories_ecb")
    monkeypatch.setattr(stories_features, "WEEKDAY_PENALTY", 0.7)
    docs = dev.load_set("allsides-val")
    gold = [d["event"] for d in docs]
    base = replace(weights_from(load_settings()), semantic=0.0)
    items = dev.stage_vectors(docs, base)
    threshold = load_settings().story_threshold
    scores = []
    for penalty in (1.0, 0.7):
        weights = replace(base, weekday_penalty=penalty)
        sims, agree = pair_matrices(items, weights)
        pred = dev.cluster_labels(sims, agree, threshold, weights.attach)
        scores.append(ecb.bcubed(pred, gold))
    (p_off, _, f_off), (p_on, _, f_on) = scores
    print(f"P {p_off:.3f} -> {p_on:.3f}, F1 {f_off:.3f} -> {f_on:.3f}")
    assert p_on >= p_off + 0.005
    assert f_on >= f_off - 0.002
