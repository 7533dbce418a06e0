"""The store's SQL as PostgreSQL runs it: the one place that knows the two dialects differ.

The table modules (``store/*.py``) write SQLite's SQL; the PostgreSQL store's
connection passes every statement through :func:`translate` (cached), and the
migrations through :func:`translate_script`. Only what the store's SQL uses is
translated:

- ``?`` placeholders become ``%s`` (and a literal ``%`` becomes ``%%``);
- ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO NOTHING``; ``INSERT OR REPLACE``
  an upsert on the table's primary key (the caller gives the keys, read from
  the catalogue);
- in ``ON CONFLICT ... DO UPDATE SET``, a bare column on the right-hand side is
  the stored row's (SQLite's reading; PostgreSQL calls it ambiguous), so it is
  qualified with the table's name;
- ``instr(a, b)`` becomes ``strpos(a, b)``;
- ``INDEXED BY name`` (SQLite told which index to read) is dropped: PostgreSQL's
  planner chooses;
- DDL: INTEGER becomes BIGINT (keys are 32-bit hashes and more), REAL double
  precision, BLOB bytea, an ``id``/``seq`` INTEGER PRIMARY KEY an identity
  column, WITHOUT ROWID is dropped, and an FTS5 table over ``articles`` a
  generated, weighted ``tsvector`` column with a GIN index (its triggers and its
  'rebuild' are not needed: PostgreSQL keeps a generated column in step itself).

>>> translate("SELECT id FROM t WHERE a = ? AND b LIKE 'x%'")
"SELECT id FROM t WHERE a = %s AND b LIKE 'x%%'"
>>> translate("INSERT OR IGNORE INTO k (key, story_id) VALUES (?, ?)")
'INSERT INTO k (key, story_id) VALUES (%s, %s) ON CONFLICT DO NOTHING'
>>> translate("INSERT OR REPLACE INTO v (id, model, vector) VALUES (?, ?, ?)",
...           {"v": ("id", "model")}).split(" ON ")[1]
'CONFLICT (id, model) DO UPDATE SET vector = EXCLUDED.vector'
>>> translate("INSERT INTO d (key, df) VALUES (?, ?) "
...           "ON CONFLICT(key) DO UPDATE SET df = df + excluded.df").split("SET ")[1]
'df = d.df + excluded.df'
>>> translate("SELECT id, outlet FROM articles INDEXED BY articles_listing WHERE id IN (?)")
'SELECT id, outlet FROM articles WHERE id IN (%s)'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# Words that stay bare on the right-hand side of an upsert's SET.
_KEYWORDS = frozenset({
    "case", "when", "then", "else", "end", "and", "or", "not", "null", "is", "in", "excluded",
    "true", "false", "like", "between", "distinct",
})
_LITERALS = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")
_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*(\(([^)]*)\))?",
                        re.IGNORECASE)
_UPSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+).*?\bDO\s+UPDATE\s+SET\s+(.*)$",
                     re.IGNORECASE | re.DOTALL)
_INDEXED_BY = re.compile(r"\s+INDEXED\s+BY\s+\w+", re.IGNORECASE)
_BARE = re.compile(r"(?<![.\w])([A-Za-z_]\w*)(?![\w(.])")
_FTS5 = re.compile(r"CREATE\s+VIRTUAL\s+TABLE\s+(\w+)\s+USING\s+fts5\s*\((.*)\)\s*$",
                   re.IGNORECASE | re.DOTALL)
# A body bigger than this is indexed by its first part: a tsvector holds at most 1 MB,
# and an article over the limit must not fail its whole batch.
FTS_MAX_CHARS = 250_000
FTS_CONFIG = "english"  # Porter stemming, as the SQLite index's tokenizer


def translate(sql: str, primary_keys: Mapping[str, Sequence[str]] | None = None) -> str:
    """One statement of SQLite's SQL as PostgreSQL's (see the module's docstring)."""
    parts = _LITERALS.split(sql)
    for i in range(0, len(parts), 2):  # code, not inside quotes
        parts[i] = _INDEXED_BY.sub("", re.sub(
            r"\binstr\(", "strpos(", parts[i].replace("%", "%%"), flags=re.IGNORECASE
        )).replace("?", "%s")
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].replace("%", "%%")
    out = "".join(parts)
    found = _INSERT_OR.match(out)
    if found:
        action, table = found.group(1).upper(), found.group(2)
        out = out[: found.start()] + f"INSERT INTO {table}" + (
            f" ({found.group(4)})" if found.group(3) else "") + out[found.end():]
        if action == "IGNORE":
            out += " ON CONFLICT DO NOTHING"
        else:
            keys = list((primary_keys or {}).get(table, ()))
            if not keys or not found.group(3):
                raise ValueError(f"INSERT OR REPLACE into {table}: its primary key and "
                                 f"columns must be known to translate it")
            columns = [c.strip() for c in found.group(4).split(",")]
            rest = [c for c in columns if c not in keys]
            out += f" ON CONFLICT ({', '.join(keys)}) " + (
                "DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in rest)
                if rest else "DO NOTHING")
        return out
    upsert = _UPSERT.match(out)
    if upsert:
        table, sets = upsert.group(1), upsert.group(2)
        out = out[: upsert.start(2)] + _qualify(sets, table)
    return out


def _qualify(assignments: str, table: str) -> str:
    """``a = a + excluded.a, b = ...``: columns on the right of each ``=`` made ``table.a``."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(assignments):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            pieces.append(assignments[start:i])
            start = i + 1
    pieces.append(assignments[start:])
    out = []
    for piece in pieces:
        left, eq, right = piece.partition("=")
        right = _BARE.sub(lambda m: m.group(1) if m.group(1).lower() in _KEYWORDS
                          or m.group(1).startswith("%") else f"{table}.{m.group(1)}", right)
        out.append(left + eq + right)
    return ",".join(out)


# -- migrations -----------------------------------------------------------------


def split_script(script: str) -> list[str]:
    """The statements of a migration; a trigger's ``BEGIN ... END`` body stays whole.

    >>> for s in split_script("CREATE TABLE a (x);\\nCREATE TRIGGER t AFTER INSERT ON a "
    ...                         "BEGIN INSERT INTO b VALUES (1); END;\\nDELETE FROM a"):
    ...     print(s)
    CREATE TABLE a (x)
    CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); END
    DELETE FROM a
    """
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece
        body_open = re.search(r"\bCREATE\s+TRIGGER\b", pending, re.IGNORECASE) and not re.search(
            r"\bEND\s*$", pending.strip(), re.IGNORECASE)
        if body_open:
            pending += ";"
            continue
        if pending.strip():
            statements.append(pending.strip())
        pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


def translate_script(script: str) -> list[str]:
    """A migration's statements as PostgreSQL DDL (see the module's docstring).

    >>> for column in translate_script("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB, "
    ...                                "w REAL, end INTEGER NOT NULL) WITHOUT ROWID")[0][16:-1]\\
    ...         .split(", "):
    ...     print(column)
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY
    v BYTEA
    w DOUBLE PRECISION
    "end" BIGINT NOT NULL
    """
    fts_tables: set[str] = set()
    out: list[str] = []
    for statement in split_script(script):
        fts = _FTS5.match(statement)
        if fts:
            fts_tables.add(fts.group(1))
            out += _fts_ddl(fts.group(1), fts.group(2))
            continue
        if fts_tables and any(re.search(rf"\b{name}\b", statement) for name in fts_tables):
            continue  # its triggers and 'rebuild': the generated column needs neither
        out.append(_ddl(statement))
    return out


def _ddl(statement: str) -> str:
    s = re.sub(r"\)\s*WITHOUT\s+ROWID\s*$", ")", statement, flags=re.IGNORECASE)
    s = re.sub(r"\b(id|seq)\s+INTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?",
               r"\1 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", s,
               flags=re.IGNORECASE)
    s = re.sub(r"\bINTEGER\b", "BIGINT", s)
    s = re.sub(r"\bREAL\b", "DOUBLE PRECISION", s)
    s = re.sub(r"\bBLOB\b", "BYTEA", s)
    # "end" is reserved in PostgreSQL: a column of that name is quoted where it is defined.
    return re.sub(r"(^|[(,]\s*|ADD\s+COLUMN\s+)end(\s+(?:BIGINT|TEXT))", r'\1"end"\2', s,
                  flags=re.IGNORECASE | re.MULTILINE)


def _fts_ddl(name: str, arguments: str) -> list[str]:
    """An FTS5 table over ``articles`` as a weighted tsvector column plus a GIN index:
    the first column weighs A (the title), the next B, ... as bm25's column weights do."""
    options = dict(re.findall(r"(\w+)\s*=\s*'([^']*)'", arguments))
    table = options.get("content", "articles")
    columns = [a.strip() for a in arguments.split(",") if "=" not in a and a.strip()]
    pieces = [
        f"setweight(to_tsvector('{FTS_CONFIG}', left(coalesce({c}, ''), {FTS_MAX_CHARS})), "
        f"'{'ABCD'[min(i, 3)]}')" for i, c in enumerate(columns)
    ]
    return [
        f"ALTER TABLE {table} ADD COLUMN {name} tsvector GENERATED ALWAYS AS "
        f"({' || '.join(pieces)}) STORED",
        f"CREATE INDEX {name}_index ON {table} USING GIN ({name})",
    ]


__all__ = ["FTS_CONFIG", "split_script", "translate", "translate_script"]
