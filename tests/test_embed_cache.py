"""Repeated texts are embedded once, and give exactly the rows a fresh embedding gives."""

from __future__ import annotations

import numpy as np

from newsweave.nlp import embed as e5
from newsweave.nlp import english
from newsweave.nlp.embed import RecentVectors


def test_recent_vectors_compute_each_missing_text_once_in_order():
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[float(len(t)), float(ord(t[0]))] for t in texts], dtype=np.float32)

    recent = RecentVectors(size=3)
    rows = recent.rows("m", ["aa", "b", "aa", "ccc"], compute)
    assert calls == [["aa", "b", "ccc"]]
    assert rows.tolist() == [[2, 97], [1, 98], [2, 97], [3, 99]]
    assert recent.rows("m", ["b", "aa"], compute).tolist() == [[1, 98], [2, 97]]
    assert len(calls) == 1 and recent.hits == 3
    recent.rows("other model", ["b"], compute)  # the key is part of the digest
    assert calls[-1] == ["b"]
    recent.rows("m", ["dddd"], compute)  # over the size: the least recent ("ccc") goes
    recent.rows("m", ["ccc"], compute)
    assert calls[-1] == ["ccc"]


def test_embed_repeats_give_the_fresh_rows():
    lead = "Floods closed the main road on Monday, the council said."
    other = "Shares rose in Tokyo after the central bank's decision."
    e5._RECENT.clear()
    fresh = e5.embed([lead, other])
    before = e5._RECENT.hits
    again = e5.embed(["", other, lead, lead])
    assert e5._RECENT.hits - before == 3
    assert not again[0].any()  # an empty text is still a zero row
    np.testing.assert_array_equal(again[1], fresh[1])
    np.testing.assert_array_equal(again[2], fresh[0])
    np.testing.assert_array_equal(again[3], fresh[0])
    query = e5.embed([lead], kind="query")  # another prefix: not the passage row
    assert float(query[0] @ fresh[0]) < 0.9999


def test_embed_english_repeats_give_the_fresh_rows():
    assert english.available()
    texts = ["The dam broke on Monday.", "Shares rose in Tokyo."]
    english._RECENT.clear()
    fresh = english.embed_english(texts)
    again = english.embed_english([texts[1], texts[0], texts[1]])
    np.testing.assert_array_equal(again, fresh[[1, 0, 1]])
    english._RECENT.clear()
    np.testing.assert_allclose(english.embed_english([texts[0]])[0], fresh[0], atol=1e-5)
