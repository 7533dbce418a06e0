"""Document frequencies of story features, kept incrementally in the store's counters.

The store keeps plain counters by key (``StoryTables.add_counts``); this module decides
what they count: for each feature key, the articles holding it, and under
:data:`~newsweave.store.stories.DOCUMENTS`, the articles with features. Saving an
article's features again (its body was re-cleaned) moves the counts from its old keys
to its new ones, so each article counts once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from newsweave.store.stories import DOCUMENTS, FeatureRow, StoryTables
from newsweave.stories.vectors import unpack


def save_features(tables: StoryTables, rows: Sequence[FeatureRow],
                  keys: Mapping[int, Iterable[int]]) -> None:
    """Store feature ``rows`` and update the document frequencies with ``keys`` (article
    -> its feature keys), in one transaction of the store behind ``tables``."""
    ids = [r.article_id for r in rows]
    # A figure, a place or a lead year in the dates blob (count -1, -2 or -3:
    # vectors.pack_dates) is no counted feature.
    old = {i: [k for blob in (row.terms, row.names, row.dates)
               for k, count in unpack(blob).items() if count > 0]
           for i, row in tables.features(ids).items()}
    # One counter change per distinct key of the batch, not per key of each article.
    delta: Counter[int] = Counter()
    delta[DOCUMENTS] = len(set(ids) - set(old))
    for previous in old.values():
        delta.subtract(set(previous))
    for article_id in ids:
        delta.update(set(keys.get(article_id, ())))
    tables.save_features(rows)
    tables.add_counts(delta)
