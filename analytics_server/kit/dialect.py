"""The few SQL statements that differ between SQLite and MySQL/MariaDB, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement


def insert_ignore(table: sa.Table, dialect_name: str) -> Insert:
    """INSERT that skips rows whose unique key already exists."""
    if dialect_name in ("mysql", "mariadb"):
        return mysql.insert(table).prefix_with("IGNORE")
    return sqlite.insert(table).on_conflict_do_nothing()


def is_mysql(dialect: Dialect) -> bool:
    return dialect.name in ("mysql", "mariadb")


def temporary_table_options(dialect: Dialect) -> dict[str, Any]:
    """Keyword arguments of `sa.Table` for a per-connection scratch table.

    MariaDB's Aria engine takes rows of varying width and is the fastest to fill and scan here;
    MySQL has no Aria, so it keeps its default engine.
    """
    options: dict[str, Any] = {"prefixes": ["TEMPORARY"]}
    if getattr(dialect, "is_mariadb", False):
        options["mysql_engine"] = "Aria"
    return options


def binary_key(column: ColumnElement[Any], dialect: Dialect) -> ColumnElement[Any]:
    """An 8-byte id (a visitor id) as an integer on MySQL, where integers count faster."""
    if is_mysql(dialect):
        return sa.cast(sa.func.conv(sa.func.hex(column), 16, 10), mysql.BIGINT(unsigned=True))
    return column


def text_key(column: ColumnElement[Any], dialect: Dialect) -> ColumnElement[Any]:
    """A text (a User ID) as a 64-bit hash on MySQL, where COUNT(DISTINCT) on integers is
    several times faster than on long strings; two ids collide with odds below 1e-8 for a
    million users. NULL stays NULL."""
    if is_mysql(dialect):
        return sa.cast(
            sa.func.conv(sa.func.left(sa.func.md5(column), 16), 16, 10),
            mysql.BIGINT(unsigned=True),
        )
    return column


def hour_of_time(column: ColumnElement[Any], dialect: Dialect) -> ColumnElement[Any]:
    """The hour of a TIME column (SQLite keeps times as 'HH:MM:SS' text)."""
    if is_mysql(dialect):
        return sa.func.hour(column)
    return sa.cast(sa.func.substr(column, 1, 2), sa.Integer)


def local_hour(column: ColumnElement[Any], starts: Sequence[tuple[datetime, int]]) -> Any:
    """The site-local hour of a UTC datetime column, from the UTC instants at which each local
    hour of the day begins (`kit.periods.hour_starts_utc`): a CASE of range tests, correct on
    DST days and in half-hour zones, and the same SQL on every dialect."""
    whens = [(column < following, hour) for (_, hour), (following, _) in pairwise(starts)]
    return sa.case(*whens, else_=starts[-1][1]) if whens else sa.literal(starts[-1][1])


def prepare_archiving_session(session: Session) -> None:
    """Settings for a long read-mostly archiving transaction, called before its first query.

    On MySQL: READ COMMITTED, so that copying a day of raw rows takes no shared locks that
    would stall the ingest workers, and in-memory temporary tables large enough for a
    million-row GROUP BY.
    """
    dialect = session.get_bind().dialect
    if not is_mysql(dialect):
        return
    session.connection(execution_options={"isolation_level": "READ COMMITTED"})
    session.execute(
        sa.text("SET SESSION tmp_table_size = 268435456, max_heap_table_size = 268435456")
    )


def drop_temporary_table(session: Session, name: str) -> None:
    if is_mysql(session.get_bind().dialect):
        session.execute(sa.text(f"DROP TEMPORARY TABLE IF EXISTS {name}"))
    else:
        session.execute(sa.text(f"DROP TABLE IF EXISTS temp.{name}"))


def primary_key_scan(statement: Any, table: sa.Table) -> Any:
    """Ask MySQL to read `table` along its primary key (a range given in the WHERE clause)
    rather than through a secondary index and a primary-key lookup per row."""
    hint = "FORCE INDEX (PRIMARY)"
    return statement.with_hint(table, hint, "mysql").with_hint(table, hint, "mariadb")
