"""What each page shows, as plain data: the JSON API returns it, the templates draw it.

Every function takes an :class:`~newsweave.engine.Engine` and ids, and calls only
the engine: the web layer holds no analysis of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote_plus, urlsplit

from markupsafe import Markup, escape

from newsweave.engine import Engine
from newsweave.errors import NotFoundError
from newsweave.model import Article, Passage, Story
from newsweave.web import graph
from newsweave.web.briefs import BriefWorker


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host, else None (never a link)."""
    if not url:
        return None
    text = url.strip()
    if any(ord(c) < 33 for c in text):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


# A story whose confidence is below this is flagged "doubtful": its nearest story reaches
# at least 3/4 of the bar at which it would belong with it. A display line, the
# same for every store; the number itself is always shown beside the flag.
DOUBTFUL = 0.25


def story_summary(story: Story, briefs: BriefWorker | None = None) -> dict[str, Any]:
    """A story's listing. ``confidence`` (0 doubtful .. 1 clear, None when not computed)
    and ``doubtful`` (confidence below :data:`DOUBTFUL`). ``contested``: contested points
    of the newest brief this server has computed (None with ``contested_checked`` false
    when it has none: a listing never computes briefs, and the store keeps none)."""
    brief = briefs.peek(story.id) if briefs is not None else None
    sure = story.confidence
    return {
        "id": story.id, "title": story.title, "articles": len(story.articles),
        "independent_origins": story.independent_origins, "outlets": story.outlets,
        "first_seen": story.first_published, "last_seen": story.last_published,
        "entities": story.entities[:8],
        "confidence": sure, "doubtful": sure is not None and sure < DOUBTFUL,
        "cohesion": story.cohesion, "nearest_story": story.nearest_story,
        "nearest_similarity": story.nearest_similarity,
        "contested": None if brief is None else sum(
            1 for c in brief.get("claims", []) if c.get("status") == "contested"),
        "contested_checked": brief is not None,
    }


def article_summary(a: Article) -> dict[str, Any]:
    return {
        "id": a.id, "title": a.title, "outlet": a.outlet, "published": a.published,
        "language": a.language, "url": safe_url(a.url), "author": a.author,
    }


def listed_article(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the article list from the store's listed fields
    (:meth:`~newsweave.store.search.SearchTables.article_rows`): what
    :func:`article_summary` shows, and how the outlet and the date were found (the
    fields in that order), its URL a link only where it is http(s)."""
    return {**row, "url": safe_url(row["url"])}


def brief_of(engine: Engine, briefs: BriefWorker, story_id: int, wait: float
             ) -> tuple[dict[str, Any] | None, str]:
    """The story's brief (None until the worker has one) and its status: "ready",
    "updating" (an older brief, a newer one is being computed), "pending" or "failed"."""
    live = engine.store.stories.resolve(story_id)
    if live is None:
        raise NotFoundError(f"no story with id {story_id}")
    generation = engine.store.search.story_generation(live, [s.name for s in engine.stages])
    state = briefs.wait(live, generation, wait)
    if state.current:
        return state.data, "ready"
    if state.data is not None:
        return state.data, "updating"
    return None, "failed" if state.error else "pending"


def story_view(engine: Engine, briefs: BriefWorker, story_id: int, wait: float
               ) -> dict[str, Any]:
    """Summary, brief, sources by outlet, coverage per day and the lineage graph."""
    story = engine.story(story_id)
    articles = {a.id: a for a in (engine.article(i) for i in story.articles) if a.id is not None}
    brief, status = brief_of(engine, briefs, story.id, wait)
    provenance = engine.provenance_graph(story.id)
    origin_of = {i: group[0] for group in provenance.origins for i in group}
    outlets: dict[str, list[dict[str, Any]]] = {}
    for a in sorted(articles.values(), key=lambda a: (a.published or "9999", a.id or 0)):
        outlets.setdefault(a.outlet or "unknown", []).append(article_summary(a))
    sources = [{"outlet": name, "first_seen": items[0]["published"] or "unknown",
                "articles": items} for name, items in outlets.items()]
    days: dict[str, dict[str, Any]] = {}
    for a in articles.values():
        day = (a.published or "")[:10] or "unknown"
        slot = days.setdefault(day, {"day": day, "articles": 0, "origins": set()})
        slot["articles"] += 1
        slot["origins"].add(origin_of.get(a.id or 0, a.id))
    coverage = [{"day": d["day"], "articles": d["articles"], "origins": len(d["origins"])}
                for d in sorted(days.values(), key=lambda d: d["day"])]
    return {
        "story": story_summary(story, briefs), "brief": brief, "brief_status": status,
        "sources": sources,
        "coverage": coverage, "lineage": provenance.to_dict(),
        "graph": graph.layout(provenance, articles),
        "contested": sum(1 for c in (brief or {}).get("claims", [])
                         if c.get("status") == "contested"),
    }


def marked(text: str, spans: Sequence[tuple[int, int, str, str]]) -> list[dict[str, Any]]:
    """``text`` cut into segments; spans (start, end, css class, element id) become marked
    segments. Overlapping spans: the first kept wins, so segments never nest."""
    segments: list[dict[str, Any]] = []
    pos = 0
    for start, end, css, ident in sorted(spans, key=lambda s: (s[0], -s[1])):
        start, end = max(start, pos), min(end, len(text))
        if end <= start:
            continue
        if start > pos:
            segments.append({"text": text[pos:start]})
        segments.append({"text": text[start:end], "mark": css, "id": ident})
        pos = end
    if pos < len(text):
        segments.append({"text": text[pos:]})
    return segments


def article_view(engine: Engine, article_id: int, highlight: tuple[int, int] | None
                 ) -> dict[str, Any]:
    """Clean text (a cited passage highlighted), metadata with how found, removed
    boilerplate, entities, quotes, dates, and what it derives from or gives to."""
    a = engine.article(article_id)
    spans = [(highlight[0], highlight[1], "cited", "hl")] if highlight else []
    derives_from, derived_by = [], []
    for e in engine.provenance_graph(engine.story_of(article_id)).edges \
            if engine.story_of(article_id) is not None else []:
        item = {"kind": e.kind, "share": round(e.shared_fraction, 3),
                "confidence": round(e.confidence, 3)}
        if e.derived == article_id and e.kind != "shared-quotes":
            derives_from.append({**item, "article": e.source})
        elif e.source == article_id and e.kind != "shared-quotes":
            derived_by.append({**item, "article": e.derived})
    try:
        dates = engine.dates(article_id).get("expressions", [])
    except Exception:  # dates are extra: an article the extractor did not read has none
        dates = []
    return {
        "article": {
            **article_summary(a), "text": a.text, "source": a.source,
            "external_id": a.external_id, "outlet_how": a.outlet_how,
            "published_how": a.published_how, "ingested_at": a.ingested_at,
            "raw_url": a.url,
        },
        "segments": marked(a.text, spans),
        "highlight": list(highlight) if highlight else None,
        "removed": [{"reason": r.reason, "text": r.text} for r in a.removed],
        "entities": [{"id": e.id, "name": e.name, "type": e.type,
                      "mentions": e.articles.get(article_id, 0)}
                     for e in engine.article_entities(article_id)],
        "quotes": [{"id": q.id, "speaker": q.speaker, "text": v.text, "start": v.start,
                    "end": v.end}
                   for q in engine.article_quotes(article_id) for v in q.variants
                   if v.article == article_id],
        "dates": [{"text": d.get("text"), "date": d.get("date"), "range": d.get("range"),
                   "role": d.get("role")} for d in dates],
        "story": engine.story_of(article_id),
        "derives_from": derives_from, "derived_by": derived_by,
    }


def _coverage(passages: Sequence[Passage], length: int) -> float:
    covered: set[int] = set()
    for p in passages:
        covered.update(range(max(0, p.start), min(length, p.end)))
    return round(len(covered) / length, 3) if length else 0.0


def compare_view(engine: Engine, a_id: int, b_id: int) -> dict[str, Any]:
    """Two articles side by side with the passages one took from the other, by kind."""
    a, b = engine.article(a_id), engine.article(b_id)
    edge = engine.reuse_pair(a_id, b_id)
    evidence = edge.evidence if edge else []
    sides: dict[int, list[tuple[int, int, str, str]]] = {a_id: [], b_id: []}
    passages: dict[int, list[Passage]] = {a_id: [], b_id: []}
    pairs = []
    for n, ev in enumerate(evidence):
        for p in (ev.derived_passage, ev.source_passage):
            if p.article in sides:
                sides[p.article].append((p.start, p.end, ev.kind, f"m{n}-{p.article}"))
                passages[p.article].append(p)
        pairs.append({"kind": ev.kind, "score": round(ev.score, 3),
                      "derived": ev.derived_passage.to_dict(),
                      "source": ev.source_passage.to_dict()})
    return {
        "a": {**article_summary(a), "segments": marked(a.text, sides[a_id]),
              "share_taken": _coverage(passages[a_id], len(a.text))},
        "b": {**article_summary(b), "segments": marked(b.text, sides[b_id]),
              "share_taken": _coverage(passages[b_id], len(b.text))},
        "relation": None if edge is None else {
            "kind": edge.kind, "derived": edge.derived, "source": edge.source,
            "confidence": round(edge.confidence, 3),
            "shared_fraction": round(edge.shared_fraction, 3),
            "attribution": edge.attribution, "reasons": edge.reasons},
        "passages": pairs,
    }


def entity_view(engine: Engine, entity_id: int) -> dict[str, Any]:
    """Spellings, roles, the stories it appears in, and the quotes it is credited with."""
    e = engine.entity(entity_id)
    ids = sorted(e.articles)
    stories = sorted({s for s in (engine.story_of(i) for i in ids) if s is not None})
    names = {e.name.lower(), *(x.lower() for x in e.aliases)}
    quotes = []
    seen: set[int] = set()
    for article_id in ids[:200]:
        for q in engine.article_quotes(article_id):
            if q.id not in seen and q.speaker and q.speaker.lower() in names:
                seen.add(q.id)
                quotes.append({"id": q.id, "text": q.text, "articles": q.articles})
    return {
        "entity": {"id": e.id, "name": e.name, "type": e.type, "aliases": e.aliases,
                   "roles": e.roles, "mentions": sum(e.articles.values())},
        "articles": [article_summary(engine.article(i)) for i in ids[:200]],
        "stories": [story_summary(s) for s in (engine.story(i) for i in stories[:50])],
        "quotes": quotes,
    }


_UNRESERVED_DAY = re.compile(r"[A-Za-z0-9_.\-~]*")


def histogram_html(histogram: Sequence[tuple[str, int]], peak: int,
                   links: Callable[..., str]) -> Markup:
    """The search page's date histogram as its list items: a link to the day (``links``:
    the page's :class:`~newsweave.web.respond.ParamLinks`), a bar and the count; the
    HTML the template's loop gave, escaped the same way, without the template's cost per
    day (a search of the whole store spans hundreds of days)."""
    if not histogram:
        return Markup("")
    # every day's link is the page's link without since/until, with them appended; a
    # day of unreserved characters (a date) needs no encoding and no escaping
    base = links(since=None, until=None)
    base = str(escape(base + ("&" if "?" in base else "?")))
    items = []
    for day, n in histogram:
        if _UNRESERVED_DAY.fullmatch(day):
            link, shown = f"{base}since={day}&amp;until={day}", day
        else:
            value = quote_plus(day)
            link, shown = f"{base}{escape(f'since={value}&until={value}')}", escape(day)
        items.append(f'<li><a href="{link}">{shown}</a> <svg width="100" height="10" '
                     f'aria-hidden="true"><rect x="0" y="1" height="8" '
                     f'width="{round(100 * n / peak, 1)}"></rect></svg> '
                     f'<span class="count">{n}</span></li>')
    return Markup("".join(items))
