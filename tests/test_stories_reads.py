"""The stories stage's reads cut exactly (docs/benchmarks.md, "Archive scale, part 27"): a
repair reads only the copy links within the articles it re-clusters, as plain rows, and
gets the links it got before."""

from __future__ import annotations

import random

from conftest import StoreBackend
from newsweave.model import Article, Edge

KINDS = ("copy", "rewrite", "translation", "shared-quotes", "same-event", "independent")


def _pairs_store(backend: StoreBackend, articles: int, pairs: int, seed: int):
    """A store of ``articles`` articles and ``pairs`` random pairs of every kind (shared
    fractions around the shared quotes' floor)."""
    rng = random.Random(seed)
    store = backend.open()
    ids = store.add_articles(
        [Article(None, f"h{n}", "", "text", f"Text {n}.", f"<{n}>", title=f"T{n}",
                 outlet=f"O{n % 7}") for n in range(articles)], [{}] * articles)
    seen: set[tuple[int, int]] = set()
    edges = []
    while len(edges) < pairs:
        a, b = rng.sample(ids, 2)
        if (min(a, b), max(a, b)) in seen:
            continue
        seen.add((min(a, b), max(a, b)))
        edges.append(Edge(a, b, rng.choice(KINDS), rng.random(),
                          rng.choice([0.0, 0.03, 0.05, 0.2, 0.9]), None))
    with store.transaction():
        store.reuse.save_pairs(edges)
    return store, ids, rng


def _within(store, article_ids, kinds):
    """The plain way: every pair touching the articles, then those within them."""
    wanted = set(article_ids)
    return [(e.derived, e.source, e.kind, e.shared_fraction)
            for e in store.reuse.pairs(article_ids, kinds=kinds, evidence=False)
            if e.derived in wanted and e.source in wanted]


def test_links_among_equal_the_pairs_within_the_articles(store_backend: StoreBackend):
    # Sets larger than one IN list (500 ids) too: a pair is read through its smaller id.
    store, ids, rng = _pairs_store(store_backend, 1300, 6000, seed=1)
    kinds = ("copy", "rewrite", "translation", "shared-quotes", "same-event")
    for size in (0, 1, 2, 40, 120, 499, 500, 501, 1100, 1300):
        chosen = rng.sample(ids, size)
        found = store.reuse.links_among(chosen, kinds)
        assert found == _within(store, chosen, kinds)
        assert size < 120 or found  # (not empty by luck)
    assert store.reuse.links_among(ids, ("independent",)) == _within(store, ids,
                                                                     ("independent",))
    assert store.reuse.links_among(ids, ()) == []
    assert store.reuse.links_among([10**9], kinds) == []


def test_a_repairs_links_are_the_copy_pairs_within_it(store_backend: StoreBackend):
    import newsweave.stories as stories

    store, ids, rng = _pairs_store(store_backend, 700, 4000, seed=2)
    for size in (2, 50, 300, 650):
        chosen = sorted(rng.sample(ids, size))
        wanted = set(chosen)
        before = {k: w for k, w in stories._copy_pairs(store, chosen).items()
                  if k[0] in wanted and k[1] in wanted}
        after = stories._links_among(store, chosen)
        # The same links with the same weights, in the same order (the shared quotes
        # below the floor left out, as before).
        assert list(after.items()) == list(before.items())
        assert size < 300 or any(w == stories.LINK_WEIGHTS["shared-quotes"]
                                 for w in after.values())
    assert stories._links_among(store, []) == {}


def test_the_stage_partitions_as_with_every_touching_pair(tmp_path, monkeypatch):
    # The stage with its repair reading every pair touching a neighbourhood (the old
    # read) and reading those within it: the same stories, article by article.
    import newsweave
    import newsweave.stories as stories
    from newsweave.demo import corpus_files

    def partition(name: str) -> list[tuple[int, int]]:
        engine = newsweave.open(str(tmp_path / f"{name}.db"), story_repair_articles=400)
        try:
            engine.ingest([str(p) for p in corpus_files()], stages=["reuse", "stories"])
            return sorted((int(a), int(s)) for a, s in engine.store._db.execute(
                "SELECT article_id, story_id FROM story_members"))
        finally:
            engine.close()

    calls: list[int] = []
    real = stories._links_among

    def counted(store, article_ids):
        calls.append(len(article_ids))
        return real(store, article_ids)

    monkeypatch.setattr(stories, "_links_among", counted)
    now = partition("now")
    assert calls  # the repair read its links this way
    monkeypatch.setattr(stories, "_links_among", stories._copy_pairs)
    assert partition("before") == now


def test_stories_slice_copies_a_store_whose_stories_wait(tmp_path, monkeypatch):
    # bench/stories_slice.py: a store with its stories pending, sliced (only read), and the
    # stage run twice on the slice leaves the same stories tables.
    import sqlite3

    import newsweave
    from conftest import REPO, load_bench
    from newsweave.demo import corpus_files

    live = tmp_path / "live.db"
    engine = newsweave.open(str(live))
    try:
        engine.ingest([str(p) for p in corpus_files()], stages=["reuse"])
        articles = len(engine.articles())
    finally:
        engine.close()
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    bench = load_bench("stories_slice")
    stages = load_bench("shard_stages")
    figures = bench.slice_store(live, tmp_path / "slice.db", least=1, wait=0)
    assert figures["pending"] == articles and figures["members"] == 0
    assert figures["pairs"] > 0
    for name in ("a", "b"):
        done = stages.run_stories(tmp_path / "slice.db", keep=tmp_path / f"{name}.db")
        assert done["articles"] == articles
    with sqlite3.connect(tmp_path / "a.db") as db:
        assert db.execute("SELECT count(*) FROM story_members").fetchone()[0] == articles
    assert bench.digest(tmp_path / "a.db") == bench.digest(tmp_path / "b.db")
    assert bench.digest(tmp_path / "a.db") != bench.digest(tmp_path / "slice.db")
