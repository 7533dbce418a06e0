"""bench/pg_vs_sqlite.py's measures: the whole cluster's CPU and the stores' sizes."""

from __future__ import annotations

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
