"""The stories stage's rows as the store reads and writes them, and the interface of its
tables (:class:`StoryTables`), which both backends implement with
:class:`newsweave.store.stories.StoriesTables`.
"""

from __future__ import annotations

import json
from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    Sequence,
    ValuesView,
)
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


class StoredLabels(Mapping[int, str]):
    """An article's name labels as stored (JSON), decoded on first use: weighing reads the
    feature rows of every article repair looks at, and only title and entity choices read
    their labels (decoding them all was ~3 % of the stage)."""

    __slots__ = ("_decoded", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._decoded: dict[int, str] | None = None

    def _labels(self) -> dict[int, str]:
        if self._decoded is None:
            self._decoded = {int(k): v for k, v in json.loads(self._text).items()}
        return self._decoded

    def __getitem__(self, key: int) -> str:
        return self._labels()[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._labels())

    def __len__(self) -> int:
        return len(self._labels())

    def __repr__(self) -> str:
        return repr(self._labels())

    # The dict's own views and get (in C), not Mapping's (a Python call per item).
    def items(self) -> ItemsView[int, str]:
        return self._labels().items()

    def keys(self) -> KeysView[int]:
        return self._labels().keys()

    def values(self) -> ValuesView[str]:
        return self._labels().values()

    def get(self, key: int, default: Any = None) -> Any:
        return self._labels().get(key, default)


class StoredEntities(Sequence[str]):
    """A story's top entities as stored (JSON), decoded on first use: assignment reads the
    rows of ~25 candidate stories an article and never their entities (decoding them was
    ~1 % of the stage); a row saved again writes the stored text back as it was."""

    __slots__ = ("_decoded", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._decoded: list[str] | None = None

    def _entities(self) -> list[str]:
        if self._decoded is None:
            self._decoded = json.loads(self.text)
        return self._decoded

    def __getitem__(self, index: Any) -> Any:
        return self._entities()[index]

    def __len__(self) -> int:
        return len(self._entities())

    def __iter__(self) -> Iterator[str]:
        return iter(self._entities())

    def __eq__(self, other: object) -> bool:
        return list(self) == (list(other) if isinstance(other, StoredEntities) else other)

    def __repr__(self) -> str:
        return repr(self._entities())


def entities_json(entities: Sequence[str]) -> str:
    if isinstance(entities, StoredEntities):
        return entities.text  # as read: json.dumps of the same list
    return json.dumps(list(entities), ensure_ascii=False)


@dataclass(slots=True)
class FeatureRow:
    article_id: int
    terms: bytes
    names: bytes
    dates: bytes
    labels: Mapping[int, str]
    day: int | None
    title: str


@dataclass(slots=True)
class StoryRow:
    id: int
    size: int
    title: str
    centroid: bytes
    names: bytes
    dates: bytes
    first_day: int | None
    last_day: int | None
    entities: Sequence[str] = field(default_factory=list)
    merged_into: int | None = None


class StoryTables(Protocol):
    """What the stories stage and the engine need from the store."""

    def save_features(self, rows: Sequence[FeatureRow]) -> None:
        """Store feature rows, replacing the articles' earlier ones (counters untouched)."""

    def add_counts(self, delta: Mapping[int, int]) -> None:
        """Add ``delta`` (counter key -> change) to the stored counters: one per feature
        key (articles holding it) and :data:`DOCUMENTS` (articles counted). What to count
        is the stories stage's business (:mod:`newsweave.stories.frequencies`)."""
        ...

    def features(self, article_ids: Iterable[int]) -> dict[int, FeatureRow]: ...

    def document_frequencies(self, keys: Iterable[int]) -> dict[int, int]: ...

    def frequency_list(self, keys: Sequence[int]) -> list[int]: ...

    def frequency_array(self, keys: np.ndarray) -> np.ndarray: ...

    def document_count(self) -> int: ...

    def candidates(self, keys: Sequence[int], limit: int) -> list[int]: ...

    def candidates_of(self, queries: Sequence[Sequence[int]], limit: int
                      ) -> list[list[int]]: ...

    def stories_by_id(self, story_ids: Iterable[int]) -> dict[int, StoryRow]: ...

    def new_story(self, row: StoryRow) -> int: ...

    def update_story(self, row: StoryRow, keys: Sequence[int]) -> None: ...

    def update_stories(self, updates: Sequence[tuple[StoryRow, Sequence[int]]]) -> None: ...

    def merge_story(self, story_id: int, into: int) -> None: ...

    def set_members(self, story_id: int, article_ids: Iterable[int]) -> None: ...

    def set_memberships(self, pairs: Iterable[tuple[int, int]]) -> None: ...

    def story_of(self, article_ids: Iterable[int]) -> dict[int, int]: ...

    def members(self, story_ids: Iterable[int]) -> dict[int, list[int]]: ...

    def member_days(self, story_ids: Iterable[int]) -> dict[int, list[int | None]]: ...

    def active_story_ids(self) -> list[int]: ...

    def active_among(self, story_ids: Iterable[int]) -> list[int]: ...

    def resolve(self, story_id: int) -> int | None: ...

    def summaries(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]: ...

    def log(
        self, action: str, story_id: int, other_id: int | None,
        articles: Sequence[int] | Mapping[str, Sequence[int]],
    ) -> None: ...

    def history(self, story_id: int | None = None) -> list[dict[str, Any]]: ...

    def user_decisions(self) -> list[dict[str, Any]]: ...
