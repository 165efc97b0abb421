"""Metric expressions shared by the record builders, named as Matomo's API names them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from analytics_server.archiving.records import Metrics, number
from analytics_server.archiving.scope import Scope

Labeled = ColumnElement[Any]
PERFORMANCE = ("network", "server", "transfer", "dom_processing", "dom_completion", "on_load")


def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return sa.case((condition, 1), else_=0)


def visit_metrics(v: sa.Table) -> list[Labeled]:
    """Matomo's visit-report columns: one row of these per dimension value."""
    return [
        sa.func.count().label("nb_visits"),
        sa.func.count(sa.distinct(v.c.vkey)).label("nb_uniq_visitors"),
        sa.func.count(sa.distinct(v.c.ukey)).label("nb_users"),
        sa.func.sum(v.c.visit_total_actions).label("nb_actions"),
        sa.func.max(v.c.visit_total_actions).label("max_actions"),
        sa.func.sum(v.c.visit_total_time).label("sum_visit_length"),
        sa.func.sum(flag(v.c.visit_total_actions <= 1)).label("bounce_count"),
        sa.func.sum(sa.cast(v.c.visit_goal_converted, sa.Integer)).label("nb_visits_converted"),
    ]


def hit_metrics(a: sa.Table) -> list[Labeled]:
    return [
        sa.func.count().label("nb_hits"),
        sa.func.count(sa.distinct(a.c.idvisit)).label("nb_visits"),
        sa.func.count(sa.distinct(a.c.vkey)).label("nb_uniq_visitors"),
    ]


def performance_metrics(a: sa.Table) -> list[Labeled]:
    """Sums, counts, minimum and maximum of each page-load timing (milliseconds)."""
    columns: list[Labeled] = []
    for name in PERFORMANCE:
        column = a.c[f"time_{name}"]
        columns += [
            sa.func.sum(column).label(f"sum_time_{name}"),
            sa.func.count(column).label(f"nb_hits_with_time_{name}"),
            sa.func.min(column).label(f"min_time_{name}"),
            sa.func.max(column).label(f"max_time_{name}"),
        ]
    return columns


def grouped(
    scope: Scope,
    *,
    source: sa.Table,
    keys: Sequence[Labeled],
    metrics: Sequence[Labeled],
    where: Sequence[ColumnElement[bool]] = (),
) -> dict[tuple[Any, ...], Metrics]:
    """Run one GROUP BY and return {key tuple: metrics}; metrics that are NULL are left out
    (a minimum over no timings is no minimum), zeros are kept."""
    statement = sa.select(*keys, *metrics).select_from(source).where(*where)
    if keys:
        statement = statement.group_by(*keys)
    width = len(keys)
    names = [m.key or m.name for m in metrics]
    result: dict[tuple[Any, ...], Metrics] = {}
    for row in scope.rows(statement):
        values = {
            name: number(value)
            for name, value in zip(names, row[width:], strict=True)
            if value is not None
        }
        if not keys and not values.get(names[0]):
            continue  # an aggregate over no rows
        result[tuple(row[:width])] = values
    return result


def label(*parts: Any, sep: str = ";") -> str:
    """A row label from one or more dimension values; NULL is the empty string."""
    return sep.join("" if part is None else str(part) for part in parts)
