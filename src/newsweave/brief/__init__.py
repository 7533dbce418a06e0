"""The cited brief of a story: build, support check, and the three renderings.

``Engine.brief(story_id)`` gathers a story's articles, origins, entities,
quotes and dates from the store and calls :func:`make_brief`; renderers turn
the result into Markdown, one self-contained HTML file, or JSON
(``docs/schema/brief.json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from newsweave.brief.build import Brief, build_brief
from newsweave.brief.render_html import render_html
from newsweave.brief.render_json import render_json
from newsweave.brief.render_md import render_markdown
from newsweave.brief.support import check_support
from newsweave.crosscheck.align import PairCache
from newsweave.crosscheck.compare import Similarity
from newsweave.crosscheck.frames import ClaimFramer
from newsweave.crosscheck.status import Embedder, StoryArticle, cross_check
from newsweave.model import Entity, Quote

FORMATS = ("md", "html", "json")


def make_brief(
    story: int,
    title: str,
    articles: Sequence[StoryArticle],
    origin_of: Mapping[int, Sequence[int]],
    *,
    entities: Sequence[Entity] = (),
    quotes: Sequence[Quote] = (),
    derived_from: Mapping[int, int | None] | None = None,
    event_dates: Mapping[int, Sequence[tuple[date, int, int]]] | None = None,
    embedder: Embedder | None = None,
    framer: ClaimFramer | None = None,
    pairs: PairCache | None = None,
    similarity: Similarity | None = None,
) -> Brief:
    """Cross-check the story's articles, build the brief, and verify every citation.

    ``framer`` and ``pairs`` read and keep the parse's frames and the scored claim pairs
    (:func:`newsweave.crosscheck.status.cross_check`), ``similarity`` compares what
    figures count (:func:`newsweave.crosscheck.compare.cached_similarity` reads its vectors
    from a store): the brief is the same without."""
    types: dict[str, str] = {}
    for entity in entities:
        for name in (entity.name, *entity.aliases):
            types.setdefault(name.lower(), entity.type)
    check = cross_check(articles, origin_of, entity_types=types, embedder=embedder,
                        framer=framer, pairs=pairs, similarity=similarity)
    brief = build_brief(story, title, check, quotes=quotes, entities=entities,
                        derived_from=derived_from, event_dates=event_dates)
    return check_support(brief, {a.id: a.text for a in articles})


def render(brief: Brief, fmt: str) -> str:
    """The brief in ``fmt``: "md", "html" or "json"."""
    if fmt == "md":
        return render_markdown(brief)
    if fmt == "html":
        return render_html(brief)
    if fmt == "json":
        return render_json(brief)
    raise ValueError(f"unknown brief format {fmt!r}: expected one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "Brief", "make_brief", "render"]
