"""The lineage graph laid out for an SVG the server draws: articles by outlet and time.

Pure layout: numbers and the strings to show. The template escapes every string
(labels and tooltips come from articles and are hostile).
"""

from __future__ import annotations

import math
from typing import Any

from newsweave.model import Article

KINDS = ("copy", "rewrite", "translation", "shared-quotes", "citation")
_ROW = 56
_COL = 120
_LEFT = 170
_TOP = 30
_RADIUS = 13


def layout(provenance: Any, articles: dict[int, Article]) -> dict[str, Any]:
    """Nodes in one row per outlet (first seen first), ordered left to right by time;
    edges from each source to what derives from it, by kind, with the share taken."""
    ids = sorted(provenance.nodes, key=lambda i: (_when(articles.get(i)), i))
    outlets: list[str] = []
    for i in ids:
        name = _outlet(articles.get(i))
        if name not in outlets:
            outlets.append(name)
    origins = {group[0] for group in provenance.origins if group}
    place: dict[int, tuple[int, int]] = {}
    nodes = []
    for column, i in enumerate(ids):
        a = articles.get(i)
        x, y = _LEFT + column * _COL, _TOP + outlets.index(_outlet(a)) * _ROW
        place[i] = (x, y)
        nodes.append({
            "id": i, "x": x, "y": y, "outlet": _outlet(a), "origin": i in origins,
            "title": (a.title if a else None) or "(no title)",
            "published": (a.published if a else None) or "unknown",
        })
    edges = []
    for e in provenance.edges:
        if e.source not in place or e.derived not in place:
            continue
        (x1, y1), (x2, y2) = place[e.source], place[e.derived]
        # a curve bowed to one side of the straight line, so parallel edges stay apart
        cx, cy = (x1 + x2) / 2 + (y2 - y1) / 5, (y1 + y2) / 2 - (x2 - x1) / 5
        # the arrow ends at the node's rim, not its centre
        dx, dy = x2 - cx, y2 - cy
        norm = math.hypot(dx, dy) or 1.0
        edges.append({
            "source": e.source, "derived": e.derived, "kind": e.kind,
            "share": round(e.shared_fraction, 3), "confidence": round(e.confidence, 3),
            "x1": x1, "y1": y1, "x2": round(x2 - dx / norm * _RADIUS, 1),
            "y2": round(y2 - dy / norm * _RADIUS, 1), "cx": round(cx, 1), "cy": round(cy, 1),
            "css": e.kind if e.kind in KINDS else "other",
            "derivation": e.kind not in ("shared-quotes",),
        })
    # links that are not derivations (shared quotations) are drawn first, underneath
    edges.sort(key=lambda e: e["derivation"])
    rows = [{"outlet": name, "y": _TOP + k * _ROW} for k, name in enumerate(outlets)]
    return {
        "nodes": nodes, "edges": edges, "rows": rows,
        "width": _LEFT + max(1, len(ids)) * _COL - _COL // 2,
        "height": _TOP + max(1, len(outlets)) * _ROW,
    }


def _outlet(article: Article | None) -> str:
    return (article.outlet if article else None) or "unknown outlet"


def _when(article: Article | None) -> str:
    return (article.published if article else None) or "9999"
