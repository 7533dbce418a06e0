"""nlp.langid: py3langid's answers, with the byte walk done in array steps."""

from __future__ import annotations

import json
import random

import pytest

from conftest import require_shared
from newsweave.nlp.langid import load_identifier

langid = pytest.importorskip("py3langid.langid")


@pytest.fixture(scope="module")
def library():
    if not hasattr(langid.LanguageIdentifier, "from_model_file"):
        pytest.skip("py3langid 0.3: nlp.langid uses the library's own classifier")
    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def made_up_texts() -> list[str]:
    """Short, empty, featureless and random texts in many scripts, and casing edge cases."""
    rng = random.Random(5)
    texts = ["", "a", "é", "ÄÖÜ SCHLAGZEILE", "12345 678", "\x00\x01 \ufffd", "日本語の記事",
             "Die Regierung hat am Montag neue Pläne vorgestellt.",
             "Le gouvernement a présenté lundi de nouveaux projets.",
             "El gobierno presentó el lunes nuevos planes.",
             "THE GOVERNMENT PRESENTED NEW PLANS ON MONDAY.",
             "Правительство в понедельник представило новые планы."]
    for _ in range(200):
        size = rng.randrange(1, 400)
        texts.append("".join(chr(rng.randrange(1, 0x3000)) for _ in range(size)))
    return texts


def test_same_answers_as_the_library_on_made_up_texts(library):
    fast = load_identifier()
    assert type(fast).__name__ == "ArrayWalkIdentifier"
    for text in made_up_texts():
        assert fast.classify(text) == library.classify(text), text[:40]


def test_same_answers_as_the_library_on_ntrex():
    """Every NTREX document (7 languages), whole and cut to its first 300 characters."""
    path = require_shared("benchmarks/ntrex/docs.jsonl")
    if not hasattr(langid.LanguageIdentifier, "from_model_file"):
        pytest.skip("py3langid 0.3")
    library = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    fast = load_identifier()
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    langs = set()
    for doc in docs[::3]:
        langs.add(doc["lang"])
        for text in (doc["text"], doc["text"][:300]):
            assert fast.classify(text) == library.classify(text), doc["id"]
    assert len(langs) >= 5


def test_every_score_as_the_library_gives_it(library):
    """Not only the answer: every language's score, bit for bit (the counts are scored from
    arrays, and the model's float16 rows cast before the product, not by it)."""
    import numpy as np

    fast = load_identifier()
    for text in made_up_texts():
        assert np.array_equal(fast._decide(text), library._decide(text)), text[:40]


def test_counts_in_order_of_first_occurrence():
    from collections import Counter

    import numpy as np

    from newsweave.nlp.langid import count_in_order

    rng = random.Random(3)
    for _ in range(300):
        values = [rng.randrange(rng.choice((2, 30, 100_000))) for _ in range(rng.randrange(1, 500))]
        features, counts = count_in_order(np.asarray(values, dtype=np.intp))
        counted = Counter(values)
        assert features.tolist() == list(counted) and counts.tolist() == list(counted.values())


def test_same_scores_as_the_library_after_set_languages(library):
    """The rows read for the product follow a restriction of the languages
    (``set_languages`` replaces the model's rows): the same scores as the library's."""
    fast = type(load_identifier()).from_model_file(langid.MODEL_FILE, norm_probs=True)
    library = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    for identifier in (fast, library):
        identifier.set_languages(["de", "fr", "en", "es"])
    for text in made_up_texts()[:60]:
        assert fast.classify(text) == library.classify(text), text[:40]
        assert fast._decide(text).tolist() == library._decide(text).tolist()
