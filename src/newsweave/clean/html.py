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

import logging
import re
from copy import deepcopy

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from newsweave.clean.dom import list_page_blocks, remove_hidden_elements
from newsweave.clean.sieve import Block, Sifted, line_key, sift_blocks
from newsweave.model import Cleaned, Removal

MAX_OUTSIDE_BLOCKS = 200  # blocks of left-out page text logged one by one
MAX_OUTSIDE_CHARS = 20_000  # ... and characters; the rest is logged as a count
MIN_OUTSIDE_CHARS = 2  # single characters (icons, bullets) are not worth a log line

_HEADING_LEVEL = re.compile(r"h([1-6])")

# trafilatura logs "empty HTML tree" and similar at ERROR level; for a cleaner
# an empty or broken page is an ordinary outcome, reported by an empty text.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def clean_html(
    html: str, *, url: str | None = None, recurring: frozenset[str] = frozenset()
) -> Cleaned:
    """Extract the article body and metadata of an HTML page, logging what was removed.

    ``recurring`` holds :func:`~newsweave.clean.line_key` keys of lines that
    recur across the outlet's articles; such paragraphs are removed too.
    Broken or empty pages give an empty ``text`` rather than an error.
    """
    tree = _parse(html)
    if tree is None:
        return Cleaned(text="", url=url)
    page_blocks = list_page_blocks(tree)
    hidden = remove_hidden_elements(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_links=True,  # only to measure link text; links are not kept in the output
        include_tables=True,
        with_metadata=True,
    )
    removed = [Removal(text, "hidden-element") for text in hidden]
    if document is None:
        return Cleaned(text="", removed=removed + _log_outside(page_blocks, "", removed), url=url)
    sifted = sift_blocks(
        read_blocks(document.body),
        title=document.title,
        description=document.description,
        recurring=recurring,
    )
    text = "\n\n".join(sifted.paragraphs)
    removed += sifted.removed
    removed += _log_outside(page_blocks, text, removed)
    return Cleaned(
        text=text,
        removed=removed,
        title=_pick_title(document.title, sifted),
        author=document.author or None,
        published=document.date or None,
        published_how="html-meta" if document.date else None,
        outlet=document.sitename or None,
        outlet_how="html-meta" if document.sitename else None,
        url=document.url or url,
    )


def _parse(html: str) -> HtmlElement | None:
    """The page's tree, or None when there is no page to speak of."""
    if not html or not html.strip() or "<" not in html:
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
    """trafilatura's extracted XML as blocks: one per paragraph, heading or list item."""
    blocks: list[Block] = []
    if body is None:
        return blocks
    for group, element in enumerate(body):
        if element.tag == "list":
            for item in element:
                blocks.extend(_make_blocks(item, "item", group=group))
        elif element.tag == "head":
            match = _HEADING_LEVEL.fullmatch(element.get("rend") or "")
            level = int(match.group(1)) if match else 2
            blocks.extend(_make_blocks(element, "head", level=level))
        elif element.tag in ("p", "quote", "table", "code"):
            blocks.extend(_make_blocks(element, str(element.tag), group=group))
        else:
            # a fallback extractor's <div>: its line breaks are the page's source formatting
            blocks.extend(_make_blocks(element, "p", group=-1, reflow=True))
    return blocks


def _make_blocks(
    element: etree._Element, kind: str, *, level: int = 0, group: int = -1, reflow: bool = False
) -> list[Block]:
    """Render one element; a paragraph with line breaks gives one block per line."""
    copy = deepcopy(element)
    copy.tail = None
    link_chars = sum(len("".join(ref.itertext())) for ref in copy.iter("ref"))
    etree.strip_tags(copy, "ref")
    text = xmltotxt(copy, False).strip()
    if not text:
        return []
    if reflow:
        chunks = [" ".join(c.split()) for c in re.split(r"\n\s*\n", text)]
        return [Block(c, kind, level, _ratio(link_chars, c, text), -1) for c in chunks if c]
    if kind in ("table", "code") or "\n" not in text:
        return [Block(text, kind, level, min(1.0, link_chars / len(text)), group)]
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    # the lines of one paragraph print as one paragraph again; mark them as a group
    line_group = group if group >= 0 else id(element)
    return [Block(line, kind, level, _ratio(link_chars, line, text), line_group) for line in lines]


def _ratio(link_chars: int, part: str, whole: str) -> float:
    """The link share of ``whole``, attributed evenly to ``part`` (a piece of it)."""
    return min(1.0, link_chars / max(1, len(whole)))


def _log_outside(page_blocks: list[str], text: str, removed: list[Removal]) -> list[Removal]:
    """Page text that is neither in the body nor already logged, up to the caps."""
    covered = line_key(text) + "\n" + "\n".join(line_key(r.text) for r in removed)
    logged: list[Removal] = []
    chars = 0
    omitted = omitted_chars = 0
    for block in page_blocks:
        if len(block) < MIN_OUTSIDE_CHARS or line_key(block) in covered:
            continue
        if len(logged) >= MAX_OUTSIDE_BLOCKS or chars + len(block) > MAX_OUTSIDE_CHARS:
            omitted += 1
            omitted_chars += len(block)
            continue
        logged.append(Removal(block, "outside-main-content"))
        chars += len(block)
    if omitted:
        logged.append(
            Removal(
                f"{omitted} more blocks of page text ({omitted_chars:,} characters) "
                "outside the main content",
                "outside-main-content-omitted",
            )
        )
    return logged
