"""A prior for the document frequencies: how common a feature is in language at large.

The stage weighs features by their inverse document frequency in the store. A store of a
few hundred reports measures it badly: the words of its one subject (a store of US
politics, of local shootings) sit in a third of its reports and weigh almost nothing,
though news at large uses them far less, and a word's count in a few hundred reports is
itself noisy. The prior is ``PRIOR_DOCUMENTS`` pseudo-reports in which each word occurs as
often as general language (the ``wordfreq`` package's frequencies, which ship inside its
wheel) makes a report of ``PRIOR_LENGTH`` words hold it (Poisson: ``1 - exp(-f L)``), added
to the store's own counts. Their weight, ``m / (n + m)`` for a store of ``n`` articles,
fades as the store grows: at 100,000 articles the store's own counts decide.

A feature the table does not hold (a multi-word name, a month-year, a number, a word
rarer than :data:`FLOOR` or of a language not loaded) counts as held by none of the
pseudo-reports: rare in general language.

Off by default (``PRIOR_DOCUMENTS`` 0): measured, it joins the split reports of one event in
a small store (BASIL alone 0.978 -> 0.986) but merges single reports of same-kind events
(AllSides one report an event: precision down at every strength), docs/benchmarks.md, #12
part 12. ``wordfreq`` is an optional dependency (the ``bench`` and ``test`` extras), needed
only with the prior on and ``PRIOR_LENGTH`` above 0.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from newsweave.nlp.text import stem
from newsweave.stories.features import DATE, NAME, TERM, key

# Pseudo-reports of general language added to the store's counts; 0: no prior (the store's
# counts alone, as before #12 part 12). See docs/benchmarks.md, #12 part 12.
PRIOR_DOCUMENTS = 0.0
# The words of a pseudo-report: how often a word of frequency f appears in one
# (1 - exp(-f * PRIOR_LENGTH)); 0: none of the pseudo-reports holds any feature (a plain
# pseudo-count, which only shrinks every inverse document frequency toward the rarest's).
PRIOR_LENGTH = 100.0
# The languages whose frequencies the table holds (wordfreq codes): loading one costs
# ~0.1 CPU s, once per process and only when the prior is on.
PRIOR_LANGUAGES: tuple[str, ...] = ("en",)
# Words rarer than this (per word of text) are left out: at PRIOR_LENGTH 100 and 1,000
# pseudo-reports one would count for a tenth of a report.
FLOOR = 1e-6
# The years the table holds (as date features: "2013"), from wordfreq's estimate for each.
_YEARS = range(1800, 2101)


def shares(keys: np.ndarray, length: float = PRIOR_LENGTH,
           languages: tuple[str, ...] = PRIOR_LANGUAGES) -> np.ndarray:
    """The share of general-language reports of ``length`` words expected to hold each of
    ``keys`` (feature keys, as :func:`newsweave.stories.features.key` makes them); 0 for
    a key the table does not hold.

    >>> said, quake, rare = shares(np.array([key("t", "said"), key("t", "quake"),
    ...                                      key("n", "culver citi")]), length=1000)
    >>> bool(0.5 < said < 1), bool(0 < quake < 0.01), float(rare)
    (True, True, 0.0)
    """
    if length <= 0:
        return np.zeros(len(keys))
    table_keys, frequencies = _table(languages)
    wanted = np.asarray(keys, dtype=np.int64)
    at = table_keys.searchsorted(wanted)
    found = table_keys.take(at, mode="clip") == wanted
    frequency = np.where(found, frequencies.take(at, mode="clip"), 0.0)
    return -np.expm1(-frequency * length)  # type: ignore[no-any-return]


def blend(df: np.ndarray, docs: int, keys: np.ndarray, documents: float,
          length: float = PRIOR_LENGTH) -> tuple[np.ndarray, float]:
    """The store's document frequencies ``df`` of ``keys`` (over ``docs`` articles) with
    ``documents`` pseudo-reports of general language added: (frequencies, documents).

    >>> keys = np.array([key("t", "said"), key("n", "culver citi")])
    >>> df, docs = blend(np.array([3.0, 3.0]), 10, keys, 1000.0, length=1000)
    >>> docs, bool(df[0] > 500), float(df[1])
    (1010.0, True, 3.0)
    >>> blend(np.array([3.0]), 10, keys[:1], 0.0)
    (array([3.]), 10.0)
    """
    df = np.asarray(df, dtype=np.float64)
    if documents <= 0:
        return df, float(docs)
    return df + documents * shares(keys, length), float(docs) + documents


@lru_cache(maxsize=4)
def _table(languages: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Feature key -> frequency per word of text, sorted by key: each word's stem as a term
    and as a one-word name (the keys the features make of it; the forms of one stem add
    up), each year as a date; the most frequent language's where two share a key."""
    import wordfreq  # only when the prior is on: ~0.1 s to import

    found: dict[int, float] = {}
    for language in languages:
        per_key: dict[int, float] = {}
        for word, frequency in wordfreq.get_frequency_dict(language).items():
            if frequency < FLOOR:
                continue
            root = stem(word)
            for group in (TERM, NAME):
                k = key(group, root)
                per_key[k] = per_key.get(k, 0.0) + frequency
        for year in _YEARS:
            k = key(DATE, str(year))
            per_key[k] = per_key.get(k, 0.0) + wordfreq.word_frequency(str(year), language)
        for k, frequency in per_key.items():
            if frequency > found.get(k, 0.0):
                found[k] = frequency
    keys = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
    values = np.fromiter(found.values(), dtype=np.float64, count=len(found))
    order = np.argsort(keys, kind="stable")
    return keys[order], values[order]
