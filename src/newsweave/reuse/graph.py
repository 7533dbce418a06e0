"""The provenance graph as data, and as DOT or GraphML for graph tools.

``provenance()`` gives the JSON shape of ``newsweave provenance --json``:
``{"edges": [...], "origins": [[article ids]]}``. Edges are the derivation
edges the graph keeps (each copy/rewrite to its chosen source) plus the
shared-quote pairs, which link articles without making one derive from
the other.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from newsweave.model import Edge, Neighbour
from newsweave.nlp import english
from newsweave.reuse.origins import DERIVING
from newsweave.reuse.semantic import SemanticIndex, relatedness
from newsweave.store import Store


@dataclass(slots=True)
class Provenance:
    edges: list[Edge]
    origins: list[list[int]]
    nodes: dict[int, str]  # article id -> label (outlet: title)

    def to_dict(self) -> dict[str, Any]:
        return {"edges": [e.to_dict() for e in self.edges], "origins": self.origins}


def provenance(store: Store, article_ids: Collection[int] | None = None) -> Provenance:
    """The graph over ``article_ids`` (the whole store if None)."""
    wanted = None if article_ids is None else set(article_ids)
    # A story's graph reads only its members' rows (their edges, pairs and origins), so
    # its cost follows the story's size, not the store's.
    kept = set(store.reuse.edges() if wanted is None else store.reuse.edges_from(wanted))
    pairs = store.reuse.pairs(article_ids)
    edges = [
        e for e in pairs
        if ((e.derived, e.source) in kept or e.kind == "shared-quotes")
        and (wanted is None or (e.derived in wanted and e.source in wanted))
    ]
    edges.sort(key=lambda e: (e.kind not in DERIVING, e.source, e.derived))
    origins = store.reuse.origins(article_ids)
    ids = set(wanted) if wanted is not None else {i for group in origins for i in group}
    ids.update(i for e in edges for i in (e.derived, e.source))
    nodes = {}
    for article_id in sorted(ids):
        article = store.get_article(article_id)
        if article is not None:
            nodes[article_id] = f"{article.outlet or '?'}: {article.title or '(no title)'}"
    return Provenance(edges, origins, nodes)


def to_dot(graph: Provenance) -> str:
    """Graphviz DOT: an arrow from each source to what derives from it."""
    lines = ["digraph provenance {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
    for article_id, label in graph.nodes.items():
        lines.append(f"  a{article_id} [label={_dot_string(f'{article_id} {label}')}];")
    for e in graph.edges:
        style = "dashed" if e.kind == "shared-quotes" else "solid"
        arrow = ", dir=none" if e.kind == "shared-quotes" else ""
        label = f"{e.kind} {e.confidence:.2f}"
        lines.append(f"  a{e.source} -> a{e.derived} [label={_dot_string(label)}, "
                     f"style={style}{arrow}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_graphml(graph: Provenance) -> str:
    """GraphML (yEd, Gephi, networkx): nodes with labels, edges with kind and confidence."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
        '  <key id="kind" for="edge" attr.name="kind" attr.type="string"/>',
        '  <key id="confidence" for="edge" attr.name="confidence" attr.type="double"/>',
        '  <key id="shared" for="edge" attr.name="shared_fraction" attr.type="double"/>',
        '  <graph id="provenance" edgedefault="directed">',
    ]
    for article_id, label in graph.nodes.items():
        out.append(f'    <node id="a{article_id}"><data key="label">{escape(label)}</data></node>')
    for i, e in enumerate(graph.edges):
        out.append(
            f'    <edge id="e{i}" source="a{e.source}" target="a{e.derived}">'
            f'<data key="kind">{escape(e.kind)}</data>'
            f'<data key="confidence">{e.confidence:.4f}</data>'
            f'<data key="shared">{e.shared_fraction:.4f}</data></edge>'
        )
    out += ["  </graph>", "</graphml>"]
    return "\n".join(out) + "\n"


def _dot_string(text: str) -> str:
    """A DOT double-quoted string (DOT has no single-quoted strings and no XML entities):
    backslashes and double quotes escaped, line breaks flattened."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def similar(store: Store, vectors: SemanticIndex, article_id: int, limit: int = 10
            ) -> list[Neighbour]:
    """The articles nearest to one: by embedding, and by text they share with it."""
    scores = related(store, vectors, article_id, limit=limit)
    ranked = sorted(((score, other) for other, (score, _, _) in scores.items()),
                    key=lambda x: (-x[0], x[1]))
    out = []
    for score, other in ranked[:limit]:
        article = store.get_article(other)
        if article is None:
            continue
        _, cosine, pair = scores[other]
        relation = _relation(article_id, pair)
        out.append(Neighbour(
            article=other, outlet=article.outlet, title=article.title, relation=relation,
            score=score, cosine=cosine,
            shared_fraction=pair.shared_fraction if pair else 0.0,
        ))
    return out


def related(store: Store, vectors: SemanticIndex, article_id: int, limit: int | None = None
            ) -> dict[int, tuple[float, float | None, Edge | None]]:
    """Every article related to one: (relatedness, e5 cosine, stored pair) by article id.

    Relatedness is :func:`~newsweave.reuse.semantic.relatedness` of both
    models' cosines (the English one where both articles are English), raised
    by the shared-text score of a copy or rewrite: the score ``newsweave
    similar`` ranks by. The sentences that the alignment of an independent
    pair (or of two quotations of one statement) matched are not taken text:
    mostly look-alike sentences and site furniture, which the cosines already
    weigh, so they do not raise the score. With ``limit``, only the articles that can be
    among the ``limit`` best: every stored pair, and the best others by their cosines.
    """
    pairs = {(e.source if e.derived == article_id else e.derived): e
             for e in store.reuse.pairs([article_id])}
    lead = store.reuse.vectors([article_id]).get(article_id)
    own_english = store.reuse.vectors([article_id], english.MODEL_NAME).get(article_id)
    cosines: dict[int, tuple[float | None, float | None]] = {}
    if lead is not None or own_english is not None:
        vectors.refresh(store)
        top = None if limit is None else limit + len(pairs) + 1  # +1: the article itself
        cosines = vectors.cosines(lead, own_english, top=top)
        cosines.pop(article_id, None)
    out: dict[int, tuple[float, float | None, Edge | None]] = {}
    for other in set(pairs) | set(cosines):
        pair = pairs.get(other)
        cosine, english_cosine = cosines.get(other, (None, None))
        shared = pair.score if pair is not None and pair.kind in DERIVING else 0.0
        score = relatedness(cosine, shared, english_cosine)
        out[other] = (score, cosine, pair)
    return out


def _relation(article_id: int, pair: Edge | None) -> str:
    if pair is None:
        return "related"
    if pair.kind in DERIVING:
        return f"{pair.kind} of" if pair.derived == article_id else f"source ({pair.kind})"
    return pair.kind


def story_members(store: Store, story: int) -> Sequence[int]:
    """Article ids of a story, through the stories stage's tables."""
    tables = getattr(store, "stories", None)
    if tables is None:
        from newsweave.errors import NewsweaveError

        raise NewsweaveError("this store has no stories yet: the stories stage is not installed")
    live = tables.resolve(story)
    if live is None:
        from newsweave.errors import NotFoundError

        raise NotFoundError(f"no story with id {story} in {store.path}")
    return list(tables.members([live]).get(live, []))
