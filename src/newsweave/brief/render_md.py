"""The brief as Markdown: citations as ``[id]`` after each sentence, a sources table at the end."""

from __future__ import annotations

from typing import Any

from newsweave.brief.build import Brief
from newsweave.model import Claim


def _cites(cites: list[int]) -> str:
    return " " + "".join(f"[{c}]" for c in cites) if cites else ""


def _escape(text: str) -> str:
    """Keep source text from being read as Markdown markup (tables, emphasis, links)."""
    out = text.replace("\\", "\\\\")
    for ch in "*_[]|`":
        out = out.replace(ch, "\\" + ch)
    # Angle brackets as entities: no Markdown renderer reads "&lt;img" as a tag, while
    # some pass a backslash-escaped "\\<img" through as raw HTML.
    return out.replace("<", "&lt;").replace(">", "&gt;")


def _value(value: str | None) -> str:
    return f"**{_escape(value)}**: " if value else ""


def _status(claim: Claim) -> str:
    """ "corroborated by 3 origins, all citing the Ministry of ..." or "single-source, 1
    independent origin; source: the mayor" """
    n = claim.independent_origins
    if claim.source_shared and claim.source:
        return f"{claim.status} by {n} origins, all citing {_escape(claim.source)}"
    text = f"{claim.status}, {n} independent origin{'s' if n != 1 else ''}"
    return text + (f"; source: {_escape(claim.source)}" if claim.source else "")


def render_markdown(brief: Brief) -> str:
    """The brief as one Markdown document.

    Every sentence ends with its citations: ``[3]`` is article 3, listed under
    Sources with its outlet, date and origin.
    """
    lines = [f"# {_escape(brief.title)}", ""]
    lines.append(f"*Story {brief.story}: {len(brief.sources)} articles from "
                 f"{brief.independent_origins} independent origin(s).*")
    lines += ["", "## Lead", ""]
    lines += [f"{_escape(c.text)}{_cites(c.cites)}" for c in brief.lead]
    origin_of = {src.article: src.origin for src in brief.sources}
    outlet_of = {src.article: src.outlet or f"article {src.article}" for src in brief.sources}

    def backing(cites: list[int]) -> str:
        """ "from 3 origins (Wire, Herald, Observer) [1][2][6][9]" """
        origins = sorted({origin_of.get(c, c) for c in cites})
        names = ", ".join(_escape(outlet_of.get(o, f"article {o}")) for o in origins)
        plural = "s" if len(origins) != 1 else ""
        return f"from {len(origins)} origin{plural} ({names}){_cites(sorted(cites))}"

    if brief.contested:
        lines += ["", "## Contested", ""]
        for claim in brief.contested:
            by_value: dict[str, list[Any]] = {}
            for i, v in enumerate(claim.variants):  # a variant without a value stands alone
                by_value.setdefault(v.value or f"variant {i + 1}", []).append(v)
            what = _escape(claim.subject or claim.kind or "report")
            sides = [f"**{_escape(value)}**, "
                     + backing(sorted({c for v in variants for c in v.cites}))
                     for value, variants in by_value.items()]
            lines.append(f"- **{what}**: " + " vs ".join(sides))
            lines += [f"  - {_escape(value)}: {_escape(variants[0].text)}"
                      f"{_cites(variants[0].cites)}" for value, variants in by_value.items()]
    shown = [f for f in brief.figures if f.status in ("corroborated", "updated")]
    if shown:
        lines += ["", "## Figures", ""]
        for figure in shown:
            values = [f"**{_escape(v['value'])}**, {backing(v['cites'])}" for v in figure.values]
            joiner = " then " if figure.status == "updated" else " vs "
            lines.append(f"- {_escape(figure.label)}: {joiner.join(values)} *({figure.status})*")
    facts = [c for c in brief.claims if c.status != "contested"]
    if facts:
        lines += ["", "## Key facts", ""]
        for claim in facts:
            lines.append(f"- {_escape(claim.text)}{_cites(claim.cites)} *({_status(claim)})*")
            lines += [f"  - also reported as: {_escape(v.text)}{_cites(v.cites)}"
                      for v in claim.variants]
            for citing in claim.citing:
                article = citing["article"]
                lines.append(f"  - [{article}] {_escape(outlet_of.get(article, ''))} cites "
                             f"{_escape(citing['outlet'])} for this: a citation, not "
                             "corroboration")
    if brief.quotes:
        lines += ["", "## Quotes", ""]
        for quote in brief.quotes:
            who = f" — {_escape(quote.speaker)}" if quote.speaker else ""
            lines.append(f"- {_escape(quote.text)}{who}{_cites(quote.cites)}")
    if brief.timeline:
        lines += ["", "## Timeline", ""]
        for t in brief.timeline:
            # Reports that give the event this day in their own words back the date only.
            others = [a for a in t.dated_by if a not in t.cites]
            also = f" (date also given by{_cites(others)})" if others else ""
            lines.append(f"- **{t.date}**: {_escape(t.text)}{_cites(t.cites)}{also}")
    if brief.unique:
        lines += ["", "## Reported by one outlet only", ""]
        for outlet, items in brief.unique.items():
            lines.append(f"- **{_escape(outlet)}**")
            lines += [f"  - {_escape(c.text)}{_cites(c.cites)}" for c in items]
    if brief.omissions:
        lines += ["", "## Corroborated facts an outlet leaves out", ""]
        for outlet, texts in brief.omissions.items():
            lines.append(f"- **{_escape(outlet)}** leaves out {len(texts)}: "
                         + "; ".join(_escape(t) for t in texts[:3])
                         + (" …" if len(texts) > 3 else ""))
    if brief.entities:
        lines += ["", "## Entities", ""]
        lines += [f"- {_escape(e['name'])} ({e['type']}){_cites(e['cites'])}"
                  for e in brief.entities]
    lines += ["", "## Sources", "", "| id | outlet | published | origin | derived from | title |",
              "|---|---|---|---|---|---|"]
    for s in brief.sources:
        lines.append(f"| [{s.article}] | {_escape(s.outlet or '-')} | "
                     f"{_escape(s.published or '-')} | "
                     f"{s.origin} | {s.derived_from if s.derived_from is not None else '-'} | "
                     f"{_escape(s.title or '-')} |")
    return "\n".join(lines) + "\n"


__all__ = ["render_markdown"]
