"""An ``executemany`` of the table modules as one PostgreSQL statement over arrays.

The table modules write SQLite's ``executemany(sql, rows)``: one statement per row, a
function call each in SQLite, a statement each on the server here (parsed, bound and
run, a result sent back; psycopg pipelines them, but every row still costs both
processes a statement). :func:`bulk_form` rewrites the forms the store uses so that all
rows go in one statement, each parameter column an array (``unnest``):

- ``INSERT INTO t (a, b) VALUES (?, ?)`` (also ``ON CONFLICT DO NOTHING``): the rows
  selected from ``unnest``;
- an upsert whose update only copies the new row (``INSERT OR REPLACE``, ``ON CONFLICT
  (k) DO UPDATE SET a = excluded.a``): the same, with the rows of one key folded into the
  last one first (one statement cannot touch a row twice; row by row, the last would win);
- ``DELETE FROM t WHERE a = ? AND b = ?``: the rows whose ``(a, b)`` is in the arrays;
- ``UPDATE t SET a = ?, b = ? WHERE k = ?`` (the set columns not among the key's): a
  join with the arrays, rows of one key folded into the last one.

Anything else (an update reading the stored row, ``INSERT ... SELECT``, constants among
the values, a table with an identity id, a column of unknown type) has no bulk form and
stays row by row: the result must be the one the rows would give one by one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_NAME = r'"?\w+"?'
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*"
                     r"(\((?:%s,\s*)*%s\))(.*)$", re.IGNORECASE | re.DOTALL)
_CONFLICT_UPDATE = re.compile(r"^\s*ON\s+CONFLICT\s*\(([^)]*)\)\s*DO\s+UPDATE\s+SET\s+(.*)$",
                              re.IGNORECASE | re.DOTALL)
_COPY = re.compile(rf"^\s*{_NAME}\s*=\s*excluded\.{_NAME}\s*$", re.IGNORECASE)
_DELETE = re.compile(r"^\s*DELETE\s+FROM\s+(\w+)\s+WHERE\s+(.*)$", re.IGNORECASE | re.DOTALL)
_UPDATE = re.compile(r"^\s*UPDATE\s+(\w+)\s+SET\s+(.*?)\s+WHERE\s+(.*)$",
                     re.IGNORECASE | re.DOTALL)
_PARAM = re.compile(rf"^\s*({_NAME})\s*=\s*%s\s*$")
_AND = re.compile(r"\s+AND\s+", re.IGNORECASE)
_FLOATS = frozenset({"double precision", "real"})


@dataclass(frozen=True)
class BulkForm:
    """One statement for all rows: ``text`` takes one array per parameter column;
    ``key`` (positions in a row) says which rows touch one stored row, of which only the
    last is sent (None: every row is sent)."""

    text: str
    types: tuple[str, ...]
    key: tuple[int, ...] | None = None

    def columns(self, rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
        """The rows as one list per parameter (of the kept rows, in their order)."""
        if self.key is not None:
            last: dict[tuple[Any, ...], Sequence[Any]] = {}
            for row in rows:
                last[tuple(row[i] for i in self.key)] = row
            if len(last) < len(rows):
                # Where each key's row first came, holding its last values: the stored
                # result is the one of running the rows in order.
                rows = list(last.values())
        columns = [list(c) for c in zip(*rows, strict=True)]
        for values, kind in zip(columns, self.types, strict=True):
            if kind in _FLOATS and any(type(v) is int for v in values):
                # An array holds one type: 1 and 0.5 go as floats (the column stores a
                # float either way).
                values[:] = [float(v) if type(v) is int else v for v in values]
        return columns


def bulk_form(text: str, column_types: Mapping[tuple[str, str], str],
              identity_tables: set[str] | frozenset[str] = frozenset()) -> BulkForm | None:
    """The bulk form of a (translated) statement run by ``executemany``, or None.

    >>> types = {("k", "key"): "bigint", ("k", "story"): "bigint", ("k", "w"): "text"}
    >>> bulk_form("DELETE FROM k WHERE key = %s AND story = %s", types).text
    'DELETE FROM k WHERE (key, story) IN (SELECT * FROM unnest(%b::bigint[], %b::bigint[]))'
    >>> form = bulk_form("UPDATE k SET w = %s WHERE key = %s", types)
    >>> form.text
    'UPDATE k SET w = u.p0 FROM unnest(%b::text[], %b::bigint[]) AS u(p0, p1) WHERE k.key = u.p1'
    >>> form.columns([("a", 1), ("b", 2), ("c", 1)])
    [['c', 'b'], [1, 2]]
    >>> bulk_form("UPDATE k SET w = w || %s WHERE key = %s", types) is None
    True
    """
    found = _INSERT.match(text)
    if found:
        return _insert_form(found, column_types, identity_tables)
    found = _DELETE.match(text)
    if found:
        table, where = found.group(1), _conditions(found.group(2))
        if where is None:
            return None
        types = _types(table, where, column_types)
        if types is None:
            return None
        return BulkForm(f"DELETE FROM {table} WHERE ({', '.join(where)}) IN (SELECT * FROM "
                        f"unnest({_arrays(types)}))", types)
    found = _UPDATE.match(text)
    if found:
        table, where = found.group(1), _conditions(found.group(3))
        sets = [_PARAM.match(a) for a in found.group(2).split(",")]
        if where is None or not all(sets):
            return None
        names = [m.group(1) for m in sets if m]
        if set(names) & set(where):
            return None  # a row's key changed by one row and matched by the next
        types = _types(table, names + where, column_types)
        if types is None:
            return None
        aliases = [f"p{i}" for i in range(len(types))]
        assigned = ", ".join(f"{n} = u.{a}" for n, a in zip(names, aliases, strict=False))
        matched = " AND ".join(f"{table}.{n} = u.{a}"
                               for n, a in zip(where, aliases[len(names):], strict=True))
        return BulkForm(f"UPDATE {table} SET {assigned} FROM unnest({_arrays(types)}) "
                        f"AS u({', '.join(aliases)}) WHERE {matched}", types,
                        tuple(range(len(names), len(types))))
    return None


def _insert_form(found: re.Match[str], column_types: Mapping[tuple[str, str], str],
                 identity_tables: set[str] | frozenset[str]) -> BulkForm | None:
    table, names = found.group(1), [n.strip() for n in found.group(2).split(",")]
    if len(names) != found.group(3).count("%s"):
        return None
    types = _types(table, names, column_types)
    if types is None:
        return None
    tail, key = found.group(4), None
    if re.search(r"\bDO\s+UPDATE\b", tail, re.IGNORECASE):
        upsert = _CONFLICT_UPDATE.match(tail)
        if upsert is None or table in identity_tables:
            return None
        target = [n.strip() for n in upsert.group(1).split(",")]
        if not all(_COPY.match(a) for a in _split_top(upsert.group(2))):
            return None  # the update reads the stored row: rows of one key add up
        if not set(target) <= set(names):
            return None
        key = tuple(names.index(n) for n in target)
    return BulkForm(f"INSERT INTO {table} ({', '.join(names)}) SELECT * FROM "
                    f"unnest({_arrays(types)}){tail}", types, key)


def _conditions(where: str) -> list[str] | None:
    """``a = %s AND b = %s`` as ``["a", "b"]``; None for any other condition."""
    found = [_PARAM.match(c) for c in _AND.split(where.strip())]
    return [m.group(1) for m in found if m] if all(found) else None


def _types(table: str, names: Sequence[str], column_types: Mapping[tuple[str, str], str]
           ) -> tuple[str, ...] | None:
    types = [column_types.get((table, n.strip('"'))) for n in names]
    return None if None in types else tuple(t for t in types if t)


def _arrays(types: Sequence[str]) -> str:
    # Binary parameters: a text array is quoted element by element in Python (a text[] of
    # 800 JSON documents: 67 ms to send as text, under 1 ms binary).
    return ", ".join(f"%b::{t}[]" for t in types)


def _split_top(assignments: str) -> list[str]:
    """Comma-separated pieces outside parentheses."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(assignments):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            pieces.append(assignments[start:i])
            start = i + 1
    pieces.append(assignments[start:])
    return pieces


__all__ = ["BulkForm", "bulk_form"]
