"""The stages' watermarks (``stage_marks``, issue 16 item 4): a claim looks for pending work
above its stage's mark only, and hands out exactly what the scan of every stored article
handed out before, on both backends, whatever happens between claims (claims by two
owners, errors given up on and retried, re-cleaned bodies, another version of a stage),
with processes claiming at once, and in a store migrated from the schema before the marks.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

from conftest import REPO
from newsweave.store import open_store
from newsweave.store.progress import StageProgress
from test_store_backends import _env, make_article


def long_way(store, stage: str, version: int, limit: int, after=()) -> list[int]:
    """What a claim hands out, found by visiting every stored article (no mark)."""
    sql, params = StageProgress._pending_sql(stage, version, after)
    return [int(r[0]) for r in store._db.execute(
        f"SELECT a.id {sql} ORDER BY a.id LIMIT ?", (*params, limit))]


def marks(store) -> dict[tuple[str, int], int]:
    return {(r[0], int(r[1])): int(r[2]) for r in store._db.execute(
        "SELECT stage, version, mark FROM stage_marks")}


def settled_below(store, stage: str, version: int, mark: int) -> bool:
    """Every article at or below ``mark`` is done at ``version``, given up, or listed as
    reopened."""
    sql, params = StageProgress._pending_sql(stage, version, ())
    unsettled = sql.split(" AND NOT EXISTS (SELECT 1 FROM stage_claims")[0]
    return store._db.execute(
        f"SELECT count(*) {unsettled} AND a.id <= ? AND NOT EXISTS (SELECT 1 FROM "
        f"stage_reopened b WHERE b.stage = ? AND b.version = ? AND b.article_id = a.id)",
        (*params[:5], mark, stage, version)).fetchone()[0] == 0


def test_claims_equal_the_scan_of_every_article_through_random_work(store_backend):
    first, second = store_backend.open(), store_backend.open()
    second.progress.owner = "elsewhere-test:1:1"  # another process (an unknown machine)
    rng = random.Random(16)
    added = 0
    held: dict[int, list[tuple[str, int, int]]] = {0: [], 1: []}  # per owner: claims
    for step in range(160):
        who = rng.randrange(2)
        store = (first, second)[who]
        op = rng.random()
        if op < 0.15 or added < 5:
            count = rng.randint(1, 6)
            store.add_articles([make_article(added + i) for i in range(count)], [{}] * count)
            added += count
        elif op < 0.45:
            stage, version, after = rng.choice([
                ("reuse", 1, ()), ("stories", 1, (("reuse", 1),)), ("reuse", 2, ())])
            limit = rng.randint(1, 5)
            expected = long_way(store, stage, version, limit, after)
            assert store.count_pending(stage, version, after) == len(
                long_way(store, stage, version, 10**6, after)), step
            got = store.claim(stage, version, limit, after)
            assert got == expected, (step, stage, version)
            held[who] += [(stage, version, i) for i in got]
        elif op < 0.75 and held[who]:
            picked = rng.sample(held[who], rng.randint(1, len(held[who])))
            for stage, version, i in picked:
                store.mark_done(stage, [i], version)
                held[who].remove((stage, version, i))
        elif op < 0.81 and held[who]:
            stage, version, i = rng.choice(held[who])
            store.record_errors(stage, version, {i: "ValueError: bad"})
        elif op < 0.87:
            store.release_claims()
            held[who] = []
        elif op < 0.94:
            i = rng.randint(1, added)
            store.replace_clean_text([(i, f"Body {i}, cleaned again at step {step}.", [], {})])
        elif op < 0.97:
            store.retry_errors()
        else:
            store.mark_done("reuse", [rng.randint(1, added)], rng.choice([1, 2]))
        for (stage, version), mark in marks(first).items():
            assert settled_below(first, stage, version, mark), (step, stage, version, mark)
    # Everything done: the marks end at the highest id, and nothing is left to claim.
    for store in (first, second):
        store.release_claims()
    for stage, version, after in (("reuse", 1, ()), ("stories", 1, (("reuse", 1),))):
        while ids := first.claim(stage, version, 50, after):
            first.mark_done(stage, ids, version)
        given_up = long_way(first, stage, version, 10**6, after)
        assert given_up == [] and first.count_pending(stage, version, after) == 0
        first.claim(stage, version, 50, after)
        assert marks(first)[(stage, version)] == added


def test_each_way_back_to_pending_lowers_the_mark(store_backend):
    store = store_backend.open()
    store.add_articles([make_article(n) for n in range(5)], [{}] * 5)
    for _ in range(3):  # article 1 fails three runs: given up, settled
        assert store.claim("reuse", 1, 10)[0] == 1
        store.record_errors("reuse", 1, {1: "ValueError: bad"})
        store.release_claims()
    store.mark_done("reuse", [2, 3, 4, 5], 1)
    assert store.claim("reuse", 1, 10) == [] and marks(store)[("reuse", 1)] == 5
    store.replace_clean_text([(3, "Body 3, cleaned again.", [], {})])  # a new body
    assert marks(store)[("reuse", 1)] == 5  # listed, the mark stays
    assert store.count_pending("reuse", 1) == 1
    assert store.claim("reuse", 1, 10) == [3]
    store.mark_done("reuse", [3], 1)
    store.claim("reuse", 1, 10)  # forgets the listed article, now done
    assert store._db.execute("SELECT count(*) FROM stage_reopened").fetchone()[0] == 0
    store.retry_errors()  # the given-up article is pending again
    assert store.claim("reuse", 1, 10) == [1]
    store.mark_done("reuse", [1], 1)
    assert store.claim("reuse", 1, 10) == [] and marks(store)[("reuse", 1)] == 5
    store.mark_done("reuse", [4], 2)  # another version replaces article 4's row
    assert store.claim("reuse", 1, 10) == [4]
    store.mark_done("reuse", [4], 1)
    assert store.claim("reuse", 1, 10) == []
    with store.transaction() as db:  # the highest article goes; SQLite gives its id again
        db.execute("DELETE FROM articles WHERE id = 5")
    new = store.add_articles([make_article(9)], [{}])
    assert store.claim("reuse", 1, 10) == new


def test_a_claim_costs_the_same_in_a_store_ten_times_larger(tmp_path):
    # SQLite only: it counts SQLite's virtual-machine steps (the plan PostgreSQL keeps to
    # is checked by bench/claim_scan.py --postgres)
    store = open_store(str(tmp_path / "store.db"))
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    def claim_new(total: int) -> int:
        """Fill the store to ``total`` articles, all done; the steps of claiming 5 new."""
        have = store.count_articles()
        store.add_articles([make_article(n) for n in range(have, total)], [{}] * (total - have))
        while ids := store.claim("reuse", 1, 500):
            store.mark_done("reuse", ids, 1)
        store.add_articles([make_article(n) for n in range(total, total + 5)], [{}] * 5)
        # and an old article re-cleaned, as an archive's shards do: pending again
        store.replace_clean_text([(2, f"Body 2, cleaned again at {total}.", [], {})])
        steps[0] = 0
        store._db.set_progress_handler(count, 10)
        ids = store.claim("reuse", 1, 10)
        store._db.set_progress_handler(None, 10)
        assert ids == [2, *range(total + 1, total + 6)]
        store.mark_done("reuse", ids, 1)
        return steps[0]

    small, large = claim_new(300), claim_new(3000)
    assert large < 1.5 * small, (small, large)  # the scan of every article: about 10x
    # (a mark lowered below the re-cleaned article, not listing it, costs the same scan)


def test_the_migration_fills_the_marks_of_a_store_made_before_them(store_backend,
                                                                   monkeypatch):
    import newsweave.store.postgres as postgres
    import newsweave.store.sqlite as sqlite
    from newsweave.store.migrations import MIGRATIONS

    marks_made = next(n for n, m in enumerate(MIGRATIONS) if "CREATE TABLE stage_marks" in m)
    with monkeypatch.context() as patch:  # a store as the tree before the marks made it
        for module in (sqlite, postgres):
            patch.setattr(module, "MIGRATIONS", MIGRATIONS[:marks_made])
        patch.setattr(StageProgress, "reopen", staticmethod(lambda db, ids: None))
        old = store_backend.open()
        old.add_articles([make_article(n) for n in range(6)], [{}] * 6)
        with old.transaction() as db:
            db.executemany("INSERT INTO stage_runs (stage, article_id, version) "
                           "VALUES (?, ?, ?)",
                           [("reuse", i, 1) for i in (1, 2, 3, 5)]
                           + [("stories", i, 1) for i in range(1, 7)] + [("extract", 2, 2)])
        assert old.schema_version == marks_made
        old.close()
    store = store_backend.open()
    assert marks(store) == {("clean", 1): 6, ("reuse", 1): 3, ("stories", 1): 6,
                            ("extract", 2): 0}
    assert store.claim("reuse", 1, 10) == [4, 6]
    assert store.claim("extract", 2, 10) == [1, 3, 4, 5, 6]
    assert store.claim("stories", 1, 10) == []


_CLAIMER = """
import json, sys, time
from newsweave.store import open_store
store = open_store(sys.argv[1])
done = []
while True:
    ids = store.claim("reuse", 1, 3)
    if not ids:
        break
    time.sleep(0.01)
    store.mark_done("reuse", ids, 1)
    done += ids
store.close()
print(json.dumps(done))
"""

_INSERTER = """
import sys
sys.path.insert(0, sys.argv[2])
from test_store_backends import make_article
from newsweave.store import open_store
store = open_store(sys.argv[1])
for start in range(60, 100, 4):
    store.add_articles([make_article(n) for n in range(start, start + 4)], [{}] * 4)
store.close()
"""


def test_processes_claiming_at_once_take_each_article_once(store_backend):
    store = store_backend.open()
    store.add_articles([make_article(n) for n in range(60)], [{}] * 60)
    procs = [subprocess.Popen([sys.executable, "-c", _CLAIMER, store_backend.location],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=_env()) for _ in range(3)]
    procs.append(subprocess.Popen([sys.executable, "-c", _INSERTER, store_backend.location,
                                   str(REPO / "tests")], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=_env()))
    done: list[int] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        if out.strip():
            done += json.loads(out)
    assert len(done) == len(set(done)) and set(done) <= set(range(1, 101))
    # What the claimers left (articles inserted after they stopped) is what a scan finds.
    expected = long_way(store, "reuse", 1, 1000)
    assert sorted(set(range(1, 101)) - set(done)) == expected
    assert store.claim("reuse", 1, 1000) == expected
    store.mark_done("reuse", expected, 1)
    assert store.claim("reuse", 1, 1000) == []
    assert marks(store)[("reuse", 1)] == 100
    logged = [int(r[0]) for r in store._db.execute(
        "SELECT article_id FROM stage_log WHERE stage = 'reuse'")]
    assert sorted(logged) == list(range(1, 101))
