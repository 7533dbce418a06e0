"""Shared fixtures. Data in ../shared is optional on a user's clone but required in CI."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

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
