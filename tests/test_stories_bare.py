"""Two headlines with nothing under them (#12 part 17): ``vectors.BARE_PAIR_FACTOR``.

Off by default (1.0): chosen at 2.0 on Emergent's even claims, it lifts the odd claims
0.919 -> 0.954 but moves one join on the AllSides test split (docs/benchmarks.md, part
17). These tests hold what it does when on, and that off it writes and scores nothing new.
"""

from pathlib import Path

import numpy as np

from conftest import load_bench, require_shared
from newsweave.stories import vectors
from newsweave.stories.features import extract_features
from newsweave.stories.name_evidence import title_only
from newsweave.stories.packing import is_bare, pack_dates, split_every
from newsweave.stories.vectors import ArticleVector, Weights, pair_matrices


def test_title_only_is_a_headline_with_nothing_under_it_in_any_case():
    assert extract_features("Man finds lost dog in park", "Man finds lost dog in park").bare
    assert extract_features("Man Finds Lost Dog", "").bare
    assert not extract_features("Man finds lost dog", "The dog was found on Monday.").bare
    assert not extract_features(None, "Man finds lost dog in park").bare
    assert not title_only([(1, ["a"])], 0)


def test_the_bare_mark_is_no_fact_and_reads_back():
    blob = pack_dates({7: 2.0}, {9}, {5}, {3}, {4}, bare=True)
    assert is_bare(blob) and not is_bare(pack_dates({7: 2.0}, {9}, {5}, {3}, {4}))
    assert split_every(blob) == ({7}, {9}, {5}, {3}, {4})  # the mark is not a figure
    assert not is_bare(b"") and not is_bare(None)


def _item(i: int, keys: list[int], bare: bool) -> ArticleVector:
    return ArticleVector(i, dict.fromkeys(keys, 1.0), {}, frozenset(), None, bare=bare)


def test_only_pairs_of_two_bare_headlines_are_weighed_up(monkeypatch):
    items = [_item(0, [1, 2, 3], True), _item(1, [1, 4, 5], True), _item(2, [1, 6, 7], False)]
    monkeypatch.setattr(vectors, "BARE_PAIR_MEANING", False)  # the plain lift
    monkeypatch.setattr(vectors, "BARE_PAIR_FACTOR", 1.0)
    off, _ = pair_matrices(items, Weights())
    monkeypatch.setattr(vectors, "BARE_PAIR_FACTOR", 2.0)
    on, _ = pair_matrices(items, Weights())
    assert on[0, 1] == on[1, 0] == 2.0 * off[0, 1]
    assert on[0, 2] == off[0, 2] and on[1, 2] == off[1, 2]  # one side has a body
    assert np.array_equal(np.diag(on), np.diag(off))


def test_off_the_stored_blob_is_as_before(monkeypatch):
    from newsweave.model import Article
    from newsweave.stories.articles import feature_row

    monkeypatch.setattr(vectors, "BARE_PAIR_FACTOR", 1.0)
    article = Article(1, "h", "", "text", "Man finds lost dog", "s", title="Man finds lost dog")
    row, features = feature_row(article)
    assert features.bare and not is_bare(row.dates)
    monkeypatch.setattr(vectors, "BARE_PAIR_FACTOR", 2.0)
    assert is_bare(feature_row(article)[0].dates)


def test_emergent_bare_pairs_weighed_up_join_more_headlines(monkeypatch):
    """Emergent's 524 headlines, the stage alone without sentence vectors: 0.914 off, 0.940
    at BARE_PAIR_FACTOR 2.0 (`python bench/stories_heldout.py --sets emergent
    --bare-pair-factor 2`); the recall it buys is what the floor holds."""
    require_shared("benchmarks/emergent/pairs.jsonl")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    dev = load_bench("stories_dev")
    docs = load_bench("stories_heldout").load_heldout("emergent")
    monkeypatch.setattr(vectors, "BARE_PAIR_FACTOR", 2.0)
    monkeypatch.setattr(vectors, "BARE_PAIR_MEANING", False)  # no sentence vectors here
    pred, _ = dev.engine_partition(docs, {})
    figures = dev.figures(pred, docs)
    assert figures["f1"] >= 0.93
    assert figures["r"] >= 0.95


def test_the_gated_lift_asks_the_sentence_vectors_to_agree(monkeypatch):
    weights = Weights(semantic=1.0)
    same, other = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    items = [_item(0, [1, 2], True), _item(1, [1, 3], True), _item(2, [1, 4], True)]
    for item, meaning in zip(items, (same, same, other), strict=True):
        item.meaning = meaning
    monkeypatch.setattr(vectors, "BARE_PAIR_FACTOR", 1.0)
    off, _ = pair_matrices(items, weights)
    monkeypatch.setattr(vectors, "BARE_PAIR_FACTOR", 2.0)
    monkeypatch.setattr(vectors, "BARE_PAIR_MEANING", True)
    on, _ = pair_matrices(items, weights)
    assert on[0, 1] == 2.0 * off[0, 1] > 0  # the sentences agree: lifted
    assert on[0, 2] == off[0, 2]  # they disagree: as before
