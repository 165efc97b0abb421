"""`API.*` methods that describe reports and segments, the combined `API.get`, and the
all-websites overview `MultiSites.getAll`/`getOne`.

`getReportMetadata` and `getProcessedReport` are generated from the registry, so every report
the API serves is listed; goal and custom dimension reports are listed once per configured
goal or dimension, with the parameter that selects it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analytics_server.kit.periods import Period
from analytics_server.models import Site
from analytics_server.reports import registry
from analytics_server.reports.formats import per_result
from analytics_server.reports.params import Params
from analytics_server.reports.registry import REPORTS, Report
from analytics_server.reports.service import (
    Call,
    MethodNotFoundError,
    answer,
    each_site_and_period,
    periods,
    record_names,
    records,
    report_result,
    sites,
)
from analytics_server.segments.fields import FIELDS
from analytics_server.sites.service import SiteConfig

# Reports whose metrics API.get puts together, in Matomo's order.
API_GET = ("VisitsSummary.get", "VisitFrequency.get", "Actions.get", "Referrers.get", "Goals.get")


# Display names of the metrics, in English (what Matomo's report metadata gives clients to
# label columns); other names are spelled out from the column name.
METRIC_NAMES = {
    "nb_visits": "Visits",
    "nb_uniq_visitors": "Unique visitors",
    "nb_users": "Users",
    "nb_actions": "Actions",
    "max_actions": "Maximum actions in one visit",
    "sum_visit_length": "Total time spent by visitors (in seconds)",
    "bounce_count": "Bounces",
    "nb_visits_converted": "Visits converted",
    "nb_conversions": "Conversions",
    "revenue": "Revenue",
    "conversion_rate": "Conversion rate",
    "bounce_rate": "Bounce rate",
    "nb_actions_per_visit": "Actions per visit",
    "avg_time_on_site": "Average visit duration (in seconds)",
    "nb_hits": "Pageviews",
    "sum_time_spent": "Total time spent (in seconds)",
    "entry_nb_visits": "Entrances",
    "exit_nb_visits": "Exits",
    "avg_time_on_page": "Average time on page",
    "exit_rate": "Exit rate",
    "nb_events": "Events",
    "avg_event_value": "Average event value",
    "nb_impressions": "Impressions",
    "nb_interactions": "Interactions",
    "interaction_rate": "Interaction rate",
}
# Short explanations, in our own words, of the metrics clients most often show.
METRIC_DOCS = {
    "nb_visits": "Visits that had their last action in the period.",
    "nb_uniq_visitors": "Distinct visitors (by visitor id) in the period.",
    "nb_actions": "Page views, downloads, outlinks, searches and events.",
    "bounce_rate": "Share of visits with a single action.",
    "nb_actions_per_visit": "Average number of actions in a visit.",
    "avg_time_on_site": "Average visit length, in seconds.",
    "conversion_rate": "Share of visits that converted.",
    "nb_hits": "Times the page was viewed.",
    "avg_time_on_page": "Average time before the next action, in seconds.",
    "exit_rate": "Share of the page's visits that ended on it.",
}


def _title(name: str) -> str:
    return METRIC_NAMES.get(name) or name.replace("_", " ").capitalize()


def describe(
    report: Report, parameters: dict[str, str] | None = None, *, order: int = 0
) -> dict[str, Any]:
    names = [*report.metrics, *(m.name for m in report.processed)]
    entry: dict[str, Any] = {
        "category": report.category,
        "subcategory": report.subcategory or report.name,
        "name": report.name,
        "module": report.module,
        "action": report.action,
        "metrics": {name: _title(name) for name in report.metrics},
        "processedMetrics": {m.name: _title(m.name) for m in report.processed},
        "metricsDocumentation": {n: METRIC_DOCS[n] for n in names if n in METRIC_DOCS},
        "uniqueId": report.unique_id,
        "order": order or _ORDER.get(report.method, 0),
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


_ORDER = {report.method: (index + 1) * 10 for index, report in enumerate(registry.ALL)}


def _variant(report: Report, site: SiteConfig, parameters: dict[str, str]) -> dict[str, Any]:
    """The entry of a report for one goal or dimension: its columns as it answers them."""
    adapted = report.for_site(site, Params.from_mapping(parameters))
    return describe(adapted, parameters, order=_ORDER[report.method])


def _goal_entries(report: Report, site: SiteConfig) -> list[dict[str, Any]]:
    found = [describe(report)]
    for idgoal, goal in sorted(site.goals.items()):
        entry = _variant(report, site, {"idGoal": str(idgoal)})
        entry["name"] = f"Goal {goal.name}"
        found.append(entry)
    if site.ecommerce:
        for key, name in (
            ("ecommerceOrder", "Ecommerce orders"),
            ("ecommerceAbandonedCart", "Abandoned carts"),
        ):
            entry = _variant(report, site, {"idGoal": key})
            entry["name"] = name
            found.append(entry)
    return found


def _dimension_entries(report: Report, site: SiteConfig) -> list[dict[str, Any]]:
    found = []
    for iddimension, dimension in sorted(site.dimensions.items()):
        entry = _variant(report, site, {"idDimension": str(iddimension)})
        entry["name"] = dimension.name
        found.append(entry)
    return found


def report_list(site: SiteConfig | None) -> list[dict[str, Any]]:
    """Every report, with one entry per goal and per custom dimension of `site`."""
    found: list[dict[str, Any]] = []
    for report in registry.ALL:
        if report.method in ("Goals.get", "Goals.getMetrics") and site is not None:
            found += _goal_entries(report, site)
            continue
        if report.method == "CustomDimensions.getCustomDimension":
            found += _dimension_entries(report, site) if site is not None else []
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
    chosen, _ = sites(call)
    meta = describe(report.for_site(chosen[0], call.params) if chosen else report)
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
        "reportTotal": per_result(data, _totals),
    }


def _totals(data: Any) -> dict[str, Any]:
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
    """API.get: the metrics of the summary reports, merged into one row per site and period
    (their records read together)."""
    reports = [REPORTS[name] for name in API_GET]

    def compute(site: SiteConfig, period: Period) -> dict[str, Any]:
        names = [name for report in reports for name in record_names(report, call.params)]
        found = records(call, site, period, list(dict.fromkeys(names)))
        merged: dict[str, Any] = {}
        for report in reports:
            value = answer(report, found, call, site)
            if isinstance(value, dict):
                merged.update(value)
        return merged

    return each_site_and_period(call, compute)


MULTISITES_RECORDS = ("VisitsSummary_get", "Actions_get", "Goals_get")
MULTISITES_METRICS = (
    ("nb_visits", "VisitsSummary_get", "visits_evolution"),
    ("nb_actions", "VisitsSummary_get", "actions_evolution"),
    ("nb_pageviews", "Actions_get", "pageviews_evolution"),
    ("revenue", "Goals_get", "revenue_evolution"),
)


def evolution(current: float, previous: float) -> str:
    """Change against the previous period as Matomo writes it: `50%`, `-33.3%`."""
    if not previous:
        return "100%" if current else "0%"
    change = round((current - previous) / previous * 100, 1)
    return f"{change:g}%"


def _site_totals(call: Call, site: SiteConfig, period: Period) -> dict[str, float]:
    found = records(call, site, period, list(MULTISITES_RECORDS))
    totals: dict[str, float] = {}
    for metric, record, _ in MULTISITES_METRICS:
        values = found.get(record)
        totals[metric] = values.get(metric, 0) if isinstance(values, dict) else 0
    return totals


def _site_row(call: Call, site: SiteConfig) -> dict[str, Any]:
    """One site's row of MultiSites: its totals, the previous period's, and the change."""
    found, _ = periods(call, site)
    current = _site_totals(call, site, found[0])
    previous = _site_totals(call, site, found[0].previous())
    stored = call.session.get(Site, site.idsite)
    row: dict[str, Any] = {"label": site.name, **current}
    for metric, _, name in MULTISITES_METRICS:
        row[name] = evolution(current[metric], previous[metric])
        row[f"previous_{metric}"] = previous[metric]
    row.update(
        idsite=site.idsite,
        group=stored.group if stored else "",
        main_url=stored.main_url if stored else "",
    )
    return row


def multisites_all(call: Call) -> Any:
    """MultiSites.getAll: every site the caller may view, with its totals and their change."""
    params = call.params.with_overrides({"idSite": "all"})
    inner = Call(call.session, call.principal, params, call.now, call.settings)
    chosen, _ = sites(inner)
    rows = [_site_row(inner, site) for site in chosen]
    rows.sort(key=lambda row: (-row["nb_visits"], row["idsite"]))
    return rows


def multisites_one(call: Call) -> Any:
    chosen, _ = sites(call)
    return [_site_row(call, chosen[0])]


METHODS: dict[str, Callable[[Call], Any]] = {
    "MultiSites.getAll": multisites_all,
    "MultiSites.getOne": multisites_one,
    "API.getReportMetadata": report_metadata,
    "API.getProcessedReport": processed_report,
    "API.getSegmentsMetadata": segments_metadata,
    "API.get": api_get,
}
