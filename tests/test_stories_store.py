"""The stories stage's bookkeeping: a frequency cache that never serves a stale value, and
the whole-store repairs of a small store as it grows."""

import numpy as np
import pytest

import newsweave.stories
from newsweave.engine import content_hash
from newsweave.model import Article
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.store.stories import FeatureRow
from newsweave.stories.frequencies import save_features
from newsweave.stories.vectors import pack


def _articles(store, texts: list[str]) -> list[int]:
    return store.add_articles(
        [Article(id=None, content_hash=content_hash(t), raw=t, raw_format="text", text=t,
                 source=t) for t in texts], [{}] * len(texts))


def _row(article_id: int, keys: list[int]) -> FeatureRow:
    return FeatureRow(article_id, pack(dict.fromkeys(keys, 1.0)), b"", b"", {}, None, "")


def _save(store, article_id: int, keys: list[int]) -> None:
    with store.transaction():
        save_features(store.stories, [_row(article_id, keys)], {article_id: keys})


def test_frequencies_follow_writes_rollbacks_and_other_connections(tmp_path):
    path = str(tmp_path / "df.db")
    store = open_store(path)
    other = open_store(path)
    try:
        assert _articles(store, [f"article {n}" for n in range(1, 5)]) == [1, 2, 3, 4]
        tables = store.stories
        _save(store, 1, [10, 11])
        assert tables.document_frequencies([10, 11, 12]) == {10: 1, 11: 1, 12: 0}
        _save(store, 2, [10, 12])  # our own write moves the cached values
        assert tables.document_frequencies([10, 11, 12]) == {10: 2, 11: 1, 12: 1}
        with pytest.raises(RuntimeError), store.transaction():
            _save(store, 3, [10, 11])
            assert tables.document_frequencies([10, 11]) == {10: 3, 11: 2}
            raise RuntimeError("the batch fails")
        assert tables.document_frequencies([10, 11]) == {10: 2, 11: 1}  # rolled back
        _save(other, 4, [11, 12])  # another connection writes
        assert tables.document_frequencies([10, 11, 12]) == {10: 2, 11: 2, 12: 2}
        _save(store, 2, [11])  # an article saved again counts once, with its new keys
        assert tables.document_frequencies([10, 11, 12]) == {10: 1, 11: 3, 12: 1}
        assert tables.document_count() == 3
    finally:
        other.close()
        store.close()


@pytest.mark.parametrize("repair_articles", [120, 0])
def test_a_small_store_is_reclustered_whole_each_time_it_grows_a_quarter_power_of_two(
    tmp_path, monkeypatch, repair_articles
):
    calls = []
    real = newsweave.stories.repair_all

    def spy(tables, story_ids, *args, **kwargs):
        calls.append(tables.document_count())
        return real(tables, story_ids, *args, **kwargs)

    monkeypatch.setattr(newsweave.stories, "repair_all", spy)
    store = open_store(str(tmp_path / "grow.db"))
    settings = load_settings(story_repair_articles=repair_articles)
    stage = newsweave.stories.StoriesStage()
    try:
        for n in range(9):
            text = f"Flood number {n} hits the town of Varnholm. Rescue teams arrived."
            stage.run(store, _articles(store, [text]), settings)
        batch = _articles(store, [f"Storm {n} reaches Kestrel Bay." for n in range(10)])
        stage.run(store, batch, settings)  # 9 -> 19 articles: past 16
        assert store.stories.document_count() == 19
    finally:
        store.close()
    # Past each 2^(k/4) articles (2, 2.4, 2.8, 3.4, 4, 4.8, 5.7, 6.7, 8, then 16 in the
    # batch of ten); never with automatic repair off.
    assert calls == ([2, 3, 4, 5, 6, 7, 8, 19] if repair_articles else [])


def test_a_story_key_index_follows_each_update(tmp_path):
    # Only the keys that changed are rewritten: the index must still hold exactly the
    # latest keys, and a key another story shares must stay with that story.
    from newsweave.store.stories import StoryRow

    store = open_store(str(tmp_path / "keys.db"))
    tables = store.stories
    with store.transaction():
        a = tables.new_story(StoryRow(0, 1, "a", b"", b"", b"", None, None))
        b = tables.new_story(StoryRow(0, 1, "b", b"", b"", b"", None, None))
        tables.update_story(StoryRow(b, 1, "b", b"", b"", b"", None, None), [5, 6])
        for keys in ([1, 2, 3], [2, 3, 4, 5], [], [7, 5]):
            tables.update_story(StoryRow(a, 1, "a", b"", b"", b"", None, None), keys)
            held = {k for (k,) in store._db.execute(
                "SELECT key FROM story_keys WHERE story_id = ?", (a,))}
            assert held == set(keys)
    assert tables.candidates([6], 10) == [b]
    assert set(tables.candidates([5], 10)) == {a, b}
    store.close()


def test_a_full_frequency_cache_drops_its_least_used_half_and_stays_exact(tmp_path,
                                                                         monkeypatch):
    import newsweave.store.story_frequencies as stories_store

    monkeypatch.setattr(stories_store, "DF_CACHE_KEYS", 8)
    monkeypatch.setattr(stories_store, "DF_RECENT_KEYS", 3)
    store = open_store(str(tmp_path / "evict.db"))
    try:
        _articles(store, [f"article {n}" for n in range(1, 4)])
        tables = store.stories
        _save(store, 1, list(range(100, 112)))
        _save(store, 2, list(range(106, 118)))
        assert tables.document_frequencies(range(100, 112)) == {
            k: 1 if k < 106 else 2 for k in range(100, 112)}
        # Twelve keys read past a cap of 8: the half least recently looked up went.
        assert len(tables._df) <= 8 + 3
        tables.frequency_list([110, 111])  # looked up again: recently used
        tables.frequency_list(list(range(112, 118)))  # more keys in: another merge
        assert 110 in tables._df and 111 in tables._df
        assert 100 not in tables._df
        _save(store, 3, [100, 117])  # a write moves evicted and cached keys alike
        assert tables.document_frequencies([100, 111, 117, 200]) == {
            100: 2, 111: 2, 117: 2, 200: 0}
        assert tables.document_frequencies(range(100, 118)) == {
            k: (2 if 106 <= k < 112 else 1) + (k in (100, 117)) for k in range(100, 118)}
    finally:
        store.close()


def test_the_frequency_cache_agrees_with_a_plain_dict_through_evictions():
    import random

    from newsweave.store.stories import FrequencyCache

    rng = random.Random(5)
    truth = {k: rng.randrange(50) for k in range(2_000)}
    cache = FrequencyCache(limit=300, recent=40)
    for _ in range(400):
        keys = rng.sample(range(2_000), rng.randrange(1, 60))
        found = cache.lookup(keys)
        for k, f in zip(keys, found, strict=True):
            assert f is None or f == truth[k]  # a cached value is never stale
        cache.insert((k, truth[k]) for k, f in zip(keys, found, strict=True) if f is None)
        assert cache.lookup(keys) == [truth[k] if k in cache else None for k in keys]
        changes = {k: rng.randrange(-2, 3) for k in rng.sample(range(2_000), 30)}
        cache.add(changes)
        for k, d in changes.items():
            truth[k] += d
        assert len(cache) <= 300 + 40
    held = [k for k in range(2_000) if k in cache]
    assert len(held) > 100 and cache.lookup(held) == [truth[k] for k in held]


def test_bounded_caches_change_no_partition(tmp_path, monkeypatch):
    # The stage's caches (document frequencies, word features) decide only what is read or
    # computed again, never a result: a stream through caches that evict all the time gives
    # the partition and frequencies of one through the default caches.
    import functools

    import newsweave.store.story_frequencies as stories_store
    from conftest import REPO, load_bench, require_shared
    from newsweave.stories import lead_facts, line_features, words

    require_shared("benchmarks/ecbplus")
    monkeypatch.syspath_prepend(str(REPO / "bench"))  # stories_speed imports stories_ecb
    speed = load_bench("stories_speed")
    texts = [d["text"] for d in load_bench("stories_ecb").load()][:150]

    def run(name: str) -> tuple[dict[int, int], list[int]]:
        store = open_store(str(tmp_path / f"{name}.db"))
        stage = newsweave.stories.StoriesStage()
        settings = load_settings()
        try:
            for start in range(0, 450, 50):  # three copies of each text: new events
                ids = store.add_articles(speed.articles(texts, start, 50), [{}] * 50)
                stage.run(store, ids, settings)
            tables = store.stories
            live = tables.active_story_ids()
            partition = {a: s for s, m in tables.members(live).items() for a in m}
            keys = sorted({k for row in tables.features(partition).values()
                           for blob in (row.terms, row.names) for k in np.frombuffer(
                               blob[:len(blob) // 2], dtype=np.uint32).tolist()})
            return partition, tables.frequency_list(keys)
        finally:
            store.close()

    default = run("default")
    monkeypatch.setattr(stories_store, "DF_CACHE_KEYS", 64)
    monkeypatch.setattr(stories_store, "DF_RECENT_KEYS", 8)
    # Set where the features' readers look them up (each line's words, the lead's places).
    for name in ("_term_key", "_name_word", "_name_key"):
        small = functools.lru_cache(maxsize=4)(getattr(words, name).__wrapped__)
        for module in (line_features, lead_facts):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, small)
    assert run("evicting") == default


def test_stored_labels_read_as_the_labels_saved(tmp_path):
    store = open_store(str(tmp_path / "labels.db"))
    try:
        _articles(store, ["article 1"])
        row = FeatureRow(1, pack({5: 1.0}), pack({7: 1.0, 8: 2.0}), b"",
                         {7: "Tara Reid", 8: "Zürich"}, None, "t")
        with store.transaction():
            save_features(store.stories, [row], {1: [5, 7, 8]})
        labels = store.stories.features([1])[1].labels
        assert labels == {7: "Tara Reid", 8: "Zürich"} and dict(labels.items()) == labels
        assert labels.get(7) == "Tara Reid" and labels.get(9) is None and 8 in labels
        assert sorted(labels) == [7, 8] and len(labels) == 2
    finally:
        store.close()


def test_repair_leaves_articles_without_features_in_their_stories(tmp_path):
    # Articles written to the store by other means than this stage (an import, the web
    # benchmark's fillers) have no feature rows: a repair that meets them must neither
    # fail (a story of such articles alone used to raise "max() arg is an empty
    # sequence", failing every batch whose repair reached it) nor move them.
    from newsweave.store.stories import StoryRow
    from newsweave.stories.assign import weights_from
    from newsweave.stories.repair import repair_all

    store = open_store(str(tmp_path / "bare.db"))
    try:
        _articles(store, [f"article {n}" for n in range(1, 6)])
        tables = store.stories
        with store.transaction():
            _save(store, 1, [10, 11, 12])
            _save(store, 2, [10, 11, 12])
            groups = ([1], [2, 5], [3, 4])
            stories = [tables.new_story(StoryRow(0, len(m), "", b"", b"", b"", None, None))
                       for m in groups]
            for story, members in zip(stories, groups, strict=True):
                tables.set_members(story, members)
        settings = load_settings()
        with store.transaction():
            report = repair_all(tables, stories, weights_from(settings),
                                settings.story_threshold)
        assert report.merged == [(stories[1], stories[0])]  # 1 and 2 are one event
        found = tables.story_of([1, 2, 3, 4, 5])  # 5 follows its story into the survivor
        assert found == {1: stories[0], 2: stories[0], 3: stories[2], 4: stories[2],
                         5: stories[0]}
        assert tables.active_among(stories) == [stories[0], stories[2]]
    finally:
        store.close()
