"""Incremental resolution: batch by batch gives what one pass gives, and ids stay put."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import newsweave
from conftest import REPO
from newsweave.engine import Engine

DEMO = REPO / "src" / "newsweave" / "demo" / "corpus"


def _partition(engine: Engine) -> set[tuple[str, frozenset[tuple[int, int]]]]:
    return {(e.name, frozenset(e.articles.items())) for e in engine.entities()}


def _quote_partition(engine: Engine) -> set[frozenset[tuple[int, int]]]:
    return {frozenset((v.article, v.start) for v in q.variants) for q in engine.quotes()}


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Engine]]:
    folder = tmp_path_factory.mktemp("resolve")
    with newsweave.open(str(folder / "small.db"), batch_size=3) as small, \
            newsweave.open(str(folder / "whole.db"), batch_size=100) as whole:
        small.ingest([str(DEMO)])
        whole.ingest([str(DEMO)])
        yield small, whole


def test_batches_resolve_to_the_same_entities_and_quote_groups_as_one_pass(engines):
    small, whole = engines
    assert len(small.articles()) == len(whole.articles()) >= 12
    assert _partition(small) == _partition(whole)
    assert _quote_partition(small) == _quote_partition(whole)
    petrin = [e for e in small.entities() if e.name == "Aleksandr Petrin"]
    assert len(petrin) == 1 and len(petrin[0].articles) >= 5


def test_ids_survive_a_full_and_a_partial_re_resolution(engines):
    small, _ = engines
    entities = {e.id: (e.name, e.articles) for e in small.entities()}
    quotes = {q.id: q.text for q in small.quotes()}
    assert len(entities) == len(set(entities)) > 20
    small.reresolve()
    assert {e.id: (e.name, e.articles) for e in small.entities()} == entities
    assert {q.id: q.text for q in small.quotes()} == quotes
    small.reresolve([1, 2, 3])
    assert {e.id: (e.name, e.articles) for e in small.entities()} == entities
    assert {q.id: q.text for q in small.quotes()} == quotes


def test_a_new_article_joins_existing_entities_without_renumbering(engines, tmp_path: Path):
    small, _ = engines
    before = {e.id: e.name for e in small.entities()}
    petrin = next(e for e in small.entities() if e.name == "Aleksandr Petrin")
    small.ingest_text("Petrin visits the dam\n\nEnergy Minister Aleksandr Petrin toured the "
                      "breached dam on Friday and met the engineers of Ostrava Hydro.")
    after = {e.id: e.name for e in small.entities()}
    assert all(after.get(i) == name for i, name in before.items())
    grown = next(e for e in small.entities() if e.id == petrin.id)
    assert len(grown.articles) == len(petrin.articles) + 1
    assert max(after) > max(before)  # a new entity gets a new id, never a reused one
