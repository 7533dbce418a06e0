"""The ``serve`` command: the web UI and HTTP API on a local port (uvicorn)."""

from __future__ import annotations

from pathlib import Path

import click

from newsweave.cli import Context, cli
from newsweave.errors import NewsweaveError
from newsweave.store.postgres import redacted

# The server's thread switch interval, ms (the interpreter's own default is 5): see
# set_switch_interval and docs/benchmarks.md, "Web and API under load, part 5".
SWITCH_MS = 1.0


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the default is reachable from this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--tokens", "tokens_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Bearer tokens, one 'TOKEN SCOPES' a line (scopes: read, ingest, admin). "
                   "Without it the server is read-only.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes answering requests (each with its own engines, "
                   "briefs and ingest worker).")
@click.option("--ingest-nice", type=click.IntRange(0, 19), default=0, show_default=True,
              help="Niceness the ingest worker process adds to its own (a higher value "
                   "leaves more CPU to the requests while an ingest runs).")
@click.option("--switch-interval", type=click.FloatRange(0.05, 100.0), default=SWITCH_MS,
              show_default=True, metavar="MS",
              help="How long a request thread may hold the interpreter before another "
                   "waiting one takes it (sys.setswitchinterval): shorter lets cheap "
                   "requests pass the CPU-bound ones.")
@click.pass_obj
def serve(obj: Context, host: str, port: int, tokens_file: str | None, workers: int,
          ingest_nice: int, switch_interval: float) -> None:
    """Serve stories, briefs, lineage and search in a browser, and the JSON API (/api/v1)."""
    obj.export_settings()  # the server's engines read their settings from the environment
    run_server(obj.db, host, port, tokens_file, workers=workers, ingest_nice=ingest_nice,
               switch_interval=switch_interval)


# What ``app_from_environment`` reads in each worker process of ``serve --workers N``.
ENV_DB, ENV_TOKENS, ENV_NICE = "NEWSWEAVE_SERVE_DB", "NEWSWEAVE_SERVE_TOKENS", \
    "NEWSWEAVE_SERVE_INGEST_NICE"
ENV_SWITCH = "NEWSWEAVE_SERVE_SWITCH_MS"


def app_from_environment() -> object:
    """The app of one worker process of ``serve --workers N`` (uvicorn's factory)."""
    import os

    from newsweave.web import create_app
    from newsweave.web.auth import load_tokens

    set_switch_interval(float(os.environ.get(ENV_SWITCH) or SWITCH_MS))
    return create_app(os.environ[ENV_DB], load_tokens(os.environ.get(ENV_TOKENS) or None),
                      ingest_nice=int(os.environ.get(ENV_NICE) or 0))


def run_server(db: str | None, host: str, port: int, tokens_file: str | None, *,
               workers: int = 1, ingest_nice: int = 0, switch_interval: float = SWITCH_MS
               ) -> None:
    """Start uvicorn on the store at ``db`` until interrupted; ``workers`` processes;
    ``switch_interval``: the interpreter's thread switch interval in ms (see
    :func:`set_switch_interval`)."""
    import os

    import uvicorn

    from newsweave.settings import load_settings
    from newsweave.web import create_app
    from newsweave.web.auth import load_tokens

    try:
        tokens = load_tokens(tokens_file)
        # one app built here: the store is checked (and migrated) before any worker starts
        app = create_app(load_settings(db=db).db, tokens, ingest_nice=ingest_nice)
    except NewsweaveError as exc:
        raise click.ClickException(str(exc)) from None
    shown = f"[{host}]" if ":" in host else host
    location = redacted(load_settings(db=db).db)  # a PostgreSQL URL may hold a password
    click.echo(f"newsweave: serving {location} on http://{shown}:{port}/ "
               f"({'ingest with a token' if tokens else 'read-only'}"
               f"{f', {workers} worker processes' if workers > 1 else ''}; Ctrl-C stops)",
               err=True)
    options: dict[str, object] = {"host": host, "port": port, "log_level": "warning",
                                  "server_header": False, "proxy_headers": False}
    if workers == 1:
        set_switch_interval(switch_interval)
        uvicorn.run(app, **options)  # type: ignore[arg-type]
        return
    # uvicorn starts each worker process from an import string: the store, the tokens
    # file and the niceness travel in the environment
    os.environ[ENV_DB] = load_settings(db=db).db
    os.environ[ENV_TOKENS] = str(Path(tokens_file).resolve()) if tokens_file else ""
    os.environ[ENV_NICE] = str(ingest_nice)
    os.environ[ENV_SWITCH] = str(switch_interval)
    uvicorn.run("newsweave.cli.serve:app_from_environment", factory=True, workers=workers,
                **options)  # type: ignore[arg-type]


def set_switch_interval(ms: float) -> None:
    """Set this process's thread switch interval (``sys.setswitchinterval``).

    The server answers each request in a thread of one process; a thread that waits for
    the interpreter lock (after every SQLite call, which releases it) gets it back only
    when the holder gives it up or after this interval. A cheap request (a list page
    from memory) waits that long at each of its steps behind CPU-bound ones (a search,
    a brief). Set where the server starts, not when the library is imported: a batch job
    in its own process keeps the interpreter's default.
    """
    import sys

    sys.setswitchinterval(ms / 1000)
