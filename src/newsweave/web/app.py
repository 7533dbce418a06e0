"""The ASGI app: routes for the pages and their JSON twins under ``/api/v1/``.

Handlers are plain functions (Starlette runs them in its thread pool); each
thread keeps its own engine, since an SQLite connection belongs to one thread.
Every read (pages, API, briefs) goes through read-only engines, so a GET cannot
change the store; ingests are background jobs run one at a time in a worker process
(:mod:`newsweave.web.ingest_proc`), and their records are written by one writer thread,
the only one of the server with a writable engine.

The engines are kept in :mod:`newsweave.web.engines`, the list pages (stories,
articles) served from the list cache in :mod:`newsweave.web.listing`, and the ingest
endpoints in :mod:`newsweave.web.ingest_routes`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
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
from newsweave.errors import InputError, NewsweaveError, NotFoundError
from newsweave.store.search import MARK_END, MARK_START, StoryFilter
from newsweave.web import views
from newsweave.web.briefs import BriefWorker
from newsweave.web.confidence import REFRESH_AFTER, Confidences
from newsweave.web.engines import Engines, prepare_store
from newsweave.web.ingest_routes import MAX_UPLOAD, IngestEndpoints
from newsweave.web.listcache import KEPT as LIST_PAGES
from newsweave.web.listcache import ListCache
from newsweave.web.listing import READ_AHEAD, Listings
from newsweave.web.openapi import spec
from newsweave.web.paging import DEFAULT_PAGE, BadRequest, choice, encode_cursor, whole
from newsweave.web.params import (
    SORTS,
    ArticleQuery,
    ArticlesQuery,
    OffsetQuery,
    PairQuery,
    SearchQuery,
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
from newsweave.web.spans import span_limit

PAGE_WAIT = 0.3  # seconds a story page waits for a first brief before showing the rest
API_WAIT = 120.0  # the JSON twin waits for the brief (a client wants the whole answer)
log = logging.getLogger(__name__)


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
    writable = prepare_store(db)
    engines = Engines(db, writable)
    briefs = BriefWorker(lambda: open_engine(db, readonly=True, create=False))
    env = _templates()
    keys = dict(tokens or {})
    confidences = Confidences(lambda: open_engine(db, readonly=True, create=False),
                              confidence_age)
    lists = ListCache(list_pages)
    listings = Listings(engines, lists, confidences, briefs, list_pages)

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

    def stories_page(request: Request, engine: Engine) -> Response:
        ask, rows, next_url, _ = listings.stories(request, engine)
        return page(request, "stories.html", stories=rows, next_url=next_url, **ask.meta(),
                    outlets=engine.store.search.facet_values("outlet"),
                    languages=engine.store.search.facet_values("language"))

    def stories_api(request: Request, engine: Engine) -> Response:
        ask, rows, next_url, served = listings.stories(request, engine)
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
        served = listings.listed(engine, _article_key(ask), _article_list(ask))
        rows, last = served.value
        next_url = None
        if last is not None:
            next_url = with_params(request, cursor=encode_cursor("articles", last))
            if READ_AHEAD:
                ahead = dataclasses.replace(ask, after=int(last))
                lists.ahead(_article_key(ahead),
                            listings.refill(_article_list(ahead), "listing_state"))
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

    # the ingests themselves run in a worker process (see newsweave.web.ingest_proc)
    ingest = IngestEndpoints(db, engines, keys, page, nice=ingest_nice, wait=API_WAIT * 5)

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
                lists.ahead(*listings.refilled(sort, StoryFilter(), None,
                                               span_limit(DEFAULT_PAGE, True), None),
                            behind=True)
        yield
        ingest.stop()  # a job still running ends interrupted (and is saved so)
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
        Route("/ingest", ingest.ingest_page, methods=["GET", "POST"]),
        Route("/ingest/{job}", ingest.ingest_job_page),
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
        Route("/api/v1/ingest", ingest.ingest_api, methods=["POST"]),
        Route("/api/v1/ingest/{job}", ingest.ingest_job_api),
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
    app.state.ingest_process = ingest.worker
    app.state.lists = lists
    app.state.records = listings.records
    app.state.confidences = confidences
    return app


__all__ = ["API_WAIT", "MAX_UPLOAD", "PAGE_WAIT", "READ_AHEAD", "Engines", "create_app"]
