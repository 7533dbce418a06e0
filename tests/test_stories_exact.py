"""The stories stage's faster paths give exactly what the plain ones gave: the same features,
the same sorted-key helpers as numpy's reference functions, the same stored stories whether
saved one at a time or together (docs/benchmarks.md, "Stories at 100k, part 4")."""

import numpy as np
import pytest

from newsweave.engine import content_hash
from newsweave.model import Article
from newsweave.store import open_store
from newsweave.store.stories import StoredEntities, StoryRow
from newsweave.stories.features import extract_features
from newsweave.stories.vectors import (
    add_arrays,
    dot_arrays,
    pack,
    top_array_keys,
    top_of,
    unique_inverse,
)

# Names, labels and dates as the feature extractor gave them before the name loop read only
# capitalised and digit words (the glue words inside a name, a trailing glue word, a title in
# headline case, a spelling tie going to the first seen).
FEATURE_CASES = [
    ((None, "Shares of Bank of England rose. Leonardo da Vinci of"),
     {619687150: 2, 797158876: 2, 2668574045: 1, 3947849305: 1},
     {619687150: "Shares of Bank of England", 797158876: "England",
      2668574045: "Leonardo da Vinci", 3947849305: "Vinci"},
     {}, (11, 7)),
    (("Senate Passes Budget After Long Debate",
      "The vote in Washington came late. Reid said the Tara Reid bill of 2013 passed in May 2013."),
     {3798604486: 2, 1851834660: 2, 2456411592: 2, 3226899767: 2, 31938217: 1, 426212317: 2,
      2947418709: 1},
     {3798604486: "Senate Passes Budget", 1851834660: "Budget", 2456411592: "Long Debate",
      3226899767: "Debate", 31938217: "Washington", 426212317: "Reid",
      2947418709: "Tara Reid"},
     {3472031702: 2, 263379327: 1}, (21, 14)),
    ((None, "Officials in Lake County said. officials said the van der Berg family left De La "
            "Salle."),
     {20247300: 2, 1165019514: 2, 2034349666: 2, 1976670454: 2, 1806779724: 2},
     {20247300: "Lake County", 1165019514: "County", 2034349666: "Berg",
      1976670454: "De La Salle", 1806779724: "Salle"},
     {}, (24, 11)),
    ((None, "Reid met REID and Reid met REID in Paris of"),
     {426212317: 8, 3003838706: 2}, {426212317: "Reid", 3003838706: "Paris"}, {}, (14, 3)),
]


@pytest.mark.parametrize(("given", "names", "labels", "dates", "terms"), FEATURE_CASES)
def test_features_are_those_of_the_word_by_word_reading(given, names, labels, dates, terms):
    found = extract_features(*given)
    assert dict(found.names) == names
    assert dict(found.labels) == labels
    assert dict(found.dates) == dates
    assert (sum(found.terms.values()), len(found.terms)) == terms


def _sorted_keys(rng, n: int, span: int) -> np.ndarray:
    return np.sort(rng.choice(span, size=n, replace=False)).astype(np.uint32)


def test_sorted_key_helpers_match_numpy_reference_functions():
    rng = np.random.default_rng(11)
    for trial in range(400):
        keys = _sorted_keys(rng, int(rng.integers(0, 300)), 2000)
        # Ties on purpose: a few distinct values, so the key order breaks them.
        values = (rng.choice([0.25, 0.5, 1.0], size=len(keys)) if trial % 2
                  else rng.random(len(keys)).astype(np.float32))
        for count in (0, 1, 24, 48, int(rng.integers(0, 400))):
            order = np.lexsort((keys, -values))[:count]
            assert top_array_keys((keys, values), count) == keys[order].tolist()
            kept = top_of((keys, values), count)
            if len(keys) > count:
                assert np.array_equal(kept[0], keys[np.sort(order)])
                assert np.array_equal(kept[1], values[np.sort(order)])
        joined = rng.integers(0, 50, size=int(rng.integers(0, 200)))
        for got, want in zip(unique_inverse(joined, counts=True),
                             np.unique(joined, return_inverse=True, return_counts=True),
                             strict=True):
            assert np.array_equal(got, want) and got.dtype == want.dtype
        other = _sorted_keys(rng, int(rng.integers(0, 300)), 2000)
        other_values = rng.random(len(other))
        _, at_a, at_b = np.intersect1d(keys, other, assume_unique=True, return_indices=True)
        want_dot = float(np.dot(values[at_a].astype(np.float64), other_values[at_b]))
        assert dot_arrays((keys, values), (other, other_values)) == want_dot
        assert dot_arrays((other, other_values), (keys, values)) == want_dot
        parts = [(keys, values), (other, other_values)]
        summed = add_arrays(parts)
        distinct, inverse = np.unique(np.concatenate([keys, other]), return_inverse=True)
        assert np.array_equal(summed[0], distinct)
        assert np.array_equal(summed[1], np.bincount(
            inverse, weights=np.concatenate([values, other_values]).astype(np.float64),
            minlength=len(distinct)))


def _stored(store, story_ids):
    rows = store.stories.stories_by_id(story_ids)
    keys = {s: sorted(k for (k,) in store._db.execute(
        "SELECT key FROM story_keys WHERE story_id = ?", (s,))) for s in story_ids}
    return {s: (r.size, r.title, r.centroid, r.names, r.dates, r.first_day, r.last_day,
                list(r.entities)) for s, r in rows.items()}, keys


def test_stories_saved_together_are_stored_as_saved_one_by_one(tmp_path):
    states = {}
    for how in ("one by one", "together"):
        store = open_store(str(tmp_path / f"{how}.db"))
        try:
            texts = [f"report {n}" for n in range(4)]
            ids = store.add_articles(
                [Article(id=None, content_hash=content_hash(t), raw=t, raw_format="text",
                         text=t, source=t) for t in texts], [{}] * len(texts))
            with store.transaction():
                tables = store.stories
                a = tables.new_story(StoryRow(0, 0, "", b"", b"", b"", None, None))
                b = tables.new_story(StoryRow(0, 0, "", b"", b"", b"", None, None))
                tables.update_stories([(StoryRow(a, 1, "a", b"", b"", b"", 3, 3), [1, 2, 3]),
                                       (StoryRow(b, 1, "b", b"", b"", b"", 4, 4), [3, 4])])
                updates = [
                    (StoryRow(a, 2, "A", pack({1: 0.5, 5: 0.25}), pack({5: 1.0}), b"", 3, 5,
                              ["Lake County", "Ünïcode"]), [2, 3, 5]),
                    (StoryRow(b, 3, "B", b"", b"", b"", 1, 4, ["Paris"]), [4, 6]),
                ]
                if how == "together":
                    tables.update_stories(updates)
                    tables.set_memberships([(ids[0], a), (ids[1], a), (ids[2], b)])
                else:
                    for row, keys in updates:
                        tables.update_story(row, keys)
                    tables.set_members(a, ids[:2])
                    tables.set_members(b, ids[2:3])
            states[how] = (_stored(store, [a, b]), tables.members([a, b]))
            # A row read and saved again keeps its entities as they were.
            read = tables.stories_by_id([a])[a]
            assert isinstance(read.entities, StoredEntities)
            assert read.entities == ["Lake County", "Ünïcode"] and len(read.entities) == 2
            stored_text = "SELECT entities FROM stories WHERE id = ?"
            before = store._db.execute(stored_text, (a,)).fetchone()[0]
            with store.transaction():
                tables.update_story(read, [2, 3, 5])
            assert store._db.execute(stored_text, (a,)).fetchone()[0] == before
            assert list(tables.stories_by_id([a])[a].entities) == ["Lake County", "Ünïcode"]
        finally:
            store.close()
    assert states["together"] == states["one by one"]
    (_rows, keys), members = states["together"]
    assert keys == {1: [2, 3, 5], 2: [4, 6]} and members == {1: [1, 2], 2: [3]}
