"""Small named values (daily fingerprint salts, the instance salt) and tracking failures."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime
from analytics_server.models.base import Base


class Option(Base):
    __tablename__ = "kv_option"

    name: Mapped[str] = mapped_column(sa.String(191), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)


class TrackingFailure(Base):
    """A rejected hit and why, so an admin can see what a portal sends wrong."""

    __tablename__ = "tracking_failure"

    idfailure: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    idsite: Mapped[int | None] = mapped_column(sa.Integer, nullable=True, index=True)
    reason: Mapped[str] = mapped_column(sa.String(255))
    request: Mapped[str] = mapped_column(sa.Text)  # the parameters, cut to a few KB
    source: Mapped[str] = mapped_column(sa.String(16))  # browser | sdk | bulk
    date_first_seen: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
