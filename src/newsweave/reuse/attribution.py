"""Attributions: the sources an article names for its content.

Found with patterns, not a parser: "Reuters reported", "according to TASS",
"the English news agency added", "told the magazine", "(UPI) --" datelines,
photo credits ("Photo by Kremlin Pool/UPI", "REUTERS/Tingshu Wang"; also
from the cleaner's removal log, where captions end up) and bylines that name
an agency. A descriptor ("the agency", "this media") is resolved to the
agency or outlet the article named before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from newsweave.model import Article, Attribution
from newsweave.nlp.sentences import Sentence, split_sentences

_UPPER = r"[A-Z\u00c0-\u00de]"
_WORD = _UPPER + r"[\w&'’.-]*"
_NAME = rf"{_WORD}(?:\s+(?:(?:of|for|and|de|du|del|da|the)\s+)?{_WORD}){{0,5}}"
_MEDIA_NOUNS = (
    r"news agency|press agency|agency|newspaper|magazine|paper|daily|weekly|broadcaster|"
    r"channel|outlet|wire service|wire|website|site|network|television|radio|media"
    r"(?: sources| outlet| reports?)?|tabloid|publication|news service"
)
_DESCRIPTOR = rf"(?:[Tt]he|[Tt]his|[Tt]hat)\s+(?:[\w-]+\s+){{0,2}}(?:{_MEDIA_NOUNS})\b"
_SOURCE = rf"(?P<name>{_DESCRIPTOR}|(?:the\s+)?{_NAME}|(?:local\s+|foreign\s+)?media sources)"

_REPORT_VERBS = r"reported|reports|wrote|writes|has reported|had reported"
_OUTLET_VERBS = r"said|says|added|adds|quoted|cited|stated|announced|noted|reported on"

# Patterns run from a cheap trigger (a verb, "according to") and then match
# the name next to it, so a sentence costs a few short matches, not a scan
# of every start position with the whole name pattern.
# (The look-ahead names the first letters of the alternatives: the same matches, found
# faster, as positions with another letter are passed over before the word boundary test.)
_FORWARD = re.compile(
    r"(?=[AaqcrCt])\b"
    r"(?P<how>[Aa]ccording to|(?:quoted|cited|reported|carried) by|[Cc]iting|told|[Aa]s)\s+"
)
_FORWARD_HOW = {"according to": "according", "citing": "citing", "told": "told", "as": "as"}
_SOURCE_HERE = re.compile(_SOURCE)
_VERB = re.compile(rf"\b(?:(?P<report>{_REPORT_VERBS})|{_OUTLET_VERBS})\b")
_SOURCE_BEFORE = re.compile(rf"{_SOURCE},?\s*$")
_AS_VERB = re.compile(r"\s+(?:reported|wrote|said)\b")
_DATELINE = re.compile(
    rf"(?:(?P<long>{_NAME})\s+)?\((?P<name>[A-Z][A-Za-z]{{1,11}}(?:[ /-][A-Z][A-Za-z]+)?)\)"
    r"\s*(?:--|—|–|-|:)"
)
_PHOTO = re.compile(
    r"\b(?:Photos?|Photograph|Image|Picture|Pictures|Credit)(?:\s+by|\s*:)\s*"
    r"(?P<name>[^|\n;()]{2,80}?)\s*(?:\||\n|;|\)|$|\.\s)"
)
_CAPS_CREDIT = re.compile(
    r"\b(?P<name>[A-Z]{2,}(?: [A-Z]{2,})?)/[A-Z][\w.-]+(?: [A-Z][\w.-]+){0,3}"
)
# What every match of a pattern holds, tested before the pattern is searched: most
# sentences have none, and a plain ``in`` costs far less than a regex scan of the text.
_DATELINE_NEEDS = "("
_CAPS_CREDIT_NEEDS = "/"
_PHOTO_NEEDS = ("Photo", "Image", "Picture", "Credit")
_AGENCY_WORDS = frozenset(
    """agency agencies press wire news service reuters ap afp upi tass xinhua interfax
    bloomberg dpa efe ansa kyodo yonhap irna anadolu ria novosti pti ians""".split()
)
_OUTLET_WORDS = _AGENCY_WORDS | frozenset(
    """times post herald journal telegraph guardian tribune gazette chronicle courier daily
    weekly observer magazine tv radio television broadcasting network media newspaper
    paper channel outlet website site star express mirror
    independent standard bbc cnn abc nbc cbs fox sky""".split()
)
_NOT_SOURCES = frozenset(
    """he she it they we i you this that these those there officials official police
    reporters journalists residents witnesses people""".split()
)
_LEADING = frozenset(
    """as in but and then meanwhile however earlier later on at after before when while since
    also so yet still now""".split()
)
_ORG_WORDS = frozenset(
    """ministry council office department government committee commission service
    authority police army embassy spokesman spokeswoman spokesperson""".split()
)
_GENERIC = frozenset("the a an of and for news press agency media daily sources source".split())


def find_attributions(article: Article,
                      sentences: Sequence[Sentence] | None = None) -> list[Attribution]:
    """Every attribution in the article's body, captions, credits and byline
    (``sentences``: the body's ``split_sentences`` where the caller has it already).

    >>> from newsweave.model import Article
    >>> body = "ASHFORD, March 3 (NPA) -- Water rose. Reuters reported that it fell."
    >>> [(a.name, a.kind) for a in find_attributions(Article(1, "h", "", "text", body, "x"))]
    [('NPA', 'dateline'), ('Reuters', 'agency')]
    """
    article_id = article.id if article.id is not None else -1
    found: list[Attribution] = []
    for sentence in split_sentences(article.text) if sentences is None else sentences:
        found.extend(_in_sentence(article_id, sentence.text, sentence.start))
    for removal in article.removed:
        for attribution in _credits(article_id, removal.text, -1):
            found.append(attribution)
    if article.author and _is_outlet_like(article.author):
        found.append(Attribution(article_id, article.author.strip(), "byline",
                                 article.author.strip(), -1, -1))
    return _resolve(_dedupe(found))


def _in_sentence(article_id: int, text: str, offset: int) -> list[Attribution]:
    out: list[Attribution] = []
    taken: list[tuple[int, int]] = []
    for match in _DATELINE.finditer(text) if _DATELINE_NEEDS in text else ():
        name = match.group("name")
        if match.group("long") and _acronym(match.group("long")) == name.lower():
            name = f"{match.group('long')} ({name})"
        out.append(Attribution(article_id, name, "dateline", text, offset, offset + len(text)))
        taken.append(match.span("name"))
    for how, span, raw in _sources(text):
        if any(s < span[1] and span[0] < e for s, e in taken):
            continue
        name = _clean_name(raw)
        if not name or not _acceptable(how, name):
            continue
        taken.append(span)
        out.append(Attribution(article_id, name, _kind(name), text, offset, offset + len(text)))
    out.extend(_credits(article_id, text, offset, skip=taken))
    return out


def _sources(text: str) -> list[tuple[str, tuple[int, int], str]]:
    """(how, span, name) of every "according to X", "X reported", "told X" in a sentence."""
    found = []
    for trigger in _FORWARD.finditer(text):
        match = _SOURCE_HERE.match(text, trigger.end())
        if match is None:
            continue
        how = _FORWARD_HOW.get(trigger.group("how").lower(), "cited-by")
        if how == "as":
            if not _AS_VERB.match(text, match.end()):
                continue
            how = "as-reported"
        found.append((how, match.span("name"), match.group("name")))
    for verb in _VERB.finditer(text):
        window_start = max(0, verb.start() - 120)
        match = _SOURCE_BEFORE.search(text, window_start, verb.start())
        if match is None:
            continue
        how = "reported" if verb.group("report") else "said"
        found.append((how, match.span("name"), match.group("name")))
    return found


def _credits(article_id: int, text: str, offset: int,
             skip: Iterable[tuple[int, int]] = ()) -> list[Attribution]:
    """Photo credits: the agency after the last slash, or the credited name."""
    taken = list(skip)
    out: list[Attribution] = []
    end = offset + len(text) if offset >= 0 else -1
    photo = any(word in text for word in _PHOTO_NEEDS)
    for match in _PHOTO.finditer(text) if photo else ():
        credit = match.group("name").strip(" .,")
        name = credit.rsplit("/", 1)[-1].strip() if "/" in credit else credit
        if name:
            out.append(Attribution(article_id, name, "photo-credit", text, offset, end))
            taken.append(match.span())
    for match in _CAPS_CREDIT.finditer(text) if _CAPS_CREDIT_NEEDS in text else ():
        if any(s <= match.start() < e for s, e in taken):
            continue
        out.append(Attribution(article_id, match.group("name"), "photo-credit", text, offset,
                               end))
    return out


def _clean_name(raw: str) -> str:
    name = " ".join(raw.split()).strip(" ,.:;'\"“”’")
    name = re.sub(r"'s$|’s$", "", name)
    first, _, rest = name.partition(" ")
    if first.lower() in _LEADING and rest:
        name = rest  # "As The Valley Courier reported": the name starts after "As"
    return name


def _acceptable(how: str, name: str) -> bool:
    first = name.split()[0].lower()
    if first in _NOT_SOURCES or name.lower() in _NOT_SOURCES:
        return False
    if how in ("reported", "as-reported"):
        return True
    if how in ("according", "cited-by", "citing"):
        tokens = re.findall(r"[A-Za-z]+", name)
        capitals = [t for t in tokens if t[0].isupper() and t.lower() != "the"]
        return (is_descriptor(name) or _is_outlet_like(name) or len(capitals) >= 2
                or any(t.lower() in _ORG_WORDS for t in tokens))
    # "X said/added" and "told X" are how quotes are attributed to people;
    # they name a source for the article's content only when X is a medium.
    return is_descriptor(name) or _is_outlet_like(name)


def is_descriptor(name: str) -> bool:
    """Whether ``name`` describes a medium instead of naming it ("the agency")."""
    return re.fullmatch(_DESCRIPTOR, name) is not None


def _is_outlet_like(name: str) -> bool:
    tokens = re.findall(r"[A-Za-z]+", name)
    if any(t.lower() in _OUTLET_WORDS for t in tokens):
        return True
    return len(tokens) == 1 and tokens[0].isupper() and 2 <= len(tokens[0]) <= 6


def is_medium(name: str) -> bool:
    """Whether ``name`` reads as a news medium's ("Reuters", "the Daily Star", "Associated
    Press"), not a body that speaks ("Press Office", "Relief Service") or an acronym alone.

    >>> is_medium("Reuters"), is_medium("the Valley Courier"), is_medium("Press Office")
    (True, True, False)
    """
    tokens = {t.lower() for t in re.findall(r"[A-Za-z]+", name)}
    return bool(tokens & (_OUTLET_WORDS - {"service"})) and not tokens & _ORG_WORDS


def _kind(name: str) -> str:
    lowered = name.lower()
    if "statement" in lowered:
        return "statement"
    tokens = set(re.findall(r"[a-z]+", lowered))
    if tokens & _AGENCY_WORDS or (name.isupper() and len(name) <= 6):
        return "agency"
    if tokens & _OUTLET_WORDS or is_descriptor(name):
        return "outlet"
    if tokens & _ORG_WORDS:
        return "organisation"
    return "person"


def _dedupe(found: list[Attribution]) -> list[Attribution]:
    seen: set[tuple[str, str, int, str]] = set()
    out = []
    for a in found:
        key = (a.name, a.kind, a.start, a.sentence)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def _resolve(found: list[Attribution]) -> list[Attribution]:
    """Replace descriptors with the medium of that sort named before them, if any.

    "The English news agency added" after "Reuters reported" is Reuters; "told
    the magazine" after "according to TASS" is not TASS (an agency is no magazine).
    """
    last: dict[str, str] = {}
    out = []
    for a in sorted(found, key=lambda x: (x.start < 0, x.start)):
        if is_descriptor(a.name):
            sort = _descriptor_sort(a.name)
            named = last.get(sort) if sort != "any" else last.get("agency") or last.get("outlet")
            if named is not None:
                a = Attribution(a.article, named, a.kind, a.sentence, a.start, a.end)
        elif a.kind in ("agency", "dateline"):
            last["agency"] = a.name
        elif a.kind == "outlet":
            last["outlet"] = a.name
        out.append(a)
    return out


def _descriptor_sort(name: str) -> str:
    lowered = name.lower()
    if re.search(r"\b(?:agency|wire|news service)\b", lowered):
        return "agency"
    if re.search(r"\b(?:media|outlet|publication|site|website)\b", lowered):
        return "any"
    return "outlet"


def _acronym(name: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in ("of", "the", "and")]
    return "".join(w[0] for w in words).lower() if len(words) >= 2 else ""


def _normal_name(name: str) -> str:
    name = re.sub(r"\([^)]*\)", " ", name)
    words = re.findall(r"[a-z0-9]+", name.lower())
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


# Both are pure functions of the names, asked again for every aligned pair (an outlet's
# name against each attribution of its partner's text): the reuse stage's pairs per new
# article grow with the store, and the few thousand names of a store repeat.
@lru_cache(maxsize=1 << 16)
def same_source(a: str, b: str) -> bool:
    """Whether two names refer to one medium: equal, acronym of each other, or contained.

    >>> same_source("NPA", "Northern Press Agency"), same_source("the Valley Courier", "Courier")
    (True, True)
    >>> same_source("Reuters", "Coast Today")
    False
    """
    variants_a = _variants(a)
    variants_b = _variants(b)
    if not variants_a or not variants_b:
        return False
    if variants_a & variants_b:
        return True
    for x in variants_a:
        for y in variants_b:
            short, long_ = sorted((x, y), key=len)
            short_words = short.split()
            if any(w not in _GENERIC for w in short_words) and f" {short} " in f" {long_} ":
                return True
    return False


@lru_cache(maxsize=1 << 14)
def _variants(name: str) -> frozenset[str]:
    out = set()
    plain = _normal_name(name)
    if plain:
        out.add(plain)
        acronym = _acronym(plain)
        if len(acronym) >= 2:
            out.add(acronym)
    for inner in re.findall(r"\(([^)]+)\)", name):
        out.add(_normal_name(inner))
    return frozenset(v for v in out if v)


def names_source(attributions: Iterable[Attribution], names: Iterable[str]) -> str | None:
    """The first attribution name that refers to one of ``names`` (an outlet's identity)."""
    identity = [n for n in names if n]
    for a in attributions:
        if any(same_source(a.name, n) for n in identity):
            return a.name
    return None


def identity(article: Article, attributions: Iterable[Attribution]) -> list[str]:
    """Names an article goes by: its outlet, else its own dateline and photo credits.

    A repost carries the original's dateline, so the dateline only identifies
    an article that states no outlet of its own.
    """
    if article.outlet:
        return [article.outlet]
    return [a.name for a in attributions if a.kind in ("dateline", "photo-credit", "byline")]
