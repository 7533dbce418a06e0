"""The ``newsweave`` command: parses arguments, calls the engine, prints.

One module per area (``articles.py``: ingest and reading; one per stage);
each registers its commands on :data:`cli`. No command holds logic of its
own: everything goes through :class:`newsweave.engine.Engine`.

Exit codes: 0 all good, 1 some inputs rejected (each listed with its reason)
or an error that stopped the job (a missing store for a read command, a store
locked by another process for too long), 2 usage error or an id not found.

Read commands open the store read-only: they never create or change a store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from newsweave import __version__
from newsweave.engine import Engine, open_engine
from newsweave.errors import NewsweaveError, NotFoundError
from newsweave.settings import SETTINGS

_DB_HELP = next(s for s in SETTINGS if s.name == "db").help

READ_ONLY = frozenset({"articles", "article", "stories", "story", "entities", "quotes", "dates",
                       "provenance", "similar", "search", "sources"})
"""Commands that only read: they open the store read-only (never creating it)."""
NO_CREATE = frozenset({"brief", "check", "revisions", "serve"})
"""Commands that read but may cache results: they never create a store."""


class NotFound(click.ClickException):
    """An id that is not in the store: one line, exit 2, no usage text."""

    exit_code = 2


class Context:
    """What every command gets: where the store is, and a way to open the engine on it."""

    def __init__(self, db: str | None) -> None:
        self.db = db

    @contextmanager
    def engine(self, *, readonly: bool | None = None, **settings: Any) -> Iterator[Engine]:
        """The engine on the store; ``readonly`` defaults to whether the running command
        is one of :data:`READ_ONLY`."""
        command = click.get_current_context(silent=True)
        name = command.info_name if command is not None else None
        if readonly is None:
            readonly = name in READ_ONLY
        try:
            engine = open_engine(self.db, readonly=readonly, create=name not in NO_CREATE,
                                 **settings)
        except NewsweaveError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            yield engine
        except NotFoundError as exc:
            raise NotFound(str(exc)) from None
        except NewsweaveError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            if type(exc).__module__ == "sqlite3" and "locked" in str(exc):
                raise click.ClickException(
                    f"{engine.store.path}: the store is locked by another process ({exc}); "
                    "try again when it has finished") from None
            raise
        finally:
            engine.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="PATH", envvar="NEWSWEAVE_DB",
              help=f"{_DB_HELP} [default: ./newsweave.db; env: NEWSWEAVE_DB]")
@click.version_option(__version__, prog_name="newsweave")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Weave many outlets' reports of the news into one traced story."""
    ctx.obj = Context(db)


def echo_json(data: Any) -> None:
    """Print JSON the same way in every command (UTF-8, indented)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def shorten(text: str | None, width: int) -> str:
    """One line of at most ``width`` characters."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def main() -> None:
    cli(prog_name="newsweave")


# Importing the command modules registers their commands on ``cli``.
from newsweave.cli import (  # noqa: E402, F401
    articles,
    batch,
    brief,
    check,
    extract,
    fetch,
    reuse,
    search,
    serve,
    stance,
    stories,
)
