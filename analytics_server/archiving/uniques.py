"""Unique visitors and users of periods longer than a day, counted from the raw logs.

Daily unique counts cannot be added up (a visitor seen on Monday and Tuesday is one visitor of
the week), so each week, month, year and range archive runs COUNT(DISTINCT) over the period's
visits once, in the site's time zone and segment. Exact; its cost grows with the period's
visits (on MariaDB about a second per million visits).
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from analytics_server.archiving.records import Metrics, number
from analytics_server.kit.periods import Period, period_bounds_utc
from analytics_server.models import LogVisit

visit_t = cast(sa.Table, LogVisit.__table__)
RECOUNTED = frozenset({"VisitsSummary_get", "VisitFrequency_get"})  # what period_uniques fills


def _counts(
    session: Session, where: list[ColumnElement[bool]], *keys: Any
) -> list[tuple[Any, ...]]:
    v = visit_t.c
    query = sa.select(
        *keys,
        sa.func.count(sa.distinct(v.idvisitor)),
        sa.func.count(sa.distinct(v.user_id)),
    ).where(*where)
    if keys:
        query = query.group_by(*keys)
    return [tuple(row) for row in session.execute(query)]


def period_uniques(
    session: Session,
    *,
    idsite: int,
    timezone: str,
    period: Period,
    segment: ColumnElement[bool] | None,
) -> dict[str, Metrics]:
    """Exact unique visitors and users for VisitsSummary.get and VisitFrequency.get."""
    start, end = period_bounds_utc(period, timezone)
    v = visit_t.c
    where = [v.idsite == idsite, v.visit_last_action_time >= start, v.visit_last_action_time < end]
    if segment is not None:
        where.append(segment)
    summary: Metrics = {}
    for row in _counts(session, where):
        summary = {"nb_uniq_visitors": number(row[0]), "nb_users": number(row[1])}
    frequency: Metrics = {}
    kind = sa.case((v.visitor_returning > 0, "returning"), else_="new")
    for row in _counts(session, where, kind):
        frequency[f"nb_uniq_visitors_{row[0]}"] = number(row[1])
        frequency[f"nb_users_{row[0]}"] = number(row[2])
    return {"VisitsSummary_get": summary, "VisitFrequency_get": frequency}
