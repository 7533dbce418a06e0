"""The OpenAPI description served at ``/openapi.json`` (written out, not generated: the
routes are few and their parameters are the contract)."""

from __future__ import annotations

from typing import Any

from newsweave import __version__

_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
_SIZE = {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                    "maximum": 200, "default": 20},
         "description": "Page size (clamped to 1..200)."}
_CURSOR = {"name": "cursor", "in": "query", "schema": {"type": "string"},
           "description": "Opaque cursor from a previous page's next_url."}
_FORMAT = {"name": "format", "in": "query",
           "schema": {"type": "string", "enum": ["json", "ndjson", "csv"]}}
_ERROR = {"description": "Error: {ok: false, error, status}",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _q(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": kind, **extra}}


def _get(summary: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": params,
                    "responses": {"200": {"description": "OK"}, "400": _ERROR, "404": _ERROR}}}


def spec() -> dict[str, Any]:
    filters = [_q("outlet"), _q("language"), _q("entity", "integer"),
               _q("since", format="date"), _q("until", format="date")]
    return {
        "openapi": "3.1.0",
        "info": {"title": "newsweave", "version": __version__,
                 "description": "Stories, cited briefs, copy lineage and search over a "
                                "newsweave store. Read-only without a token."},
        "paths": {
            "/api/v1/stories": _get("Stories, one page", [
                _q("sort", enum=["newest", "largest", "origins"]), *filters,
                _SIZE, _CURSOR, _FORMAT]),
            "/api/v1/stories/{id}": _get("A story: brief, sources, coverage, lineage", [_ID]),
            "/api/v1/stories/{id}/brief": _get("The story's brief", [
                _ID, _q("format", enum=["json", "md", "html"])]),
            "/api/v1/stories/{id}/provenance": _get("The story's lineage graph", [
                _ID, _q("format", enum=["json", "graphml", "dot"])]),
            "/api/v1/articles": _get("Articles, oldest id first", [
                _q("outlet"), _q("language"), _SIZE, _CURSOR, _FORMAT]),
            "/api/v1/articles/{id}": _get("An article with entities, quotes, lineage", [
                _ID, _q("hl", description="START-END: a passage to highlight")]),
            "/api/v1/compare": _get("Two articles and the passages they share", [
                _q("a", "integer"), _q("b", "integer")]),
            "/api/v1/stories/{id}/bundle": _get(
                "A story's evidence bundle: brief, articles, lineage (one JSON file)", [_ID]),
            "/api/v1/entities": _get("Canonical entities, most mentioned first", [
                _q("story", "integer"), _SIZE, _CURSOR, _FORMAT]),
            "/api/v1/quotes": _get("Quote groups, most widely carried first", [
                _q("story", "integer"), _SIZE, _CURSOR, _FORMAT]),
            "/api/v1/entities/{id}": _get("An entity: spellings, stories, quotes", [_ID]),
            "/api/v1/search": _get("Full-text search (FTS5 syntax), facets, histogram", [
                _q("q"), _q("outlet"), _q("language"), _q("story", "integer"),
                _q("entity", "integer"),
                _q("since", format="date"), _q("until", format="date"),
                _q("origins", enum=["all", "one"]), _SIZE, _CURSOR, _FORMAT]),
            "/api/v1/ingest": {"post": {
                "summary": "Ingest an uploaded file or pasted text (token with ingest scope): "
                           "202 with a job at once, the ingest runs in the background",
                "security": [{"bearer": []}],
                "parameters": [_q("outlet"), _q("wait", enum=["false", "true"], description=
                                                 "true: answer when the job has finished")],
                "requestBody": {"content": {
                    "multipart/form-data": {"schema": {"type": "object", "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "text": {"type": "string"}, "outlet": {"type": "string"}}}},
                    "text/plain": {"schema": {"type": "string"}}}},
                "responses": {"202": {"description": "The job: {ok, job} (Location: its "
                                                     "status URL)"},
                              "200": {"description": "With wait=true: the ingest report "
                                                     "(new, known, rejected, stories) and job"},
                              "401": _ERROR, "403": _ERROR, "413": _ERROR, "503": _ERROR}}},
            "/api/v1/ingest/{job}": _get(
                "An ingest job (kept in the store across restarts): state (queued, running, "
                "done, failed, interrupted), per-stage progress, "
                "counts (new, known, rejected) and report",
                [{"name": "job", "in": "path", "required": True, "schema": {"type": "string"}}]),
        },
        "components": {
            "schemas": {"Error": {"type": "object", "required": ["ok", "error", "status"],
                                  "properties": {"ok": {"const": False},
                                                 "error": {"type": "string"},
                                                 "status": {"type": "integer"}}}},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
