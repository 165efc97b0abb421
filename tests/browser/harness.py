"""The dashboard's browser tests' harness: a live server on demo data, Debian's Chromium, and
readers that turn what a page shows back into numbers to compare with the Reporting API.

The API is asked over HTTP with a token (not through the browser's session), with the page's
site, period, date, segment and language, so a page and the API are two independent readers
of the same archives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from analytics_server.dashboard import i18n
from analytics_server.dashboard.menu import COLUMNS, Column, Widget
from analytics_server.kit.periods import containing
from analytics_server.sites.service import SiteConfig

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "dashboard"
PASSWORD = "browser-test-password"
# What the dashboard derives for visit reports when the API row has only the raw sums, with
# Matomo's precisions (the API's VisitsSummary.get rounds the same way).
DERIVED = {
    "bounce_rate": ("bounce_count", "nb_visits", 2),
    "nb_actions_per_visit": ("nb_actions", "nb_visits", 1),
    "avg_time_on_site": ("sum_visit_length", "nb_visits", 0),
    "conversion_rate": ("nb_visits_converted", "nb_visits", 4),
}
# Half a unit of the last digit each kind of value is shown with.
TOLERANCE = {
    "number": 0.005,
    "money": 0.005,
    "percent": 0.0005,
    "duration": 0.5,
    "seconds": 0.0005,
    "text": 0.0,
}
SPACES = re.compile(r"[\s\u00a0\u202f]")

READ_TABLE = """(section) => {
  const table = section.querySelector("table.report");
  if (!table) return null;
  return {
    total: Number(table.dataset.total),
    rows: Array.from(table.querySelectorAll("tbody tr")).map((tr) => ({
      label: tr.dataset.label,
      cells: Object.fromEntries(Array.from(tr.querySelectorAll("td[data-column]"))
        .map((td) => [td.dataset.column, td.textContent.trim()])),
    })),
    pager: section.querySelector("nav.pager").textContent.replace(/\\s+/g, " ").trim(),
  };
}"""
READ_METRICS = """(section) => Object.fromEntries(
  Array.from(section.querySelectorAll(".metric .value[data-metric]"))
    .map((el) => [el.dataset.metric, el.textContent.trim()]))"""
READ_POINTS = """(section) => Array.from(section.querySelectorAll("svg.chart circle title"))
  .map((t) => t.textContent)"""


@dataclass
class Demo:
    """The live server on demo traffic, and what the tests need to know about it."""

    server: str
    browser: Any
    token: str
    site: SiteConfig
    xss_site: SiteConfig
    app: Any
    state: dict[str, Any]  # the admin's signed-in browser storage
    day: date  # the busiest recent day of the demo
    today: date
    segment: str  # a stored, pre-archived segment
    factory: Any = None  # sessions of the server's database

    def api(self, method: str, **params: str) -> Any:
        query = {
            "module": "API",
            "method": method,
            "idSite": str(self.site.idsite),
            "format": "JSON",
            "format_metrics": "0",
            "token_auth": self.token,
            **params,
        }
        answer = httpx.get(f"{self.server}/index.php", params=query, timeout=30)
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert not (isinstance(found, dict) and found.get("result") == "error"), found
        return found

    def context(self, **options: Any) -> Any:
        """A browser context signed in as the admin (the session cookie of `state`)."""
        return self.browser.new_context(storage_state=self.state, **options)

    def url(self, path: str, site: SiteConfig | None = None, **query: str) -> str:
        idsite = (site or self.site).idsite
        text = "&".join(f"{k}={httpx.QueryParams({k: v})[k]}" for k, v in query.items())
        return f"{self.server}/site/{idsite}/{path}" + (f"?{text}" if text else "")


def sign_in_as(page: Any, server: str, login: str) -> None:
    """Sign in through the form; the page ends on the overview of the first site."""
    page.goto(f"{server}/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/visitors/overview**")


def local_today(site: SiteConfig) -> date:
    return datetime.now(ZoneInfo(site.timezone)).date()


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def column(name: str) -> Column:
    return COLUMNS.get(name, Column(name, name))


def shown_value(text: str, kind: str, language: str) -> float | None:
    """The number a cell shows, read back from its text in `language` ("–" is none)."""
    text = text.strip()
    if text == "–":
        return None
    if kind == "duration":
        seconds = 0
        for part in text.split(":"):
            seconds = seconds * 60 + int(part)
        return float(seconds)
    bare = SPACES.sub("", text)
    for unit in ("%", "s", "EUR", "USD"):
        bare = bare.removesuffix(unit)
    # English groups thousands with commas, Russian with spaces and has a decimal comma
    bare = bare.replace(",", ".") if language == "ru" else bare.replace(",", "")
    number = float(bare)
    return number / 100 if kind == "percent" else number


def expected_value(row: dict[str, Any], name: str) -> float | None:
    """The API's value of `name` in `row`, or the rate the dashboard derives from its sums."""
    value = row.get(name)
    if value is None and name in DERIVED:
        numerator, denominator, precision = DERIVED[name]
        if numerator in row and denominator in row:  # Matomo's rates are 0 for no visits
            den = row[denominator]
            value = round(row[numerator] / den, precision) if den else 0
    if value is None or value == "":
        return None
    return float(value)


def assert_shown(text: str, api_row: dict[str, Any], name: str, language: str, where: str) -> None:
    kind = column(name).kind
    shown = shown_value(text, kind, language)
    wanted = expected_value(api_row, name)
    if wanted is None:
        assert shown is None, f"{where} {name}: shows {text!r}, the API has no value"
        return
    assert shown is not None, f"{where} {name}: shows {text!r}, the API says {wanted}"
    assert abs(shown - wanted) <= TOLERANCE[kind] + 1e-9, (
        f"{where} {name}: shows {text!r}, the API says {wanted}"
    )


def report_params(page: Any) -> dict[str, str]:
    """The API parameters of what `page` shows: its period, date, segment and language."""
    query = dict(httpx.URL(page.url).params)
    period = query.get("period", "day")
    when = query.get("date", "today")
    if period == "range" and "," not in when:
        when = f"{when},{query.get('date2') or when}"
    language = page.locator("html").get_attribute("lang")
    idsite = page.url.split("/site/", 1)[1].split("/", 1)[0]
    params = {"idSite": idsite, "period": period, "date": when, "language": language}
    if query.get("segment"):
        params["segment"] = query["segment"]
    return params


def widget_state(page: Any, widget: Widget) -> dict[str, str]:
    """The widget's own parameters in the page's address (`<id>.sort=nb_visits` ...)."""
    prefix = f"{widget.id}."
    query = httpx.URL(page.url).params
    return {k.removeprefix(prefix): v for k, v in query.items() if k.startswith(prefix)}


def section_of(page: Any, widget: Widget) -> Any:
    return page.locator(f"#w-{widget.id}").element_handle()


def read_table(page: Any, widget: Widget) -> dict[str, Any] | None:
    found: dict[str, Any] | None = page.evaluate(READ_TABLE, section_of(page, widget))
    return found


def api_table(demo: Demo, widget: Widget, params: dict[str, str], **extra: str) -> list[Any]:
    rows = demo.api(widget.method, **params, **dict(widget.params), filter_limit="-1", **extra)
    assert isinstance(rows, list), rows
    return rows


def check_table(demo: Demo, page: Any, widget: Widget, params: dict[str, str]) -> dict[str, Any]:
    """The table shows the API's rows for the widget's state (flat, subtable, sort, offset):
    the same labels in the same order, the same values, the same total."""
    state = widget_state(page, widget)
    extra = {"flat": "1" if state.get("flat") == "1" else "0"}
    if state.get("sub", "").isdigit():
        extra["idSubtable"] = state["sub"]
    sort = state.get("sort")
    if sort:
        extra.update(filter_sort_column=sort, filter_sort_order=state.get("order", "desc"))
    rows = api_table(demo, widget, params, **extra)
    shown = read_table(page, widget)
    where = f"{page.url} #{widget.id}"
    if shown is None:
        assert rows == [], f"{where}: the page says no data, the API has {len(rows)} rows"
        return {"total": 0, "rows": []}
    assert shown["total"] == len(rows), where
    first = int(state.get("offset", "0"))
    wanted = rows[first : first + len(shown["rows"])]
    limit = int(state.get("limit", "25"))
    assert len(shown["rows"]) == min(limit, len(rows) - first), where
    if sort and sort != "label":  # rows of equal value may come in another order
        wanted = _matching(shown["rows"], rows, wanted, sort, where)
    assert [r["label"] for r in shown["rows"]] == [str(r["label"]) for r in wanted], where
    for one, api_row in zip(shown["rows"], wanted, strict=True):
        assert list(one["cells"]) == list(widget.columns), where
        for name, text in one["cells"].items():
            assert_shown(text, api_row, name, params["language"], f"{where} [{one['label']}]")
    return shown


def _matching(
    shown: list[dict[str, Any]], rows: list[Any], wanted: list[Any], sort: str, where: str
) -> list[Any]:
    """The API rows of the labels shown, after checking the sorted column runs as the API's."""
    by_label = {str(r["label"]): r for r in rows}
    assert all(r["label"] in by_label for r in shown), where
    found = [by_label[r["label"]] for r in shown]
    assert [expected_value(r, sort) for r in found] == [expected_value(r, sort) for r in wanted]
    return found


def check_metrics(demo: Demo, page: Any, widget: Widget, params: dict[str, str]) -> None:
    shown = page.evaluate(READ_METRICS, section_of(page, widget))
    row = demo.api(widget.method, **params, **dict(widget.params))
    assert isinstance(row, dict), row
    assert list(shown) == list(widget.columns), f"{page.url} #{widget.id}"
    for name, text in shown.items():
        assert_shown(text, row, name, params["language"], f"{page.url} #{widget.id}")


def evolution_span(params: dict[str, str], today: date) -> tuple[str, date, int]:
    """The period kind, last day and number of points the evolution graph shows."""
    period = params["period"]
    kind = "day" if period == "range" else period
    end = min(date.fromisoformat(params["date"].split(",")[-1]), today)
    points = {"day": 30, "week": 16, "month": 24, "year": 5}[kind]
    return kind, end, points


def check_evolution(demo: Demo, page: Any, widget: Widget, params: dict[str, str]) -> None:
    """Each point of the graph is the API's value of the chosen metric for its period."""
    language = params["language"]
    titles = page.evaluate(READ_POINTS, section_of(page, widget))
    kind, end, count = evolution_span(params, demo.today)
    assert len(titles) == count, f"{page.url} #{widget.id}"
    labels = [t.split(": ", 1)[0] for t in titles]
    last = containing(kind, end)  # type: ignore[arg-type]
    oldest = last
    for _ in range(count - 1):
        oldest = oldest.previous()
    assert (labels[0], labels[-1]) == (oldest.label, last.label), f"{page.url} #{widget.id}"
    first = oldest.start.isoformat()
    history = demo.api(
        widget.method,
        **{**params, "period": kind, "date": f"{first},{end.isoformat()}"},
        **dict(widget.params),
    )
    assert list(history) == labels, f"{page.url} #{widget.id}"
    metric = widget_state(page, widget).get("metric", widget.columns[0])
    for label, title in zip(labels, titles, strict=True):
        row = history[label] if isinstance(history[label], dict) else {}
        text = _after_name(title, metric, language)
        assert_shown(text, row, metric, language, f"{page.url} #{widget.id} {label}")


def _after_name(title: str, metric: str, language: str) -> str:
    """`2026-11-20: Visits 12` -> `12` (the series name is the translated column title)."""
    name = i18n.gettext_for(language)(column(metric).title)
    rest = title.split(": ", 1)[1]
    assert rest.startswith(name + " "), (title, name)
    return rest[len(name) + 1 :]
