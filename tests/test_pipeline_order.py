"""Stages declare what they require and assign; the pipeline orders them from that."""

from __future__ import annotations

import pytest

from newsweave.clean.stage import CleanStage
from newsweave.engine import Engine
from newsweave.extract import ExtractStage
from newsweave.pipeline import (
    INGESTED,
    PipelineError,
    check_order,
    default_stages,
    order_stages,
)
from newsweave.reuse import ReuseStage
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.stories import StoriesStage


class _Stage:
    def __init__(self, name, requires=(), assigns=(), uses=()):
        self.name, self.version = name, 1
        self.requires, self.assigns, self.uses = tuple(requires), tuple(assigns), tuple(uses)

    def run(self, store, article_ids, settings):  # pragma: no cover - never run here
        raise AssertionError("not run in these tests")


def _names(stages):
    return [s.name for s in stages]


def test_every_default_stage_declares_what_it_reads_and_writes():
    stages = default_stages()
    assert _names(stages) == ["clean", "reuse", "stories", "extract"]
    for stage in stages:
        assert stage.requires, stage.name
        assert stage.assigns, stage.name
        assert all("." in n for n in (*stage.requires, *stage.assigns)), stage.name
    check_order(stages)


def test_a_stage_list_in_the_wrong_order_is_reordered():
    wrong = [ExtractStage(), StoriesStage(), ReuseStage(), CleanStage()]
    with pytest.raises(PipelineError, match="stage 'extract'"):
        check_order(wrong)
    assert _names(order_stages(wrong)) == ["clean", "reuse", "stories", "extract"]


def test_stages_free_to_run_keep_the_order_given():
    a = _Stage("a", ["article.raw"], ["a.out"])
    b = _Stage("b", ["article.raw"], ["b.out"])
    c = _Stage("c", ["a.out"], ["c.out"])
    assert _names(order_stages([b, c, a])) == ["b", "a", "c"]
    assert _names(order_stages([c, b, a])) == ["b", "a", "c"]


def test_a_missing_requirement_is_a_clear_error():
    lonely = _Stage("summaries", ["stories.assignments"], ["summaries.text"])
    with pytest.raises(PipelineError) as raised:
        order_stages([CleanStage(), lonely])
    message = str(raised.value)
    assert "'summaries' requires 'stories.assignments'" in message
    assert "no stage assigns" in message


def test_a_cycle_is_a_clear_error():
    a = _Stage("a", ["b.out"], ["a.out"])
    b = _Stage("b", ["a.out"], ["b.out"])
    free = _Stage("free", ["article.raw"], ["free.out"])
    with pytest.raises(PipelineError, match=r"stages a, b require each other's output"):
        order_stages([free, a, b])


def test_an_optional_input_orders_but_is_not_required():
    # stories use reuse's copy links when the reuse stage runs, and run without it
    assert _names(order_stages([StoriesStage(), ReuseStage()], INGESTED)) == [
        "reuse", "stories"]
    assert _names(order_stages([StoriesStage()], INGESTED)) == ["stories"]
    with pytest.raises(PipelineError, match=r"'stories' requires 'reuse\.edges'"):
        check_order([StoriesStage(), ReuseStage()], INGESTED)


def test_the_engine_runs_a_wrong_order_in_the_right_one(tmp_path):
    settings = load_settings(db=str(tmp_path / "s.db"))
    with Engine(open_store(settings.db), settings,
                [StoriesStage(), CleanStage()]) as engine:
        assert _names(engine.stages) == ["clean", "stories"]
        report = engine.ingest_text("Flood closes bridge\n\nThe river rose on Monday.")
        assert engine.story_of(report.new[0]) is not None
