"""Copy families (reuse/families.py, docs/benchmarks.md "Archive scale, part 25"): a new
copy of a family of N is aligned with, and stores pairs with, a bounded few of its members
(the origin, its best match, the earliest, the attributed ones), and the family keeps one
origin and its directions."""

from __future__ import annotations

import json
import random

import pytest

import newsweave
import newsweave.reuse as reuse
from conftest import load_bench, require_shared
from newsweave.batch import LocalExecutor
from newsweave.batch.archive import run_batch
from newsweave.model import Article, Attribution
from newsweave.reuse.families import FAMILY_BEST, bounded, confirmed_cuts
from newsweave.reuse.pairs import Indexed
from newsweave.settings import load_settings
from newsweave.store import open_store

BOUND = FAMILY_BEST + 2  # pairs a family gives a new member, unattributed


def _body(rng: random.Random) -> list[str]:
    vocabulary = [f"word{i}" for i in range(400)]
    return [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 14))).title() + "."
            for _ in range(10)]


def _copies(n: int) -> list[tuple[str, str, str]]:
    """(outlet, body, published) of a wire story and ``n`` copies, each a few minutes after
    the one before; every copy drops one sentence of the wire's (so no two are the same
    text, and each is a copy of the wire)."""
    rng = random.Random(5)
    wire = _body(rng)
    out = [("Wire Agency", " ".join(wire), "2026-02-01T08:00")]
    for k in range(n):
        kept = [s for i, s in enumerate(wire) if i != k % len(wire)]
        out.append((f"Outlet {k}", " ".join(kept), f"2026-02-01T{9 + k // 60:02d}:{k % 60:02d}"))
    return out


def _ingest(tmp_path, texts, name: str) -> tuple[object, list[int], list[int]]:
    """Each article in a batch of its own; the store, the ids in arrival order and the
    number of pairs each one's arrival stored."""
    store = open_store(str(tmp_path / f"{name}.db"))
    settings = load_settings(db=str(tmp_path / f"{name}.db"), reuse_embed=0)
    stage = reuse.ReuseStage()
    ids: list[int] = []
    brought: list[int] = []
    for n, (outlet, body, published) in enumerate(texts):
        [article_id] = store.add_articles(
            [Article(None, f"h{name}{n}", "", "text", body, f"<{name}{n}>", title=f"Title {n}",
                     outlet=outlet, language="en", published=published)], [{}])
        before = len(store.reuse.pairs(ids)) if ids else 0
        stage.run(store, [article_id], settings)
        ids.append(article_id)
        brought.append(len(store.reuse.pairs(ids)) - before)
    return store, ids, brought


@pytest.mark.parametrize("n", [12, 30])
def test_a_family_stores_a_bounded_number_of_pairs_per_new_copy(tmp_path, n):
    store, ids, brought = _ingest(tmp_path, _copies(n), f"f{n}")
    # every copy is found (at least one pair) and none brings more than the bound, however
    # large the family grows (a stage aligning all candidates stores k pairs for the k-th)
    assert all(1 <= b <= BOUND for b in brought[1:]), brought
    assert sum(brought) <= BOUND * n
    wire = ids[0]
    # one origin, the wire, for every copy
    assert store.reuse.origin_of(ids) == {i: [wire] for i in ids}
    published = store.reuse.published(ids)
    edges = store.reuse.edges()
    sources: dict[int, list[int]] = {}
    for derived, source in edges:
        sources.setdefault(derived, []).append(source)
    # each copy has one source, published before it (the direction is right), and the
    # wire none
    assert wire not in sources
    for copy in ids[1:]:
        assert len(sources[copy]) == 1, (copy, sources[copy])
        assert published[sources[copy][0]] < published[copy]
    # the wire itself is the chosen source of the copies that were aligned with it (all
    # are: it is the family's origin and its earliest member)
    assert all(sources[copy] == [wire] for copy in ids[1:])
    store.close()


def test_a_wire_arriving_after_its_copies_becomes_their_origin(tmp_path):
    texts = _copies(10)
    store, ids, brought = _ingest(tmp_path, texts[1:] + texts[:1], "late")
    wire = ids[-1]
    # published before the whole family: aligned with every copy, not cut
    assert brought[-1] == len(ids) - 1
    assert store.reuse.origin_of(ids) == {i: [wire] for i in ids}
    sources = dict(store.reuse.edges())
    assert all(sources[copy] == wire for copy in ids[:-1])
    store.close()


def _side(article_id: int, outlet: str, published: str | None,
          names: tuple[str, ...] = ()) -> Indexed:
    article = Article(article_id, f"h{article_id}", "", "text", "Body.", f"<{article_id}>",
                      outlet=outlet, published=published)
    return Indexed(article, [Attribution(article_id, name, "outlet", f"{name} reported.", 0,
                                         len(name)) for name in names])


def test_bounded_keeps_origin_best_earliest_and_attributed_members():
    members = [11, 12, 13, 14, 15, 16]  # strongest first
    origins = {m: [16] for m in members}  # 16, the origin, is the weakest candidate
    published = {m: f"2026-02-01T{m - 5:02d}:00" for m in members}
    published[14] = "2026-01-31T23:00"  # the earliest
    sides = {m: _side(m, f"Outlet {m}", published[m]) for m in members}
    new = _side(20, "Newcomer", "2026-02-02T10:00", names=("Outlet 13",))
    kept, cuts = bounded(new, members, origins, published, sides.get)
    assert kept == [11, 13, 14, 16]  # best, attributed, earliest, origin; in their order
    assert cuts == [((11, 13, 14, 16), (12, 15))]
    kept, _ = bounded(new, members, origins, published, sides.get, keep={12})
    assert kept == [11, 12, 13, 14, 16]
    # candidates of no family, or a family small enough, are never cut
    assert bounded(new, members, {}, published, sides.get) == (members, [])
    assert bounded(new, members[:BOUND], origins, published, sides.get) == (members[:BOUND],
                                                                            [])


def test_a_family_cut_stands_only_where_the_article_is_one_of_its_copies():
    cuts = [((11, 14), (12, 13)), ((21,), (22, 23))]
    # a copy of 14 (either way round) and of no member of the second family
    assert confirmed_cuts(20, cuts, {(20, 14)}) == [22, 23]
    assert confirmed_cuts(20, cuts, {(20, 14), (20, 21)}) == []
    # sharing quotations only with them all: every member aligned, as before the cut
    assert confirmed_cuts(20, cuts, set()) == [12, 13, 22, 23]
    assert confirmed_cuts(20, cuts, {(30, 14)}) == [12, 13, 22, 23]  # another article's


def test_bounded_cuts_nothing_from_an_article_that_may_be_the_family_source():
    members = [11, 12, 13, 14, 15]
    origins = {m: [11] for m in members}
    published = {m: f"2026-02-01T{m - 5:02d}:00" for m in members}
    sides = {m: _side(m, f"Outlet {m}", published[m]) for m in members}
    for when in (None, "2026-02-01T05:00", "2026-02-01"):  # undated, earlier, same day
        assert bounded(_side(20, "Newcomer", when), members, origins, published,
                       sides.get) == (members, [])
    # a day later for sure: the origin, also the best and the earliest, is all it meets
    assert bounded(_side(20, "Newcomer", "2026-02-02"), members, origins, published,
                   sides.get)[0] == [11]


def _stored(db: str) -> tuple[list, list, list]:
    with newsweave.open(db, readonly=True) as engine:
        pairs = sorted((p.derived, p.source, p.kind, round(p.confidence, 9))
                       for p in engine.store.reuse.pairs())
        return pairs, sorted(engine.store.reuse.edges()), engine.store.reuse.origins()


def test_the_batch_engine_cuts_families_as_the_stage_does(tmp_path, monkeypatch):
    # `newsweave batch` replays the stage's candidate choice: it must cut the same members
    monkeypatch.setenv("NEWSWEAVE_REUSE_EMBED", "0")
    monkeypatch.setenv("NEWSWEAVE_BATCH_SIZE", "3")
    path = tmp_path / "family.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n, (outlet, body, published) in enumerate(_copies(14)):
            out.write(json.dumps({"id": f"c{n}", "title": f"Title {n}", "text": body,
                                  "outlet": outlet, "published": published}) + "\n")
    with newsweave.open(str(tmp_path / "ingest.db")) as engine:
        engine.ingest([str(path)], stages=["reuse"])
    with newsweave.open(str(tmp_path / "batch.db")) as engine:
        run_batch(engine, [str(path)], LocalExecutor(), stages=["reuse"])
    ingested, batched = _stored(str(tmp_path / "ingest.db")), _stored(str(tmp_path / "batch.db"))
    assert batched == ingested
    pairs, _, origins = ingested
    assert len(pairs) < 14 * 13 // 2 // 2  # far fewer than every copy with every other
    assert origins == [list(range(1, 16))]


def test_the_corpus_with_fewer_events_comes_round_sooner(tmp_path):
    # bench/corpus.py --events: the dense archive of part 25 (families of many versions)
    require_shared("benchmarks/ntrex/docs.jsonl")
    corpus = load_bench("corpus")
    manifest = corpus.generate(400, tmp_path / "dense", seed=7, shard_size=200, events=20)
    passes = {k["pass"] for k in corpus.read_key(tmp_path / "dense")}
    assert manifest["events"] == 20 and len(passes) >= 3
    corpus.generate(400, tmp_path / "all", seed=7, shard_size=200)
    assert {k["pass"] for k in corpus.read_key(tmp_path / "all")} == {0}
