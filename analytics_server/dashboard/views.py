"""View models of the dashboard's widgets: the API's answers turned into what templates show.

Every number comes from the same report service the Reporting API uses (`api.dispatch` with
the page's site, period, date and segment), so a page and the API always agree. No SQL here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module
from typing import Any, Protocol, cast
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from analytics_server.auth.service import Principal
from analytics_server.config import Settings
from analytics_server.dashboard import charts, i18n
from analytics_server.dashboard.menu import COLUMNS, Column, Widget
from analytics_server.kit.clock import local_day
from analytics_server.kit.periods import Period, containing, resolve
from analytics_server.reports import api
from analytics_server.reports import processed as pm
from analytics_server.reports.formats import Keyed
from analytics_server.reports.params import Params
from analytics_server.reports.service import Call
from analytics_server.sites.service import SiteConfig

LIMITS = (10, 25, 50, 100, 250, 500)
DEFAULT_LIMIT = 25
EVOLUTION_POINTS = {"day": 30, "week": 16, "month": 24, "year": 5, "range": 30}


@dataclass
class View:
    """One page request: who, which site, which period and segment, in which language."""

    session: Session
    principal: Principal
    settings: Settings
    now: datetime
    site: SiteConfig
    period: str
    date: str
    segment: str
    language: str
    query: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    path: str = "/"  # this page's path (the language switch comes back to it)
    # Evolution histories already read for this page: a graph and the sparklines of the
    # metrics beside it show the same 30 periods, which cost one archive read each.
    histories: dict[tuple[Any, ...], list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def call(self, method: str, **params: str) -> Any:
        values = {
            "method": method,
            "idSite": str(self.site.idsite),
            "period": self.period,
            "date": self.date,
            "segment": self.segment,
            "language": self.language,
            "format_metrics": "0",
            **params,
        }
        call = Call(
            self.session, self.principal, Params.from_mapping(values), self.now, self.settings
        )
        return api.dispatch(call)

    def state(self, widget: Widget, name: str, default: str = "") -> str:
        return self.query.get(f"{widget.id}.{name}", default)

    def link(self, **changes: str) -> str:
        """This page's query string with `changes` applied (empty values removed)."""
        merged = {**self.query, **changes}
        return "?" + urlencode({k: v for k, v in merged.items() if v != ""})

    def api_url(self, method: str, fmt: str, **params: str) -> str:
        values = {
            "module": "API",
            "method": method,
            "idSite": str(self.site.idsite),
            "period": self.period,
            "date": self.date,
            "format": fmt,
            **({"segment": self.segment} if self.segment else {}),
            **params,
        }
        return "/index.php?" + urlencode(values)


def fmt(value: Any, column: Column, view: View) -> str:
    if value is None or value == "":
        return "–"
    kind, lang = column.kind, view.language
    if kind == "percent":
        return i18n.percent(value, lang)
    if kind == "duration":
        return i18n.duration(value, lang)
    if kind == "money":
        return f"{i18n.number(value, lang)} {view.site.currency}"
    if kind == "seconds":
        return f"{i18n.number(value, lang, 3)} s"
    return i18n.number(value, lang)


def _derived(row: dict[str, Any]) -> dict[str, Any]:
    """Rates and averages the dashboard shows for visit reports (the API leaves them out)."""
    if "nb_visits" in row and "bounce_count" in row and "bounce_rate" not in row:
        pm.add_processed(row, pm.VISIT_METRICS)
    if "nb_conversions" in row and "conversion_rate" not in row and row.get("nb_visits"):
        row["conversion_rate"] = round(row["nb_conversions"] / row["nb_visits"], 4)
    return row


def _sort_key(column: str) -> Any:
    def key(row: dict[str, Any]) -> tuple[int, Any]:
        value = row.get(column)
        if isinstance(value, int | float):
            return (0, value)
        return (1, str(value or "").lower())

    return key


def safe_href(url: Any) -> str | None:
    """A visitor-sent URL as a link only when it is http(s): never `javascript:`."""
    text = str(url or "")
    return text if text.lower().startswith(("http://", "https://")) else None


def table(view: View, widget: Widget) -> dict[str, Any]:
    flat = view.state(widget, "flat") == "1"
    sub = view.state(widget, "sub")
    params = dict(widget.params)
    params.update(filter_limit="-1", flat="1" if flat else "0")
    if sub.isdigit():
        params["idSubtable"] = sub
    found = view.call(widget.method, **params)
    rows = [_derived(dict(row)) for row in found] if isinstance(found, list) else []
    sort = view.state(widget, "sort")
    order = view.state(widget, "order", "desc")
    if sort and (sort == "label" or sort in widget.columns):
        rows.sort(key=_sort_key(sort), reverse=order != "asc")
    limit = _int(view.state(widget, "limit"), DEFAULT_LIMIT)
    offset = max(_int(view.state(widget, "offset"), 0), 0)
    columns = [COLUMNS.get(name, Column(name, name)) for name in widget.columns]
    shown = rows[offset : offset + limit]
    return {
        "columns": columns,
        "rows": [_cells(view, row, columns) for row in shown],
        "total": len(rows),
        "offset": offset,
        "limit": limit,
        "limits": LIMITS,
        "sort": sort,
        "order": order,
        "flat": flat,
        "tree": any(row.get("idsubdatatable") for row in rows),
        "sub": sub,
        "exports": {
            f: view.api_url(widget.method, f, **dict(widget.params))
            for f in ("csv", "tsv", "xml", "json")
        },
    }


def _cells(view: View, row: dict[str, Any], columns: list[Column]) -> dict[str, Any]:
    return {
        "label": row.get("label", ""),
        "href": safe_href(row.get("url")),
        "sub": row.get("idsubdatatable"),
        "segment": row.get("segment"),
        "values": [fmt(row.get(c.name), c, view) for c in columns],
        "raw": {c.name: row.get(c.name) for c in columns},
    }


def _int(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def metrics(view: View, widget: Widget) -> dict[str, Any]:
    found = view.call(widget.method, **dict(widget.params))
    row = _derived(dict(found)) if isinstance(found, dict) else {}
    history = evolution_values(view, widget)
    previous = compare_values(view, widget) if view.query.get("compare") == "1" else None
    items = []
    for name in widget.columns:
        column = COLUMNS.get(name, Column(name, name.replace("_", " ")))
        values = [float(h.get(name) or 0) for h in history]
        item = {
            "column": column,
            "value": fmt(row.get(name), column, view),
            "raw": row.get(name),
            "sparkline": charts.sparkline(values, title=column.title),
        }
        if previous is not None:
            item["previous"] = fmt(previous.get(name), column, view)
        items.append(item)
    return {"items": items}


def _periods_back(view: View) -> tuple[str, str]:
    """`date` and `period` parameters for the evolution up to the page's period."""
    kind = view.period if view.period != "range" else "day"
    end = _end_day(view)
    count = EVOLUTION_POINTS[kind]
    first = containing(kind, end)  # type: ignore[arg-type]
    for _ in range(count - 1):
        first = first.previous()
    return kind, f"{first.start.isoformat()},{end.isoformat()}"


def _end_day(view: View) -> date:
    today = local_day(view.now, view.site.timezone)
    text = view.date.split(",")[-1].strip().lower()
    if text in ("today", "now", ""):
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    try:
        return min(date.fromisoformat(text), today)
    except ValueError:
        return today


def evolution_values(view: View, widget: Widget) -> list[dict[str, Any]]:
    kind, span = _periods_back(view)
    key = (widget.method, widget.params, kind, span, view.site.idsite, view.segment)
    if key not in view.histories:
        found = view.call(widget.method, period=kind, date=span, **dict(widget.params))
        view.histories[key] = (
            [
                {"label": label, **(_derived(dict(v)) if isinstance(v, dict) else {})}
                for label, v in found.results.items()
            ]
            if isinstance(found, Keyed)
            else []
        )
    return view.histories[key]


def compare_values(view: View, widget: Widget) -> dict[str, Any]:
    """The same metrics one period earlier."""
    end = _end_day(view)
    kind = view.period if view.period != "range" else "day"
    before = containing(kind, end).previous()  # type: ignore[arg-type]
    found = view.call(
        widget.method, period=kind, date=before.start.isoformat(), **dict(widget.params)
    )
    return _derived(dict(found)) if isinstance(found, dict) else {}


def evolution(view: View, widget: Widget) -> dict[str, Any]:
    history = evolution_values(view, widget)
    chosen = view.state(widget, "metric") or widget.columns[0]
    column = COLUMNS.get(chosen, Column(chosen, chosen))
    points = [(h["label"], float(h.get(chosen) or 0)) for h in history]
    shown = [fmt(h.get(chosen), column, view) for h in history]
    gettext = i18n.gettext_for(view.language)
    series = [charts.Series(gettext(column.title), points, shown)]
    return {
        "svg": charts.line_chart(series, title=gettext(column.title)),
        "metric": chosen,
        "choices": [COLUMNS.get(n, Column(n, n)) for n in widget.columns],
    }


def period_of(view: View) -> Period | None:
    try:
        return resolve(view.period, view.date, today=local_day(view.now, view.site.timezone))[0]
    except ValueError:
        return None


RENDERERS = {"table": table, "metrics": metrics, "evolution": evolution}


class _Renderer(Protocol):
    def __call__(self, view: View, widget: Widget) -> dict[str, Any]: ...


def _elsewhere(module: str, name: str) -> _Renderer:
    """A renderer of another dashboard module, imported when first used (it imports this one)."""

    def build(view: View, widget: Widget) -> dict[str, Any]:
        found = getattr(import_module(f"analytics_server.dashboard.{module}"), name)
        return cast(dict[str, Any], found(view, widget))

    return build


RENDERERS.update(
    visits_log=_elsewhere("visit_pages", "visits_log"),
    realtime=_elsewhere("visit_pages", "realtime"),
    map=_elsewhere("maps", "country_map"),
)


def render_widget(view: View, widget: Widget) -> dict[str, Any]:
    build = RENDERERS.get(widget.view)
    if build is None:
        return {"unsupported": True}
    return build(view, widget)
