"""Responses: the one error shape, list formats (json / ndjson / csv), paging links, and
the security headers every response carries."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsweave.web.listcache import Served

# No script at all: the pages are server-rendered and need none. Styles and images only
# from this server; no framing; forms post only here.
CSP = ("default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'; img-src 'self'; style-src 'self'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
LIST_FORMATS = ("json", "ndjson", "csv")
LIST_STATE = "Newsweave-List-State"  # the store state a list page was computed at
# What quote_plus leaves as it is (RFC 3986 unreserved): such a value needs no quoting.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.\-~]*")


class SecurityHeaders:
    """ASGI middleware: adds the security headers to every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def error_json(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)


def with_params(request: Request, **changes: Any) -> str:
    """This request's path and query with some parameters changed (None removes one).

    Relative to this server by construction: the path comes from the route, never
    from a Host header, so a link can never point elsewhere.
    """
    return ParamLinks(request)(**changes)


def _quote(value: str) -> str:
    return value if _UNRESERVED.fullmatch(value) else quote_plus(value)


class ParamLinks:
    """:func:`with_params` for the many links of one page (a search page's date histogram
    has a link a day: hundreds): the parameters a link keeps are encoded (as ``urlencode``
    would) once per set of changed names instead of once per link. ``fixed``: changes
    every link makes (before the call's own)."""

    def __init__(self, request: Request, **fixed: Any) -> None:
        self._path = request.url.path
        self._items = request.query_params.multi_items()
        self._fixed = fixed
        self._kept: dict[tuple[str, ...], str] = {}

    def __call__(self, **changes: Any) -> str:
        changes = {**self._fixed, **changes}
        names = tuple(changes)
        kept = self._kept.get(names)
        if kept is None:  # as urlencode (quote_plus) would encode them
            kept = self._kept[names] = "&".join(
                f"{_quote(k)}={_quote(v)}" for k, v in self._items if k not in changes)
        parts = [kept] if kept else []
        parts += [f"{_quote(k)}={_quote(str(v))}" for k, v in changes.items() if v is not None]
        query = "&".join(parts)
        return self._path + (f"?{query}" if query else "")


def list_response(request: Request, fmt: str, key: str, rows: Sequence[dict[str, Any]],
                  next_url: str | None, extra: dict[str, Any] | None = None, *,
                  state: Served | None = None) -> Response:
    """A page of a list as JSON (with ``next_url``), NDJSON or CSV; a ``Link`` header
    points to the next page in every format. ``state``: the list cache's page, whose
    store state the ``Newsweave-List-State`` header names (a tag: equal tags, the same
    store state) with ``; refilling`` while a newer page is being computed."""
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    if state is not None and state.state is not None:
        tag = hashlib.sha256(repr(state.state).encode()).hexdigest()[:16]
        headers[LIST_STATE] = tag if state.current else f"{tag}; refilling"
    if fmt == "ndjson":
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        return Response(body, media_type="application/x-ndjson", headers=headers)
    if fmt == "csv":
        return Response(to_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)
    data = {"ok": True, **(extra or {}), key: list(rows), "next_url": next_url}
    return JSONResponse(data, headers=headers)


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV of flat rows; lists are joined with '; '. Cells a spreadsheet would run as a
    formula (=, +, -, @ first) get a leading apostrophe."""
    out = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        value = "'" + value
    return value


def entity_tag(*parts: object) -> str:
    """A strong ETag from what a response is a function of (ids, content hashes, the
    store's generation, the query): equal parts, equal bytes."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]
    return f'"{digest}"'


def matches(request: Request, tag: str) -> bool:
    """Whether the request's ``If-None-Match`` names ``tag`` (or is ``*``)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    names = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in names or tag in names


def tagged(request: Request, tag: str, build: Callable[[], Response]) -> Response:
    """304 when the client holds ``tag``, else the response ``build`` makes, tagged.
    ``no-cache``: a client may keep it but asks again (the store may have changed)."""
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if matches(request, tag):
        return Response(status_code=304, headers=headers)
    response = build()
    response.headers.update(headers)
    return response
