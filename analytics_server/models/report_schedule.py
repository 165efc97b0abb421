"""Scheduled email reports: what to send to whom and when, and every sending made."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime
from analytics_server.models.base import Base


class ReportSchedule(Base):
    """One schedule (Matomo's `report` table); lists are JSON text, so both databases agree."""

    __tablename__ = "report_schedule"
    __table_args__ = (sa.Index("ix_report_schedule_site", "idsite", "deleted"),)

    idreport: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    idsite: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("site.idsite", ondelete="CASCADE")
    )
    # The owner; kept as text so the schedule's history outlives the account.
    login: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.String(255), default="")
    idsegment: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    period: Mapped[str] = mapped_column(sa.String(10))  # how often: day|week|month|never
    period_param: Mapped[str] = mapped_column(sa.String(10))  # what: day|week|month|year
    hour: Mapped[int] = mapped_column(sa.SmallInteger, default=0)  # in the site's time zone
    format: Mapped[str] = mapped_column(sa.String(10), default="pdf")  # pdf|html|csv|tsv
    reports: Mapped[str] = mapped_column(sa.Text)  # JSON list of report unique ids
    evolution_graph: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    row_limit: Mapped[int] = mapped_column(sa.Integer, default=23)
    email_me: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    recipient_logins: Mapped[str] = mapped_column(sa.Text)  # JSON list of user logins
    recipient_emails: Mapped[str] = mapped_column(sa.Text)  # JSON list of addresses
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    fanout: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # JSON object or NULL
    ts_created: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ts_updated: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class ReportSending(Base):
    """One rendering sent (or tried) to its recipients.

    The unique key is claimed before anything is rendered: a second worker that tries the
    same schedule, cadence period and fan-out value gets a duplicate key and sends nothing.
    Sends forced by hand carry a random `nonce`, scheduled ones an empty one.
    """

    __tablename__ = "report_sending"
    __table_args__ = (
        sa.UniqueConstraint(
            "idreport", "cadence", "cadence_start", "fanout_hash", "nonce", name="uq_sending_key"
        ),
        sa.Index("ix_report_sending_status", "status", "claim_expires"),
    )

    idsending: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    idreport: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("report_schedule.idreport", ondelete="CASCADE")
    )
    cadence: Mapped[str] = mapped_column(sa.String(10))  # day|week|month|never
    cadence_start: Mapped[dt.date] = mapped_column(sa.Date)
    fanout_hash: Mapped[str] = mapped_column(sa.String(32), default="")  # md5 of the value
    nonce: Mapped[str] = mapped_column(sa.String(32), default="")
    fanout_value: Mapped[str] = mapped_column(sa.Text)
    period: Mapped[str] = mapped_column(sa.String(10))  # the data period sent
    date1: Mapped[dt.date] = mapped_column(sa.Date)
    date2: Mapped[dt.date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(10))  # sending|sent|failed
    transient: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # worth another run
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    recipients: Mapped[str] = mapped_column(sa.Text)  # JSON list
    size_bytes: Mapped[int] = mapped_column(sa.Integer, default=0)
    error: Mapped[str] = mapped_column(sa.Text)
    ts_claimed: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claim_expires: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ts_finished: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
