"""Document frequencies with pending changes (``story_df_pending``, folded into ``story_df``):
every connection reads exact counts through folds, rollbacks and other processes' writes,
and a process killed at any moment neither loses nor double-counts a batch."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

import newsweave.store.story_frequencies as stories_store
from newsweave.engine import content_hash
from newsweave.model import Article
from newsweave.store import open_store
from newsweave.store.stories import FeatureRow
from newsweave.stories.frequencies import save_features
from newsweave.stories.vectors import pack, unpack

KEYS = range(1000, 1120)  # few keys, so batches share them and some fall back to zero


def _recount(store) -> tuple[Counter, int]:
    """The frequencies as they must be: articles holding each key, from the feature rows."""
    counts: Counter = Counter()
    rows = store._db.execute("SELECT terms, names, dates FROM story_features").fetchall()
    for row in rows:
        counts.update({k for blob in row for k in unpack(blob)})
    return counts, len(rows)


def _assert_exact(store) -> None:
    counts, documents = _recount(store)
    tables = store.stories
    assert tables.document_count() == documents
    assert tables.document_frequencies(KEYS) == {k: counts.get(k, 0) for k in KEYS}


def _row(article_id: int, keys: list[int]) -> FeatureRow:
    return FeatureRow(article_id, pack(dict.fromkeys(keys, 1.0)), b"", b"", {}, None, "")


def _save_batch(store, rng: random.Random, article_ids: list[int]) -> None:
    keys = {a: rng.sample(KEYS, rng.randint(1, 12)) for a in article_ids}
    with store.transaction():
        save_features(store.stories, [_row(a, keys[a]) for a in article_ids], keys)


def _new_articles(store, start: int, count: int) -> list[int]:
    texts = [f"article {n}" for n in range(start, start + count)]
    return store.add_articles(
        [Article(id=None, content_hash=content_hash(t), raw=t, raw_format="text", text=t,
                 source=t) for t in texts], [{}] * count)


@pytest.mark.parametrize("cached", [(stories_store.DF_CACHE_KEYS, stories_store.DF_RECENT_KEYS),
                                    (16, 4)])  # the default cache, and one always evicting
def test_pending_changes_fold_and_stay_exact_across_connections(store_backend, monkeypatch,
                                                                cached):
    monkeypatch.setattr(stories_store, "FOLD_KEYS", 40)
    monkeypatch.setattr(stories_store, "DF_CACHE_KEYS", cached[0])
    monkeypatch.setattr(stories_store, "DF_RECENT_KEYS", cached[1])
    one, two = store_backend.open(), store_backend.open()
    rng = random.Random(3)
    folds = 0
    try:
        ids = _new_articles(one, 0, 60)
        for step in range(40):
            writer = (one, two)[step % 3 == 0]
            pending_before = writer._db.execute(
                "SELECT count(*) FROM story_df_pending").fetchone()[0]
            batch = rng.sample(ids, 3)  # new articles, and ones saved again with new keys
            if step % 7 == 3:  # a failed batch leaves nothing behind
                with pytest.raises(RuntimeError), writer.transaction():
                    _save_batch(writer, rng, batch)
                    _assert_exact(writer)  # inside: the batch's own changes count
                    raise RuntimeError("the batch fails")
            else:
                _save_batch(writer, rng, batch)
            pending_after = writer._db.execute(
                "SELECT count(*) FROM story_df_pending").fetchone()[0]
            folds += pending_after <= pending_before
            for store in (one, two):  # the writer's cache, and a cache another moved under
                _assert_exact(store)
        assert folds >= 3, "the pending changes were never folded: lower FOLD_KEYS"
        assert one._db.execute("SELECT count(*) FROM story_df WHERE key >= 0").fetchone()[0]
    finally:
        store_backend.close()


def test_a_store_before_pending_changes_reads_and_writes_the_same(tmp_path, monkeypatch):
    # A store whose counters all sit in story_df (written before story_df_pending existed,
    # or just folded) and nothing pending: reads are the stored values, writes add to them.
    monkeypatch.setattr(stories_store, "FOLD_KEYS", 1)  # every batch folds at once
    store = open_store(str(tmp_path / "old.db"))
    rng = random.Random(5)
    try:
        ids = _new_articles(store, 0, 20)
        for start in range(0, 20, 4):
            _save_batch(store, rng, ids[start:start + 4])
            assert store._db.execute("SELECT count(*) FROM story_df_pending").fetchone()[0] == 0
            _assert_exact(store)
    finally:
        store.close()


CHILD = textwrap.dedent("""
    import random, sys
    import newsweave.store.story_frequencies as stories_store
    sys.path.insert(0, {tests!r})
    import test_stories_frequencies as t
    stories_store.FOLD_KEYS = 30
    store = t.open_store({path!r})
    rng = random.Random(int(sys.argv[1]))
    start = int(sys.argv[2])
    for n in range(start, start + 100000, 5):
        with store.transaction():  # articles and their features, one batch
            ids = t._new_articles(store, n, 5)
            t._save_batch(store, rng, ids + rng.sample(range(1, n + 1), min(n, 2)))
        print(n + 5, flush=True)
""")


def test_sigkill_at_any_moment_neither_loses_nor_double_counts(tmp_path):
    path = str(tmp_path / "killed.db")
    open_store(path).close()
    script = CHILD.format(tests=str(Path(__file__).parent), path=path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    stored = 0
    for round_, delay in enumerate((0.3, 0.45, 0.6, 0.8, 1.0)):
        child = subprocess.Popen([sys.executable, "-c", script, str(round_), str(stored)],
                                 env=env, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        deadline = time.monotonic() + 60
        first = child.stdout.readline()  # started writing batches
        assert first, "the child wrote nothing"
        time.sleep(delay + random.random() * 0.05)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert time.monotonic() < deadline
        store = open_store(path)
        try:
            _assert_exact(store)
            stored = store._db.execute("SELECT count(*) FROM articles").fetchone()[0]
            folded = store._db.execute(
                "SELECT count(*) FROM story_df WHERE key >= 0").fetchone()[0]
        finally:
            store.close()
    assert stored > 50 and folded > 0, "too little written to test: raise the delays"


def test_a_fold_by_another_process_during_a_read_is_not_counted_twice(tmp_path, monkeypatch):
    # A reader outside a transaction reads the token (with the pending changes), then the
    # stored values; a fold committed between the two moved the pending changes into the
    # stored values. Unchecked, the reader added them twice.
    monkeypatch.setattr(stories_store, "FOLD_KEYS", 10_000)  # folds only when asked below
    path = str(tmp_path / "race.db")
    reader, writer = open_store(path), open_store(path)
    rng = random.Random(9)
    try:
        ids = _new_articles(writer, 0, 12)
        _save_batch(writer, rng, ids[:6])  # pending, not folded
        real = reader.stories._read_missing
        interleaved = []

        def fold_first(missing):
            if not interleaved:  # the other process folds right between the reads
                interleaved.append(True)
                monkeypatch.setattr(stories_store, "FOLD_KEYS", 1)
                _save_batch(writer, rng, ids[6:])
            return real(missing)

        monkeypatch.setattr(reader.stories, "_read_missing", fold_first)
        read = reader.stories.document_frequencies(KEYS)
        counts, _ = _recount(reader)  # after the fold: what the reader must have read
        assert read == {k: counts.get(k, 0) for k in KEYS}
        assert interleaved and writer._db.execute(
            "SELECT count(*) FROM story_df_pending").fetchone()[0] == 0  # it did fold
    finally:
        writer.close()
        reader.close()
