"""Crash safety: ingests killed with SIGKILL at random moments, then run again.

Each cycle starts from an empty store and a folder of inputs (the demo corpus
plus generated council-vote reports: ours, written for this test). A run
starts ``newsweave ingest`` on the folder and kills it with SIGKILL after a
random delay T * u**2 (u uniform in [0, 1], T the time a whole uninterrupted
ingest took, measured first), so kills land while inputs are read, while
batches are written and while every stage works. The last run of each cycle
also starts a second ingest of the same folder beside the one killed, which is
not killed: it must finish (taking up the dead process's claimed work). After
each kill:

* ``PRAGMA integrity_check`` and ``foreign_key_check`` of the store (corrupt
  stores are counted), and ``Engine.check_store()`` (no stored errors either);
* every article stored before the kill is still there (lost articles counted).

Every ``--per-cycle`` kills the folder is ingested once more without a kill:
that re-run must exit 0, leave every input stored once and every stage done
on every article (no pending work, no claims left); then a new cycle starts.
Prints one line per run and a summary.

    python bench/crash.py [--runs 50] [--per-cycle 5] [--extra 30] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "src" / "newsweave" / "demo" / "corpus"
STAGES = ("reuse", "stories", "extract")


def make_inputs(folder: Path, extra: int) -> None:
    folder.mkdir()
    for source in CORPUS.iterdir():
        shutil.copy(source, folder / source.name)
    for i in range(extra):
        (folder / f"vote-{i:03d}.txt").write_text(
            f"Council vote number {i} passes\n\nThe council of Ardmere approved measure {i} on "
            f"Monday by {i % 7 + 5} votes to {i % 3}, the clerk said.\n\nThe measure funds "
            f"repairs to street {i} and takes effect in {2026 + i % 4}, the mayor, Ilse "
            f"Varga, told reporters. \"We promised this in spring,\" she said.\n")


def env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    src = str(REPO / "src")
    return {**os.environ, "PYTHONPATH": src + (os.pathsep + path if path else ""),
            "NEWSWEAVE_BATCH_SIZE": "5"}


def ingest_cmd(db: str, folder: Path) -> list[str]:
    return [sys.executable, "-m", "newsweave", "--db", db, "ingest", "--quiet", str(folder)]


def hashes(db: str) -> set[str]:
    if not Path(db).exists():
        return set()
    conn = sqlite3.connect(db, timeout=60)
    try:
        return {r[0] for r in conn.execute("SELECT content_hash FROM articles")}
    except sqlite3.OperationalError:
        return set()  # killed before the schema was created
    finally:
        conn.close()


def store_problems(db: str) -> list[str]:
    if not Path(db).exists():
        return []
    conn = sqlite3.connect(db, timeout=60)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"foreign key: {r}" for r in conn.execute("PRAGMA foreign_key_check")]
    except sqlite3.DatabaseError as exc:
        return [f"unreadable: {exc}"]
    finally:
        conn.close()
    if problems:
        return problems
    sys.path.insert(0, str(REPO / "src"))
    import newsweave

    try:
        with newsweave.open(db, readonly=True) as engine:
            return engine.check_store()
    except newsweave.StoreError as exc:
        if "older than" in str(exc) or "no store" in str(exc):
            return []  # killed while the first process was still migrating the new file
        return [str(exc)]


def finished(db: str, expected: int) -> list[str]:
    """What is wrong with a store after an uninterrupted re-run (nothing: [])."""
    conn = sqlite3.connect(db, timeout=60)
    try:
        out = []
        count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        if count != expected:
            out.append(f"{count} articles, expected {expected}")
        for stage in STAGES:
            missing = conn.execute(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM stage_runs r "
                "WHERE r.article_id = a.id AND r.stage = ?)", (stage,)).fetchone()[0]
            if missing:
                out.append(f"stage {stage} has not run on {missing} articles")
        claims = conn.execute("SELECT count(*) FROM stage_claims").fetchone()[0]
        if claims:
            out.append(f"{claims} claims left")
        return out
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--per-cycle", type=int, default=5)
    parser.add_argument("--extra", type=int, default=30, help="generated inputs per cycle")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="newsweave-crash-"))
    folder = work / "inputs"
    make_inputs(folder, args.extra)
    started = time.monotonic()
    full = subprocess.run(ingest_cmd(str(work / "timing.db"), folder), env=env(),
                          capture_output=True, text=True, check=False)
    whole = time.monotonic() - started
    if full.returncode != 0:
        sys.exit(f"the uninterrupted ingest failed: {full.stderr}")
    expected = len(hashes(str(work / "timing.db")))
    print(f"inputs: {expected} articles; an uninterrupted ingest takes {whole:.1f} s")
    corrupt = lost = reruns = reruns_ok = companions = companions_ok = mid_run = 0
    cycle = 0
    db = str(work / "cycle0.db")
    for run in range(1, args.runs + 1):
        before = hashes(db)
        proc = subprocess.Popen(ingest_cmd(db, folder), env=env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        companion = None
        if run % args.per_cycle == 0:
            companion = subprocess.Popen(ingest_cmd(db, folder), env=env(),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         text=True)
        # Squared: more kills early, while inputs are read and batches written (a fraction
        # of the run), the rest spread over the stages.
        delay = rng.uniform(0, 1) ** 2 * whole
        time.sleep(delay)
        landed = proc.poll() is None
        mid_run += landed
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        note = ""
        if companion is not None:
            companions += 1
            _, err = companion.communicate()
            if companion.returncode == 0:
                companions_ok += 1
            else:
                note = f"; companion exit {companion.returncode}: {err.strip()[-200:]}"
        problems = store_problems(db)
        after = hashes(db)
        gone = before - after
        corrupt += bool(problems)
        lost += len(gone)
        print(f"run {run:>3}: killed after {delay:5.2f} s ({'mid-run' if landed else 'after exit'})"
              f", {len(after)} articles stored, problems: {problems or 'none'}, "
              f"lost: {len(gone)}{note}", flush=True)
        if run % args.per_cycle == 0 or run == args.runs:
            reruns += 1
            done = subprocess.run(ingest_cmd(db, folder), env=env(), capture_output=True,
                                  text=True, check=False)
            wrong = finished(db, expected) + store_problems(db)
            if done.returncode == 0 and not wrong:
                reruns_ok += 1
            print(f"re-run after run {run}: exit {done.returncode}, "
                  f"{wrong or 'complete'} {done.stderr.strip()[-300:]}",
                  flush=True)
            cycle += 1
            db = str(work / f"cycle{cycle}.db")
    minutes = (time.monotonic() - started) / 60
    print(f"\n{args.runs} SIGKILL runs ({mid_run} landed mid-run, {companions} beside a second "
          f"ingest), seed {args.seed}, "
          f"{minutes:.1f} min: corrupt stores {corrupt}, committed articles lost {lost}, "
          f"re-runs complete {reruns_ok}/{reruns}, companion ingests completed "
          f"{companions_ok}/{companions}")
    shutil.rmtree(work, ignore_errors=True)
    if corrupt or lost or reruns_ok < reruns or companions_ok < companions:
        sys.exit(1)


if __name__ == "__main__":
    main()
