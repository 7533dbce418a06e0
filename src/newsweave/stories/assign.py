"""Online assignment: each new article joins its best story or starts one.

Candidates come from the inverted index of story keys (the rare terms and
names a story is made of), so the cost of one assignment does not grow with
the number of stories. The score of an article against a story is the mean
similarity to the story's articles (``article · sum_of_member_vectors / size``:
average linkage, the same criterion repair uses), damped by the vetoes of
:func:`newsweave.stories.vectors.veto_factor`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from newsweave.clean.rules import DATE_LINE
from newsweave.model import Article
from newsweave.settings import Settings
from newsweave.store.stories import FeatureRow, StoryRow, StoryTables
from newsweave.stories import features as stories_features
from newsweave.stories import prior as stories_prior
from newsweave.stories import vectors as stories_vectors
from newsweave.stories.features import Features, extract_features
from newsweave.stories.meaning import Meanings
from newsweave.stories.titles import choose_title, top_entities
from newsweave.stories.vectors import (
    MIN_NAMES,
    Arrays,
    ArticleVector,
    Weights,
    add_arrays,
    dot_arrays,
    link_floor,
    names_can_disagree,
    pack,
    pack_arrays,
    pack_dates,
    semantic_factor,
    split_every,
    top_array_keys,
    top_of,
    unpack_arrays,
    veto_factor,
    weigh_packed,
)

QUERY_KEYS = 24  # an article's heaviest keys used to look up candidate stories
STORY_KEYS = 48  # a story's heaviest keys kept in the inverted index
CANDIDATES = 20  # candidate stories scored per article
MARGIN = 0.05  # a decision this close is re-examined by a full repair of its neighbourhood
CENTROID_KEYS = 3000  # a story's summed vector keeps its heaviest keys only (memory)


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
    features = extract_features(article.title, article.text, datelines=datelines)
    row = FeatureRow(
        article_id=int(article.id or 0),
        terms=pack(features.terms),
        names=pack(features.names),
        dates=pack_dates(features.dates, features.figures, features.places,
                         features.lead_years, features.weekdays),
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
    for row, (full, names) in zip(rows, weighed, strict=True):
        dates, figures, places, lead_years, weekdays = split_every(row.dates)
        found[row.article_id] = ArticleVector(row.article_id, None, None, dates, row.day,
                                              arrays=full, name_arrays=names, figures=figures,
                                              places=places, lead_years=lead_years,
                                              weekdays=weekdays)
    return found


class StoryState:
    """A story as online assignment sees it: summed member vectors and extent in time.

    The summed vectors stay packed (sorted key and value arrays): scoring a candidate
    is a vectorised lookup of the article's few hundred keys, not the unpacking of a
    story's thousands. Articles that join are summed in when the story is next read.
    """

    __slots__ = ("_added", "_added_count", "_facts", "_full", "_names", "_names_norm",
                 "_pending", "meaning_count", "meaning_sum", "row", "size_before")

    def __init__(self, row: StoryRow) -> None:
        self.row = row
        self.size_before = row.size
        self._full: Arrays | None = None
        self._names: Arrays | None = None
        self._pending: list[ArticleVector] = []
        self._names_norm: float | None = None
        # (years, figures, places, lead years, weekdays) of the members, read from the row
        # when first asked (split_every), then kept up to date by add.
        self._facts: tuple[set[int], set[int], set[int], set[int], set[int]] | None = None
        # The summed sentence vectors of the stored members that have one, and how many
        # (None until read: see set_meaning), and of the articles added since.
        self.meaning_sum: np.ndarray | None = None
        self.meaning_count = -1
        self._added: np.ndarray | None = None
        self._added_count = 0

    @classmethod
    def load(cls, row: StoryRow) -> StoryState:
        return cls(row)

    def _settle(self) -> None:
        """Sum the articles that joined since the vectors were last read into them."""
        pending, self._pending = self._pending, []
        full, names = self.arrays(), self.name_arrays()
        self._full = add_arrays([full, *(p.arrays() for p in pending)])
        self._names = add_arrays([names, *(p.name_arrays() for p in pending)])
        self._names_norm = None

    def arrays(self) -> Arrays:
        """The summed vector as sorted (keys, values) arrays."""
        if self._pending:
            self._settle()
        if self._full is None:
            self._full = unpack_arrays(self.row.centroid)
        return self._full

    def name_arrays(self) -> Arrays:
        """The summed name-only vector as sorted (keys, values) arrays."""
        if self._pending:
            self._settle()
        if self._names is None:
            self._names = unpack_arrays(self.row.names)
        return self._names

    @property
    def dates(self) -> set[int]:
        """Years mentioned by any member."""
        return self._read_facts()[0]

    @property
    def figures(self) -> set[int]:
        """Figures any member states in its title and lead."""
        return self._read_facts()[1]

    @property
    def places(self) -> set[int]:
        """Places any member puts its title and lead in."""
        return self._read_facts()[2]

    @property
    def lead_years(self) -> set[int]:
        """Years any member states in its title, lead or date lines."""
        return self._read_facts()[3]

    @property
    def weekdays(self) -> set[int]:
        """Weekdays any member names in its title and lead."""
        return self._read_facts()[4]

    def _read_facts(self) -> tuple[set[int], set[int], set[int], set[int], set[int]]:
        if self._facts is None:
            dates, figures, places, lead_years, weekdays = split_every(self.row.dates)
            self._facts = (set(dates), set(figures), set(places), set(lead_years),
                           set(weekdays))
        return self._facts

    def top(self, count: int) -> list[int]:
        """The ``count`` heaviest keys of the summed vector (as :func:`top_keys`)."""
        return top_array_keys(self.arrays(), count)

    @property
    def names_norm(self) -> float:
        if self._names_norm is None:
            values = self.name_arrays()[1].astype(np.float64)
            self._names_norm = math.sqrt(float(np.dot(values, values)))
        return self._names_norm

    @property
    def named(self) -> bool:
        """Whether its articles name enough people and places to disagree (MIN_NAMES)."""
        return self.name_count >= MIN_NAMES

    @property
    def name_count(self) -> int:
        """How many distinct names (name keys) its articles have."""
        return len(self.name_arrays()[0])

    def names_cosine(self, names: Arrays, norm: float = 1.0) -> float:
        """The cosine of a name vector of norm ``norm`` with this story's names."""
        own = self.names_norm
        return dot_arrays(names, self.name_arrays()) / (own * norm) if own and norm else 0.0

    def set_meaning(self, total: np.ndarray | None, count: int) -> None:
        """The stored members' summed sentence vectors (:meth:`Meanings.sums`)."""
        self.meaning_sum, self.meaning_count = total, count

    @property
    def meaning_known(self) -> bool:
        return self.meaning_count >= 0

    def mean_meaning(self) -> tuple[np.ndarray | None, int]:
        """The summed sentence vectors of all its members that have one, and their count."""
        parts = [v for v in (self.meaning_sum, self._added) if v is not None]
        total = parts[0] if len(parts) == 1 else (parts[0] + parts[1] if parts else None)
        return total, max(self.meaning_count, 0) + self._added_count

    def cohesion(self, weights: Weights) -> float:
        """Mean pairwise similarity of the members (1 for fewer than two): with unit
        vectors the sum over pairs is (|sum|^2 - n) / 2 (the summed vector keeps its
        heaviest keys: a close bound); scaled, where two or more members have sentence
        vectors, by their mean pairwise agreement, as the stage scores a pair."""
        n = self.row.size
        if n < 2:
            return 1.0
        values = self.arrays()[1].astype(np.float64)
        mean = max(0.0, (float(np.dot(values, values)) - n) / (n * (n - 1)))
        total, count = self.mean_meaning()
        if weights.semantic > 0 and total is not None and count >= 2:
            cosine = (float(np.dot(total, total)) - count) / (count * (count - 1))
            mean *= float(semantic_factor(cosine, weights))
        return mean

    def meaning_factor(self, item: ArticleVector, weights: Weights) -> float:
        """:func:`semantic_factor` of ``item``'s mean sentence-vector cosine to the members
        that have one; 1 where either side has none (or it is off)."""
        if weights.semantic <= 0 or item.meaning is None or not self.meaning_known:
            return 1.0
        total, count = self.mean_meaning()
        if total is None or count <= 0:
            return 1.0
        return float(semantic_factor(float(np.dot(item.meaning, total)) / count, weights))

    def score(self, item: ArticleVector, weights: Weights) -> tuple[float, bool]:
        """Mean similarity of ``item`` to the members (vetoes applied), and whether
        their names agree (neither names anyone, or they share names)."""
        score, agree, _ = self.score_parts(item, weights)
        return score, agree

    def score_parts(self, item: ArticleVector, weights: Weights) -> tuple[float, bool, float]:
        """:meth:`score`, and the factor by which the vetoes damped it."""
        if self.row.size <= 0:
            return 0.0, False, 1.0
        base = dot_arrays(item.arrays(), self.arrays()) / self.row.size
        has_names = bool(names_can_disagree(item.name_count(), self.name_count)
                         and self.names_norm)
        # The names' cosine counts only where both name enough to disagree (agree, and
        # veto_factor, read it only then): a dot product a candidate saved otherwise.
        names_cos = self.names_cosine(item.name_arrays()) if has_names else 0.0
        agree = not has_names or names_cos >= weights.name_floor
        apart = _days_apart(item.day, self.row.first_day, self.row.last_day)
        if (apart is None or (item.figures and weights.figure_penalty < 1.0)
                or (item.places and weights.place_penalty < 1.0)):
            dates, figures, places, lead_years, weekdays = self._read_facts()
        else:
            # veto_factor reads the story's years only for an undated pair, its figures
            # and places only where the article states some (and they are weighed): most
            # candidates need none of them, and reading them was a split_every a candidate.
            dates = figures = places = lead_years = weekdays = frozenset()
        factor = veto_factor(
            names_cos, has_names, item.dates, dates, apart, weights,
            item.figures, figures, item.places, places, item.lead_years, lead_years,
            *((item.weekdays, weekdays) if weights.weekday_scope == "all" else ()),
        )
        return (base * factor if base > 0 else 0.0), agree, factor

    def add(self, item: ArticleVector) -> None:
        self._pending.append(item)
        if item.meaning is not None:
            self._added = item.meaning if self._added is None else self._added + item.meaning
            self._added_count += 1
        facts = (item.dates, item.figures, item.places, item.lead_years, item.weekdays)
        if any(facts):  # else the row's blob need not be read yet
            for mine, theirs in zip(self._read_facts(), facts, strict=True):
                mine.update(theirs)
        self.row.size += 1
        if item.day is not None:
            first, last = self.row.first_day, self.row.last_day
            self.row.first_day = item.day if first is None else min(first, item.day)
            self.row.last_day = item.day if last is None else max(last, item.day)


def _days_apart(day: int | None, first: int | None, last: int | None) -> int | None:
    if day is None or first is None or last is None:
        return None
    if first <= day <= last:
        return 0
    return min(abs(day - first), abs(day - last))


def choose_story(scored: Sequence[tuple[float, bool, int, int]], threshold: float) -> int | None:
    """The story an article joins, from its candidates' ``(score, names agree, size, id)``
    best first: the best, if it reaches ``threshold``.

    A lone article is not attached to a larger story below the threshold here,
    though :func:`newsweave.stories.repair.attach_small` does so: online, its own
    event may simply not have arrived yet (measured on ECB+: attaching online cost
    precision), so the close call goes to repair, which sees the neighbourhood.
    """
    if scored and scored[0][0] >= threshold:
        return scored[0][3]
    return None


@dataclass(slots=True)
class Assignment:
    """What :func:`assign` did: stories to repair, and stories whose size crossed a
    power of two (their title and entities are worth re-choosing)."""

    close: set[int]
    grown: set[int]
    # For each story in ``close``, the stories that came close to it in a decision.
    hints: dict[int, set[int]] = field(default_factory=dict)
    # Of ``close``, those where a decision was within MARGIN (the runner-up nearly
    # as good, or the best barely on one side of the threshold): always repaired.
    uncertain: set[int] = field(default_factory=set)


def assign(
    tables: StoryTables,
    items: Sequence[ArticleVector],
    weights: Weights,
    threshold: float,
    linked: Mapping[int, Mapping[int, float]] | None = None,
    meanings: Meanings | None = None,
) -> Assignment:
    """Put each article (in the given order) into its best story or a new one.

    ``linked`` maps an article to the articles the reuse stage relates it to,
    with a weight: a story holding a linked article scores at least that
    weight (1 for a copy, so a copy joins its source's story whatever the
    words say). The cost per article is that of its candidates (from the key
    index), whatever the store's size; stories are written once per batch.
    With ``meanings`` (and ``weights.semantic``), an article with a sentence vector has
    its score to each story that comes within reach scaled by its mean agreement with
    the story's members (:meth:`StoryState.meaning_factor`).
    """
    touched: dict[int, StoryState] = {}
    batch_keys: dict[int, set[int]] = {}  # key index of stories changed in this batch
    changed: set[int] = set()
    uncertain: set[int] = set()
    hints: dict[int, set[int]] = {}
    joined: list[tuple[int, int]] = []  # (article, story), written at once before the saves
    story_of = tables.story_of(a for item in items for a in (linked or {}).get(item.id, ()))
    # The stored candidates of every article first, and their rows in one read: the index
    # and the stored rows do not change until the stories are saved at the end.
    queries = [top_array_keys(item.arrays(), QUERY_KEYS) for item in items]
    found = [tables.candidates(query, CANDIDATES) for query in queries]
    for story_id, row in tables.stories_by_id({s for f in found for s in f}).items():
        if row.merged_into is None and row.size > 0:
            touched[story_id] = StoryState(row)
    for item, query, stored in zip(items, queries, found, strict=True):
        candidates = set(stored)
        candidates.update(s for k in query for s in batch_keys.get(k, ()))
        floor: dict[int, float] = {}
        for other, weight in (linked or {}).get(item.id, {}).items():
            if other in story_of:
                story = story_of[other]
                floor[story] = max(floor.get(story, 0.0), weight)
        candidates |= set(floor)
        missing = [s for s in candidates if s not in touched]
        for story_id, row in tables.stories_by_id(missing).items():
            if row.merged_into is None and row.size > 0:
                touched[story_id] = StoryState(row)
        parts = {s: touched[s].score_parts(item, weights) for s in candidates
                 if s in touched and touched[s].row.size > 0}
        if meanings is not None and weights.semantic > 0 and item.meaning is not None:
            _scale_by_meaning(tables, meanings, touched, parts, item, weights, threshold)
        scored = []
        for s, (score, agree, factor) in parts.items():
            scored.append((max(link_floor(floor.get(s, 0.0), factor), score),
                           agree or s in floor, touched[s].row.size, s))
        scored.sort(key=lambda t: (-t[0], t[3]))
        chosen = choose_story(scored, threshold)
        if chosen is not None:
            state = touched[chosen]
            state.add(item)
        else:
            row = StoryRow(0, 0, "", b"", b"", b"", item.day, item.day)
            row.id = tables.new_story(row)
            state = StoryState(row)
            state.set_meaning(None, 0)  # no stored member: its vectors are those added
            state.add(item)
            touched[row.id] = state
        joined.append((item.id, state.row.id))
        story_of[item.id] = state.row.id
        for k in query:
            batch_keys.setdefault(k, set()).add(state.row.id)
        # Repair is needed only where the choice was close: a second story within reach
        # (the two may belong together) or a new story beside a near miss.
        reach = min(threshold / 2, weights.attach) if weights.attach > 0 else threshold / 2
        others = [t for t in scored if t[3] != state.row.id]
        if others and others[0][0] >= reach:
            near = [t[3] for t in others[:3] if t[0] >= reach]
            group = {state.row.id, *near}
            changed |= group
            best = scored[0][0]
            if best - others[0][0] < MARGIN or abs(best - threshold) < MARGIN:
                uncertain |= group
            for story in group:
                hints.setdefault(story, set()).update(group - {story})
        elif scored and abs(scored[0][0] - threshold) < MARGIN:
            # A join this close to the threshold with no runner-up in reach is a close
            # call too (a new story beside a near miss has one: the branch above): repair
            # checks that the story still holds together. In a store past the whole
            # re-clusterings, a same-kind event's report joined this way merged two
            # events (docs/benchmarks.md, #12 part 3).
            changed.add(state.row.id)
            uncertain.add(state.row.id)
            hints.setdefault(state.row.id, set())
    tables.set_memberships(joined)  # nothing above reads the memberships of this batch
    grown: set[int] = set()
    saved: list[tuple[StoryRow, list[int]]] = []
    for state in touched.values():
        if state.row.size != state.size_before:
            saved.append(_saved(tables, state))
            if state.size_before <= 0 or (
                state.row.size.bit_length() != state.size_before.bit_length()
            ):
                grown.add(state.row.id)
    tables.update_stories(saved)
    return Assignment(changed, grown, hints, uncertain)


def _scale_by_meaning(
    tables: StoryTables,
    meanings: Meanings,
    states: Mapping[int, StoryState],
    parts: dict[int, tuple[float, bool, float]],
    item: ArticleVector,
    weights: Weights,
    threshold: float,
) -> None:
    """Scale the word scores ``parts`` of ``item`` by its agreement with each story
    (:meth:`StoryState.meaning_factor`), for the stories whose scaled score could reach a
    decision: a score that even the largest factor keeps below the reach of a close call
    decides nothing, so those stories' members are never read."""
    reach = min(threshold / 2, weights.attach) if weights.attach > 0 else threshold / 2
    largest = float(semantic_factor(1.0, weights))
    near = [s for s, (score, _, _) in parts.items() if score * largest >= reach]
    unread = [s for s in near if not states[s].meaning_known]
    if unread:
        for story_id, (total, count) in meanings.sums(tables, unread).items():
            states[story_id].set_meaning(total, count)
    for s in near:
        score, agree, factor = parts[s]
        parts[s] = (score * states[s].meaning_factor(item, weights), agree, factor)


def _saved(tables: StoryTables, state: StoryState) -> tuple[StoryRow, list[int]]:
    """A story's row as assignment leaves it, with its index keys, to save."""
    row = state.row
    centroid = top_of(state.arrays(), CENTROID_KEYS)  # the heaviest keys only (memory)
    row.centroid = pack_arrays(centroid)
    row.names = pack_arrays(state.name_arrays())
    row.dates = pack_dates(state.dates, state.figures, state.places, state.lead_years,
                           state.weekdays)
    if not row.title:
        titles = tables.features(tables.members([row.id]).get(row.id, [])[:1])
        row.title = next((r.title for r in titles.values()), "")
    return row, top_array_keys(centroid, STORY_KEYS)


def rebuild(
    tables: StoryTables,
    story_id: int,
    members: Sequence[int],
    vectors: Mapping[int, ArticleVector],
    cache: VectorCache | None = None,
) -> None:
    """Recompute a story's state, title and entities from its members (after repair)."""
    tables.update_stories([rebuilt(tables, story_id, members, vectors, cache)])


def rebuilt(
    tables: StoryTables,
    story_id: int,
    members: Sequence[int],
    vectors: Mapping[int, ArticleVector],
    cache: VectorCache | None = None,
) -> tuple[StoryRow, list[int]]:
    """:func:`rebuild`'s row and index keys, to save."""
    present = [a for a in members if a in vectors]
    centroid = add_arrays([vectors[a].arrays() for a in present])
    names = add_arrays([vectors[a].name_arrays() for a in present])
    dates: set[int] = set()
    figures: set[int] = set()
    places: set[int] = set()
    lead_years: set[int] = set()
    weekdays: set[int] = set()
    for a in present:
        dates |= vectors[a].dates
        figures |= vectors[a].figures
        places |= vectors[a].places
        lead_years |= vectors[a].lead_years
        weekdays |= vectors[a].weekdays
    days = [vectors[a].day for a in present if vectors[a].day is not None]
    rows = feature_rows(tables, members, cache)
    titled = [a for a in present if a in rows]
    title = choose_title([(rows[a].title, centrality) for a, centrality
                          in zip(titled, _centrality(centroid, [vectors[a] for a in titled]),
                                 strict=True)])
    entities = top_entities([(rows[a].labels, vectors[a].names) for a in titled])
    pruned = top_of(centroid, CENTROID_KEYS)
    row = StoryRow(
        story_id, len(members), title, pack_arrays(pruned), pack_arrays(names),
        pack_dates(dates, figures, places, lead_years, weekdays), min(days, default=None),
        max(days, default=None), entities,
    )
    return row, top_array_keys(pruned, STORY_KEYS)


def _centrality(centroid: Arrays, items: Sequence[ArticleVector]) -> list[float]:
    """Each item's dot product with the summed vector (which holds every key they hold)."""
    if not items:
        return []
    keys = [item.arrays()[0] for item in items]
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(items))
    if not lengths.sum():
        return [0.0] * len(items)
    at = np.searchsorted(centroid[0], np.concatenate(keys))
    values = np.concatenate([item.arrays()[1] for item in items]) * centroid[1][at]
    owner = np.repeat(np.arange(len(items)), lengths)
    return np.bincount(owner, weights=values, minlength=len(items)).tolist()  # type: ignore[no-any-return]


REFRESH_MAX = 100  # larger stories keep their title until a repair rebuilds them


def refresh(
    tables: StoryTables,
    story_ids: Iterable[int],
    weights: Weights,
    cache: VectorCache | None = None,
) -> None:
    """Re-choose title and entities of ``story_ids`` (up to :data:`REFRESH_MAX` articles);
    ``cache``: vectors already weighed in this run (see :func:`article_vectors`)."""
    members = tables.members(story_ids)
    # Saved together: a rebuild reads no story row or index key, only articles' features.
    tables.update_stories([
        rebuilt(tables, story_id, articles, article_vectors(tables, articles, weights, cache),
                cache)
        for story_id, articles in sorted(members.items()) if len(articles) <= REFRESH_MAX])
