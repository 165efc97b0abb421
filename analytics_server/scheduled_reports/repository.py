"""Every query of scheduled reports: schedules, and the sendings claimed, finished or retried.

A sending is claimed by inserting its unique key (schedule, cadence period, fan-out value,
nonce) and committing before anything is rendered. The loser of a race gets a duplicate key and
sends nothing. A claim whose worker died (`sending` past `claim_expires`) and a transient
failure whose retry time came may be claimed again, by one conditional UPDATE, so by one worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analytics_server.errors import NotFoundError
from analytics_server.kit.periods import Period
from analytics_server.models import ReportSchedule, ReportSending

CLAIM_TTL = timedelta(hours=1)  # longer than rendering plus every SMTP attempt
RETRY_AFTER = timedelta(minutes=30)  # a transient failure waits this long for the next run


def get_schedule(session: Session, idreport: int) -> ReportSchedule:
    schedule = session.get(ReportSchedule, idreport)
    if schedule is None or schedule.deleted:
        raise NotFoundError(f"The scheduled report {idreport} does not exist.")
    return schedule


def list_schedules(
    session: Session, *, idsite: int | None = None, login: str | None = None
) -> list[ReportSchedule]:
    query = sa.select(ReportSchedule).where(ReportSchedule.deleted.is_(False))
    if idsite is not None:
        query = query.where(ReportSchedule.idsite == idsite)
    if login is not None:
        query = query.where(ReportSchedule.login == login)
    return list(session.scalars(query.order_by(ReportSchedule.idreport)))


def scheduled(session: Session) -> list[ReportSchedule]:
    """Schedules that send on their own (not `never`)."""
    query = sa.select(ReportSchedule).where(
        ReportSchedule.deleted.is_(False), ReportSchedule.period != "never"
    )
    return list(session.scalars(query.order_by(ReportSchedule.idreport)))


@dataclass(frozen=True)
class Key:
    idreport: int
    cadence: str
    cadence_start: date
    fanout_hash: str = ""
    nonce: str = ""

    def where(self) -> sa.ColumnElement[bool]:
        return sa.and_(
            ReportSending.idreport == self.idreport,
            ReportSending.cadence == self.cadence,
            ReportSending.cadence_start == self.cadence_start,
            ReportSending.fanout_hash == self.fanout_hash,
            ReportSending.nonce == self.nonce,
        )


def claim(
    session: Session,
    key: Key,
    *,
    fanout_value: str,
    period: Period,
    now: datetime,
    retry_window: timedelta,
) -> int | None:
    """The id of the sending this worker now holds, or None when another one has it (or it
    was sent). Commits."""
    row = ReportSending(
        idreport=key.idreport,
        cadence=key.cadence,
        cadence_start=key.cadence_start,
        fanout_hash=key.fanout_hash,
        nonce=key.nonce,
        fanout_value=fanout_value,
        period=period.kind,
        date1=period.start,
        date2=period.end,
        status="sending",
        transient=False,
        attempts=0,
        recipients="[]",
        size_bytes=0,
        error="",
        ts_claimed=now,
        claim_expires=now + CLAIM_TTL,
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return _reclaim(session, key, now=now, retry_window=retry_window)
    return row.idsending


def _reclaim(session: Session, key: Key, *, now: datetime, retry_window: timedelta) -> int | None:
    stale = sa.and_(ReportSending.status == "sending", ReportSending.claim_expires < now)
    retry = sa.and_(
        ReportSending.status == "failed",
        ReportSending.transient.is_(True),
        ReportSending.claim_expires <= now,
        ReportSending.ts_claimed >= now - retry_window,
    )
    result = session.execute(
        sa.update(ReportSending)
        .where(key.where(), sa.or_(stale, retry))
        .values(status="sending", claim_expires=now + CLAIM_TTL, error="")
    )
    session.commit()
    if getattr(result, "rowcount", 0) != 1:
        return None
    return session.scalar(sa.select(ReportSending.idsending).where(key.where()))


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | failed
    attempts: int
    recipients: tuple[str, ...]
    size_bytes: int
    error: str = ""
    transient: bool = False


def finish(session: Session, idsending: int, outcome: Outcome, *, now: datetime) -> None:
    """Record how a claimed sending ended. Commits."""
    sending = session.get(ReportSending, idsending)
    if sending is None:
        return
    sending.status = outcome.status
    sending.attempts += outcome.attempts
    sending.recipients = json.dumps(list(outcome.recipients))
    sending.size_bytes = outcome.size_bytes
    sending.error = outcome.error[:4000]
    sending.transient = outcome.transient
    sending.ts_finished = now
    sending.claim_expires = now + RETRY_AFTER
    session.commit()


def sendings(session: Session, idreport: int, *, limit: int = 50) -> list[ReportSending]:
    query = (
        sa.select(ReportSending)
        .where(ReportSending.idreport == idreport)
        .order_by(ReportSending.idsending.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def last_sent(session: Session, idreports: list[int]) -> dict[int, datetime]:
    """When each schedule last sent something successfully."""
    if not idreports:
        return {}
    query = (
        sa.select(ReportSending.idreport, sa.func.max(ReportSending.ts_finished))
        .where(ReportSending.idreport.in_(idreports), ReportSending.status == "sent")
        .group_by(ReportSending.idreport)
    )
    return {idreport: moment for idreport, moment in session.execute(query) if moment}


def settled(
    session: Session,
    idreport: int,
    cadence: str,
    cadence_start: date,
    *,
    now: datetime,
    retry_window: timedelta,
) -> bool:
    """Whether a scheduled period was dealt with (sent, being sent, or failed for good), so a
    run need not even look at its fan-out values again."""
    query = sa.select(
        ReportSending.status,
        ReportSending.transient,
        ReportSending.claim_expires,
        ReportSending.ts_claimed,
    ).where(
        ReportSending.idreport == idreport,
        ReportSending.cadence == cadence,
        ReportSending.cadence_start == cadence_start,
        ReportSending.nonce == "",
    )
    rows = session.execute(query).all()
    for status, transient, expires, claimed in rows:
        if status == "sending" and expires < now:
            return False
        if status == "failed" and transient and expires <= now and claimed >= now - retry_window:
            return False
    return bool(rows)
