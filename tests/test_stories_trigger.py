"""The repair's trigger (docs/benchmarks.md, "Archive scale, part 28"): a close call's
neighbourhood is re-clustered for a merge only when a story the re-clustering holds could
merge with the seed, judged with the date veto of the members' pairs (their days) rather
than the stories' spans."""

from __future__ import annotations

import random

import numpy as np
import pytest

from newsweave.store.stories import StoryRow
from newsweave.stories.assign import StoryState
from newsweave.stories.repair import _near_share, _neighbourhood, _story_similarity
from newsweave.stories.vectors import ArticleVector, Weights, pack_arrays, pair_matrices

WEIGHTS = Weights(date_penalty=0.5, window_days=14, attach=0.14)
THRESHOLD = 0.22
DAY0 = 730_000  # a proleptic ordinal (the year 2000)


def _article(i: int, words: dict[int, float], day: int | None) -> ArticleVector:
    norm = float(np.sqrt(sum(v * v for v in words.values())))
    return ArticleVector(i, {k: v / norm for k, v in words.items()}, {}, frozenset(), day)


def _story(story_id: int, items: list[ArticleVector]) -> StoryRow:
    """A story's row as assignment saves it: the members' summed vectors and their span."""
    row = StoryRow(story_id, 0, "", b"", b"", b"", None, None)
    state = StoryState(row)
    for item in items:
        state.add(item)
    row.centroid = pack_arrays(state.arrays())
    row.names = pack_arrays(state.name_arrays())
    return row


class _Tables:
    """The story tables :func:`_neighbourhood` reads: rows and their members' days."""

    def __init__(self, stories: dict[int, list[ArticleVector]]) -> None:
        self.stories = stories
        self.day_reads = 0

    def stories_by_id(self, ids):  # type: ignore[no-untyped-def]
        return {s: _story(s, self.stories[s]) for s in ids if s in self.stories}

    def member_days(self, ids):  # type: ignore[no-untyped-def]
        self.day_reads += 1
        return {s: [a.day for a in self.stories[s]] for s in ids if s in self.stories}


def _variants(rng: random.Random, base: dict[int, float], count: int, start: int,
              days: list[int | None]) -> list[ArticleVector]:
    """``count`` reports of one text (its words, a few of their own), one a day of ``days``."""
    items = []
    for n in range(count):
        words = dict(base)
        for _ in range(3):
            words[rng.randrange(10_000, 20_000)] = rng.random()
        items.append(_article(start + n, words, days[n]))
    return items


def test_near_share_counts_the_pairs_the_date_veto_spares():
    rng = random.Random(5)
    for _ in range(200):
        window = rng.choice([0, 3, 14])
        days_a = [rng.choice([None, *range(60)]) for _ in range(rng.randrange(0, 12))]
        days_b = [rng.choice([None, *range(60)]) for _ in range(rng.randrange(0, 12))]
        spared = sum(1 for a in days_a for b in days_b
                     if a is None or b is None or abs(a - b) <= window)
        pairs = len(days_a) * len(days_b)
        assert _near_share(days_a, days_b, window) == pytest.approx(
            spared / pairs if pairs else 1.0)


def test_the_members_date_bound_holds_the_mean_that_average_linkage_merges_on():
    """With the members' days, the stories' similarity is at least the mean of their
    members' pairs as the re-clustering weighs them, and at most the spans' score."""
    rng = random.Random(11)
    tightened = 0
    for trial in range(60):
        shared = {k: rng.random() for k in range(40)}
        spread = rng.choice([5, 40, 400, 12_000])
        story_a = _variants(rng, {**shared, **{100 + k: rng.random() for k in range(20)}},
                            rng.randrange(2, 15), 0,
                            [DAY0 + rng.randrange(spread) for _ in range(20)])
        story_b = _variants(rng, {**shared, **{200 + k: rng.random() for k in range(20)}},
                            rng.randrange(2, 15), 100,
                            [rng.choice([None, DAY0 + rng.randrange(spread)])
                             for _ in range(20)])
        a, b = StoryState(_story(1, story_a)), StoryState(_story(2, story_b))
        near = _near_share([x.day for x in story_a], [x.day for x in story_b],
                           WEIGHTS.window_days)
        bound, _ = _story_similarity(a, b, WEIGHTS, near)
        spans, _ = _story_similarity(a, b, WEIGHTS)
        sims = pair_matrices([*story_a, *story_b], WEIGHTS)[0]
        members = float(sims[: len(story_a), len(story_a):].mean())
        assert members <= bound + 1e-6, trial
        assert bound <= spans + 1e-9, trial
        tightened += bound < 0.9 * spans
    assert tightened >= 10  # the spread-out pairs of stories: the bound acts


def _two_stories(days_a: list[int | None], days_b: list[int | None]) -> _Tables:
    rng = random.Random(3)
    shared = dict.fromkeys(range(15), 1.0)  # a cosine of about 0.35 between the stories
    a = _variants(rng, {**shared, **{100 + k: 1.0 for k in range(25)}}, len(days_a), 0,
                  days_a)
    b = _variants(rng, {**shared, **{200 + k: 1.0 for k in range(25)}}, len(days_b), 100,
                  days_b)
    return _Tables({1: a, 2: b})


def test_a_close_call_between_stories_whose_members_lie_years_apart_is_not_repaired():
    """Two stories of similar words (their summed vectors pass the threshold) whose members
    are spread over thirty years, each within weeks of none of the other's: their spans
    overlap, so the spans' date veto does not act, but every pair of members is damped,
    and average linkage cannot merge them: no re-clustering."""
    years = [DAY0 + 365 * y for y in range(0, 30, 2)]
    tables = _two_stories(years[:8], [d + 180 for d in years[:8]])
    a, b = (StoryState(r) for r in tables.stories_by_id([1, 2]).values())
    spans, _ = _story_similarity(a, b, WEIGHTS)
    assert spans >= THRESHOLD  # the spans' check alone would repair them
    assert _neighbourhood(tables, 1, WEIGHTS, THRESHOLD, 120, set(), [2]) == []
    assert tables.day_reads == 1
    # The same stories, their members within days of each other: repaired.
    close = _two_stories([DAY0 + d for d in range(8)], [DAY0 + d for d in range(8)])
    assert _neighbourhood(close, 1, WEIGHTS, THRESHOLD, 120, set(), [2]) == [1, 2]
    # Half of the pairs near: the members' mean may pass, so repaired.
    half = _two_stories([DAY0 + d for d in range(8)],
                        [DAY0 + d for d in range(4)] + [DAY0 + 9000 + d for d in range(4)])
    assert _neighbourhood(half, 1, WEIGHTS, THRESHOLD, 120, set(), [2]) == [1, 2]
    # Undated members are spared by the pairs' date veto: repaired.
    undated = _two_stories(years[:8], [None] * 7 + [years[0] + 180])
    assert _neighbourhood(undated, 1, WEIGHTS, THRESHOLD, 120, set(), [2]) == [1, 2]
    # Eager (a decision by a hair): repaired whatever the numbers say.
    assert _neighbourhood(tables, 1, WEIGHTS, THRESHOLD, 120, set(), [2],
                          check=False) == [1, 2]


def test_a_hinted_story_too_large_for_the_group_is_no_reason_to_repair():
    """The re-clustering holds the seed and the hinted stories that fit in
    ``max_articles``: a mergeable story left out cannot merge in it."""
    close = _two_stories([DAY0 + d for d in range(8)], [DAY0 + d for d in range(8)])
    assert _neighbourhood(close, 1, WEIGHTS, THRESHOLD, 16, set(), [2]) == [1, 2]
    assert _neighbourhood(close, 1, WEIGHTS, THRESHOLD, 15, set(), [2]) == []
    assert close.day_reads == 0  # both undated-free and close: the spans' check decided


def test_member_days_are_each_storys_members_days_on_both_backends(store_backend):
    """``StoryTables.member_days``: the publication day of each member's stored features,
    None for an undated member or one without features, for every story asked."""
    from newsweave.model import Article
    from newsweave.store.stories import FeatureRow

    store = store_backend.open()
    ids = store.add_articles(
        [Article(None, f"h{n}", "", "text", f"Text {n}.", f"<{n}>") for n in range(7)],
        [{}] * 7)
    tables = store.stories
    with store.transaction():
        first = tables.new_story(StoryRow(0, 0, "", b"", b"", b"", None, None))
        second = tables.new_story(StoryRow(0, 0, "", b"", b"", b"", None, None))
        tables.set_members(first, ids[:4])
        tables.set_members(second, ids[4:6])
    days = [DAY0, DAY0 + 400, None, DAY0 + 3, DAY0 + 9000]
    tables.save_features([FeatureRow(a, b"", b"", b"", {}, day, "")
                          for a, day in zip(ids[:5], days, strict=True)])
    found = tables.member_days([first, second, 999])
    assert sorted(found) == [first, second]
    assert sorted(found[first], key=str) == sorted(days[:4], key=str)
    assert sorted(found[second], key=str) == sorted([DAY0 + 9000, None], key=str)
