"""Examples shown at the end of every command's ``--help`` (kept in one table, so a new
command without examples fails ``tests/test_docs.py``)."""

from __future__ import annotations

import click

EXAMPLES: dict[str, tuple[str, ...]] = {
    "analyze": ("newsweave --db news.db analyze",
                "newsweave --db news.db --extract-workers 1 analyze --json --quiet"),
    "article": ("newsweave article 12", "newsweave article 12 --json --raw"),
    "articles": ("newsweave articles --limit 20",
                 "newsweave articles --since 2026-03-01 --outlet Wire --json"),
    "brief": ("newsweave brief 3", "newsweave brief 3 --format html -o brief-3.html"),
    "check": ("newsweave check", "newsweave check 'The bridge was closed on Monday' --story 3"),
    "dates": ("newsweave dates 12", "newsweave dates 12 --json"),
    "demo": ("newsweave demo", "newsweave demo --out demo-out --serve --port 8080"),
    "entities": ("newsweave entities", "newsweave entities --story 3 --json"),
    "fetch": ("newsweave fetch https://example.org/news/item.html",
              "newsweave fetch https://example.org/feed.xml --since 2026-03-01 --json"),
    "ingest": ("newsweave --db news.db ingest reports/",
               "newsweave --db news.db ingest 'feeds/*.xml' --outlet Wire --json"),
    "provenance": ("newsweave provenance --story 3",
                   "newsweave provenance --story 3 --dot > story-3.dot"),
    "quotes": ("newsweave quotes", "newsweave quotes --story 3 --json"),
    "restory": ("newsweave restory", "newsweave --story-threshold 0.25 restory --json"),
    "revisions": ("newsweave revisions", "newsweave revisions 12 --json"),
    "search": ("newsweave search 'bridge closed'",
               "newsweave search '\"flood warning\" OR evacuation' --one-per-origin --json"),
    "serve": ("newsweave --db news.db serve", "newsweave serve --host 127.0.0.1 --port 8080"),
    "similar": ("newsweave similar 12", "newsweave similar 12 --limit 5 --json"),
    "sources": ("newsweave sources", "newsweave sources --json"),
    "stance": ("newsweave stance pairs.jsonl", "newsweave stance pairs.jsonl --json"),
    "stories": ("newsweave stories", "newsweave stories --json"),
    "stories merge": ("newsweave stories merge 3 7", "newsweave stories merge 3 7 --json"),
    "stories split": ("newsweave stories split 3 12 15",
                      "newsweave stories split 3 12 15 --json"),
    "story": ("newsweave story 3", "newsweave story 3 --json"),
    "watch": ("newsweave watch feeds.txt --once", "newsweave watch feeds.opml --every 600"),
}


def commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every command under ``group`` by its full name ("stories merge"), groups included."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        found[full] = command
        if isinstance(command, click.Group):
            found.update(commands(command, full + " "))
    return found


def add_examples(group: click.Group) -> None:
    """Append each command's examples to its help, unless its help already has them."""
    for name, command in commands(group).items():
        lines = EXAMPLES.get(name, ())
        if lines and "Examples" not in (command.help or ""):
            command.epilog = "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
