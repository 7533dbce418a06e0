"""The stories stage's articles as it reads them: the settings' weights, an article's
features packed for the store, and stored articles weighed into vectors (through one
run's :class:`VectorCache`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from newsweave.clean.rules import DATE_LINE
from newsweave.model import Article
from newsweave.settings import Settings
from newsweave.store.stories import FeatureRow, StoryTables
from newsweave.stories import features as stories_features
from newsweave.stories import prior as stories_prior
from newsweave.stories import vectors as stories_vectors
from newsweave.stories.features import Features, extract_features
from newsweave.stories.meaning import Meanings
from newsweave.stories.packing import is_bare
from newsweave.stories.vectors import (
    ArticleVector,
    Weights,
    pack,
    pack_dates,
    split_every,
    weigh_packed,
)


def weights_from(settings: Settings) -> Weights:
    return Weights(
        names=settings.story_name_weight,
        name_penalty=settings.story_name_penalty,
        date_penalty=settings.story_date_penalty,
        window_days=settings.story_window_days,
        attach=settings.story_attach_threshold,
        semantic=settings.story_semantic_weight,
        semantic_floor=settings.story_semantic_floor,
        figure_penalty=stories_vectors.FIGURE_PENALTY,
        place_penalty=stories_features.PLACE_PENALTY,
        year_evidence=stories_features.YEAR_EVIDENCE,
        year_penalty=stories_vectors.YEAR_PENALTY,
        name_grade=stories_vectors.NAME_GRADE,
        name_base=stories_vectors.NAME_BASE,
        weekday_penalty=stories_features.WEEKDAY_PENALTY,
        weekday_scope=stories_features.WEEKDAY_SCOPE,
        weekday_story_penalty=stories_features.WEEKDAY_STORY_PENALTY,
        prior_documents=stories_prior.PRIOR_DOCUMENTS,
        prior_length=stories_prior.PRIOR_LENGTH,
    )


def publication_day(published: str | None) -> int | None:
    """The proleptic ordinal of an ISO date or datetime; None when absent or unreadable.

    >>> publication_day("2026-03-03T09:15:00Z") - publication_day("2026-03-02")
    1
    """
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return None


def feature_row(article: Article) -> tuple[FeatureRow, Features]:
    """Extract and pack one article's features for the store (with the years of the date
    lines cleaning removed from its body: see :func:`extract_features`)."""
    datelines = [r.text for r in article.removed if r.reason == DATE_LINE]
    features = extract_features(article.title, article.text, datelines=datelines,
                                language=article.language)
    row = FeatureRow(
        article_id=int(article.id or 0),
        terms=pack(features.terms),
        names=pack(features.names),
        # The bare-headline mark is written only while its factor is on (read on the
        # module, where the bench and the tests set it): off, the blob is as it was.
        dates=pack_dates(features.dates, features.figures, features.places,
                         features.lead_years, features.weekdays,
                         features.bare and stories_vectors.BARE_PAIR_FACTOR != 1.0),
        labels=features.labels,
        day=publication_day(article.published),
        title=_headline(article),
    )
    return row, features


def _headline(article: Article) -> str:
    if article.title and article.title.strip():
        return " ".join(article.title.split())
    first = article.text.strip().split("\n", 1)[0]
    return " ".join(first.split())[:200]


class VectorCache:
    """What one stage run has read and weighed: article vectors and feature rows. Valid
    while the document frequencies stay put, which they do within a run (the batch's
    features are saved first), so repair and title refreshes weigh each article once per
    run, however many neighbourhoods it falls in. With ``meanings``, each vector weighed
    carries the article's stored sentence vector, where it has one (:mod:`.meaning`)."""

    __slots__ = ("meanings", "rows", "vectors")

    def __init__(self, meanings: Meanings | None = None) -> None:
        self.vectors: dict[int, ArticleVector] = {}
        self.rows: dict[int, FeatureRow] = {}
        self.meanings = meanings


def feature_rows(
    tables: StoryTables, article_ids: Iterable[int], cache: VectorCache | None = None
) -> dict[int, FeatureRow]:
    """Stored feature rows of ``article_ids`` (those that have one), through ``cache``."""
    ids = list(article_ids)
    if cache is None:
        return tables.features(ids)
    missing = [a for a in ids if a not in cache.rows]
    if missing:
        cache.rows.update(tables.features(missing))
    return {a: cache.rows[a] for a in ids if a in cache.rows}


def article_vectors(
    tables: StoryTables,
    article_ids: Iterable[int],
    weights: Weights,
    cache: VectorCache | None = None,
) -> dict[int, ArticleVector]:
    """Weighted vectors of stored articles, with the store's current document frequencies.

    ``cache`` (valid while the document frequencies stay put: one stage run) holds
    vectors already weighed; those computed here are added to it.
    """
    cache = cache if cache is not None else VectorCache()
    ids = list(article_ids)
    missing = [a for a in ids if a not in cache.vectors]
    if missing:
        rows = feature_rows(tables, missing, cache)
        weighed = vectors_of(tables, rows.values(), weights)
        if cache.meanings is not None and weights.semantic > 0:
            for article_id, meaning in cache.meanings.of(weighed).items():
                weighed[article_id].meaning = meaning
        cache.vectors.update(weighed)
    return {a: cache.vectors[a] for a in ids if a in cache.vectors}


def vectors_of(
    tables: StoryTables, rows: Iterable[FeatureRow], weights: Weights
) -> dict[int, ArticleVector]:
    """Weigh feature rows with the store's current document frequencies."""
    rows = list(rows)

    weighed = weigh_packed([(r.terms, r.names, r.dates) for r in rows], tables.frequency_array,
                           tables.document_count(), weights)
    found = {}
    marked = stories_vectors.BARE_PAIR_FACTOR != 1.0  # off, no blob carries the mark
    for row, (full, names) in zip(rows, weighed, strict=True):
        dates, figures, places, lead_years, weekdays = split_every(row.dates)
        found[row.article_id] = ArticleVector(row.article_id, None, None, dates, row.day,
                                              arrays=full, name_arrays=names, figures=figures,
                                              places=places, lead_years=lead_years,
                                              weekdays=weekdays,
                                              bare=marked and is_bare(row.dates))
    return found
