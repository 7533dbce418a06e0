"""The brief as JSON, in the shape described by ``docs/schema/brief.json``."""

from __future__ import annotations

import json

from newsweave.brief.build import Brief

SCHEMA_ID = "https://newsweave.example/schema/brief.json"


def render_json(brief: Brief) -> str:
    """The brief as an indented UTF-8 JSON document (``cites`` are article ids)."""
    data = {"$schema": SCHEMA_ID, **brief.to_dict()}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


__all__ = ["SCHEMA_ID", "render_json"]
