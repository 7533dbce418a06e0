"""Turn what the user named (files, folders, globs, ``-``) into inputs to read."""

from __future__ import annotations

import glob
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newsweave.errors import InputError
from newsweave.ingest.decode import binary_kind
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


STREAMED = frozenset({".jsonl", ".ndjson"})  # one record a line: read as a stream


def stream_lines(item: Input, max_bytes: int) -> Iterator[str] | None:
    """The lines of a JSON Lines file as a stream, so a big file is never read whole; None
    when it cannot be streamed as plain UTF-8 (standard input, gzip, another encoding, an
    empty or binary file): the caller reads it whole, with the same checks as any input.

    The file is read twice: once to check that every line is UTF-8 (no memory held), then
    line by line as the caller asks.
    """
    if item.path is None or item.path.suffix.lower() not in STREAMED:
        return None
    try:
        size = item.path.stat().st_size
        if not size or size > max_bytes:
            return None
        with item.path.open("rb") as handle:
            head = handle.read(16)
            if head[:2] == b"\x1f\x8b" or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
                return None
            if binary_kind(head):
                return None
            handle.seek(0)
            blank = True
            for line in handle:
                if b"\x00" in line:
                    return None
                line.decode("utf-8")
                blank = blank and not line.strip()
    except (OSError, UnicodeDecodeError):
        return None
    if blank:
        return None  # read whole: "empty input" is said there
    return _decoded_lines(item.path)


def _decoded_lines(path: Path) -> Iterator[str]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle):
            text = line.decode("utf-8").rstrip("\r\n")
            yield text.removeprefix("\ufeff") if number == 0 else text


def _too_big(size: int, limit: int) -> str:
    return (
        f"{size:,} bytes is over the size limit of {limit:,} bytes "
        "(raise it with --max-bytes or NEWSWEAVE_MAX_BYTES)"
    )


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)
