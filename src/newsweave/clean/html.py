"""Clean an HTML news page: main content by trafilatura, then our own news rules.

trafilatura finds the main content and the page metadata; it is tuned for
the general web and lets news furniture through (the headline, "Related:"
links, newsletter boxes, captions, bylines, a template's second copy of the
article). So the extracted content is read back as blocks that keep what
the HTML knew (heading level, list membership, share of link text) and
passed through the same :func:`~newsweave.clean.sieve.sift_blocks` as plain
text. Before extraction, elements hidden from readers are taken out.

Nothing disappears silently: the page text that trafilatura left out is
logged too, as ``outside-main-content``, up to a cap.
"""

from __future__ import annotations

import re
from copy import copy, deepcopy
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newsweave.clean.dom import list_page_blocks, remove_hidden_elements
from newsweave.clean.sieve import Block, Sifted, classify_blocks, line_key, sift_blocks
from newsweave.clean.text import PreparedText, prepare_text
from newsweave.model import Cleaned, Removal

MAX_LOGGED_BLOCKS = 200  # hidden or left-out page text logged block by block, at most ...
MAX_LOGGED_CHARS = 20_000  # ... and this many characters; the rest is logged as a count
MIN_LOGGED_CHARS = 2  # single characters (icons, bullets) are not worth a log line

_HEADING_LEVEL = re.compile(r"h([1-6])")
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
# Inline elements of trafilatura's XML: loose ones at the top level belong to one paragraph.
_INLINE_TAGS = frozenset({"ref", "hi", "lb", "del", "span", "a", "b", "i", "em", "strong"})


def clean_html(
    html: str, *, url: str | None = None, recurring: frozenset[str] = frozenset()
) -> Cleaned:
    """Extract the article body and metadata of an HTML page, logging what was removed.

    ``recurring`` holds :func:`~newsweave.clean.line_key` keys of lines that
    recur across the outlet's articles; such paragraphs are removed too.
    Broken or empty pages give an empty ``text`` rather than an error.

    >>> page = ("<html><head><title>Big News</title></head><body><h1>Big News</h1>"
    ...         "<p>It happened today, officials said, and it will happen again.</p>"
    ...         "<p>Advertisement</p><p>Share on Facebook</p></body></html>")
    >>> cleaned = clean_html(page)
    >>> cleaned.title, cleaned.text
    ('Big News', 'It happened today, officials said, and it will happen again.')
    """
    return prepare_html(html, url=url).clean(recurring)


@dataclass(slots=True)
class PreparedPage:
    """An HTML page as far as cleaning goes without the outlet's recurring lines: hidden
    elements out, main content extracted, its blocks classified. :meth:`clean` does the
    rest, as often as the recurring lines change (ingest cleans a page, then, where its
    outlet's recurring lines are among its lines, again with them)."""

    url: str | None
    plain: PreparedText | None = None  # a "page" with no markup at all: plain text
    removed: list[Removal] = field(default_factory=list)  # hidden elements, as logged
    budget: _LogBudget | None = None  # None: nothing extracted (broken page, no content)
    page_blocks: list[str] = field(default_factory=list)
    document: Any = None  # trafilatura's document: metadata, and ``body`` the content
    blocks: list[Block] = field(default_factory=list)
    classes: list[str | None] = field(default_factory=list)

    def clean(self, recurring: frozenset[str] = frozenset()) -> Cleaned:
        """The cleaned page, given the outlet's recurring lines (as :func:`clean_html`)."""
        if self.plain is not None:
            cleaned = self.plain.clean(recurring)
            cleaned.url = self.url
            return cleaned
        if self.budget is None:
            return Cleaned(text="", url=self.url)
        budget = copy(self.budget)  # each call logs against the budget left after extraction
        removed = list(self.removed)
        document = self.document
        if document is None:
            removed += budget.take(_left_out(self.page_blocks, "", removed),
                                   "outside-main-content")
            return Cleaned(text="", removed=removed + budget.close(), url=self.url)
        sifted = sift_blocks(
            self.blocks,
            title=document.title,
            description=document.description,
            recurring=recurring,
            classes=self.classes,
        )
        text = "\n\n".join(sifted.paragraphs)
        removed += sifted.removed
        removed += budget.take(_left_out(self.page_blocks, text, removed),
                               "outside-main-content")
        return Cleaned(
            text=text,
            removed=removed + budget.close(),
            title=_pick_title(document.title, sifted),
            author=document.author or None,
            published=document.date or None,
            published_how="html-meta" if document.date else None,
            outlet=document.sitename or None,
            outlet_how="html-meta" if document.sitename else None,
            url=document.url or self.url,
        )


def prepare_html(html: str, *, url: str | None = None) -> PreparedPage:
    """``html`` parsed, its hidden elements taken out, its main content extracted and cut
    into classified blocks, ready to :meth:`~PreparedPage.clean`."""
    if html.strip() and "<" not in html:
        return PreparedPage(url, plain=prepare_text(html))  # no markup at all: plain text
    tree = _parse(html)
    if tree is None:
        return PreparedPage(url)
    page_blocks = list_page_blocks(tree)
    budget = _LogBudget()
    removed = budget.take(remove_hidden_elements(tree), "hidden-element")
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_links=True,  # only to measure link text; links are not kept in the output
        include_tables=True,
        with_metadata=True,
    )
    if document is None:
        return PreparedPage(url, removed=removed, budget=budget, page_blocks=page_blocks)
    blocks = read_blocks(document.body)
    return PreparedPage(url, removed=removed, budget=budget, page_blocks=page_blocks,
                        document=document, blocks=blocks, classes=classify_blocks(blocks))


class _LogBudget:
    """Caps how much hidden and left-out page text is logged; counts the rest."""

    def __init__(self) -> None:
        self.blocks = self.chars = 0
        self.omitted = self.omitted_chars = 0

    def take(self, texts: list[str], reason: str) -> list[Removal]:
        logged = []
        for text in texts:
            if self.blocks >= MAX_LOGGED_BLOCKS or self.chars + len(text) > MAX_LOGGED_CHARS:
                self.omitted += 1
                self.omitted_chars += len(text)
                continue
            logged.append(Removal(text, reason))
            self.blocks += 1
            self.chars += len(text)
        return logged

    def close(self) -> list[Removal]:
        """One last entry counting what was not logged, if anything."""
        if not self.omitted:
            return []
        summary = (
            f"{self.omitted} more blocks of page text ({self.omitted_chars:,} characters), "
            "hidden or outside the main content"
        )
        return [Removal(summary, "omitted-from-log")]


def _parse(html: str) -> HtmlElement | None:
    """The page's tree, or None when there is no page to speak of."""
    if not html or not html.strip():
        return None
    try:
        tree = load_html(html)
    except (ValueError, etree.LxmlError):
        return None
    if tree is None or not "".join(tree.itertext()).strip():
        return None
    return tree


def _pick_title(meta_title: str | None, sifted: Sifted) -> str | None:
    """The headline as printed on the page, else the page's declared title.

    The printed headline is preferred because declared titles often carry the
    site's name ("Headline - Example News").
    """
    return sifted.headline or (meta_title or "").strip() or None


def read_blocks(body: etree._Element | None) -> list[Block]:
    """trafilatura's extracted XML as blocks: one per line of a paragraph, heading or item.

    A block is one rendered line (paragraphs split at ``<br>``), so that a
    caption line inside a paragraph can go alone; the lines of one element
    share a ``unit`` and print as one paragraph again.
    """
    blocks: list[Block] = []
    if body is None:
        return blocks
    units = count()  # numbers for elements and lists (not id(): lxml proxies are transient)
    for element in _list_block_elements(body):
        if element.tag == "list":
            group = next(units)  # the items of one list print as one paragraph
            for item in element:
                blocks.extend(_make_blocks(item, "item", group=group, unit=next(units)))
            continue
        unit = next(units)
        if element.tag == "head":
            match = _HEADING_LEVEL.fullmatch(element.get("rend") or "")
            level = int(match.group(1)) if match else 2
            blocks.extend(_make_blocks(element, "head", group=unit, unit=unit, level=level))
        elif element.tag in ("table", "code"):
            kind = str(element.tag)
            blocks.extend(_make_blocks(element, kind, group=unit, unit=unit, whole=True))
        elif element.tag in ("p", "quote"):
            blocks.extend(_make_blocks(element, str(element.tag), group=unit, unit=unit))
        else:
            # a fallback extractor's <div>: its <p> may be cut around every link
            blocks.extend(_make_blocks(element, "p", group=-1, unit=unit, mend=True))
    if body.tag in _CHROME_TAGS:  # the baseline fallback returns a page's menu as its "body"
        for block in blocks:
            block.preset = "page-chrome"
    return blocks


def _list_block_elements(body: etree._Element) -> list[etree._Element]:
    """The body's block children; loose text and inline children are wrapped in a ``<p>``."""
    elements: list[etree._Element] = []
    loose: etree._Element | None = None

    def add_loose(text: str | None, child: etree._Element | None = None) -> None:
        nonlocal loose
        if child is None and not (text or "").strip():
            return
        if loose is None:
            loose = etree.Element("p")
            elements.append(loose)
        if child is not None:
            loose.append(deepcopy(child))
        elif len(loose):
            loose[-1].tail = (loose[-1].tail or "") + (text or "")
        else:
            loose.text = (loose.text or "") + (text or "")

    add_loose(body.text)
    for child in body:
        if not isinstance(child.tag, str):
            add_loose(child.tail)
        elif child.tag in _INLINE_TAGS:
            add_loose(None, child)  # its tail travels with the copy
        else:
            elements.append(child)
            loose = None
            add_loose(child.tail)
    return elements


def _make_blocks(
    element: etree._Element,
    kind: str,
    *,
    group: int,
    unit: int,
    level: int = 0,
    whole: bool = False,
    mend: bool = False,
) -> list[Block]:
    """Render one element as blocks, one per line unless ``whole``.

    ``mend`` marks a fallback extractor's ``<div>``, whose lines become paragraphs.
    """
    lines = render_lines(element)
    if not lines:
        return []
    if whole:
        text = "\n".join(line for line, _ in lines)
        ratio = sum(r * len(line) for line, r in lines) / max(1, len(text))
        return [Block(text, kind, level, ratio, group, unit)]
    lines = mend_lines(lines)
    if kind == "item":
        lines[0] = ("- " + lines[0][0], lines[0][1])
    # the lines of one element print as one paragraph again, joined by newlines; a
    # fallback's lines (group -1) are paragraphs of their own
    return [Block(line, kind, level, ratio, group, unit) for line, ratio in lines]


_CONTINUATION = re.compile(r"^[a-z,.;:)!?\]]")
_OPEN_END = re.compile(r"[\w,]$")


def mend_lines(lines: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Join lines that continue a cut sentence: "... publication" + "DigiTimes" + ". A preview".

    >>> mend_lines([("cited by", 0.0), ("DigiTimes", 1.0), (". A preview.", 0.0)])
    [('cited by DigiTimes. A preview.', 0.3)]
    """
    mended: list[tuple[str, float]] = []
    for text, ratio in lines:
        if mended:
            last, last_ratio = mended[-1]
            continues = _CONTINUATION.match(text) or (
                _OPEN_END.search(last) and ratio >= 0.9 and len(text.split()) <= 12
            )
            if continues:
                glue = "" if text[0] in ",.;:)!?]" else " "
                joined = last + glue + text
                linked = last_ratio * len(last) + ratio * len(text)
                mended[-1] = (joined, round(min(1.0, linked / len(joined)), 2))
                continue
        mended.append((text, ratio))
    return mended


# Elements of trafilatura's XML that start a new line of text.
_LINE_BREAKS = frozenset("lb p head item list quote row table code graphic div".split())


def render_lines(element: etree._Element) -> list[tuple[str, float]]:
    """The element's text as lines, each with the share of its characters inside links.

    Whitespace inside a line is collapsed: line breaks come only from ``<lb/>``
    and block elements, never from the page's source formatting.
    """
    lines: list[tuple[str, float]] = []
    parts: list[tuple[str, bool]] = []

    def flush() -> None:
        # a newline inside the text breaks the line too: fallback extractors join with it
        pieces: list[list[tuple[str, bool]]] = [[]]
        for text, in_link in parts:
            first, *rest = text.split("\n")
            pieces[-1].append((first, in_link))
            pieces.extend([(line, in_link)] for line in rest)
        for piece in pieces:
            text = " ".join("".join(t for t, _ in piece).split())
            if text:
                linked = sum(len("".join(t.split())) for t, in_link in piece if in_link)
                lines.append((text, min(1.0, linked / max(1, len("".join(text.split()))))))
        parts.clear()

    # an explicit stack of (element, entering, inside a link) instead of recursion
    stack: list[tuple[etree._Element, bool, bool]] = [(element, True, False)]
    while stack:
        node, entering, in_link = stack.pop()
        tag = node.tag if isinstance(node.tag, str) else ""
        if entering:
            if tag in _LINE_BREAKS:
                flush()
            if tag == "cell" and parts:
                parts.append((" | ", False))
            inner = in_link or tag == "ref"
            stack.append((node, False, in_link))
            if tag and node.text:
                parts.append((node.text, inner))
            stack.extend((child, True, inner) for child in reversed(node))
            continue
        if tag in _LINE_BREAKS:
            flush()
        if node is not element and node.tail:
            parts.append((node.tail, in_link))
    flush()
    return lines


def _left_out(page_blocks: list[str], text: str, removed: list[Removal]) -> list[str]:
    """Page text that is neither in the body nor already in the removal log."""
    covered = line_key(text) + "\n" + "\n".join(line_key(r.text) for r in removed)
    return [
        block
        for block in page_blocks
        if len(block) >= MIN_LOGGED_CHARS and line_key(block) not in covered
    ]
