"""The ASGI app: routes for the pages and their JSON twins under ``/api/v1/``.

Handlers are plain functions (Starlette runs them in its thread pool); each
thread keeps its own engine, since an SQLite connection belongs to one thread.
Every read (pages, API, briefs) goes through read-only engines, so a GET cannot
change the store; ingests are background jobs run one at a time in a worker process
(:mod:`newsweave.web.ingest_proc`), and their records are written by one writer thread,
the only one of the server with a writable engine.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from newsweave.engine import Engine, open_engine
from newsweave.errors import InputError, NewsweaveError, NotFoundError, StoreError
from newsweave.store.jobs import KEPT as STORED_JOBS
from newsweave.store.jobs import JobTables
from newsweave.store.search import MARK_END, MARK_START, StoryFilter
from newsweave.web import views
from newsweave.web.briefs import BriefWorker
from newsweave.web.confidence import REFRESH_AFTER, Confidences
from newsweave.web.ingest_proc import IngestProcess
from newsweave.web.jobs import INTERRUPTED, IngestJobs, Job, QueueFull
from newsweave.web.listcache import KEPT as LIST_PAGES
from newsweave.web.listcache import ListCache, Served
from newsweave.web.openapi import spec
from newsweave.web.paging import DEFAULT_PAGE, BadRequest, choice, encode_cursor, whole
from newsweave.web.params import (
    SORTS,
    ArticleQuery,
    ArticlesQuery,
    OffsetQuery,
    PairQuery,
    SearchQuery,
    StoriesQuery,
)
from newsweave.web.respond import (
    ParamLinks,
    SecurityHeaders,
    entity_tag,
    error_json,
    list_response,
    tagged,
    with_params,
)
from newsweave.web.spans import Anchors, Cursor, Records, cursor_of, cut, span_limit

PAGE_WAIT = 0.3  # seconds a story page waits for a first brief before showing the rest
API_WAIT = 120.0  # the JSON twin waits for the brief (a client wants the whole answer)
MAX_UPLOAD = 5_000_000
# Whether a list page served with a next page has that page computed ahead by the list
# cache's refill thread, for a reader paging on (see ListCache.ahead; docs/benchmarks.md,
# "Web and API under load, part 5").
READ_AHEAD = True
log = logging.getLogger(__name__)


class Engines:
    """A read-only engine per worker thread on the same store, and a writable one for
    the thread that writes the ingest jobs' records."""

    def __init__(self, db: str, writable: bool = True) -> None:
        self.db = db
        self.writable = writable
        self._local = threading.local()
        self._all: list[Engine] = []
        self._all_lock = threading.Lock()

    def get(self) -> Engine:
        """This thread's read-only engine."""
        return self._engine("reader", readonly=True)

    def writer(self) -> Engine:
        """This thread's writable engine (the ingest jobs' thread only: the records)."""
        if not self.writable:
            raise NewsweaveError(f"{self.db} is open read-only here: nothing can be ingested")
        return self._engine("writable", readonly=False)

    def _engine(self, name: str, *, readonly: bool) -> Engine:
        engine = getattr(self._local, name, None)
        if engine is None:
            engine = open_engine(self.db, readonly=readonly, create=False)
            setattr(self._local, name, engine)
            with self._all_lock:
                self._all.append(engine)
        return engine

    def close(self) -> None:
        with self._all_lock:
            for engine in self._all:
                with suppress(Exception):  # another thread's connection: closed at exit
                    engine.close()
            self._all.clear()


def _records(engine: Engine, ids: list[int]) -> list[Any]:
    """Listed stories' records, as :meth:`Engine.story_page` builds them (no confidence)."""
    from newsweave.stories import build_stories

    return build_stories(engine.store, ids)


def _prepare(db: str) -> bool:
    """Open the store once writable: it is migrated, and the ingest jobs a stopped server
    left unfinished are marked interrupted. Returns whether the store can be written; one
    that cannot (a read-only file) is served read-only. A missing or unusable store fails
    now, with the store's own message."""
    try:
        engine = open_engine(db, create=False)
    except StoreError:
        open_engine(db, readonly=True, create=False).close()  # raises if unusable
        log.warning("%s cannot be written: serving it read-only (no ingest)", db)
        return False
    try:
        JobTables(engine.store).interrupt_unfinished(time.time(), INTERRUPTED)
    finally:
        engine.close()
    return True


def _highlight_snippet(snippet: str) -> str:
    """A search snippet as HTML: escaped first, then the match markers become <mark>."""
    from markupsafe import Markup, escape

    return Markup(str(escape(snippet)).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _templates() -> Environment:
    env = Environment(loader=PackageLoader("newsweave.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["snippet"] = _highlight_snippet
    env.filters["pct"] = lambda v: f"{float(v or 0):.0%}"
    env.filters["safe_url"] = views.safe_url
    env.globals["histogram_html"] = views.histogram_html
    env.globals["kinds"] = ("copy", "rewrite", "translation", "shared-quotes", "citation")
    return env


def create_app(db: str, tokens: dict[str, frozenset[str]] | None = None, *,
               page_wait: float = PAGE_WAIT, ingest_nice: int = 0,
               list_pages: int = LIST_PAGES,
               confidence_age: float = REFRESH_AFTER) -> Starlette:
    """The web app on the store at ``db``; ``tokens`` maps bearer tokens to scopes;
    ``page_wait``: seconds a story page waits for a brief being computed;
    ``ingest_nice``: the niceness the ingest worker process adds to its own;
    ``list_pages``: list pages kept in the list cache (0: none);
    ``confidence_age``: seconds a listed story's confidence is kept while the story itself
    is unchanged (how late a neighbour's change may show)."""
    writable = _prepare(db)
    engines = Engines(db, writable)
    briefs = BriefWorker(lambda: open_engine(db, readonly=True, create=False))
    env = _templates()
    keys = dict(tokens or {})
    confidences = Confidences(lambda: open_engine(db, readonly=True, create=False),
                              confidence_age)
    lists = ListCache(list_pages)
    anchors = Anchors()
    records = Records()

    def page(request: Request, name: str, status: int = 200, **data: Any) -> HTMLResponse:
        html = env.get_template(name).render(request_path=request.url.path, **data)
        return HTMLResponse(html, status_code=status)

    def api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def handle(fn: Callable[[Request, Engine], Response]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            return fn(request, engines.get())

        endpoint.__name__ = fn.__name__
        return endpoint

    # -- stories ----------------------------------------------------------------

    def _listed(engine: Engine, key: tuple[object, ...],
                compute: Callable[[Engine, Any], tuple[Any, bool]],
                counter: str = "listing_state") -> Served:
        """A list page from the list cache (see web/listcache.py), keyed by what was asked
        and the store's change counter (a store without one: computed each time); a page
        the store has moved past is served as it was and refilled by the cache's refill
        thread, on an engine of its own."""
        state = getattr(engine.store.search, counter, None)
        if state is None:
            return Served(compute(engine, None)[0], None, True)
        # with pages kept, a request never counts the "origins" order (the refill thread
        # does); with none kept, each request computes its page at the store's state
        engine.store.search.recount = "leave" if list_pages > 0 else "wait"
        at = state()
        return lists.serve(key, at, lambda: compute(engine, at), _refill(compute, counter))

    def _refill(compute: Callable[[Engine, Any], tuple[Any, bool]], counter: str
                ) -> Callable[[], tuple[Any, Any, bool]]:
        """``compute`` as the list cache's refill thread runs it: on its own engine, the
        store state read first."""

        def refill() -> tuple[Any, Any, bool]:
            own = engines.get()  # the refill thread's own engine
            # the refill thread brings the "origins" order up to date; requests walk the
            # order counted before meanwhile (see ListingTables.recount)
            own.store.search.recount = "wait"
            at = getattr(own.store.search, counter)()
            value, complete = compute(own, at)
            return at, value, complete

        return refill

    def _story_key(sort: str, filters: StoryFilter, after: Cursor | None, limit: int
                   ) -> tuple[object, ...]:
        """A span of the story list's key in the list cache (see web/spans.py): a
        request's, an anchor's and a read-ahead's."""
        return ("stories", sort, repr(filters), after, limit)

    def _story_list(sort: str, filters: StoryFilter, after: Cursor | None, limit: int,
                    engine: Engine | None) -> Callable[[Engine, Any], tuple[Any, bool]]:
        """The computation of a span of the story list: its ``limit`` stories after
        ``after`` with their confidences (each request cuts its page from it and builds
        the rows: their contested counts come from the briefs computed so far, and its
        own next_url)."""

        def compute(on: Engine, state: Any) -> tuple[Any, bool]:
            rows = on.store.search.story_page(sort, filters, after, limit)
            keys = dict(rows)
            # the stories' records: shared by every span computed at this state (the
            # spans of the sorts and filters list mostly the same stories)
            built = (records.build(state, [r[0] for r in rows], partial(_records, on))
                     if state is not None and list_pages > 0
                     else _records(on, [r[0] for r in rows]))
            found = [(s, keys[s.id]) for s in built]
            stale = getattr(on.store.search, "stale_order", False)
            # a request leaves the confidences of stories never seen to the span's refill
            # (30-120 ms of CPU for 50 stories): the page shows them as not computed;
            # without pages kept or a change counter there is no refill to leave them to
            refilled = list_pages > 0 and hasattr(on.store.search, "story_listing_state")
            current = confidences.fill(on, [s for s, _ in found],
                                       unseen=on is not engine or not refilled)
            return (found, current), all(current.values()) and not stale

        return compute

    def _span(sort: str, filters: StoryFilter, after: Cursor | None, limit: int,
              engine: Engine | None
              ) -> tuple[tuple[object, ...], Callable[[Engine, Any], tuple[Any, bool]]]:
        return (_story_key(sort, filters, after, limit),
                _story_list(sort, filters, after, limit, engine))

    def _story_slice(ask: StoriesQuery, engine: Engine
                     ) -> tuple[list[tuple[Any, float]], dict[int, bool], Served, int,
                                Cursor | None]:
        """The page asked for (and the story after it), cut from a span: the one an
        anchor names for the cursor when it is kept and holds the page, else the span
        from the cursor itself (computed when not kept). Also the span it was cut from
        (served, limit, cursor)."""
        limit = span_limit(ask.size, list_pages > 0)
        listed = (ask.sort, repr(ask.filters))
        tries: list[tuple[Cursor | None, int]] = []
        if ask.after is not None and not lists.holds(
                _story_key(ask.sort, ask.filters, ask.after, limit)):
            anchor = anchors.get(listed, ask.after)
            if anchor is not None and lists.holds(_story_key(ask.sort, ask.filters, *anchor)):
                tries.append(anchor)
        tries.append((ask.after, limit))
        for span_after, span_limit_ in tries:
            served = _listed(engine, *_span(ask.sort, ask.filters, span_after, span_limit_,
                                            engine), "story_listing_state")
            found, current = served.value
            page = cut(found, ask.after, ask.size, span_limit_)
            if page is not None:
                return page, current, served, span_limit_, span_after
        raise AssertionError("a span from the cursor itself holds its page")

    def _stories(request: Request, engine: Engine
                 ) -> tuple[StoriesQuery, list[dict[str, Any]], str | None, Served]:
        ask = StoriesQuery.parse(request.query_params)
        found, current, served, limit, span_after = _story_slice(ask, engine)
        rows = [{**views.story_summary(s, briefs), "confidence_current": current[s.id]}
                for s, _ in found[:ask.size]]
        next_url = None
        if len(found) > ask.size:
            last, sort_key = found[ask.size - 1]
            next_url = with_params(request, cursor=encode_cursor(f"stories:{ask.sort}",
                                                                 sort_key, last.id))
            after = cursor_of(found[ask.size - 1])
            if cut(served.value[0], after, ask.size, limit) is not None:
                # the next page is in this span too: a reader paging on is served from it
                anchors.put((ask.sort, repr(ask.filters)), after, (span_after, limit))
            elif READ_AHEAD:  # the span from the next cursor, computed by the refill thread
                # after the refills waiting (a reader asking for it before the thread
                # starts it computes it, as without read-ahead)
                lists.ahead(*_refilled(ask.sort, ask.filters, after,
                                       span_limit(ask.size, list_pages > 0), engine),
                            behind=True)
        return ask, rows, next_url, served

    def _refilled(sort: str, filters: StoryFilter, after: Cursor | None, limit: int,
                  engine: Engine | None
                  ) -> tuple[tuple[object, ...], Callable[[], tuple[Any, Any, bool]]]:
        key, compute = _span(sort, filters, after, limit, engine)
        return key, _refill(compute, "story_listing_state")

    def stories_page(request: Request, engine: Engine) -> Response:
        ask, rows, next_url, _ = _stories(request, engine)
        return page(request, "stories.html", stories=rows, next_url=next_url, **ask.meta(),
                    outlets=engine.store.search.facet_values("outlet"),
                    languages=engine.store.search.facet_values("language"))

    def stories_api(request: Request, engine: Engine) -> Response:
        ask, rows, next_url, served = _stories(request, engine)
        return list_response(request, ask.fmt, "stories", rows, next_url, ask.meta(),
                             state=served)

    def _story_id(request: Request) -> int:
        return whole(request.path_params["id"], "story id", required=True) or 0

    def story_page(request: Request, engine: Engine) -> Response:
        return page(request, "story.html",
                    **views.story_view(engine, briefs, _story_id(request), page_wait))

    def story_api(request: Request, engine: Engine) -> Response:
        data = views.story_view(engine, briefs, _story_id(request), API_WAIT)
        data.pop("graph")
        return JSONResponse({"ok": True, **data})

    def _brief(engine: Engine, story_id: int) -> dict[str, Any]:
        brief, status = views.brief_of(engine, briefs, story_id, API_WAIT)
        if brief is None:
            raise HTTPException(503 if status == "pending" else 500,
                                f"the brief of story {story_id} is {status}; try again")
        return brief

    def brief_api(request: Request, engine: Engine) -> Response:
        fmt = choice(request.query_params.get("format"), "format", ("json", "md", "html"))
        story_id = engine.story(_story_id(request)).id
        if fmt == "json":
            return JSONResponse({"ok": True, "brief": _brief(engine, story_id)})
        from newsweave.brief import render

        brief = engine.brief(story_id)
        if fmt == "md":
            return PlainTextResponse(render(brief, "md"), media_type="text/markdown")
        # The brief's own HTML is a standalone document; served as a download, not a page.
        return Response(render(brief, "html"), media_type="text/html; charset=utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="brief-{story_id}.html"'})

    def provenance_api(request: Request, engine: Engine) -> Response:
        from newsweave.reuse.graph import to_dot, to_graphml

        fmt = choice(request.query_params.get("format"), "format", ("json", "graphml", "dot"))
        graph = engine.provenance_graph(engine.story(_story_id(request)).id)
        if fmt == "graphml":
            return Response(to_graphml(graph), media_type="application/graphml+xml")
        if fmt == "dot":
            return PlainTextResponse(to_dot(graph), media_type="text/vnd.graphviz")
        return JSONResponse({"ok": True, **graph.to_dict(),
                             "nodes": {str(k): v for k, v in graph.nodes.items()}})

    # -- articles ---------------------------------------------------------------

    def _article(request: Request) -> ArticleQuery:
        return ArticleQuery.parse(request.path_params["id"], request.query_params)

    def _state_tag(request: Request, engine: Engine, kind: str, *article_ids: int) -> str:
        """An article view is a function of the articles' content and what the stages
        wrote (links, entities, stories): their hashes and the store's generation."""
        hashes = [engine.article(i).content_hash for i in article_ids]
        return entity_tag(kind, request.url.path, request.url.query, *hashes,
                      engine.store.search.generation())

    def article_page(request: Request, engine: Engine) -> Response:
        ask = _article(request)
        return tagged(request, _state_tag(request, engine, "article-page", ask.id),
                      lambda: page(request, "article.html",
                                   **views.article_view(engine, ask.id, ask.highlight)))

    def article_api(request: Request, engine: Engine) -> Response:
        ask = _article(request)

        def build() -> Response:
            data = views.article_view(engine, ask.id, ask.highlight)
            data.pop("segments")
            return JSONResponse({"ok": True, **data})

        return tagged(request, _state_tag(request, engine, "article-json", ask.id), build)

    def _article_key(ask: ArticlesQuery) -> tuple[object, ...]:
        return ("articles", ask.after, ask.size, ask.outlet, ask.language)

    def _article_list(ask: ArticlesQuery) -> Callable[[Engine, Any], tuple[Any, bool]]:
        def compute(on: Engine, _state: Any) -> tuple[Any, bool]:
            # the export of articles: with how the outlet and the date were found; the
            # listed fields only are read (not each article's text and removals)
            found = on.store.search.article_rows(ask.after, ask.size + 1,
                                                 outlet=ask.outlet, language=ask.language)
            return ([views.listed_article(a) for a in found[:ask.size]],
                    found[ask.size - 1]["id"] if len(found) > ask.size else None), True

        return compute

    def articles_api(request: Request, engine: Engine) -> Response:
        ask = ArticlesQuery.parse(request.query_params)
        served = _listed(engine, _article_key(ask), _article_list(ask))
        rows, last = served.value
        next_url = None
        if last is not None:
            next_url = with_params(request, cursor=encode_cursor("articles", last))
            if READ_AHEAD:
                ahead = dataclasses.replace(ask, after=int(last))
                lists.ahead(_article_key(ahead), _refill(_article_list(ahead), "listing_state"))
        return list_response(request, ask.fmt, "articles", rows, next_url, state=served)

    # -- compare, entities --------------------------------------------------------

    def compare_page(request: Request, engine: Engine) -> Response:
        pair = PairQuery.parse(request.query_params)
        a, b = pair.a, pair.b
        return tagged(request, _state_tag(request, engine, "compare-page", a, b),
                      lambda: page(request, "compare.html", **views.compare_view(engine, a, b)))

    def compare_api(request: Request, engine: Engine) -> Response:
        pair = PairQuery.parse(request.query_params)
        a, b = pair.a, pair.b

        def build() -> Response:
            data = views.compare_view(engine, a, b)
            for side in ("a", "b"):
                data[side].pop("segments")
            return JSONResponse({"ok": True, **data})

        return tagged(request, _state_tag(request, engine, "compare-json", a, b), build)

    def _entity_id(request: Request) -> int:
        return whole(request.path_params["id"], "entity id", required=True) or 0

    def entity_page(request: Request, engine: Engine) -> Response:
        return page(request, "entity.html", **views.entity_view(engine, _entity_id(request)))

    def entity_api(request: Request, engine: Engine) -> Response:
        return JSONResponse({"ok": True, **views.entity_view(engine, _entity_id(request))})

    def _offset_page(request: Request, ask: OffsetQuery, kind: str,
                     items: list[dict[str, Any]]) -> Response:
        """A list computed whole (entities, quotes) served page by page."""
        end = ask.offset + ask.size
        next_url = (with_params(request, cursor=encode_cursor(f"{kind}:{ask.story}", end))
                    if end < len(items) else None)
        return list_response(request, ask.fmt, kind, items[ask.offset : end], next_url,
                             {"total": len(items)})

    def entities_api(request: Request, engine: Engine) -> Response:
        ask = OffsetQuery.parse(request.query_params, "entities")
        items = [{"id": e.id, "name": e.name, "type": e.type, "aliases": e.aliases,
                  "roles": e.roles, "articles": len(e.articles),
                  "mentions": sum(e.articles.values())}
                 for e in engine.entities(story=ask.story)]
        return _offset_page(request, ask, "entities", items)

    def quotes_api(request: Request, engine: Engine) -> Response:
        ask = OffsetQuery.parse(request.query_params, "quotes")
        items = [{"id": q.id, "text": q.text, "speaker": q.speaker, "cue": q.cue,
                  "direct": q.direct, "articles": q.articles}
                 for q in engine.quotes(story=ask.story)]
        return _offset_page(request, ask, "quotes", items)

    def bundle_api(request: Request, engine: Engine) -> Response:
        """A story's evidence as one JSON file: brief, articles with metadata, lineage."""
        story = engine.story(_story_id(request))
        articles = [engine.article(i) for i in story.articles]
        data = {"ok": True, "story": views.story_summary(story),
                "brief": _brief(engine, story.id),
                "articles": [{**views.article_summary(a), "raw_url": a.url, "text": a.text,
                              "outlet_how": a.outlet_how, "published_how": a.published_how,
                              "source": a.source} for a in articles],
                "lineage": engine.provenance(story.id)}
        return JSONResponse(data, headers={
            "Content-Disposition": f'attachment; filename="story-{story.id}-evidence.json"'})

    # -- search -------------------------------------------------------------------

    def _search(request: Request, engine: Engine) -> tuple[SearchQuery, Any, str | None]:
        ask = SearchQuery.parse(request.query_params)
        result = engine.search(ask.text, **ask.engine_args())
        end = ask.offset + ask.size
        next_url = (with_params(request, cursor=encode_cursor("search", end))
                    if end < min(result.total, result.considered) else None)
        return ask, result, next_url

    def search_page(request: Request, engine: Engine) -> Response:
        ask, result, next_url = _search(request, engine)
        peak = max((n for _, n in result.histogram), default=0)
        return page(request, "search.html", result=result, next_url=next_url, peak=peak,
                    facet_link=ParamLinks(request, cursor=None),
                    params=ask.raw)

    def search_api(request: Request, engine: Engine) -> Response:
        ask, result, next_url = _search(request, engine)
        data = result.to_dict()
        hits = data.pop("hits")
        return list_response(request, ask.fmt, "hits", hits, next_url, data)

    # -- ingest -------------------------------------------------------------------

    def _authorise(request: Request, form_token: str | None = None) -> None:
        from newsweave.web.auth import cross_site, scopes_of

        h = request.headers
        if cross_site(h.get("sec-fetch-site"), h.get("origin"), h.get("host"),
                      request.url.scheme):
            raise HTTPException(403, "cross-site requests may not change anything here")
        header = h.get("authorization") or (f"Bearer {form_token}" if form_token else None)
        scopes = scopes_of(header, keys)
        if scopes is None:
            raise HTTPException(401, "ingesting needs a token with the ingest scope "
                                     "(Authorization: Bearer TOKEN; see serve --tokens)")
        if "ingest" not in scopes:
            raise HTTPException(403, "this token may not ingest (it lacks the ingest scope)")

    async def _read_ingest(request: Request) -> tuple[str, str, str | None, str | None]:
        """(text, source name, outlet, form token) from a form, an upload or a plain body."""
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_UPLOAD:
            raise HTTPException(413, f"upload larger than {MAX_UPLOAD:,} bytes")
        kind = request.headers.get("content-type", "")
        if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            async with request.form(max_files=1, max_fields=10,
                                    max_part_size=MAX_UPLOAD) as form:
                upload = form.get("file")
                text, source = str(form.get("text") or ""), "<pasted text>"
                if upload is not None and not isinstance(upload, str) and upload.filename:
                    data = await upload.read(MAX_UPLOAD + 1)
                    if len(data) > MAX_UPLOAD:
                        raise HTTPException(413, f"upload larger than {MAX_UPLOAD:,} bytes")
                    text, source = data.decode("utf-8", "replace"), Path(upload.filename).name
                return (text, source, str(form.get("outlet") or "") or None,
                        str(form.get("token") or "") or None)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_UPLOAD:
                raise HTTPException(413, f"upload larger than {MAX_UPLOAD:,} bytes")
        return body.decode("utf-8", "replace"), "<posted text>", \
            request.query_params.get("outlet") or None, None

    # the ingests themselves run in a worker process (see newsweave.web.ingest_proc)
    worker = IngestProcess(db, ingest_nice)
    jobs = IngestJobs(
        worker.run, persist=lambda records: JobTables(engines.writer().store).save(records),
        lookup=lambda job_id: JobTables(engines.get().store).get(job_id))

    def _submit(text: str, source: str, outlet: str | None) -> Job:
        if not engines.writable:
            raise HTTPException(503, "this server has the store open read-only "
                                     "(the file cannot be written): nothing can be ingested")
        if not text.strip():
            raise BadRequest("nothing to ingest: send a file or some text")
        try:
            return jobs.submit(text, source, outlet)
        except QueueFull as exc:
            raise HTTPException(503, str(exc)) from exc

    def _job(request: Request) -> Job:
        found = jobs.get(request.path_params["job"])
        if found is None:
            raise NotFoundError("no such ingest job (the store keeps the records of the "
                                f"last {STORED_JOBS} jobs)")
        return found

    async def ingest_api(request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        _authorise(request)
        wait = choice(request.query_params.get("wait"), "wait", ("false", "true"))
        text, source, outlet, _ = await _read_ingest(request)
        job = _submit(text, source, outlet)
        if wait == "true":  # a script that wants the whole answer in one request
            done = await run_in_threadpool(jobs.wait, job.id, API_WAIT * 5) or job
            if done.finished_state:
                status = 200 if done.state == "done" else 500
                return JSONResponse({"ok": done.state == "done", **(done.report or {}),
                                     "job": done.to_dict()}, status_code=status)
            job = done
        return JSONResponse({"ok": True, "job": job.to_dict()}, status_code=202,
                            headers={"Location": f"/api/v1/ingest/{job.id}"})

    def ingest_job_api(request: Request) -> Response:
        return JSONResponse({"ok": True, "job": _job(request).to_dict()})

    def ingest_job_page(request: Request) -> Response:
        return page(request, "ingest_job.html", job=_job(request).to_dict())

    async def ingest_page(request: Request) -> Response:
        from starlette.responses import RedirectResponse

        if request.method == "GET":
            return page(request, "ingest.html", error=None)
        text, source, outlet, token = await _read_ingest(request)
        _authorise(request, token)
        job = _submit(text, source, outlet)
        # 303: the browser GETs the job's status page (a reload never posts again)
        return RedirectResponse(f"/ingest/{job.id}", status_code=303)

    # -- errors -------------------------------------------------------------------

    def failure(request: Request, status: int, message: str) -> Response:
        if api(request) or request.url.path == "/openapi.json":
            return error_json(status, message)
        return page(request, "error.html", status=status, code=status, message=message)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" \
            else "no such page"
        return failure(request, exc.status_code, str(message))

    async def on_bad(request: Request, exc: Exception) -> Response:
        return failure(request, 400, str(exc))

    async def on_missing(request: Request, exc: Exception) -> Response:
        return failure(request, 404, str(exc))

    async def on_error(request: Request, exc: Exception) -> Response:
        return failure(request, 500, "the server failed on this request (see its log)")

    def openapi(request: Request) -> Response:
        return JSONResponse(spec())

    def count_origins() -> None:
        """The "origins" order's first count (a quarter of a second of CPU at 100k
        articles), done before a request asks for it: with pages kept, requests never
        count it but for this first time, when they would wait for it."""
        try:
            engines.get().store.search.story_page("origins", StoryFilter(), None, 1)
        except Exception:  # the server stopping meanwhile: the first request counts it
            log.info("the 'origins' order was not counted at start", exc_info=True)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if list_pages > 0:
            threading.Thread(target=count_origins, name="origins-first-count",
                             daemon=True).start()
            # the first span of each sort, unfiltered (the home page and the API's first
            # pages of any size), computed by the refill thread before a reader asks
            for sort in SORTS:
                lists.ahead(*_refilled(sort, StoryFilter(), None,
                                       span_limit(DEFAULT_PAGE, True), None), behind=True)
        yield
        worker.stop()  # a job still running ends interrupted (and is saved so)
        jobs.stop()
        briefs.stop()
        lists.stop()
        confidences.stop()
        engines.close()

    static = Path(__file__).with_name("static")
    routes = [
        Route("/", handle(stories_page)),
        Route("/stories/{id}", handle(story_page)),
        Route("/articles/{id}", handle(article_page)),
        Route("/compare", handle(compare_page)),
        Route("/entities/{id}", handle(entity_page)),
        Route("/search", handle(search_page)),
        Route("/ingest", ingest_page, methods=["GET", "POST"]),
        Route("/ingest/{job}", ingest_job_page),
        Route("/openapi.json", openapi),
        Route("/api/v1/stories", handle(stories_api)),
        Route("/api/v1/stories/{id}", handle(story_api)),
        Route("/api/v1/stories/{id}/brief", handle(brief_api)),
        Route("/api/v1/stories/{id}/provenance", handle(provenance_api)),
        Route("/api/v1/articles", handle(articles_api)),
        Route("/api/v1/articles/{id}", handle(article_api)),
        Route("/api/v1/stories/{id}/bundle", handle(bundle_api)),
        Route("/api/v1/entities", handle(entities_api)),
        Route("/api/v1/quotes", handle(quotes_api)),
        Route("/api/v1/compare", handle(compare_api)),
        Route("/api/v1/entities/{id}", handle(entity_api)),
        Route("/api/v1/search", handle(search_api)),
        Route("/api/v1/ingest", ingest_api, methods=["POST"]),
        Route("/api/v1/ingest/{job}", ingest_job_api),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            HTTPException: on_http, BadRequest: on_bad, NotFoundError: on_missing,
            InputError: on_bad, NewsweaveError: on_bad, Exception: on_error,
        },
        lifespan=lifespan,
    )
    # "/x/" is never redirected to "/x": a redirect built from the request path would
    # turn "//evil.example/" into a link off this site.
    app.router.redirect_slashes = False
    app.state.engines = engines
    app.state.ingest_process = worker
    app.state.lists = lists
    app.state.records = records
    app.state.confidences = confidences
    return app

