"""Reports left alone while their event is grouped (#12 part 15): the second pass for
single reports (``stories.linkage.join_lone``, off by default: ``LONE_JOIN`` None), and the
bench's variants of it (``bench/stories_lone.py``)."""

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import load_bench, require_shared
from newsweave.stories import linkage, repair
from newsweave.stories.linkage import attach_small, average_link, cluster_rows, join_lone
from newsweave.stories.vectors import Weights


@pytest.fixture
def lone(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    return load_bench("stories_lone")


# Five reports: a story (0, 1), a story (2, 3), and report 4 alone, closer to (0, 1).
SIMS = np.array([[1.0, 0.50, 0.05, 0.05, 0.21],
                 [0.50, 1.0, 0.05, 0.05, 0.19],
                 [0.05, 0.05, 1.0, 0.60, 0.12],
                 [0.05, 0.05, 0.60, 1.0, 0.10],
                 [0.21, 0.19, 0.12, 0.10, 1.0]])
AGREE = np.ones((5, 5))


def test_a_single_report_joins_its_closest_story_from_the_bar():
    clusters = [[0, 1], [2, 3], [4]]
    assert join_lone(clusters, SIMS, AGREE, 0.2) == [[0, 1, 4], [2, 3]]  # mean 0.20
    assert join_lone(clusters, SIMS, AGREE, 0.21) == [[0, 1], [2, 3], [4]]
    # Names that disagree with the story's (most of its members) keep it out; the next
    # story, whose names agree, takes it if its own mean reaches the bar (0.11).
    agree = AGREE.copy()
    agree[4, :2] = agree[:2, 4] = 0.0
    assert join_lone(clusters, SIMS, agree, 0.15) == [[0, 1], [2, 3], [4]]
    assert join_lone(clusters, SIMS, agree, 0.11) == [[0, 1], [2, 3, 4]]


def test_single_reports_never_join_each_other_and_their_order_does_not_matter():
    sims = np.array([[1.0, 0.9, 0.3], [0.9, 1.0, 0.3], [0.3, 0.3, 1.0]])
    assert join_lone([[0], [1], [2]], sims, np.ones((3, 3)), 0.1) == [[0], [1], [2]]
    clusters = [[4], [2, 3], [0, 1]]
    assert join_lone(clusters, SIMS, AGREE, 0.11) == join_lone(
        list(reversed(clusters)), SIMS, AGREE, 0.11) == [[0, 1, 4], [2, 3]]


def test_the_second_pass_is_off_by_default_and_the_clustering_as_before():
    assert linkage.LONE_JOIN is None
    assert join_lone([[0, 1], [2, 3], [4]], SIMS, AGREE) == [[0, 1], [2, 3], [4]]
    before = attach_small(average_link(SIMS, 0.22), SIMS, AGREE, 0.14, 4)
    assert cluster_rows(SIMS, AGREE, 0.22, 0.14, 4) == before == [[0, 1], [2, 3], [4]]


def test_the_second_pass_runs_in_the_clustering_and_asks_for_a_repair(monkeypatch):
    monkeypatch.setattr(linkage, "LONE_JOIN", 0.2)
    assert cluster_rows(SIMS, AGREE, 0.22, 0.14, 4) == [[0, 1, 4], [2, 3]]

    def story(size: int) -> SimpleNamespace:
        return SimpleNamespace(row=SimpleNamespace(size=size))

    weights = Weights(attach=0.14)
    # A report alone beside a story of two: a merge only the second pass can make.
    assert repair._mergeable(story(1), story(2), 0.2, True, 0.22, weights)
    assert not repair._mergeable(story(1), story(2), 0.19, True, 0.22, weights)
    assert not repair._mergeable(story(1), story(2), 0.2, False, 0.22, weights)
    assert not repair._mergeable(story(1), story(1), 0.2, True, 0.22, weights)
    monkeypatch.setattr(linkage, "LONE_JOIN", None)
    assert not repair._mergeable(story(1), story(2), 0.2, True, 0.22, weights)


def test_the_bench_variants_score_a_story_by_its_mean_its_whole_or_its_nearest(lone):
    clusters = [[0, 1], [2, 3], [4]]
    assert lone.join_lone(clusters, SIMS, AGREE, "mean", 0.2) == [[0, 1, 4], [2, 3]]
    # As a whole: (0.21 + 0.19) / sqrt(1 + 1 + 2 * 0.5) = 0.231, above the mean's 0.20.
    assert lone.join_lone(clusters, SIMS, AGREE, "cohesion", 0.23) == [[0, 1, 4], [2, 3]]
    assert lone.join_lone(clusters, SIMS, AGREE, "mean", 0.23) == [[0, 1], [2, 3], [4]]
    assert lone.join_lone(clusters, SIMS, AGREE, "max", 0.21) == [[0, 1, 4], [2, 3]]
    # The crowd condition: (2, 3) at 0.11 passes 0.5 x 0.20, so one rival keeps it out.
    assert lone.join_lone(clusters, SIMS, AGREE, "mean", 0.2, 0.5, 1) == clusters
    assert lone._band(0.19, 0.22, 0.14) == "b [0.18, T)"
    assert lone._band(0.05, 0.22, 0.14) == "e below T/2"


def test_allsides_val_lone_reports_join_their_event_at_the_price_of_single_reports(lone):
    """The AllSides validation split clustered as a whole with the stage's word similarity
    (no sentence vectors), the second pass at 0.2 against off: recall rises (0.755 ->
    0.772), and so do the wrong joins of single same-kind reports (the split thinned to one
    report an event, seed 1: precision 0.909 -> 0.902): the trade that keeps it off (#12
    part 15). Fails if the pass stops joining, or stops costing. A few CPU s."""
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.linkage import story_weekdays
    from newsweave.stories.vectors import SMALL_STORY, pair_matrices

    require_shared("benchmarks/allsides/docs.jsonl")
    dev = load_bench("stories_dev")
    weights = replace(weights_from(load_settings()), semantic=0.0)
    threshold = load_settings().story_threshold

    def scores(docs, bar):
        items = dev.stage_vectors(docs, weights)
        sims, agree = pair_matrices(items, weights)
        rows = join_lone(cluster_rows(sims, agree, threshold, weights.attach, SMALL_STORY,
                                      story_weekdays(items, weights),
                                      weights.weekday_story_penalty), sims, agree, bar)
        return lone.bcubed(lone.labels_of(rows, len(docs)), [d["event"] for d in docs])

    docs = dev.load_set("allsides-val")
    (_, r_off, f_off), (_, r_on, f_on) = scores(docs, 1.0), scores(docs, 0.2)
    single = lone.thin(list(docs), 1, 1)
    k1_off, k1_on = scores(single, 1.0)[0], scores(single, 0.2)[0]
    print(f"R {r_off:.3f} -> {r_on:.3f}, F1 {f_off:.3f} -> {f_on:.3f}; "
          f"one report an event P {k1_off:.3f} -> {k1_on:.3f}")
    assert r_on >= r_off + 0.01
    assert f_on >= f_off + 0.005
    assert k1_on < k1_off
