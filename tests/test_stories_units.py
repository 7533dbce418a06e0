"""Unit tests of the stories stage's parts: features, vectors, clustering, id mapping."""

import math

import numpy as np
import pytest

from newsweave.model import Article, Removal
from newsweave.store.stories import StoryRow
from newsweave.stories.assign import StoryState, choose_story, feature_row
from newsweave.stories.datelines import dateline_dates
from newsweave.stories.features import NAME, TERM, extract_features, key, stem
from newsweave.stories.linkage import attach_small, average_link
from newsweave.stories.repair import map_clusters
from newsweave.stories.titles import choose_title, top_entities
from newsweave.stories.vectors import (
    MIN_NAMES,
    NAMES_PRODUCT,
    ArticleVector,
    Weights,
    _cosines,
    add_arrays,
    names_can_disagree,
    pack,
    pack_arrays,
    pair_matrices,
    similarity_matrix,
    top_keys,
    top_of,
    unpack,
    unpack_arrays,
    veto_factor,
    weigh,
    weigh_packed,
)


def test_names_are_capitalised_runs_not_sentence_openers():
    f = extract_features(
        "Tara Reid enters rehab",
        "Officials said Tara Reid checked into Promises Treatment Center. Reid is 33. "
        "Officials declined to comment; officials in Malibu said nothing.",
    )
    labels = set(f.labels.values())
    assert {"Tara Reid", "Reid", "Promises Treatment Center", "Malibu"} <= labels
    assert "Officials" not in labels  # written in lowercase elsewhere: not a name


def test_lead_counts_more_than_the_body():
    f = extract_features("Quake strikes", "A quake struck. Later a quake was felt again.")
    # title (x2) + two body mentions: after a title, the lead counts as the body does
    assert f.terms[key(TERM, "quake")] == 4
    # without a title, the first sentence stands in for it: (x2) + one body mention
    f = extract_features(None, "A quake struck. Later a quake was felt again.")
    assert f.terms[key(TERM, "quake")] == 3


def test_years_and_month_years_become_date_features():
    f = extract_features(None, "The flood of May 2008 was worse than the one in 1979.")
    assert {key("d", "2008"), key("d", "2008-05"), key("d", "1979")} <= set(f.dates)


def test_date_lines_removed_by_cleaning_say_when_and_nothing_else():
    lines = ["PUBLISHED: THURSDAY, MAY 2, 2013, 1:32 PM", "Posted on Thu Jun 13, 2013 08:45"]
    assert [dateline_dates(line) for line in lines] == [[(2013, 5, 2)], [(2013, 6, 13)]]
    assert dateline_dates("14 June 2013 at noon") == [(2013, 6, 14)]
    f = extract_features(None, "A quake struck the coast.", datelines=lines)
    assert set(f.dates) == {key("d", "2013"), key("d", "2013-05"), key("d", "2013-06")}
    assert key(TERM, "published") not in f.terms and not f.names  # only the dates count
    assert not extract_features(None, "A quake struck the coast.").dates


def test_feature_row_reads_the_date_lines_from_the_cleaning_log():
    article = Article(id=7, content_hash="h", raw="", raw_format="text",
                      text="A quake struck the coast.", source="x.txt",
                      removed=[Removal("May 3, 2013 at 7:31 AM ET", "date-line"),
                               Removal("Quake on the coast", "headline"),
                               Removal("Updated 2019", "credit-line")])
    _, features = feature_row(article)
    assert set(features.dates) == {key("d", "2013"), key("d", "2013-05")}


def test_stem_folds_plurals_only():
    assert stem("earthquakes") == "earthquake"
    assert stem("bus") == "bus"
    assert stem("Reid's".lower()) == "reid"


def test_pack_round_trips():
    vector = {1: 0.5, 2**32 - 1: 0.25}
    assert unpack(pack(vector)) == vector
    assert unpack(b"") == {}


def test_weigh_normalises_and_rare_features_weigh_more():
    f = extract_features(None, "Volcano erupts near Grindavik in the morning")
    df = {key(TERM, "morning"): 90, key(TERM, "volcano"): 1}
    full, names = weigh(f, df, 100, Weights())
    assert sum(v * v for v in full.values()) == pytest.approx(1.0)
    assert full[key(TERM, "volcano")] > full[key(TERM, "morning")]
    assert key(NAME, "grindavik") in names


def test_vetoes_damp_same_kind_events():
    w = Weights(name_penalty=0.5, date_penalty=0.7, window_days=14)
    assert veto_factor(0.0, True, frozenset(), frozenset(), None, w) == 0.5
    assert veto_factor(0.5, True, frozenset(), frozenset(), None, w) == 1.0
    assert veto_factor(0.5, True, frozenset({1}), frozenset({2}), None, w) == 0.7
    # With publication days known, background years do not veto; the days do.
    assert veto_factor(0.5, True, frozenset({1}), frozenset({2}), 3, w) == 1.0
    assert veto_factor(0.5, True, frozenset(), frozenset(), 30, w) == 0.7


def test_similarity_matrix_links_force_copies_together():
    a = ArticleVector(1, {1: 1.0}, {}, frozenset(), None)
    b = ArticleVector(2, {2: 1.0}, {}, frozenset(), None)
    sims = similarity_matrix([a, b], Weights(), {(2, 1): 1.0})
    assert sims[0, 1] == sims[1, 0] == 1.0
    assert similarity_matrix([a, b], Weights(), {(1, 2): 0.5})[0, 1] == 0.5
    assert similarity_matrix([a, b], Weights())[0, 1] == 0.0


def test_average_link_is_a_threshold_cut():
    sims = np.array([[1, .9, .5, 0], [.9, 1, .3, 0], [.5, .3, 1, 0], [0, 0, 0, 1]], dtype=float)
    assert average_link(sims, 0.35) == [[0, 1, 2], [3]]
    assert average_link(sims, 0.45) == [[0, 1], [2], [3]]
    assert average_link(np.zeros((0, 0)), 0.5) == []


def test_map_clusters_keeps_ids_merges_and_splits():
    story_of = {1: 10, 2: 10, 3: 10, 4: 11, 5: 12, 6: 12}
    sizes = {10: 3, 11: 1, 12: 2}
    # 11 joins 10; 12 splits in two: the part with the lower article id keeps the id
    ids, merged, split = map_clusters([[1, 2, 3, 4], [5], [6]], story_of, sizes)
    assert ids == [10, 12, None]
    assert merged == {11: 0}
    assert split == {12: [2]}


def test_map_clusters_larger_story_survives_a_merge():
    ids, merged, _ = map_clusters([[1, 2, 3]], {1: 5, 2: 9, 3: 9}, {5: 1, 9: 2})
    assert ids == [9] and merged == {5: 0}


def test_title_is_the_most_central_headline_and_entities_are_deduplicated():
    assert choose_title([("", 1.0), ("Dam breaks", 0.5)]) == "Dam breaks"
    assert choose_title([("Aside", 0.2), ("Dam breaks", 0.7), ("Dam bursts", 0.7)]) == (
        "Dam breaks"
    )
    shown = top_entities([({1: "Tara Reid", 2: "Reid"}, {1: 1.0, 2: 0.9})])
    assert shown == ["Tara Reid"]


@pytest.mark.parametrize("small", [0, 1 << 20])  # the rare/common split, one dense product
def test_cosines_match_the_dense_product(monkeypatch, small):
    monkeypatch.setattr("newsweave.stories.sparse._SMALL", small)
    rng = np.random.default_rng(3)
    vectors = [{int(k): float(v) for k, v in zip(rng.integers(0, 40, 12), rng.random(12),
                                                 strict=True)} for _ in range(6)] + [{}]
    keys = sorted({k for v in vectors for k in v})
    dense = np.array([[v.get(k, 0.0) for k in keys] for v in vectors])
    assert np.allclose(_cosines(vectors), dense @ dense.T, atol=1e-6)


def test_cosines_built_in_column_blocks_match_the_dense_product(monkeypatch):
    rng = np.random.default_rng(5)
    vectors = [{int(k): float(v) for k, v in zip(rng.integers(0, 300, 40), rng.random(40),
                                                 strict=True)} for _ in range(30)]
    keys = sorted({k for v in vectors for k in v})
    dense = np.array([[v.get(k, 0.0) for k in keys] for v in vectors])
    monkeypatch.setattr("newsweave.stories.sparse._BLOCK", 7)
    monkeypatch.setattr("newsweave.stories.sparse._SMALL", 0)  # not the one-product path
    assert np.allclose(_cosines(vectors), dense @ dense.T, atol=1e-5)


def test_pair_matrices_mark_disagreeing_names_and_undated_year_clashes():
    enough = max(MIN_NAMES, math.isqrt(NAMES_PRODUCT - 1) + 1)  # each names this many
    names_a = dict.fromkeys(range(10, 10 + enough), 0.5)
    names_b = dict.fromkeys(range(100, 100 + enough), 0.5)
    a = ArticleVector(1, {1: 1.0}, names_a, frozenset({2008}), None)
    b = ArticleVector(2, {1: 1.0}, names_b, frozenset({2013}), None)
    c = ArticleVector(3, {1: 1.0}, {}, frozenset({2008}), None)
    w = Weights(name_penalty=0.5, date_penalty=0.8)
    sims, agree = pair_matrices([a, b, c], w)
    assert agree[0, 1] == 0 and agree[0, 2] == 1  # c names nobody: no disagreement
    assert sims[0, 1] == pytest.approx(0.5 * 0.8)
    assert sims[0, 2] == pytest.approx(1.0)
    assert sims[1, 2] == pytest.approx(0.8)


def test_a_report_naming_too_few_people_and_places_cannot_disagree_on_names():
    # A headline and a lead name one or two people: naming different ones is no evidence.
    few = ArticleVector(1, {1: 1.0}, {10: 1.0}, frozenset(), None)
    many = ArticleVector(2, {1: 1.0}, dict.fromkeys(range(20, 20 + MIN_NAMES), 0.5),
                         frozenset(), None)
    sims, agree = pair_matrices([few, many], Weights(name_penalty=0.5))
    assert agree[0, 1] == 1 and sims[0, 1] == pytest.approx(1.0)


def test_names_disagree_only_when_the_two_name_enough_between_them(monkeypatch):
    # With a product above MIN_NAMES squared (measured, not the default): two excerpts
    # naming a few officials each, none shared, do not count against each other; an
    # excerpt and a full report naming thirty, none shared, do.
    from newsweave.stories import vectors

    monkeypatch.setattr(vectors, "NAMES_PRODUCT", 64)

    def report(id: int, first: int, count: int) -> ArticleVector:
        return ArticleVector(id, {1: 1.0}, dict.fromkeys(range(first, first + count), 0.5),
                             frozenset(), None)

    short = max(MIN_NAMES, math.isqrt(vectors.NAMES_PRODUCT) - 2)
    assert short * short < vectors.NAMES_PRODUCT
    sims, agree = pair_matrices([report(1, 10, short), report(2, 100, short),
                                 report(3, 200, 30)], Weights(name_penalty=0.5))
    assert agree[0, 1] == 1 and sims[0, 1] == pytest.approx(1.0)
    assert agree[0, 2] == 0 and sims[0, 2] == pytest.approx(0.5)
    assert names_can_disagree(short, 30) and not names_can_disagree(short, short)


def test_attach_small_joins_a_lone_report_only_where_names_agree():
    sims = np.array([[1, .6, .6, .15], [.6, 1, .6, .15], [.6, .6, 1, .15], [.15, .15, .15, 1]])
    agree = np.ones((4, 4))
    assert attach_small([[0, 1, 2], [3]], sims, agree, 0.1, 2) == [[0, 1, 2, 3]]
    assert attach_small([[0, 1, 2], [3]], sims, agree, 0.2, 2) == [[0, 1, 2], [3]]
    agree[3, :3] = agree[:3, 3] = 0
    assert attach_small([[0, 1, 2], [3]], sims, agree, 0.1, 2) == [[0, 1, 2], [3]]
    # Only clusters larger than ``small`` receive: two lone reports stay apart.
    assert attach_small([[0], [3]], sims, np.ones((4, 4)), 0.1, 2) == [[0], [3]]


def test_attach_small_leaves_a_report_in_a_crowd_of_its_kind_apart():
    # Three stories of three (rows 0-2, 3-5, 6-8) and a lone report (9) within the attach
    # similarity of all: in a store of same-kind events which is its event is a coin toss.
    sims = np.full((10, 10), 0.05)
    for start in (0, 3, 6):
        sims[start:start + 3, start:start + 3] = 0.6
    np.fill_diagonal(sims, 1.0)
    sims[9, :3] = sims[:3, 9] = 0.2
    sims[9, 3:9] = sims[3:9, 9] = 0.15  # two rivals at 0.75 of the best
    agree = np.ones((10, 10))
    clusters = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    joined = [[0, 1, 2, 9], [3, 4, 5], [6, 7, 8]]
    assert attach_small(clusters, sims, agree, 0.1, 2, runner_up=0.7, rivals=2) == clusters
    assert attach_small(clusters, sims, agree, 0.1, 2, runner_up=0.8, rivals=2) == joined
    assert attach_small(clusters, sims, agree, 0.1, 2, runner_up=1.0, rivals=2) == joined
    # One rival (a pair of events of one kind) leaves the best one's lead meaningful.
    sims[9, 6:9] = sims[6:9, 9] = 0.05
    assert attach_small(clusters, sims, agree, 0.1, 2, runner_up=0.7, rivals=2) == joined
    assert attach_small(clusters, sims, agree, 0.1, 2, runner_up=0.7, rivals=1) == clusters
    # A rival whose names disagree with the report is none.
    sims[9, 6:9] = sims[6:9, 9] = 0.15
    agree[9, 6:9] = agree[6:9, 9] = 0
    assert attach_small(clusters, sims, agree, 0.1, 2, runner_up=0.7, rivals=2) == joined


def test_choose_story_needs_the_threshold():
    assert choose_story([(0.25, True, 5, 7), (0.22, True, 3, 8)], 0.2) == 7
    assert choose_story([(0.15, True, 5, 7)], 0.2) is None
    assert choose_story([], 0.2) is None


def test_weigh_packed_matches_weigh_article_by_article():
    texts = ["Volcano erupts near Grindavik in 2023", "A second volcano erupts; Reykjavik calm",
             "", "Flood in May 2008 hits Grindavik harbour"]
    features = [extract_features(None, t) for t in texts]
    df = {k: 1 + k % 5 for f in features for k in f.keys()}  # noqa: SIM118 (Features.keys)
    w = Weights(names=0.7, dates=0.5)
    packed = [(pack(f.terms), pack(f.names), pack(f.dates)) for f in features]
    asked = []

    def frequencies(keys: np.ndarray) -> np.ndarray:
        asked.append(len(keys))
        return np.array([df.get(int(k), 0) for k in keys])

    weighed = weigh_packed(packed, frequencies, 10, w)
    keys = {k for f in features for k in f.keys()}  # noqa: SIM118 (Features.keys)
    assert asked == [len(keys)]  # one lookup for all the articles
    for f, (full, names) in zip(features, weighed, strict=True):
        want_full, want_names = weigh(f, df, 10, w)
        assert list(full[0]) == sorted(want_full) and list(names[0]) == sorted(want_names)
        assert np.allclose(full[1], [want_full[k] for k in sorted(want_full)])
        assert np.allclose(names[1], [want_names[k] for k in sorted(want_names)])
    assert len(weighed[2][0][0]) == 0  # an empty article weighs to an empty vector


def test_array_helpers_sum_and_keep_the_heaviest_like_the_dict_ones():
    a = {5: 0.5, 1: 0.25, 9: 0.125}
    b = {1: 0.5, 7: 0.25}
    total = add_arrays([unpack_arrays(pack(a)), unpack_arrays(pack(b))])
    assert dict(zip(total[0].tolist(), total[1].tolist(), strict=True)) == {
        1: 0.75, 5: 0.5, 7: 0.25, 9: 0.125}
    kept = top_of(total, 2)
    assert kept[0].tolist() == sorted(top_keys(dict(zip(*map(list, total), strict=True)), 2))
    assert unpack(pack_arrays(kept)) == {1: 0.75, 5: 0.5}


def test_story_state_scores_articles_that_joined_in_the_same_batch():
    row = StoryRow(1, 1, "", pack({1: 1.0}), pack({10: 1.0}), b"", None, None)
    state = StoryState(row)
    joining = ArticleVector(2, {2: 1.0}, {11: 1.0}, frozenset({2020}), None)
    state.add(joining)
    probe = ArticleVector(3, {2: 1.0}, {11: 1.0}, frozenset(), None)
    score, agree = state.score(probe, Weights())
    # Mean similarity over the two members: 0 with the first, 1 with the one that joined.
    assert score == pytest.approx(0.5) and agree
    assert state.dates == {2020} and state.row.size == 2
    assert unpack(pack_arrays(state.arrays())) == {1: 1.0, 2: 1.0}


def test_cosines_split_between_dense_and_pairwise_keys_match_the_dense_product(monkeypatch):
    # Common keys through the dense product, rare ones pair by pair, in small chunks.
    rng = np.random.default_rng(7)
    vectors = [{int(k): float(v) for k, v in zip(rng.integers(0, 60, 25), rng.random(25),
                                                 strict=True)} for _ in range(40)]
    keys = sorted({k for v in vectors for k in v})
    dense = np.array([[v.get(k, 0.0) for k in keys] for v in vectors])
    monkeypatch.setattr("newsweave.stories.sparse._DENSE_DF", 12)
    monkeypatch.setattr("newsweave.stories.sparse._PAIRS", 50)
    monkeypatch.setattr("newsweave.stories.sparse._BLOCK", 5)
    monkeypatch.setattr("newsweave.stories.sparse._SMALL", 0)
    assert np.allclose(_cosines(vectors), dense @ dense.T, atol=1e-5)


def test_a_title_case_headline_word_is_a_name_only_where_the_text_writes_it_so(monkeypatch):
    import newsweave.stories.name_evidence as name_evidence

    title = "Trial Opens With Few Details Settled in Dover"
    text = "Judges in Dover open the case on Tuesday."

    def labels() -> set[str]:
        return set(extract_features(title, text).labels.values())

    assert any("Settled" in label for label in labels())  # never written in lowercase
    monkeypatch.setattr(name_evidence, "NAME_EVIDENCE", 1)
    assert "Dover" in labels()  # written with a capital inside a sentence
    assert not any("Settled" in label or "Trial" in label for label in labels())
    # The words still count as terms.
    assert key(TERM, "settled") in extract_features(title, text).terms
    # A sentence's first word is judged as before at level 1, and needs the same at 2.
    assert "Braces" in set(extract_features(None, "Braces creak. A storm hit.").labels.values())
    monkeypatch.setattr(name_evidence, "NAME_EVIDENCE", 2)
    assert "Braces" not in set(extract_features(None, "Braces creak. A storm hit.").labels.values())
    lead = "Dover braces for the storm. Officials met in Dover."
    assert "Dover" in set(extract_features(None, lead).labels.values())


def test_a_title_case_headline_alone_takes_no_names(monkeypatch):
    """A title with nothing under it but itself (a feed item without a description) in
    Title Case: nothing in it shows a capital to be a name (#12 part 16); with a body of
    ordinary sentences, in sentence case, or as a text without a title, names are read as
    before."""
    from newsweave.stories import features

    headline = "Husband Breaks Down In Tears After Lost Voicemail Message Is Recovered"

    def labels(title: str | None, text: str) -> set[str]:
        return set(extract_features(title, text).labels.values())

    assert labels(headline, headline) == set()
    assert labels(headline, "") == set()
    assert "Breaks" in labels(None, headline)  # no title: a text, read as before
    assert key(TERM, stem("voicemail")) in extract_features(headline, headline).terms
    body = "A widower in Mirfield wept when engineers found the message."
    assert "Mirfield" in labels(headline, body)
    assert "Breaks" in labels(headline, body)  # a body: NAME_EVIDENCE's rule, unchanged
    assert "Mirfield" in labels(None, "Widower in Mirfield cries at lost voicemail")
    monkeypatch.setattr(features, "BARE_HEADLINE_EVIDENCE", False)
    assert "Breaks" in labels(headline, headline)


def test_figures_of_title_and_lead_are_kept_apart_from_years_and_never_weighed():
    from newsweave.stories.vectors import (
        ArticleVector,
        Weights,
        pack,
        pack_dates,
        pair_matrices,
        split_dates,
        weigh_packed,
    )

    f = extract_features("Claims fell to 1.5 million", "In 2020, 34,000 more filed. Then 7 left.")
    assert f.figures == {key("f", "1.5"), key("f", "34000")}  # title and first sentence
    assert key("d", "2020") in f.dates and key("f", "7") not in f.figures
    blob = pack_dates(f.dates, f.figures)
    assert split_dates(blob) == (frozenset(f.dates), frozenset(f.figures))
    # A blob written before figures (years only) reads as it did.
    assert split_dates(pack(dict.fromkeys(f.dates, 1.0))) == (frozenset(f.dates), frozenset())
    # Figures add nothing to the weighed vector.
    terms, names = pack(f.terms), pack(f.names)
    with_figures = weigh_packed([(terms, names, blob)], lambda k: np.ones(len(k)), 10, Weights())
    without = weigh_packed([(terms, names, pack(f.dates))], lambda k: np.ones(len(k)), 10,
                           Weights())
    for (a, b), (c, d) in zip(with_figures, without, strict=True):
        assert a[0].tolist() == c[0].tolist() and np.allclose(a[1], c[1])
        assert b[0].tolist() == d[0].tolist()

    def item(i: int, figures: set[str]) -> ArticleVector:
        return ArticleVector(i, {1: 1.0}, {}, frozenset(), None,
                             figures=frozenset(key("f", v) for v in figures))

    items = [item(0, {"1.5"}), item(1, {"1.2"}), item(2, {"1.5", "9"}), item(3, set())]
    off = pair_matrices(items, Weights())[0]
    on = pair_matrices(items, Weights(figure_penalty=0.7))[0]
    assert np.allclose(off, 1.0)
    assert on[0, 1] == pytest.approx(0.7) and on[1, 2] == pytest.approx(0.7)
    assert on[0, 2] == on[0, 3] == on[1, 3] == 1.0  # a figure shared, or one states none



class _NoTables:
    """The story tables `_saved` reads, holding nothing: the state alone is saved."""

    def features(self, ids):  # type: ignore[no-untyped-def]
        return {}

    def members(self, ids):  # type: ignore[no-untyped-def]
        return {}

def test_a_story_weighs_the_figures_of_its_members_and_keeps_them_when_saved():
    from newsweave.stories.assign import _saved
    from newsweave.stories.vectors import ArticleVector, Weights, pack_dates, split_dates

    figure = key("f", "60")
    row = StoryRow(7, 1, "", b"", b"", pack_dates({key("d", "2021"): 1.0}, {figure}), None, None)
    state = StoryState(row)
    assert state.figures == {figure} and state.dates == {key("d", "2021")}
    other = ArticleVector(9, {}, {}, frozenset(), None, figures=frozenset({key("f", "50")}))
    _, _, factor = state.score_parts(other, Weights(figure_penalty=0.7))
    assert factor == pytest.approx(0.7)  # 50 against the story's 60
    assert state.score_parts(other, Weights())[2] == 1.0  # off
    state.add(other)
    assert state.figures == {figure, key("f", "50")}

    saved, _ = _saved(_NoTables(), state)  # type: ignore[arg-type]
    assert split_dates(saved.dates)[1] == {figure, key("f", "50")}


def test_places_of_title_and_lead_are_kept_apart_and_damp_only_when_set(monkeypatch):
    """The places' veto (#12 part 8, off by default): the capitalised words after a locative
    preposition in the title and first sentence, collected only while it is on and stored
    beside years and figures (count -2), never weighed; a pair, or a report and a story,
    damped where both name places and share none, and only when ``place_penalty`` < 1."""
    from newsweave.settings import load_settings
    from newsweave.stories import features
    from newsweave.stories.assign import _saved, weights_from
    from newsweave.stories.features import NAME
    from newsweave.stories.vectors import (
        ArticleVector,
        Weights,
        pack,
        pack_dates,
        pair_matrices,
        split_dates,
        split_facts,
        veto_factor,
    )

    assert features.PLACE_PENALTY == 1.0 and weights_from(load_settings()).place_penalty == 1
    lead = "A man was shot in Culver City on Monday."
    assert extract_features(None, lead).places == set()  # off: nothing collected
    monkeypatch.setattr(features, "PLACE_PENALTY", 0.5)
    assert weights_from(load_settings()).place_penalty == 0.5
    assert extract_features(None, lead).places
    f = extract_features("Man Shot In Culver City", "A man was shot in the Culver City area "
                         "on Monday, police said. He was taken to a hospital in Inglewood.")
    g = extract_features("Two dead in shootings", "Two people died in shootings in Compton "
                         "and Huntington Park in January.")
    assert key(NAME, "culver") in f.places and key(NAME, "culver") not in g.places
    assert key(NAME, "compton") in g.places and len(g.places) == 3  # no month
    assert all(k != key(NAME, "inglewood") for k in f.places)  # third sentence: not read
    blob = pack_dates(f.dates, f.figures, f.places)
    assert split_facts(blob) == (frozenset(f.dates), frozenset(f.figures), frozenset(f.places))
    assert split_dates(blob) == (frozenset(f.dates), frozenset(f.figures))
    assert split_facts(pack(dict.fromkeys(f.dates, 1.0)))[2] == frozenset()  # an older blob

    def item(i: int, places: set[int]) -> ArticleVector:
        return ArticleVector(i, {1: 1.0}, {}, frozenset(), None, places=frozenset(places))

    items = [item(0, f.places), item(1, g.places), item(2, set())]
    assert np.allclose(pair_matrices(items, Weights())[0], 1.0)
    on = pair_matrices(items, Weights(place_penalty=0.5))[0]
    assert on[0, 1] == pytest.approx(0.5) and on[0, 2] == on[1, 2] == 1.0
    assert veto_factor(0.5, False, frozenset(), frozenset(), None, Weights(place_penalty=0.5),
                       places_a=f.places, places_b=g.places) == 0.5
    state = StoryState(StoryRow(7, 1, "", b"", b"", blob, None, None))
    assert state.places == f.places
    assert state.score_parts(items[1], Weights(place_penalty=0.5))[2] == pytest.approx(0.5)
    assert state.score_parts(items[1], Weights())[2] == 1.0
    state.add(items[1])

    saved, _ = _saved(_NoTables(), state)  # type: ignore[arg-type]
    assert split_facts(saved.dates)[2] == f.places | g.places


def test_the_year_veto_reads_the_years_of_title_lead_and_date_lines_when_set(monkeypatch):
    """The year veto's evidence (#12 part 9): with ``YEAR_EVIDENCE`` "lead" the years of the
    title, the first sentence and the date lines only (collected only then, stored beside
    years, figures and places with the count -3, never weighed), so a body's background year
    does not keep two undated reports of one event apart; "text" (every year mentioned) as
    before; "none": no year veto; publication dates apply whatever it is. The defaults:
    the whole text's years, damped by ``YEAR_PENALTY`` 0.7, publication dates far apart by
    ``story_date_penalty`` (0.5)."""
    from dataclasses import replace

    from newsweave.settings import load_settings
    from newsweave.stories import features
    from newsweave.stories.assign import _saved, weights_from
    from newsweave.stories.features import DATE, LEAD_YEAR
    from newsweave.stories.vectors import (
        ArticleVector,
        Weights,
        pack,
        pack_dates,
        pair_matrices,
        split_every,
        split_facts,
        veto_factor,
        weigh_packed,
    )

    title, text = "Bank fails in May 2013", "A bank failed. It recalls the 1979 collapse."
    assert features.YEAR_EVIDENCE == "text"  # the default: the whole text's years
    assert extract_features(title, text).lead_years == set()  # "text": nothing collected
    assert weights_from(load_settings()).year_evidence == features.YEAR_EVIDENCE
    monkeypatch.setattr(features, "YEAR_EVIDENCE", "lead")
    assert weights_from(load_settings()).year_evidence == "lead"
    f = extract_features(title, text, datelines=["Posted June 3, 2013"])
    assert f.lead_years == {key(LEAD_YEAR, "2013"), key(LEAD_YEAR, "2013-05"),
                            key(LEAD_YEAR, "2013-06")}  # not 1979: the second sentence
    assert key(DATE, "1979") in f.dates  # the date features are as before
    # Another report of it that leads with no year, and one that leads with its year.
    g = extract_features("A bank fails", "A bank failed on Monday. The 2008 crisis looms.")
    assert g.lead_years == set() and key(DATE, "2008") in g.dates
    h = extract_features("Bank fails in 2013", "A bank failed. It recalls the 1990 crisis.")
    blob = pack_dates(f.dates, f.figures, f.places, f.lead_years)
    assert split_every(blob)[:4] == (frozenset(f.dates), frozenset(f.figures), frozenset(),
                               frozenset(f.lead_years))
    assert split_facts(blob) == (frozenset(f.dates), frozenset(f.figures), frozenset())
    assert split_every(pack(dict.fromkeys(f.dates, 1.0)))[3] == frozenset()  # an older blob
    # Lead years add nothing to the weighed vector.
    terms, names = pack(f.terms), pack(f.names)
    ones = lambda k: np.ones(len(k))  # noqa: E731
    with_lead = weigh_packed([(terms, names, blob)], ones, 10, Weights())[0][0]
    without = weigh_packed([(terms, names, pack(f.dates))], ones, 10, Weights())[0][0]
    assert with_lead[0].tolist() == without[0].tolist() and np.allclose(with_lead[1], without[1])

    def item(i: int, found: features.Features, day: int | None = None) -> ArticleVector:
        return ArticleVector(i, {1: 1.0}, {}, frozenset(found.dates), day,
                             lead_years=frozenset(found.lead_years))

    # Reports of one event whose background years differ: apart by the whole text's years.
    items = [item(0, f), item(1, g), item(2, h)]
    text_sims = pair_matrices(items, Weights(date_penalty=0.5))[0]
    lead_sims = pair_matrices(items, Weights(date_penalty=0.5, year_evidence="lead"))[0]
    none_sims = pair_matrices(items, Weights(date_penalty=0.5, year_evidence="none"))[0]
    assert text_sims[0, 1] == pytest.approx(0.5) and text_sims[1, 2] == pytest.approx(0.5)
    assert text_sims[0, 2] == 1.0  # 2013 shared
    assert np.allclose(lead_sims, 1.0)  # g leads with no year; f and h with 2013
    assert np.allclose(none_sims, 1.0)
    other = extract_features("Bank fails in 2015", "A bank failed.")
    lead = Weights(date_penalty=0.5, year_evidence="lead")
    assert veto_factor(0.5, False, frozenset(f.dates), frozenset(other.dates), None, lead,
                       lead_years_a=f.lead_years, lead_years_b=other.lead_years) == 0.5
    # Publication dates far apart still disagree, whatever the years say.
    dated = [item(0, f, 1), item(1, h, 100)]
    assert pair_matrices(dated, Weights(date_penalty=0.5, year_evidence="none"))[0][0, 1] == 0.5
    # The year fallback's own factor (YEAR_PENALTY) leaves publication dates alone.
    own = Weights(date_penalty=0.5, year_penalty=0.7)
    assert pair_matrices(items, own)[0][0, 1] == pytest.approx(0.7)
    assert pair_matrices(dated, own)[0][0, 1] == pytest.approx(0.5)
    assert veto_factor(0.5, False, frozenset(f.dates), frozenset(g.dates), None,
                       own) == pytest.approx(0.7)
    assert veto_factor(0.5, False, frozenset(), frozenset(), 99, own) == pytest.approx(0.5)
    # The defaults: the whole text's years, damped by 0.7; publication dates by the setting.
    defaults = weights_from(load_settings())
    assert features.YEAR_EVIDENCE == "lead"  # patched above
    assert defaults.year_penalty == 0.7 and defaults.date_penalty == 0.5
    assert pair_matrices(items, replace(defaults, year_evidence="text"))[0][0, 1] == (
        pytest.approx(0.7))
    assert pair_matrices(dated, defaults)[0][0, 1] == pytest.approx(0.5)
    # A story carries its members' lead years, scores by them and keeps them when saved.
    state = StoryState(StoryRow(7, 1, "", b"", b"", blob, None, None))
    assert state.lead_years == f.lead_years
    assert state.score_parts(item(3, other), lead)[2] == pytest.approx(0.5)
    assert state.score_parts(item(2, h), lead)[2] == 1.0
    assert state.score_parts(item(1, g), Weights(date_penalty=0.5))[2] == pytest.approx(0.5)
    state.add(item(3, other))

    saved, _ = _saved(_NoTables(), state)  # type: ignore[arg-type]
    assert split_every(saved.dates)[3] == f.lead_years | other.lead_years
