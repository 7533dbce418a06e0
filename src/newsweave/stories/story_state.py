"""A story as online assignment sees it (:class:`StoryState`): its summed member vectors,
facts and extent in time, and the score of an article against it.
"""

from __future__ import annotations

import math

import numpy as np

from newsweave.store.stories import StoryRow
from newsweave.stories import vectors as stories_vectors
from newsweave.stories.packing import is_bare
from newsweave.stories.vectors import (
    MIN_NAMES,
    Arrays,
    ArticleVector,
    Weights,
    add_arrays,
    dot_arrays,
    names_can_disagree,
    semantic_factor,
    split_every,
    top_array_keys,
    unpack_arrays,
    veto_factor,
)


class StoryState:
    """A story as online assignment sees it: summed member vectors and extent in time.

    The summed vectors stay packed (sorted key and value arrays): scoring a candidate
    is a vectorised lookup of the article's few hundred keys, not the unpacking of a
    story's thousands. Articles that join are summed in when the story is next read.
    """

    __slots__ = ("_added", "_added_count", "_bare", "_facts", "_full", "_names", "_names_norm",
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
        # Whether every member is a bare headline (BARE_PAIR_FACTOR); None: not read yet.
        self._bare: bool | None = None

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

    @property
    def bare(self) -> bool:
        """Whether every member is a headline with nothing under it (the row's mark, kept
        only while :data:`~newsweave.stories.vectors.BARE_PAIR_FACTOR` is on)."""
        if self._bare is None:
            self._bare = self.size_before <= 0 or is_bare(self.row.dates)
        return self._bare

    def bare_factor(self, item: ArticleVector, weights: Weights) -> float:
        """:data:`~newsweave.stories.vectors.BARE_PAIR_FACTOR` where ``item`` and every
        member are bare headlines, else 1 (as :func:`pair_matrices` weighs their pairs)."""
        factor = stories_vectors.BARE_PAIR_FACTOR  # read on the module, where the bench sets it
        if factor == 1.0 or not (item.bare and self.bare):
            return 1.0
        if stories_vectors.BARE_PAIR_MEANING and not self.meaning_factor(item, weights) > 1.0:
            return 1.0
        return factor

    def score(self, item: ArticleVector, weights: Weights) -> tuple[float, bool]:
        """Mean similarity of ``item`` to the members (vetoes applied), and whether
        their names agree (neither names anyone, or they share names)."""
        score, agree, _ = self.score_parts(item, weights)
        return score, agree

    def score_parts(self, item: ArticleVector, weights: Weights) -> tuple[float, bool, float]:
        """:meth:`score`, and the factor by which the vetoes damped it."""
        if self.row.size <= 0:
            return 0.0, False, 1.0
        base = (dot_arrays(item.arrays(), self.arrays()) / self.row.size
                * self.bare_factor(item, weights))
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
        if stories_vectors.BARE_PAIR_FACTOR != 1.0:  # else never read: no cost a member
            self._bare = self.bare and item.bare
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
