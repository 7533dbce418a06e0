"""How a source sentence is shown in the brief, and which sentences may be shown.

The brief writes nothing fresh: a sentence loses at most its dateline and gets back a
quotation mark it lost; captions, bylines and headlines are never facts
(:func:`is_furniture`, :func:`_is_statement`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from newsweave.crosscheck.claims import ClaimUnit

_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]+(?:,[^.\n]{0,60}?)?\s*(?:--|—|–)\s+")


def display_text(unit: ClaimUnit) -> str:
    """A claim as the brief shows it: the source sentence without its dateline, its
    quotation marks balanced."""
    return balance_quotes(strip_dateline(unit.text))


def balance_quotes(text: str) -> str:
    """A sentence cut out of a longer quotation gets back the mark it lost.

    >>> balance_quotes("First the roar, and then the street was a river,” said Perez.")
    '“First the roar, and then the street was a river,” said Perez.'
    >>> balance_quotes('He said: "We will rebuild.')
    'He said: "We will rebuild."'
    """
    opening, closing = text.count("“"), text.count("”")
    if closing > opening:
        text = "“" * (closing - opening) + text
    elif opening > closing:
        text = text + "”" * (opening - closing)
    if text.count('"') % 2:
        first = text.index('"')
        # A mark that opens the sentence (or follows a colon) lost its end; one further
        # in closed a quotation that began in the sentence before.
        opens = first == 0 or text[:first].rstrip().endswith(":")
        text = text + '"' if opens else '"' + text
    return text


_PRONOUN_START = re.compile(
    r"^(?:He|She|They|His|Her|Their|Him|Them)\b")  # a person the sentence does not name
_PHOTO_PROMPT = re.compile(
    r"^\W*(?:[A-Z]\w*\s+)?(?i:photos?|photographs?|pictures?|images?|videos?)\b[\s:|]+[A-Z(]")


def is_furniture(text: str) -> bool:
    """A caption, photo prompt, credit or byline ("Buy Photo Wayne County ...", "Photo:
    ...", "By Jane Roe"), never a fact of the story."""
    from newsweave.clean.rules import classify_block  # the cleaner's own tests

    return bool(_PHOTO_PROMPT.match(text)) or classify_block(text) is not None


def with_antecedent(unit: ClaimUnit, claims: Mapping[int, Sequence[ClaimUnit]]) -> str | None:
    """The claim's text, led by the sentence before it when it opens with a pronoun
    ("He said it was too early ..." needs who "he" is); None when there is none."""
    text = display_text(unit)
    if not _PRONOUN_START.match(text):
        return text
    units = claims.get(unit.article, [])
    before = [u for u in units if u.end <= unit.start]
    if not before:
        return None
    return f"{display_text(before[-1])} {text}"


def strip_dateline(sentence: str) -> str:
    """``sentence`` on one line, without a leading dateline ("BEIJING, Sept 19 -- ")."""
    text = " ".join(sentence.split())
    match = _DATELINE.match(text)
    if match and len(text) - match.end() > 20:
        text = text[match.end() :]
        text = text[:1].upper() + text[1:]
    return text

def _mostly_quoted(unit: ClaimUnit) -> bool:
    """A sentence that is mostly a quotation belongs with the quotes, not the facts."""
    quoted = sum(len(m) for m in re.findall(r"[“\"][^”\"]*[”\"]?", unit.text))
    return unit.is_quote or quoted >= 0.4 * len(unit.text) or unit.text.count("”") > \
        unit.text.count("“")

_QUOTE_MARKS = "\"“”«»„"


def _is_statement(unit: ClaimUnit) -> bool:
    """A sentence that states something (not a headline, menu or share bar)."""
    text = display_text(unit)
    words = text.split()
    if len(words) < 6 or text[-1:] not in ".!?\"”’" or "|" in text:
        return False
    return sum(w[:1].islower() for w in words) >= 0.4 * len(words)


def _is_prose(unit: ClaimUnit) -> bool:
    """A full reported sentence fit for the lead: no quotation, no page furniture."""
    return not unit.is_quote and _prose_text(display_text(unit))


def _prose_text(text: str) -> bool:
    words = text.split()
    if len(words) < 8 or any(q in text for q in _QUOTE_MARKS):
        return False
    if text[-1:] not in ".!?" or "|" in text:
        return False
    lower = sum(w[:1].islower() for w in words)
    return lower >= 0.5 * len(words)

def _standalone(quoted: str) -> str:
    """A quotation shown on its own: the comma that led into "..., he said" becomes a stop.

    >>> _standalone("We will not stop until everyone is found,")
    'We will not stop until everyone is found.'
    """
    return re.sub(r"\s*[,;:]\s*$", ".", quoted.strip())
