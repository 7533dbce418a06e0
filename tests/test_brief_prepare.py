"""Briefs prepared ahead (#16 item 4): what a story's first brief computes, kept in the store
(claim vectors, the parse's frames, the scored claim pairs), read back by a later process's
first brief, the brief byte-identical prepared or not; a changed story prepared again."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import newsweave
from newsweave.brief import render
from newsweave.brief.prepare import models_key, signature
from newsweave.cli import cli
from newsweave.crosscheck import align, frames, status
from newsweave.crosscheck.align import pack_pairs, pairs_key, unpack_pairs
from newsweave.crosscheck.frames import ClaimFramer, action_frames, parse, quantity_frames
from newsweave.demo import corpus_files
from newsweave.errors import StoreError
from newsweave.settings import load_settings


class DictFrames:
    """A frame cache in a dict, counting what is saved."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], str] = {}

    def claim_frames(self, model: str, keys: Any) -> dict[str, str]:
        return {k: self.rows[(model, k)] for k in keys if (model, k) in self.rows}

    def save_claim_frames(self, model: str, found: Any) -> None:
        self.rows.update({(model, k): v for k, v in found.items()})


def forget_process_caches() -> None:
    """What one process keeps between briefs: a fresh process has none of it."""
    from newsweave.nlp import english

    frames._CACHE.clear()
    align._pair_features.cache_clear()
    align._profile.cache_clear()
    english._RECENT.clear()


def refuse_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Embedding (claims with e5, what figures count with MiniLM), parsing or scoring a
    claim pair fails: a brief must read them all."""
    def boom(*_: Any, **__: Any) -> Any:
        raise AssertionError("computed, not read from the store")

    from newsweave.nlp import embed, english

    monkeypatch.setattr(embed, "embed", boom)
    monkeypatch.setattr(english, "_compute", boom)
    monkeypatch.setattr(frames, "parse", boom)
    monkeypatch.setattr(status, "_pair_score", boom)


def briefs(engine: Any) -> dict[int, str]:
    return {s.id: render(engine.brief(s.id), "json") for s in engine.stories()}


def main_story(engine: Any) -> int:
    wire = next(a for a in engine.articles() if a.source.endswith("01_meridian-press-agency.txt"))
    return int(engine.story_of(wire.id))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo through every stage with its claim vectors cached (briefed once), and no
    frames, scored pairs or preparation kept: tests copy it."""
    db = str(tmp_path_factory.mktemp("prepare") / "demo.db")
    with newsweave.open(db) as engine:
        engine.ingest([str(p) for p in corpus_files()])
        briefs(engine)
        with engine.store.transaction() as tx:
            for table in ("claim_frames", "claim_pairs", "brief_prepared"):
                tx.execute(f"DELETE FROM {table}")
    return db


@pytest.fixture
def db(demo_db: str, tmp_path: Path) -> Iterator[str]:
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db, copy)
    forget_process_caches()
    yield str(copy)
    forget_process_caches()


def test_frames_read_back_are_the_parse_s_and_parsed_once() -> None:
    text = "At least 14 people were killed when Ortiz met Governor Lind on Monday."
    spans = [(9, 11)]
    cache = DictFrames()
    first = ClaimFramer(cache).quantities([(text, spans)])[0]
    doc = parse([text])[0]
    assert first == quantity_frames(doc, spans) and first[0].counted == "people"
    assert ClaimFramer(cache).actions([text])[0] == action_frames(doc)
    assert len(cache.rows) == 2
    frames._CACHE.clear()
    saved = frames.parse
    frames.parse = None  # type: ignore[assignment]  # a parse now would fail
    try:
        assert ClaimFramer(cache).quantities([(text, spans)])[0] == first
        assert ClaimFramer(cache).actions([text])[0] == action_frames(doc)
    finally:
        frames.parse = saved
    # Other spans of the same text are another key: never the frames of the first spans.
    assert ClaimFramer(cache).quantities([(text, [(0, 2)])])[0] != first


def test_pair_sets_round_trip_and_any_change_is_another_key() -> None:
    scores = {(0, 1): 0.8125, (2, 0): 1.0, (3, 4): 0.5000000001}
    assert unpack_pairs(pack_pairs(scores)) == scores
    assert unpack_pairs(pack_pairs({})) == {}
    texts = ["The dam broke.", "Fourteen people died."]
    key = pairs_key("embedding", texts)
    assert key == pairs_key("embedding", list(texts))
    assert key != pairs_key("embedding", texts[::-1])
    assert key != pairs_key("embedding", [*texts, "Rain fell."])
    assert key != pairs_key("minilm", texts) != pairs_key("lexical", texts)


def test_signature_follows_the_articles_and_the_models() -> None:
    settings = load_settings(db=":memory:")
    models = models_key(settings)
    base = signature([(1, "aa"), (2, "bb")], models)
    assert base == signature([(2, "bb"), (1, "aa")], models)  # order of reading: no change
    assert base != signature([(1, "aa"), (2, "bc")], models)  # an article revised
    assert base != signature([(1, "aa"), (2, "bb"), (3, "cc")], models)  # one joined
    assert models != models_key(load_settings(db=":memory:", brief_embeddings=2))
    assert models != models_key(load_settings(db=":memory:", brief_embeddings=0))


def test_a_prepared_brief_reads_everything_and_is_byte_identical(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with newsweave.open(db) as engine:
        report = engine.prepare_briefs()
        stories = [s.id for s in engine.stories()]
        assert sorted(report.prepared) == sorted(stories) and report.unchanged == 0
        assert report.articles == engine.store.count_articles() and not report.failed
        again = engine.prepare_briefs()
        assert again.prepared == [] and again.unchanged == len(stories)
    forget_process_caches()
    with monkeypatch.context() as patched:
        refuse_computing(patched)
        with newsweave.open(db, readonly=True) as engine:
            prepared = briefs(engine)
    # The same briefs computed: nothing kept but the claim vectors (as before this work).
    forget_process_caches()
    with newsweave.open(db) as engine:
        with engine.store.transaction() as tx:
            tx.execute("DELETE FROM claim_frames")
            tx.execute("DELETE FROM claim_pairs")
        computed = briefs(engine)
        story = main_story(engine)
    assert prepared == computed
    assert '"status": "contested"' in prepared[story]  # a real brief, not empty


def test_a_story_changed_after_preparation_is_prepared_again(
        db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with newsweave.open(db) as engine:
        engine.prepare_briefs()
        story = main_story(engine)
        size = len(engine.story_articles(story))
        wire = next(a for a in engine.articles()
                    if a.source.endswith("01_meridian-press-agency.txt"))
        copy = tmp_path / "repost.txt"
        copy.write_text(f"{wire.title}\n\n{wire.text}\n\nThe agency will update this report "
                        "as rescue crews reach the villages below the dam.\n", encoding="utf-8")
        engine.ingest([str(copy)], outlet="Valley Repost")
        assert len(engine.story_articles(story)) == size + 1  # the repost joined the story
        named = engine.prepare_briefs([story, story])  # the story named, twice: once
        assert named.prepared == [story] and named.articles == size + 1
        assert engine.prepare_briefs([story]).prepared == []  # and then unchanged
        unknown = engine.prepare_briefs([987654])
        assert unknown.prepared == [] and "no live story 987654" in unknown.failed[987654]
        report = engine.prepare_briefs()
        assert report.prepared == [] and report.unchanged == len(engine.stories())
    forget_process_caches()
    with monkeypatch.context() as patched:
        refuse_computing(patched)
        with newsweave.open(db, readonly=True) as engine:
            prepared = render(engine.brief(story), "json")
    forget_process_caches()
    with newsweave.open(db) as engine:
        with engine.store.transaction() as tx:
            tx.execute("DELETE FROM claim_frames")
            tx.execute("DELETE FROM claim_pairs")
        assert render(engine.brief(story), "json") == prepared


def test_analyze_stages_brief_prepares_then_skips(db: str) -> None:
    first = CliRunner().invoke(cli, ["--db", db, "analyze", "--stages", "brief", "-q"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "brief: 3 stories prepared"
    again = CliRunner().invoke(cli, ["--db", db, "analyze", "--stages", "brief", "--json", "-q"])
    assert again.exit_code == 0 and '"brief": 0' in again.output
    wrong = CliRunner().invoke(cli, ["--db", db, "analyze", "--stages", "briefs"])
    assert wrong.exit_code == 2 and "brief (briefs prepared ahead)" in wrong.output


def test_preparing_a_read_only_store_is_a_clear_error(db: str) -> None:
    with newsweave.open(db, readonly=True) as engine, pytest.raises(StoreError,
                                                                     match="read-only"):
        engine.prepare_briefs()


def test_the_kept_tables_on_both_backends(store_backend: Any) -> None:
    import numpy as np

    store = store_backend.open()
    tables = store.crosscheck
    tables.save_claim_frames("parser", {"k1": "[[1]]", "k2": "[]"})
    tables.save_claim_frames("parser", {"k1": "[[2]]"})  # kept again: replaced
    assert tables.claim_frames("parser", ["k1", "k2", "k3"]) == {"k1": "[[2]]", "k2": "[]"}
    assert tables.claim_frames("other", ["k1"]) == {}
    blob = pack_pairs({(0, 1): 0.75, (1, 2): 1.0})
    tables.save_claim_pairs("texts", blob)
    assert tables.claim_pairs("texts") == blob and tables.claim_pairs("others") is None
    vector = np.arange(384, dtype=np.float32) / 384
    tables.save_claim_vectors("model", {"k": vector})  # the rowid table the migration made
    assert np.array_equal(tables.claim_vectors("model", ["k"])["k"], vector)
    tables.save_prepared({5: "a", 6: "b"})
    tables.save_prepared({5: "c"})
    assert tables.prepared() == {5: "c", 6: "b"} and tables.prepared([5, 7]) == {5: "c"}
    store.close()
    with newsweave.open(store_backend.location) as engine:
        first = engine.ingest_text("Dam breaks\n\nThe dam broke on Monday and 14 people died.")
        engine.ingest_text("Storm\n\nA storm hit the northern coast on Tuesday night.")
        contents = dict(engine.store.crosscheck.story_contents())
        story = engine.story_of(first.new[0])
        assert story is not None and set(contents) == {s.id for s in engine.stories()}
        assert [a for a, _ in contents[story]] == engine.story_articles(story)
        assert dict(engine.store.crosscheck.story_contents([story, 999])) == {
            story: contents[story]}
