"""Every section and page of the menu on demo traffic: what the page shows is the API's answer.

Tables, metrics and evolution graphs are read back from the rendered page in Chromium and
compared, value by value, with the Reporting API asked over HTTP for the same site, period,
date, segment and language. One screenshot per page goes to tests/artifacts/dashboard/.
"""

from __future__ import annotations

from typing import Any

import pytest

from analytics_server.dashboard import menu
from analytics_server.dashboard.menu import Widget
from tests.browser.harness import (
    Demo,
    assert_shown,
    check_evolution,
    check_metrics,
    check_table,
    report_params,
    screenshot,
)
from tests.browser.visits import check_map, check_realtime, check_visits_log

pytestmark = pytest.mark.browser
CHECKS = {
    "table": check_table,
    "metrics": check_metrics,
    "evolution": check_evolution,
    "visits_log": check_visits_log,
    "realtime": check_realtime,
    "map": check_map,
}


def check_widgets(demo: Demo, page: Any, widgets: tuple[Widget, ...] | list[Widget]) -> set[str]:
    """Compare every widget of the page with the API; the views that have no check yet."""
    params = report_params(page)
    unchecked = set()
    for widget in widgets:
        assert page.locator(f"#w-{widget.id}").count() == 1, f"{page.url}: no #{widget.id}"
        check = CHECKS.get(widget.view)
        if check is None:
            unchecked.add(widget.view)
            continue
        check(demo, page, widget, params)
    return unchecked


def menu_paths(page: Any, links: str) -> list[str]:
    hrefs = page.locator(links).evaluate_all("(links) => links.map((a) => a.pathname)")
    return [href.split("/", 3)[-1] if href.startswith("/site/") else href for href in hrefs]


def test_the_menu_links_every_page_of_every_section(demo: Demo) -> None:
    context = demo.context()
    page = context.new_page()
    page.goto(demo.url("visitors/overview", period="day", date=str(demo.day)))
    expected = [
        p.path for slug, _ in menu.SECTIONS for p in menu.pages(demo.site) if p.section == slug
    ]
    assert menu_paths(page, "nav.menu h2 + ul a") == expected
    assert {"dashboard", "/sites"} <= set(menu_paths(page, "nav.menu > ul:first-child a"))
    sections = page.locator("nav.menu h2").all_text_contents()
    assert sections == ["Visitors", "Behaviour", "Acquisition", "Goals", "Ecommerce"]
    # the generated pages: one per custom dimension and goal of the demo site
    assert {"visitors/dimension-1", "visitors/dimension-2", "behaviour/dimension-3"} <= set(
        expected
    )
    assert {"goals/goal-1", "goals/goal-2"} <= set(expected)
    assert page.locator("nav.menu a[aria-current=page]").inner_text() == "Overview"
    context.close()


@pytest.mark.parametrize("section", [slug for slug, _ in menu.SECTIONS])
@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_each_page_of_a_section_shows_the_apis_numbers(
    demo: Demo, section: str, period: str
) -> None:
    context = demo.context()
    page = context.new_page()
    unchecked: set[str] = set()
    for report in menu.pages(demo.site):
        if report.section != section:
            continue
        page.goto(demo.url(report.path, period=period, date=str(demo.day)))
        assert page.locator("h1").inner_text() == report.title
        assert page.locator("select[name=period]").input_value() == period
        unchecked |= check_widgets(demo, page, report.widgets)
        if period == "week":
            screenshot(page, report.path.replace("/", "-"))
    assert unchecked == set()
    context.close()


def test_a_stored_segment_and_a_range_on_every_page(demo: Demo) -> None:
    """The segment and range variants of the walk, in one pass over the menu."""
    context = demo.context()
    page = context.new_page()
    first = demo.day.replace(day=1) if demo.day.day > 7 else demo.day
    span = f"{first},{demo.day}"
    for report in menu.pages(demo.site):
        page.goto(demo.url(report.path, period="range", date=span, segment=demo.segment))
        check_widgets(demo, page, report.widgets)
    context.close()


def test_the_dashboard_page_shows_the_apis_numbers(demo: Demo) -> None:
    context = demo.context()
    page = context.new_page()
    page.goto(demo.url("dashboard", period="week", date=str(demo.day)))
    shown = page.locator("section.widget").evaluate_all("(s) => s.map((e) => e.id.slice(2))")
    known = menu.all_widgets(demo.site)
    assert shown == ["visits-evolution", "visits-summary", "channels", "browsers", "page-urls"]
    check_widgets(demo, page, [known[w] for w in shown])
    screenshot(page, "dashboard")
    context.close()


def test_all_websites_shows_each_sites_totals(demo: Demo) -> None:
    context = demo.context()
    page = context.new_page()
    page.goto(f"{demo.server}/sites?period=week&date={demo.day}")
    rows = page.locator("table.report tbody tr").evaluate_all(
        """(rows) => rows.map((tr) => [Number(tr.dataset.idsite), Object.fromEntries(
            Array.from(tr.querySelectorAll("td"))
              .map((td) => [td.dataset.column, td.textContent]))])"""
    )
    assert [idsite for idsite, _ in rows] == [demo.site.idsite, demo.xss_site.idsite]
    for idsite, cells in rows:
        params = {"idSite": str(idsite), "period": "week", "date": str(demo.day)}
        totals = {
            **demo.api("VisitsSummary.get", **params),
            **demo.api("Actions.get", **params),
        }
        for name, text in cells.items():
            assert_shown(text, totals, name, "en", f"site {idsite}")
    assert rows[0][1]["nb_visits"] != "0"
    screenshot(page, "all-websites")
    context.close()
