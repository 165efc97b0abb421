"""Column types that behave the same on SQLite and MySQL/MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (second precision)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        tzinfo = value.tzinfo
        if tzinfo is UTC:
            # As it is: PyMySQL and SQLAlchemy's SQLite type write the fields and ignore the
            # time zone, and replace(tzinfo=None) took a microsecond (rows have a few of them).
            return value
        if tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_literal_param(self, value: datetime | None, dialect: Dialect) -> Any:  # noqa: ARG002
        """Inline SQL gets the naive value: the time zone would show in its text."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if isinstance(value, str):  # SQLite raw strings from Core text queries
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


# Binary columns hand their bytes to the driver as they are: PyMySQL and sqlite3 both take
# bytes, and the default wrapping of each value (the DB-API's Binary(), a copy with PyMySQL)
# was 4% of an ingest worker's time. Values must be bytes (bytearray works too).


class _Blob(sa.LargeBinary):
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:  # noqa: ARG002
        return None


class _MySQLBinary(mysql.BINARY):
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:  # noqa: ARG002
        return None


class _MySQLVarBinary(mysql.VARBINARY):
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:  # noqa: ARG002
        return None


def binary(length: int) -> sa.types.TypeEngine[bytes]:
    """Fixed-length binary: BINARY(n) on MySQL (indexable), BLOB on SQLite."""
    return _Blob(length).with_variant(_MySQLBinary(length), "mysql", "mariadb")


def varbinary(length: int) -> sa.types.TypeEngine[bytes]:
    """Variable-length binary: VARBINARY(n) on MySQL, BLOB on SQLite."""
    return _Blob(length).with_variant(_MySQLVarBinary(length), "mysql", "mariadb")


def big_id() -> sa.types.TypeEngine[int]:
    """Auto-increment 64-bit key (SQLite only auto-increments INTEGER PRIMARY KEY)."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def long_text() -> sa.types.TypeEngine[str]:
    """Text that may exceed VARCHAR limits (action names up to 4096 chars)."""
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
