"""The reuse stage past 800,000 articles (docs/benchmarks.md, "Archive scale, part 29"):
the graph update writes only the sources and origins that changed, leaving the same tables
as rewriting every one of a component; the families' attribution check reads a candidate's
outlet and attributions only, and decides as with the whole article loaded."""

from __future__ import annotations

import newsweave.reuse as reuse
from newsweave.model import Article, Attribution
from newsweave.reuse.origins import DERIVING, by_derived, choose_sources, component, origins_of
from newsweave.reuse.origins import parents_map as make_parents
from newsweave.reuse.pairs import Indexed, _load, named_sides
from newsweave.reuse.relation import names_either
from newsweave.settings import load_settings
from newsweave.store import open_store
from test_reuse_families import _copies

UPDATE_GRAPH = reuse.update_graph


def _rewrite_all(store, touched) -> None:
    """``update_graph`` as it was before part 29: every affected article's sources and
    every origin of their components written again, changed or not."""
    pairs = store.reuse.pairs(touched, kinds=DERIVING, evidence=False)
    affected = set(touched)
    for edge in pairs:
        affected.update((edge.derived, edge.source))
    pairs = store.reuse.pairs(affected, kinds=DERIVING, evidence=False)
    indexed = by_derived(pairs)
    related = {(min(e.derived, e.source), max(e.derived, e.source)) for e in pairs}
    ids = {i for e in pairs for i in (e.derived, e.source)}
    published = store.reuse.published(ids | affected)
    parents = make_parents(store.reuse.edges(connected_to=affected | ids))
    for derived in sorted(affected, key=lambda i: (published.get(i) or "", i)):
        parents.pop(derived, None)
        sources = choose_sources(derived, pairs, related, published, parents, indexed=indexed)
        if sources:
            parents[derived] = sources
        store.reuse.set_edges(derived, sources)
    edges = [(d, s) for d, sources in parents.items() for s in sources]
    store.reuse.set_origins(origins_of(component(affected, edges), parents))


def _arrive(tmp_path, name, texts, monkeypatch, old: bool):
    """Each text in a batch of its own through the reuse stage; the store and, per
    arrival, the origin rows and source sets the graph update wrote."""
    monkeypatch.setattr(reuse, "update_graph", _rewrite_all if old else UPDATE_GRAPH)
    path = str(tmp_path / f"{name}.db")
    store = open_store(path)
    settings = load_settings(db=path, reuse_embed=0)
    stage = reuse.ReuseStage()
    written: list[tuple[int, int]] = []
    set_origins, set_edges = store.reuse.set_origins, store.reuse.set_edges
    counts = {"origins": 0, "edges": 0}

    def count_origins(found):
        counts["origins"] += len(found)
        set_origins(found)

    def count_edges(derived, sources):
        counts["edges"] += 1
        set_edges(derived, sources)

    store.reuse.set_origins = count_origins
    store.reuse.set_edges = count_edges
    for n, (outlet, body, published) in enumerate(texts):
        [article_id] = store.add_articles(
            [Article(None, f"h{name}{n}", "", "text", body, f"<{name}{n}>", title=f"T {n}",
                     outlet=outlet, language="en", published=published)], [{}])
        counts.update(origins=0, edges=0)
        stage.run(store, [article_id], settings)
        written.append((counts["origins"], counts["edges"]))
    return store, written


def _tables(store) -> tuple[list, list]:
    db = store.reuse._db
    return (db.execute("SELECT derived, source FROM reuse_edges ORDER BY 1, 2").fetchall(),
            db.execute("SELECT article_id, origin_id FROM article_origin ORDER BY 1, 2"
                       ).fetchall())


def test_the_graph_writes_only_what_changed_and_leaves_the_same_tables(tmp_path, monkeypatch):
    texts = _copies(12)
    # the copies first, then the wire, which arrives last and becomes every copy's source
    # and origin (every source and origin changes), then two more copies
    order = texts[1:11] + texts[:1] + texts[11:]
    old_store, old_written = _arrive(tmp_path, "old", order, monkeypatch, old=True)
    new_store, new_written = _arrive(tmp_path, "new", order, monkeypatch, old=False)
    assert _tables(new_store) == _tables(old_store)
    assert _tables(new_store)[1], "no origins stored"
    wire = 10  # the wire's arrival re-chose the copies' sources: all written again
    assert new_written[wire][0] == old_written[wire][0] >= 10
    # a copy arriving into the family of 11 changes only its own origin and sources; the
    # full rewrite wrote the whole component's
    for n in (11, 12):
        assert new_written[n] == (1, 1), (new_written, old_written)
        assert old_written[n][0] >= 11 and old_written[n][1] >= 2, old_written
    old_store.close()
    new_store.close()


def test_changed_origins_keeps_what_differs_from_the_stored(tmp_path):
    store = open_store(str(tmp_path / "o.db"))
    ids = store.add_articles(
        [Article(None, f"h{i}", "", "text", f"Body {i}.", f"<{i}>") for i in range(4)],
        [{}] * 4)
    a, b, c, d = ids
    store.reuse.set_origins({a: [a], b: [a], c: [a, b]})
    found = reuse.changed_origins(store, {a: [a], b: [b], c: [b, a], d: [d]})
    # b moved, c's are the same set in another order (stored sorted), d has none stored
    assert found == {b: [b], d: [d]}
    store.close()


def test_named_sides_decide_attribution_as_the_whole_articles(tmp_path):
    store = open_store(str(tmp_path / "n.db"))
    outlets = ["Wire Agency", "Daily Post", None, "Evening Star", "Daily Post"]
    ids = store.add_articles(
        [Article(None, f"h{i}", "", "text", f"Body {i}.", f"<{i}>", outlet=o)
         for i, o in enumerate(outlets)], [{}] * len(outlets))
    names = {ids[0]: [("Daily Post", "outlet")], ids[2]: [("Wire Agency", "dateline")],
             ids[3]: [("Wire Agency", "outlet"), ("Evening Star", "byline")], ids[4]: []}
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO attributions (article_id, seq, name, kind, sentence, char_start, "
            "char_end) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(i, seq, name, kind, f"{name} said.", 0, len(name))
             for i, found in names.items() for seq, (name, kind) in enumerate(found)])
    missing = max(ids) + 100
    cached = {ids[4]: _load(store, ids[4], {})}
    sides = named_sides(store, [*ids, missing], cached)
    assert sides[missing] is None
    assert sides[ids[4]] is cached[ids[4]]
    full = {i: _load(store, i, {}) for i in ids}
    for i in ids:
        assert sides[i].article.outlet == full[i].article.outlet
        assert list(sides[i].attributions) == list(full[i].attributions)
    newcomers = [Indexed(Article(900, "x", "", "text", "B.", "<x>", outlet=o),
                         [Attribution(900, n, "outlet", f"{n} said.", 0, len(n)) for n in said])
                 for o, said in (("Daily Post", ["Wire Agency"]), ("Wire Agency", []),
                                 (None, ["Evening Star"]), ("Other", []))]
    decided = [(names_either(new, sides[i]), names_either(new, full[i]))
               for new in newcomers for i in ids]
    assert all(x == y for x, y in decided)
    assert any(x for x, _ in decided) and not all(x for x, _ in decided)
    assert store.reuse.outlets([*ids, missing]) == dict(zip(ids, outlets, strict=True))
    store.close()


def test_publication_times_and_outlets_read_from_the_listing_index(store_backend):
    store = store_backend.open()
    outlets = ["Wire Agency", None, "Daily Post"] * 400
    ids = store.add_articles(
        [Article(None, f"h{i}", "raw " * 300, "text", f"Body {i}. " * 200, f"<{i}>",
                 outlet=o, published=None if i % 7 == 0 else f"2026-01-{1 + i % 28:02d}")
         for i, o in enumerate(outlets)], [{}] * len(outlets))
    wanted = [*ids[::3], max(ids) + 5]  # across the 500-id IN lists, and one not stored
    rows = {int(i): (o, p) for i, o, p in store.reuse._db.execute(
        "SELECT id, outlet, published FROM articles").fetchall()}
    assert store.reuse.outlets(wanted) == {i: rows[i][0] for i in wanted if i in rows}
    assert store.reuse.published(wanted) == {i: rows[i][1] for i in wanted if i in rows}
    if store_backend.name == "sqlite":
        # by the covering index, not each article's row (its raw input and text first)
        plans = []
        store.reuse._db.set_trace_callback(plans.append)
        store.reuse.published(ids[:3])
        store.reuse._db.set_trace_callback(None)
        [sql] = [p for p in plans if "published" in p]
        plan = store.reuse._db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
        assert any("COVERING INDEX articles_listing" in str(tuple(r)) for r in plan), plan


def test_the_replay_relates_the_newest_article_as_the_stage_did(tmp_path, monkeypatch):
    """``bench/reuse_replay.py`` on a store the stage filled: the newest article's pairs
    related again as stored, and its graph writes those of a new article (its own
    origin and sources), the store left as it was."""
    from pathlib import Path

    from conftest import REPO, load_bench

    monkeypatch.syspath_prepend(str(REPO / "bench"))  # it imports reuse_growth
    replay = load_bench("reuse_replay")
    store, _ = _arrive(tmp_path, "r", _copies(12), monkeypatch, old=False)
    newest = max(i for (i,) in store.reuse._db.execute("SELECT id FROM articles"))
    stored = sorted((e.derived, e.source, e.kind) for e in store.reuse.pairs([newest]))
    before = _tables(store)
    store.close()
    figures = replay.replay(Path(tmp_path / "r.db"), None, 1, False, tmp_path)
    assert figures["upto"] == newest and figures["articles"] == 1
    assert figures["written"]["pairs"] == len(stored) >= 1
    assert figures["written"]["origin_articles"] == 1
    assert figures["written"]["edge_sets"] == 1
    assert not (tmp_path / "graph-scratch.db").exists()
    again = open_store(str(tmp_path / "r.db"), readonly=True)
    assert _tables(again) == before
    again.close()
