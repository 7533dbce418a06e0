"""Many processes, one store: overlapping ingests beside listings and briefs.

Four ``newsweave ingest`` processes start at once on a store that does not
exist yet, each with an overlapping part of the demo corpus, while readers list
articles and stories and write briefs in a loop. Every process must exit as
documented, the store must be intact, every distinct input stored once, and
every stage must have run exactly once per article (cleaning, and any
re-cleaning, counts as a run; each re-clean makes the stages run again).
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO

CORPUS = REPO / "src" / "newsweave" / "demo" / "corpus"
INGESTS = 4
PER_INGEST = 7  # of the corpus's 13 files: each file is in two or three ingests


def _cli(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "newsweave", "--db", db, *args]


def _env() -> dict[str, str]:
    src = str(REPO / "src")
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": src + (os.pathsep + path if path else ""),
            "NEWSWEAVE_BATCH_SIZE": "3", "NEWSWEAVE_EXTRACT_WORKERS": "1"}


def _folders(root: Path) -> list[Path]:
    files = sorted(CORPUS.iterdir())
    folders = []
    for k in range(INGESTS):
        folder = root / f"in{k}"
        folder.mkdir()
        for j in range(PER_INGEST):
            source = files[(k * 3 + j) % len(files)]
            shutil.copy(source, folder / source.name)
        folders.append(folder)
    return folders


def _reader_round(db: str, env: dict[str, str]) -> list[tuple[str, int, str]]:
    """One round of reads; each result as (command, exit code, stderr)."""
    out = []
    for args in (("articles", "--limit", "5"), ("stories", "--json")):
        done = subprocess.run(_cli(db, *args), env=env, capture_output=True, text=True,
                              check=False, timeout=300)
        out.append((args[0], done.returncode, done.stderr))
        if args[0] == "stories" and done.returncode == 0:
            stories = json.loads(done.stdout)
            if stories:
                brief = subprocess.run(_cli(db, "brief", str(stories[0]["id"])), env=env,
                                       capture_output=True, text=True, check=False, timeout=300)
                out.append(("brief", brief.returncode, brief.stderr))
    return out


def test_four_overlapping_ingests_with_readers(tmp_path):
    db = str(tmp_path / "shared.db")
    env = _env()
    folders = _folders(tmp_path)
    started = time.monotonic()
    ingests = [subprocess.Popen(_cli(db, "ingest", "--json", str(f)), env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for f in folders]
    reads: list[tuple[str, int, str]] = []
    while any(p.poll() is None for p in ingests) and time.monotonic() - started < 600:
        reads += _reader_round(db, env)
    results = [(p.wait(timeout=600), *p.communicate()) for p in ingests]
    reads += _reader_round(db, env)  # and once more on the finished store

    for code, _stdout, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
    reports = [json.loads(stdout) for _, stdout, _ in results]
    assert all(not r["rejected"] for r in reports)

    for command, code, stderr in reads:
        assert "Traceback" not in stderr, stderr
        if code == 1:  # documented: a read before the first ingest created the store
            assert command != "brief" and "no store here" in stderr, stderr
        else:
            assert code == 0, (command, stderr)
    assert any(command == "brief" and code == 0 for command, code, _ in reads)

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        hashes = [r[0] for r in conn.execute("SELECT content_hash FROM articles")]
        new = [i for r in reports for i in r["new"]]
        assert len(hashes) == len(set(hashes)) == len(new) == len(set(new))
        assert len(hashes) == _distinct_records(folders)
        # Every article went through every stage, each stage once per cleaning of it.
        runs = {}
        for stage, article, count in conn.execute(
                "SELECT stage, article_id, count(*) FROM stage_log GROUP BY stage, article_id"):
            runs[(stage, article)] = count
        ids = [r[0] for r in conn.execute("SELECT id FROM articles")]
        for article in ids:
            cleaned = runs.get(("clean", article), 0)
            assert cleaned >= 1
            for stage in ("reuse", "stories", "extract"):
                assert runs.get((stage, article), 0) == cleaned, (stage, article, runs)
        assert conn.execute("SELECT count(*) FROM stage_claims").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM stage_errors").fetchone()[0] == 0
        # More than one process did stage work: the work was shared, not serialised whole.
        owners = {r[0] for r in conn.execute("SELECT DISTINCT owner FROM stage_log "
                                             "WHERE stage != 'clean'")}
        assert len(owners) >= 2
        shares = [r[0] for r in conn.execute(
            "SELECT count(*) FROM stage_log WHERE stage != 'clean' GROUP BY owner ORDER BY 1")]
    finally:
        conn.close()
    codes: dict[str, dict[int, int]] = {}
    for command, code, _ in reads:
        codes.setdefault(command, {}).setdefault(code, 0)
        codes[command][code] += 1
    # The figure quoted in docs/benchmarks.md ("Many processes, one store"): pytest -s shows it.
    print(f"\n{INGESTS} ingests, {len(hashes)} distinct articles stored once, "
          f"{sum(len(r['known']) for r in reports)} reported known; reads (command: "
          f"{{exit code: count}}): {codes}; stage runs per process: {shares}; "
          f"{time.monotonic() - started:.0f} s")


def _distinct_records(folders: list[Path]) -> int:
    """Distinct articles in the inputs, counted through a single-process ingest."""
    import newsweave

    names = {p.name for f in folders for p in f.iterdir()}
    with newsweave.open(":memory:", reuse_embed=0, story_repair_articles=0) as engine:
        engine.stages = []  # only the records count here, not the analysis
        report = engine.ingest([str(CORPUS / n) for n in sorted(names)])
    return len(report.new)


SCRIPT_WITHOUT_GUARD = """\
import sys

import newsweave

print("script ran", flush=True)
with newsweave.open(sys.argv[1], reuse_embed=0, extract_workers=2) as engine:
    report = engine.ingest([sys.argv[2]])
print("ingested", len(report.new), flush=True)
"""


def test_worker_pool_does_not_rerun_a_script_without_main_guard(tmp_path):
    """The README's Python example has no ``if __name__ == "__main__":``; the extract
    stage's worker processes must not run such a script again."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the worker pool is used only with two cores or more")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(60):  # enough texts for the stage to start two worker processes
        (folder / f"{i:03d}.txt").write_text(
            f"Bridge {i} reopens\n\nThe bridge on route {i} reopened on Tuesday after repairs, "
            f"the transport office of Ardmere said. Engineer Mara Quell led the work.\n")
    script = tmp_path / "myscript.py"
    script.write_text(SCRIPT_WITHOUT_GUARD)
    env = {k: v for k, v in _env().items() if k not in ("NEWSWEAVE_BATCH_SIZE",
                                                          "NEWSWEAVE_EXTRACT_WORKERS")}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "s.db"), str(folder)],
                          env=env, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["script ran", "ingested 60"], done.stdout


def test_brief_cache_skips_writing_while_another_process_holds_the_lock(tmp_path):
    import numpy as np

    from newsweave.brief import assemble as engine_module
    from newsweave.store import open_store

    path = str(tmp_path / "s.db")
    mine, other = open_store(path), open_store(path)
    cache = engine_module.BestEffortCache(mine)
    vector = {"k": np.ones(3, dtype=np.float32)}
    started = time.monotonic()
    with other.transaction():  # a stories stage re-clustering, say
        cache.save_claim_vectors("m", vector)  # gives up quietly instead of failing
    assert time.monotonic() - started < engine_module.CACHE_WAIT + 3
    assert cache.claim_vectors("m", ["k"]) == {}
    cache.save_claim_vectors("m", vector)  # free: cached
    assert list(cache.claim_vectors("m", ["k"])) == ["k"]
    reader = open_store(path, readonly=True)
    engine_module.BestEffortCache(reader).save_claim_vectors("m", {"j": vector["k"]})
    assert reader.crosscheck.claim_vectors("m", ["j"]) == {}
    for store in (mine, other, reader):
        store.close()


def test_read_only_engine_reads_and_never_writes(tmp_path):
    import newsweave

    path = tmp_path / "s.db"
    with pytest.raises(newsweave.StoreError, match="no store here"):
        newsweave.open(str(path), readonly=True)
    assert not path.exists()
    with newsweave.open(str(path)) as engine:
        engine.stages = []
        engine.ingest_text("Storm hits coast\n\nA storm hit the coast of Ardmere on Monday.")
    before = path.read_bytes()
    with newsweave.open(str(path), readonly=True) as engine:
        assert [a.title for a in engine.articles()] == ["Storm hits coast"]
        with pytest.raises(newsweave.StoreError, match="read-only"):
            engine.ingest_text("Another\n\nA different report about the harbour.")
    assert path.read_bytes() == before
