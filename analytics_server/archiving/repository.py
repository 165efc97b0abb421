"""All archiving queries outside the record builders: archive state and blobs, action names."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from analytics_server.kit.dialect import insert_ignore
from analytics_server.kit.periods import PERIOD_IDS, Period
from analytics_server.kit.urls import join_url_prefix
from analytics_server.models import ArchiveRecord, ArchiveState, LogAction, LogVisit

state_t = cast(sa.Table, ArchiveState.__table__)
record_t = cast(sa.Table, ArchiveRecord.__table__)
dictionary_t = cast(sa.Table, LogAction.__table__)
visit_t = cast(sa.Table, LogVisit.__table__)
CHUNK = 900  # ids per IN list: below SQLite's 999 variables


@dataclass(frozen=True)
class ActionName:
    name: str  # as stored (URLs without their prefix)
    full: str  # URLs with their prefix put back


def action_names(session: Session, ids: Collection[Any]) -> dict[int, ActionName]:
    wanted = sorted(i for i in ids if i is not None)
    found: dict[int, ActionName] = {}
    d = dictionary_t.c
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        query = sa.select(d.idaction, d.name, d.url_prefix).where(d.idaction.in_(chunk))
        for idaction, name, prefix in session.execute(query):
            try:
                full = join_url_prefix(prefix, name)
            except ValueError:
                full = name
            found[idaction] = ActionName(name, full)
    return found


@dataclass(frozen=True)
class ArchiveKey:
    """What one archive covers: a site, a segment (md5 hex, "" for all visits), a period."""

    idsite: int
    segment: str
    period: Period

    def where(self, table: sa.Table) -> list[sa.ColumnElement[bool]]:
        return [
            table.c.idsite == self.idsite,
            table.c.segment == self.segment,
            table.c.period == PERIOD_IDS[self.period.kind],
            table.c.date1 == self.period.start,
        ]


@dataclass(frozen=True)
class State:
    period: int
    date1: date
    date2: date
    version: int
    done_version: int | None
    ts_archived: datetime | None

    @property
    def fresh(self) -> bool:
        return self.done_version is not None and self.done_version >= self.version


def read_state(session: Session, key: ArchiveKey) -> State | None:
    s = state_t.c
    row = session.execute(
        sa.select(s.period, s.date1, s.date2, s.version, s.done_version, s.ts_archived).where(
            *key.where(state_t)
        )
    ).first()
    return State(*row) if row is not None else None


def states(session: Session, *, idsite: int, segment: str) -> list[State]:
    s = state_t.c
    query = sa.select(s.period, s.date1, s.date2, s.version, s.done_version, s.ts_archived).where(
        s.idsite == idsite, s.segment == segment
    )
    return [State(*row) for row in session.execute(query)]


def claim(
    session: Session,
    key: ArchiveKey,
    *,
    token: str,
    now: datetime,
    until: datetime,
    force: bool,
    abandoned: Callable[[str], bool] = lambda _token: False,
) -> int | None:
    """Take the key for computing (creating its state row); its current version, or None
    when another worker holds an unexpired claim that `abandoned` does not disown."""
    dialect = session.get_bind().dialect.name
    session.execute(
        insert_ignore(state_t, dialect).values(
            idsite=key.idsite,
            segment=key.segment,
            period=PERIOD_IDS[key.period.kind],
            date1=key.period.start,
            date2=key.period.end,
            version=0,
            records=0,
            duration_ms=0,
        )
    )
    s = state_t.c
    free = sa.or_(s.lock_token.is_(None), s.lock_expires < now, sa.true() if force else sa.false())
    result = cast(
        CursorResult[Any],
        session.execute(
            sa.update(state_t)
            .where(*key.where(state_t), free)
            .values(lock_token=token, lock_expires=until)
        ),
    )
    if result.rowcount != 1:
        held = session.scalar(sa.select(s.lock_token).where(*key.where(state_t)))
        if held is None or not abandoned(held):
            return None
        result = cast(
            CursorResult[Any],
            session.execute(
                sa.update(state_t)
                .where(*key.where(state_t), s.lock_token == held)
                .values(lock_token=token, lock_expires=until)
            ),
        )
        if result.rowcount != 1:
            return None
    return int(session.scalar(sa.select(s.version).where(*key.where(state_t))) or 0)


def release(session: Session, key: ArchiveKey, *, token: str) -> None:
    s = state_t.c
    session.execute(
        sa.update(state_t)
        .where(*key.where(state_t), s.lock_token == token)
        .values(lock_token=None, lock_expires=None)
    )


def save(
    session: Session,
    key: ArchiveKey,
    blobs: Mapping[str, bytes],
    *,
    version: int,
    now: datetime,
    duration_ms: int,
) -> None:
    """Replace the key's blobs and record which version they reflect."""
    session.execute(sa.delete(record_t).where(*key.where(record_t)))
    base = {
        "idsite": key.idsite,
        "segment": key.segment,
        "period": PERIOD_IDS[key.period.kind],
        "date1": key.period.start,
    }
    rows = [{**base, "name": name, "value": value} for name, value in sorted(blobs.items())]
    if rows:
        session.execute(sa.insert(record_t), rows)
    session.execute(
        sa.update(state_t)
        .where(*key.where(state_t))
        .values(
            done_version=version,
            ts_archived=now,
            records=len(rows),
            duration_ms=duration_ms,
        )
    )


def load(
    session: Session, keys: Iterable[ArchiveKey], names: Collection[str] | None = None
) -> dict[ArchiveKey, dict[str, bytes]]:
    """The stored blobs of each key (only `names` when given); keys without blobs map to {}."""
    result: dict[ArchiveKey, dict[str, bytes]] = {}
    r = record_t.c
    for key in keys:
        query = sa.select(r.name, r.value).where(*key.where(record_t))
        if names is not None:
            query = query.where(r.name.in_(sorted(names)))
        result[key] = {row.name: row.value for row in session.execute(query)}
    return result


def bump_versions(session: Session, *, idsite: int, first: date, last: date) -> None:
    """Mark stale every archive (any segment, any period) overlapping [first, last]."""
    s = state_t.c
    session.execute(
        sa.update(state_t)
        .where(s.idsite == idsite, s.date1 <= last, s.date2 >= first)
        .values(version=s.version + 1)
    )


def first_visit_time(session: Session, idsite: int) -> datetime | None:
    v = visit_t.c
    found = session.scalar(
        sa.select(v.visit_last_action_time)
        .where(v.idsite == idsite)
        .order_by(v.visit_last_action_time)
        .limit(1)
    )
    return cast(datetime | None, found)


def has_traffic(session: Session, *, idsite: int, start: datetime, end: datetime) -> bool:
    v = visit_t.c
    query = (
        sa.select(v.idvisit)
        .where(
            v.idsite == idsite, v.visit_last_action_time >= start, v.visit_last_action_time < end
        )
        .limit(1)
    )
    return session.scalar(query) is not None


def purge_segments(
    session: Session, *, idsite: int, keep: Collection[str], before: datetime
) -> int:
    """Delete archives of segments not in `keep` (ad-hoc segments a report request computed)
    last computed before `before`; the number of archives deleted."""
    s, r = state_t.c, record_t.c
    stale = sa.select(s.segment, s.period, s.date1).where(
        s.idsite == idsite,
        s.segment != "",
        s.segment.not_in(sorted(keep)) if keep else sa.true(),
        s.lock_token.is_(None),
        sa.or_(s.ts_archived.is_(None), s.ts_archived < before),
    )
    found = list(session.execute(stale))
    for segment, period, date1 in found:
        where = [r.idsite == idsite, r.segment == segment, r.period == period, r.date1 == date1]
        session.execute(sa.delete(record_t).where(*where))
        session.execute(
            sa.delete(state_t).where(
                s.idsite == idsite, s.segment == segment, s.period == period, s.date1 == date1
            )
        )
    return len(found)
