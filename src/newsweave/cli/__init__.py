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
from newsweave.settings import SETTINGS, parse_setting

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

    def __init__(self, db: str | None, settings: dict[str, Any] | None = None) -> None:
        self.db = db
        self.settings = dict(settings or {})  # given as flags: they beat the environment

    def export_settings(self) -> None:
        """Put the settings given as flags into this process's environment, for code that
        opens its own engines from the environment (the web server's)."""
        import os

        for setting in SETTINGS:
            if setting.name in self.settings:
                os.environ[setting.env] = str(self.settings[setting.name])

    @contextmanager
    def engine(self, *, readonly: bool | None = None, **settings: Any) -> Iterator[Engine]:
        """The engine on the store; ``readonly`` defaults to whether the running command
        is one of :data:`READ_ONLY`."""
        command = click.get_current_context(silent=True)
        name = command.info_name if command is not None else None
        if readonly is None:
            readonly = name in READ_ONLY
        given = {**self.settings, **{k: v for k, v in settings.items() if v is not None}}
        try:
            engine = open_engine(self.db, readonly=readonly, create=name not in NO_CREATE,
                                 **given)
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


def setting_flag(name: str) -> str:
    """The CLI flag of a setting: ``story_threshold`` -> ``--story-threshold``."""
    return "--" + name.replace("_", "-")


def _setting_options(command: Any) -> Any:
    """One global option per setting of :data:`newsweave.settings.SETTINGS` (``db`` has its
    own, above), typed from its default, with its help: the flags come from the table."""
    for setting in reversed(SETTINGS):
        if setting.name == "db":
            continue
        kind = type(setting.default)
        command = click.option(
            setting_flag(setting.name), setting.name,
            type=click.FLOAT if kind is float else click.INT if kind is int else click.STRING,
            default=None, metavar=kind.__name__.upper(),
            help=f"{setting.help} [default: {setting.default}; env: {setting.env}]",
        )(command)
    return command


def _parse_settings(ctx: click.Context, param: click.Parameter,
                    pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, raw in pairs:
        try:
            found[name.replace("-", "_")] = parse_setting(name, raw)
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return found


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog="\b\nExamples:\n  newsweave --db news.db ingest reports/\n"
                    "  newsweave --db news.db --story-threshold 0.25 ingest reports/\n"
                    "  newsweave --setting extract_workers 1 --db news.db analyze\n"
                    "  newsweave stories --json")
@click.option("--db", metavar="PATH", envvar="NEWSWEAVE_DB",
              help=f"{_DB_HELP} [default: ./newsweave.db; env: NEWSWEAVE_DB]")
@click.option("--setting", "setting_pairs", type=(str, str), multiple=True,
              metavar="NAME VALUE", callback=_parse_settings,
              help="Any setting by its name (as in the README's table); repeatable. "
                   "The same as its own flag.")
@_setting_options
@click.version_option(__version__, prog_name="newsweave")
@click.pass_context
def cli(ctx: click.Context, db: str | None, setting_pairs: dict[str, Any],
        **flags: Any) -> None:
    """Weave many outlets' reports of the news into one traced story.

    Every setting can be given as a flag before the command (--story-threshold 0.25),
    as --setting NAME VALUE, or as the environment variable NEWSWEAVE_NAME; a flag
    beats the environment, which beats the default.
    """
    given = {**setting_pairs, **{k: v for k, v in flags.items() if v is not None}}
    ctx.obj = Context(given.pop("db", None) or db, given)


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
from newsweave.cli.examples import add_examples  # noqa: E402

add_examples(cli)
