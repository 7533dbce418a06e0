"""What changed between two versions of an article, and whether it was owned up to.

The diff is word-level (a changed number shows as one replaced word, not a
changed paragraph). An edit is a *stealth edit* when the new version carries no
correction or update note that the old one did not already carry: readers of
the old version were never told. The note patterns are the generic phrases
newsrooms use for corrections and updates; they name no outlet.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsweave.engine import Engine
    from newsweave.store.sources import Revision

_WORD = re.compile(r"\w+(?:[.,'’-]\w+)*|[^\w\s]")  # words, numbers (1,200 3.5), punctuation
_WORDS_ONLY = re.compile(r"^[\w .,'’-]+$")  # a phrase that reads the same in the text
_CONTEXT = 4  # words of context kept on each side of a change
_MAX_SIDE = 60  # words of one side of a change kept in the stored diff
_NOTE = re.compile(
    r"\b(corrections?|corrected|clarifications?|editor'?s note|erratum|"
    r"an earlier version of this|this (article|story|report) (has been|was) "
    r"(updated|amended|corrected|changed)|updated (on|at)\b|update:|"
    r"berichtigung|korrektur|rectificatif|rectificación|fe de errores|correzione|"
    r"rettifica|correção|исправлени|виправлен)",
    re.I,
)


def word_diff(old: str, new: str) -> list[dict[str, Any]]:
    """The changed runs of words: op (replace/insert/delete), old and new words, with
    a few words of context before them and the word position in the old text.

    >>> word_diff("The death toll rose to 12 on Monday.", "The death toll rose to 9 on Monday.")
    [{'op': 'replace', 'at': 5, 'before': 'death toll rose to', 'old': '12', 'new': '9', 'after': 'on Monday .'}]
    """  # noqa: E501 (a doctest's output is one line)
    a, b = _WORD.findall(old), _WORD.findall(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        changes.append({
            "op": op, "at": i1,
            "before": " ".join(a[max(0, i1 - _CONTEXT):i1]),
            "old": " ".join(a[i1:i2][:_MAX_SIDE]),
            "new": " ".join(b[j1:j2][:_MAX_SIDE]),
            "after": " ".join(a[i2:i2 + _CONTEXT]),
        })
    return changes


def describe(change: dict[str, Any]) -> str:
    """One line for a person: ``… toll rose to 12 → 9 …``."""
    old = change["old"] or "∅"
    new = change["new"] or "∅"
    return f"…{change['before']} [{old} → {new}] {change['after']}…".replace("  ", " ")


def correction_note(old: str, new: str) -> str | None:
    """The correction/update note the new version adds, or None if it adds none."""
    before = {m.group(0).lower() for m in _NOTE.finditer(old)}
    for match in _NOTE.finditer(new):
        if match.group(0).lower() not in before:
            start = new.rfind("\n", 0, match.start()) + 1
            end = new.find("\n", match.end())
            return new[start: end if end >= 0 else len(new)].strip()[:300]
    return None


def list_revisions(engine: Engine, article_id: int | None = None) -> list[Revision]:
    """Every stored revision (of one article, if given), oldest first per article.

    Raises :class:`~newsweave.errors.NotFoundError` for an unknown article id.
    """
    from newsweave.store.sources import fetch_tables

    if article_id is not None:
        engine.article(article_id)
    return fetch_tables(engine.store).revisions(None if article_id is None else [article_id])


def still_saying(engine: Engine, revision: Revision) -> list[dict[str, Any]]:
    """For each replaced passage of a revision, the other articles that still carry the
    old wording and not the new one (copies and rewrites made before the edit).

    The phrase looked up is the changed words with up to two words before them, so a
    changed number is found in its context ("rose to 12"), not everywhere.
    """
    from newsweave.store.sources import fetch_tables

    tables = fetch_tables(engine.store)
    found = []
    for change in revision.diff:
        if change["op"] not in ("replace", "delete") or not change["old"]:
            continue
        context = " ".join(change["before"].split()[-2:])
        old = f"{context} {change['old']}".strip()
        new = f"{context} {change['new']}".strip() if change["new"] else None
        if len(old.split()) < 2 or not _WORDS_ONLY.match(old):
            continue
        ids = tables.articles_containing(old, revision.article)
        if new:
            keep = set(tables.articles_containing(new, revision.article))
            ids = [i for i in ids if i not in keep]
        if ids:
            found.append({"old": old, "new": new, "articles": ids})
    return found


def claim_changes(engine: Engine, revision: Revision) -> list[dict[str, Any]]:
    """The story's claims whose status the edit changed ("corroborated" -> "contested",
    or a claim the article no longer makes).

    The story's cross-check is run twice, text features only: with the article's
    previous version and with this one; groups are matched through the other
    articles' claims, which the edit did not touch. A read-side report composed from
    the engine's public parts, as ``Engine.brief`` is; nothing is stored.
    """
    from newsweave.crosscheck.status import StoryArticle, cross_check

    previous = [r for r in list_revisions(engine, revision.article) if r.rev < revision.rev]
    story = engine.story_of(revision.article)
    if not previous or story is None:
        return []
    ids = engine.story_articles(story)
    others = [engine.article(i) for i in ids if i != revision.article]
    if not others:
        return []
    views = [StoryArticle(a.id, a.text, a.outlet, a.published, a.title, a.language)
             for a in others if a.id is not None]
    this = engine.article(revision.article)
    origin_of = engine.store.reuse.origin_of(ids)

    def check(text: str) -> list[Any]:
        mine = StoryArticle(revision.article, text, this.outlet, this.published, this.title,
                             this.language)
        return cross_check([*views, mine], origin_of).groups

    before, after = check(previous[-1].text), check(revision.text)
    changes = []
    for group in before:
        if revision.article not in group.articles:
            continue
        keys = _other_units(group, revision.article)
        match = max(after, key=lambda g: len(keys & _other_units(g, revision.article)),
                    default=None)
        if match is None or not keys & _other_units(match, revision.article):
            continue
        if match.status != group.status or revision.article not in match.articles:
            old_claim = next(u.text for u in group.units if u.article == revision.article)
            new_claim = next((u.text for u in match.units if u.article == revision.article),
                             None)
            changes.append({"claim": old_claim, "now": new_claim, "before": group.status,
                            "after": match.status, "articles": match.articles})
    return changes


def _other_units(group: Any, article: int) -> set[tuple[int, int]]:
    return {(u.article, u.index) for u in group.units if u.article != article}
