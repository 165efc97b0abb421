"""Switching the dashboard to Russian and back in the browser: the chrome, the menu and the
reports change language, the numbers are written the Russian way and are still the API's."""

from __future__ import annotations

import pytest

from analytics_server.dashboard import i18n, menu
from tests.browser.harness import (
    Demo,
    check_metrics,
    check_table,
    report_params,
    screenshot,
    sign_in_as,
)

pytestmark = pytest.mark.browser
RU = i18n.gettext_for("ru")


def test_switch_to_russian_and_back(demo: Demo) -> None:
    context = demo.browser.new_context()
    page = context.new_page()
    sign_in_as(page, demo.server, "translator")  # the choice is saved for this user only
    widgets = menu.all_widgets(demo.site)
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("select[name=language]").select_option("ru")
    page.wait_for_selector("html[lang=ru]")
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))  # see below
    assert page.locator("h1").inner_text() == RU("Devices") != "Devices"
    assert page.get_by_role("button", name=RU("Apply")).is_visible()
    sections = page.locator("nav.menu h2").all_text_contents()
    assert sections == [RU(title) for _, title in menu.SECTIONS]
    params = report_params(page)
    assert params["language"] == "ru"
    types = check_table(demo, page, widgets["device-types"], params)
    assert types["rows"]
    assert types["pager"].startswith(RU("Rows %(first)s–%(last)s of %(total)s").split("%")[0])
    screenshot(page, "devices-ru")
    page.goto(demo.url("visitors/overview", period="week", date=str(demo.day)))
    assert page.locator("html").get_attribute("lang") == "ru"  # the saved choice
    check_metrics(demo, page, widgets["visits-summary"], report_params(page))
    summary = demo.api("VisitsSummary.get", period="week", date=str(demo.day))
    per_visit = page.locator("[data-metric=nb_actions_per_visit]").inner_text()
    assert per_visit == str(summary["nb_actions_per_visit"]).replace(".", ",")  # decimal comma
    assert "." not in str(page.locator("#w-visits-summary").inner_text())
    screenshot(page, "overview-ru")
    page.locator("select[name=language]").select_option("en")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Overview"
    check_metrics(demo, page, widgets["visits-summary"], report_params(page))
    context.close()


def test_switching_the_language_stays_on_the_page(demo: Demo) -> None:
    context = demo.browser.new_context()
    page = context.new_page()
    try:
        sign_in_as(page, demo.server, "translator")
        page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
        page.locator("select[name=language]").select_option("ru")
        page.wait_for_selector("html[lang=ru]")
        assert "/visitors/devices?period=week" in page.url
    finally:
        page.locator("select[name=language]").select_option("en")
        page.wait_for_selector("html[lang=en]")
        context.close()
