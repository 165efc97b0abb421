"""The visits log paged through, a visitor profile opened from it, a row's evolution opened from
a table: each is the Live or report API's answer for the same visitor, row and periods."""

from __future__ import annotations

from typing import Any

import pytest

from analytics_server.dashboard import menu
from tests.browser.harness import Demo, assert_shown, report_params, screenshot, shown_value
from tests.browser.visits import READ_VISITS, check_cards, check_visits_log

pytestmark = pytest.mark.browser
PROFILE_SUMS = {
    "visits": "totalVisits",
    "actions": "totalActions",
    "pageviews": "totalPageViews",
    "searches": "totalSearches",
    "events": "totalEvents",
    "time": "totalVisitDuration",
    "goals": "totalGoalConversions",
    "orders": "totalEcommerceConversions",
    "carts": "totalAbandonedCarts",
}


def test_the_visits_log_pages_through_the_periods_visits(demo: Demo, page: Any) -> None:
    log = menu.all_widgets(demo.site)["visits-log"]
    page.goto(demo.url("visitors/log", period="week", date=str(demo.day)))
    check_visits_log(demo, page, log, report_params(page))
    page.locator("#w-visits-log").get_by_label("Visits per page").select_option("10")
    page.wait_for_url("**visits-log.limit=10**")
    assert page.locator("article.visit").count() == 10
    check_visits_log(demo, page, log, report_params(page))
    page.get_by_role("link", name="Older visits").click()
    page.wait_for_url("**visits-log.offset=10**")
    check_visits_log(demo, page, log, report_params(page))
    pager = page.locator("#w-visits-log nav.pager").inner_text()
    assert pager.startswith("Visits 11–20")
    page.get_by_role("link", name="Newer visits").click()
    page.wait_for_url("**visits-log.offset=0**")
    check_visits_log(demo, page, log, report_params(page))
    # each kind of action of the demo appears somewhere in the week
    week = demo.api("Live.getLastVisitsDetails", period="week", date=str(demo.day))
    kinds = {a["type"] for v in week for a in v["actionDetails"]}
    assert {"action", "event", "search", "download", "outlink", "goal"} <= kinds
    screenshot(page, "visits-log-page")


def test_a_visitor_profile_sums_the_visitors_visits(demo: Demo, page: Any) -> None:
    week = demo.api("Live.getLastVisitsDetails", period="week", date=str(demo.day))
    regular = max(week, key=lambda v: (v["visitCount"], v["idVisit"]))
    assert regular["visitCount"] > 1
    page.goto(
        demo.url("visitors/log", period="week", date=str(demo.day), **{"visits-log.limit": "100"})
    )
    card = page.locator(f"article.visit[data-visit-id='{regular['idVisit']}']")
    card.get_by_role("link", name="Visitor profile").click()
    page.wait_for_url(f"**/visitor/{regular['visitorId']}**")
    profile = demo.api("Live.getVisitorProfile", visitorId=regular["visitorId"], limitVisits="100")
    sums = page.locator("[data-sum]").evaluate_all(
        "(els) => Object.fromEntries(els.map((e) => [e.dataset.sum, e.textContent]))"
    )
    for key, field in PROFILE_SUMS.items():
        kind = "duration" if key == "time" else "number"
        assert shown_value(sums[key], kind, "en") == profile[field], key
    assert_shown(sums["revenue"], profile, "totalEcommerceRevenue", "en", "revenue")
    assert profile["totalVisits"] >= 2
    user = page.locator("#h-profile [data-user-id]")
    if profile.get("userId"):
        assert user.inner_text() == f"User ID: {profile['userId']}"
    shown = page.evaluate(READ_VISITS, page.locator("section:has(#h-visits)").element_handle())
    check_cards(demo, shown, profile["lastVisits"][:10])
    assert regular["idVisit"] in [v["id"] for v in shown]
    countries = page.locator("[data-country]").all_inner_texts()
    assert countries == [f"{c['prettyName']}: {c['nb_visits']}" for c in profile["countries"]]
    screenshot(page, "visitor-profile")


def test_row_evolution_of_a_table_row(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/software", period="day", date=str(demo.day)))
    row = page.locator("#w-browsers tr[data-label=Chrome]")
    row.get_by_role("link", name="Row evolution: Chrome").click()
    page.wait_for_url("**/row-evolution?**")
    points = page.locator("[data-row-evolution] tbody tr").evaluate_all(
        "(rows) => rows.map((r) => [r.dataset.period, r.querySelector('td').textContent])"
    )
    assert len(points) == 30
    first, last = points[-1][0], points[0][0]
    assert last == str(demo.day)
    history = demo.api(
        "DevicesDetection.getBrowsers",
        period="day",
        date=f"{first},{last}",
        label="Chrome",
        filter_limit="-1",
    )
    assert sorted(history) == sorted(p for p, _ in points)
    for period, text in points:
        rows = history[period]
        assert_shown(text, rows[0] if rows else {"nb_visits": 0}, "nb_visits", "en", period)
    assert any(history[p] for p in history)
    page.get_by_label("Metric").select_option("bounce_rate")
    page.wait_for_url("**metric=bounce_rate**")
    points = page.locator("[data-row-evolution] tbody tr").evaluate_all(
        "(rows) => rows.map((r) => [r.dataset.period, r.querySelector('td').textContent])"
    )
    for period, text in points:
        rows = history[period]
        row_values = rows[0] if rows else {"bounce_count": 0, "nb_visits": 0}
        assert_shown(text, row_values, "bounce_rate", "en", period)
    screenshot(page, "row-evolution")
