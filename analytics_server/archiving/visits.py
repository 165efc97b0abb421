"""Visit records: VisitsSummary, VisitFrequency, VisitTime and VisitorInterest reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from analytics_server.archiving.metrics import grouped, label, visit_metrics
from analytics_server.archiving.records import Metrics, Record, Table
from analytics_server.archiving.scope import Scope

SUMMARY = "VisitsSummary_get"
FREQUENCY = "VisitFrequency_get"

# (largest value in the bucket or None for "and more", label), Matomo's VisitorInterest ranges.
DURATION_BUCKETS = [
    (10, "0-10"),
    (30, "11-30"),
    (60, "31-60"),
    (120, "61-120"),
    (240, "121-240"),
    (420, "241-420"),
    (600, "421-600"),
    (900, "601-900"),
    (1800, "901-1800"),
    (None, "1801+"),
]
PAGE_BUCKETS = [
    (0, "0"),
    (1, "1"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5"),
    (7, "6-7"),
    (10, "8-10"),
    (14, "11-14"),
    (20, "15-20"),
    (None, "21+"),
]
VISIT_COUNT_BUCKETS = [
    *((n, str(n)) for n in range(1, 9)),
    (14, "9-14"),
    (25, "15-25"),
    (50, "26-50"),
    (100, "51-100"),
    (200, "101-200"),
    (None, "201+"),
]
DAYS_SINCE_LAST_BUCKETS = [
    *((n, str(n)) for n in range(8)),
    (14, "8-14"),
    (30, "15-30"),
    (60, "31-60"),
    (120, "61-120"),
    (364, "121-364"),
    (None, "365+"),
]


def bucket(column: ColumnElement[Any], buckets: Sequence[tuple[int | None, str]]) -> Any:
    """A CASE giving each value the label of the first bucket whose top it does not exceed."""
    whens = [(column <= top, name) for top, name in buckets if top is not None]
    return sa.case(*whens, else_=buckets[-1][1])


def summary(scope: Scope) -> Metrics:
    found = grouped(scope, source=scope.visits, keys=[], metrics=visit_metrics(scope.visits))
    return found.get((), {})


def frequency(scope: Scope) -> Metrics:
    v = scope.visits
    returning = sa.case((v.c.visitor_returning > 0, "returning"), else_="new")
    found = grouped(scope, source=v, keys=[returning], metrics=visit_metrics(v))
    return {
        f"{name}_{kind}": value
        for (kind,), metrics in found.items()
        for name, value in metrics.items()
    }


def _table(found: dict[tuple[Any, ...], Metrics]) -> Table:
    table = Table()
    for key, metrics in found.items():
        table.add(label(*key), metrics)
    return table


def times(scope: Scope, day_summary: Metrics) -> dict[str, Record]:
    v = scope.visits
    metrics = visit_metrics(v)
    records: dict[str, Record] = {
        "VisitTime_getVisitInformationPerServerTime": _table(
            grouped(scope, source=v, keys=[v.c.site_hour], metrics=metrics)
        ),
        "VisitTime_getVisitInformationPerLocalTime": _table(
            grouped(
                scope,
                source=v,
                keys=[v.c.local_hour],
                metrics=metrics,
                where=[v.c.local_hour.is_not(None)],
            )
        ),
    }
    by_day = Table()
    if day_summary:
        by_day.add(str(scope.day.isoweekday()), day_summary)
    records["VisitTime_getByDayOfWeek"] = by_day
    return records


def _interest(
    scope: Scope, column: ColumnElement[Any], buckets: Sequence[tuple[int | None, str]]
) -> Table:
    key = bucket(column, buckets)
    found = grouped(
        scope,
        source=scope.visits,
        keys=[key],
        metrics=[sa.func.count().label("nb_visits")],
        where=[column.is_not(None)],
    )
    return _table(found)


def interest(scope: Scope) -> dict[str, Record]:
    v = scope.visits.c
    days_since_last = v.visitor_seconds_since_last // 86400
    return {
        "VisitorInterest_getNumberOfVisitsPerVisitDuration": _interest(
            scope, v.visit_total_time, DURATION_BUCKETS
        ),
        "VisitorInterest_getNumberOfVisitsPerPage": _interest(
            scope, v.visit_total_interactions, PAGE_BUCKETS
        ),
        "VisitorInterest_getNumberOfVisitsByVisitCount": _interest(
            scope, v.visitor_count_visits, VISIT_COUNT_BUCKETS
        ),
        "VisitorInterest_getNumberOfVisitsByDaysSinceLast": _interest(
            scope, days_since_last, DAYS_SINCE_LAST_BUCKETS
        ),
    }


def build(scope: Scope) -> dict[str, Record]:
    day_summary = summary(scope)
    records: dict[str, Record] = {SUMMARY: day_summary, FREQUENCY: frequency(scope)}
    records.update(times(scope, day_summary))
    records.update(interest(scope))
    return records
