"""Where reports disagree beyond their figures: people, negation, dates and places.

* **people**: the same action (verb) with the same person in one role and
  different people in the other ("X met Governor Lind" against "Y met
  Governor Lind"), where neither article mentions the other's person at all.
  A pronoun subject stands for the last person the article named before it.
* **negation, dates, places**: inside an aligned group, a claim that denies
  what another asserts, or gives other date words or places, disagrees.

Part of the comparison of reports (:mod:`.compare`, which re-exports the names here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from newsweave.crosscheck.align import NEGATIONS, tokens
from newsweave.crosscheck.claims import ClaimUnit

if TYPE_CHECKING:
    from newsweave.crosscheck.figures import Similarity
    from newsweave.crosscheck.frames import ClaimFramer

_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
# Similarity of two actions' words at which they are one kind of action ("meet" ~
# "conversation" ~ "talks"; "shoot" ~ "kill"): chosen on the demo and seeds only.
SAME_ACTION = 0.4


@dataclass(slots=True)
class Conflict:
    """A point on which reports differ: ``kind`` and one claim per variant."""

    kind: str  # "number" | "person" | "negation" | "date" | "place"
    slot: str  # what differs: a quantity ("people killed") or the role ("met Lind")
    variants: list[list[ClaimUnit]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # what each variant says: "14", "Ortiz"
    update: bool = False  # the values follow each other in time: an update, not a dispute


# -- people in the same role of the same action -----------------------------------


def _key(name: str) -> str:
    last = name.split()[-1].lower()
    return re.sub(r"[’']s$", "", last)


def _same(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= 80)


def _person_at(unit: ClaimUnit, span: tuple[int, int, int, int]) -> str | None:
    """The person a role names: the one whose name holds the role's head word, else the
    first one in the role's phrase ("diplomat Yang Jiechi")."""
    lowered = unit.text.lower()
    found = []
    for name in unit.people:
        for match in re.finditer(r"(?<!\w)" + re.escape(name.lower()) + r"(?!\w)", lowered):
            if match.start() <= span[2] and span[3] <= match.end():
                return name
            if span[0] <= match.start() and match.end() <= span[1]:
                found.append((match.start(), name))
    return min(found)[1] if found else None


Role = tuple[str, str, str]  # (verb, the role held fixed, that person's key)


def _roles(
    claims: Mapping[int, Sequence[ClaimUnit]], framer: ClaimFramer | None = None,
    origin_of: Mapping[int, int] | None = None,
) -> list[tuple[Role, str, str, ClaimUnit]]:
    """(verb, fixed role, fixed person) with the other role's person key and name, per claim.

    With ``origin_of``, only the claims whose roles can meet another origin's are parsed
    (:func:`_may_disagree`): the others' roles could never make a conflict."""
    from newsweave.crosscheck.frames import ClaimFramer
    from newsweave.extract.cues import CUE_FORMS

    wanted: list[tuple[ClaimUnit, str | None]] = []
    for units in claims.values():
        last: str | None = None
        for unit in units:
            # An action between two people needs two names, or one and "he"/"she".
            if len(set(unit.people)) >= 2 or (unit.people and last and _PRONOUN.search(unit.text)):
                wanted.append((unit, last))
            if unit.people:
                last = unit.people[-1]
    if origin_of is not None:
        wanted = [w for w, keep in zip(wanted, _may_disagree(wanted, origin_of), strict=True)
                  if keep]
    out = []
    read = (framer or ClaimFramer()).actions([_outside_quotes(u.text) for u, _ in wanted])
    for (unit, previous), frames in zip(wanted, read, strict=True):
        for frame in frames:
            if frame.verb in CUE_FORMS:
                continue  # "X told Y": the listener is no role of the event
            subject = previous if frame.subject_pronoun else (
                _person_at(unit, frame.subject) if frame.subject else None)
            obj = _person_at(unit, frame.object) if frame.object else None
            if subject is None or obj is None or _same(_key(subject), _key(obj)):
                continue
            out.append(((frame.verb, "object", _key(obj)), _key(subject), subject, unit))
            out.append(((frame.verb, "subject", _key(subject)), _key(obj), obj, unit))
    return out


def _may_disagree(wanted: Sequence[tuple[ClaimUnit, str | None]],
                  origin_of: Mapping[int, int]) -> list[bool]:
    """Per (claim, last person named before it), whether its roles can reach a conflict.

    A role's two people are names of the claim, or the last person named before it when
    a subject is a pronoun (:func:`_has_pronoun`), so its person keys are among those
    names' :func:`_key`. A role only
    joins a slot whose fixed person is :func:`_same` as its own, so the slots split along
    the components of the keys linked by :func:`_same`, and a component's slots hold
    only the claims with a key in it. A person conflict needs sides of different origins:
    a claim all of whose keys lie in components that one origin's claims alone hold can
    make none, and leaving it out changes no other slot (nor their order). The parse of
    its frames is spared."""
    names = [[*unit.people, *([last] if last and _has_pronoun(_outside_quotes(unit.text))
                               else [])] for unit, last in wanted]
    if any(not name.split() for row in names for name in row):
        return [True] * len(wanted)  # no key to read: parse as before
    keys = [{_key(name) for name in row} for row in names]
    distinct = list(dict.fromkeys(k for row in keys for k in row))
    parent = {k: k for k in distinct}

    def root(k: str) -> str:
        while parent[k] != k:
            k = parent[k]
        return k

    for i, a in enumerate(distinct):
        for b in distinct[i + 1:]:
            if _same(a, b):
                parent[root(b)] = root(a)
    origins: dict[str, set[int]] = {}
    for (unit, _), row in zip(wanted, keys, strict=True):
        for k in row:
            origins.setdefault(root(k), set()).add(origin_of.get(unit.article, unit.article))
    return [any(len(origins[root(k)]) >= 2 for k in row) for row in keys]


def _has_pronoun(text: str) -> bool:
    """Whether a token of ``text`` could be the pronoun subject of an action frame
    (:class:`.frames.ActionFrame` ``subject_pronoun``): the parse's own tokenizer, since it
    splits "hes" into "he" "s"; a token is a piece of the text, so a text without "he"
    or "him" in it has none, and needs no tokenizer."""
    from newsweave.crosscheck.frames import _PRONOUNS, _model

    lowered = text.lower()
    if "he" not in lowered and "him" not in lowered:
        return False
    return any(t.lower_ in _PRONOUNS for t in _model().tokenizer(text))


def _outside_quotes(text: str) -> str:
    """The text with quotations blanked (same length, so offsets hold)."""
    return re.sub(r"[“\"][^”\"]*[”\"]", lambda m: " " * len(m.group()), text)


def _mentions(text: str, key: str) -> bool:
    lowered = text.lower()
    if key in lowered:
        return True
    words = set(re.findall(r"\w+", lowered))
    return any(_same(key, w) for w in words if abs(len(w) - len(key)) <= 2)


def _person_conflicts(
    claims: Mapping[int, Sequence[ClaimUnit]],
    origin_of: Mapping[int, int],
    texts: Mapping[int, str],
    similarity: Similarity,
    framer: ClaimFramer | None = None,
) -> list[Conflict]:
    roles = _roles(claims, framer, origin_of)
    actions = list(dict.fromkeys(role[0] for role, *_ in roles))
    at = {a: i for i, a in enumerate(actions)}
    sim = similarity(actions) if actions else np.zeros((0, 0))
    # role -> other person's key -> (longest name seen, claims)
    slots: dict[Role, dict[str, tuple[str, list[ClaimUnit]]]] = {}
    for role, other, name, unit in roles:
        known = next((r for r in slots if r[1] == role[1] and _same(r[2], role[2])
                      and sim[at[r[0]], at[role[0]]] >= SAME_ACTION), role)
        sides = slots.setdefault(known, {})
        key = next((k for k in sides if _same(k, other)), other)
        label, units = sides.get(key, (name, []))
        if all(u.article != unit.article for u in units):
            units.append(unit)
        sides[key] = (max(label, name, key=len), units)
    conflicts = []
    done: set[frozenset[int]] = set()
    for (verb, fixed, person), sides in slots.items():
        kept = []
        for key, (label, units) in sides.items():
            # A side stands when some other side's articles never mention its person,
            # and it never mentions theirs: they really name different people.
            rivals = [
                other for k, (_, other) in sides.items() if k != key
                and not any(_mentions(texts[u.article], key) for u in other)
                and not any(_mentions(texts[u.article], k) for u in units)
                and {origin_of.get(u.article, u.article) for u in other}
                != {origin_of.get(u.article, u.article) for u in units}
            ]
            if rivals:
                kept.append((label, units))
        if len(kept) < 2:
            continue
        seen = frozenset(id(u) for _, units in kept for u in units)
        if seen in done:
            continue  # the same disagreement seen from the other role
        done.add(seen)
        kept.sort(key=lambda side: -len(side[1]))
        slot = f"{verb} … {person.title()}" if fixed == "object" else \
            f"{person.title()} {verb} …"
        conflicts.append(Conflict("person", slot,
                                  [units for _, units in kept], [label for label, _ in kept]))
    return conflicts


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
        # What a quotation says is the speaker's, and one report may cut it where another
        # goes on to "not": only the reports' own words can deny each other.
        plain = [u for u in group if not any(q in u.text for q in "\"“”«»„")]
        negated = [u for u in plain if _denies(u.text)]
        asserted = [u for u in plain if not _denies(u.text)]
        if negated and asserted:
            conflicts.append(Conflict("negation", "", [asserted, negated],
                                      ["asserted", "denied"]))
            continue
        for kind, attr in (("date", "dates"), ("place", "places")):
            split = _split_by(group, attr, texts)
            if split:
                labels = [", ".join(sorted({v for u in side for v in getattr(u, attr)
                                            if v.lower() not in _RELATIVE_DAYS}))
                          for side in split]
                conflicts.append(Conflict(kind, "", split, labels))
                break
    return conflicts


def _denies(text: str) -> bool:
    words = tokens(text)
    return any(w in NEGATIONS or w.endswith("n't") for w in words)


_RELATIVE_DAYS = frozenset({"today", "tonight", "yesterday"})  # need the publication date


def _split_by(
    group: Sequence[ClaimUnit], attr: str, texts: Mapping[int, str]
) -> list[list[ClaimUnit]] | None:
    """Sides of a group whose ``attr`` values are disjoint and absent from each other's text."""
    def values_of(unit: ClaimUnit) -> set[str]:
        return {v.lower() for v in getattr(unit, attr)} - _RELATIVE_DAYS

    valued = [u for u in group if values_of(u)]
    if len(valued) < 2:
        return None
    sides: list[tuple[set[str], list[ClaimUnit]]] = []
    for unit in valued:
        values = values_of(unit)
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
