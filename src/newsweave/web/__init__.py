"""The web UI and HTTP API: a thin adapter over :class:`newsweave.engine.Engine`.

``create_app(db, tokens)`` gives the ASGI app that ``newsweave serve`` runs with
uvicorn. Pages are rendered on the server (Jinja2, autoescaped) and run no script;
every page has a JSON twin under ``/api/v1/``.
"""

from __future__ import annotations

from newsweave.web.app import create_app

__all__ = ["create_app"]
