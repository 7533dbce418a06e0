"""Entity mentions of one article: clean names, titles split off as roles, noise dropped.

spaCy finds the spans; this module turns each span into a :class:`Mention`
that can be compared across articles: "the Shanghai Cooperation Organization
(SCO" becomes "Shanghai Cooperation Organization", "Grushev’s" becomes "Grushev",
"President Obama" becomes "Obama" with the role "President", and page
furniture tagged as a name ("Leave a Reply", a headline fragment tagged
PERSON) is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Entity types worth comparing across outlets; DATE/CARDINAL etc. are handled elsewhere.
KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "LAW", "PRODUCT"})

# Words that make a preceding title or an appositive a role ("Security Council Secretary").
ROLE_WORDS = frozenset(
    """
    president vice-president minister secretary chancellor premier governor mayor senator
    sen. gov. rep. representative congressman congresswoman speaker chairman chairwoman chair
    chief head director spokesman spokeswoman spokesperson leader ambassador diplomat official
    general gen. commander ceo executive founder king queen prince princess judge justice
    attorney prosecutor councillor councilor commissioner envoy deputy adviser advisor manager
    coach captain reporter editor analyst professor dr. pope bishop lawmaker mp president-elect
    secretary-general counterpart officer colonel col. lieutenant major sergeant admiral
    inspector superintendent dean rector economist correspondent candidate nominee
    """.split()
)
_JOINERS = frozenset({"of", "the", "for", "and", "on", "de", "la"})
# Lower-case words allowed inside a person's name ("Ludwig van Beethoven").
_NAME_PARTICLES = frozenset({"van", "von", "der", "de", "da", "di", "del", "la", "le", "bin",
                             "al", "el", "ibn", "ben", "dos", "das", "du", "y", "st."})
# Lower-case words allowed inside an organisation's or a place's name.
_ORG_PARTICLES = _JOINERS | _NAME_PARTICLES | {"in", "at", "&", "to"}
# Page furniture that NER sometimes tags as a name.
FURNITURE = frozenset(
    """
    leave a reply|related posts|related|latest headlines|license photo|advertisement|share|
    comments|comment|photo|qr code|news link|story code|read more|continue reading|
    subscribe|sign up|log in|login|newsletter|facebook|twitter|whatsapp|telegram|
    linkedin|reddit|pinterest|email|print|copyright|all rights reserved|cookie|cookies|
    privacy policy|terms of use|tags|trending|recent posts|top stories|most read
    """.replace("\n", "").split("|")
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_EDGE = re.compile(r"^[\s\"'“”‘’«»(\[{,.;:—–-]+|[\s\"'“”‘’«»)\]},.;:—–-]+$")
_WORD = re.compile(r"[\w’'.&-]+")
_ACRONYM_DEF = re.compile(
    r"((?:[A-Z][\w’'-]*\s+(?:(?:of|for|and|the|on|in|&)\s+)*){1,9})\(\s*([A-Z][A-Za-z&]{1,7})\s*\)"
)


@dataclass(slots=True)
class Mention:
    """One occurrence of a name in an article's clean text (offsets into it)."""

    text: str  # the cleaned name ("Andrei Grushev")
    label: str  # spaCy label
    start: int
    end: int
    roles: list[str] = field(default_factory=list)
    acronym: str | None = None  # the short form this name is defined with, "(SCO)"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "label": self.label, "start": self.start, "end": self.end,
                "roles": list(self.roles), "acronym": self.acronym}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        return cls(data["text"], data["label"], data["start"], data["end"],
                   list(data.get("roles") or []), data.get("acronym"))


def find_mentions(text: str, ents: Iterable[Any]) -> list[Mention]:
    """Clean mentions from spaCy entity spans (anything with ``text``, ``label_``,
    ``start_char``, ``end_char``) over ``text``; noise dropped, acronyms added."""
    acronyms = find_acronyms(text)
    mentions: list[Mention] = []
    for ent in ents:
        if ent.label_ not in KEPT_LABELS:
            continue
        mention = _clean(text, ent.text, ent.label_, ent.start_char, ent.end_char)
        if mention is None:
            continue
        mention.acronym = acronyms.get(mention.text)
        mentions.append(mention)
    mentions = [m for m in mentions if not _is_headline_fragment(text, m, mentions)]
    mentions.extend(_acronym_mentions(text, acronyms, mentions))
    mentions.sort(key=lambda m: m.start)
    return mentions


# Words that open a sentence without being a name ("The", "He", "But").
_PLAIN_OPENERS = frozenset("""
    the a an i he she it we they you this that these those there but and or so if in on at for
    to of as with when while after before what how why no not some many most all his her their
    our its my your now then still even just more also
    """.split())
_TOKEN_RE = re.compile(r"\S+")
# NER sees this many words either side of a capitalised word: as far as its embedding layer
# looks (four convolutions of window one), so a name's own features are unchanged.
NAME_CONTEXT = 4


def name_windows(text: str, context: int = NAME_CONTEXT) -> list[tuple[int, str]]:
    """The stretches of ``text`` within ``context`` words of a capitalised word, as (offset,
    text) pairs; every word further from one is left out. A capital that only marks a
    sentence's start does not count: a plain opener such as "The", or a word the text also
    writes in lower case.

    Names are capitalised, and NER only looks a few words around them, so run on these
    windows it finds the same names in a third less time; what it no longer finds is mostly
    lower-case noise ("secretary of state" tagged ORG) (docs/benchmarks.md).

    >>> name_windows("The dam held and the water stayed in the lake. Police said so.", 2)
    [(37, 'the lake. Police said so.')]
    >>> name_windows("Rain fell. The rain stopped.", 1)
    []
    """
    matches = list(_TOKEN_RE.finditer(text))
    words = [m.group() for m in matches]
    forms: set[str] | None = None
    kept: list[list[int]] = []  # [first, last] word index of each run of kept words
    for i, word in enumerate(words):
        if word == word.lower():  # no capital: the common case, one C-level check
            continue
        bare = _strip(word)
        lower = bare.lower()
        if lower == bare or lower in _PLAIN_OPENERS:
            continue
        if bare[1:].islower() and (i == 0 or _opens_sentence(text, matches[i - 1],
                                                             matches[i])):
            if forms is None:
                forms = {_strip(w) for w in words}
            if lower in forms:
                continue
        first, last = max(0, i - context), min(len(words) - 1, i + context)
        if kept and first <= kept[-1][1] + 1:
            kept[-1][1] = last
        else:
            kept.append([first, last])
    return [(matches[first].start(), text[matches[first].start() : matches[last].end()])
            for first, last in kept]


def _strip(word: str) -> str:
    return word.lstrip("\"'“‘([«").rstrip(".,;:!?\"'”’)]»")


def _opens_sentence(text: str, previous: re.Match[str], word: re.Match[str]) -> bool:
    """Whether ``word`` starts a sentence, a line or a quotation (its capital is then
    no sign of a name)."""
    return (previous.group()[-1] in ".!?:\"”" or word.group()[0] in "\"“‘'"
            or "\n" in text[previous.end() : word.start()])


def find_acronyms(text: str) -> dict[str, str]:
    """Map expansion -> acronym for definitions like "Shanghai Cooperation Organization (SCO)"."""
    found: dict[str, str] = {}
    for match in _ACRONYM_DEF.finditer(text):
        words = match.group(1).split()
        acronym = match.group(2)
        letters = [c for c in acronym if c.isupper()]
        # The expansion is the shortest tail of capitalised words whose initials spell it.
        capitals = [i for i, w in enumerate(words) if w[0].isupper()]
        if len(capitals) < len(letters):
            continue
        first = capitals[len(capitals) - len(letters)]
        initials = "".join(words[i][0] for i in capitals[-len(letters):]).upper()
        if initials == "".join(letters):
            expansion = " ".join(words[first:]).strip()
            found[_POSSESSIVE.sub("", expansion)] = acronym
    return found


def _acronym_mentions(
    text: str, acronyms: dict[str, str], known: Sequence[Mention]
) -> list[Mention]:
    """Every use of a defined acronym is a mention of its expansion (NER often misses it)."""
    taken = [(m.start, m.end) for m in known]
    added: list[Mention] = []
    for expansion, acronym in acronyms.items():
        for match in re.finditer(rf"\b{re.escape(acronym)}\b", text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            added.append(Mention(expansion, "ORG", match.start(), match.end(), [], acronym))
    return added


def _clean(text: str, surface: str, label: str, start: int, end: int) -> Mention | None:
    name = surface
    if "(" in name:  # "the Shanghai Cooperation Organization (SCO": the acronym is added apart
        name = name[: name.index("(")]
    name = _EDGE.sub("", " ".join(name.split()))
    name = _POSSESSIVE.sub("", name)
    name = re.sub(r"^(?:the|The|THE)\s+", "", name)
    name = _EDGE.sub("", name)
    name = re.sub(r"(?:\s+(?:of|the|for|and|on|in|at|&))+$", "", name)
    if re.search(r"\d:\d", name):
        return None  # a time ("Sep 2022 - 9:43") tagged as a name
    if not name or len(name) > 80 or not any(c.isupper() for c in name):
        return None
    if name.lower() in FURNITURE:
        return None
    words = name.split()
    roles: list[str] = []
    if label == "PERSON":
        # "President Obama": the title belongs in roles, not in the name.
        lead = 0
        while lead < len(words) - 1 and words[lead].lower().strip(",") in ROLE_WORDS:
            lead += 1
        if lead:
            roles.append(" ".join(words[:lead]))
            words = words[lead:]
        if any(c.isdigit() for c in name) or any(
            w[0].islower() and w not in _NAME_PARTICLES for w in words
        ):
            return None
        if len(words) == 1 and words[0].lower() in ROLE_WORDS:
            return None
        name = " ".join(words)
    elif any(w[0].islower() and w.lower() not in _ORG_PARTICLES for w in words if w[0].isalpha()):
        return None
    offset = text.find(name, start, max(end, start + len(surface)))
    if offset < 0:
        offset = start
    role = _role_before(text, offset) if label == "PERSON" else None
    if role:
        roles.append(role)
    after = _role_after(text, offset + len(name)) if label == "PERSON" else None
    if after:
        roles.append(after)
    return Mention(name, label, offset, offset + len(name), roles)


def _role_before(text: str, start: int) -> str | None:
    """The title run right before a name: "Deputy Interior Minister" Andrei ..."""
    window = text[max(0, start - 160) : start]
    window = re.sub(r",\s*$", "", window) if re.search(r",\s*$", window) else window
    if window and not window[-1].isspace():
        return None
    tokens = _WORD.findall(window.split("\n")[-1])
    # Only the trailing run counts: stop at the first word that cannot be part of a title.
    run: list[str] = []
    tail = window.rstrip()
    for token in reversed(tokens):
        if not tail.endswith(token):
            break  # punctuation between this word and the name ends the run
        lower = token.lower()
        if not (token[0].isupper() or lower in ROLE_WORDS or lower in _JOINERS):
            break
        run.append(token)
        tail = tail[: -len(token)].rstrip()
    run.reverse()
    # "Grushev’s national security adviser": the owner is not part of the role.
    for i in range(len(run) - 1, -1, -1):
        if _POSSESSIVE.search(run[i]):
            run = run[i + 1 :]
            break
    # "Chen Wenli and Deputy Minister": a list; "One of President": a lead-in.
    for i in range(len(run) - 1, -1, -1):
        lower = run[i].lower()
        if lower == "and" or (lower == "of" and not any(
                w.lower() in ROLE_WORDS for w in run[:i])):
            run = run[i + 1 :]
            break
    while run and run[0].lower() in _JOINERS:
        run = run[1:]
    if not run or not any(w.lower().strip(",") in ROLE_WORDS for w in run):
        return None
    # A title ends with its role word: in "Governor Maria" + "Lind" (NER kept only the
    # surname) the given name is not part of the title.
    last = max(i for i, w in enumerate(run) if w.lower().strip(",") in ROLE_WORDS)
    return " ".join(run[: last + 1])


def _role_after(text: str, end: int) -> str | None:
    """An appositive role: "Chen Wenli, director of the foreign affairs office ...,"."""
    match = re.match(
        r",\s+(?:(?:a|an|the)\s+)?([^,.;:()“”\"]{3,120}?)(?=[,.;:)]|\s+(?:said|says)\b)",
                     text[end : end + 140])
    if not match:
        return None
    phrase = match.group(1).strip()
    words = phrase.split()
    if words[0].lower() in {"who", "which", "that", "whose", "whom", "where", "when"}:
        return None  # a relative clause, not a title
    if len(words) > 16 or not any(w.lower() in ROLE_WORDS for w in words):
        return None
    if words[0][0].isupper() and words[0].lower() not in ROLE_WORDS:
        return None  # a list of names ("Grushev, Chen and Okafor"), not an appositive
    return phrase


def _is_headline_fragment(text: str, mention: Mention, mentions: Sequence[Mention]) -> bool:
    """A PERSON found only in a title-cased line with no full stop is a headline fragment."""
    if mention.label != "PERSON":
        return False
    line_start = text.rfind("\n", 0, mention.start) + 1
    line_end = text.find("\n", mention.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    if re.search(r"[.!?][\"”’]?$", line):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", line) if len(w) > 3]
    if not words or sum(w[0].isupper() for w in words) / len(words) < 0.7:
        return False
    # Seen elsewhere as a name in running text: a real person after all.
    return not any(
        m is not mention and m.text == mention.text and not (line_start <= m.start < line_start +
                                                             len(line) + 1)
        for m in mentions
    )
