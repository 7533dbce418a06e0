"""A story's first brief: claim vectors from the English model, cached by text, and the
"same fact" model fitted with them (bench/brief_claim_model.py, docs/benchmarks.md
"Brief speed, part 2")."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import REPO, require_shared
from newsweave.crosscheck.align import (
    CLAIM_MODEL,
    COSINE_CUTS,
    WEIGHTS,
    cached_embedder,
    same_fact,
    vector_key,
)
from newsweave.crosscheck.status import StoryArticle, cross_check


class DictCache:
    """A claim-vector cache in a dict, counting what is saved."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Any] = {}
        self.saved = 0

    def claim_vectors(self, model: str, keys: Any) -> dict[str, Any]:
        return {k: self.rows[(model, k)] for k in keys if (model, k) in self.rows}

    def save_claim_vectors(self, model: str, vectors: Any) -> None:
        self.saved += len(vectors)
        self.rows.update({(model, k): v for k, v in vectors.items()})


def test_e5_stays_the_default_and_its_rows_keep_their_key() -> None:
    assert CLAIM_MODEL == "embedding"  # the English model decides worse on MSRP: opt-in
    assert vector_key("embedding") == "multilingual-e5-small-q4:query"  # rows cached before
    assert vector_key("minilm") != vector_key("embedding")
    with pytest.raises(ValueError, match="expected 'minilm' or 'embedding'"):
        cached_embedder(DictCache(), "e6")
    assert set(COSINE_CUTS) == {"embedding", "minilm"}
    model = WEIGHTS["minilm"]
    assert model["features"][-1] == "cosine"
    assert len(model["coef"]) == len(model["features"]) == len(WEIGHTS["embedding"]["coef"])


def test_each_text_is_embedded_once_and_cached_by_its_sha1() -> None:
    cache = DictCache()
    embedder = cached_embedder(cache, "minilm")
    texts = ["The dam broke on Monday night.", "At least 14 people were killed.",
             "The dam broke on Monday night."]
    first = embedder(texts)
    assert first.shape == (3, 384)
    assert np.allclose(first[0], first[2])
    assert cache.saved == 2  # the repeated text once
    key = hashlib.sha1(texts[1].encode("utf-8")).hexdigest()
    assert (vector_key("minilm"), key) in cache.rows
    again = embedder(texts)
    assert cache.saved == 2  # nothing embedded the second time
    assert np.allclose(first, again)
    assert abs(float(first[1] @ first[1]) - 1.0) < 1e-4


def test_cross_check_groups_a_reworded_fact_with_the_english_vectors() -> None:
    a = StoryArticle(1, "At least 14 people were killed when the Tavra dam gave way on "
                        "Monday night. The governor ordered an inquiry into the collapse.",
                     outlet="A", language="en")
    b = StoryArticle(2, "The Tavra dam gave way on Monday night, killing at least 14 people. "
                        "Shares in the building firm fell sharply in early trading.",
                     outlet="B", language="en")
    check = cross_check([a, b], {1: [1], 2: [2]},
                        embedder=cached_embedder(DictCache(), "minilm"))
    assert check.vector_model == "minilm"
    joined = [g for g in check.groups if {u.article for u in g.units} == {1, 2}]
    assert len(joined) == 1 and "14 people" in joined[0].first.text
    assert joined[0].status == "corroborated"
    assert len(check.vectors) == 4


def test_msrp_floor_with_the_english_model() -> None:
    """bench/brief_claim_model.py: see docs/benchmarks.md "Brief speed, part 2"."""
    require_shared("benchmarks/msrp/test.jsonl")
    done = subprocess.run(
        [sys.executable, str(Path(REPO) / "bench" / "brief_claim_model.py"), "--no-e5"],
        capture_output=True, text=True, check=True, cwd=REPO, timeout=600,
        env={**__import__("os").environ, "PYTHONPATH": str(Path(REPO) / "src")},
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("MiniLM embedding model ("))
    parts = line.split()
    accuracy, f1 = float(parts[parts.index("accuracy") + 1]), float(parts[parts.index("F1") + 1])
    assert accuracy >= 0.77, line  # measured 0.776 / 0.835 (e5's model: 0.784 / 0.846)
    assert f1 >= 0.83, line
    assert same_fact("About 3,200 residents were evacuated overnight.",
                     "Some 3,200 residents were evacuated overnight.", cosine=0.95,
                     model="minilm")


def test_the_engine_reads_claims_with_the_english_model_when_set(demo_engine: Any) -> None:
    """brief_embeddings=2: the brief's claim vectors are MiniLM's, cached under its own key
    beside e5's rows, and a second brief embeds nothing new."""
    wire = next(a.id for a in demo_engine.articles()
                if a.source.endswith("01_meridian-press-agency.txt"))
    story = demo_engine.story_of(wire)
    db = demo_engine.store._db

    def rows(model: str) -> int:
        return int(db.execute("SELECT count(*) FROM claim_vectors WHERE model = ?",
                              (model,)).fetchone()[0])

    before = demo_engine.settings.brief_embeddings
    try:
        demo_engine.settings.brief_embeddings = 2
        brief = demo_engine.brief(story)
        cached = rows(vector_key("minilm"))
        assert cached > 50  # the story's distinct claim texts
        assert brief.claims and any(c.status == "contested" for c in brief.claims)
        demo_engine.brief(story)
        assert rows(vector_key("minilm")) == cached
    finally:
        demo_engine.settings.brief_embeddings = before
