"""Who really said it: the source a claim is attributed to, and the outlet it cites.

A claim often names where it comes from: "..., the ministry said", "according
to Reuters", "told the Herald", "as the Herald reported". Two things follow:

* the claim's **source** is shown with it, and where every origin of a claim
  relays one named source, the brief says so ("corroborated by 3 outlets, all
  citing the Ministry of Health");
* a report that attributes a claim to **another outlet** is citing that outlet:
  it adds no origin of its own for that claim (its reporter did not find it).
  "told the Herald" in the Herald's own article is the Herald's reporting.

Which names are outlets is read from the story itself (the outlets of its
articles) and from the reuse stage's test of a medium's name (a news agency,
"... Times", "... Herald"), so nothing here lists particular outlets.

Stable API: :class:`Attributed`, :func:`attribute`, :func:`cited_outlet`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from newsweave.reuse.attribution import is_medium, same_source

_CUE = r"(?:said|says|reported|reports|announced|stated|added|confirmed|wrote|writes|told)"
_WORD = r"[A-Z][\w’'&.-]*"
# A capitalised name, joined by "of"/"for"/"and"/"the" inside it ("Ministry of Emergency
# Situations"), with an optional leading "the".
_NAME = rf"(?:[Tt]he\s+)?{_WORD}(?:\s+(?:(?:of|for|and|the|de)\s+)*{_WORD})*"
_ACCORDING = re.compile(rf"\b[Aa]ccording to\s+(?P<name>{_NAME})")
_AS_REPORTED = re.compile(rf"\b[Aa]s\s+(?P<name>{_NAME})\s+(?:had\s+|has\s+)?{_CUE}")
_BEFORE_CUE = re.compile(rf"(?P<name>{_NAME})(?:,[^,]{{1,60}},)?\s+(?:has\s+|had\s+)?{_CUE}\b")
_AFTER_CUE = re.compile(rf"\b(?:said|says|reported|announced|wrote)\s+(?P<name>{_NAME})")
_TOLD = re.compile(rf"\btold\s+(?P<name>{_NAME})")
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
_INSIDE_PHRASE = (" of", " in", " at", " from", " for", " with", " near")
_FUNCTION = frozenset("the a an of for and de".split())
_PRONOUNS = frozenset("he she it they we i you this that there".split())


@dataclass(frozen=True, slots=True)
class Attributed:
    """What a claim's own words say about where it comes from."""

    source: str | None  # the named source: "Ministry of Health", "Reuters"
    told: str | None  # who was told: "the Herald" in "told the Herald"
    cited: bool  # "as X reported", "according to X": X is cited for the claim


def _trim(name: str) -> str | None:
    words = name.split()
    while words and words[-1].lower() in _FUNCTION:
        words.pop()
    while words and words[0].lower() in _FUNCTION:
        words.pop(0)
    if not words or words[0].lower() in _PRONOUNS:
        return None
    return " ".join(words).strip(" ,.;:")


def attribute(text: str) -> Attributed:
    """The source a claim's text names, whom it was told to, and whether it cites.

    >>> attribute("About 1,500 people were treated, the Ministry of Health said.")
    Attributed(source='Ministry of Health', told=None, cited=False)
    >>> attribute("As The Valley Courier reported on Tuesday, residents say they complained.")
    Attributed(source='Valley Courier', told=None, cited=True)
    """
    plain = _QUOTED.sub(lambda m: " " * len(m.group()), text)  # a name inside a quote is not
    told_match = _TOLD.search(plain)
    told = _trim(told_match.group("name")) if told_match else None
    for pattern, cited in ((_AS_REPORTED, True), (_ACCORDING, True)):
        match = pattern.search(plain)
        if match and (name := _trim(match.group("name"))):
            return Attributed(name, told, cited)
    for match in _BEFORE_CUE.finditer(plain):
        name = _trim(match.group("name"))
        before = plain[: match.start("name")].rstrip().lower()
        if not name or before.endswith(_INSIDE_PHRASE):
            continue  # "residents of Brookfield told ...": the speaker is not the name
        if not before and " " not in name and name.endswith("s") and not is_medium(name):
            continue  # a capitalised first word alone ("Officials said") is no name
        return Attributed(name, told, False)
    match = _AFTER_CUE.search(plain)
    if match and (name := _trim(match.group("name"))):
        return Attributed(name, told, False)
    return Attributed(None, told, False)


def cited_outlet(
    attributed: Attributed, own_outlet: str | None, outlets: Iterable[str]
) -> str | None:
    """The other outlet a claim rests on, if it names one ("as the Herald reported",
    "according to Reuters", "told the Herald" in another outlet's article), else None.

    ``outlets`` are the names of the story's outlets; a name that is none of them
    counts when it reads as a medium's ("Reuters", "the Daily Star").
    """
    names = [n for n in (attributed.source, attributed.told) if n]
    known = [o for o in outlets if o]
    for name in names:
        if own_outlet and same_source(name, own_outlet):
            continue  # the outlet's own reporting
        outlet = next((o for o in known if same_source(name, o)), None)
        if outlet is not None:
            return outlet
        if is_medium(name):
            return name
    return None


__all__ = ["Attributed", "attribute", "cited_outlet"]
