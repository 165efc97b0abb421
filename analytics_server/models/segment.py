"""Stored segments (Matomo's SegmentEditor): a named definition, archived when auto_archive."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime
from analytics_server.models.base import Base


class Segment(Base):
    __tablename__ = "segment"

    idsegment: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    definition: Mapped[str] = mapped_column(sa.Text)
    # md5 hex of the definition: the segment's key in archive storage.
    hash: Mapped[str] = mapped_column(sa.String(32), index=True)
    login: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    enable_all_users: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    enable_only_idsite: Mapped[int] = mapped_column(sa.Integer, default=0)  # 0: every site
    auto_archive: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    ts_created: Mapped[datetime] = mapped_column(UTCDateTime)
    ts_last_edit: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
