"""The cleaning stage: records in, articles (body, metadata, removal log) out.

Cleaning runs on the way into the store, because what it produces decides whether
there is an article at all (an input with no text left is rejected, not stored) and
each stored article is born cleaned: the store marks it done for this stage when it
inserts it. Its :meth:`CleanStage.run` is the stage's pending work like any other's:
articles to clean again from their raw input because lines of their body have since
been seen to recur across their outlet (boilerplate learnt later), and articles of a
store written before cleaning was a stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from newsweave.clean.html import prepare_html
from newsweave.clean.metadata import find_metadata
from newsweave.clean.sieve import line_key
from newsweave.clean.text import PreparedText, prepare_text
from newsweave.errors import InputError
from newsweave.ingest import Record, record_from_raw
from newsweave.model import Article, Cleaned
from newsweave.settings import Settings
from newsweave.store import Store
from newsweave.store.progress import CLEANED

RECURRING = "recurring-line"  # the removal reason of a line that recurs across an outlet
PREPARED_KEPT = 2_048  # plain texts kept cut and classified (an ingest batch is 1,000 or less)


@dataclass(slots=True)
class Built:
    """An article cleaned from a record, ready to store, with its line keys."""

    article: Article
    line_keys: dict[str, bool]


class CleanStage:
    """Pipeline stage ``clean``: an article's body, title and metadata from its input."""

    name, version = CLEANED
    requires: tuple[str, ...] = ("article.raw",)
    assigns: tuple[str, ...] = ("article.text", "article.metadata", "article.language")

    def __init__(self) -> None:
        # Bodies built lately, cut and classified (by body: the same text, the same blocks).
        # The articles of an ingest batch are built before any is stored, so lines that recur
        # within the batch are found after it is stored, and those articles cleaned again.
        self._prepared: dict[str, PreparedText] = {}

    def build(self, store: Store, settings: Settings, record: Record, digest: str,
              outlet: str | None) -> Built:
        """Clean ``record`` into an article (not stored); :class:`InputError` if no text
        is left. ``outlet`` (the user's) beats the record's fields and the page's."""
        clean = self.record_cleaner(record)
        cleaned = clean(frozenset())
        fields = dict(record.fields)
        if outlet:
            fields["outlet"] = outlet
        article_outlet = fields.get("outlet") or cleaned.outlet
        keys: dict[str, bool] | None = None  # the line keys of ``keyed``, once computed
        keyed = ""
        if article_outlet:
            recurring = store.recurring_lines(article_outlet, settings.recurring_min_articles)
            keys, keyed = line_keys(cleaned, settings), cleaned.text
            if recurring & keys.keys():
                cleaned = clean(recurring)
                keys = None
        apply_fields(cleaned, fields, user_outlet=outlet)
        # Metadata is searched in what the article says: a text file's raw lines, the body of a
        # JSON or feed record (its raw form is a JSON dump), the clean text of a page.
        if record.format != "text":
            searched = cleaned.text
        else:
            searched = record.body if record.raw_format in ("json", "feed") else record.raw
        find_metadata(searched, cleaned)
        if not cleaned.text.strip() and record.format != "html" and (cleaned.title or "").strip():
            # A headline with nothing after it but boilerplate (a wire flash, a page that only
            # repeats its photo caption) still reports something: kept, headline-only. (A web
            # page with a title and no body is more often a menu or an error page.)
            cleaned.text = cleaned.title or ""
        if not cleaned.text.strip():
            raise InputError(
                f"no article text left after cleaning ({len(record.body):,} characters of "
                f"input, {len(cleaned.removed)} pieces removed as boilerplate)"
            )
        article = Article(
            id=None,
            content_hash=digest,
            raw=record.raw,
            raw_format=record.raw_format,
            text=cleaned.text,
            source=record.source,
            external_id=fields.get("external_id"),
            title=cleaned.title,
            outlet=cleaned.outlet,
            outlet_how=cleaned.outlet_how,
            url=cleaned.url,
            author=cleaned.author,
            published=cleaned.published,
            published_how=cleaned.published_how,
            language=cleaned.language,
            removed=cleaned.removed,
            metadata=record.metadata,
        )
        if keys is None or cleaned.text != keyed:
            # (else the same keys again: the body is the one keyed, and its removals hold no
            # recurring line, as only ``clean(recurring)`` removes one and it drops the keys)
            keys = line_keys(cleaned, settings)
        return Built(article, keys)

    def run(self, store: Store, article_ids: Sequence[int], settings: Settings) -> None:
        """Clean ``article_ids`` again from their raw input where lines of their body now
        recur across their outlet, and mark them done."""
        by_outlet: dict[str, set[int]] = {}
        for article_id in article_ids:
            found = store.get_article(article_id)
            if found is not None and found.outlet:
                by_outlet.setdefault(found.outlet, set()).add(article_id)
        for outlet, ids in sorted(by_outlet.items()):
            self.reclean(store, settings, outlet, ids)
        store.mark_done(self.name, article_ids, self.version)

    def remove_recurring_lines(self, store: Store, settings: Settings,
                               outlets: Iterable[str]) -> None:
        """Re-clean articles whose bodies hold lines that now recur across their outlet.

        The first articles of an outlet arrive before its boilerplate is known;
        once a line has recurred often enough, the earlier articles are cleaned
        again from their raw input, so the result does not depend on order.
        """
        for outlet in sorted(set(outlets)):
            self.reclean(store, settings, outlet, None)
        self._prepared.clear()  # kept for the batch just stored: its work is done

    def reclean(self, store: Store, settings: Settings, outlet: str,
                among: set[int] | None) -> None:
        """Clean again the articles of ``outlet`` (of ``among``, if given) whose body
        holds a line that recurs across the outlet."""
        recurring = store.recurring_lines(outlet, settings.recurring_min_articles)
        if not recurring:
            return
        updates = []
        for article_id in store.articles_with_lines(outlet, recurring):
            if among is not None and article_id not in among:
                continue
            stored = store.get_article(article_id, raw=True)
            if stored is None:
                continue
            record = record_from_raw(stored.source, stored.raw, stored.raw_format)
            cleaned = self.record_cleaner(record)(recurring)
            if cleaned.text.strip() and cleaned.text != stored.text:
                updates.append(
                    (article_id, cleaned.text, cleaned.removed, line_keys(cleaned, settings))
                )
        if updates:
            store.replace_clean_text(updates)

    def record_cleaner(self, record: Record) -> Callable[[frozenset[str]], Cleaned]:
        """The cleaner of ``record`` (by its format) for any recurring lines of its outlet;
        a plain text is cut and classified once, however often it is cleaned (see
        ``_prepared``)."""
        if record.format == "html":  # extracted once here; not kept (a page's tree is big)
            return prepare_html(record.body, url=record.fields.get("url")).clean
        kept = self._prepared
        prepared = kept.pop(record.body, None) or prepare_text(record.body)
        kept[record.body] = prepared  # the latest last
        if len(kept) > PREPARED_KEPT:
            del kept[next(iter(kept))]
        return prepared.clean


def line_keys(cleaned: Cleaned, settings: Settings) -> dict[str, bool]:
    """Keys of the short lines of a body (True) and of those removed as recurring (False)."""
    limit = settings.recurring_max_chars
    keys = {
        line_key(p): True
        for p in cleaned.text.split("\n\n")
        if p.strip() and len(p) <= limit
    }
    keys.update((line_key(r.text), False) for r in cleaned.removed if r.reason == RECURRING)
    return keys


def apply_fields(cleaned: Cleaned, fields: dict[str, str], *, user_outlet: str | None) -> None:
    """Fields given with the input beat what the cleaner found in the page."""
    for name in ("title", "url", "author", "published", "outlet"):
        if fields.get(name):
            setattr(cleaned, name, fields[name])
    if fields.get("published"):
        cleaned.published_how = "input"
    if fields.get("outlet"):
        cleaned.outlet_how = "user" if user_outlet else "input"
