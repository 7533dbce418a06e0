"""Shared fixtures. Data in ../shared is optional on a user's clone but required in CI."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

import newsweave
from newsweave.brief.build import Brief
from newsweave.demo import corpus_files
from newsweave.engine import Engine

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def require_shared(relative: str = "") -> Path:
    """The path under ../shared; skip with a reason when absent, fail instead when CI=true."""
    path = SHARED / relative
    if not path.exists():
        message = f"{path} is missing: seed and benchmark data live in ../shared beside the repo"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: tests may not skip)")
        pytest.skip(message)
    return path


def load_bench(name: str) -> ModuleType:
    """A script of bench/ as a module, so a floor test scores with the bench's own code."""
    module_name = f"bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def indexed_store(location: str, rows: dict[int, list[float]]) -> tuple[Any, Any]:
    """A store at ``location`` holding one article per key of ``rows`` (ids in key order)
    with that row, normalised, as its multilingual lead vector, and the vector index read
    from it (through the vector file beside a file store): for the translation tests."""
    import numpy as np

    from newsweave.model import Article
    from newsweave.nlp.embed import MODEL_NAME
    from newsweave.reuse.semantic import VectorIndex
    from newsweave.store import open_store

    store = open_store(location)
    ids = store.add_articles([Article(None, f"h{i}", "", "text", f"t {i}", f"<{i}>")
                              for i in sorted(rows)], [{}] * len(rows))
    assert ids == sorted(rows)
    matrix = np.array([rows[i] for i in ids], dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    store.reuse.save_vectors(MODEL_NAME, dict(zip(ids, matrix, strict=True)))
    index = VectorIndex()
    index.refresh(store)
    return store, index


@pytest.fixture
def shared_dir() -> Path:
    return require_shared()


@pytest.fixture
def seeds_dir() -> Path:
    return require_shared("corpus/seeds")


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "test.db")


@pytest.fixture
def engine(db_path: str) -> Iterator[Engine]:
    with newsweave.open(db_path) as opened:
        yield opened


# -- the store's backends (issue 16): one suite runs on SQLite and on PostgreSQL ----------


class PostgresServer:
    """A PostgreSQL server the tests may create databases on: NEWSWEAVE_TEST_PG (the URL of
    a database on it whose user may create databases), else a throw-away cluster started
    for the session; ``problem`` says why there is none."""

    def __init__(self) -> None:
        self.cluster = None
        self.admin: str | None = os.environ.get("NEWSWEAVE_TEST_PG") or None
        self.problem: str | None = None
        self._made = 0
        if self.admin:
            return
        try:
            import psycopg  # noqa: F401
        except ImportError:
            self.problem = "psycopg is not installed (pip install -e '.[postgres]')"
            return
        from newsweave.store.postgres_cluster import ClusterError, start_cluster

        try:
            self.cluster = start_cluster()
        except (ClusterError, OSError, subprocess.SubprocessError) as exc:
            self.problem = f"no PostgreSQL server could be started ({exc})"
            return
        self.admin = self.cluster.dsn()

    def new_database(self) -> str:
        """A fresh, empty database; its ``postgresql://`` location."""
        from newsweave.store.postgres_cluster import create_database

        assert self.admin is not None
        self._made += 1
        return create_database(self.admin, f"newsweave_test_{os.getpid()}_{self._made}")

    def drop_database(self, location: str) -> None:
        import psycopg

        name = urlsplit(location).path.lstrip("/")
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    yield server
    server.stop()


def require_postgres(server: PostgresServer) -> PostgresServer:
    """The server; skip with the reason when there is none, fail instead when CI=true."""
    if server.problem:
        message = f"PostgreSQL tests need a server: {server.problem}; set NEWSWEAVE_TEST_PG"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: tests may not skip)")
        pytest.skip(message)
    return server


class StoreBackend:
    """One backend for a store test: ``location`` is a fresh store's (an SQLite file or a
    new PostgreSQL database); ``open()`` opens it (any number of times, closed after)."""

    def __init__(self, name: str, location: str) -> None:
        self.name = name
        self.location = location
        self._opened: list[Any] = []

    def open(self, *, readonly: bool = False, create: bool = True) -> Any:
        from newsweave.store import open_store

        store = open_store(self.location, readonly=readonly, create=create)
        self._opened.append(store)
        return store

    def close(self) -> None:
        for store in self._opened:
            with contextlib.suppress(Exception):
                store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreBackend]:
    """Each store test runs on both backends (``backend.open()`` gives a store)."""
    if request.param == "sqlite":
        backend = StoreBackend("sqlite", str(tmp_path / "store.db"))
        yield backend
        backend.close()
        return
    server = require_postgres(request.getfixturevalue("postgres_server"))
    backend = StoreBackend("postgresql", server.new_database())
    yield backend
    backend.close()
    with contextlib.suppress(Exception):
        server.drop_database(backend.location)

@pytest.fixture(scope="session")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo corpus through the whole pipeline, once per session: tests only read it."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    with newsweave.open(str(db)) as opened:
        opened.ingest([str(p) for p in corpus_files()])
        yield opened


@pytest.fixture(scope="session")
def demo_brief(demo_engine: Engine) -> Brief:
    """The brief of the demo's main story (the one the wire, file 01, belongs to)."""
    wire = next(a.id for a in demo_engine.articles()
                if a.source.endswith("01_meridian-press-agency.txt"))
    story = demo_engine.story_of(wire)
    assert story is not None
    return demo_engine.brief(story)
