"""News-boilerplate rules: which single line or paragraph is not article text, and why.

Every rule returns a reason code from :data:`REASONS` (or ``None``), so the
cleaner can log each removal. Rules look at one block of text at a time; the
order-dependent logic (a "Related" heading and the headlines under it, the
headline at the top, the bio at the bottom) lives in :mod:`newsweave.clean.sieve`.

Two strengths of rule exist, because the price of a false positive is a lost
body sentence:

* :func:`classify_block` holds *strong* rules, safe anywhere in an article:
  the whole block must match a boilerplate shape ("Advertisement", "1 of 5 |",
  "Story Code: 258820", a date and nothing else).
* :func:`classify_edge_block` holds *weak* rules that a real sentence could
  match ("Follow him on Twitter", "X is a reporter covering ..."); the sieve
  only applies them to the blocks after the last body paragraph.

The rules describe news pages in general; none names a site, outlet or person.
The patterns they match, and the measures of a block they read (:func:`count_words`,
:func:`is_headline_like`, ...), are in :mod:`newsweave.clean.patterns` and importable
from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from newsweave.clean.dates import is_date_line
from newsweave.clean.patterns import (
    _AD_MARKER,
    _AGENCY_HINT,
    _AGENCY_TAIL,
    _ANY_EMPTY_LABEL,
    _AUTHOR_BIO,
    _BARE_LINK,
    _BYLINE_NAMES,
    _BYLINE_START,
    _CAPTION_WORDS,
    _COMMENT_FORM,
    _COMMENT_FORM_WORDS,
    _COMMENT_POLICY,
    _COMMENT_PROMPT,
    _CONTACT,
    _COPYRIGHT,
    _COPYRIGHT_WORDS,
    _CREDIT_LINE,
    _CREDIT_LINE_WORDS,
    _CREDIT_TAIL,
    _EMAIL,
    _EMPTY_LABEL,
    _FIRST_PERSON_BIO,
    _GALLERY,
    _GLUED_CREDIT,
    _MAX_BYLINE_WORDS,
    _MAX_CAPTION_WORDS,
    _MAX_PROMPT_WORDS,
    _NEWSLETTER,
    _NEWSLETTER_HINT,
    _PHOTO_COPYRIGHT,
    _PUBLISHING_DETAILS,
    _PUBLISHING_WORDS,
    _QUOTATION,
    _REPRINT_NOTICE,
    _REPRINT_WORDS,
    _SHARE_PROMPT,
    _SHARE_WORDS,
    _SITE_NOTICE,
    _SOCIAL_FOLLOW,
    _STANDALONE_CREDIT,
    _STORY_CODE,
    _TAGS,
    count_words,
    ends_sentence,
    is_headline_like,
    is_related_heading,
    is_related_pointer,
    is_tag_heading,
)

DATE_LINE = "date-line"  # the reason of a removed line holding only a date (stories read it)
REASONS: dict[str, str] = {
    "headline": "the article's headline (kept as the title, not in the body)",
    "duplicate-title": "the headline repeated under itself",
    "standfirst": "the summary printed under the headline (the page's own description)",
    "byline": "a byline or publishing-details line (author, category, tags)",
    "section-label": "a section name or kicker printed above the headline",
    DATE_LINE: "a line holding only a date or time (metadata, not text)",
    "ad-marker": "an advertisement marker or sponsored-content label",
    "share-widget": "share buttons, QR codes and similar widgets",
    "caption": "a photo caption or photo credit",
    "gallery-counter": "a photo-gallery counter or control ('1 of 5 |', 'License Photo')",
    "related-list": "a 'Related' / 'Read more' / 'Latest headlines' pointer or list, "
    "with the other articles' headlines under it",
    "related-link": "a paragraph that is only a link to another article",
    "tags": "a list of tags, topics or categories",
    "newsletter": "a newsletter, subscription or app-download prompt",
    "comment-form": "a comment form, comment count or comment-policy notice",
    "social-follow": "an invitation to follow the outlet or author on social media",
    "contact": "the author's contact line (e-mail, 'write to', 'have a tip?')",
    "author-bio": "the author's biography at the end of the article",
    "credit-line": "a reporting or editing credit ('X contributed to this report')",
    "story-code": "an internal story code or article id",
    "empty-label": "a label with nothing after it ('News Link :', 'Source:')",
    "copyright": "a copyright or reprint notice",
    "bare-link": "a line holding only web or e-mail addresses",
    "site-notice": "a site message (print and reprint controls, errors, 'thank you')",
    "recurring-line": "a line that recurs across many articles of the same outlet",
    "hidden-element": "page text that a reader never sees (hidden with HTML or CSS)",
    "page-chrome": "a page's navigation menu, header, footer or sidebar",
    "outside-main-content": "page text outside the main content found by the extractor",
    "omitted-from-log": "a count of further hidden or outside page text, "
    "left out of the log to keep it short",
}

Rule = Callable[[str, int], bool]

# -- the classifiers ------------------------------------------------------------------------


def classify_block(text: str) -> str | None:
    """The reason code of a block that is boilerplate wherever it stands, else None.

    >>> classify_block("Advertisement"), classify_block("Story Code: 258820")
    ('ad-marker', 'story-code')
    >>> classify_block("The sides agreed on further military cooperation.") is None
    True
    """
    stripped = text.strip()
    if not stripped:
        return None
    return _classify_stripped(stripped)


@lru_cache(maxsize=1 << 16)
def _classify_stripped(stripped: str) -> str | None:
    """:func:`classify_block` of a stripped block, remembered: an outlet's recurring lines
    come back in every article, and an article cleaned again once its outlet's lines are
    known is made of the blocks it had. (The rules are pure functions of the text.)"""
    words = count_words(stripped)
    for reason, matches in _STRONG_RULES:
        if matches(stripped, words):
            return reason
    return None


@lru_cache(maxsize=1 << 12)
def classify_edge_block(text: str) -> str | None:
    """The reason code of a block that is boilerplate after the last body paragraph.
    (Remembered, as the strong rules' classes: an article sifted again with its outlet's
    recurring lines asks it of the same blocks, and end matter recurs across articles.)"""
    stripped = text.strip()
    words = count_words(stripped)
    if words > _MAX_PROMPT_WORDS * 2:
        return None
    if _AUTHOR_BIO.search(stripped):
        return "author-bio"
    if _FIRST_PERSON_BIO.search(stripped) and not _QUOTATION.search(stripped):
        return "author-bio"
    if words > _MAX_PROMPT_WORDS:
        return None
    if _SOCIAL_FOLLOW.search(stripped):
        return "social-follow"
    if len(stripped.split()) <= 12 and _BARE_LINK.match(stripped):
        return "bare-link"
    if _CONTACT.search(stripped) or re.search(_EMAIL, stripped):
        return "contact"
    if _COMMENT_POLICY.search(stripped) and not _QUOTATION.search(stripped):
        return "comment-form"  # a policy notice, not someone quoted on comments
    if words <= 4 and _ANY_EMPTY_LABEL.match(stripped):
        return "empty-label"
    return None


def _is_caption(text: str, words: int) -> bool:
    if words > _MAX_CAPTION_WORDS:
        return False
    if words <= 8 and _STANDALONE_CREDIT.match(text):
        return True
    if _GLUED_CREDIT.search(text) or (words <= 30 and _PHOTO_COPYRIGHT.search(text)):
        return True
    if _AGENCY_TAIL.search(text) and not _QUOTATION.search(text):
        return True
    # a credit ends a caption; a quotation ending in "... Reuters" is not one
    return bool(_CREDIT_TAIL.search(text)) and not text.rstrip().endswith(('"', "”"))


def _is_share_widget(text: str, words: int) -> bool:
    if _SHARE_PROMPT.match(text):
        return True
    if words > 12:
        return False
    rest = _SHARE_WORDS.sub(" ", text)
    return rest != text and not re.search(r"[^\W_]", rest)


def _short(limit: int, pattern: re.Pattern[str], *, match: bool = False) -> Rule:
    """A rule: ``pattern`` found in a block of at most ``limit`` words."""

    def test(text: str, words: int) -> bool:
        if words > limit:
            return False
        return bool(pattern.match(text) if match else pattern.search(text))

    return test


# The characters beyond ASCII that a case-insensitive pattern's ASCII letter matches: re
# folds "İ" and "ı" with "i", "ſ" with "s" and the Kelvin sign with "k", which ``str.lower``
# leaves as they are (tests/test_clean_speed.py finds them again over all of Unicode).
_ASCII_FOLDS = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "\u212a": "k"})


_FOLDED = ("", "")  # the last text folded, and its fold: the rules of a block ask in turn


def fold_for_hints(text: str) -> str:
    """``text`` lower-cased so that whatever a case-insensitive pattern matches in it,
    spelt in lower case, is found in it: ``str.lower``, and the four letters above."""
    global _FOLDED
    last = _FOLDED
    if last[0] is text:
        return last[1]
    if text.isascii() or not any(c in text for c in "İıſ\u212a"):
        folded = text.lower()
    else:
        folded = text.translate(_ASCII_FOLDS).lower()
    _FOLDED = (text, folded)
    return folded


def _may_hold(text: str, lower: tuple[str, ...], cased: re.Pattern[str] | None = None,
              folded: re.Pattern[str] | None = None) -> bool:
    """False only where ``text`` holds none of ``lower`` (in lower case, as a
    case-insensitive pattern would find it; :func:`fold_for_hints`), no match of ``cased``
    (literal words as written) and no match of ``folded`` in its lower-cased text (its
    ``\\b`` hold there too: lower-casing leaves a character that is no word character as
    it is): then a pattern that needs one of them cannot match. A few ``in`` tests cost
    less than one regex search (for twenty words, one search of their alternation costs
    less); each word list is read off its patterns, and ``tests/test_clean_speed.py``
    checks them on lines that hit every alternative."""
    if cased is not None and cased.search(text):
        return True
    low = fold_for_hints(text)
    if folded is not None and folded.search(low):
        return True
    for word in lower:  # noqa: SIM110 (a generator expression costs more than its tests)
        if word in low:
            return True
    return False


def _needs(rule: Rule, lower: tuple[str, ...], cased: re.Pattern[str] | None = None,
           *, limit: int | None = None, folded: re.Pattern[str] | None = None) -> Rule:
    """``rule``, tried only on a block of at most ``limit`` words that :func:`_may_hold`
    the words it needs."""

    def test(text: str, words: int) -> bool:
        if limit is not None and words > limit:
            return False
        return _may_hold(text, lower, cased, folded) and rule(text, words)

    return test


_BYLINE_SEPARATOR = re.compile(r"\s*(?:[,|•·]|\s[-–—]\s)\s*")
_BY = re.compile(r"\s(?=(?i:by)\s+[A-Z])")


def _is_byline(text: str, words: int) -> bool:
    """A byline, alone or with a date: "By Jane Roe", "By Jane Roe | Sept. 20, 2022",
    "5:45 AM PST 11/19/2019 by Jane Roe"."""
    if words > _MAX_BYLINE_WORDS:
        return False
    if _BYLINE_NAMES.match(text) or (_may_hold(text, _PUBLISHING_WORDS)
                                     and _PUBLISHING_DETAILS.search(text)):
        return True
    # a date before "by Name"
    parts = _BY.split(text, maxsplit=1)
    if len(parts) == 2 and is_date_line(parts[0]) and _BYLINE_NAMES.match(parts[1]):
        return True
    # "By Name" then a date after a separator. A head that matches _BYLINE_NAMES opens with
    # _BYLINE_START inside one piece (the joiner ", " holds no word character and no
    # whitespace after a letter), and the separators are non-word characters, so the
    # block opens with it too: without it, no head can match.
    if not _BYLINE_START.match(text):
        return False
    pieces = _BYLINE_SEPARATOR.split(text)
    for cut in range(1, len(pieces)):
        head, tail = ", ".join(pieces[:cut]), " ".join(pieces[cut:])
        if _BYLINE_NAMES.match(head) and is_date_line(tail):
            return True
    return False


_STRONG_RULES: tuple[tuple[str, Rule], ...] = (
    ("ad-marker", lambda t, w: w <= 8 and bool(_AD_MARKER.match(t))),
    ("gallery-counter", lambda t, w: bool(_GALLERY.match(t))),
    ("share-widget", _is_share_widget),
    ("story-code", _short(6, _STORY_CODE, match=True)),
    ("empty-label", _short(4, _EMPTY_LABEL, match=True)),
    (DATE_LINE, lambda t, w: is_date_line(t)),
    ("site-notice", _short(12, _SITE_NOTICE, match=True)),
    ("tags", _short(60, _TAGS, match=True)),
    ("comment-form", _needs(_short(_MAX_PROMPT_WORDS, _COMMENT_FORM), _COMMENT_FORM_WORDS,
                            limit=_MAX_PROMPT_WORDS)),
    ("comment-form", _short(10, _COMMENT_PROMPT, match=True)),
    ("newsletter", _needs(_short(_MAX_PROMPT_WORDS, _NEWSLETTER), (), folded=_NEWSLETTER_HINT,
                          limit=_MAX_PROMPT_WORDS)),
    ("copyright", _needs(_short(30, _COPYRIGHT), _COPYRIGHT_WORDS, limit=30)),
    ("copyright", _needs(_short(80, _REPRINT_NOTICE), _REPRINT_WORDS, limit=80)),
    ("credit-line", _needs(_short(30, _CREDIT_LINE), _CREDIT_LINE_WORDS, limit=30)),
    ("byline", _is_byline),
    ("related-list", lambda t, w: is_related_pointer(t)),
    ("caption", _needs(_is_caption, _CAPTION_WORDS, _AGENCY_HINT,
                        limit=_MAX_CAPTION_WORDS)),
)


__all__ = ["DATE_LINE", "REASONS", "Rule", "classify_block", "classify_edge_block",
           "count_words", "ends_sentence", "fold_for_hints", "is_headline_like",
           "is_related_heading", "is_related_pointer", "is_tag_heading"]
