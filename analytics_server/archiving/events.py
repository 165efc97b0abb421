"""Event records: by category, action and name, each with a subtable of another of the three
(Matomo's `secondaryDimension`), with event counts and value sum, minimum and maximum."""

from __future__ import annotations

from itertools import permutations

import sqlalchemy as sa

from analytics_server.archiving.metrics import Labeled, grouped
from analytics_server.archiving.records import Metrics, Record, Table
from analytics_server.archiving.repository import action_names
from analytics_server.archiving.scope import Scope
from analytics_server.models import log as m

DIMENSIONS = {
    "eventCategory": ("getCategory", "idaction_event_category"),
    "eventAction": ("getAction", "idaction_event_action"),
    "eventName": ("getName", "idaction_name"),
}
# Matomo's default subtable of each report.
DEFAULT_SECONDARY = {
    "eventCategory": "eventAction",
    "eventAction": "eventName",
    "eventName": "eventAction",
}


def record_name(primary: str, secondary: str) -> str:
    method = DIMENSIONS[primary][0]
    if DEFAULT_SECONDARY[primary] == secondary:
        return f"Events_{method}"
    return f"Events_{method}_secondaryDimension--{secondary}"


def _metrics(a: sa.Table) -> list[Labeled]:
    value = a.c.custom_float
    return [
        sa.func.count().label("nb_events"),
        sa.func.count(sa.distinct(a.c.idvisit)).label("nb_visits"),
        sa.func.count(sa.distinct(a.c.vkey)).label("nb_uniq_visitors"),
        sa.func.count(value).label("nb_events_with_value"),
        sa.func.sum(value).label("sum_event_value"),
        sa.func.min(value).label("min_event_value"),
        sa.func.max(value).label("max_event_value"),
    ]


def _by(scope: Scope, *columns: str) -> dict[tuple[object, ...], Metrics]:
    a = scope.of_kind(m.HIT_EVENT)
    return grouped(scope, source=a, keys=[a.c[c] for c in columns], metrics=_metrics(a))


def build(scope: Scope) -> dict[str, Record]:
    column = {key: spec[1] for key, spec in DIMENSIONS.items()}
    singles = {key: _by(scope, column[key]) for key in DIMENSIONS}
    pairs = {
        (first, second): _by(scope, column[first], column[second])
        for first, second in (
            ("eventCategory", "eventAction"),
            ("eventCategory", "eventName"),
            ("eventAction", "eventName"),
        )
    }
    ids = {k[0] for found in singles.values() for k in found}
    names = action_names(scope.session, ids)

    def text(idaction: object) -> str:
        found = names.get(idaction) if isinstance(idaction, int) else None
        return found.name if found is not None else ""

    records: dict[str, Record] = {}
    for primary, secondary in permutations(DIMENSIONS, 2):
        table = Table()
        for (key,), metrics in singles[primary].items():
            table.add(text(key), metrics)
        flipped = (primary, secondary) not in pairs
        for (first, second), metrics in pairs[
            (secondary, primary) if flipped else (primary, secondary)
        ].items():
            parent, child = (second, first) if flipped else (first, second)
            row = table.row(text(parent))
            if row.sub is None:
                row.sub = Table()
            row.sub.add(text(child), metrics)
        records[record_name(primary, secondary)] = table
    return records
