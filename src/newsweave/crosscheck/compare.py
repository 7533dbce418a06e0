"""Where reports disagree: counts, people, negation and dates that differ.

Two reports of the same fact often do not align word for word precisely
because they differ ("14 people were killed" against "Seventeen people have
now died"), so disagreement is found by *slot*, not only inside aligned groups:

* **counts**: per article, the first figure it gives for a measure ("dead",
  "missing", "evacuated"...): news puts the current count first, while later
  figures are history ("31 died in 1979"). Articles whose first figures for
  the same measure differ disagree; an approximate figure within 5 % of
  another agrees with it. A later figure that is an update ("rose to 17")
  still disagrees, and is shown with both variants.
* **people**: meetings. A meeting sentence names its participants (a pronoun
  stands for the last person named before it); two meetings that share a
  participant but name different other ones, where neither article mentions
  the other's name at all, disagree on who was there.
* **negation, dates, places**: inside an aligned group, a claim that denies
  what another asserts, or gives other date words or places, disagrees.

Stable API: :class:`Conflict`, :func:`find_conflicts`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from newsweave.crosscheck.claims import ClaimUnit, Quantity

_MEETING = re.compile(
    r"\b(?:met|meet|meets|meeting|talks with|talked with|conversation with|sit-down with|"
    r"spoke with|held talks|discussions with|visit(?:ed)? by|received)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
_TOLERANCE = 0.05


@dataclass(slots=True)
class Conflict:
    """A point on which reports differ: ``kind`` and one claim per variant."""

    kind: str  # "number" | "person" | "negation" | "date" | "place"
    slot: str  # what differs: a measure ("dead") or the shared participant ("krael")
    variants: list[list[ClaimUnit]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # what each variant says: "14", "Hallan"


def find_conflicts(
    claims: Mapping[int, Sequence[ClaimUnit]],
    origin_of: Mapping[int, int],
    texts: Mapping[int, str],
    groups: Sequence[Sequence[ClaimUnit]] = (),
) -> list[Conflict]:
    """Every disagreement between articles of different origins.

    ``claims`` maps article id to its claims in reading order, ``origin_of``
    article id to its independent origin, ``texts`` article id to clean text,
    ``groups`` the aligned claim groups.
    """
    conflicts = _count_conflicts(claims, origin_of)
    conflicts += _meeting_conflicts(claims, origin_of, texts)
    conflicts += _group_conflicts(groups, origin_of, texts)
    return conflicts


# -- counts ---------------------------------------------------------------------


def _agree(a: Quantity, b: Quantity) -> bool:
    if a.value == b.value:
        return True
    if a.approximate or b.approximate:
        return abs(a.value - b.value) <= _TOLERANCE * max(a.value, b.value)
    return False


def _count_conflicts(
    claims: Mapping[int, Sequence[ClaimUnit]], origin_of: Mapping[int, int]
) -> list[Conflict]:
    # measure -> article -> (first quantity, its claim)
    firsts: dict[str, dict[int, tuple[Quantity, ClaimUnit]]] = {}
    for article, units in claims.items():
        for unit in units:
            if unit.is_quote:
                continue  # a quote's figure is the speaker's, not the report's count
            for q in unit.quantities:
                if q.measure in _COUNTABLE:
                    firsts.setdefault(q.measure, {}).setdefault(article, (q, unit))
    conflicts = []
    for measure, by_article in firsts.items():
        values: list[tuple[Quantity, list[ClaimUnit]]] = []
        for q, unit in by_article.values():
            for known, units in values:
                if _agree(known, q):
                    units.append(unit)
                    break
            else:
                values.append((q, [unit]))
        if len(values) < 2:
            continue
        origins = [{origin_of.get(u.article, u.article) for u in units} for _, units in values]
        # Two values disagree only if they come from different origins: a copy
        # that rounds its source's figure is not a second opinion.
        if len(set().union(*origins)) < 2:
            continue
        values.sort(key=lambda item: (-len(item[1]), item[0].value))
        conflicts.append(
            Conflict("number", measure, [units for _, units in values],
                     [_format(q.value) for q, _ in values])
        )
    return conflicts


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


_COUNTABLE = frozenset({"dead", "injured", "missing", "evacuated", "arrested"})


# -- people (meetings) -------------------------------------------------------------


def _key(name: str) -> str:
    last = name.split()[-1].lower()
    return re.sub(r"[’']s$", "", last)


def _same(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= 80)


def _participants(units: Sequence[ClaimUnit]) -> list[tuple[ClaimUnit, set[str]]]:
    frames = []
    last_person: str | None = None
    for unit in units:
        people = unit.people
        keys = {_key(n) for n in people}
        if _MEETING.search(_outside_quotes(unit.text)):
            frame = set(keys)
            if _PRONOUN.search(unit.text) and last_person and len(frame) < 3:
                frame.add(last_person)
            if len(frame) >= 2:
                frames.append((unit, frame))
        if people:
            last_person = _key(people[-1])
    return frames


def _outside_quotes(text: str) -> str:
    return re.sub(r"[“\"][^”\"]*[”\"]", " ", text)


def _mentions(text: str, key: str) -> bool:
    lowered = text.lower()
    if key in lowered:
        return True
    words = set(re.findall(r"\w+", lowered))
    return any(_same(key, w) for w in words if abs(len(w) - len(key)) <= 2)


def _meeting_conflicts(
    claims: Mapping[int, Sequence[ClaimUnit]],
    origin_of: Mapping[int, int],
    texts: Mapping[int, str],
) -> list[Conflict]:
    frames = [(u, f) for units in claims.values() for u, f in _participants(units)]
    # slot (the shared participant) -> the differing participants -> claims naming them
    sides: dict[str, dict[frozenset[str], list[ClaimUnit]]] = {}
    for i, (a, fa) in enumerate(frames):
        for b, fb in frames[i + 1 :]:
            if origin_of.get(a.article, a.article) == origin_of.get(b.article, b.article):
                continue
            shared = {x for x in fa if any(_same(x, y) for y in fb)}
            only_a = {x for x in fa - shared if not _mentions(texts[b.article], x)}
            only_b = {y for y in fb if not any(_same(y, x) for x in shared)}
            only_b = {y for y in only_b if not _mentions(texts[a.article], y)}
            if not shared or not only_a or not only_b:
                continue
            slot = sorted(shared)[0]
            slot = next((k for k in sides if _same(k, slot) or k in shared), slot)
            values = sides.setdefault(slot, {})
            for unit, differing in ((a, only_a), (b, only_b)):
                key = next((k for k in values if _overlaps(k, differing)), frozenset(differing))
                _add_unique(values.setdefault(key, []), unit)
    conflicts = []
    for slot, values in sides.items():
        variants = sorted(values.items(), key=lambda kv: len(kv[1]), reverse=True)
        seen: set[int] = set()
        kept, labels = [], []
        for key, units in variants:  # an article on two sides stays with the larger one
            units = [u for u in units if u.article not in seen]
            seen |= {u.article for u in units}
            if units:
                kept.append(units)
                labels.append(_person_label(key, units))
        if len(kept) >= 2:
            conflicts.append(Conflict("person", slot, kept, labels))
    return conflicts


def _person_label(keys: frozenset[str], units: Sequence[ClaimUnit]) -> str:
    """The differing participants as written ("Viktor Hallan"), longest spelling seen."""
    names = []
    for key in sorted(keys):
        spellings = [p for u in units for p in u.people if _same(_key(p), key)]
        names.append(max(spellings, key=len) if spellings else key.title())
    return ", ".join(names)


def _overlaps(a: frozenset[str], b: set[str]) -> bool:
    return any(_same(x, y) for x in a for y in b)


def _add_unique(units: list[ClaimUnit], unit: ClaimUnit) -> None:
    if all(u.article != unit.article for u in units):
        units.append(unit)


# -- inside aligned groups -----------------------------------------------------------


def _group_conflicts(
    groups: Sequence[Sequence[ClaimUnit]],
    origin_of: Mapping[int, int],
    texts: Mapping[int, str],
) -> list[Conflict]:
    conflicts = []
    for group in groups:
        if len({origin_of.get(u.article, u.article) for u in group}) < 2:
            continue
        negated = [u for u in group if u.negated]
        asserted = [u for u in group if not u.negated]
        if negated and asserted:
            conflicts.append(Conflict("negation", "", [asserted, negated],
                                      ["asserted", "denied"]))
            continue
        for kind, attr in (("date", "dates"), ("place", "places")):
            split = _split_by(group, attr, texts)
            if split:
                labels = [", ".join(sorted({v for u in side for v in getattr(u, attr)}))
                          for side in split]
                conflicts.append(Conflict(kind, "", split, labels))
                break
    return conflicts


def _split_by(
    group: Sequence[ClaimUnit], attr: str, texts: Mapping[int, str]
) -> list[list[ClaimUnit]] | None:
    """Sides of a group whose ``attr`` values are disjoint and absent from each other's text."""
    valued = [u for u in group if getattr(u, attr)]
    if len(valued) < 2:
        return None
    sides: list[tuple[set[str], list[ClaimUnit]]] = []
    for unit in valued:
        values = {v.lower() for v in getattr(unit, attr)}
        for known, units in sides:
            if known & values:
                units.append(unit)
                known |= values
                break
        else:
            sides.append((values, [unit]))
    if len(sides) != 2:
        return None
    (va, ua), (vb, ub) = sides
    if any(_mentions(texts[u.article], v) for u in ub for v in va) or any(
        _mentions(texts[u.article], v) for u in ua for v in vb
    ):
        return None
    return [ua, ub]


__all__ = ["Conflict", "find_conflicts"]
