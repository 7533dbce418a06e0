"""A story's confidence scored with the similarity the stage decides with (#12 item 4):
the words scaled by the members' stored sentence vectors where they have them, the words
alone where they have none."""

import numpy as np
import pytest

from newsweave.engine import Engine
from newsweave.nlp.english import MODEL_NAME
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.stories import StoriesStage, weights_from
from newsweave.stories.meaning import weighed_meanings
from newsweave.stories.user import confidences

TEXTS = [
    "A fire destroyed a warehouse in Millbrook on Monday night. Firefighters from three "
    "stations fought the blaze for six hours; the warehouse owner said nobody was hurt.",
    "Firefighters fought a warehouse fire in Millbrook for six hours on Monday night. The "
    "blaze destroyed the warehouse and its stock; nobody was hurt, the owner said.",
    "A fire destroyed a warehouse in Ashford on Monday night. Firefighters fought the blaze "
    "for five hours; the warehouse owner said two workers were hurt.",
    "Firefighters fought a warehouse fire in Ashford for five hours on Monday night. The "
    "blaze destroyed the warehouse; two workers were hurt, the owner said.",
]


@pytest.fixture()
def two_stories(tmp_path):
    """Two stories of four similar reports, fixed by a user's decisions: ([A's], [B's])."""
    with Engine(open_store(str(tmp_path / "c.db")), load_settings(story_repair_articles=0),
                [StoriesStage()]) as engine:
        ids = [engine.ingest_text(t).new[0] for t in TEXTS]
        for a in ids[1:]:
            if engine.story_of(a) != engine.story_of(ids[0]):
                engine.merge_stories(engine.story_of(ids[0]), engine.story_of(a))
        engine.split_story(engine.story_of(ids[0]), ids[2:])
        yield engine, ids[:2], ids[2:]


def _figures(engine, story_ids, meanings):
    weights = weights_from(engine.settings)
    assert weights.semantic > 0  # on by default
    return confidences(engine.store.stories, story_ids, weights, meanings)


def test_without_vectors_the_confidence_is_the_words_own(two_stories):
    engine, first, second = two_stories
    ids = [engine.story_of(first[0]), engine.story_of(second[0])]
    words = _figures(engine, ids, None)
    assert words[ids[0]].nearest_story == ids[1] and words[ids[0]].nearest_similarity > 0
    assert _figures(engine, ids, weighed_meanings(engine.store,
                                                  weights_from(engine.settings))) == words
    listed = {s.id: s for s in engine.stories()}
    assert all(listed[s].confidence == words[s].confidence
               and listed[s].cohesion == words[s].cohesion for s in ids)


def test_vectors_that_keep_two_stories_apart_raise_their_confidence(two_stories):
    engine, first, second = two_stories
    ids = [engine.story_of(first[0]), engine.story_of(second[0])]
    words = _figures(engine, ids, None)
    one, other = np.zeros(384, dtype=np.float32), np.zeros(384, dtype=np.float32)
    one[0], other[1] = 1.0, 1.0  # each story's reports agree; the two stories' don't
    engine.store.reuse.save_vectors(MODEL_NAME, {**dict.fromkeys(first, one),
                                                 **dict.fromkeys(second, other)})
    weights = weights_from(engine.settings)
    meant = _figures(engine, ids, weighed_meanings(engine.store, weights))
    for s in ids:
        assert meant[s].confidence > words[s].confidence
        assert meant[s].cohesion > words[s].cohesion
        assert meant[s].nearest_similarity < words[s].nearest_similarity
    # the callers pass the vectors: the engine's story and the web list's figures
    assert engine.story(ids[0]).confidence == meant[ids[0]].confidence
    from newsweave.web.confidence import FIELDS, _compute_listed

    listed = _compute_listed(engine, engine.stories(confidence=False))
    assert listed[ids[1]][2] == tuple(getattr(meant[ids[1]], f) for f in FIELDS)
    # only one story with vectors: its neighbour's score is the words' own
    engine.store.reuse.delete_vectors(MODEL_NAME, second)
    half = _figures(engine, ids, weighed_meanings(engine.store, weights))
    assert half[ids[1]] == words[ids[1]]
    assert half[ids[0]].nearest_similarity == words[ids[0]].nearest_similarity
    assert half[ids[0]].cohesion > words[ids[0]].cohesion
