"""Page views in a real browser: timings, SPA routes, returning visitors, several trackers."""

from __future__ import annotations

import json

import pytest

from tests.tracker.harness import Stack, screenshot

pytestmark = pytest.mark.browser


def test_page_view_carries_title_url_resolution_client_hints_and_timings(stack: Stack) -> None:
    page = stack.open()
    [action] = stack.wait_actions(1)
    assert action["name"] == "Partner portal – start"
    assert "/portal.html?" in action["url"]
    timings = [
        "time_network",
        "time_server",
        "time_transfer",
        "time_dom_processing",
        "time_dom_completion",
        "time_on_load",
    ]
    # The first page view waited for the end of onload, so every Navigation Timing is there.
    assert all(action[name] is not None for name in timings), {n: action[n] for n in timings}
    [visit] = stack.visits()
    assert visit["config_resolution"] != "unknown"
    assert visit["config_browser_name"] in ("CH", "HC")
    [hit] = page.sent.hits
    assert "brands" in json.loads(hit["uadata"])  # client hints from navigator.userAgentData
    assert len(hit["r"]) == 16
    screenshot(page, "tracker-portal")
    page.context.close()


def test_single_page_app_with_three_route_changes(stack: Stack) -> None:
    page = stack.open(page_name="spa.html")
    stack.wait_actions(1)
    for route in ("Dashboard", "Orders", "Order 42"):
        page.get_by_role("link", name=route, exact=True).click()
    rows = stack.wait_actions(4)
    assert [r["name"] for r in rows] == [
        "Orders app",
        "Orders app – Dashboard",
        "Orders app – Orders",
        "Orders app – Order 42",
    ]
    paths = [r["url"].split("?")[0].split("/", 3)[3] for r in rows]
    assert paths == ["spa.html", "app/dashboard", "app/orders", "app/orders/42"]
    assert len({r["idpageview"] for r in rows}) == 4
    sent = page.sent.hits
    assert [h["urlref"].split("?")[0].rsplit("/", 1)[1] for h in sent[2:]] == [
        "dashboard",
        "orders",
    ]
    # enableLinkTracking was called after each route change: one click is still one outlink.
    page.click("a.partner")
    outlinks = [r for r in stack.wait_actions(5) if r["action_type"] == 2]
    assert [r["url"] for r in outlinks] == ["https://partner.example.org/8"]
    [visit] = stack.visits()
    assert visit["visit_total_actions"] == 5
    screenshot(page, "tracker-spa")
    page.context.close()


def test_a_returning_visitor_keeps_the_cookie_id_in_one_visit(stack: Stack) -> None:
    page = stack.open()
    stack.wait_actions(1)
    visitor = page.evaluate("Matomo.getAsyncTracker().getVisitorId()")
    again = stack.open(context=page.context)
    stack.wait_actions(2)
    assert again.evaluate("Matomo.getAsyncTracker().getVisitorId()") == visitor
    [visit] = stack.visits()
    assert visit["idvisitor"].hex() == visitor
    assert visit["visit_total_actions"] == 2
    names = {c["name"].split(".")[0] for c in page.context.cookies()}
    assert {"_pk_id", "_pk_ses"} <= names
    page.context.close()


def test_a_matomo_visitor_cookie_is_taken_over(stack: Stack) -> None:
    """A portal that used Matomo's tracker before keeps its visitors' ids."""
    context = stack.browser.new_context()
    cookie = "0123456789abcdef.1700000000."
    context.add_cookies([{"name": "_pk_id.1.9c4e", "value": cookie, "url": stack.portal + "/"}])
    page = stack.open(context=context)
    stack.wait_actions(1)
    [visit] = stack.visits()
    assert visit["idvisitor"].hex() == "0123456789abcdef"
    assert [c["value"] for c in context.cookies() if c["name"].startswith("_pk_id")] == [
        "0123456789abcdef.1700000000."
    ]
    assert page.evaluate("Matomo.getAsyncTracker().getVisitorInfo()")[2] == 1700000000
    context.close()


def test_cookie_path_and_name_prefix_are_used(stack: Stack) -> None:
    page = stack.open(setup=[["setCookiePath", "/portal.html"], ["setCookieNamePrefix", "_an_"]])
    stack.wait_actions(1)
    cookies = {c["name"].split(".")[0]: c for c in page.context.cookies()}
    assert cookies["_an_id"]["path"] == "/portal.html"
    assert "_pk_id" not in cookies
    page.context.close()


def test_several_trackers_on_one_page(stack: Stack) -> None:
    second = stack.server + "/matomo.php"
    page = stack.open(setup=[["addTracker", second, 2]])
    stack.wait_for(lambda: len(stack.visits()) == 2)
    page.evaluate("_paq.push(['trackEvent', 'Both', 'sites'])")
    page.evaluate(f"Matomo.getTracker({json.dumps(second)}, 2).trackEvent('Only', 'second')")
    rows = stack.wait_actions(5)
    by_site = {site: [r["category"] for r in rows if r["idsite"] == site] for site in (1, 2)}
    assert by_site == {1: [None, "Both"], 2: [None, "Both", "Only"]}
    page.context.close()


def test_the_async_tracker_api_and_pushed_functions(stack: Stack) -> None:
    page = stack.open()
    page.evaluate(
        """() => {
            Matomo.getAsyncTracker().trackEvent('Facade', 'call');
            _paq.push([function () {
                window.seenVisitor = this.getVisitorId();
                this.trackEvent('Pushed', 'function');
            }]);
        }"""
    )
    rows = stack.wait_actions(3)
    assert [r["category"] for r in rows] == [None, "Facade", "Pushed"]
    assert page.evaluate("window.seenVisitor") == rows[0]["idvisitor"].hex()
    page.context.close()


def test_a_misconfigured_tracker_never_breaks_the_page(stack: Stack) -> None:
    garbage = [["trackPageView"], ["noSuchMethod", 1], [], [None], ["trackEvent"]]
    page = stack.open(broken=True, track=garbage)
    page.evaluate("_paq.push(null, 42, 'text', {}, ['setSiteId'])")
    page.click("#works")
    assert page.inner_text("#out") == "clicked"
    assert page.errors == []
    assert page.sent.hits == []
    page.context.close()


def test_an_unreachable_tracker_url_never_breaks_the_page(stack: Stack) -> None:
    page = stack.open(track=[["trackPageView"], ["enableLinkTracking"]])
    page.evaluate("_paq.push(['setTrackerUrl', 'http://127.0.0.1:9/matomo.php'])")
    page.evaluate("_paq.push(['trackEvent', 'Nowhere', 'sent'])")
    page.click("#outlink")
    page.click("#works")
    assert page.inner_text("#out") == "clicked"
    assert page.errors == []
    page.context.close()
