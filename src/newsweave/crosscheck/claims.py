"""Claims: the units of fact the cross-check compares across articles.

A claim is a sentence of an article's clean text, or a clause where a sentence
strings several facts together with a semicolon. Each carries what the
comparison needs: the numbers with what they count, the names (people and
places where the extract stage typed them), date words, negation, and whether
it is a quotation.

Stable API: :class:`ClaimUnit`, :class:`Quantity`, :func:`split_claims`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from newsweave.crosscheck.align import NEGATIONS, STOPWORDS, tokens
from newsweave.crosscheck.sources import attribute
from newsweave.nlp.sentences import split_sentences
from newsweave.nlp.text import month_numbers, weekday_numbers

if TYPE_CHECKING:
    from newsweave.crosscheck.frames import ClaimFramer

_MIN_WORDS = 5  # shorter pieces ("Advertisement", "Related posts") carry no checkable fact
_QUOTE_CHARS = "\"“”«»„"
# Every currency sign Unicode knows ("$", "€", "£", "¥", ...): a figure's unit.
_CURRENCY = re.escape("".join(chr(c) for c in range(0x20A0) if unicodedata.category(chr(c)) == "Sc")
                      + "".join(chr(c) for c in range(0x20A0, 0x20D0)))
_NUMBER = re.compile(
    r"(?<![\w.])(?:(?P<qual>about|around|some|nearly|almost|roughly|more than|over|at least|"
    r"up to|fewer than|less than|approximately)\s+)?(?P<unit>[" + _CURRENCY + r"]\s?)?"
    r"(?P<num>\d{1,3}(?:[ ,]\d{3})+|\d+(?:\.\d+)?"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred)(?:-\w+)?)"
    r"(?P<scale>\s+(?:million|billion|thousand))?\b",
    re.IGNORECASE,
)
_WORD_VALUES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100,
}
_ONES = frozenset("one two three four five six seven eight nine".split())
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_INCREMENT = re.compile(r"^\s*(?:more|other|additional|further|extra|of)\b", re.IGNORECASE)
_YEARISH = re.compile(r"^(?:1[89]|20)\d\d$")
# English month names, longest first (a prefix test must try "september" before "sep").
_MONTHS = sorted(month_numbers(), key=lambda m: (-len(m), m))
_DATE_WORDS = frozenset(
    _MONTHS + list(weekday_numbers(abbreviated=False)) + "yesterday today tonight".split()
)
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:[ \t]+(?:[A-Z][\w’'-]+|(?:de|van|von|al|bin)\b))*")
_LEADING = frozenset("the a an in on at after before but and as for from this that".split())
_REPORTING = re.compile(
    r"\b(?:said|says|told|added|stated|announced|according to|reported|wrote)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number in a claim and what it counts ("at least 14 people were killed")."""

    value: float
    text: str
    # What it counts, from the parse (:mod:`.frames`): "people killed", "death toll",
    # "year old boy"; before the parse, the next content word.
    measure: str
    approximate: bool
    start: int = 0  # offsets of the figure in the claim's text
    end: int = 0
    unit: str = ""  # a currency sign written with it ("$")
    counted: str = ""  # the noun it counts ("people"), from the parse
    predicate: str = ""  # what happened to it ("killed"), from the parse
    of: str = ""  # the thing a measure describes ("boy" for "5-year-old boy")
    change: bool = False  # given as a change: "rose to 17", "have now died"
    history: bool = False  # given as a former value: "down from 3,200"


@dataclass(slots=True)
class ClaimUnit:
    """One claim of one article, with character offsets into the article's clean text."""

    article: int
    index: int
    start: int
    end: int
    text: str
    quantities: list[Quantity] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    negated: bool = False
    is_quote: bool = False
    # Where the text says the claim comes from (:mod:`.sources`): "Ministry of ...",
    # whom it was told to ("Herald"), and whether it cites ("as X reported").
    source: str | None = None
    told: str | None = None
    cites: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())


def split_claims(
    article_id: int, text: str, entity_types: Mapping[str, str] | None = None
) -> list[ClaimUnit]:
    """The claims of an article's clean text, in reading order.

    ``entity_types`` maps lowercased names (and aliases) to entity types from
    the extract stage ("PERSON", "GPE", ...) so names can be told apart into
    people and places; without it names stay untyped.

    >>> text = "At least 14 people died in the flood on Monday; nine others are still missing."
    >>> [c.text for c in split_claims(1, text)]
    ['At least 14 people died in the flood on Monday', 'nine others are still missing.']
    """
    types = {k.lower(): v for k, v in (entity_types or {}).items()}
    # "Grushev" alone is the person "Andrei Grushev".
    surnames = {k.split()[-1]: v for k, v in types.items() if v == "PERSON" and " " in k}
    types = {**types, **surnames}  # NER sometimes tags a lone surname ORG
    # A capitalised first word is a name only if the article also writes it
    # capitalised mid-sentence ("Haas flew..." after "...Minister Haas said").
    known = {m.group().lower() for m in re.finditer(r"(?<=[\w,;:] )[A-Z][\w’'-]+", text)}
    types = {**dict.fromkeys(known, ""), **_titled_people(text), **types}
    claims: list[ClaimUnit] = []
    for sentence in split_sentences(text):
        for start, end in _clauses(text, sentence.start, sentence.end):
            piece = text[start:end].strip()
            if len(piece.split()) < (_MIN_WORDS if not _has_number(piece) else 2):
                continue
            claims.append(_describe(article_id, len(claims), start, end, piece, types))
    return claims


def _has_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _clauses(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Split at semicolons outside quotations; each side must stand as a claim."""
    sentence = text[start:end]
    if any(q in sentence for q in _QUOTE_CHARS):
        yield start, end
        return
    offset = start
    for part in re.split(r"(?<=;)\s+", sentence):
        at = text.index(part, offset)
        stripped = part.rstrip(";").rstrip()
        yield at, at + len(stripped)
        offset = at + len(part)


def _describe(
    article: int, index: int, start: int, end: int, text: str, types: Mapping[str, str]
) -> ClaimUnit:
    words = tokens(text)
    names = [_strip_leading(m.group()) for m in _NAME.finditer(text)]
    names = [n for n in names if n and n.lower() not in STOPWORDS and n.lower() not in _DATE_WORDS
             and (n != text.split()[0] or n.split()[0].lower() in types)]
    people = _find_typed(text, types, {"PERSON"})
    places = _find_typed(text, types, {"GPE", "LOC", "FAC"})
    quoted = sum(text.count(q) for q in _QUOTE_CHARS) >= 2 and bool(_REPORTING.search(text))
    said = attribute(text)
    return ClaimUnit(
        article=article,
        index=index,
        start=start,
        end=start + len(text),
        text=text,
        quantities=quantities(text),
        names=names,
        people=people,
        places=places,
        dates=[w for w in words if w in _DATE_WORDS],
        negated=any(w in NEGATIONS or w.endswith("n't") for w in words),
        is_quote=quoted or text.lstrip()[:1] in _QUOTE_CHARS,
        source=said.source,
        told=said.told,
        cites=said.cited,
    )


_ROLE = re.compile(
    r"\b(?:President|Minister|Secretary|Governor|Mayor|Chancellor|Premier|Senator|Director|"
    r"director|Chairman|Ambassador|diplomat|chief|official|Gen\.|General|Judge|Spokesman|"
    r"spokesman|spokeswoman|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Prime Minister|minister|secretary|"
    r"governor|mayor|president|premier|farmer|nurse|reporter|executive|CEO|leader)\s+"
    r"((?:[A-Z][\w’'-]+[ \t]+){0,2}[A-Z][\w’'-]+)"
)


def _titled_people(text: str) -> dict[str, str]:
    """Names right after a title or role word ("Minister Jane Ortiz") are people.

    A fallback for when the extract stage has not typed the story's entities;
    the surname alone ("Ortiz") is typed too.
    """
    people: dict[str, str] = {}
    for match in _ROLE.finditer(text):
        name = re.split(r"[’']s?\b", match.group(1))[0]
        words = [w for w in name.split() if w.lower() not in _ROLE_TITLES]
        if words:
            people[" ".join(words).lower()] = "PERSON"
            people[words[-1].lower()] = "PERSON"
    return people


_ROLE_TITLES = frozenset(
    "president minister secretary governor mayor interior emergency situations foreign prime "
    "security council".split()
)


def _strip_leading(name: str) -> str:
    """"The Ministry of" -> "Ministry": sentence-initial function words are not names."""
    parts = name.split()
    while parts and parts[0].lower() in _LEADING:
        parts = parts[1:]
    return " ".join(parts)


def _find_typed(text: str, types: Mapping[str, str], wanted: set[str]) -> list[str]:
    """Names of the ``wanted`` types that occur in ``text``, longest first, no overlaps."""
    lowered = text.lower()
    found: list[tuple[int, int, str]] = []
    for name in sorted((n for n, t in types.items() if t in wanted), key=len, reverse=True):
        for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", lowered):
            if all(match.end() <= s or match.start() >= e for s, e, _ in found):
                found.append((match.start(), match.end(), text[match.start() : match.end()]))
    return [n for _, _, n in sorted(found)]


def quantities(text: str) -> list[Quantity]:
    """Counts in ``text`` with what they count; years, dates and increments are left out.

    >>> [(q.value, q.measure) for q in quantities("At least 14 people were killed.")]
    [(14.0, 'people')]
    """
    found: list[Quantity] = []
    for match in _NUMBER.finditer(text):
        raw = match.group("num")
        value = _value(raw)
        if value is None or _YEARISH.match(raw) or _INCREMENT.match(text[match.end():]):
            continue
        before = text[max(0, match.start() - 12) : match.start()].lower()
        if any(before.rstrip().endswith(m) for m in _MONTHS) or _is_day(text, match.end()):
            continue
        if match.group("scale"):
            value *= _SCALES[match.group("scale").strip().lower()]
        found.append(
            Quantity(
                value=value,
                text=match.group().strip(),
                measure=_measure(text, match.end()),
                approximate=bool(match.group("qual")),
                unit=(match.group("unit") or "").strip(),
                start=match.start("num"),
                end=match.end(),
            )
        )
    return found


def _is_day(text: str, end: int) -> bool:
    after = text[end : end + 12].lower().lstrip(" ,")
    return any(after.startswith(m) for m in _MONTHS) or after.startswith(("a.m", "p.m", ":"))


def _value(raw: str) -> float | None:
    """ "Forty-one" is 41, "3 200" is 3200."""
    parts = raw.lower().split("-")
    if parts[0] in _WORD_VALUES:
        return float(sum(_WORD_VALUES.get(p, 0) for p in parts if p in _ONES or p == parts[0]))
    try:
        return float(re.sub(r"[ ,]", "", raw))
    except ValueError:
        return None


def _measure(text: str, end: int) -> str:
    """Before the parse: the next content word after the number, or nothing."""
    after = [w for w in tokens(text[end : end + 60]) if w not in STOPWORDS]
    capitalised = {w.lower() for w in re.findall(r"\b[A-Z]\w+", text[end : end + 60])}
    for word in after[:1]:
        if not word[0].isdigit() and word not in capitalised:
            return word
    return ""


def describe_quantities(claims: Iterable[ClaimUnit], framer: ClaimFramer | None = None, *,
                        quotes: bool = False) -> None:
    """Replace each claim's quantities' measure with what the parse says they count.

    One batch parse of the claims that hold a figure (:mod:`.frames`); ``framer`` reads
    the frames a store keeps instead, where it has them. A quotation's figures are left as
    :func:`quantities` read them unless ``quotes``: they are the speaker's, which a story's
    figures never count (:func:`.figures.find_figures`): nothing reads their parse.
    """
    from newsweave.crosscheck.frames import ClaimFramer

    units = [u for u in claims if u.quantities and (quotes or not u.is_quote)]
    framer = framer or ClaimFramer()
    read = framer.quantities([(u.text, [(q.start, q.end) for q in u.quantities]) for u in units])
    for unit, frames in zip(units, read, strict=True):
        unit.quantities = [
            replace(q, measure=f.label, counted=f.counted, predicate=f.predicate, of=f.of,
                    change=f.change, history=f.history)
            for q, f in zip(unit.quantities, frames, strict=True) if not f.calendar
        ]


__all__ = ["ClaimUnit", "Quantity", "describe_quantities", "quantities", "split_claims"]
