"""The ``newsweave`` command: parses arguments, calls the engine, prints.

One module per area (``articles.py``: ingest and reading; one per stage);
each registers its commands on :data:`cli`. No command holds logic of its
own: everything goes through :class:`newsweave.engine.Engine`.

Exit codes: 0 all good, 1 some inputs rejected (each listed with its reason)
or an error that stopped the job, 2 usage error.
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


class Context:
    """What every command gets: where the store is, and a way to open the engine on it."""

    def __init__(self, db: str | None) -> None:
        self.db = db

    @contextmanager
    def engine(self, **settings: Any) -> Iterator[Engine]:
        try:
            engine = open_engine(self.db, **settings)
        except NewsweaveError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            yield engine
        except NotFoundError as exc:
            raise click.UsageError(str(exc)) from None
        except NewsweaveError as exc:
            raise click.ClickException(str(exc)) from None
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
    brief,
    extract,
    fetch,
    reuse,
    stories,
)
