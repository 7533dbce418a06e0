"""The generated archive (bench/corpus.py) holds exactly the reuse its answer key states."""

from __future__ import annotations

import json
import random
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import load_bench, require_shared

ARTICLES = 600


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared("benchmarks/ntrex/docs.jsonl")
    out = tmp_path_factory.mktemp("corpus")
    load_bench("corpus").generate(ARTICLES, out, seed=3, shard_size=250)
    return out


@pytest.fixture(scope="module")
def planted(corpus: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    gen = load_bench("corpus")
    records = {r["id"]: r for r in gen.read_articles(corpus)}
    key = {k["id"]: k for k in gen.read_key(corpus)}
    return records, key


def test_size_shards_and_manifest(corpus: Path, planted: tuple[dict, dict]) -> None:
    records, key = planted
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["articles"] == len(records) == len(key) == ARTICLES
    assert manifest["shards"] == ["articles-00000.jsonl", "articles-00001.jsonl",
                                  "articles-00002.jsonl"]
    assert manifest["counts"] == dict(sorted(Counter(k["kind"] for k in key.values()).items()))
    assert set(manifest["counts"]) == {"original", "copy", "partial", "rewrite", "translation"}
    for record in records.values():
        assert record["outlet"] and record["title"] and record["published"] and record["text"]


def test_every_derived_article_points_at_an_earlier_original(planted: tuple[dict, dict]
                                                             ) -> None:
    _, key = planted
    for entry in key.values():
        if entry["kind"] == "original":
            assert entry["of"] is None and entry["family"] == entry["id"]
        else:
            original = key[entry["of"]]
            assert original["kind"] == "original" and entry["family"] == original["id"]
            assert entry["event"] == original["event"]
            assert entry["id"] > original["id"]  # ids in order of creation


def test_copies_carry_the_original_body_verbatim_in_other_boilerplate(
        planted: tuple[dict, dict]) -> None:
    records, key = planted
    gen = load_bench("corpus")
    copies = [k for k in key.values() if k["kind"] == "copy"]
    assert len(copies) >= 20
    for entry in copies:
        original = key[entry["of"]]
        copy_text, original_text = records[entry["id"]], records[entry["of"]]
        assert gen.body_of(copy_text, entry) == gen.body_of(original_text, original)
        assert copy_text["outlet"] != original_text["outlet"]
        assert copy_text["text"] != original_text["text"]  # the boilerplate differs
        assert copy_text["published"] > original_text["published"]


def test_partial_copies_hold_the_stated_share_of_sentences_in_order(
        planted: tuple[dict, dict]) -> None:
    records, key = planted
    gen = load_bench("corpus")
    partials = [k for k in key.values() if k["kind"] == "partial"]
    assert len(partials) >= 10
    for entry in partials:
        source = gen.body_of(records[entry["of"]], key[entry["of"]])
        body = gen.body_of(records[entry["id"]], entry)
        assert body == [source[i] for i in entry["kept"]]
        assert entry["kept"] == sorted(set(entry["kept"]))
        assert len(body) == max(2, round(entry["share"] * len(source)))
        assert 0.3 <= entry["share"] <= 0.8 and len(body) < len(source)


def test_rewrites_reword_reorder_and_credit_their_source(planted: tuple[dict, dict]) -> None:
    records, key = planted
    gen = load_bench("corpus")
    rewrites = [k for k in key.values() if k["kind"] == "rewrite"]
    assert len(rewrites) >= 10
    reworded = total = 0
    for entry in rewrites:
        source = gen.body_of(records[entry["of"]], key[entry["of"]])
        body = gen.body_of(records[entry["id"]], entry)
        assert len(body) == len(source) and body != source
        source_outlet = records[entry["of"]]["outlet"]
        assert entry["attribution"].endswith(" reported")
        assert source_outlet.lower() in entry["attribution"].lower()
        assert body[0].endswith(f", {entry['attribution']}.")
        assert records[entry["id"]]["outlet"] != source_outlet
        reworded += sum(s not in source for s in body)
        total += len(body)
    assert reworded / total >= 0.5  # most sentences changed, not just the credited lead


def test_translations_are_the_same_ntrex_document(planted: tuple[dict, dict]) -> None:
    records, key = planted
    gen = load_bench("corpus")
    ntrex: dict[tuple[str, str], list[str]] = {}
    for line in require_shared("benchmarks/ntrex/docs.jsonl").open(encoding="utf-8"):
        doc = json.loads(line)
        ntrex[(doc["doc"], doc["lang"])] = [t.strip() for t in doc["text"].splitlines()
                                            if t.strip()]
    translations = [k for k in key.values() if k["kind"] == "translation"]
    assert len(translations) >= 10
    for entry in translations:
        original = key[entry["of"]]
        assert entry["doc"] == original["doc"] and entry["lang"] != "eng"
        assert original["lang"] == "eng"
        lines = ntrex[(entry["doc"], entry["lang"])]
        assert records[entry["id"]]["title"] == lines[0]
        assert gen.body_of(records[entry["id"]], entry) == lines[1:]
        english = ntrex[(entry["doc"], "eng")]
        assert gen.body_of(records[entry["of"]], original) == english[1:]


def test_boilerplate_surrounds_the_bodies(planted: tuple[dict, dict]) -> None:
    records, key = planted
    for entry in key.values():
        paragraphs = records[entry["id"]]["text"].split("\n\n")
        outlet = records[entry["id"]]["outlet"]
        added = [paragraphs[i] for i in entry["added"]]
        assert any(outlet in line for line in added)  # the outlet's recurring lines
        assert len(added) < len(paragraphs)
    # Advertisements sit inside bodies too (a paragraph between two body sentences).
    inside = [k for k in key.values() if k["added"] and k["added"][0] > 0
              and k["added"][0] + 1 not in k["added"]]
    assert len(inside) >= 50


def test_two_runs_with_one_seed_write_identical_files(corpus: Path, tmp_path: Path) -> None:
    load_bench("corpus").generate(ARTICLES, tmp_path, seed=3, shard_size=250)
    names = sorted(p.name for p in corpus.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (corpus / name).read_bytes() == (tmp_path / name).read_bytes(), name
    other = tmp_path / "other"
    load_bench("corpus").generate(ARTICLES, other, seed=4, shard_size=250)
    assert (other / "key.jsonl").read_bytes() != (corpus / "key.jsonl").read_bytes()


def test_a_larger_corpus_goes_round_again_with_varied_texts(tmp_path: Path) -> None:
    require_shared("benchmarks/ntrex/docs.jsonl")
    gen = load_bench("corpus")
    generator = gen.Generator(10, seed=1, translations=0.0)
    report = next(r for e in generator.events for r in e.reports if len(r.sentences) >= 5)
    varied = generator._vary(report.sentences, random.Random(1))
    assert len(varied) == len(report.sentences)
    kept = sum(a == b for a, b in zip(varied, report.sentences, strict=True))
    assert kept < len(varied) / 2  # whole sentences rarely survive: no accidental copies


def test_the_scale_benchmark_scores_edges_against_the_key() -> None:
    score = load_bench("scale").score

    def entry(name: str, kind: str, of: str | None, event: str, base: str) -> dict:
        return {"id": name, "kind": kind, "of": of, "family": of or name, "event": event,
                "base": base}

    key = {k["id"]: k for k in (
        entry("a1", "original", None, "e1#0", "t1"), entry("a2", "copy", "a1", "e1#0", "t1"),
        entry("a3", "rewrite", "a1", "e1#0", "t1"), entry("a4", "original", None, "e1#0", "t2"),
        entry("a5", "original", None, "e2#0", "t3"), entry("a6", "partial", "a5", "e2#0", "t3"),
        entry("a7", "original", None, "e3#1", "t1"), entry("a8", "copy", "a7", "e3#1", "t1"))}
    external = {n: f"a{n}" for n in range(1, 9)}
    graph = {"edges": [
        {"derived": 2, "source": 1, "kind": "copy"},      # right, right way round
        {"derived": 1, "source": 3, "kind": "rewrite"},   # right pair, wrong way round
        {"derived": 4, "source": 1, "kind": "copy"},      # two reports of one event: left out
        {"derived": 7, "source": 1, "kind": "copy"},      # two passes of one text: left out
        {"derived": 8, "source": 2, "kind": "copy"},      # from the other pass: left out
        {"derived": 6, "source": 2, "kind": "copy"},      # unrelated: wrong
        {"derived": 6, "source": 5, "kind": "shared-quotes"},  # not a derivation: ignored
    ], "origins": [[1, 2, 3], [5], [6]]}
    figures = score(graph, external, key)
    assert (figures["edges_right"], figures["edges_wrong"], figures["edges_left_out"]) == \
        (2, 1, 3)
    assert figures["precision"] == 2 / 3
    # a8 is linked only to the other pass's version of its text: found with versions only
    assert figures["recall"]["copy"]["recall"] == 0.5
    assert figures["recall"]["copy"]["recall_with_versions"] == 1.0
    assert figures["recall"]["copy"]["missed_by_benchmark"] == {"t1": 1}
    assert figures["recall"]["rewrite"] == {"planted": 1, "found": 1, "recall": 1.0,
                                            "recall_with_versions": 1.0,
                                            "as_expected": 1.0, "missed_by_benchmark": {}}
    assert figures["recall"]["partial"]["recall"] == 0.0
    assert figures["recall"]["partial"]["missed_by_benchmark"] == {"t3": 1}
    assert (figures["direction_pairs"], figures["direction_right"]) == (2, 0.5)
    assert (figures["families"], figures["families_whole"]) == (3, 1 / 3)


def test_a_resumed_scale_ingest_equals_one_run(corpus: Path, tmp_path: Path) -> None:
    """bench/scale.py --resume: a run stopped after its first shard and started again gives
    the store one uninterrupted run gives, and its figures add up both runs' shards."""
    scale = load_bench("scale")
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    first = tmp_path / "first-shard"  # the same archive, as if stopped after one shard
    first.mkdir()
    for name in [*manifest["shards"], "key.jsonl"]:
        (first / name).symlink_to(corpus / name)
    (first / "manifest.json").write_text(
        json.dumps({**manifest, "shards": manifest["shards"][:1]}), encoding="utf-8")
    resumed = tmp_path / "resumed"
    scale.ingest_archive(first, batch=100, embed=False, keep_db=resumed, resume=True)
    figures = scale.ingest_archive(corpus, batch=100, embed=False, keep_db=resumed,
                                   resume=True)
    log = [json.loads(line) for line in
           (resumed / f"scale-{ARTICLES}.shards.jsonl").read_text().splitlines()]
    assert [(line["shard"], line["run"]) for line in log] == \
        [(manifest["shards"][0], 1)] + [(name, 2) for name in manifest["shards"][1:]]
    assert figures["runs"] == 2
    assert figures["cpu_seconds"] == pytest.approx(sum(line["cpu"] for line in log), abs=0.1)
    whole = tmp_path / "whole"
    expected = scale.ingest_archive(corpus, batch=100, embed=False, keep_db=whole)
    for name in ("edges_right", "edges_wrong", "edges_left_out", "recall", "families_whole"):
        assert figures[name] == expected[name], name
    assert scale.compare_stores(resumed / f"scale-{ARTICLES}.db",
                                whole / f"scale-{ARTICLES}.db")


def test_the_shard_log_summary_adds_up_each_block(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    scale = load_bench("scale")
    path = tmp_path / "scale-3.shards.jsonl"
    log = scale._ShardLog(path)
    for n, (cpu, peak) in enumerate([(2.0, 100.0), (4.0, 150.0), (9.0, 120.0)]):
        log.add(f"articles-{n:05d}.jsonl", wall=cpu * 2, cpu=cpu, peak_mb=peak, before_mb=50.0)
    again = scale._ShardLog(path)  # as a later run reads it
    assert (again.done, again.run) == ({f"articles-{n:05d}.jsonl" for n in range(3)}, 2)
    scale.print_shard_log(again, block=2)
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 0")
            or line.startswith("| 2")]
    assert rows[0].startswith("| 0-2 | 3.0 | 6.0 | 150 MB |")
    assert rows[1].startswith("| 2-3 | 9.0 | 18.0 | 120 MB |")


def test_the_profiler_ingests_the_next_shards_into_a_resumed_run(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    """bench/ingest_profile.py --keep-db DIR --resume: the shards it profiles go into the
    resumable run's store and log, so the run skips them; its stacks compare."""
    scale, profile = load_bench("scale"), load_bench("ingest_profile")
    monkeypatch.setitem(sys.modules, "scale", scale)  # what ingest_profile imports
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    runs = tmp_path / "runs"
    for part, shards in (("first", manifest["shards"][:1]), ("next", manifest["shards"][1:2])):
        folder = tmp_path / part
        folder.mkdir()
        for name in [*manifest["shards"], "key.jsonl"]:
            (folder / name).symlink_to(corpus / name)
        (folder / "manifest.json").write_text(json.dumps({**manifest, "shards": shards}),
                                              encoding="utf-8")
    scale.ingest_archive(tmp_path / "first", batch=100, embed=False, keep_db=runs, resume=True)
    stacks = tmp_path / "stacks.txt"
    monkeypatch.setattr(sys, "argv", [
        "ingest_profile.py", str(tmp_path / "next"), "--keep-db", str(runs), "--resume",
        "--no-score", "--batch", "100", "--interval", "1", "--stacks", str(stacks)])
    profile.main()
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["articles"] == ARTICLES and "precision" not in figures
    log = [json.loads(line) for line in
           (runs / f"scale-{ARTICLES}.shards.jsonl").read_text().splitlines()]
    assert [(line["shard"], line["run"]) for line in log] == \
        [(manifest["shards"][0], 1), (manifest["shards"][1], 2)]
    tree = profile.read_stacks(stacks, 0.25)
    assert tree and all(stack[0] == profile.ROOT for stack in tree)
    assert not any(f.endswith(profile.WRAPPERS) for stack in tree for f in stack)


def test_two_profiles_compare_per_thousand_articles(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    profile = load_bench("ingest_profile")
    frames = "x.py:<module>;bench/scale.py:ingest_archive;engine.py:ingest;pipeline.py:run_pending"
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text(f"2.0 {frames};reuse.py:run;align.py:align;align.py:align\n"
                     f"1.0 {frames};stories.py:run\n0.5 x.py:<module>;scale.py:score\n")
    big.write_text(f"9.0 {frames};reuse.py:run;align.py:align\n3.0 {frames};stories.py:run\n")
    a, b = profile.read_stacks(small, 1), profile.read_stacks(big, 3)
    assert a == {("engine.py:ingest", "reuse.py:run", "align.py:align"): 2.0,
                 ("engine.py:ingest", "stories.py:run"): 1.0}
    assert b[("engine.py:ingest", "reuse.py:run", "align.py:align")] == 3.0
    profile.compare_stacks(a, b, least=0.1, depth=5, top=5)
    out = capsys.readouterr().out
    assert "engine.py:ingest  3.00  4.00  +1.00" in out
    assert "    align.py:align  2.00  3.00  +1.00" in out


def test_the_shard_log_by_pass_takes_each_shards_most_common_pass(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    profile = load_bench("ingest_profile")
    shards = [f"articles-{n:05d}.jsonl" for n in range(4)]
    (tmp_path / "manifest.json").write_text(json.dumps({"shard_size": 3, "shards": shards}))
    passes = [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1]  # shard 1: two of pass 0, one of pass 1
    (tmp_path / "key.jsonl").write_text("".join(json.dumps({"pass": p}) + "\n" for p in passes))
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps({"shard": s, "run": 1, "cpu": c}) + "\n"
                           for s, c in zip(shards, [1.0, 3.0, 10.0, 20.0], strict=True)))
    profile.print_passes(log, tmp_path)
    rows = [line for line in capsys.readouterr().out.splitlines() if line[2:3].isdigit()]
    assert rows == ["| 0 | 2 | 0 | 2.0 |", "| 1 | 2 | 2 | 15.0 |"]


def test_the_scale_benchmark_names_stages_as_the_cli_does() -> None:
    scale = load_bench("scale")
    assert scale.parse_stages("all") == ["clean", "reuse", "stories", "extract"]
    assert scale.parse_stages("extract, reuse") == ["reuse", "extract"]
    assert scale.parse_stages("reuse,stories") == list(scale.DEFAULT_STAGES)
    for wrong in ("reuse,brief", "", "all,extract"):
        with pytest.raises(Exception, match="unknown stage"):
            scale.parse_stages(wrong)


def test_an_all_stages_scale_ingest_resumes_and_logs_each_stage(corpus: Path,
                                                                 tmp_path: Path) -> None:
    """bench/scale.py --stages all --resume: every stage ingest runs by default, each
    shard's CPU logged per stage and for the extract workers; stopped after one shard and
    resumed, the store equals one uninterrupted run's, extract's tables included."""
    scale = load_bench("scale")
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    first = tmp_path / "first-shard"
    first.mkdir()
    for name in [*manifest["shards"], "key.jsonl"]:
        (first / name).symlink_to(corpus / name)
    (first / "manifest.json").write_text(
        json.dumps({**manifest, "shards": manifest["shards"][:1]}), encoding="utf-8")
    resumed, whole = tmp_path / "resumed", tmp_path / "whole"
    stages = scale.parse_stages("all")
    scale.ingest_archive(first, batch=100, embed=False, keep_db=resumed, resume=True,
                         stages=stages, score_reuse=False)
    figures = scale.ingest_archive(corpus, batch=100, embed=False, keep_db=resumed,
                                   resume=True, stages=stages, score_reuse=False)
    log = [json.loads(line) for line in
           (resumed / f"scale-{ARTICLES}.shards.jsonl").read_text().splitlines()]
    assert [line["run"] for line in log] == [1, 2, 2]
    for line in log:
        assert set(line["stages"]) == {"clean", "reuse", "stories", "extract"}
        assert line["stages"]["reuse"] > 0 and line["stages"]["extract"] > 0
    # The extract stage's worker processes did its analysis, beside this process.
    assert figures["children_cpu_seconds"] > 0 and figures["children_peak_rss_mb"] > 0
    assert figures["children_cpu_seconds"] == pytest.approx(
        sum(line["children_cpu"] for line in log), abs=0.1)
    assert figures["total_cpu_seconds"] == pytest.approx(
        figures["cpu_seconds"] + figures["children_cpu_seconds"], abs=0.2)
    assert figures["stage_cpu_seconds"]["extract"] == pytest.approx(
        sum(line["stages"]["extract"] for line in log), abs=0.05)
    scale.ingest_archive(corpus, batch=100, embed=False, keep_db=whole, stages=stages,
                         score_reuse=False)
    one, other = resumed / f"scale-{ARTICLES}.db", whole / f"scale-{ARTICLES}.db"
    with sqlite3.connect(one) as db:  # extract's tables are filled, so compared
        assert db.execute("SELECT count(*) FROM extract_articles").fetchone()[0] == ARTICLES
        assert db.execute("SELECT count(*) FROM entities").fetchone()[0] > 0
    assert scale.compare_stores(one, other)
    with sqlite3.connect(other) as db:  # one entity's name changed: found
        db.execute("UPDATE entities SET name = name || 'x' WHERE id = "
                   "(SELECT min(id) FROM entities)")
    assert not scale.compare_stores(one, other)
