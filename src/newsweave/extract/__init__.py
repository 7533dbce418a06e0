"""The extraction stage: entities with canonical names, quotes with speakers, dates.

Per article it stores what it found (mentions and attributions, with
offsets); across the store it resolves canonical entities and quote groups
from that per-article data, so both can be recomputed cheaply (after a story
merge, say) with :func:`rebuild` and without running NER again. Dates are
resolved when asked for (:func:`article_dates`), because an undated
article's range depends on its story, which may still change.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from newsweave.extract import nlp
from newsweave.extract.canonical import resolve_entities
from newsweave.extract.dates import DateMention, find_dates, parse_day
from newsweave.extract.entities import Mention, find_mentions
from newsweave.extract.groups import Instance, group_quotes
from newsweave.extract.quotes import Found, find_attributions_many, is_pronoun
from newsweave.model import Entity
from newsweave.settings import Settings
from newsweave.store import Store

log = logging.getLogger(__name__)

__all__ = ["ExtractStage", "article_dates", "rebuild", "story_of"]


class ExtractStage:
    """Pipeline stage ``extract``: NER, attributions, then canonical names and quote groups."""

    name = "extract"
    version = 1
    requires: tuple[str, ...] = ()

    def run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        articles = [a for a in (store.get_article(i) for i in article_ids) if a is not None]
        texts = [a.text for a in articles]
        workers = settings.extract_workers
        rows: list[tuple[int, list[dict[str, Any]], list[dict[str, Any]], str | None]] = []
        try:
            docs = list(nlp.recognise(texts, workers=workers))
            found = find_attributions_many(texts, lambda t: nlp.parse(t, workers=workers))
            batch = list(zip(articles, docs, found, strict=True))
        except Exception:  # one bad article must not sink the batch: retry one by one
            log.exception("extract: batch failed, retrying article by article")
            batch = []
            for article in articles:
                try:
                    doc = next(nlp.recognise([article.text]))
                    attributions = find_attributions_many([article.text], nlp.parse)[0]
                    batch.append((article, doc, attributions))
                except Exception as exc:
                    rows.append((article.id or 0, [], [], f"{type(exc).__name__}: {exc}"))
        for article, doc, attributions in batch:
            try:
                mentions = find_mentions(article.text, doc.ents)
                rows.append((article.id or 0, [m.to_dict() for m in mentions],
                             [f.to_dict() for f in attributions], None))
            except Exception as exc:
                rows.append((article.id or 0, [], [], f"{type(exc).__name__}: {exc}"))
        with store.transaction():
            store.extract.save_articles(rows)
            store.mark_done(self.name, [a.id for a in articles if a.id is not None], self.version)
            rebuild(store, settings)


def story_of(store: Store, article_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Story id per article, where the stories stage has run (else an empty map)."""
    tables = getattr(store, "stories", None)
    if tables is None or not hasattr(tables, "story_of"):
        return {}
    ids = list(article_ids) if article_ids is not None else [
        a.id for a in store.iter_articles() if a.id is not None]
    try:
        return dict(tables.story_of(ids))
    except Exception:  # the stories tables may not be filled yet
        return {}


def rebuild(store: Store, settings: Settings) -> tuple[list[Entity], int]:
    """Recompute canonical entities and quote groups from the stored per-article data."""
    stored = store.extract.found()
    mentions = {i: [Mention.from_dict(m) for m in ms] for i, (ms, _) in stored.items()}
    entities = resolve_entities(mentions, story_of(store, list(stored)))
    canonical = _canonical_names(entities)
    instances: list[Instance] = []
    for article_id, (_, attributions) in sorted(stored.items()):
        for data in attributions:
            item = Found.from_dict(data)
            speaker = resolve_speaker(item, mentions.get(article_id, []), canonical)
            instances.append(Instance(article_id, item.statement(), item.content.start,
                                      item.content.end, speaker,
                                      item.cue.text if item.cue else None, item.direct))
    quotes = group_quotes(instances, settings.extract_quote_similarity)
    store.extract.replace_entities(entities)
    store.extract.replace_quotes(quotes)
    return entities, len(quotes)


def _canonical_names(entities: Sequence[Entity]) -> dict[str, str]:
    """Every spelling seen -> its entity's canonical name (spellings of two entities dropped)."""
    names: dict[str, str] = {}
    clashes: set[str] = set()
    for entity in entities:
        for spelling in [entity.name, *entity.aliases]:
            key = spelling.lower()
            if key in names and names[key] != entity.name:
                clashes.add(key)
            names.setdefault(key, entity.name)
    # A person's single name token ("Jiechi added") when only one person carries it.
    tokens: dict[str, set[str]] = {}
    for entity in entities:
        if entity.type == "PERSON":
            for spelling in [entity.name, *entity.aliases]:
                for token in spelling.lower().split():
                    tokens.setdefault(token, set()).add(entity.name)
    for token, owners in tokens.items():
        if len(owners) == 1 and token not in names and len(token) > 2:
            names[token] = next(iter(owners))
    for key in clashes:
        names.pop(key, None)
    return names


def resolve_speaker(item: Found, mentions: Sequence[Mention], canonical: Mapping[str, str]
                    ) -> str | None:
    """The speaker of an attribution: a canonical entity, a named body or a pronoun's antecedent."""
    if item.source is None:
        return None
    source = item.source
    if is_pronoun(source.text):
        if source.text.lower() not in ("he", "she", "him", "her"):
            return None
        # The nearest person named before the pronoun, if any was named in this article.
        before = [m for m in mentions if m.label == "PERSON" and m.end <= source.start]
        return canonical.get(before[-1].text.lower(), before[-1].text) if before else None
    inside = [m for m in mentions if source.start <= m.start and m.end <= source.end]
    inside.sort(key=lambda m: (m.label != "PERSON", m.label not in ("ORG", "NORP"), m.start))
    if inside:
        return canonical.get(inside[0].text.lower(), inside[0].text)
    text = re.sub(r"^(?:the|a|an)\s+", "", " ".join(source.text.split()), flags=re.I)
    return canonical.get(text.lower(), text)


def article_dates(store: Store, article_id: int) -> dict[str, Any]:
    """An article's temporal expressions, resolved against its publication date or, when it
    has none, against the range of its story's dated articles (flagged as inferred)."""
    article = store.get_article(article_id)
    if article is None:
        raise KeyError(article_id)
    published = parse_day(article.published)
    base: tuple[date, date] | None = (published, published) if published else None
    inferred = False
    if base is None:
        base = _story_range(store, article_id)
        inferred = base is not None
    mentions: list[DateMention] = find_dates(article.text, base, inferred=inferred)
    return {
        "article": article_id,
        "reported": published.isoformat() if published else None,
        "reported_range": [base[0].isoformat(), base[1].isoformat()] if inferred and base
        else None,
        "reported_inferred": inferred,
        "expressions": [m.to_dict() for m in mentions],
    }


def _story_range(store: Store, article_id: int) -> tuple[date, date] | None:
    story = story_of(store, [article_id]).get(article_id)
    tables = getattr(store, "stories", None)
    if story is None or tables is None:
        return None
    try:
        members = tables.members([story]).get(story, [])
    except Exception:
        return None
    days = [d for d in (parse_day(a.published) for a in (store.get_article(m) for m in members)
                        if a is not None) if d is not None]
    return (min(days), max(days)) if days else None
