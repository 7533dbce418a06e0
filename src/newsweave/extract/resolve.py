"""Incremental resolution: canonical entities and quote groups as articles arrive.

A batch of articles only touches the entities and quote groups that its
mentions and quotations could join (found through lookup keys and indexed
words); those are re-resolved together with the new material and written
back, and every other entity and group is left alone. So the cost of a batch
does not grow with the store, and ids stay put: a re-resolved entity or group
keeps the id of the one it has most of its members from (a merge keeps the
bigger id holder's, a split gives the smaller part a fresh id), and an id is
never handed out twice.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence

from newsweave.extract.canonical import Local, Tally, group_article, resolve_distinct
from newsweave.extract.entities import Mention
from newsweave.extract.groups import SHARED_MIN, Instance, cluster_quotes, content_words
from newsweave.extract.held import Held, HeldLocals, held_for
from newsweave.extract.kinds import Pool, moved_kinds, pool_entries
from newsweave.extract.quotes import Found, is_pronoun
from newsweave.model import Entity
from newsweave.settings import Settings
from newsweave.store import Store
from newsweave.store.extract import StoredEntity, StoredVariant

# A word carried by more groups than this is no help in finding a quotation's group.
_MAX_BUCKET = 50
# Of a held entity that lost and took back the locals of articles resolved again, write
# only those articles' rows (``_patch``); False: rewrite it whole, as before (the same
# rows; tests compare the two).
WRITE_CHANGES = True
# Cluster a batch's pool through the touched entities' kinds (``extract/kinds.py``), not
# local by local; False: every local pooled, sorted and read, as before (the same clusters
# and rows; tests compare the two).
BY_KINDS = True


def story_of(store: Store, article_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Story id per article, where the stories stage has run (else an empty map).

    A store without stories tables has no stories; any error reading them is raised
    (it is not "no stories": resolving as if it were would file names wrongly)."""
    tables = getattr(store, "stories", None)
    if tables is None or not hasattr(tables, "story_of"):
        return {}
    ids = list(article_ids) if article_ids is not None else [
        a.id for a in store.iter_articles() if a.id is not None]
    return dict(tables.story_of(ids))


def update(store: Store, settings: Settings, article_ids: Sequence[int] | None,
           analysed: Mapping[int, tuple[Sequence[Mention], Sequence[Found]]] | None = None
           ) -> None:
    """Resolve the entities and quote groups of ``article_ids`` against the store (their
    earlier resolution, if any, is replaced); ``None`` re-resolves the whole store.
    ``analysed``: the articles' mentions and attributions, when the caller has them at hand
    (else they are read from the store)."""
    if analysed is None:
        analysed = {i: ([Mention.from_dict(m) for m in ms], [Found.from_dict(a) for a in atts])
                    for i, (ms, atts) in store.extract.found(article_ids).items()}
    stories = story_of(store, list(analysed))
    mentions = {i: ms for i, (ms, _) in analysed.items()}
    update_entities(store, mentions, stories, full=article_ids is None)
    attributions = {i: atts for i, (_, atts) in analysed.items()}
    update_quotes(store, attributions, mentions, settings.extract_quote_similarity,
                  full=article_ids is None)


def update_entities(store: Store, mentions: Mapping[int, Sequence[Mention]],
                    stories: Mapping[int, int], *, full: bool) -> None:
    fresh = [loc for article in sorted(mentions)
             for loc in group_article(article, stories.get(article), mentions[article])]
    held = held_for(store)
    held.check(store)
    if full or not BY_KINDS:
        _update_by_locals(store, held, mentions, fresh, full=full)
    else:
        _update_by_kinds(store, held, mentions, fresh)
    held.seal(store)


def _update_by_kinds(store: Store, held: HeldLocals, mentions: Mapping[int, Sequence[Mention]],
                     fresh: list[Local]) -> None:
    """A batch resolved through the touched entities' kinds (``kinds.Pool``): what the
    local-by-local pool (``_update_by_locals``) writes, without going through the locals
    of an entity left as it was or only grown."""
    keys = set().union(*(loc.keys() for loc in fresh)) if fresh else set()
    of_articles = store.extract.entities_of_articles(mentions)
    touched = of_articles | store.extract.entities_by_keys(keys)
    have, order = held.entries(store, touched) if touched else ({}, [])
    ranks = {entity_id: rank for rank, entity_id in enumerate(order)}
    entries, lost, previous = pool_entries(have, ranks, mentions, of_articles)
    pool = Pool(entries, fresh)
    todo = []
    for cluster in pool.clusters:
        only = cluster.only()
        if only is not None and not cluster.fresh and only not in lost:
            # All it had and nothing else: left as it was (its id is its own, and no other
            # cluster has a member of it).
            touched.discard(only)
        else:
            todo.append(cluster)
    ids = assign_counted(store, "entity", [pool.counts(c, previous) for c in todo])
    stored: list[StoredEntity] = []
    rewritten: list[tuple[int, list[tuple[Local, str]], Tally]] = []
    growth = 0
    for entity_id, cluster in zip(ids, todo, strict=True):
        only = cluster.only()
        added = [fresh[i] for i in cluster.fresh]
        # Its members in the pool's order, put together only if asked for (once).
        members = functools.cache(functools.partial(pool.members, cluster))

        def locals_(members: Callable[[], list[tuple[Local, str]]] = members) -> list[Local]:
            return [m for m, _ in members()]

        grown = only == entity_id and entity_id not in lost
        entry = held.get(entity_id)
        if (WRITE_CHANGES and entity_id in lost and entry is not None and (
                only == entity_id or (only is None and not cluster.whole and not cluster.some
                                      and entity_id not in entries))):
            touched.discard(entity_id)
            before = len(entry.locals)
            patch = _patch(entry, lost[entity_id], added, locals_)
            if patch is not None:
                patch.entity.id = entity_id
                stored.append(patch)
                growth += len(entry.locals) - before
                pooled = entries.get(entity_id)
                if pooled is not None:  # its kinds: those of the locals it kept, then added
                    entry.kinds = moved_kinds(pooled.kinds, pooled.kept)
                    for index, loc in enumerate(added, start=len(pooled.kept)):
                        entry.kinds.add(loc, index)
            continue
        tally = _count(entry if grown else None, locals_, added)
        entity = tally.entity()
        entity.id = entity_id
        if grown:
            touched.discard(entity_id)
            if entry is not None:
                _grow(entry, added, tally)
                growth += len(added)
            written = added
        else:
            rewritten.append((entity_id, members(), tally))
            written = locals_()
        stored.append(_stored(entity, written, grown))
    _write(store, held, touched, stored, rewritten, growth)


def _update_by_locals(store: Store, held: HeldLocals, mentions: Mapping[int, Sequence[Mention]],
                      fresh: list[Local], *, full: bool) -> None:
    """A batch resolved with every local of the entities it touches pooled (``full``: the
    whole store's), sorted and clustered (``resolve_distinct``)."""
    if full:
        held.clear()
        touched: set[int] | None = None
        old = [(entity_id, local, local.identity()) for entity_id, local in (
            (e, Local.from_dict(data)) for e, data in store.extract.entity_locals(None))]
    else:
        keys = set().union(*(loc.keys() for loc in fresh)) if fresh else set()
        touched = (store.extract.entities_of_articles(mentions)
                   | store.extract.entities_by_keys(keys))
        # The touched entities' locals as stored: held from earlier batches where they can be.
        old = held.read(store, touched) if touched else []
    previous: dict[Hashable, int] = {}
    pool: list[Local] = []
    origin: dict[int, int] = {}  # id(local) -> the entity an earlier article's local was in
    size: Counter[int] = Counter()  # locals per touched entity (-1: it had this batch's)
    identities: dict[int, str] = {}  # id(local) -> its identity, held with it
    kept_of: Counter[int] = Counter()  # earlier articles' locals per touched entity
    lost: dict[int, list[Local]] = {}  # a touched entity's locals of this batch's articles
    for entity_id, local, identity in old:
        previous[identity] = entity_id
        identities[id(local)] = identity
        if not full and local.article not in mentions:
            pool.append(local)  # an earlier article's share of a touched entity
            origin[id(local)] = entity_id
            size[entity_id] += 1
            kept_of[entity_id] += 1
        else:
            size[entity_id] = -len(old)
            lost.setdefault(entity_id, []).append(local)
    pool += fresh
    # Article order, as a whole-store pass sees them: resolution is then order-independent.
    pool.sort(key=lambda loc: loc.article)
    clusters = resolve_distinct(pool)
    for loc in fresh:
        identities[id(loc)] = loc.identity()
    ids = assign_ids(store, "entity", [[identities[id(pool[i])] for i in c] for c in clusters],
                     previous)
    stored: list[StoredEntity] = []
    rewritten: list[tuple[int, list[tuple[Local, str]], Tally]] = []
    growth = 0  # locals the held entities gained in place (grown, patched)
    for entity_id, cluster in zip(ids, clusters, strict=True):
        members = [pool[i] for i in cluster]
        kept = sum(origin.get(id(m)) == entity_id for m in members)
        added = [m for m in members if id(m) not in origin]
        # A stored entity with all it had, and nothing but new articles' locals besides.
        grown = touched is not None and entity_id in size and kept == size[entity_id] and (
            kept + len(added) == len(members))
        # Touched but left exactly as it was (the same locals, the same id): neither rebuilt
        # nor rewritten. On a grown store that is most of the entities a batch touches.
        if grown and not added:
            touched.discard(entity_id)  # type: ignore[union-attr]
            continue
        entry = held.get(entity_id)
        if (WRITE_CHANGES and touched is not None and entity_id in lost and entry is not None
                and kept == kept_of[entity_id] and kept + len(added) == len(members)):
            # All it had but this batch's articles' locals, which it lost and took back
            # (re-resolved: a story merged or split): only those articles' rows change.
            touched.discard(entity_id)  # type: ignore[union-attr]
            before = len(entry.locals)
            patch = _patch(entry, lost[entity_id], added, lambda members=members: members)
            if patch is not None:
                patch.entity.id = entity_id
                stored.append(patch)
                growth += len(entry.locals) - before
            continue
        tally = _count(entry if grown else None, lambda members=members: members, added)
        entity = tally.entity()
        entity.id = entity_id
        if grown:
            # All it had and some new articles' locals: only those are written (a common
            # entity gains a few in every batch; rewriting all it has grew with the store).
            touched.discard(entity_id)  # type: ignore[union-attr]
            if entry is not None:
                _grow(entry, added, tally)
                growth += len(added)
            members = added
        else:
            rewritten.append((entity_id, [(m, identities[id(m)]) for m in members], tally))
        stored.append(_stored(entity, members, grown))
    _write(store, held, touched, stored, rewritten, growth)


def _stored(entity: Entity, written: Sequence[Local], grown: bool) -> StoredEntity:
    """An entity as written: its locals (all, or only those a grown entity gained)."""
    return StoredEntity(entity, [(m.article, m.to_dict()) for m in written],
                        set().union(*(m.keys() for m in written)), _names(written), grown)


def _write(store: Store, held: HeldLocals, touched: set[int] | None,
           stored: list[StoredEntity], rewritten: list[tuple[int, list[tuple[Local, str]], Tally]],
           growth: int) -> None:
    """Write a batch's entities (``touched``: those replaced; ``None``: all) and keep the
    held locals in step: the rewritten ones held anew with their identities."""
    store.extract.replace_entities(touched, stored)
    if touched:
        held.drop(touched)
    for entity_id, pairs, tally in rewritten:
        held.put(entity_id, Held([m for m, _ in pairs], [i for _, i in pairs], tally,
                                 max(m.article for m, _ in pairs)))
    held.resized(growth)


def _patch(entry: Held, lost: Sequence[Local], added: Sequence[Local],
           members: Callable[[], Sequence[Local]]) -> StoredEntity | None:
    """A held entity that lost its ``lost`` locals (of the articles resolved again) and
    took ``added`` back, all else kept: what to write of it (None: nothing changed), with
    ``entry`` made what the store then holds (its other rows stay where they are, the new
    ones come after them, as the store appends them).

    Resolved again after a story merged or split, an article's locals usually differ in
    their story alone, which no count, name or key reads: then only their rows change."""
    gone = sorted(lost, key=lambda loc: loc.article)  # (stable: the store's order on a tie)
    alike = len(gone) == len(added) and all(map(_counted_alike, gone, added))
    if alike and all(a.story == b.story for a, b in zip(gone, added, strict=True)):
        return None  # the same rows as stored
    articles = {loc.article for loc in lost}
    kept = [i for i, loc in enumerate(entry.locals) if loc.article not in articles]
    dropped: set[str] = set()
    keys: set[str] = set()
    if alike:
        tally = entry.counted()  # the same counts, names and keys
    else:
        tally = Tally()
        for loc in members():  # (in article order, as the whole would be counted)
            tally.add(loc)
        counts = entry.key_counts()
        for loc in lost:
            counts.subtract(loc.keys())
        for loc in added:
            new = loc.keys()
            counts.update(new)
            keys |= new
        dropped = {k for k, n in counts.items() if n <= 0}
        for key in dropped:
            del counts[key]
    entry.locals = [entry.locals[i] for i in kept] + list(added)
    entry.identities = [entry.identities[i] for i in kept] + [m.identity() for m in added]
    entry.last = max(loc.article for loc in entry.locals)
    entry.tally = tally
    entry.kinds = None  # (made again when wanted)
    entity = tally.entity()
    return StoredEntity(entity, [(m.article, m.to_dict()) for m in added], keys,
                        _names(added), grown=True, replaced=frozenset(articles),
                        dropped_keys=frozenset(dropped))


def _counted_alike(a: Local, b: Local) -> bool:
    """Whether two locals count the same in an entity (all but their story: the tally, the
    keys and the names read everything else, in its order)."""
    return (a.article == b.article and a.label == b.label and a.count == b.count
            and a.full == b.full and a.acronyms == b.acronyms
            and list(a.names.items()) == list(b.names.items())
            and list(a.roles.items()) == list(b.roles.items()))


def _count(entry: Held | None, members: Callable[[], Sequence[Local]],
           added: Sequence[Local]) -> Tally:
    """What builds the entity of ``members``: a held entity's tally taking only the
    ``added`` locals when they all come after what it holds (the order the whole would be
    counted in), else a count of all the members."""
    if entry is not None and added and added[0].article > entry.last:
        tally = entry.counted()
        counted = added
    else:
        tally = Tally()
        counted = members()
    for loc in counted:
        tally.add(loc)
    return tally


def _grow(entry: Held, added: Sequence[Local], tally: Tally) -> None:
    """A held entity gained ``added`` (appended, as the store appends their rows)."""
    if entry.kinds is not None:
        for index, loc in enumerate(added, start=len(entry.locals)):
            entry.kinds.add(loc, index)
    entry.locals += added
    entry.identities += [m.identity() for m in added]
    entry.last = max(entry.last, *(m.article for m in added))
    entry.tally = tally
    if entry.keys is not None:
        for loc in added:
            entry.keys.update(loc.keys())


def _names(members: Sequence[Local]) -> list[tuple[int, str, bool]]:
    """(article, lowercased name, single token?) by which an article may name the entity."""
    names: set[tuple[int, str, bool]] = set()
    for loc in members:
        for name in loc.names:
            names.add((loc.article, name.lower(), False))
        if loc.full:
            # "Wenli added": a given name or surname alone, as a speaker.
            names.update((loc.article, token.lower(), True) for token in loc.full.split()
                         if len(token) > 2)
    return sorted(names)


def update_quotes(store: Store, attributions: Mapping[int, Sequence[Found]],
                  mentions: Mapping[int, Sequence[Mention]], min_score: float,
                  *, full: bool) -> None:
    fresh: list[StoredVariant] = []
    for article in sorted(attributions):
        for item in attributions[article]:
            key, text = speaker_of(item, mentions.get(article, []))
            fresh.append(StoredVariant(article, item.statement(), item.content.start,
                                       item.content.end, key, text,
                                       item.cue.text.lower() if item.cue else None,
                                       item.direct))
    if full:
        touched: set[int] | None = None
        old = store.extract.quote_variants(None)
    else:
        word_sets = [content_words(v.text) for v in fresh]
        touched = (store.extract.quotes_of_articles(attributions)
                   | store.extract.quotes_by_words(word_sets, _MAX_BUCKET, SHARED_MIN))
        old = store.extract.quote_variants(touched) if touched else []
    previous: dict[Hashable, int] = {}
    pool: list[StoredVariant] = []
    members: dict[int, list[int]] = {}
    redone: set[int] = set()  # groups that lose a variant: resolved afresh
    for quote_id, variant in old:
        previous[(variant.article, variant.start, variant.end)] = quote_id
        if not full and variant.article not in attributions:
            members.setdefault(quote_id, []).append(len(pool))
            pool.append(variant)
        else:
            redone.add(quote_id)
    pool += fresh
    instances = [Instance(v.article, v.text, v.start, v.end, v.speaker_text, v.cue, v.direct)
                 for v in pool]
    settled = [m for q, m in members.items() if q not in redone]
    clusters = cluster_quotes(instances, min_score, settled)
    ids = assign_ids(store, "quote",
                     [[(pool[i].article, pool[i].start, pool[i].end) for i in c]
                      for c in clusters], previous)
    groups = []
    for quote_id, cluster in zip(ids, clusters, strict=True):
        # Touched but left exactly as it was (no new variant joined, none left): not
        # rewritten. Most groups a batch's words point at gain nothing from it.
        if touched is not None and quote_id not in redone and sorted(cluster) == sorted(
                members.get(quote_id, ())):
            touched.discard(quote_id)
            continue
        variants = sorted((pool[i] for i in cluster), key=lambda v: (v.article, v.start))
        sets = [content_words(v.text) for v in variants]
        groups.append((quote_id, variants, set().union(*sets), min(len(c) for c in sets)))
    store.extract.replace_quotes(touched, groups)


def assign_ids(store: Store, kind: str, clusters: Sequence[Sequence[Hashable]],
               previous: Mapping[Hashable, int]) -> list[int]:
    """An id per cluster: the earlier id most of its members had (each id to one cluster,
    biggest share first), else a fresh one."""
    return assign_counted(store, kind, [Counter(previous[m] for m in members if m in previous)
                                        for members in clusters])


def assign_counted(store: Store, kind: str, counts: Sequence[Counter[int]]) -> list[int]:
    """:func:`assign_ids` from how many of each cluster's members each earlier id had."""
    pairs: list[tuple[int, int, int]] = []
    for index, shares in enumerate(counts):
        pairs += [(n, index, old) for old, n in shares.items()]
    # Most shared members first; on a tie the lower (older) id and the earlier cluster.
    pairs.sort(key=lambda p: (-p[0], p[2], p[1]))
    ids: dict[int, int] = {}
    used: set[int] = set()
    for _, index, old in pairs:
        if index not in ids and old not in used:
            ids[index] = old
            used.add(old)
    missing = [i for i in range(len(counts)) if i not in ids]
    for index, new in zip(missing, store.extract.next_ids(kind, len(missing)), strict=True):
        ids[index] = new
    return [ids[i] for i in range(len(counts))]


def speaker_of(item: Found, mentions: Sequence[Mention]) -> tuple[str | None, str | None]:
    """(lookup key, display text) of an attribution's speaker: the entity named in the
    source span, a pronoun's antecedent, or the named body ("the ministry") as written."""
    if item.source is None:
        return None, None
    source = item.source
    if is_pronoun(source.text):
        if source.text.lower() not in ("he", "she", "him", "her"):
            return None, None
        # The nearest person named before the pronoun, if any was named in this article.
        before = [m for m in mentions if m.label == "PERSON" and m.end <= source.start]
        return (before[-1].text.lower(), before[-1].text) if before else (None, None)
    inside = [m for m in mentions if source.start <= m.start and m.end <= source.end]
    inside.sort(key=lambda m: (m.label != "PERSON", m.label not in ("ORG", "NORP"), m.start))
    if inside:
        return inside[0].text.lower(), inside[0].text
    text = re.sub(r"^(?:the|a|an)\s+", "", " ".join(source.text.split()), flags=re.I)
    return text.lower(), text

