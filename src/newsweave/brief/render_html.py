"""The brief as one self-contained HTML file: readable offline, every citation a link.

Inline CSS, no scripts, no external assets. Each citation links to an anchor
in the "Source passages" section at the end of the same file, where the
passage of the cited article that supports the sentence is quoted. Every piece
of source text is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from newsweave.brief.build import Brief
from newsweave.model import ClaimVariant, Passage

_CSS = """
body{font:16px/1.5 Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.7rem;line-height:1.2}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
.meta{color:#555;font-style:italic}.cite{font-size:.75em;vertical-align:super;margin-left:.15em}
.cite a{text-decoration:none;color:#06c}.status{font-size:.8em;color:#555}
.contested{background:#fff4e5;border-left:4px solid #e69500;padding:.5rem .8rem;margin:.6rem 0}
.corroborated{color:#176317}.single-source{color:#8a5a00}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #ddd;padding:.3rem}
.passage{margin:.5rem 0;padding:.4rem .8rem;border-left:3px solid #ccc;font-size:.92em}
.passage:target{background:#fffbd6;border-color:#e6c200}
"""


def _anchor(p: Passage) -> str:
    return f"p{p.article}-{p.start}-{p.end}"


def _cites(cites: list[int], evidence: list[Passage]) -> str:
    by_article = {p.article: p for p in evidence}
    links = []
    for c in cites:
        target = f"#{_anchor(by_article[c])}" if c in by_article else f"#a{c}"
        links.append(f'<a href="{target}" title="article {c}">[{c}]</a>')
    return f'<span class="cite">{"".join(links)}</span>' if links else ""


def _line(item: Any) -> str:
    return f"{escape(item.text)}{_cites(item.cites, item.evidence)}"


def _value(value: str | None) -> str:
    return f"<strong>{escape(value)}</strong>: " if value else ""


def render_html(brief: Brief) -> str:
    """The brief as a complete HTML document (a string)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(brief.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(brief.title)}</h1>",
        f'<p class="meta">Story {brief.story}: {len(brief.sources)} articles from '
        f"{brief.independent_origins} independent origin(s). Every sentence is taken from the "
        "cited articles; follow a citation to read the passage.</p>",
        "<h2>Lead</h2>",
        "<p>" + " ".join(_line(c) for c in brief.lead) + "</p>",
    ]
    origin_of = {src.article: src.origin for src in brief.sources}
    outlet_of = {src.article: src.outlet or f"article {src.article}" for src in brief.sources}

    def backing(cites: list[int]) -> str:
        origins = sorted({origin_of.get(c, c) for c in cites})
        names = ", ".join(escape(outlet_of.get(o, f"article {o}")) for o in origins)
        return f"from {len(origins)} origin{'s' if len(origins) != 1 else ''} ({names})"

    if brief.contested:
        out.append("<h2>Contested</h2>")
        for claim in brief.contested:
            by_value: dict[str, list[ClaimVariant]] = {}
            for i, v in enumerate(claim.variants):  # a variant without a value stands alone
                by_value.setdefault(v.value or f"variant {i + 1}", []).append(v)
            sides = " vs ".join(
                f"<strong>{escape(value)}</strong>, "
                + backing(sorted({c for v in variants for c in v.cites}))
                for value, variants in by_value.items())
            out.append(f'<div class="contested"><strong>'
                       f'{escape(claim.subject or claim.kind or "")}</strong>: {sides}<ul>')
            out += [f"<li>{_value(value)}{_line(variants[0])}</li>"
                    for value, variants in by_value.items()]
            out.append("</ul></div>")
    shown = [f for f in brief.figures if f.status in ("corroborated", "updated")]
    if shown:
        out.append("<h2>Figures</h2><ul>")
        for figure in shown:
            joiner = " then " if figure.status == "updated" else " vs "
            values = joiner.join(f"<strong>{escape(v['value'])}</strong>, {backing(v['cites'])}"
                                 f"{_cites(v['cites'], [])}" for v in figure.values)
            out.append(f"<li>{escape(figure.label)}: {values} ({escape(figure.status)})</li>")
        out.append("</ul>")
    facts = [c for c in brief.claims if c.status != "contested"]
    if facts:
        out.append("<h2>Key facts</h2><ul>")
        for claim in facts:
            status = f"{claim.status}, {claim.independent_origins} independent origin(s)"
            if claim.source_shared and claim.source:
                status = (f"{claim.status} by {claim.independent_origins} origins, all citing "
                          f"{claim.source}")
            elif claim.source:
                status += f"; source: {claim.source}"
            out.append(f'<li>{_line(claim)} <span class="status {escape(claim.status)}">'
                       f"{escape(status)}</span>"
                       + "".join(f"<br><small>also reported as: {_line(v)}</small>"
                                 for v in claim.variants)
                       + "".join(f"<br><small>[{c['article']}] "
                                 f"{escape(outlet_of.get(c['article'], ''))} cites "
                                 f"{escape(c['outlet'])} for this: a citation, not "
                                 "corroboration</small>" for c in claim.citing) + "</li>")
        out.append("</ul>")
    if brief.quotes:
        out.append("<h2>Quotes</h2><ul>")
        for quote in brief.quotes:
            who = f" — <em>{escape(quote.speaker)}</em>" if quote.speaker else ""
            out.append(f"<li>{escape(quote.text)}{who}{_cites(quote.cites, quote.evidence)}</li>")
        out.append("</ul>")
    if brief.timeline:
        out.append("<h2>Timeline</h2><ul>")
        for t in brief.timeline:
            # Reports that give the event this day in their own words back the date only.
            also = (f' <span class="dated">date given {backing(t.dated_by)}</span>'
                    if set(t.dated_by) - set(t.cites) else "")
            out.append(f"<li><strong>{escape(t.date)}</strong>: {_line(t)}{also}</li>")
        out.append("</ul>")
    if brief.unique:
        out.append("<h2>Reported by one outlet only</h2><ul>")
        for outlet, items in brief.unique.items():
            out.append(f"<li><strong>{escape(outlet)}</strong><ul>")
            out += [f"<li>{_line(c)}</li>" for c in items]
            out.append("</ul></li>")
        out.append("</ul>")
    if brief.omissions:
        out.append("<h2>Corroborated facts an outlet leaves out</h2><ul>")
        for outlet, texts in brief.omissions.items():
            out.append(f"<li><strong>{escape(outlet)}</strong>: "
                       + "; ".join(escape(t) for t in texts) + "</li>")
        out.append("</ul>")
    if brief.entities:
        out.append("<h2>Entities</h2><ul>")
        out += [f"<li>{escape(e['name'])} ({escape(e['type'])})</li>" for e in brief.entities]
        out.append("</ul>")
    out.append("<h2>Sources</h2><table><tr><th>id</th><th>outlet</th><th>published</th>"
               "<th>origin</th><th>derived from</th><th>title</th></tr>")
    for s in brief.sources:
        derived = "-" if s.derived_from is None else str(s.derived_from)
        out.append(f'<tr id="a{s.article}"><td>{s.article}</td><td>{escape(s.outlet or "-")}</td>'
                   f"<td>{escape(s.published or '-')}</td><td>{s.origin}</td><td>{derived}</td>"
                   f"<td>{escape(s.title or '-')}</td></tr>")
    out.append("</table>")
    out.append("<h2>Source passages</h2>")
    outlets = {s.article: s.outlet for s in brief.sources}
    for passage in _passages(brief):
        out.append(f'<blockquote class="passage" id="{_anchor(passage)}">'
                   f"<strong>[{passage.article}] {escape(outlets.get(passage.article) or '')}"
                   f"</strong>: {escape(passage.text)}</blockquote>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _passages(brief: Brief) -> list[Passage]:
    seen: dict[str, Passage] = {}
    for item in brief.sentences():
        for p in item.evidence:
            seen.setdefault(_anchor(p), p)
    return sorted(seen.values(), key=lambda p: (p.article, p.start))


__all__ = ["render_html"]
