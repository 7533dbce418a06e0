"""One parser per resource: what a request asks of a list or a view, read once.

A page and its JSON twin call the same parser, so they accept the same parameters
with the same checks and messages (every bad value is a :class:`BadRequest`, a 400).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.datastructures import QueryParams

from newsweave.store.search import CONSIDERED, StoryFilter
from newsweave.web.paging import BadRequest, choice, day, decode_cursor, page_size, whole
from newsweave.web.respond import LIST_FORMATS

SORTS = ("newest", "largest", "origins")
MAX_QUERY = 500  # characters of a search query that are searched


@dataclass(frozen=True, slots=True)
class StoriesQuery:
    """``/`` and ``/api/v1/stories``: sort, filters, page size, cursor, format."""

    sort: str
    size: int
    filters: StoryFilter
    after: tuple[float, int] | None
    fmt: str

    @classmethod
    def parse(cls, q: QueryParams) -> StoriesQuery:
        sort = choice(q.get("sort"), "sort", SORTS)
        after = decode_cursor(q.get("cursor"), f"stories:{sort}", (float, int))
        return cls(sort, page_size(q.get("size")), StoryFilter(
            outlet=q.get("outlet") or None, language=q.get("language") or None,
            entity=whole(q.get("entity"), "entity"), since=day(q.get("since"), "since"),
            until=day(q.get("until"), "until")),
            (float(after[0]), int(after[1])) if after else None,
            choice(q.get("format"), "format", LIST_FORMATS))

    def meta(self) -> dict[str, Any]:
        f = self.filters
        return {"sort": self.sort, "filters": {
            "outlet": f.outlet, "language": f.language, "entity": f.entity,
            "since": _iso(f.since), "until": _iso(f.until)}}


@dataclass(frozen=True, slots=True)
class ArticlesQuery:
    """``/api/v1/articles``: outlet and language filters, keyset cursor, format."""

    size: int
    after: int
    outlet: str | None
    language: str | None
    fmt: str

    @classmethod
    def parse(cls, q: QueryParams) -> ArticlesQuery:
        after = decode_cursor(q.get("cursor"), "articles", (int,))
        return cls(page_size(q.get("size")), int(after[0]) if after else 0,
                   q.get("outlet") or None, q.get("language") or None,
                   choice(q.get("format"), "format", LIST_FORMATS))


@dataclass(frozen=True, slots=True)
class OffsetQuery:
    """A list computed whole (entities, quotes) and served page by page, maybe of a story."""

    story: int | None
    size: int
    offset: int
    fmt: str

    @classmethod
    def parse(cls, q: QueryParams, kind: str) -> OffsetQuery:
        story = whole(q.get("story"), "story")
        after = decode_cursor(q.get("cursor"), f"{kind}:{story}", (int,))
        return cls(story, page_size(q.get("size")), int(after[0]) if after else 0,
                   choice(q.get("format"), "format", LIST_FORMATS))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """``/search`` and ``/api/v1/search``: the query, its filters, offset cursor, format."""

    text: str
    size: int
    offset: int
    outlet: str | None
    language: str | None
    story: int | None
    entity: int | None
    since: date | None
    until: date | None
    one_per_origin: bool
    fmt: str
    raw: dict[str, str]  # the parameters as given, for the search form

    @classmethod
    def parse(cls, q: QueryParams) -> SearchQuery:
        after = decode_cursor(q.get("cursor"), "search", (int,))
        offset = int(after[0]) if after else 0
        if offset >= CONSIDERED:
            raise BadRequest(f"cursor is past the last page a search shows "
                             f"(the best {CONSIDERED:,} hits)")
        return cls(
            (q.get("q") or "")[:MAX_QUERY], page_size(q.get("size")), offset,
            q.get("outlet") or None, q.get("language") or None, whole(q.get("story"), "story"),
            whole(q.get("entity"), "entity"), day(q.get("since"), "since"),
            day(q.get("until"), "until"),
            choice(q.get("origins"), "origins", ("all", "one")) == "one",
            choice(q.get("format"), "format", LIST_FORMATS),
            {k: q.get(k) or "" for k in ("q", "outlet", "language", "story", "entity",
                                         "since", "until", "origins")})

    def engine_args(self) -> dict[str, Any]:
        return {"outlet": self.outlet, "language": self.language, "story": self.story,
                "entity": self.entity, "since": self.since, "until": self.until,
                "one_per_origin": self.one_per_origin, "limit": self.size,
                "offset": self.offset}


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """``/articles/{id}`` and its twin: the article and the passage to highlight."""

    id: int
    highlight: tuple[int, int] | None

    @classmethod
    def parse(cls, path_id: str, q: QueryParams) -> ArticleQuery:
        article_id = whole(path_id, "article id", required=True) or 0
        raw = q.get("hl")
        if not raw:
            return cls(article_id, None)
        start, _, end = raw.partition("-")
        a, b = whole(start, "hl start", required=True), whole(end, "hl end", required=True)
        if a is None or b is None or b <= a:
            raise BadRequest("hl must be START-END with START < END")
        return cls(article_id, (a, b))


@dataclass(frozen=True, slots=True)
class PairQuery:
    """``/compare`` and its twin: two different articles."""

    a: int
    b: int

    @classmethod
    def parse(cls, q: QueryParams) -> PairQuery:
        a = whole(q.get("a"), "a", required=True) or 0
        b = whole(q.get("b"), "b", required=True) or 0
        if a == b:
            raise BadRequest("a and b must be two different articles")
        return cls(a, b)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
