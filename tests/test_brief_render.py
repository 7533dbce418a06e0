"""The brief's three renderings, built from model objects: Markdown, HTML, JSON + schema."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from conftest import REPO
from newsweave.brief import render
from newsweave.brief.build import Brief, Cited, QuoteGroup, Source, TimelineEntry
from newsweave.model import Claim, ClaimVariant, Passage

EVIL = '<script>alert("x")</script> & | *bold* [link](http://evil.example)'


def sample() -> Brief:
    p1 = Passage(1, 0, 40, "At least 14 people were killed on Monday.")
    p3 = Passage(3, 10, 50, "Seventeen people have now died, he said.")
    return Brief(
        story=5,
        title="Dam breach kills 14 " + EVIL,
        lead=[Cited("At least 14 people were killed on Monday.", [1, 2], [p1]),
              Cited("Water " + EVIL, [2])],
        claims=[
            Claim("At least 14 people were killed on Monday.", "contested", [1, 2], 2,
                  [ClaimVariant("At least 14 people were killed on Monday.", [1, 2], [p1]),
                   ClaimVariant("Seventeen people have now died, he said.", [3], [p3])],
                  kind="number"),
            Claim("About 3,200 were evacuated.", "corroborated", [1, 3], 2),
            Claim("Rain fell for days.", "single-source", [1, 2], 1),
        ],
        quotes=[QuoteGroup("We will not stop.", "Aleksandr Petrin", [1, 3])],
        timeline=[TimelineEntry("2026-03-02", "The dam gave way late on Monday.", [1, 3])],
        entities=[{"name": "Aleksandr Petrin", "type": "PERSON", "aliases": [], "cites": [1]}],
        sources=[Source(1, "Wire", "2026-03-03", 1, None, "Dam breach"),
                 Source(2, "Repost " + EVIL, "2026-03-03", 1, 1),
                 Source(3, "Beacon", None, 3, None)],
        unique={"Beacon": [Cited("A hotline opened.", [3])]},
        omissions={"Repost": ["About 3,200 were evacuated."]},
        independent_origins=2,
    )


def test_markdown_cites_every_sentence_and_escapes_markup() -> None:
    text = render(sample(), "md")
    assert text.startswith("# Dam breach kills 14")
    assert "At least 14 people were killed on Monday. [1][2]" in text
    assert "Seventeen people have now died, he said. [3]" in text
    assert "## Contested" in text and "## Timeline" in text and "## Sources" in text
    assert "<script>" not in text and "\\[link\\]" in text and "\\*bold\\*" in text
    assert "| [2] | Repost" in text  # the sources table stays a table despite "|" in a name


def test_html_is_self_contained_and_escaped() -> None:
    html = render(sample(), "html")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html.lower().replace("&lt;script", "")
    assert "&lt;script&gt;" in html
    # No external assets: every src/href is an in-page anchor.
    assert not re.search(r'\b(?:src)=', html)
    assert all(h.startswith("#") for h in re.findall(r'href="([^"]*)"', html))
    # Citations with evidence link to the quoted passage, which is in the file.
    assert 'href="#p1-0-40"' in html and 'id="p1-0-40"' in html
    assert 'href="#p3-10-50"' in html and 'id="p3-10-50"' in html
    # Citations without evidence link to the source's row in the sources table.
    assert 'href="#a2"' in html and 'id="a2"' in html


def test_json_validates_against_the_published_schema() -> None:
    data = json.loads(render(sample(), "json"))
    schema = json.loads((REPO / "docs" / "schema" / "brief.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    assert data["claims"][0]["variants"][1]["cites"] == [3]
    assert data["sources"][1]["derived_from"] == 1
    assert data["lead"][0]["evidence"][0]["article"] == 1


def test_schema_rejects_a_brief_without_citations() -> None:
    data = json.loads(render(sample(), "json"))
    data["lead"][0]["cites"] = []
    schema = json.loads((REPO / "docs" / "schema" / "brief.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="md, html, json"):
        render(sample(), "pdf")


def test_markdown_escapes_an_unparsed_publication_date() -> None:
    # An unparseable date string is stored as given (#11): it must not reach the .md raw.
    brief = sample()
    brief.sources[2].published = "<img src=x onerror=alert(1)>"
    md = render(brief, "md")
    assert "<img" not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md
    html = render(brief, "html")
    assert "<img" not in html
