"""Archive a site's day, week, month or year (per segment), and read archived reports.

A day is computed from the raw logs (`scope` + the record builders); a week or month is the sum
of its days, a year of its months, and a range of the largest stored periods inside it, with
unique visitors and users recounted from the raw logs (`uniques`). Each stored archive has a
claim (so two workers do not compute it at once), a version (bumped by invalidation) and the
time it was computed, from which `is_due` decides whether to compute it again.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from analytics_server.archiving import repository, uniques
from analytics_server.archiving.day import compute_day as day_records
from analytics_server.archiving.records import Record, Table, decode, encode, merge_records
from analytics_server.archiving.registry import DERIVERS, derivation_inputs, finalize
from analytics_server.archiving.repository import ArchiveKey, State
from analytics_server.kit.clock import local_day, utc_now
from analytics_server.kit.periods import Period, period_bounds_utc, sub_periods
from analytics_server.models.archive import ALL_VISITS
from analytics_server.segments.grammar import canonical, segment_hash
from analytics_server.segments.sql import CustomDimension, condition
from analytics_server.sites.service import SiteConfig

LOCK_SECONDS = 900  # a claim older than this belongs to a dead worker
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8")).hexdigest()[:8]
# How long an archive of a period that is still running (today, this week...) is served.
TTL_SECONDS = {"day": 300, "week": 900, "month": 1800, "year": 6 * 3600}


@dataclass(frozen=True)
class Target:
    """The site and the segment ("" for all visits) an archive is for."""

    site: SiteConfig
    segment: str = ""

    @cached_property
    def key(self) -> str:
        return segment_hash(self.segment) if self.segment.strip() else ALL_VISITS

    def archive_key(self, period: Period) -> ArchiveKey:
        return ArchiveKey(self.site.idsite, self.key, period)

    def condition(self, session: Session) -> ColumnElement[bool] | None:
        dimensions = {
            d.iddimension: CustomDimension(d.scope, d.column) for d in self.site.dimensions.values()
        }
        return condition(
            canonical(self.segment), dialect=session.get_bind().dialect, dimensions=dimensions
        )


@dataclass
class Outcome:
    """What archiving one period did."""

    period: Period
    computed: bool
    records: int = 0
    rows: int = 0
    seconds: float = 0.0
    children: list[Outcome] = field(default_factory=list)


def claim_token() -> str:
    """32 hex digits: this host, this process, then random. A claim left by a process of this
    host that is gone (killed mid-archive) is recognised and taken over at once, not only once
    it expires."""
    return f"{_HOST}{os.getpid():08x}{secrets.token_hex(8)}"


def abandoned(token: str) -> bool:
    """Whether a claim was taken by a process of this host that no longer runs."""
    if len(token) != 32 or token[:8] != _HOST:
        return False
    try:
        pid = int(token[8:16], 16)
    except ValueError:
        return False
    if pid == os.getpid():
        return False  # another thread of this process is computing it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def today(site: SiteConfig, now: datetime) -> date:
    return local_day(now, site.timezone)


def is_due(state: State | None, period: Period, *, timezone: str, now: datetime) -> bool:
    """Missing, invalidated, or computed while the period was still running and either the
    period has ended since or the archive is older than its time to live."""
    if state is None or not state.fresh or state.ts_archived is None:
        return True
    _, end = period_bounds_utc(period, timezone)
    if state.ts_archived >= end:
        return False
    if now >= end:
        return True
    return (now - state.ts_archived).total_seconds() >= TTL_SECONDS[period.kind]


def count_rows(record: Record) -> int:
    if not isinstance(record, Table):
        return 1
    return sum(
        1 + (count_rows(row.sub) if row.sub is not None else 0) for row in record.rows.values()
    )


def compute_day(session: Session, target: Target, day: date) -> dict[str, Record]:
    """All records of one day from the raw logs (nothing stored)."""
    segment = target.condition(session)
    return day_records(session, site=target.site, day=day, segment=segment)


def _summed(
    session: Session,
    target: Target,
    period: Period,
    parts: list[Period],
    only: Collection[str] | None = None,
) -> dict[str, Record]:
    """Sum the stored archives of `parts` (only the records `only` names, when given), then
    recount what does not add up."""
    wanted = None if only is None else {*only, *derivation_inputs(only)}
    stored = repository.load(session, [target.archive_key(p) for p in parts], wanted)
    names = sorted({name for blobs in stored.values() for name in blobs})
    merged = {
        name: merge_records(
            (decode(blobs[name]) for blobs in stored.values() if name in blobs), summed_daily=True
        )
        for name in names
    }
    for derive in DERIVERS:
        derive(merged)
    if only is not None and not uniques.RECOUNTED.intersection(only):
        return finalize({name: merged[name] for name in only if name in merged})
    counted = uniques.period_uniques(
        session,
        idsite=target.site.idsite,
        timezone=target.site.timezone,
        period=period,
        segment=target.condition(session),
    )
    for name, values in counted.items():
        record = merged.get(name)
        if isinstance(record, dict) and values:
            record.update(values)
    return finalize(merged)


def first_day(session: Session, site: SiteConfig) -> date | None:
    """The local day of the site's first visit (None without visits)."""
    first = repository.first_visit_time(session, site.idsite)
    return None if first is None else local_day(first, site.timezone)


def _parts(session: Session, target: Target, period: Period, now: datetime) -> list[Period]:
    """The stored periods `period` sums: none before the first visit or after today."""
    first, last = first_day(session, target.site), today(target.site, now)
    if first is None:
        return []
    return [p for p in sub_periods(period) if first <= p.end and p.start <= last]


def compute_period(
    session: Session, target: Target, period: Period, *, now: datetime, children: list[Outcome]
) -> dict[str, Record] | None:
    """A week, month or year summed from its stored parts, archiving the parts that are due
    first; None when a part could not be archived (another worker holds it)."""
    parts = _parts(session, target, period, now)
    for part in parts:
        outcome = ensure(session, target, part, now=now)
        if outcome is not None:
            children.append(outcome)
            if not outcome.computed:
                return None
    return _summed(session, target, period, parts)


def archive(
    session: Session,
    target: Target,
    period: Period,
    *,
    now: datetime | None = None,
    force: bool = False,
) -> Outcome:
    """Compute and store one archive (not a range); commits. `force` takes over a claim."""
    moment = now or utc_now()
    key = target.archive_key(period)
    token = claim_token()
    until = moment + timedelta(seconds=LOCK_SECONDS)
    version = repository.claim(
        session, key, token=token, now=moment, until=until, force=force, abandoned=abandoned
    )
    session.commit()
    if version is None:
        return Outcome(period, computed=False)
    started = time.perf_counter()
    outcome = Outcome(period, computed=False)
    try:
        if period.kind == "day":
            records: dict[str, Record] | None = compute_day(session, target, period.start)
        else:
            records = compute_period(session, target, period, now=moment, children=outcome.children)
        # End the long read before writing: SQLite refuses a write from a snapshot that other
        # writers (the ingest workers) have moved past.
        session.commit()
        if records is not None:
            blobs = {name: encode(record) for name, record in records.items()}
            elapsed = time.perf_counter() - started
            repository.save(
                session, key, blobs, version=version, now=moment, duration_ms=int(elapsed * 1000)
            )
            outcome = Outcome(
                period,
                True,
                len(blobs),
                sum(map(count_rows, records.values())),
                elapsed,
                outcome.children,
            )
        repository.release(session, key, token=token)
        session.commit()
    except BaseException:
        session.rollback()
        repository.release(session, key, token=token)
        session.commit()
        raise
    return outcome


def ensure(session: Session, target: Target, period: Period, *, now: datetime) -> Outcome | None:
    """Archive `period` when it is due; None when the stored archive is good."""
    state = repository.read_state(session, target.archive_key(period))
    if not is_due(state, period, timezone=target.site.timezone, now=now):
        return None
    return archive(session, target, period, now=now)


def records_for(
    session: Session,
    target: Target,
    period: Period,
    *,
    now: datetime | None = None,
    names: Collection[str] | None = None,
) -> dict[str, Record]:
    """The records of a period (a range too; every record unless `names`), archiving what is
    due first."""
    moment = now or utc_now()
    if period.start > today(target.site, moment):
        return {}
    if period.kind == "range":
        parts = _parts(session, target, period, moment)
        for part in parts:
            ensure(session, target, part, now=moment)
        found = _summed(session, target, period, parts, names)
        return found if names is None else {n: r for n, r in found.items() if n in names}
    ensure(session, target, period, now=moment)
    key = target.archive_key(period)
    blobs = repository.load(session, [key], names)[key]
    return {name: decode(blob) for name, blob in blobs.items()}
