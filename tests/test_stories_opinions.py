"""What would join the events the stories stage splits (#12 part 14): the bench's pair
zones and similarity variants (``bench/stories_opinions.py``), and a floor on the text the
reuse stage embeds for the stage's sentence factor."""

from pathlib import Path

import numpy as np
import pytest

from conftest import load_bench, require_shared
from newsweave.nlp import english


@pytest.fixture
def opinions(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    return load_bench("stories_opinions")


def test_zone_aucs_count_the_pairs_of_each_zone_and_rank_them(opinions):
    # Four reports, two events: (0, 1) and (2, 3).
    sims = np.array([[1.0, 0.30, 0.15, 0.12],
                     [0.30, 1.0, 0.18, 0.02],
                     [0.15, 0.18, 1.0, 0.16],
                     [0.12, 0.02, 0.16, 1.0]])
    gold = np.array(["a", "a", "b", "b"])
    good = np.array([[1, .9, .1, .1], [.9, 1, .2, .1], [.1, .2, 1, .8], [.1, .1, .8, 1.]])
    found = opinions.zone_aucs({"sims": sims, "good": good, "bad": -good}, sims,
                               gold[:, None] == gold, [(0.11, 0.22), (0.22, np.inf)])
    (low, high, right, wrong, aucs), (_, _, right_above, wrong_above, above) = found
    assert (low, high) == (0.11, 0.22)
    # Below 0.22: (2, 3) of one event at 0.16; (0, 2) 0.15, (0, 3) 0.12, (1, 2) 0.18 apart.
    assert (right, wrong) == (1, 3)
    assert aucs["good"] == 1.0 and aucs["bad"] == 0.0
    assert aucs["sims"] == pytest.approx(2 / 3)
    assert (right_above, wrong_above) == (1, 0)
    assert np.isnan(above["sims"])  # no pair of different events to rank against


def test_short_variant_scales_only_pairs_of_two_short_reports(opinions):
    docs = [{"title": "Dam breaks", "text": "Water poured into the town."},
            {"title": "", "text": "A dam broke."},
            {"title": "Long", "text": " ".join(["word"] * 100)}]
    sims = np.full((3, 3), 0.2)
    changed = opinions.short_modify(1.5, 80)(sims, docs)
    assert changed[0, 1] == changed[1, 0] == pytest.approx(0.3)
    assert changed[0, 2] == changed[1, 2] == changed[2, 2] == 0.2
    assert opinions.variant("stage@0.2") == (None, 0.2, 1.0)
    modify, threshold, penalty = opinions.variant("short:1.1:80")
    assert threshold is None and modify is not None and penalty == 1.0
    assert opinions.variant("weekstories:0.7") == (None, None, 0.7)
    with pytest.raises(SystemExit):
        opinions.variant("nothing:1")


def test_the_title_stands_in_for_itself_or_the_first_sentence(opinions):
    assert opinions.title_of({"title": " Dam breaks ", "text": "x"}) == "Dam breaks"
    assert opinions.title_of({"title": "", "text": "A dam broke. Water ran."}) == "A dam broke"
    assert opinions.word_count({"title": "Dam breaks", "text": "Water ran."}) == 4


def test_allsides_val_the_stored_title_and_lead_rank_near_threshold_pairs_best(opinions):
    """The AllSides validation split: of the pairs just below the threshold (the ones a
    split event leaves apart), the MiniLM cosine of title and lead, which the reuse stage
    stores and the stage weighs, ranks one event's pairs above different events' better
    than the title alone or the text alone (measured AUC 0.764 against 0.656 and 0.655,
    docs/benchmarks.md part 14). Fails if the embedded text became the title alone. Needs
    the MiniLM model; about 20 CPU s the first time (vectors cached under /tmp)."""
    require_shared("benchmarks/allsides/docs.jsonl")
    if not english.available():
        pytest.skip("the English model package is not installed")
    docs = [d for d in opinions.load_set("allsides-val") if d["text"].strip()]
    _, resolved, _, sims, _, _ = opinions.stage_matrices(docs, {})
    threshold = resolved.story_threshold
    gold = np.array([d["event"] for d in docs])
    signals = {"stored": opinions.cosines(opinions.lead_texts(docs)),
               "title": opinions.cosines([opinions.title_of(d) for d in docs]),
               "text": opinions.cosines([d["text"] for d in docs])}
    [(_, _, right, wrong, aucs)] = opinions.zone_aucs(
        signals, sims, gold[:, None] == gold, [(threshold / 2, threshold)])
    print(right, wrong, aucs)
    assert right >= 150 and wrong >= 1000
    assert aucs["stored"] >= 0.74
    assert aucs["stored"] >= max(aucs["title"], aucs["text"]) + 0.05


def test_the_stories_weekday_veto_default_reaches_weights():
    from newsweave.settings import load_settings
    from newsweave.stories import features as stories_features
    from newsweave.stories.assign import weights_from

    assert stories_features.WEEKDAY_STORY_PENALTY == 0.85
    assert weights_from(load_settings()).weekday_story_penalty == 0.85


def test_average_link_keeps_two_stories_of_other_weekdays_apart():
    from newsweave.stories.linkage import average_link

    rng = np.random.default_rng(3)
    noise = rng.random((12, 12)) * 0.5
    sims = (noise + noise.T) / 2
    np.fill_diagonal(sims, 1.0)
    days = rng.random((12, 7)) < 0.2
    assert average_link(sims, 0.22, weekdays=days, weekday_penalty=1.0) == average_link(
        sims, 0.22)
    # Two pairs, (0, 1) on a Tuesday and (2, 3) on a Thursday, at 0.3 across.
    sims = np.full((4, 4), 0.3)
    sims[0, 1] = sims[1, 0] = sims[2, 3] = sims[3, 2] = 0.9
    np.fill_diagonal(sims, 1.0)
    days = np.zeros((4, 7), dtype=bool)
    days[[0, 1], 1] = days[[2, 3], 3] = True
    assert average_link(sims, 0.22, weekdays=days) == [[0, 1, 2, 3]]  # penalty 1: off
    assert average_link(sims, 0.22, weekdays=days, weekday_penalty=0.7) == [[0, 1], [2, 3]]
    # A single report is never damped: one report an event cannot change.
    single = np.array([[1.0, 0.3], [0.3, 1.0]])
    assert average_link(single, 0.22, weekdays=days[[0, 2]], weekday_penalty=0.5) == [[0, 1]]
    # A story whose reports name no weekday joins one that names one.
    days[[2, 3]] = False
    assert average_link(sims, 0.22, weekdays=days, weekday_penalty=0.7) == [[0, 1, 2, 3]]


def test_story_weekdays_read_undated_reports_only_and_only_when_on():
    from dataclasses import replace

    from newsweave.stories.linkage import story_weekdays
    from newsweave.stories.vectors import ArticleVector, Weights

    items = [ArticleVector(1, {}, {}, frozenset(), None, weekdays=frozenset({5})),
             ArticleVector(2, {}, {}, frozenset(), 738000, weekdays=frozenset({5}))]
    on = Weights(weekday_penalty=0.85, weekday_story_penalty=0.7)
    found = story_weekdays(items, on)
    assert found is not None and found[0].any() and not found[1].any()
    assert story_weekdays(items, replace(on, weekday_story_penalty=1.0)) is None
    assert story_weekdays(items, replace(on, weekday_penalty=1.0)) is None


def test_allsides_val_stories_of_other_weekdays_stay_apart(opinions):
    """The AllSides validation split (921 undated excerpts) clustered as a whole with the
    stage's word similarity (no sentence vectors): with two stories' weekdays weighed in
    the linkage (the default) precision rises and recall holds (#12 part 14). A few CPU s."""
    from dataclasses import replace

    from newsweave.settings import load_settings
    from newsweave.stories import features as stories_features
    from newsweave.stories.assign import weights_from
    from newsweave.stories.linkage import cluster_rows, story_weekdays
    from newsweave.stories.vectors import SMALL_STORY, pair_matrices

    require_shared("benchmarks/allsides/docs.jsonl")
    docs = opinions.load_set("allsides-val")
    gold = [d["event"] for d in docs]
    base = replace(weights_from(load_settings()), semantic=0.0)
    items = load_bench("stories_dev").stage_vectors(docs, base)
    threshold = load_settings().story_threshold
    sims, agree = pair_matrices(items, base)
    scores = []
    for penalty in (1.0, stories_features.WEEKDAY_STORY_PENALTY):
        weights = replace(base, weekday_story_penalty=penalty)
        pred = [0] * len(docs)
        for story, rows in enumerate(cluster_rows(sims, agree, threshold, weights.attach,
                                                  SMALL_STORY, story_weekdays(items, weights),
                                                  penalty)):
            for i in rows:
                pred[i] = story
        scores.append(opinions.bcubed(pred, gold))
    (p_off, r_off, f_off), (p_on, r_on, f_on) = scores
    print(f"P {p_off:.3f} -> {p_on:.3f}, R {r_off:.3f} -> {r_on:.3f}, F1 {f_off:.3f} -> {f_on:.3f}")
    assert p_on >= p_off + 0.005
    assert r_on >= r_off - 0.003
    assert f_on >= f_off
