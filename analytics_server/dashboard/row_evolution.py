"""Row evolution: one row of a table report (a browser, a page, a country) over the last periods.

The values come from one API call over a `date=A,B` span with the `label=` filter, the call a
Matomo client makes for the same graph; a row of a subtable is found by its parents' labels
(`parent>child`), because subtable ids differ from one period to the next.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request

from analytics_server.auth.sessions import ActiveSession
from analytics_server.dashboard import charts, i18n, menu, pages, views
from analytics_server.dashboard.menu import COLUMNS, Column, Widget
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.clock import local_day
from analytics_server.kit.periods import containing
from analytics_server.reports.formats import Keyed

POINTS = 30
MAX_CALLS = 20  # reads of a report's levels to find a subtable's parents
MESSAGES = ("There is no such report.", "Choose a row of the report.")


def last_periods(view: views.View, count: int = POINTS) -> tuple[str, str]:
    """(`period`, `date`) of the `count` periods that end with the page's period."""
    kind = view.period if view.period in ("day", "week", "month", "year") else "day"
    today = local_day(view.now, view.site.timezone)
    text = view.date.split(",")[-1].strip().lower()
    if text == "yesterday":
        end = today - timedelta(days=1)
    else:
        try:
            end = min(date.fromisoformat(text), today)
        except ValueError:
            end = today
    first = containing(kind, end)  # type: ignore[arg-type]
    for _ in range(count - 1):
        first = first.previous()
    return kind, f"{first.start.isoformat()},{end.isoformat()}"


def _parents(view: views.View, widget: Widget, sub: int) -> list[str] | None:
    """Labels from the top of the report down to the row whose subtable is `sub`, found level
    by level (expanded answers carry no subtable ids); at most MAX_CALLS subtables are read."""
    queue: list[tuple[list[str], dict[str, str]]] = [([], {})]
    calls = 0
    while queue and calls < MAX_CALLS:
        path, extra = queue.pop(0)
        found = view.call(widget.method, **dict(widget.params), filter_limit="-1", **extra)
        calls += 1
        for row in found if isinstance(found, list) else []:
            idsub = row.get("idsubdatatable")
            if idsub == sub:
                return [*path, str(row.get("label"))]
            if idsub is not None:
                queue.append(([*path, str(row.get("label"))], {"idSubtable": str(idsub)}))
    return None


def label_path(view: views.View, widget: Widget, label: str, sub: str) -> str:
    """The `label` filter for a row; under a subtable, its parents' labels first."""
    if not sub.isdigit():
        return label
    return ">".join([*(_parents(view, widget, int(sub)) or []), label])


def _shown_period(key: str, language: str) -> str:
    first, _, last = key.partition(",")
    try:
        start = date.fromisoformat(first)
    except ValueError:
        return key
    if not last:
        return i18n.day(start, language)
    return f"{i18n.day(start, language)} – {i18n.day(date.fromisoformat(last), language)}"


def evolution(view: views.View, widget: Widget, path: str, *, flat: bool) -> list[dict[str, Any]]:
    """The row's metrics per period, oldest first (a period without the row gives zeros)."""
    kind, span = last_periods(view)
    params = {**dict(widget.params), "filter_limit": "-1", "label": path}
    if flat:
        params["flat"] = "1"
    found = view.call(widget.method, period=kind, date=span, **params)
    results = found.results if isinstance(found, Keyed) else {}
    history = []
    for key, rows in results.items():
        row = views._derived(dict(rows[0])) if isinstance(rows, list) and rows else {}
        history.append({"period": key, "row": row})
    return history


def _widget(view: views.View) -> Widget:
    widget = menu.all_widgets(view.site).get(view.query.get("widget", ""))
    if widget is None or widget.view != "table":
        raise InvalidRequestError("There is no such report.")
    return widget


def model(view: views.View, widget: Widget) -> dict[str, Any]:
    label = view.query.get("label", "")
    if not label:
        raise InvalidRequestError("Choose a row of the report.")
    flat = view.query.get("flat") == "1"
    path = label_path(view, widget, label, "" if flat else view.query.get("sub", ""))
    history = evolution(view, widget, path, flat=flat)
    chosen = view.query.get("metric", "")
    chosen = chosen if chosen in widget.columns else widget.columns[0]
    column = COLUMNS.get(chosen, Column(chosen, chosen))
    gettext = i18n.gettext_for(view.language)
    points = [
        {
            "period": h["period"],
            "shown_period": _shown_period(h["period"], view.language),
            "raw": h["row"].get(chosen) or 0,
            "value": views.fmt(h["row"].get(chosen) or 0, column, view),
        }
        for h in history
    ]
    series = charts.Series(
        f"{label} · {gettext(column.title)}",
        [(p["period"], float(p["raw"])) for p in points],
        [p["value"] for p in points],
    )
    return {
        "widget": widget,
        "label": label,
        "path": path,
        "metric": chosen,
        "choices": [COLUMNS.get(n, Column(n, n)) for n in widget.columns],
        "svg": charts.line_chart([series], title=f"{label}: {gettext(column.title)}"),
        "points": points,
        "back": f"/site/{view.site.idsite}/{_page_of(view, widget)}?{_keep(view)}",
    }


def _page_of(view: views.View, widget: Widget) -> str:
    return next((p.path for p in menu.pages(view.site) if widget in p.widgets), "visitors/overview")


def _keep(view: views.View) -> str:
    return urlencode({k: v for k, v in view.query.items() if k in ("period", "date", "segment")})


def row_evolution_page(
    request: Request, db: Session, active: ActiveSession, language: str, _form: dict[str, str]
) -> pages.Built:
    """`/site/{id}/row-evolution?widget=...&label=...`: the chart, the values and a metric
    selector."""
    view = pages.page_view(request, db, active, language)
    widget = _widget(view)
    data = model(view, widget)
    context = pages.chrome(db, active, view, _page_of(view, widget))
    gettext = context["_"]
    context.update(
        title=f"{gettext('Row evolution')}: {gettext(widget.title)}", data=data, view=view
    )
    return "dashboard/row_evolution.html", context
