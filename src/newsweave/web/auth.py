"""Bearer tokens with scopes, read from a tokens file, and the cross-site write check.

Tokens file: one token a line, ``TOKEN SCOPE[,SCOPE]`` (scopes: read, ingest, admin;
admin implies the others); blank lines and ``#`` comments are skipped. Without a
token a reader may read; writing needs a token with the ``ingest`` scope.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from newsweave.errors import InputError

SCOPES = ("read", "ingest", "admin")


def load_tokens(path: str | None) -> dict[str, frozenset[str]]:
    """Token -> scopes; an unreadable or malformed file is an :class:`InputError`."""
    if not path:
        return {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"tokens file {path}: {exc.strerror or exc}") from None
    tokens: dict[str, frozenset[str]] = {}
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) != 2:
            raise InputError(f"tokens file {path}, line {number}: expected 'TOKEN SCOPES'")
        token, scopes = parts[0], frozenset(parts[1].split(","))
        if len(token) < 16:
            raise InputError(f"tokens file {path}, line {number}: a token needs at least "
                             f"16 characters")
        unknown = scopes - set(SCOPES)
        if unknown:
            raise InputError(f"tokens file {path}, line {number}: unknown scope "
                             f"{sorted(unknown)[0]!r} (use {', '.join(SCOPES)})")
        tokens[token] = scopes | ({"read", "ingest"} if "admin" in scopes else set())
    return tokens


def scopes_of(header: str | None, tokens: dict[str, frozenset[str]]) -> frozenset[str] | None:
    """The scopes of an ``Authorization: Bearer`` header; None when it names no known token."""
    if not header or not header.startswith("Bearer "):
        return None
    given = header[len("Bearer "):].strip().encode()
    for token, scopes in tokens.items():
        if hmac.compare_digest(token.encode(), given):
            return scopes
    return None


def cross_site(fetch_site: str | None, origin: str | None, host: str | None,
               scheme: str) -> bool:
    """True for a browser request sent from another site (refused for writes).

    Browsers send ``Sec-Fetch-Site``; older ones only ``Origin``. Requests with
    neither (curl, scripts) are not browser cross-site requests.
    """
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    if origin is not None:
        return origin == "null" or origin != f"{scheme}://{host}"
    return False
