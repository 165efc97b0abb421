"""Annotations: a dated note on a site's reports (a release, a campaign, an outage)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime
from analytics_server.models.base import Base

MAX_NOTE_LENGTH = 255


class Annotation(Base):
    """One note; Matomo keeps them serialized per site, a table makes date ranges one query."""

    __tablename__ = "annotation"
    __table_args__ = (sa.Index("ix_annotation_site_date", "idsite", "date"),)

    idnote: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    idsite: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("site.idsite", ondelete="CASCADE")
    )
    date: Mapped[dt.date] = mapped_column(sa.Date)  # the site-local day it is about
    note: Mapped[str] = mapped_column(sa.String(MAX_NOTE_LENGTH))
    starred: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Who wrote it; kept as text so a note outlives its author's account.
    login: Mapped[str] = mapped_column(sa.String(100))
    ts_created: Mapped[dt.datetime] = mapped_column(UTCDateTime)
