"""Queries of the Live reports: pages of raw visits, their actions, conversions and items.

Every query names its site, so a visit, action or order id of one site never answers for
another. Pages of visits read `ix_log_visit_site_last` (idsite, visit_last_action_time) or, for
one visitor, `ix_log_visit_site_visitor_last`; the rows of a page are fetched with one query
per table on the page's visit ids (`ix_log_lva_idvisit`, the conversion and item primary keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from analytics_server.archiving.repository import CHUNK, ActionName, action_names
from analytics_server.models import LogConversion, LogConversionItem, LogLinkVisitAction, LogVisit

__all__ = [
    "ActionName",
    "Counters",
    "VisitQuery",
    "action_names",
    "actions",
    "adjacent_visitor",
    "conversions",
    "counters",
    "items",
    "visits",
]

visit_t = cast(sa.Table, LogVisit.__table__)
action_t = cast(sa.Table, LogLinkVisitAction.__table__)
conversion_t = cast(sa.Table, LogConversion.__table__)
item_t = cast(sa.Table, LogConversionItem.__table__)
Bool = ColumnElement[bool]


@dataclass(frozen=True)
class VisitQuery:
    """Which visits of one site: last action in [start, end), strictly after `after`, of one
    visitor, matching a segment condition on `log_visit`."""

    idsite: int
    condition: Bool | None = None
    start: datetime | None = None
    end: datetime | None = None
    after: datetime | None = None
    idvisitor: bytes | None = None
    ascending: bool = False

    def where(self) -> list[Bool]:
        v = visit_t.c
        found: list[Bool] = [v.idsite == self.idsite]
        if self.start is not None:
            found.append(v.visit_last_action_time >= self.start)
        if self.end is not None:
            found.append(v.visit_last_action_time < self.end)
        if self.after is not None:
            found.append(v.visit_last_action_time > self.after)
        if self.idvisitor is not None:
            found.append(v.idvisitor == self.idvisitor)
        if self.condition is not None:
            found.append(self.condition)
        return found


def visits(session: Session, query: VisitQuery, *, offset: int, limit: int) -> list[dict[str, Any]]:
    """One page of visits, newest last action first (oldest first when `ascending`)."""
    v = visit_t.c
    order: list[Any] = [v.visit_last_action_time, v.idvisit]
    if not query.ascending:
        order = [column.desc() for column in order]
    statement = (
        sa.select(visit_t).where(*query.where()).order_by(*order).offset(offset).limit(limit)
    )
    return [dict(row) for row in session.execute(statement).mappings()]


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    wanted = sorted(set(ids))
    return [wanted[i : i + CHUNK] for i in range(0, len(wanted), CHUNK)]


def _rows_of(
    session: Session, table: sa.Table, idsite: int, idvisits: Sequence[int], order: list[Any]
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for chunk in _chunks(idvisits):
        statement = (
            sa.select(table)
            .where(table.c.idsite == idsite, table.c.idvisit.in_(chunk))
            .order_by(*order)
        )
        found += [dict(row) for row in session.execute(statement).mappings()]
    return found


def actions(session: Session, idsite: int, idvisits: Sequence[int]) -> list[dict[str, Any]]:
    """The actions of these visits, in the order they happened."""
    a = action_t.c
    return _rows_of(session, action_t, idsite, idvisits, [a.idvisit, a.server_time, a.idlink_va])


def conversions(session: Session, idsite: int, idvisits: Sequence[int]) -> list[dict[str, Any]]:
    """Goal conversions, orders (idgoal 0) and carts (-1) of these visits, oldest first."""
    c = conversion_t.c
    return _rows_of(session, conversion_t, idsite, idvisits, [c.idvisit, c.server_time, c.idgoal])


def items(session: Session, idsite: int, idvisits: Sequence[int]) -> list[dict[str, Any]]:
    """The ecommerce items (not deleted) of the orders and carts of these visits."""
    i = item_t.c
    found = _rows_of(session, item_t, idsite, idvisits, [i.idvisit, i.idorder, i.idaction_sku])
    return [row for row in found if not row["deleted"]]


@dataclass(frozen=True)
class Counters:
    visits: int
    actions: int
    visitors: int
    converted: int


def counters(session: Session, query: VisitQuery) -> Counters:
    """Visits, their actions, distinct visitors and converted visits of the query."""
    v = visit_t.c
    statement = sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(v.visit_total_actions), 0),
        sa.func.count(sa.distinct(v.idvisitor)),
        sa.func.coalesce(sa.func.sum(sa.case((v.visit_goal_converted.is_(True), 1), else_=0)), 0),
    ).where(*query.where())
    row = session.execute(statement).one()
    return Counters(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def adjacent_visitor(
    session: Session, query: VisitQuery, *, idvisitor: bytes, moment: datetime, newer: bool
) -> bytes | None:
    """The visitor of the visit just after (`newer`) or just before `moment`, not `idvisitor`:
    the next and previous visitors of a visits log sorted by last action."""
    v = visit_t.c
    when = v.visit_last_action_time
    statement = (
        sa.select(v.idvisitor)
        .where(*query.where(), v.idvisitor != idvisitor, when > moment if newer else when < moment)
        .order_by(
            when.asc() if newer else when.desc(), v.idvisit.asc() if newer else v.idvisit.desc()
        )
        .limit(1)
    )
    found = session.execute(statement).scalar()
    return bytes(found) if found is not None else None
