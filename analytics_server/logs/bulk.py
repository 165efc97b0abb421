"""Bulk writes of many rows of one shape, without SQLAlchemy's per-row work.

A Core `insert(table)` with a list of dicts costs SQLAlchemy a parameter dict per row, built
and processed in Python, before the driver escapes the very same values again: half of what
an ingest worker spent on its writes. Here each column's bind processor (the conversion
SQLAlchemy applies: UTC datetimes, SQLite's date text...) is looked up once per statement
shape and applied only where there is one. sqlite3 then gets tuples for its executemany (in
C); for MySQL the values are written into multi-row statements here, as PyMySQL's own
executemany would write them. Statements go through `exec_driver_sql`, so errors are still
SQLAlchemy's (OperationalError and the rest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from analytics_server.kit.dialect import is_mysql

# Rows per statement of an INSERT ... RETURNING (SQLAlchemy's insertmanyvalues uses 1000).
RETURNING_PAGE = 1000

_Processor = Callable[[Any], Any] | None


@lru_cache(maxsize=512)
def _shape(
    table: sa.Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[_Processor, ...]]:
    """The placeholders' text `(%s, ...)` and each column's bind processor (or None)."""
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    processors = tuple(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    )
    return f"({', '.join([mark] * len(columns))})", processors


def _positional(dialect: Dialect) -> bool:
    """Whether the driver takes `?` or `%s` parameters (sqlite3, PyMySQL); others get Core."""
    return dialect.paramstyle in ("qmark", "format", "pyformat")


def _names(table: sa.Table, columns: Sequence[str], dialect: Dialect) -> tuple[str, str]:
    quote = dialect.identifier_preparer
    return quote.format_table(table), ", ".join(quote.quote(c) for c in columns)


def _tuples(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], processors: Sequence[_Processor]
) -> list[tuple[Any, ...]]:
    convert = [(i, p) for i, p in enumerate(processors) if p is not None]
    if not convert:
        return [tuple([row[c] for c in columns]) for row in rows]
    result = []
    for row in rows:
        values = [row[c] for c in columns]
        for i, process in convert:
            values[i] = process(values[i])
        result.append(tuple(values))
    return result


# MySQL: the rows' values are written into the statement here, as PyMySQL's executemany would
# (its own escape() for all but None, int, bytes and UTC datetimes, which get the very text it
# writes), without its per-value dispatch: escaping was a sixth of an ingest worker's time.
MAX_STATEMENT = 1_000_000  # characters, as PyMySQL's executemany (max_allowed_packet: 16 MB)


def _escaper(conn: sa.Connection) -> Callable[[Any], str]:
    escape: Callable[[Any], str] = conn.connection.dbapi_connection.escape  # type: ignore[union-attr]
    return escape


def _rendered(
    tuples: Sequence[tuple[Any, ...]], escape: Callable[[Any], str], *, max_rows: int
) -> Iterator[list[str]]:
    """Each row as `(v1, v2...)` SQL text, in chunks of at most `max_rows` and MAX_STATEMENT."""
    texts: list[str] = []
    size = 0
    for values in tuples:
        parts = []
        for value in values:
            kind = type(value)
            if value is None:
                parts.append("NULL")
            elif kind is int:
                parts.append(str(value))
            elif kind is bytes:
                parts.append(f"X'{value.hex()}'")
            elif kind is datetime and value.tzinfo is UTC:  # as escape_datetime writes it
                parts.append(f"'{value.isoformat(' ')[:-6]}'")
            else:
                parts.append(escape(value))
        text = f"({', '.join(parts)})"
        if texts and (len(texts) >= max_rows or size + len(text) > MAX_STATEMENT):
            yield texts
            texts, size = [], 0
        texts.append(text)
        size += len(text) + 2
    if texts:
        yield texts


def _run_text(conn: sa.Connection, sql: str) -> sa.CursorResult[Any]:
    """A statement with its values written in: PyMySQL still applies `%` formatting to it
    (SQLAlchemy passes an empty tuple), so a `%` in the text is doubled."""
    return conn.exec_driver_sql(sql.replace("%", "%%"))


def insert_rows(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """INSERT `rows` (each with at least `columns`; nothing else is written)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    columns = tuple(columns)
    if not _positional(dialect):
        conn.execute(sa.insert(table), [{c: row[c] for c in columns} for row in rows])
        return
    marks, processors = _shape(table, columns, dialect)
    name, listed = _names(table, columns, dialect)
    head = f"INSERT INTO {name} ({listed}) VALUES "
    tuples = _tuples(rows, columns, processors)
    if is_mysql(dialect):
        for texts in _rendered(tuples, _escaper(conn), max_rows=len(tuples)):
            _run_text(conn, head + ", ".join(texts))
        return
    conn.exec_driver_sql(head + marks, tuples)


def insert_returning_ids(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """INSERT `rows` in multi-row statements; their new auto-increment keys, in row order.

    The keys come back sorted: the database numbers the rows of one statement in the order
    of its VALUES (SQLAlchemy's insertmanyvalues relies on the same for MariaDB and SQLite).
    """
    conn = session.connection()
    dialect = conn.dialect
    columns = tuple(columns)
    [key] = table.primary_key.columns
    if not _positional(dialect):
        stmt = sa.insert(table).returning(key, sort_by_parameter_order=True)
        params = [{c: row[c] for c in columns} for row in rows]
        return [int(i) for i in conn.execute(stmt, params).scalars()]
    marks, processors = _shape(table, columns, dialect)
    name, listed = _names(table, columns, dialect)
    returning = dialect.identifier_preparer.quote(key.name)
    page = RETURNING_PAGE
    if not is_mysql(dialect):  # SQLite counts its parameters: at most 32,766
        page = max(1, min(page, 32_000 // max(1, len(columns))))
    head = f"INSERT INTO {name} ({listed}) VALUES "
    ids: list[int] = []
    if is_mysql(dialect):
        tuples = _tuples(rows, columns, processors)
        for texts in _rendered(tuples, _escaper(conn), max_rows=page):
            found = _run_text(conn, f"{head}{', '.join(texts)} RETURNING {returning}")
            ids += _keys(found, len(texts))
        return ids
    for start in range(0, len(rows), page):
        chunk = _tuples(rows[start : start + page], columns, processors)
        flat = tuple(value for values in chunk for value in values)
        sql = f"{head}{', '.join([marks] * len(chunk))} RETURNING {returning}"
        ids += _keys(conn.exec_driver_sql(sql, flat), len(chunk))
    return ids


def _keys(result: sa.CursorResult[Any], expected: int) -> list[int]:
    found = sorted(int(i) for i in result.scalars())
    if len(found) != expected:
        raise RuntimeError(f"{expected} rows inserted, {len(found)} keys returned")
    return found


def update_rows(
    session: Session,
    table: sa.Table,
    *,
    key: str,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """UPDATE `columns` of each row found by its `key` column, one executemany."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    names = (*columns, key)
    if not _positional(dialect):
        stmt = (
            sa.update(table)
            .where(table.c[key] == sa.bindparam("key_"))
            .values({c: sa.bindparam(f"v_{c}") for c in columns})
        )
        conn.execute(stmt, [{"key_": r[key], **{f"v_{c}": r[c] for c in columns}} for r in rows])
        return
    _, processors = _shape(table, names, dialect)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer
    sets = ", ".join(f"{quote.quote(c)} = {mark}" for c in columns)
    sql = f"UPDATE {quote.format_table(table)} SET {sets} WHERE {quote.quote(key)} = {mark}"
    conn.exec_driver_sql(sql, _tuples(rows, names, processors))
