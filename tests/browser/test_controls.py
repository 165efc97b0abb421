"""The dashboard's controls, used as a person would: sign-in, the period and date picker, the
segment selector, comparison, sorting, pages and row limits of tables, flattening, exports,
the site selector and the report search. After each, the numbers are the API's."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx
import pytest

from analytics_server.dashboard import menu
from tests.browser.harness import (
    PASSWORD,
    Demo,
    assert_shown,
    check_evolution,
    check_metrics,
    check_table,
    read_table,
    report_params,
    screenshot,
    widget_state,
)

pytestmark = pytest.mark.browser


def widget(demo: Demo, wid: str) -> menu.Widget:
    return menu.all_widgets(demo.site)[wid]


def check_overview(demo: Demo, page: Any) -> None:
    params = report_params(page)
    check_evolution(demo, page, widget(demo, "visits-evolution"), params)
    check_metrics(demo, page, widget(demo, "visits-summary"), params)


def sign_in(page: Any, login: str, password: str) -> None:
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_leads_back_to_the_page_and_sign_out_ends_the_session(demo: Demo) -> None:
    context = demo.browser.new_context()
    page = context.new_page()
    page.goto(demo.url("visitors/devices", period="day", date=str(demo.day)))
    assert "/login?next=" in page.url
    sign_in(page, "keyboard", PASSWORD)
    page.wait_for_url("**/visitors/devices?period=day**")
    assert page.locator("h1").inner_text() == "Devices"
    assert page.locator(".account .user").inner_text() == "keyboard"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.goto(demo.url("visitors/devices"))
    assert "/login?next=" in page.url  # the session has ended
    sign_in(page, "keyboard", "not the password")
    assert page.get_by_role("alert").inner_text() == "Wrong login or password."
    context.close()


def test_a_wrong_password_first_still_leads_back_to_the_page(demo: Demo) -> None:
    context = demo.browser.new_context()
    page = context.new_page()
    try:
        page.goto(demo.url("visitors/software", period="day", date=str(demo.day)))
        sign_in(page, "keyboard", "not the password")
        sign_in(page, "keyboard", PASSWORD)
        page.wait_for_load_state()
        assert "/visitors/software?period=day" in page.url
    finally:
        context.close()


def test_period_and_date_picker_with_a_range(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/overview", period="day", date=str(demo.day)))
    check_overview(demo, page)
    page.get_by_role("combobox", name="Period").select_option("week")
    page.get_by_label("Date", exact=True).fill(str(demo.day - timedelta(days=7)))
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**period=week**")
    assert report_params(page)["date"] == str(demo.day - timedelta(days=7))
    assert page.get_by_role("combobox", name="Period").input_value() == "week"
    check_overview(demo, page)
    first, last = demo.day - timedelta(days=10), demo.day - timedelta(days=2)
    page.get_by_role("combobox", name="Period").select_option("range")
    page.get_by_label("Date", exact=True).fill(str(first))
    page.get_by_label("End date (range)").fill(str(last))
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**period=range**")
    assert report_params(page)["date"] == f"{first},{last}"
    assert "site=" not in page.url  # the site selector is not sent as a parameter
    check_overview(demo, page)
    summary = demo.api("VisitsSummary.get", period="range", date=f"{first},{last}")
    days = demo.api("VisitsSummary.get", period="day", date=f"{first},{last}")
    assert summary["nb_visits"] == sum(d["nb_visits"] for d in days.values() if d) > 0
    screenshot(page, "picker-range")


def test_the_segment_selector_and_a_rows_segment_link(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    options = page.locator("#stored-segments option")
    assert options.evaluate_all("(os) => os.map((o) => [o.value, o.textContent])") == [
        [demo.segment, "Desktop visits"]
    ]
    everyone = demo.api("VisitsSummary.get", period="week", date=str(demo.day))["nb_visits"]
    page.get_by_role("combobox", name="Segment").fill(demo.segment)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**segment=**")
    params = report_params(page)
    assert params["segment"] == demo.segment
    types = check_table(demo, page, widget(demo, "device-types"), params)
    assert [r["label"] for r in types["rows"]] == ["Desktop"]
    desktop = demo.api("VisitsSummary.get", **params)["nb_visits"]
    assert 0 < desktop < everyone
    check_table(demo, page, widget(demo, "resolutions"), params)
    screenshot(page, "segment-desktop")
    # the funnel icon of a row shows only that row's visits
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    row = page.locator("#w-device-types tr[data-label=Smartphone]")
    row.get_by_role("link", name="Only these visits").click()
    page.wait_for_url("**segment=deviceType**")
    assert report_params(page)["segment"] == "deviceType==smartphone"
    assert page.get_by_role("combobox", name="Segment").input_value() == "deviceType==smartphone"
    types = check_table(demo, page, widget(demo, "device-types"), report_params(page))
    assert [r["label"] for r in types["rows"]] == ["Smartphone"]


def test_comparison_with_the_previous_period(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/overview", period="day", date=str(demo.day)))
    page.get_by_label("Compare with the previous period").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**compare=1**")
    check_overview(demo, page)
    before = demo.api("VisitsSummary.get", period="day", date=str(demo.day - timedelta(days=1)))
    shown = page.locator("#w-visits-summary .metric").evaluate_all(
        """(ms) => ms.map((m) => [m.querySelector(".value").dataset.metric,
                                  m.querySelector(".previous").textContent])"""
    )
    assert [name for name, _ in shown] == list(widget(demo, "visits-summary").columns)
    for name, text in shown:
        value = text.split(": ", 1)[1]
        assert_shown(value, before, name, "en", f"previous {name}")


def test_sorting_by_a_column_both_ways_and_by_label(demo: Demo, page: Any) -> None:
    page.goto(demo.url("behaviour/page-titles", period="week", date=str(demo.day)))
    titles = widget(demo, "page-titles")
    header = page.locator("#w-page-titles thead")
    header.get_by_role("link", name="Pageviews").click()
    page.wait_for_url("**page-titles.sort=nb_hits**")
    assert widget_state(page, titles)["order"] == "asc"  # the API's order was descending
    assert header.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
    shown = check_table(demo, page, titles, report_params(page))
    hits = [int(r["cells"]["nb_hits"].replace(",", "")) for r in shown["rows"]]
    assert hits == sorted(hits)
    header.get_by_role("link", name="Pageviews").click()
    page.wait_for_url("**page-titles.order=desc**")
    shown = check_table(demo, page, titles, report_params(page))
    hits = [int(r["cells"]["nb_hits"].replace(",", "")) for r in shown["rows"]]
    assert hits == sorted(hits, reverse=True)
    header.get_by_role("link", name="Label").click()
    page.wait_for_url("**page-titles.sort=label**")
    assert widget_state(page, titles)["order"] == "asc"
    shown = read_table(page, titles)
    assert shown is not None
    everything = [r["label"] for r in demo.api(titles.method, **report_params(page))]
    labels = [r["label"] for r in shown["rows"]]
    assert labels == sorted(everything, key=str.lower)[: len(labels)]


def test_row_limit_and_pages_of_a_table(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/times", period="week", date=str(demo.day)))
    hours = widget(demo, "local-time")
    limit = page.locator("#w-local-time").get_by_label("Rows")
    assert limit.input_value() == "25"
    limit.select_option("10")
    page.wait_for_url("**local-time.limit=10**")
    shown = check_table(demo, page, hours, report_params(page))
    assert [r["label"] for r in shown["rows"]] == [f"{h:02d}" for h in range(10)]
    assert shown["pager"].startswith("Rows 1–10 of 24")
    pager = page.locator("#w-local-time nav.pager")
    pager.get_by_role("link", name="Next").click()
    page.wait_for_url("**local-time.offset=10**")
    shown = check_table(demo, page, hours, report_params(page))
    assert shown["pager"].startswith("Rows 11–20 of 24")
    pager.get_by_role("link", name="Next").click()
    page.wait_for_url("**local-time.offset=20**")
    shown = check_table(demo, page, hours, report_params(page))
    assert [r["label"] for r in shown["rows"]] == ["20", "21", "22", "23"]
    assert pager.get_by_role("link", name="Next").count() == 0
    pager.get_by_role("link", name="Previous").click()
    page.wait_for_url("**local-time.offset=10**")
    check_table(demo, page, hours, report_params(page))
    # the other tables of the page keep their own state
    check_table(demo, page, widget(demo, "server-time"), report_params(page))


def test_flatten_a_tree_and_open_a_subtable(demo: Demo, page: Any) -> None:
    page.goto(demo.url("behaviour/pages", period="week", date=str(demo.day)))
    urls = widget(demo, "page-urls")
    tree = check_table(demo, page, urls, report_params(page))
    docs = page.locator("#w-page-urls tr[data-label=docs]")
    docs.get_by_role("link", name="▸ docs", exact=True).click()
    page.wait_for_url("**page-urls.sub=**")
    inside = check_table(demo, page, urls, report_params(page))
    assert inside["rows"]
    assert all(not r["label"].startswith("docs") for r in inside["rows"])
    page.get_by_role("link", name="Back to the whole report").click()
    page.wait_for_url(lambda url: "page-urls.sub" not in url)
    page.get_by_role("link", name="Make it flat").click()
    page.wait_for_url("**page-urls.flat=1**")
    flat = check_table(demo, page, urls, report_params(page))
    assert flat["total"] > tree["total"]
    assert any(r["label"].startswith("docs/") for r in flat["rows"])
    screenshot(page, "pages-flat")
    page.get_by_role("link", name="Show as a tree").click()
    page.wait_for_url(lambda url: "page-urls.flat" not in url)
    assert check_table(demo, page, urls, report_params(page))["total"] == tree["total"]


def test_export_a_report_as_csv(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/software", period="week", date=str(demo.day)))
    tools = page.locator("#w-browsers .table-tools")
    with page.expect_download() as download:
        tools.get_by_role("link", name="CSV").click()
    body = download.value.path().read_bytes()
    assert body.startswith(b"\xff\xfe")  # Matomo's exports are UTF-16 with a byte order mark
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-16"))))
    api = demo.api(
        "DevicesDetection.getBrowsers", period="week", date=str(demo.day), format_metrics="bc"
    )
    assert [r["label"] for r in rows] == [a["label"] for a in api]
    for row, wanted in zip(rows, api, strict=True):
        for name, value in wanted.items():
            if not isinstance(value, dict | list):
                assert row[name] == str(value), (name, row[name], value)
    assert len(rows) > 1
    shown = tools.locator("details.export-url code").text_content() or ""
    assert "token_auth=YOUR_TOKEN" in shown
    assert "method=DevicesDetection.getBrowsers" in shown
    # the export address without a session is refused
    link = tools.get_by_role("link", name="JSON").get_attribute("href") or ""
    assert httpx.get(demo.server + link).json()["result"] == "error"


def test_site_selector_and_report_search(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    page.get_by_role("combobox", name="Site").select_option(str(demo.xss_site.idsite))
    page.wait_for_url(f"**/site/{demo.xss_site.idsite}/visitors/devices?period=week**")
    assert page.get_by_role("combobox", name="Site").input_value() == str(demo.xss_site.idsite)
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    search = page.get_by_label("Find a report")
    search.fill("Browser version")
    search.press("Enter")
    page.wait_for_url("**/visitors/software?**")
    assert page.locator("h1").inner_text() == "Software"
    assert report_params(page)["period"] == "week"
