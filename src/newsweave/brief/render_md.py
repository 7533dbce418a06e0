"""The brief as Markdown: citations as ``[id]`` after each sentence, a sources table at the end."""

from __future__ import annotations

from newsweave.brief.build import Brief


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
    if brief.contested:
        lines += ["", "## Contested", ""]
        for claim in brief.contested:
            lines.append(f"- **Reports differ ({claim.kind})** "
                         f"({claim.independent_origins} independent origins):")
            lines += [f"  - {_value(v.value)}{_escape(v.text)}{_cites(v.cites)}"
                      for v in claim.variants]
    facts = [c for c in brief.claims if c.status != "contested"]
    if facts:
        lines += ["", "## Key facts", ""]
        for claim in facts:
            lines.append(f"- {_escape(claim.text)}{_cites(claim.cites)} "
                         f"*({claim.status}, {claim.independent_origins} independent "
                         f"origin{'s' if claim.independent_origins != 1 else ''})*")
            lines += [f"  - also reported as: {_escape(v.text)}{_cites(v.cites)}"
                      for v in claim.variants]
    if brief.quotes:
        lines += ["", "## Quotes", ""]
        for quote in brief.quotes:
            who = f" — {_escape(quote.speaker)}" if quote.speaker else ""
            lines.append(f"- {_escape(quote.text)}{who}{_cites(quote.cites)}")
    if brief.timeline:
        lines += ["", "## Timeline", ""]
        lines += [f"- **{t.date}**: {_escape(t.text)}{_cites(t.cites)}" for t in brief.timeline]
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
