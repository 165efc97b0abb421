"""`API.*` methods that describe reports and segments, and the combined `API.get`.

`getReportMetadata` and `getProcessedReport` are generated from the registry, so every report
the API serves is listed; goal and custom dimension reports are listed once per configured
goal or dimension, with the parameter that selects it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analytics_server.reports import registry
from analytics_server.reports.formats import Keyed
from analytics_server.reports.registry import REPORTS, Report
from analytics_server.reports.service import (
    Call,
    MethodNotFoundError,
    report_result,
    sites,
)
from analytics_server.segments.fields import FIELDS
from analytics_server.sites.service import SiteConfig

# Reports whose metrics API.get puts together, in Matomo's order.
API_GET = ("VisitsSummary.get", "VisitFrequency.get", "Actions.get", "Referrers.get", "Goals.get")


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def describe(report: Report, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    metrics = {name: _title(name) for name in report.metrics}
    entry: dict[str, Any] = {
        "category": report.category,
        "name": report.name,
        "module": report.module,
        "action": report.action,
        "metrics": metrics,
        "processedMetrics": {m.name: _title(m.name) for m in report.processed},
        "uniqueId": report.unique_id,
    }
    if report.dimension:
        entry["dimension"] = report.dimension
    if report.subtable_method and not report.is_subtable:
        entry["actionToLoadSubTables"] = report.subtable_method
    if report.is_subtable:
        entry["isSubtableReport"] = True
    if parameters:
        entry["parameters"] = parameters
        suffix = "_".join(f"{k}--{v}" for k, v in parameters.items())
        entry["uniqueId"] = f"{report.unique_id}_{suffix}"
    return entry


def report_list(site: SiteConfig | None) -> list[dict[str, Any]]:
    """Every report, with one entry per goal and per custom dimension of `site`."""
    found: list[dict[str, Any]] = []
    for report in registry.ALL:
        if report.method == "Goals.get" and site is not None:
            found.append(describe(report))
            for idgoal, goal in sorted(site.goals.items()):
                entry = describe(report, {"idGoal": str(idgoal)})
                entry["name"] = f"Goal {goal.name}"
                found.append(entry)
            if site.ecommerce:
                found.append(describe(report, {"idGoal": "ecommerceOrder"}))
            continue
        if report.method == "CustomDimensions.getCustomDimension":
            for iddimension, dimension in sorted((site.dimensions if site else {}).items()):
                entry = describe(report, {"idDimension": str(iddimension)})
                entry["name"] = dimension.name
                entry["dimension"] = dimension.name
                found.append(entry)
            continue
        found.append(describe(report))
    return found


def report_metadata(call: Call) -> Any:
    site = None
    if call.params.get("idSite") or call.params.get("idSites"):
        params = call.params
        if not params.get("idSite"):
            params = params.with_overrides({"idSite": params.get("idSites")})
        chosen, _ = sites(Call(call.session, call.principal, params, call.now, call.settings))
        site = chosen[0] if chosen else None
    found = report_list(site)
    module, action = call.params.get("apiModule"), call.params.get("apiAction")
    if module:
        found = [r for r in found if r["module"] == module]
    if action:
        found = [r for r in found if r["action"] == action]
    return found


def processed_report(call: Call) -> Any:
    """API.getProcessedReport: a report with its metadata, columns and data in one answer."""
    module = call.params.text("apiModule", required=True, max_length=100)
    action = call.params.text("apiAction", required=True, max_length=100)
    report = REPORTS.get(f"{module}.{action}")
    if report is None:
        raise MethodNotFoundError(f"The report '{module}.{action}' does not exist.")
    data = report_result(call, report)
    meta = describe(report)
    columns = {"label": report.dimension} if report.dimension else {}
    columns.update(meta["metrics"])
    columns.update(meta["processedMetrics"])
    return {
        "website": call.params.get("idSite"),
        "prettyDate": f"{call.params.get('period')} {call.params.get('date')}",
        "metadata": meta,
        "columns": columns,
        "reportData": data,
        "reportMetadata": [],
        "reportTotal": _totals(data),
    }


def _totals(data: Any) -> Any:
    if isinstance(data, Keyed):
        return Keyed(data.key, {k: _totals(v) for k, v in data.results.items()})
    if not isinstance(data, list):
        return {}
    total: dict[str, Any] = {}
    for row in data:
        for name, value in row.items():
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and name.startswith(
                    ("nb_", "sum_", "entry_nb", "exit_nb", "revenue", "quantity", "orders")
                )
            ):
                total[name] = total.get(name, 0) + value
    return total


def segments_metadata(_call: Call) -> Any:
    return [
        {
            "type": "metric" if field.kind in ("number", "days", "hour") else "dimension",
            "category": _category(field.table),
            "name": _title(name),
            "segment": name,
        }
        for name, field in sorted(FIELDS.items())
    ]


def _category(table: str) -> str:
    return {"visit": "Visit", "action": "Behaviour", "conversion": "Goals"}.get(table, "Ecommerce")


def api_get(call: Call) -> Any:
    """API.get: the metrics of the summary reports, merged into one row per site and period."""
    parts = [report_result(call, REPORTS[name]) for name in API_GET]

    def merge(values: list[Any]) -> Any:
        if isinstance(values[0], Keyed):
            first = values[0]
            return Keyed(
                first.key,
                {k: merge([v.results[k] for v in values]) for k in first.results},
            )
        merged: dict[str, Any] = {}
        for value in values:
            if isinstance(value, dict):
                merged.update(value)
        return merged

    return merge(parts)


METHODS: dict[str, Callable[[Call], Any]] = {
    "API.getReportMetadata": report_metadata,
    "API.getProcessedReport": processed_report,
    "API.getSegmentsMetadata": segments_metadata,
    "API.get": api_get,
}
