"""Goal and ecommerce records: conversions and revenue overall, per goal (new and returning
visits), by channel, device type and country, days and visits to conversion; orders, abandoned
carts and the products sold or left in carts by SKU, name and category."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from analytics_server.archiving.metrics import grouped, label
from analytics_server.archiving.records import Metrics, Record, Table, add_metrics
from analytics_server.archiving.repository import action_names
from analytics_server.archiving.scope import Scope
from analytics_server.archiving.visits import bucket
from analytics_server.models import LogConversion, LogConversionItem
from analytics_server.models import log as m

conversion_t = cast(sa.Table, LogConversion.__table__)
item_t = cast(sa.Table, LogConversionItem.__table__)

ORDER, CART = "ecommerceOrder", "ecommerceAbandonedCart"
ORDER_COLUMNS = ("revenue_subtotal", "revenue_tax", "revenue_shipping", "revenue_discount")
# Visit dimensions whose reports get goal columns: (record they decorate, conversion column).
BY_DIMENSION = (
    ("Referrers_getReferrerType", "referer_type"),
    ("DevicesDetection_getType", "config_device_type"),
    ("UserCountry_getCountry", "location_country"),
)
DAYS_TO_CONVERSION = [
    *((n, str(n)) for n in range(8)),
    (14, "8-14"),
    (30, "15-30"),
    (60, "31-60"),
    (120, "61-120"),
    (364, "121-364"),
    (None, "365+"),
]
VISITS_TO_CONVERSION = [
    *((n, str(n)) for n in range(1, 9)),
    (14, "9-14"),
    (25, "15-25"),
    (50, "26-50"),
    (100, "51-100"),
    (None, "101+"),
]


def goal_key(idgoal: int) -> str:
    return {m.GOAL_ORDER: ORDER, m.GOAL_CART: CART}.get(idgoal, str(idgoal))


def goal_record(idgoal: int) -> str:
    return f"Goals_get_idGoal--{goal_key(idgoal)}"


def _conversions(scope: Scope, *extra: ColumnElement[bool]) -> list[ColumnElement[bool]]:
    c = conversion_t.c
    return [
        c.idsite == scope.site.idsite,
        c.server_time >= scope.start,
        c.server_time < scope.end,
        scope.visit_filter(c.idvisit),
        *extra,
    ]


def _conversion_metrics() -> list[Any]:
    c = conversion_t.c
    return [
        sa.func.count().label("nb_conversions"),
        sa.func.count(sa.distinct(c.idvisit)).label("nb_visits_converted"),
        sa.func.sum(c.revenue).label("revenue"),
        sa.func.sum(c["items"]).label("items"),
        *(sa.func.sum(c[name]).label(name) for name in ORDER_COLUMNS),
    ]


def per_goal(scope: Scope) -> dict[str, Record]:
    c = conversion_t.c
    kind = sa.case((c.visitor_returning > 0, "returning_visit"), else_="new_visit")
    found = grouped(
        scope,
        source=conversion_t,
        keys=[c.idgoal, kind],
        metrics=_conversion_metrics(),
        where=_conversions(scope),
    )
    records: dict[str, Record] = {}
    overall: Metrics = {}
    for (idgoal, visit_kind), metrics in found.items():
        if idgoal not in (m.GOAL_ORDER, m.GOAL_CART):
            metrics = {
                k: v
                for k, v in metrics.items()
                if k in ("nb_conversions", "nb_visits_converted", "revenue")
            }
        record = cast(Metrics, records.setdefault(goal_record(idgoal), {}))
        add_metrics(record, metrics)
        add_metrics(record, {f"{k}_{visit_kind}": v for k, v in metrics.items()})
        if idgoal != m.GOAL_CART:
            add_metrics(overall, {k: metrics[k] for k in ("nb_conversions", "revenue")})
    if overall:
        converted = grouped(
            scope,
            source=conversion_t,
            keys=[],
            metrics=[sa.func.count(sa.distinct(c.idvisit)).label("nb_visits_converted")],
            where=_conversions(scope, c.idgoal != m.GOAL_CART),
        )
        overall.update(converted.get((), {}))
    records["Goals_get"] = overall
    return records


def _goal_columns(found: dict[tuple[Any, ...], Metrics]) -> Table:
    """Rows by the first key, with per-goal columns `goal_<id>_<metric>` and totals."""
    table = Table()
    for (value, idgoal), metrics in found.items():
        key = goal_key(idgoal)
        row = table.add(label(value), {})
        add_metrics(row.metrics, {f"goal_{key}_{name}": v for name, v in metrics.items()})
        add_metrics(
            row.metrics,
            {"nb_conversions": metrics["nb_conversions"], "revenue": metrics["revenue"]},
        )
    return table


def _metrics() -> list[Any]:
    c = conversion_t.c
    return [
        sa.func.count().label("nb_conversions"),
        sa.func.count(sa.distinct(c.idvisit)).label("nb_visits_converted"),
        sa.func.sum(c.revenue).label("revenue"),
    ]


def by_dimension(scope: Scope) -> dict[str, Record]:
    """Goal columns for rows of channel, device type and country reports."""
    c = conversion_t.c
    where = _conversions(scope, c.idgoal != m.GOAL_CART)
    records: dict[str, Record] = {}
    for record, name in BY_DIMENSION:
        column = c[name]
        table = _goal_columns(
            grouped(
                scope, source=conversion_t, keys=[column, c.idgoal], metrics=_metrics(), where=where
            )
        )
        visits = grouped(
            scope, source=conversion_t, keys=[column], metrics=_metrics()[1:2], where=where
        )
        for (value,), found in visits.items():
            table.row(label(value)).metrics.update(found)
        records[f"Goals_{record}"] = table
    return records


def to_conversion(scope: Scope) -> dict[str, Record]:
    """Conversions by days since the first visit and by the number of visits."""
    c = conversion_t.c
    where = _conversions(scope, c.idgoal != m.GOAL_CART)
    records: dict[str, Record] = {}
    days = sa.func.coalesce(c.visitor_seconds_since_first, 0) // 86400
    for record, key in (
        ("Goals_getDaysToConversion", bucket(days, DAYS_TO_CONVERSION)),
        ("Goals_getVisitsUntilConversion", bucket(c.visitor_count_visits, VISITS_TO_CONVERSION)),
    ):
        found = grouped(
            scope, source=conversion_t, keys=[key, c.idgoal], metrics=_metrics()[:1], where=where
        )
        records[record] = _goal_columns({k: {**v, "revenue": 0} for k, v in found.items()})
    return records


def items(scope: Scope) -> dict[str, Record]:
    i = item_t.c
    metrics = [
        sa.func.sum(i.price * i.quantity).label("revenue"),
        sa.func.sum(i.quantity).label("quantity"),
        sa.func.count(sa.distinct(i.idorder)).label("orders"),
        sa.func.count(sa.distinct(i.idvisit)).label("nb_visits"),
    ]
    base = [
        i.idsite == scope.site.idsite,
        i.server_time >= scope.start,
        i.server_time < scope.end,
        i.deleted.is_(False),
        scope.visit_filter(i.idvisit),
    ]
    records: dict[str, Record] = {}
    for method, column in (
        ("getItemsSku", i.idaction_sku),
        ("getItemsName", i.idaction_name),
        ("getItemsCategory", i.idaction_category),
    ):
        for suffix, condition in (("", i.idorder != "0"), ("_abandonedCarts--1", i.idorder == "0")):
            found = grouped(
                scope, source=item_t, keys=[column], metrics=metrics, where=[*base, condition]
            )
            names = action_names(scope.session, {k[0] for k in found})
            table = Table()
            for (idaction,), values in found.items():
                name = names.get(idaction)
                table.add(name.name if name is not None else "", values)
            records[f"Goals_{method}{suffix}"] = table
    return records


def build(scope: Scope) -> dict[str, Record]:
    records = per_goal(scope)
    records.update(by_dimension(scope))
    records.update(to_conversion(scope))
    records.update(items(scope))
    return records
