"""The stories stage's shortcuts of "Stories at 100k, part 5" give what the long ways gave:
the lowercase words read from the text's lines, the facts of a dates blob sorted in one
pass, a candidate story's facts read only where a veto needs them (docs/benchmarks.md)."""

import random

import numpy as np
import pytest

from newsweave.nlp.sentences import split_sentences
from newsweave.store.stories import StoryRow
from newsweave.stories import features, words
from newsweave.stories.assign import StoryState
from newsweave.stories.vectors import (
    ArticleVector,
    Weights,
    pack,
    pack_dates,
    split_every,
    veto_factor,
)

TEXTS = [
    "Gov. Lind spoke on Sept. 19. \"We will rebuild.\" He left.",
    "Prices rose 3.5 percent.\n\nU.S. officials said 1,000 people left. Why? he asked.",
    "大坝决堤了。镇上被淹！ Obama l'Élysée don’t e.g. 12 (AP) …  \r\n\tend",
    "A list: 3. 5 items\nand a line\n\n\n  last line without a stop",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_sentences_lines_hold_every_word_of_the_text(text):
    # What extract_features relies on to read the lowercase words from its lines.
    lines = [w for s in split_sentences(text) for line in s.text.split("\n")
             for w in words._WORD.findall(line)]
    assert lines == words._WORD.findall(text)


def test_lowercase_words_are_the_texts_not_the_titles():
    # The title writes "obama" in lowercase, the text only with a capital opening its first
    # sentence: a name (the title's words do not count as the text writing it in lowercase).
    found = features.extract_features("obama wins", "Obama spoke in Paris on Monday.")
    assert words._name_key(words._name_word("Obama")) in found.names
    # Written in lowercase in the text, it is no name at a sentence's start.
    found = features.extract_features("Wins", "Obama spoke. Then obama left.")
    assert words._name_key(words._name_word("Obama")) not in found.names


def _split_by_filters(blob):
    """split_every's first four as they were split: three filtering passes and a set
    difference."""
    if not blob:
        return frozenset(), frozenset(), frozenset(), frozenset()
    half = len(blob) // 2
    keys = np.frombuffer(blob, dtype=np.uint32, count=half // 4).tolist()
    values = np.frombuffer(blob, dtype=np.float32, offset=half).tolist()
    years = frozenset(k for k, v in zip(keys, values, strict=True) if v > 0)
    places = frozenset(k for k, v in zip(keys, values, strict=True) if v == -2.0)
    lead = frozenset(k for k, v in zip(keys, values, strict=True) if v == -3.0)
    return years, frozenset(keys) - years - places - lead, places, lead


def _random_facts(rng):
    def some(n):
        return {rng.randrange(40) for _ in range(rng.randrange(n))}

    return ({k: rng.choice([1.0, 2.0, 0.5]) for k in some(6)}, some(4), some(3), some(3))


def test_split_every_sorts_each_key_as_the_filters_did():
    rng = random.Random(5)
    blobs = [pack_dates(*_random_facts(rng)) for _ in range(500)]
    blobs += [b"", pack({7: 0.0, 8: -7.0, 9: float("nan"), 10: 3.0})]
    for blob in blobs:
        assert split_every(blob)[:4] == _split_by_filters(blob)


def _article(rng, id_):
    dates, figures, places, lead = _random_facts(rng)
    keys = np.array(sorted(rng.sample(range(60), 12)), dtype=np.uint32)
    names = np.array(sorted(rng.sample(range(60, 90), rng.choice([0, 2, 6]))), dtype=np.uint32)
    return ArticleVector(id_, None, None, frozenset(dates), rng.choice([None, 700, 760]),
                         arrays=(keys, rng.random() + np.arange(len(keys)) / 10),
                         name_arrays=(names, np.ones(len(names)) / max(len(names), 1)),
                         figures=frozenset(figures), places=frozenset(places),
                         lead_years=frozenset(lead))


def _story(rng, id_):
    dates, figures, places, lead = _random_facts(rng)
    keys = np.array(sorted(rng.sample(range(60), 30)), dtype=np.uint32)
    names = np.array(sorted(rng.sample(range(60, 90), 8)), dtype=np.uint32)
    first = rng.choice([None, 690, 750])
    row = StoryRow(id_, rng.randrange(1, 9), "", pack(dict(zip(keys.tolist(), (
        rng.random() for _ in keys), strict=True))), pack(dict.fromkeys(names.tolist(), 0.5)),
        pack_dates(dates, figures, places, lead), first, None if first is None else first + 5)
    return StoryState(row)


@pytest.mark.parametrize("weights", [
    Weights(), Weights(figure_penalty=0.7), Weights(place_penalty=0.5, figure_penalty=0.7),
    Weights(figure_penalty=0.7, year_evidence="lead-text", year_penalty=0.7)])
def test_a_candidates_score_is_the_one_with_all_its_facts_read(weights):
    rng = random.Random(11)
    read_none = 0
    for n in range(400):
        item, story = _article(rng, n), _story(rng, n)
        _score, _agree, factor = story.score_parts(item, weights)
        if story._facts is None:
            read_none += 1
        reference = _story(random.Random(0), n)  # a fresh state: read its facts in full
        reference.row = story.row
        apart = None if story.row.first_day is None or item.day is None else (
            0 if story.row.first_day <= item.day <= story.row.last_day else
            min(abs(item.day - story.row.first_day), abs(item.day - story.row.last_day)))
        names_cos = (story.names_cosine(item.name_arrays())
                     if min(item.name_count(), story.name_count) >= 4 else 0.0)
        expected = veto_factor(names_cos, min(item.name_count(), story.name_count) >= 4,
                               item.dates, reference.dates, apart, weights, item.figures,
                               reference.figures, item.places, reference.places,
                               item.lead_years, reference.lead_years)
        assert factor == expected
    # Dated pairs whose article states no figure (or whose figures are not weighed) leave
    # the story's facts unread.
    assert read_none > 10
