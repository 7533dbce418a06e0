"""bench/pg_vs_sqlite.py's measures: the whole cluster's CPU and the stores' sizes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import PostgresServer, load_bench, require_postgres
from newsweave.store import open_store


def test_whole_cluster_cpu_covers_the_serving_backend_and_grows_with_its_work(
        postgres_server: PostgresServer):
    """The cluster's CPU (postmaster, reaped and live children) is at least the serving
    backend's, and a query that burns server CPU shows in both."""
    import psycopg

    bench = load_bench("pg_vs_sqlite")
    server = require_postgres(postgres_server)
    if server.cluster is None:
        pytest.skip("the whole-cluster count needs the throw-away cluster (NEWSWEAVE_TEST_PG set)")
    location = server.new_database()
    with psycopg.connect(location, autocommit=True) as conn:
        pid = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
        backend, cluster = bench._ticks(pid), bench._cluster_ticks(pid)
        assert cluster >= backend
        conn.execute("SELECT count(*) FROM generate_series(1, 3000000) g "
                     "WHERE md5(g::text) LIKE 'a%'").fetchone()
        spent_backend = bench._ticks(pid) - backend
        spent_cluster = bench._cluster_ticks(pid) - cluster
    assert spent_backend > 0.2
    assert spent_cluster >= spent_backend - 0.02
    assert bench._cluster_ticks(None) == 0.0
    assert bench._cluster_ticks(2**22 + 12345) == 0.0


def test_store_bytes_counts_the_sqlite_file_and_the_database(
        tmp_path: Path, postgres_server: PostgresServer):
    bench = load_bench("pg_vs_sqlite")
    location = str(tmp_path / "s.db")
    store = open_store(location)
    assert bench._store_bytes(store, location) >= Path(location).stat().st_size > 0
    server = require_postgres(postgres_server)
    pg_location = server.new_database()
    pg = open_store(pg_location)
    assert bench._store_bytes(pg, pg_location) > 1_000_000


def _archive(folder: Path, shards: int = 3, per_shard: int = 3) -> Path:
    """A tiny archive in bench/corpus.py's shape (no benchmark texts needed)."""
    import json

    folder.mkdir()
    names = []
    for s in range(shards):
        names.append(f"articles-{s:05d}.jsonl")
        with (folder / names[-1]).open("w", encoding="utf-8") as f:
            for a in range(per_shard):
                n = s * per_shard + a
                body = "\n\n".join(
                    f"Sentence {k} of report {n % 4} says the council met on day {k}."
                    for k in range(6))
                f.write(json.dumps({
                    "id": f"a{n:04d}", "title": f"Report {n}", "text": body,
                    "outlet": f"Outlet {n % 3}", "author": "", "published": "2024-05-01",
                    "url": f"https://example.org/{n}"}) + "\n")
    (folder / "manifest.json").write_text(json.dumps({"shards": names}), encoding="utf-8")
    return folder


def test_a_stopped_run_goes_on_from_its_last_whole_shard(tmp_path: Path):
    """--until / --work: no shard starts after the time; a run again ingests only the
    shards its progress log does not list, its CPU adds to the earlier figures, and its
    digests agree with an uninterrupted run's."""
    import json
    import time

    bench = load_bench("pg_vs_sqlite")
    archive = _archive(tmp_path / "archive")
    store, log = str(tmp_path / "a.db"), tmp_path / "a.jsonl"
    none = bench.run_backend(store, archive, 2, log, 1, until=time.time() - 1)
    assert none["shards"] == 0 and not none["complete"] and not log.exists()
    # The first shard alone (a run stopped after it), then the whole archive.
    head = tmp_path / "head"
    head.mkdir()
    (head / "articles-00000.jsonl").symlink_to(archive / "articles-00000.jsonl")
    (head / "manifest.json").write_text(json.dumps({"shards": ["articles-00000.jsonl"]}))
    bench.run_backend(store, head, 2, log, 1)
    first = bench._read_progress(log)
    assert [p["shards"] for p in first] == [1] and first[0]["cpu_seconds"] > 0
    done = bench.run_backend(store, archive, 2, log, 1)
    resumed = bench._read_progress(log)
    assert [p["shards"] for p in resumed] == [1, 2, 3] and done["complete"]
    assert [p["ingested"] for p in resumed] == [3, 6, 9] and done["articles"] == 9
    assert resumed[0] == first[0]
    assert resumed[2]["cpu_seconds"] > resumed[1]["cpu_seconds"] > first[0]["cpu_seconds"]
    again = bench.run_backend(store, archive, 2, log, 1)
    assert len(bench._read_progress(log)) == 3 and again["complete"]
    assert again["cpu_seconds"] == resumed[-1]["cpu_seconds"]
    other, other_log = str(tmp_path / "b.db"), tmp_path / "b.jsonl"
    bench.run_backend(other, archive, 2, other_log, 1)
    uninterrupted = bench._read_progress(other_log)
    assert [p["digest"] for p in resumed] == [p["digest"] for p in uninterrupted]
    assert len({p["digest"] for p in resumed}) == 3
    compared = bench.compare_checkpoints(resumed, uninterrupted)
    assert len(compared) == 3 and all(c.endswith("same results: True") for c in compared)
    report = bench.report_progress({"SQLite": resumed, "other": uninterrupted})
    assert len(report) == 6 and report[0].startswith("SQLite at 3 articles")
    assert "the last 3 articles:" in report[1] and "the last" not in report[3]
    changed = [{**p, "digest": "0"} for p in uninterrupted]
    assert bench.compare_checkpoints(resumed, changed)[-1].endswith("same results: False")


def test_the_until_clock_is_the_next_such_time():
    import time

    bench = load_bench("pg_vs_sqlite")
    at = bench._until("00:00")
    assert time.time() < at <= time.time() + 86400 and at % 86400 == 0
    assert bench._until(None) is None


def test_a_kept_cluster_starts_again_with_its_data(postgres_server: PostgresServer):
    """open_cluster: initdb once; stopped without removal, it starts again with the
    database it held; stop() removes it."""
    import tempfile

    import psycopg

    from newsweave.store.postgres_cluster import create_database, open_cluster

    server = require_postgres(postgres_server)
    if server.cluster is None:
        pytest.skip("a kept cluster needs PostgreSQL's binaries (NEWSWEAVE_TEST_PG set)")
    # Not under pytest's tmp_path: the server runs as postgres when we are root, and
    # pytest's folders are private to root.
    root = Path(tempfile.mkdtemp(prefix="newsweave-kept-"))
    cluster = open_cluster(root, 40000 + os.getpid() % 20000)
    try:
        location = create_database(cluster.dsn(), "kept")
        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (7)")
        cluster.stop(remove=False)
        assert (root / "data" / "PG_VERSION").exists()
        cluster = open_cluster(root, cluster.port)
        with psycopg.connect(location, autocommit=True) as conn:
            assert conn.execute("SELECT x FROM t").fetchone()[0] == 7
    finally:
        cluster.stop()
    assert not root.exists()


def test_table_scans_counts_a_tables_sequential_reads(postgres_server: PostgresServer):
    import psycopg

    scans = load_bench("pg_scans")
    location = require_postgres(postgres_server).new_database()
    with psycopg.connect(location, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (k bigint PRIMARY KEY); "
                     "INSERT INTO t SELECT generate_series(1, 500)")
        for _ in range(3):
            conn.execute("SELECT count(*) FROM t").fetchone()
        conn.execute("SELECT pg_stat_force_next_flush()")
    for _ in range(50):  # the counts reach the shared statistics when the session ends
        rows = scans.table_scans(location, tables=["t"])
        if rows and rows[0][1] >= 3:
            break
        time.sleep(0.1)
    name, seq, read, _index, live = rows[0][:5]
    # Three counts read 500 rows each (one more scan, of the empty table, is its creation's).
    assert (name, read, live) == ("t", 1500, 500) and seq >= 3
    assert scans.table_scans(location, top=1)[0][0] == "t"
