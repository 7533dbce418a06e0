"""Killing an ingest at any moment leaves a consistent store, and re-running finishes the job."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

import newsweave
from newsweave.clean.stage import CleanStage

BATCH = 10
FILES = 800  # every stage runs on each: enough that a kill lands mid-ingest, also on
# a loaded machine (400 were done before the third kill once, as the stages got faster)


def make_inputs(folder, count=FILES):
    folder.mkdir()
    for i in range(count):
        (folder / f"{i:04d}.txt").write_text(
            f"Council vote number {i} passes\n\nThe council approved measure {i} on Monday "
            f"by {i % 7 + 5} votes to {i % 3}, the clerk said.\n\nThe measure funds repairs "
            f"to street {i} and takes effect in {2026 + i % 4}.\n"
        )


def count(db):
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet


def test_sigkill_mid_ingest_then_rerun(tmp_path):
    folder = tmp_path / "in"
    make_inputs(folder)
    db = str(tmp_path / "s.db")
    env = {**os.environ, "NEWSWEAVE_BATCH_SIZE": str(BATCH)}
    cmd = [sys.executable, "-m", "newsweave", "--db", db, "ingest", str(folder)]
    for delay in (0.0, 0.02, 0.05):  # kill at several points: before, during, between batches
        before = count(db)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while count(db) <= before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored = count(db)
        assert stored % BATCH == 0, f"a partial batch was committed ({stored} articles)"
        with newsweave.open(db) as engine:
            assert engine.check_store() == []
    killed_at = count(db)
    assert killed_at < FILES, "the ingest finished before it could be killed; use more files"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{FILES - killed_at} new, {killed_at} already known, 0 rejected" in done.stdout
    with newsweave.open(db) as engine:
        assert engine.check_store() == []
        assert len(engine.articles()) == FILES


def test_ctrl_c_mid_batch_keeps_earlier_batches(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    files = 4 * BATCH
    make_inputs(folder, files)
    real_build = CleanStage.build
    calls = {"n": 0}

    def build(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 25:  # in the middle of the third batch
            raise KeyboardInterrupt
        return real_build(self, *args, **kwargs)

    monkeypatch.setattr(CleanStage, "build", build)
    db = str(tmp_path / "s.db")
    with newsweave.open(db, batch_size=BATCH) as engine, pytest.raises(KeyboardInterrupt):
        engine.ingest([str(folder)])
    monkeypatch.setattr(CleanStage, "build", real_build)
    with newsweave.open(db, batch_size=BATCH) as engine:
        assert engine.check_store() == []
        assert len(engine.articles()) == 2 * BATCH
        report = engine.ingest([str(folder)])
        assert (len(report.new), len(report.known)) == (files - 2 * BATCH, 2 * BATCH)


def _stage_rows(db):
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM stage_log WHERE stage != 'clean'"
                                ).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _unfinished(db):
    with sqlite3.connect(db, timeout=30) as conn:
        missing = conn.execute(
            "SELECT count(*) FROM articles a, (SELECT 'reuse' AS s UNION SELECT 'stories' "
            "UNION SELECT 'extract') st WHERE NOT EXISTS (SELECT 1 FROM stage_runs r "
            "WHERE r.article_id = a.id AND r.stage = st.s)").fetchone()[0]
        claims = conn.execute("SELECT count(*) FROM stage_claims").fetchone()[0]
    return missing, claims


def test_sigkill_during_stage_work_beside_another_ingest(tmp_path):
    """A process killed while it holds claimed stage work: the ingest running beside it
    finishes, and the next run takes up the dead process's articles."""
    folder = tmp_path / "in"
    make_inputs(folder, 40)
    db = str(tmp_path / "s.db")
    env = {**os.environ, "NEWSWEAVE_BATCH_SIZE": "5"}
    cmd = [sys.executable, "-m", "newsweave", "--db", db, "ingest", "--quiet", str(folder)]
    victim = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _stage_rows(db) == 0 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    companion = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    _out, err = companion.communicate(timeout=300)
    assert companion.returncode == 0, err
    assert "Traceback" not in err
    with newsweave.open(db, readonly=True) as engine:
        assert engine.check_store() == []
        assert engine.store.count_articles() == 40
    done = subprocess.run([sys.executable, "-m", "newsweave", "--db", db, "analyze", "--quiet"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert _unfinished(db) == (0, 0)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
