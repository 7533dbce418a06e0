"""Turn what the user named (files, folders, globs, ``-``) into inputs to read."""

from __future__ import annotations

import glob
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newsweave.errors import InputError
from newsweave.model import Rejection

STDIN = "-"
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Input:
    """One file (or standard input) to read; ``source`` is the name as given."""

    source: str
    path: Path | None  # None for standard input


def expand_paths(paths: Iterable[str]) -> Iterator[Input | Rejection]:
    """Inputs for ``paths``: folders recursively (hidden entries skipped), globs expanded.

    A path that names nothing is a :class:`Rejection`, not an exception, so
    the rest of the batch goes on.
    """
    seen: set[Path] = set()
    for given in paths:
        if given == STDIN:
            yield Input(source="<stdin>", path=None)
            continue
        path = Path(given).expanduser()
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not _is_hidden(p, path))
            if not files:
                yield Rejection(given, "folder holds no files")
        elif path.exists():
            files = [path]
        elif _GLOB_CHARS & set(given):
            files = sorted(
                # Path.glob takes only relative patterns; a user's pattern may be absolute.
                Path(p) for p in glob.glob(str(path), recursive=True)  # noqa: PTH207
                if Path(p).is_file()
            )
            if not files:
                yield Rejection(given, "no file matches this pattern")
        else:
            yield Rejection(given, "no such file or folder")
            continue
        for file in files:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield Input(source=str(file), path=file)


def read_bytes(item: Input, max_bytes: int) -> bytes:
    """The bytes of one input, refusing anything over ``max_bytes``."""
    if item.path is None:
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        try:
            size = item.path.stat().st_size
            if size > max_bytes:
                raise InputError(_too_big(size, max_bytes))
            data = item.path.read_bytes()
        except PermissionError:
            raise InputError("permission denied: cannot read this file") from None
        except IsADirectoryError:
            raise InputError("is a folder, not a file") from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(_too_big(len(data), max_bytes))
    return data


def _too_big(size: int, limit: int) -> str:
    return (
        f"{size:,} bytes is over the size limit of {limit:,} bytes "
        "(raise it with --max-bytes or NEWSWEAVE_MAX_BYTES)"
    )


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
