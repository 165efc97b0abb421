"""Action-scope custom dimension records: hits, visits and visitors per value, page URLs as
subtables. (Visit-scope dimensions are visit-dimension records, see `dimensions`.)"""

from __future__ import annotations

from analytics_server.archiving.dimensions import custom_dimension_record
from analytics_server.archiving.metrics import grouped, hit_metrics, label
from analytics_server.archiving.records import Record, Table
from analytics_server.archiving.repository import action_names
from analytics_server.archiving.scope import Scope
from analytics_server.models import log as m


def _table(scope: Scope, column: str) -> Table:
    a = scope.actions
    value = a.c[column]
    table = Table()
    found = grouped(
        scope, source=a, keys=[value], metrics=hit_metrics(a), where=[value.is_not(None)]
    )
    for (key,), metrics in found.items():
        table.add(label(key), metrics)
    pages = grouped(
        scope,
        source=a,
        keys=[value, a.c.idaction_url],
        metrics=hit_metrics(a),
        where=[value.is_not(None), a.c.action_type == m.HIT_PAGEVIEW],
    )
    names = action_names(scope.session, {key[1] for key in pages})
    for (key, idaction), metrics in pages.items():
        name = names.get(idaction)
        if name is None:
            continue
        row = table.row(label(key))
        if row.sub is None:
            row.sub = Table()
        row.sub.add(name.full, metrics, {"url": name.full})
    return table


def build(scope: Scope) -> dict[str, Record]:
    return {
        custom_dimension_record(dim.iddimension): _table(scope, dim.column)
        for dim in scope.dimensions("action")
    }
