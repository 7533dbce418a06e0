"""Where reports disagree: counts, people, negation and dates that differ.

Two reports of the same fact often do not align word for word precisely
because they differ ("14 people were killed" against "Seventeen people have
now died"), so disagreement is found by *slot*, not only inside aligned groups.
What a slot is comes from the dependency parse (:mod:`.frames`), not from lists:

* **counts**: a figure is the number with what it counts ("people killed",
  "death toll", "year old boy"). Figures whose descriptions mean the same
  (embedding similarity of the descriptions, average link, never two figures
  of one sentence: "14 killed and nine missing" are two quantities) are one
  quantity; a measure that describes something (an age) only meets the same
  thing's. Per article the first figure of a quantity counts (news puts the
  current count first; later figures are history). Articles of different
  origins whose first figures differ disagree; an approximate figure within
  5 % of another agrees with it. Where the values follow each other in
  publication time and the later one is given as a change ("rose to 17") or
  published on a later day, it is an **update**, not a contradiction.
* **people**: the same action (verb) with the same person in one role and
  different people in the other ("X met Governor Lind" against "Y met
  Governor Lind"), where neither article mentions the other's person at all.
  A pronoun subject stands for the last person the article named before it.
* **negation, dates, places**: inside an aligned group, a claim that denies
  what another asserts, or gives other date words or places, disagrees.

Stable API: :class:`Conflict`, :func:`find_conflicts`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from newsweave.crosscheck.align import NEGATIONS, tokens
from newsweave.crosscheck.claims import ClaimUnit, Quantity

if TYPE_CHECKING:
    from newsweave.crosscheck.align import VectorCache
    from newsweave.crosscheck.frames import ClaimFramer

_TOLERANCE = 0.05
_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
# Average similarity of two figures' predicates at which they are one quantity, and
# of the nouns they count below which they are not (all-MiniLM-L6-v2 cosines): chosen
# on MSRP train figure pairs, reported on MSRP test, the demo key and the seeds holding
# (``bench/crosscheck_gold.py --msrp``; docs/benchmarks.md "Cross-check against gold").
SAME_QUANTITY = 0.5
SAME_COUNTED = 0.35
# ... and of two actions' words at which they are one kind of action ("meet" ~
# "conversation" ~ "talks"; "shoot" ~ "kill"): chosen on the demo and seeds only.
SAME_ACTION = 0.4
_DISTINCT_VALUE = 20  # below, equal figures are too common to say "the same count"

Similarity = Callable[[Sequence[str]], np.ndarray]


@dataclass(slots=True)
class Conflict:
    """A point on which reports differ: ``kind`` and one claim per variant."""

    kind: str  # "number" | "person" | "negation" | "date" | "place"
    slot: str  # what differs: a quantity ("people killed") or the role ("met Lind")
    variants: list[list[ClaimUnit]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # what each variant says: "14", "Ortiz"
    update: bool = False  # the values follow each other in time: an update, not a dispute


def find_conflicts(
    claims: Mapping[int, Sequence[ClaimUnit]],
    origin_of: Mapping[int, int],
    texts: Mapping[int, str],
    groups: Sequence[Sequence[ClaimUnit]] = (),
    *,
    published: Mapping[int, str | None] | None = None,
    similarity: Similarity | None = None,
    figures: Sequence[Figure] | None = None,
    framer: ClaimFramer | None = None,
) -> list[Conflict]:
    """Every disagreement between articles of different origins.

    ``claims`` maps article id to its claims in reading order, ``origin_of``
    article id to its independent origin, ``texts`` article id to clean text,
    ``groups`` the aligned claim groups, ``published`` article id to its ISO
    publication time, ``similarity`` descriptions to their similarity matrix
    (default: the English sentence model when installed, else equal words);
    ``figures`` the story's quantities when :func:`find_figures` already ran;
    ``framer`` reads the action frames a store keeps (:class:`.frames.ClaimFramer`).
    """
    similarity = similarity or default_similarity()
    if figures is None:
        figures = find_figures(claims, origin_of, published, similarity)
    conflicts = [
        Conflict("number", f.label, [units for _, units in f.values],
                 [value for value, _ in f.values], update=f.status == "updated")
        for f in figures if f.status in ("contested", "updated")
    ]
    conflicts += _person_conflicts(claims, origin_of, texts, similarity, framer)
    conflicts += _group_conflicts(groups, origin_of, texts)
    return conflicts


def default_similarity() -> Similarity:
    """Cosine of the English sentence model when installed, else 1 for equal words."""
    from newsweave.nlp import english

    if english.available():
        def cosine(texts: Sequence[str]) -> np.ndarray:
            vectors = english.embed_english(list(texts))
            return np.asarray(vectors @ vectors.T)
        return cosine
    return exact_similarity


def cached_similarity(cache: VectorCache) -> Similarity:
    """:func:`default_similarity` with each description's vector read from ``cache`` where
    kept (the English model's claim-vector rows), and kept when computed: a story's first
    brief embeds its figures' and actions' words, a prepared one reads them. The rows are
    the model's own (it gives a text the same row in any batch), so the cosines are too."""
    from newsweave.crosscheck.align import cached_embedder
    from newsweave.nlp import english

    if not english.available():
        return exact_similarity
    embed = cached_embedder(cache, "minilm")

    def cosine(texts: Sequence[str]) -> np.ndarray:
        vectors = embed(list(texts))
        return np.asarray(vectors @ vectors.T)
    return cosine


def exact_similarity(texts: Sequence[str]) -> np.ndarray:
    """1 where two descriptions are the same words, else 0."""
    return np.array([[float(a == b) for b in texts] for a in texts])


# -- counts ---------------------------------------------------------------------


def _agree(a: Quantity, b: Quantity) -> bool:
    if a.value == b.value:
        return True
    if a.approximate or b.approximate:
        return abs(a.value - b.value) <= _TOLERANCE * max(a.value, b.value)
    return False


Item = tuple[ClaimUnit, Quantity]


def quantity_similarity(a: Quantity, b: Quantity, similar: Callable[[str, str], float], *,
                        by_value: bool = True) -> float:
    """How alike two figures' quantities are: 0 when they cannot be one (another thing
    described, another unit, unlike counted nouns), else the similarity of their
    predicates; with ``by_value``, 1 for the same distinctive value of alike things.

    ``similar`` gives the similarity of two words (the sentence model's cosine)."""
    if a.of != b.of or a.unit != b.unit:
        return 0.0  # another thing described, or dollars against a count
    if a.counted and b.counted and similar(a.counted, b.counted) < SAME_COUNTED:
        return 0.0
    # The same exact figure of alike things is the same count worded otherwise
    # ("3,200 residents were evacuated", "3,200 people have been moved").
    if by_value and a.value == b.value >= _DISTINCT_VALUE and (
            (a.counted and b.counted) or a.history or b.history):
        return 1.0  # a former value ("down from 3,200") is known by its figure
    if not (a.predicate and b.predicate):
        return 0.0
    return similar(a.predicate, b.predicate)


def _cluster(items: Sequence[Item], similarity: Similarity) -> list[list[Item]]:
    """Figures that count the same thing, by average link.

    Two figures are compared by what happened to what they count (their
    predicates: "killed" ~ "died" ~ "death"), provided the nouns they count, when
    both name one, are alike ("people" ~ "residents", not "people" ~ "officers");
    figures without a predicate are never counts compared.
    """
    if not items:
        return []
    quantities = [q for _, q in items]
    words = list(dict.fromkeys(w for q in quantities
                               for w in (q.measure, q.predicate, q.counted) if w))
    at = {w: i for i, w in enumerate(words)}
    sim = similarity(words)

    def similar(x: str, y: str) -> float:
        return float(sim[at[x], at[y]])

    n = len(items)
    score = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            score[i, j] = score[j, i] = quantity_similarity(quantities[i], quantities[j], similar)
    clusters: dict[int, list[int]] = {i: [i] for i in range(n)}
    owner = list(range(n))
    pairs = sorted(((score[i, j], i, j) for i in range(n) for j in range(i + 1, n)
                    if score[i, j] >= SAME_QUANTITY), reverse=True)
    for _, i, j in pairs:
        a, b = owner[i], owner[j]
        if a == b:
            continue
        left, right = clusters[a], clusters[b]
        # Two figures of one claim are two quantities ("14 killed and nine missing").
        if {id(items[k][0]) for k in left} & {id(items[k][0]) for k in right}:
            continue
        if float(score[np.ix_(left, right)].mean()) < SAME_QUANTITY:
            continue
        left += right
        for k in right:
            owner[k] = a
        del clusters[b]
    return [[items[k] for k in sorted(members)] for members in clusters.values()]


@dataclass(slots=True)
class Figure:
    """One quantity of the story ("people killed") with each value its reports give.

    ``values`` pairs each value ("14") with the claims that give it, at most one
    per article (its first figure for the quantity, or a former value it
    restates: "down from 3,200"); ``status`` is "contested" when values of
    different origins differ, "updated" when they follow each other in time,
    else "corroborated" (two origins or more) or "single-source".
    """

    label: str
    values: list[tuple[str, list[ClaimUnit]]]
    status: str = "single-source"


def find_figures(
    claims: Mapping[int, Sequence[ClaimUnit]],
    origin_of: Mapping[int, int],
    published: Mapping[int, str | None] | None = None,
    similarity: Similarity | None = None,
) -> list[Figure]:
    """Every quantity the story's reports give, with its values and status."""
    published = published or {}
    items: list[Item] = [
        (unit, replace(q, history=True) if _in_past_year(unit, published) else q)
        for units in claims.values() for unit in units
        if not unit.is_quote  # a quote's figure is the speaker's, not the report's count
        # A figure with nothing said of it ("the two nations") is a reference, not a count.
        for q in unit.quantities if q.predicate or q.history
    ]
    figures = []
    for cluster in _cluster(items, similarity or default_similarity()):
        firsts: dict[int, Item] = {}
        for unit, q in cluster:  # reading order within each article
            if not q.history:
                firsts.setdefault(unit.article, (unit, q))
        values: list[tuple[Quantity, list[ClaimUnit]]] = []
        for unit, q in firsts.values():
            for known, units in values:
                if _agree(known, q):
                    units.append(unit)
                    break
            else:
                values.append((q, [unit]))
        for unit, q in cluster:  # a former value restated agrees with that value
            for known, units in values:
                if q.history and _agree(known, q) and all(u.article != unit.article
                                                          for u in units):
                    units.append(unit)
        if not values:
            continue
        counted = [q.measure for _, q in firsts.values()]
        label = max(counted, key=counted.count)
        origins = {origin_of.get(u.article, u.article) for _, units in values for u in units}
        status = "corroborated" if len(origins) >= 2 else "single-source"
        # Two values disagree only if they come from different origins: a copy
        # that rounds its source's figure is not a second opinion.
        if len(values) >= 2 and len(origins) >= 2:
            status = "updated" if _is_update(values, firsts, published) else "contested"
        if status == "updated":
            values.sort(key=lambda item: _earliest(item[1], published))
        else:
            values.sort(key=lambda item: (-len({origin_of.get(u.article, u.article)
                                                for u in item[1]}), item[0].value))
        figures.append(Figure(label, [(_format(q.value), units) for q, units in values], status))
    figures.sort(key=lambda f: (f.status != "contested", -sum(len(u) for _, u in f.values)))
    return figures


_PAST_YEAR = re.compile(r"\b[Ii]n (?:early |late |mid-)?((?:19|20)\d\d)\b")


def _in_past_year(unit: ClaimUnit, published: Mapping[int, str | None]) -> bool:
    """A claim set "in 2010" by a report of another year tells history, not the count."""
    year = (published.get(unit.article) or "")[:4]
    years = _PAST_YEAR.findall(unit.text)
    return bool(year and years and year not in years)


def _earliest(units: Sequence[ClaimUnit], published: Mapping[int, str | None]) -> str:
    return min((published.get(u.article) or "~") for u in units)


def _is_update(
    values: Sequence[tuple[Quantity, list[ClaimUnit]]],
    firsts: Mapping[int, Item],
    published: Mapping[int, str | None],
) -> bool:
    """Values that follow each other in time, each later one given as a change or a day later.

    A value that an article published after a newer one still gives (the
    first report repeated the next day) makes it a dispute, not an update.
    """
    spans = []
    for _, units in values:
        times = [published.get(u.article) for u in units]
        if not all(times):
            return False
        spans.append((min(times), max(times), units))  # type: ignore[type-var]
    spans.sort(key=lambda s: s[0])
    for (_, last_before, _), (first_after, _, units) in pairwise(spans):
        if first_after <= last_before:
            return False
        marked = any(firsts[u.article][1].change for u in units if u.article in firsts)
        if not marked and first_after[:10] <= last_before[:10]:
            return False
    return True


def _format(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


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
) -> list[tuple[Role, str, str, ClaimUnit]]:
    """(verb, fixed role, fixed person) with the other role's person key and name, per claim."""
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
    roles = _roles(claims, framer)
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


__all__ = ["Conflict", "Figure", "cached_similarity", "find_conflicts", "find_figures",
           "quantity_similarity"]
