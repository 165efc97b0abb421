"""Bulk writes store exactly what Core statements store, whatever the values hold."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from analytics_server.kit.sqltypes import UTCDateTime, big_id, binary
from analytics_server.logs import bulk

metadata = sa.MetaData()
sample = sa.Table(
    "test_bulk_sample",
    metadata,
    sa.Column("id", big_id(), primary_key=True, autoincrement=True),
    sa.Column("copy", sa.Integer),  # 0: written by Core, 1: by bulk
    sa.Column("text", sa.String(200), nullable=True),
    sa.Column("raw", binary(8), nullable=True),
    sa.Column("number", sa.BigInteger, nullable=True),
    sa.Column("real", sa.Float, nullable=True),
    sa.Column("moment", UTCDateTime, nullable=True),
    sa.Column("clock", sa.Time, nullable=True),
    sa.Column("flag", sa.Boolean, nullable=True),
    sa.Column("place", sa.Numeric(9, 6), nullable=True),
)
COLUMNS = ("copy", "text", "raw", "number", "real", "moment", "clock", "flag", "place")
WHEN = datetime(2026, 3, 10, 12, 0, 5, tzinfo=UTC)


def _rows(copy: int) -> list[dict[str, Any]]:
    texts = [
        "plain",
        "100% sure, %s and %(name)s and %%",
        'it\'s "quoted" \\ back\\slashed\n\ttabbed\x00nul',
        "кириллица, 漢字, emoji 🎉",
        "",
        None,
    ]
    rows = []
    for n, text in enumerate(texts):
        rows.append(
            {
                "copy": copy,
                "text": text,
                "raw": bytes([n, 0, 39, 92, 37, 255, 10, 13]) if n % 2 else None,
                "number": [0, -1, 2**62, 7, None, 42][n],
                "real": [0.1, -2.5e-9, 1.5e30, None, 3.0, 12.75][n],
                "moment": [
                    WHEN,
                    WHEN.replace(microsecond=123456),
                    WHEN.astimezone(timezone(timedelta(hours=3))),
                    None,
                    datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
                    WHEN + timedelta(days=400),
                ][n],
                "clock": [time(13, 5, 30), None, time(0, 0), time(23, 59, 59), None, time(1)][n],
                "flag": [True, False, None, True, False, None][n],
                "place": [Decimal("55.755800"), None, -37.5, Decimal("0"), 180, None][n],
            }
        )
    return rows


@pytest.fixture
def table(engine: Engine, db: Session) -> Iterator[sa.Table]:
    metadata.create_all(engine)
    yield sample
    db.rollback()  # MariaDB: a transaction that read the table would block DROP TABLE
    metadata.drop_all(engine)


def _stored(db: Session, copy: int) -> list[dict[str, Any]]:
    db.commit()
    query = sa.select(sample).where(sample.c.copy == copy).order_by(sample.c.id)
    return [
        {k: v for k, v in r.items() if k not in ("id", "copy")}
        for r in db.execute(query).mappings()
    ]


def test_inserted_rows_equal_what_core_inserts(db: Session, table: sa.Table) -> None:
    db.execute(sa.insert(table), _rows(0))
    bulk.insert_rows(db, table, COLUMNS, _rows(1))
    assert _stored(db, 1) == _stored(db, 0)
    assert _stored(db, 1)[1]["text"] == "100% sure, %s and %(name)s and %%"


def test_returned_ids_follow_the_rows(db: Session, table: sa.Table) -> None:
    rows = _rows(1) * 3
    ids = bulk.insert_returning_ids(db, table, COLUMNS, rows)
    assert len(set(ids)) == len(rows)
    by_id = {r.id: r.number for r in db.execute(sa.select(table.c.id, table.c.number))}
    assert [by_id[i] for i in ids] == [r["number"] for r in rows]


def test_rows_are_split_into_statements_of_bounded_size(
    db: Session, table: sa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "MAX_STATEMENT", 300)
    monkeypatch.setattr(bulk, "RETURNING_PAGE", 4)
    rows = _rows(1) * 5
    ids = bulk.insert_returning_ids(db, table, COLUMNS, rows)
    bulk.insert_rows(db, table, COLUMNS, rows)
    assert len(set(ids)) == len(rows)
    assert len(_stored(db, 1)) == 2 * len(rows)


def test_updated_rows_equal_what_core_updates(db: Session, table: sa.Table) -> None:
    ids = bulk.insert_returning_ids(
        db, table, ("copy", "number"), [{"copy": c, "number": n} for c, n in [(0, 1), (1, 2)] * 6]
    )
    core, ours = ids[0::2], ids[1::2]
    for idvalue, row in zip(core, _rows(0), strict=True):
        db.execute(sa.update(table).where(table.c.id == idvalue).values(row))
    changed = [{"id": i, **row} for i, row in zip(ours, _rows(1), strict=True)]
    bulk.update_rows(db, table, key="id", columns=COLUMNS, rows=changed)
    assert _stored(db, 1) == _stored(db, 0)
