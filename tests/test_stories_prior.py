"""The general-language prior for the stories stage's document frequencies (#12 part 12)."""

import math
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from newsweave.settings import load_settings
from newsweave.stories import prior
from newsweave.stories.assign import weights_from
from newsweave.stories.features import extract_features, key
from newsweave.stories.vectors import Weights, as_dict, idf, pack, weigh, weigh_packed

REPO = Path(__file__).resolve().parents[1]


def test_common_words_are_held_by_more_pseudo_reports_than_rare_ones():
    said, police, quake, town, year = prior.shares(np.array([
        key("t", "said"), key("t", "police"), key("t", "quake"), key("n", "culver citi"),
        key("d", "2013")]))
    assert said > police > quake > 0.0
    assert town == 0.0  # a multi-word name: not in the table, rare in general language
    assert 0.0 < year < police
    # Longer pseudo-reports hold more of every word; none at length 0.
    assert prior.shares(np.array([key("t", "police")]), length=1000)[0] > police
    assert prior.shares(np.array([key("t", "police")]), length=0).tolist() == [0.0]
    # A word's forms share its stem's key, and a one-word name is looked up as its word.
    assert prior.shares(np.array([key("t", "quakes")]))[0] == 0.0  # no stem of its own
    assert prior.shares(np.array([key("n", "police")]))[0] == police


def test_the_blend_adds_pseudo_reports_to_the_store_counts():
    keys = np.array([key("t", "said"), key("t", "quake"), key("n", "culver citi")])
    df = np.array([40, 3, 2])
    same, docs = prior.blend(df, 50, keys, 0.0)
    assert same.tolist() == [40.0, 3.0, 2.0] and docs == 50.0  # off: the store's counts
    blended, docs = prior.blend(df, 50, keys, 1000.0)
    assert docs == 1050.0
    assert blended.tolist() == pytest.approx((df + 1000.0 * prior.shares(keys)).tolist())
    assert blended[2] == 2.0


def test_the_prior_fades_as_the_store_grows():
    """A word in a third of a store's reports weighs as little as the store says once the
    store is large; in a small store the prior lifts it toward general language."""
    keys = np.array([key("t", "senate")])
    gaps = []
    for docs in (300, 3000, 100_000):
        own = idf(docs / 3, docs)
        df, total = prior.blend(np.array([docs / 3]), docs, keys, 1000.0)
        gaps.append(idf(float(df[0]), total) - own)
    assert gaps[0] > gaps[1] > gaps[2] > 0.0
    assert gaps[0] > 0.5 and gaps[2] < 0.02


def test_the_prior_raises_a_subject_word_more_than_a_rare_one():
    """The store-wide subject word gains weight against the words of one event."""
    subject, event = key("t", "senate"), key("t", "filibuster")
    df = {subject: 100, event: 3}

    def ratio(documents):
        counts, total = prior.blend(np.array([100, 3]), 300, np.array([subject, event]),
                                    documents)
        return idf(float(counts[0]), total) / idf(float(counts[1]), total)

    assert ratio(1000.0) > ratio(0.0) == pytest.approx(idf(df[subject], 300) / idf(3, 300))


def test_weigh_and_weigh_packed_agree_with_the_prior_on():
    features = extract_features("Senate passes budget in Washington",
                                "The Senate passed the budget on Tuesday after a long debate "
                                "in Washington, senators said. The vote was 51 to 49 in 2013.")
    df = Counter({k: 1 + k % 7 for k in features.keys()})  # noqa: SIM118 (Features.keys)
    weights = replace(Weights(), prior_documents=1000.0, prior_length=100.0)
    full, names = weigh(features, df, 40, weights)
    dates = pack(features.dates)
    [(packed_full, packed_names)] = weigh_packed(
        [(pack(features.terms), pack(features.names), dates)],
        lambda keys: np.array([df.get(int(k), 0) for k in keys]), 40, weights)
    for mine, theirs in ((full, packed_full), (names, packed_names)):
        got = as_dict(theirs)
        assert set(got) == set(mine)
        assert all(math.isclose(got[k], mine[k], rel_tol=1e-5) for k in mine)
    # And the prior changes the weights (not a no-op).
    plain, _ = weigh(features, df, 40, Weights())
    assert any(not math.isclose(plain[k], full[k], rel_tol=1e-3) for k in full)


def test_the_stage_reads_the_prior_from_the_module(monkeypatch):
    assert weights_from(load_settings()).prior_documents == prior.PRIOR_DOCUMENTS
    monkeypatch.setattr(prior, "PRIOR_DOCUMENTS", 500.0)
    monkeypatch.setattr(prior, "PRIOR_LENGTH", 300.0)
    weights = weights_from(load_settings())
    assert (weights.prior_documents, weights.prior_length) == (500.0, 300.0)


def test_basil_alone_joins_its_events_reports_with_the_prior(monkeypatch):
    """BASIL (300 articles, 100 events) in a store of its own, clustered whole with the
    stage's word similarity: its politics words sit in a third of the store and weigh
    almost nothing, so one event's three reports split; with 1,000 pseudo-reports of
    general language recall rises 0.951 -> 0.982 (F1 0.970 -> 0.976), as the other sets'
    frequencies lift it in the mixed store (#12 part 12). ~4 CPU s."""
    from conftest import load_bench, require_shared
    from newsweave.stories.vectors import pair_matrices

    require_shared("benchmarks/basil/docs.jsonl")
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    dev = load_bench("stories_dev")
    docs = dev.load_set("basil")
    base = replace(weights_from(load_settings()), semantic=0.0)
    scores = []
    for documents in (0.0, 1000.0):
        weights = replace(base, prior_documents=documents, prior_length=100.0)
        sims, agree = pair_matrices(dev.stage_vectors(docs, weights), weights)
        pred = dev.cluster_labels(sims, agree, load_settings().story_threshold, weights.attach)
        scores.append(dev.figures(pred, docs))
    off, on = scores
    assert on["r"] >= off["r"] + 0.02
    assert on["f1"] >= off["f1"]
    assert on["f1"] >= 0.97
