"""Canonical entities: one entity per real-world referent, across articles and outlets.

Mentions are first grouped inside each article (a surname or a given name
used alone joins the full name it belongs to; an acronym joins its
expansion), then across articles: full names merge when their surnames and
given names agree up to transliteration ("Andrei"/"Andrey",
"Grushev"/"Gruchev"); two people who only share a surname stay apart.
A name used alone in an article that never gives it in full joins the one
full name carrying it in the same story, else the one in the whole store; if
several people fit, it stays a separate, ambiguous entity rather than a wrong
merge. Place names whose consonants agree ("Kiev"/"Kyiv") are one place.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from newsweave.extract.entities import Mention
from newsweave.model import Entity

_PLACES = frozenset({"GPE", "LOC", "FAC"})
# On a tie of labels, a name alone is more often a place or a body than a person.
_LABEL_ORDER = ("GPE", "LOC", "ORG", "NORP", "FAC", "EVENT", "PERSON")
# Transliteration-insensitive spelling: "Andrey" ~ "Andrei", "Dmitriy" ~ "Dmitri",
# "Gorbatchev" ~ "Gorbachev". Folds are regular expressions applied in order. None
# touches a name's first letter's sound: "Yang"/"Jiang", "Zhang"/"Shang", "Chen"/"Shen"
# are different names (bench/name_folds.py measures variants against distinct pairs).
_FOLDS = ((r"t(?=s?ch)", ""), (r"sch", "sh"), (r"(?<=[a-z])ch", "sh"), (r"ks", "x"),
          (r"kh", "h"), (r"z(?!h)", "s"), (r"(?<=[a-z])y", "i"), (r"w", "v"), (r"ph", "f"),
          (r"ou", "u"), (r"ee", "i"), (r"ie", "i"), (r"ck", "k"), (r"c(?!h)", "k"),
          (r"q", "k"))
SURNAME_MIN = 85.0  # skeleton similarity for two surnames to be one
GIVEN_MIN = 80.0  # ... and for two given names


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    """A spelling key that ignores accents, case and common transliteration choices.

    >>> skeleton("Andrey Gruchev") == skeleton("Andrei Grushev")
    True
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z ]+", "", text.replace("-", " "))
    for old, new in _FOLDS:
        text = re.sub(old, new, text)
    return re.sub(r"(.)\1+", r"\1", " ".join(text.split()))


@lru_cache(maxsize=65536)
def consonants(name: str) -> str:
    """The consonant frame of a name: "Kiev" and "Kyiv" both give "kv"."""
    return re.sub(r"[aeiou ]", "", skeleton(name))


@dataclass(slots=True)
class Local:
    """Mentions of one referent inside one article (the unit that entities are made of)."""

    article: int
    story: int | None
    label: str
    names: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)
    acronyms: set[str] = field(default_factory=set)
    full: str | None = None  # the person's full name, if the article gives one
    count: int = 0

    def add(self, mention: Mention) -> None:
        self.names[mention.text] += 1
        self.roles.update(mention.roles)
        if mention.acronym:
            self.acronyms.add(mention.acronym)
        self.count += 1

    def identity(self) -> str:
        """What makes this local the same one on a later resolution (for stable ids). The
        label is part of it: an article may name a paper "Herald" (ORG) and, mistagged, a
        "Herald" (PERSON), two locals that without it would hand their ids to each other."""
        return f"{self.article}:{self.label}:{'|'.join(sorted(self.names))}"

    def keys(self) -> set[str]:
        """Lookup keys: another local can only join this one's entity if they share a key
        (so resolving new articles only needs the entities sharing their keys)."""
        keys: set[str] = set()
        for name in [*self.names, *self.acronyms]:
            key = skeleton(name)
            if not key:
                continue
            keys.add("N:" + key)
            tokens = key.split()
            if self.label == "PERSON":
                keys.update("T:" + t for t in tokens)
                keys.add("C:" + consonants(tokens[-1]))
            words = [w for w in name.split() if w[:1].isupper()]
            if len(words) >= 2:
                keys.add("N:" + skeleton("".join(w[0] for w in words)))
            if len(tokens) == 1 and len(name) >= 4:
                keys.add("F:" + name[0].lower() + consonants(name))
        return keys

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "story": self.story, "label": self.label,
                "names": dict(self.names), "roles": dict(self.roles),
                "acronyms": sorted(self.acronyms), "full": self.full, "count": self.count}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Local:
        return cls(int(data["article"]), data.get("story"), data["label"],
                   Counter(data["names"]), Counter(data["roles"]), set(data["acronyms"]),
                   data.get("full"), int(data["count"]))


def resolve_entities(
    mentions: Mapping[int, Sequence[Mention]], story_of: Mapping[int, int] | None = None
) -> list[Entity]:
    """Canonical entities from every article's mentions (ids numbered from 1, biggest first)."""
    stories = story_of or {}
    locals_: list[Local] = []
    for article_id in sorted(mentions):
        locals_.extend(group_article(article_id, stories.get(article_id), mentions[article_id]))
    entities = [build_entity([locals_[i] for i in c]) for c in resolve_locals(locals_)]
    entities.sort(key=lambda e: (-sum(e.articles.values()), e.name))
    for number, entity in enumerate(entities, start=1):
        entity.id = number
    return entities


def resolve_locals(locals_: Sequence[Local]) -> list[list[int]]:
    """Which locals are one referent: clusters of indices into ``locals_``."""
    parent = list(range(len(locals_)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    people = [i for i, loc in enumerate(locals_) if loc.full]
    _merge_full_names(locals_, people, union)
    others = [i for i, loc in enumerate(locals_) if not loc.full]
    _merge_others(list(locals_), others, people, find, union)
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(locals_)):
        clusters[find(i)].append(i)
    return list(clusters.values())


def resolve_distinct(locals_: Sequence[Local]) -> list[list[int]]:
    """:func:`resolve_locals`, each kind of local resolved once. A common name has a local
    in every article naming it, and most of them are alike in all that resolving reads: the
    full name's spelling key (a person), or the label, first name and acronyms (any other);
    the story too where a surname used alone could be matched in it. A local alike an
    earlier one joins that one's cluster and changes nothing else (the earlier one
    already put its name, label, acronyms and place first), so only the first of each
    kind is resolved and the rest follow it: the same clusters, in the same order."""
    parts = [kind_part(loc) for loc in locals_]
    lone = {alone for _, alone in parts if alone is not None}
    kinds: dict[tuple[Any, ...], int] = {}
    kind_of: list[int] = []
    firsts_of_kinds: list[Local] = []
    for loc, (part, _) in zip(locals_, parts, strict=True):
        kind = kind_of_part(part, lone)
        index = kinds.get(kind)
        if index is None:
            index = kinds[kind] = len(firsts_of_kinds)
            firsts_of_kinds.append(loc)
        kind_of.append(index)
    if len(firsts_of_kinds) == len(locals_):
        return resolve_locals(locals_)
    cluster_of = [0] * len(firsts_of_kinds)
    clusters = resolve_locals(firsts_of_kinds)
    for number, members in enumerate(clusters):
        for index in members:
            cluster_of[index] = number
    found: list[list[int]] = [[] for _ in clusters]
    for i, index in enumerate(kind_of):
        found[cluster_of[index]].append(i)
    return found


def kind_part(loc: Local) -> tuple[tuple[Any, ...], tuple[str, int] | None]:
    """What :func:`resolve_distinct` reads of a local, before the pool is known: its kind,
    a person's with its story (``kind_of_part`` keeps the story only where a surname used
    alone in the pool could be matched in it), and the (name, story) of a surname used
    alone (else None)."""
    first = next(iter(loc.names))
    key = skeleton(first)
    if loc.full:
        return (True, skeleton(loc.full), loc.story), None
    alone = loc.label == "PERSON" and " " not in key
    story = loc.story if alone else None
    lone = (key, loc.story) if alone and loc.story is not None else None
    return (False, loc.label, first, story, frozenset(loc.acronyms)), lone


def kind_of_part(part: tuple[Any, ...], lone: set[tuple[str, int]] | frozenset[Any]
                 ) -> tuple[Any, ...]:
    """A local's kind in a pool whose surnames used alone are ``lone`` (``kind_part``)."""
    if part[0]:
        _, name, story = part
        if story is None or not any((t, story) in lone for t in name.split()):
            return (True, name, "*")
    return part


def group_article(article_id: int, story: int | None, mentions: Sequence[Mention]) -> list[Local]:
    full: dict[str, Local] = {}
    for m in mentions:
        if m.label == "PERSON" and len(m.text.split()) >= 2:
            key = skeleton(m.text)
            match = next((k for k in full if _same_person(k, key)), None)
            local = full.get(match) if match else None
            if local is None:
                local = full[key] = Local(article_id, story, "PERSON", full=m.text)
            local.add(m)
    rest: dict[tuple[str, str], Local] = {}
    owners: dict[str, Local | None] = {}  # a surname recurs: look its owner up once
    for m in mentions:
        if m.label == "PERSON" and len(m.text.split()) >= 2:
            continue
        if len(m.text.split()) == 1 and m.label in {"PERSON", "ORG", "GPE", "NORP"}:
            if m.text not in owners:
                owners[m.text] = _owner(m.text, full)
            owner = owners[m.text]
            if owner is not None and (m.label == "PERSON" or skeleton(m.text) in
                                      skeleton(owner.full or "").split()):
                owner.add(m)  # "Grushev" (even when tagged ORG) is Andrei Grushev
                continue
        family = "PLACE" if m.label in _PLACES else m.label
        key = (family, skeleton(m.text))
        if key not in rest:
            rest[key] = Local(article_id, story, m.label)
        rest[key].add(m)
    return list(full.values()) + list(rest.values())


def _owner(word: str, full: Mapping[str, Local]) -> Local | None:
    """The one full name in the article that ``word`` is part of (surname preferred)."""
    key = skeleton(word)
    by_last = [loc for k, loc in full.items() if _similar(k.split()[-1], key, SURNAME_MIN)]
    if len(by_last) == 1:
        return by_last[0]
    if by_last:
        return None
    # A given name used alone ("Wenli added"), or a family name written first.
    by_any = [loc for k, loc in full.items() if any(_similar(t, key, SURNAME_MIN)
                                                     for t in k.split()[:-1])]
    return by_any[0] if len(by_any) == 1 else None


def _similar(a: str, b: str, floor: float) -> bool:
    """Near spellings of one name. They must start alike: a different first sound makes
    another name ("Zhang"/"Shang"), except among vowels and j/y, which romanisations of
    one letter swap ("Katja"/"Katya", "Yevgeny"/"Evgeny", "Osama"/"Usama")."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or not _same_start(a, b):
        return False
    return fuzz.ratio(a, b) >= floor


def _same_start(a: str, b: str) -> bool:
    return a[:1] == b[:1] or (a[:1] in _SOFT_START and b[:1] in _SOFT_START)


_SOFT_START = frozenset("aeiouyj")


@lru_cache(maxsize=1 << 17)  # a batch compares the same people's names as the last one
def _same_person(a: str, b: str) -> bool:
    """Full-name skeletons of one person: surnames and given names agree, or same tokens."""
    ta, tb = a.split(), b.split()
    if sorted(ta) == sorted(tb):
        return True
    if not _similar(ta[-1], tb[-1], SURNAME_MIN):
        return False
    ga, gb = ta[0], tb[0]
    if len(ga) == 1 or len(gb) == 1:  # an initial: "A. Grushev"
        return ga[0] == gb[0]
    return _similar(ga, gb, GIVEN_MIN) or ga.startswith(gb) or gb.startswith(ga)


def _merge_full_names(locals_: list[Local], people: list[int], union: object) -> None:
    by_name: dict[str, list[int]] = defaultdict(list)
    for i in people:
        by_name[skeleton(locals_[i].full or "")].append(i)
    for i_list in by_name.values():
        for j in i_list[1:]:
            union(i_list[0], j)  # type: ignore[operator]
    # Every pair of names of a block (a surname's first letters) that are one person. A
    # union's root is its cluster's lowest index whatever the order of the unions, so
    # the pairs alone matter: those found once are looked up (a batch pools the same
    # common names as the last, and comparing every pair of a block grew with the store).
    _SAME_PEOPLE.bound()
    for a in by_name:
        for b in _SAME_PEOPLE.of(a):
            if b in by_name:
                union(by_name[a][0], by_name[b][0])  # type: ignore[operator]


class _SamePeople:
    """The full names seen (spelling keys) by block, each with the others of its block
    that are the same person (``_same_person``), found when the name is first seen;
    forgotten all at once past ``limit`` names, between two pools (found again as
    needed)."""

    def __init__(self, limit: int = 1 << 18) -> None:
        self.limit = limit
        self.blocks: dict[str, list[str]] = defaultdict(list)
        self.links: dict[str, list[str]] = {}

    def bound(self) -> None:
        if len(self.links) >= self.limit:
            self.blocks.clear()
            self.links.clear()

    def of(self, name: str) -> list[str]:
        links = self.links.get(name)
        if links is None:
            block = self.blocks[name.split()[-1][:2]]
            links = self.links[name] = []
            for other in block:
                if _same_person(other, name):
                    links.append(other)
                    self.links[other].append(name)
            block.append(name)
        return links


_SAME_PEOPLE = _SamePeople()


def _merge_others(locals_: list[Local], others: list[int], people: list[int],
                  find: object, union: object) -> None:
    # Surname-only people: the full name in the same story first, then in the store.
    surname_index: dict[str, set[int]] = defaultdict(set)
    for i in people:
        for token in skeleton(locals_[i].full or "").split():
            surname_index[token].add(i)
    by_key: dict[str, list[int]] = defaultdict(list)
    # Per name: the people carrying it, by story (a common surname is used alone in many
    # articles; gathering them once per name, not once per article, is the same answer).
    scopes: dict[str, tuple[set[int], dict[int | None, set[int]]]] = {}
    for i in others:
        loc = locals_[i]
        key = skeleton(next(iter(loc.names)))
        if loc.label == "PERSON" and " " not in key:
            scope = scopes.get(key)
            if scope is None:
                scope = scopes[key] = _scope(surname_index.get(key, set()), locals_, find)
            target = _attach(loc, scope)
            if target is not None:
                union(target, i)  # type: ignore[operator]
                continue
        family = "PERSON" if loc.label == "PERSON" else "NAME"
        by_key[f"{family}:{key}"].append(i)
    # The same spelling is one referent, whatever label NER gave each occurrence,
    # unless it is a person's surname (handled above).
    merged: dict[str, list[int]] = defaultdict(list)
    for key, items in by_key.items():
        name_key = key.split(":", 1)[1]
        target = "NAME:" + name_key if f"NAME:{name_key}" in by_key else key
        merged[target].extend(items)
    groups = list(merged.values())
    for items in groups:
        for j in items[1:]:
            union(items[0], j)  # type: ignore[operator]
    _merge_acronyms(locals_, groups, union)
    _merge_place_spellings(locals_, groups, union)


def _scope(candidates: set[int], locals_: list[Local], find: object
           ) -> tuple[set[int], dict[int | None, set[int]]]:
    """The clusters (their roots) of the people carrying a name: all, and per story. Later
    attachments only add names used alone to these clusters, never join two of them, so
    the count per scope holds for every article using the name (a root may then be
    another member of its cluster: a union finds the same cluster through it)."""
    roots: set[int] = set()
    by_story: dict[int | None, set[int]] = defaultdict(set)
    for i in candidates:
        root = find(i)  # type: ignore[operator]
        roots.add(root)
        by_story[locals_[i].story].add(root)
    return roots, by_story


def _attach(loc: Local, scope: tuple[set[int], dict[int | None, set[int]]]) -> int | None:
    """The one person ``loc`` (a name used alone) refers to, narrowest scope first."""
    roots, by_story = scope
    if not roots:
        return None
    if loc.story is not None:
        in_story = by_story.get(loc.story)
        if in_story and len(in_story) == 1:
            return next(iter(in_story))
        if in_story:
            return None
    return next(iter(roots)) if len(roots) == 1 else None


def _merge_acronyms(locals_: list[Local], groups: list[list[int]], union: object) -> None:
    expansions: dict[str, int] = {}
    for items in groups:
        for i in items:
            for acronym in locals_[i].acronyms:
                expansions.setdefault(acronym, items[0])
    # Initials of multi-word names stand in for undeclared acronyms ("US"), if unique.
    initials: dict[str, set[int]] = defaultdict(set)
    for items in groups:
        words = [w for w in next(iter(locals_[items[0]].names)).split() if w[0].isupper()]
        if len(words) >= 2:
            initials["".join(w[0] for w in words)].add(items[0])
    for items in groups:
        name = next(iter(locals_[items[0]].names)).replace(".", "")
        if not name.isupper():
            continue
        if name in expansions:
            union(expansions[name], items[0])  # type: ignore[operator]
        elif len(initials.get(name, ())) == 1:
            union(next(iter(initials[name])), items[0])  # type: ignore[operator]


def _merge_place_spellings(locals_: list[Local], groups: list[list[int]], union: object) -> None:
    frames: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for items in groups:
        # Any place or body among the group's labels: NER labels one name inconsistently.
        if not any(locals_[i].label in _PLACES or locals_[i].label == "ORG" for i in items):
            continue
        name = next(iter(locals_[items[0]].names))
        if len(name) < 4 or " " in name:
            continue
        frames[name[0].lower() + consonants(name)].append((skeleton(name), items[0]))
    for entries in frames.values():
        for x, (a, i) in enumerate(entries):
            for b, j in entries[x + 1 :]:
                if fuzz.ratio(a, b) >= 70:
                    union(i, j)  # type: ignore[operator]


def build_entity(members: Sequence[Local]) -> Entity:
    """The entity (id 0) that a cluster of locals makes: canonical name, type, aliases."""
    tally = Tally()
    for loc in members:
        tally.add(loc)
    return tally.entity()


class Tally:
    """What :func:`build_entity` counts over a cluster's locals, in their order. Kept, it
    takes further locals without the earlier ones counted again; the entity is the same as
    built from all of them when the further ones come after the earlier ones in order
    (insertion order breaks ties of roles and labels)."""

    __slots__ = ("articles", "fulls", "labels", "names", "roles")

    def __init__(self) -> None:
        self.names: Counter[str] = Counter()
        self.fulls: Counter[str] = Counter()
        self.labels: Counter[str] = Counter()
        self.roles: Counter[str] = Counter()
        self.articles: Counter[int] = Counter()

    def add(self, loc: Local) -> None:
        names = self.names
        names.update(loc.names)
        self.roles.update(loc.roles)
        self.labels[loc.label] += loc.count
        self.articles[loc.article] += loc.count
        for acronym in loc.acronyms:
            names[acronym] += 0
        if loc.full:
            self.fulls.update({n: c for n, c in loc.names.items() if len(n.split()) >= 2})

    def entity(self) -> Entity:
        names, fulls, labels = self.names, self.fulls, self.labels
        pool = fulls or Counter({n: c for n, c in names.items() if not n.isupper()}) or names
        name = max(pool, key=lambda n: (pool[n], len(n), n))
        kind = "PERSON" if fulls else max(
            labels, key=lambda t: (labels[t], -_LABEL_ORDER.index(t) if t in _LABEL_ORDER
                                   else -99))
        return Entity(
            id=0, name=name, type=kind,
            aliases=sorted(n for n in names if n != name),
            roles=[r for r, _ in self.roles.most_common()],
            articles=dict(sorted(self.articles.items())),
        )
