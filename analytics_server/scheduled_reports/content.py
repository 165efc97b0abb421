"""What a scheduled report says: its numbers, read through the Reporting API's own service.

Each report is `reports.service.report_result` called as the schedule's owner with view access
to the schedule's site only, so a PDF or mail shows exactly what the API answers for the same
site, period and segment. Tables are sorted by the report's main metric and truncated to the
row limit with an "Others" row, as Matomo's scheduled reports are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from analytics_server.auth.service import Principal
from analytics_server.config import Settings
from analytics_server.kit.clock import zone
from analytics_server.kit.periods import Period
from analytics_server.reports import metadata
from analytics_server.reports.formats import Keyed
from analytics_server.reports.params import Params
from analytics_server.reports.registry import REPORTS
from analytics_server.reports.service import Call, report_result
from analytics_server.scheduled_reports import i18n
from analytics_server.scheduled_reports.report_ids import ReportRef
from analytics_server.scheduled_reports.spec import Slice, Spec, combine
from analytics_server.sites.service import SiteConfig

KEY_METRICS = (
    "nb_visits",
    "nb_uniq_visitors",
    "nb_actions",
    "nb_actions_per_visit",
    "avg_time_on_site",
    "bounce_rate",
)
HISTORY = {"day": 30, "week": 12, "month": 12, "year": 5}  # periods in sparklines
PRIORITY = (
    "nb_visits",
    "nb_uniq_visitors",
    "nb_hits",
    "nb_actions",
    "nb_events",
    "nb_impressions",
    "nb_interactions",
    "nb_conversions",
    "revenue",
    "quantity",
    "orders",
    "bounce_rate",
    "exit_rate",
    "avg_time_on_page",
    "interaction_rate",
    "nb_actions_per_visit",
    "avg_time_on_site",
    "avg_event_value",
    "conversion_rate",
    "avg_price",
    "entry_nb_visits",
    "exit_nb_visits",
    "sum_daily_nb_uniq_visitors",
)
MAX_COLUMNS = 6
CHART_ROWS = 10
OTHERS = "Others"


@dataclass(frozen=True)
class Chart:
    """Bars of one metric: `columns` in the report's natural order (hours), else `bars`."""

    kind: str
    metric: str
    labels: list[str]
    values: list[float]


@dataclass
class Section:
    unique_id: str
    title: str
    headers: list[str]  # the label column first
    cells: list[list[str]]  # formatted, one list per row
    rows: list[dict[str, Any]]  # the API's rows, for CSV/TSV attachments
    chart: Chart | None = None


@dataclass(frozen=True)
class KeyMetric:
    name: str
    title: str
    value: str
    series: list[float]


@dataclass
class Document:
    title: str
    site_name: str
    period_label: str
    segment_label: str
    generated: str
    language: str
    file_stem: str
    key_metrics: list[KeyMetric] = field(default_factory=list)
    evolution: dict[str, list[float]] = field(default_factory=dict)
    evolution_labels: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """One rendering's inputs: the API calls it makes share these."""

    session: Session
    spec: Spec
    site: SiteConfig
    period: Period
    segment: str
    now: datetime
    settings: Settings

    def call(self, extra: dict[str, str], *, period: Period | None = None) -> Call:
        chosen = period or self.period
        values = {
            "idSite": str(self.spec.idsite),
            "period": chosen.kind,
            "date": chosen.start.isoformat(),
            "segment": self.segment,
            "language": self.spec.language,
            "format_metrics": "bc",
            "filter_limit": "-1",
            **extra,
        }
        principal = Principal(self.spec.owner, superuser=False, access={self.spec.idsite: "view"})
        return Call(self.session, principal, Params.from_mapping(values), self.now, self.settings)


def _number(value: Any) -> float:
    """A metric as a number for charts: `"33%"` is 33.0, anything else unreadable is 0."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).rstrip("%").replace(",", ""))
    except ValueError:
        return 0.0


def _history(ctx: Context) -> tuple[list[str], list[dict[str, Any]]]:
    """VisitsSummary.get for the last periods up to this one (sparklines, evolution)."""
    first = ctx.period
    for _ in range(HISTORY.get(ctx.period.kind, 12) - 1):
        first = first.previous()
    dates = f"{first.start.isoformat()},{ctx.period.end.isoformat()}"
    found = report_result(
        ctx.call({"date": dates, "format_metrics": "0"}), REPORTS["VisitsSummary.get"]
    )
    if not isinstance(found, Keyed):
        return [], []
    labels = [label.split(",")[0] for label in found.results]  # a week by its Monday
    return labels, [row if isinstance(row, dict) else {} for row in found.results.values()]


def key_metrics(ctx: Context, document: Document) -> None:
    language = ctx.spec.language
    summary = report_result(ctx.call({}), REPORTS["VisitsSummary.get"])
    summary = summary if isinstance(summary, dict) else {}
    labels, history = _history(ctx)
    for name in KEY_METRICS:
        if name not in summary:
            continue
        series = [_number(row.get(name, 0)) for row in history]
        title = i18n.metric_title(language, name)
        document.key_metrics.append(
            KeyMetric(name, title, i18n.number(summary[name], language), series)
        )
    if ctx.spec.evolution_graph:
        document.evolution_labels = labels
        for name in ("nb_visits", "nb_actions"):
            title = i18n.metric_title(language, name)
            document.evolution[title] = [_number(row.get(name, 0)) for row in history]


def _table_columns(sort: str, rows: list[dict[str, Any]]) -> list[str]:
    present: dict[str, None] = {}
    for row in rows:
        present.update(dict.fromkeys(k for k, v in row.items() if _scalar(v)))
    chosen: list[str] = []
    for name in (sort, *PRIORITY):
        if name in present and name not in chosen:
            chosen.append(name)
    if not chosen:
        chosen = [k for k in present if k != "label" and isinstance(rows[0].get(k), int | float)]
    return chosen[:MAX_COLUMNS]


def _scalar(value: Any) -> bool:
    return isinstance(value, int | float | str) and not isinstance(value, bool)


def _chart(columns: list[str], rows: list[dict[str, Any]], *, natural: bool) -> Chart | None:
    if not columns:
        return None
    metric = columns[0]
    points = [(str(r.get("label", "")), _number(r.get(metric))) for r in rows]
    points = [p for p in points if p[0] != OTHERS]
    if natural:
        if len(points) < 3 or not any(v for _, v in points):
            return None
        return Chart("columns", metric, [p[0] for p in points], [p[1] for p in points])
    points = [p for p in points if p[1] > 0][:CHART_ROWS]
    if len(points) < 2:
        return None
    return Chart("bars", metric, [p[0] for p in points], [p[1] for p in points])


def section(ctx: Context, ref: ReportRef, title: str) -> Section:
    params = dict(ref.params)
    report = ref.report.for_site(ctx.site, Params.from_mapping(params))
    language = ctx.spec.language
    if report.dimension is None:
        row = report_result(ctx.call(params), ref.report)
        row = row if isinstance(row, dict) else {}
        scalars = [(k, v) for k, v in row.items() if _scalar(v)]
        headers = [i18n.text(language, "metric"), i18n.text(language, "value")]
        cells = [[i18n.metric_title(language, k), i18n.number(v, language)] for k, v in scalars]
        return Section(ref.unique_id, title, headers, cells, [row] if row else [])
    if not report.natural_order:
        params["filter_sort_column"] = report.sort
    params["filter_truncate"] = str(ctx.spec.row_limit)
    if report.module == "Actions" and report.subtable_method:
        params["flat"] = "1"  # whole URLs and titles, not their folders
    found = report_result(ctx.call(params), ref.report)
    rows = [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []
    columns = _table_columns(report.sort, rows)
    dimension = i18n.dimension_title(language, report.dimension or "")
    headers = [dimension, *(i18n.metric_title(language, c) for c in columns)]
    cells = [
        [str(r.get("label", "")), *(i18n.number(r.get(c, 0), language) for c in columns)]
        for r in rows
    ]
    chart = _chart(columns, rows, natural=report.natural_order)
    return Section(ref.unique_id, title, headers, cells, rows, chart)


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return slug[:40] or "report"


def build(
    session: Session,
    spec: Spec,
    *,
    site: SiteConfig,
    period: Period,
    part: Slice,
    now: datetime,
    settings: Settings,
) -> Document:
    """The whole content of one rendering (one fan-out value) of a schedule."""
    language = spec.language
    segment = combine(spec.segment, part.segment)
    segment_label = " · ".join(x for x in (spec.segment_name, part.label) if x)
    stem = "-".join(x for x in (_slug(site.name), period.label.replace(",", "_")) if x)
    document = Document(
        title=spec.description or i18n.text(language, "report"),
        site_name=site.name,
        period_label=i18n.period_label(period, language),
        segment_label=segment_label or i18n.text(language, "all_visits"),
        generated=i18n.moment(now.astimezone(zone(site.timezone)), language),
        language=language,
        file_stem=f"{stem}-{_slug(part.label)}" if part.label else stem,
    )
    ctx = Context(session, spec, site, period, segment, now, settings)
    key_metrics(ctx, document)
    names = {entry["uniqueId"]: entry["name"] for entry in metadata.report_list(site)}
    for ref in spec.reports:
        english = names.get(ref.unique_id, ref.report.name)
        title = i18n.report_title(language, ref.unique_id, english)
        document.sections.append(section(ctx, ref, title))
    return document


def dimension_values(
    session: Session,
    spec: Spec,
    *,
    site: SiteConfig,
    period: Period,
    now: datetime,
    settings: Settings,
    iddimension: int,
) -> list[str]:
    """The values of a custom dimension that had visits in the period (for fan-out)."""
    ctx = Context(session, spec, site, period, spec.segment, now, settings)
    found = report_result(
        ctx.call({"idDimension": str(iddimension)}),
        REPORTS["CustomDimensions.getCustomDimension"],
    )
    rows = found if isinstance(found, list) else []
    # The API shows an empty value as "Unknown" with a segment `dimensionN==`; skip those.
    return [
        str(row["label"])
        for row in rows
        if isinstance(row, dict)
        and row.get("label") not in (None, "", OTHERS)
        and str(row.get("segment", "")).partition("==")[2] != ""
    ]
