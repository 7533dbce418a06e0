"""The order-aware pass over an article's blocks: what stays, what goes and why.

Both cleaners reduce their input to a list of :class:`Block` (paragraphs,
headings, list items; from HTML they also know how much of a block is link
text) and hand it to :func:`sift_blocks`, so HTML and plain text get the same
news rules. Single-block rules come from :mod:`newsweave.clean.rules`; this
module adds the rules that need neighbours:

* the headline at the top (and its repeat, and the summary under it);
* a "Related posts" heading takes the headlines listed under it with it;
* weak rules (bio, contact, follow-us) only apply outside the body: after the last body
  paragraph or above the first;
* a page template's second copy of the headline block goes too.

Paragraphs repeated in the body are kept: recipes and interviews repeat lines
on purpose, and the template copies that pages hide are removed from the HTML.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from newsweave.clean.rules import (
    classify_block,
    classify_edge_block,
    count_words,
    ends_sentence,
    is_headline_like,
    is_related_heading,
    is_tag_heading,
)
from newsweave.model import Removal

_CLOSERS = "\"'“”‘’«»„)] "
_FOOTNOTE = re.compile(r"^\W{0,2}\[\d{1,3}\]")

MAX_HEADLINE_WORDS = 30
MAX_KICKER_WORDS = 5  # a section label above the headline ("Nation", "World news")
KICKER_LOOKAHEAD = 3  # how many blocks may stand above the headline
LINK_LIST_RATIO = 0.5  # a block this much link text is a list entry under a "Related" heading
LINK_ONLY_RATIO = 0.9  # a headline-like block this much link text is a link to another article
MAX_TAIL_SKIPS = 3  # short non-sentences skipped while looking for end matter
MIN_BODY_WORDS = 10  # a body paragraph: a sentence of at least this many words
# Reasons whose rule reads a line as a label with free text after it ("WATCH: <headline>",
# "Posted in: <section> <headline>"); when that line is all an article holds, nothing is
# pointed to or tagged: the free text is the article (a feed item, a wire flash).
LABELLED_REASONS = frozenset({"related-list", "tags"})
MIN_ITEM_WORDS = 5  # after its label, an only line with fewer words is no news item
MAX_LIST_PIECE_WORDS = 3  # "politics, economy, Europe": short pieces between separators
_LABEL_END = re.compile(r"[:|>»]")
_LIST_SEPARATOR = re.compile(r"[,;|•·]")


@dataclass(slots=True)
class Block:
    """One paragraph-level piece of an article, before cleaning.

    ``kind`` is ``"p"``, ``"head"`` (a heading; ``level`` 1-6), ``"item"``
    (a list item), ``"quote"``, ``"table"`` or ``"line"`` (plain text).
    ``link_ratio`` is the share of the text inside links, or ``None`` where
    the input had no links to measure (plain text).
    """

    text: str
    kind: str = "line"
    level: int = 0
    link_ratio: float | None = None
    group: int = -1  # blocks of one group print as one paragraph, one block per line
    unit: int = -1  # blocks rendered from one HTML element (the lines of a list item)
    preset: str | None = None  # a removal reason already decided from the markup


@dataclass(slots=True)
class Sifted:
    """What :func:`sift_blocks` made of a list of blocks."""

    paragraphs: list[str]
    removed: list[Removal] = field(default_factory=list)
    headline: str | None = None


@lru_cache(maxsize=1 << 12)  # a body's lines are keyed when sifted, stored and re-cleaned
def line_key(line: str) -> str:
    """The key under which a line counts as "the same line" across articles.

    Case-folded, Unicode-normalised, whitespace collapsed; digits are kept, so
    "Story Code: 258820" and "Story Code: 258821" stay different lines.

    >>> line_key("  Related   POSTS ")
    'related posts'
    """
    if line.isascii():  # NFKC leaves ASCII as it is, and casefolds it as lower() does
        return " ".join(line.lower().split())
    return " ".join(unicodedata.normalize("NFKC", line).casefold().split())


def title_key(text: str) -> str:
    """Letters and digits only, case-folded: punctuation and spacing differ between copies."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def is_same_title(text: str, title: str | None) -> bool:
    """True when ``text`` is ``title`` give or take punctuation or a site-name affix."""
    if not title:
        return False
    a, b = title_key(text), title_key(title)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    # "Opinion | X" or "X - Site name" against "X": most of the longer one is the shorter one
    return len(short) >= 20 and short in long_ and len(short) >= 0.6 * len(long_)


def sift_blocks(
    blocks: list[Block],
    *,
    title: str | None = None,
    description: str | None = None,
    recurring: frozenset[str] = frozenset(),
    classes: list[str | None] | None = None,
) -> Sifted:
    """Split ``blocks`` into body paragraphs and logged removals.

    ``title`` and ``description`` are the page's own metadata (HTML), used to
    recognise the headline and the summary under it; without a title a short
    title-like first line is taken as the headline. ``classes`` are the blocks'
    :func:`classify_blocks`, where the caller already has them (the same blocks sifted
    again with the outlet's recurring lines, once those are known).
    """
    if classes is None:
        classes = classify_blocks(blocks)
    reasons = list(classes)
    if recurring:
        for i, block in enumerate(blocks):
            if not block.preset and line_key(block.text) in recurring:
                reasons[i] = "recurring-line"
    headline = _mark_headline(blocks, reasons, title, description)
    _mark_lists(blocks, reasons)
    _mark_link_only(blocks, reasons)
    _mark_head(blocks, reasons)
    _mark_tail(blocks, reasons)
    if headline is None:
        _keep_only_item(blocks, classes, reasons)
    return Sifted(
        paragraphs=_join_paragraphs(blocks, reasons),
        removed=[Removal(b.text, r) for b, r in zip(blocks, reasons, strict=True) if r],
        headline=headline,
    )


def classify_blocks(blocks: list[Block]) -> list[str | None]:
    """Each block's reason decided from the block alone: its markup's (``preset``), else
    the strong rules' (:func:`~newsweave.clean.rules.classify_block`), else None. A block
    whose line recurs across the outlet is removed as such unless its markup decided."""
    return [block.preset or classify_block(block.text) for block in blocks]


def _remaining(reasons: list[str | None], start: int = 0) -> list[int]:
    return [i for i in range(start, len(reasons)) if reasons[i] is None]


def _mark_headline(
    blocks: list[Block],
    reasons: list[str | None],
    title: str | None,
    description: str | None,
) -> str | None:
    """Find the headline at the top, mark it, its repeats and the summary under it."""
    left = _remaining(reasons)
    if not left:
        return None
    found = None
    for position, i in enumerate(left[: KICKER_LOOKAHEAD + 1]):
        if is_same_title(blocks[i].text, title):
            found = position
            break
    first = blocks[left[0]]
    if found is None and _is_headline_block(first, has_title=title is not None):
        found = 0
    if found is None:
        if description and first.kind == "head" and is_same_title(first.text, description):
            reasons[left[0]] = "standfirst"
        return None
    for i in left[:found]:
        if count_words(blocks[i].text) <= MAX_KICKER_WORDS:
            reasons[i] = "section-label"
    index = left[found]
    headline = blocks[index].text.strip()
    reasons[index] = "headline"
    after = _remaining(reasons, index + 1)
    while after and is_same_title(blocks[after[0]].text, headline):
        reasons[after.pop(0)] = "duplicate-title"
    if after and _is_standfirst(blocks[after[0]], description):
        reasons[after[0]] = "standfirst"
    # a page template may print the headline block (and the summary) again further down
    for i in _remaining(reasons, index + 1):
        block = blocks[i]
        if block.kind == "head" and is_same_title(block.text, headline):
            reasons[i] = "duplicate-title"
        elif block.kind == "head" and description and is_same_title(block.text, description):
            reasons[i] = "standfirst"
    return headline


def _is_headline_block(block: Block, *, has_title: bool) -> bool:
    text = block.text.strip()
    words = count_words(text)
    if not 1 <= words <= MAX_HEADLINE_WORDS or "\n" in text:
        return False
    if block.kind == "head":
        return block.level == 1 or not has_title
    if block.kind != "line":
        return False
    # plain text: a title-like line, not the opening of the story ("March 3 (NPA) -- ...")
    return is_headline_like(text, MAX_HEADLINE_WORDS) and not re.search(r"\s(?:--|—|–)\s", text)


def _is_standfirst(block: Block, description: str | None) -> bool:
    if block.kind != "head" or block.level == 1:
        return False
    if description and is_same_title(block.text, description):
        return True
    # a summary sentence; a heading that opens with a quotation is a pull quote, not a summary
    text = block.text.strip()
    return ends_sentence(text) and count_words(text) >= 8 and text[0] not in _CLOSERS


def _is_list_entry(block: Block, at_end: bool) -> bool:
    """Could ``block`` be one of the other articles listed under a "Related" heading?"""
    words = count_words(block.text)
    if block.link_ratio is not None and block.link_ratio >= LINK_LIST_RATIO and words <= 40:
        return True
    if not is_headline_like(block.text, 25):
        return False
    # Without link information (plain text) a headline-like line is enough; from HTML,
    # only at the end of the article, where no body paragraph can follow.
    return block.link_ratio is None or at_end


def _mark_lists(blocks: list[Block], reasons: list[str | None]) -> None:
    """Mark "Related" and "Tags" headings together with the entries listed under them."""
    for i, block in enumerate(blocks):
        if reasons[i] is not None:
            continue
        if is_related_heading(block.text):
            reason = "related-list"
        elif is_tag_heading(block.text):
            reason = "tags"
        else:
            continue
        reasons[i] = reason
        following = _remaining(reasons, i + 1)
        at_end = all(
            is_headline_like(blocks[j].text, 25) or (blocks[j].link_ratio or 0) >= LINK_LIST_RATIO
            for j in following
        )
        for j in following:
            entry = blocks[j]
            if reason == "tags" and count_words(entry.text) > 5:
                break
            if reason == "related-list" and not _is_list_entry(entry, at_end):
                break
            reasons[j] = reason


def _mark_link_only(blocks: list[Block], reasons: list[str | None]) -> None:
    """Mark teasers for other pages: a linked headline, alone or over its summary line."""
    units: dict[int, list[int]] | None = None  # the blocks of each unit, once one is asked
    for i, block in enumerate(blocks):
        if reasons[i] is not None or block.kind not in ("p", "item"):
            continue
        if not _is_link_headline(block):
            continue
        if units is None:
            units = {}
            for k, each in enumerate(blocks):
                units.setdefault(each.unit, []).append(k)
        unit = units.get(block.unit, []) if block.unit >= 0 else []
        # a list entry "linked headline / one-line summary" is a teaser card as a whole
        is_card = block.kind == "item" and unit and unit[0] == i
        if is_card and all(count_words(blocks[j].text) <= 40 for j in unit):
            for j in unit:
                reasons[j] = reasons[j] or "related-link"
            continue
        if len(block.text.split()) >= 3:  # a web address alone is no headline
            reasons[i] = "related-link"


def _is_link_headline(block: Block) -> bool:
    if (block.link_ratio or 0) < LINK_ONLY_RATIO:
        return False
    text = block.text.strip()
    if _FOOTNOTE.match(text):
        return False  # "[2] Source title": a reference of the article's own
    # a question or a trailing ellipsis is a teaser line of the article itself
    return is_headline_like(text, 25) and not text.rstrip(_CLOSERS).endswith(("?", "...", "…"))


def is_body_paragraph(text: str) -> bool:
    """True for a paragraph that reads as article text: a full sentence of some length."""
    return count_words(text) >= MIN_BODY_WORDS and ends_sentence(text)


def _mark_head(blocks: list[Block], reasons: list[str | None]) -> None:
    """Apply the weak end-matter rules to the blocks above the first body paragraph."""
    for i in _remaining(reasons):
        text = blocks[i].text
        if is_body_paragraph(text) or count_words(text) >= 2 * MIN_BODY_WORDS:
            return
        reasons[i] = classify_edge_block(text)


def _mark_tail(blocks: list[Block], reasons: list[str | None]) -> None:
    """Apply the weak end-matter rules from the last block up to the last body paragraph."""
    skips = 0
    for i in reversed(_remaining(reasons)):
        reason = classify_edge_block(blocks[i].text)
        if reason:
            reasons[i] = reason
            continue
        text = blocks[i].text
        if count_words(text) <= 6 and not ends_sentence(text) and skips < MAX_TAIL_SKIPS:
            skips += 1
            continue
        break


def _keep_only_item(
    blocks: list[Block], classes: list[str | None], reasons: list[str | None]
) -> None:
    """Keep an article's only substantive line where its own label removed it.

    A rule in :data:`LABELLED_REASONS` removes a line because it points to another article
    or lists tags; where nothing else of the article is left (no body, no headline), the
    line is the article, not a pointer. Only a line the rule decided on by itself (not an
    entry under a "Related" heading), only if it is the one such line, and only if its text
    after the label reads as news rather than a list of tags.
    """
    if any(reason is None for reason in reasons):
        return
    items = [i for i, reason in enumerate(reasons)
             if reason in LABELLED_REASONS and classes[i] == reason
             and _reads_as_item(blocks[i].text)]
    if len(items) == 1:
        reasons[items[0]] = None


def _reads_as_item(text: str) -> bool:
    """True when ``text`` after its label holds a few words that are not a list of tags."""
    rest = _LABEL_END.split(text, maxsplit=1)[-1]
    if count_words(rest) < MIN_ITEM_WORDS:
        return False
    pieces = [p for p in _LIST_SEPARATOR.split(rest) if p.strip()]
    return len(pieces) < 3 or count_words(rest) > MAX_LIST_PIECE_WORDS * len(pieces)


def _join_paragraphs(blocks: list[Block], reasons: list[str | None]) -> list[str]:
    """The kept blocks as paragraphs; items of one list stay together, one per line."""
    paragraphs: list[str] = []
    last_group = -1
    for block, reason in zip(blocks, reasons, strict=True):
        if reason is not None:
            continue
        text = block.text.strip()
        if block.group >= 0 and block.group == last_group and paragraphs:
            paragraphs[-1] += "\n" + text
        else:
            paragraphs.append(text)
        last_group = block.group
    return paragraphs
