"""The ``serve`` command: the web UI and HTTP API on a local port (uvicorn)."""

from __future__ import annotations

import click

from newsweave.cli import Context, cli
from newsweave.errors import NewsweaveError
from newsweave.store.postgres import redacted


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the default is reachable from this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--tokens", "tokens_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Bearer tokens, one 'TOKEN SCOPES' a line (scopes: read, ingest, admin). "
                   "Without it the server is read-only.")
@click.pass_obj
def serve(obj: Context, host: str, port: int, tokens_file: str | None) -> None:
    """Serve stories, briefs, lineage and search in a browser, and the JSON API (/api/v1)."""
    obj.export_settings()  # the server's engines read their settings from the environment
    run_server(obj.db, host, port, tokens_file)


def run_server(db: str | None, host: str, port: int, tokens_file: str | None) -> None:
    """Start uvicorn on the store at ``db`` until interrupted."""
    import uvicorn

    from newsweave.settings import load_settings
    from newsweave.web import create_app
    from newsweave.web.auth import load_tokens

    try:
        tokens = load_tokens(tokens_file)
        app = create_app(load_settings(db=db).db, tokens)
    except NewsweaveError as exc:
        raise click.ClickException(str(exc)) from None
    shown = f"[{host}]" if ":" in host else host
    location = redacted(load_settings(db=db).db)  # a PostgreSQL URL may hold a password
    click.echo(f"newsweave: serving {location} on http://{shown}:{port}/ "
               f"({'ingest with a token' if tokens else 'read-only'}; Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False,
                proxy_headers=False)
