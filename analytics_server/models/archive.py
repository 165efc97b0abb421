"""Archives: per (site, segment, period, first day) a state row and one compressed blob per report.

A recompute replaces the blobs of its key (delete + insert in one transaction), so storage stays
one row set per key whatever the number of recomputes. `version` counts invalidations;
`done_version` is the version the stored blobs reflect, so a key is stale exactly when
`done_version` is NULL or below `version`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime
from analytics_server.models.base import Base

ALL_VISITS = ""  # the segment key of unsegmented archives; others are md5 hex of the definition


def _blob() -> sa.types.TypeEngine[bytes]:
    """Up to 16 MB on MySQL (BLOB stops at 64 KB, too small for a big URL table)."""
    return sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")


class ArchiveState(Base):
    __tablename__ = "archive_state"
    __table_args__ = (sa.Index("ix_archive_state_site_dates", "idsite", "date1", "date2"),)

    idsite: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    segment: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    period: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    date1: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    date2: Mapped[date] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(sa.Integer, default=0)
    done_version: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    ts_archived: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A worker holds the key while computing it; a dead worker's claim expires.
    lock_token: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    lock_expires: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    records: Mapped[int] = mapped_column(sa.Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(sa.Integer, default=0)


class ArchiveRecord(Base):
    __tablename__ = "archive_record"

    idsite: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    segment: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    period: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    date1: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    value: Mapped[bytes] = mapped_column(_blob())
