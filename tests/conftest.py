"""Shared fixtures. Data in ../shared is optional on a user's clone but required in CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import newsweave
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
