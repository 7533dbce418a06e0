"""Work on the parsed page before extraction: hidden elements, the page's visible text.

Kept apart from :mod:`newsweave.clean.html` because these functions know the
HTML tree only, not trafilatura.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

# Elements that start a new block of text when a browser renders the page.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul br caption center".split()
)
# Elements whose text a reader never sees as text.
INVISIBLE_TAGS = frozenset(
    "script style noscript template head title meta link svg math iframe object embed "
    "select option button input textarea canvas video audio source picture map".split()
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
MAX_HIDDEN_CHARS = 500  # longer hidden text is logged shortened
MAX_HIDDEN_SHARE = 0.5  # a hidden element with more of the page's text than this stays


def list_page_blocks(tree: etree._Element) -> list[str]:
    """The page's visible text, one string per rendered block, in document order.

    >>> from lxml.html import fromstring
    >>> list_page_blocks(fromstring("<div>Menu<p>Hello <b>you</b></p>Bye<script>x</script></div>"))
    ['Menu', 'Hello you', 'Bye']
    """
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        if text:
            blocks.append(text)
        buffer.clear()

    # An explicit stack, not recursion: broken pages can nest deeper than Python recurses.
    # Entries are (element, entering); on leaving, a block flushes and the tail follows.
    stack: list[tuple[etree._Element, bool]] = [(tree, True)]
    while stack:
        element, entering = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        visible = bool(tag) and tag not in INVISIBLE_TAGS
        if entering:
            stack.append((element, False))
            if not visible:
                continue  # comments, scripts: their own text is skipped, their tail is not
            if tag in BLOCK_TAGS:
                flush()
            if element.text:
                buffer.append(element.text)
            stack.extend((child, True) for child in reversed(element))
            continue
        if visible and tag in BLOCK_TAGS:
            flush()
        if element.tail and element is not tree:
            buffer.append(element.tail)
    flush()
    return blocks


# Class names that hide an element outright (CSS frameworks, CMS conventions).
_HIDDEN_CLASSES = frozenset(
    "hidden hide d-none sr-only visually-hidden visuallyhidden screen-reader-text "
    "element-hidden element-invisible invisible is-hidden u-hidden".split()
)
# Parts of class names for boxes shown only on hover or click: tooltips, pop-ups, menus.
_POPUP_PARTS = frozenset("tooltip popover popup modal rollover hovercard dropdown".split())
_CLASS_PARTS = re.compile(r"[-_]+")
MAX_POPUP_CHARS = 2000  # a box this long may be the article itself, whatever its class


def is_hidden(element: etree._Element) -> bool:
    """True for an element the page hides from readers until (or unless) they interact.

    ``hidden``, ``aria-hidden`` is not used: screen readers skip decorative
    copies with it, but pages also put it on visible text.
    """
    if element.get("hidden") is not None:
        return True
    if _HIDDEN_STYLE.search(element.get("style") or ""):
        return True
    classes = (element.get("class") or "").split()
    if any(name.casefold() in _HIDDEN_CLASSES for name in classes):
        return True
    parts = {part for name in classes for part in _CLASS_PARTS.split(name.casefold())}
    if parts & _POPUP_PARTS:
        return len("".join(element.itertext())) <= MAX_POPUP_CHARS
    return False


def remove_hidden_elements(tree: HtmlElement) -> list[str]:
    """Drop hidden elements from ``tree``; return their text, for the removal log.

    Pages hide machine-readable copies of the headline, dates and summary
    (schema.org blocks), pop-ups and templates; a reader never sees them, so
    they are no part of the article. An element holding most of the page's
    text stays, hidden or not: pages that reveal their article with a script
    hide it in the HTML.
    """
    texts: list[str] = []
    body = tree.find(".//body")
    root = body if body is not None else tree
    page_chars = sum(len(block) for block in list_page_blocks(root))
    hidden = [el for el in root.iter() if el is not root and is_hidden(el)]
    for element in hidden:
        if element.getparent() is None or _has_removed_ancestor(element, root):
            continue
        text = " ".join(list_page_blocks(element))
        if len(text) > MAX_HIDDEN_SHARE * page_chars:
            continue
        if text:
            texts.append(text[:MAX_HIDDEN_CHARS])
        _drop_keep_tail(element)
    return texts


def _has_removed_ancestor(element: etree._Element, root: etree._Element) -> bool:
    """True when an ancestor was already taken out of the tree (it no longer reaches root)."""
    node = element
    while node is not None:
        if node is root:
            return False
        node = node.getparent()
    return True


def _drop_keep_tail(element: etree._Element) -> None:
    """Remove ``element`` but keep the text that follows it (its tail) in the tree."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
