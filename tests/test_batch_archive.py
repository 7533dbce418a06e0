"""`newsweave batch` (#16 item 3) gives what `ingest` gives on the same generated archive:
the same articles, reuse pairs, provenance edges and origins, and the same stories (BCubed
agreement >= 0.98, the order-independence tolerance), in one process and on a Dask
LocalCluster of two workers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import newsweave
from conftest import load_bench, require_shared
from newsweave.batch import LocalExecutor
from newsweave.batch.archive import run_batch
from newsweave.cli import cli


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """60 generated articles (originals, wire and partial copies, rewrites) in 4 files."""
    require_shared("benchmarks/ntrex/docs.jsonl")
    folder = tmp_path_factory.mktemp("archive")
    manifest = load_bench("corpus").generate(60, folder, seed=11, shard_size=15)
    return [str(folder / name) for name in manifest["shards"]]


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of 20 make the stage's batch boundaries matter (60 articles: 3 batches).
    monkeypatch.setenv("NEWSWEAVE_REUSE_EMBED", "0")
    monkeypatch.setenv("NEWSWEAVE_BATCH_SIZE", "20")


@pytest.fixture(scope="module")
def ingested(archive: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = str(tmp_path_factory.mktemp("ingest") / "ingest.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSWEAVE_REUSE_EMBED", "0")
        mp.setenv("NEWSWEAVE_BATCH_SIZE", "20")
        with newsweave.open(db) as engine:
            report = engine.ingest(archive, stages=["clean", "reuse", "stories"])
    assert len(report.new) == 60 and not report.rejected
    return snapshot(db)


def snapshot(db: str) -> dict[str, Any]:
    """What must be equal: articles, reuse pairs, provenance, origins; stories to compare."""
    with newsweave.open(db, readonly=True) as engine:
        articles = [(a.id, a.content_hash, a.text, a.title, a.outlet, a.published, a.language,
                     [(r.text, r.reason) for r in a.removed])
                    for a in engine.store.iter_articles()]
        pairs = sorted((p.derived, p.source, p.kind, round(p.confidence, 9),
                        round(p.score, 9), tuple(p.reasons)) for p in engine.store.reuse.pairs())
        graph = engine.provenance()
        story_of = {i: s.id for s in engine.stories(confidence=False)
                    for i in engine.story_articles(s.id)}
        stages = engine.stage_status()
    return {"articles": articles, "pairs": pairs,
            "edges": sorted((e["derived"], e["source"], e["kind"]) for e in graph["edges"]),
            "origins": sorted(sorted(o) for o in graph["origins"]),
            "stories": story_of, "stages": stages}


def bcubed_f(a: dict[int, int], b: dict[int, int]) -> float:
    def groups(assign: dict[int, int]) -> dict[int, set[int]]:
        members: dict[int, set[int]] = {}
        for item, label in assign.items():
            members.setdefault(label, set()).add(item)
        return {item: members[label] for item, label in assign.items()}

    ga, gb = groups(a), groups(b)
    items = sorted(ga)
    precision = sum(len(ga[i] & gb[i]) / len(gb[i]) for i in items) / len(items)
    recall = sum(len(ga[i] & gb[i]) / len(ga[i]) for i in items) / len(items)
    return 2 * precision * recall / (precision + recall)


def assert_same(batch: dict[str, Any], ingest: dict[str, Any]) -> None:
    assert [a[:2] for a in batch["articles"]] == [a[:2] for a in ingest["articles"]]  # ids
    assert batch["articles"] == ingest["articles"]  # clean text, metadata, removal log
    assert len(ingest["pairs"]) >= 30  # the archive's copies were found at all
    assert batch["pairs"] == ingest["pairs"]
    assert batch["edges"] == ingest["edges"] and batch["origins"] == ingest["origins"]
    assert set(batch["stories"]) == set(ingest["stories"]) == {a[0] for a in ingest["articles"]}
    assert bcubed_f(batch["stories"], ingest["stories"]) >= 0.98
    assert batch["stages"] == ingest["stages"]  # extract pending in both


def test_batch_in_one_process_equals_ingest(archive: list[str], ingested: dict[str, Any],
                                            tmp_path: Path) -> None:
    db = str(tmp_path / "batch.db")
    # Two runs into one store (half the archive, then the rest): the second meets the
    # articles the first stored through the store's index, as ingest does.
    with newsweave.open(db) as engine:
        first = run_batch(engine, archive[:2], LocalExecutor())
        second = run_batch(engine, archive[2:], LocalExecutor(), files_per_partition=2)
    assert len(first.report.new) + len(second.report.new) == 60
    assert first.analysed["stories"] == 30 and first.pairs_aligned > 0
    assert_same(snapshot(db), ingested)


def test_batch_on_a_dask_cluster_equals_ingest(archive: list[str], ingested: dict[str, Any],
                                               tmp_path: Path) -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("dask[distributed] is missing (CI=true: tests may not skip)")
        pytest.skip("dask[distributed] is not installed: pip install 'newsweave[dask]'")
    db = str(tmp_path / "dask.db")
    result = CliRunner().invoke(cli, ["--db", db, "batch", "--workers", "2", "--json", "-q",
                                      *archive])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["new"]) == 60
    assert report["analysed"] == {"clean": 0, "reuse": 60, "stories": 60}
    assert_same(snapshot(db), ingested)


def test_batch_on_a_running_scheduler(archive: list[str], tmp_path: Path) -> None:
    """``--scheduler ADDRESS``: the work goes to an existing cluster's workers."""
    try:
        from distributed import LocalCluster
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("dask[distributed] is missing (CI=true: tests may not skip)")
        pytest.skip("dask[distributed] is not installed: pip install 'newsweave[dask]'")
    db = str(tmp_path / "cluster.db")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        result = CliRunner().invoke(cli, ["--db", db, "batch", "--scheduler",
                                          cluster.scheduler_address, "--json", "-q",
                                          archive[0]])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["new"]) == 15
    result = CliRunner().invoke(cli, ["--db", db, "batch", "--scheduler", "tcp://127.0.0.1:9",
                                      "-q", archive[1]])
    assert result.exit_code == 1 and "Dask scheduler tcp://127.0.0.1:9" in result.output


def test_bad_inputs_are_reported_and_the_rest_is_stored(archive: list[str],
                                                        tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "no body"}\nnot json\n', encoding="utf-8")
    db = str(tmp_path / "bad.db")
    result = CliRunner().invoke(cli, ["--db", db, "batch", "-q", "--json", archive[0],
                                      str(broken), str(tmp_path / "missing.jsonl"), "-"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert len(report["new"]) == 15
    reasons = " | ".join(r["reason"] for r in report["rejected"])
    assert "standard input cannot be split" in reasons
    assert len(report["rejected"]) == 4  # two bad lines, a missing file, stdin


def test_usage_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2",
                                 "x.jsonl"])
    assert result.exit_code == 2 and "not both" in result.output
    result = runner.invoke(cli, ["batch", "--engine", "local", "--workers", "2", "x.jsonl"])
    assert result.exit_code == 2 and "--engine dask" in result.output
