"""The few SQL statements that differ between SQLite and MySQL/MariaDB, in one place."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.sql.dml import Insert


def insert_ignore(table: sa.Table, dialect_name: str) -> Insert:
    """INSERT that skips rows whose unique key already exists."""
    if dialect_name in ("mysql", "mariadb"):
        return mysql.insert(table).prefix_with("IGNORE")
    return sqlite.insert(table).on_conflict_do_nothing()


def upsert(table: sa.Table, dialect_name: str, *, update: list[str]) -> Any:
    """INSERT that overwrites `update` columns when the primary key already exists."""
    if dialect_name in ("mysql", "mariadb"):
        stmt = mysql.insert(table)
        return stmt.on_duplicate_key_update({c: stmt.inserted[c] for c in update})
    lite = sqlite.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    return lite.on_conflict_do_update(
        index_elements=keys, set_={c: lite.excluded[c] for c in update}
    )
