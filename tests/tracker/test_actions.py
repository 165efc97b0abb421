"""Actions in a real browser: events, site search, goals, ecommerce, contents, dimensions, ids."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tracker.harness import Stack

pytestmark = pytest.mark.browser

BELOW_THE_FOLD = """() => {
    const block = document.createElement('div');
    block.setAttribute('data-track-content', '');
    block.setAttribute('data-content-name', 'Footer banner');
    block.setAttribute('data-content-piece', 'footer.png');
    block.style.marginTop = '3000px';
    block.style.height = '20px';
    block.id = 'footer-banner';
    document.body.appendChild(block);
}"""


def contents(rows: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [
        (r["content_name"], r["content_piece"], r["interaction"]) for r in rows if r["content_name"]
    ]


def test_events_site_search_goal_and_order(stack: Stack) -> None:
    page = stack.open()
    page.evaluate(
        """goal => {
            _paq.push(['trackEvent', 'Article', 'radio-button click', 'Tariff', 2]);
            _paq.push(['trackSiteSearch', 'install guide', 'Docs', 4]);
            _paq.push(['trackGoal', goal, 9.5]);
            _paq.push(['addEcommerceItem', 'SKU-1', 'Cement', 'Building', 9.5, 2]);
            _paq.push(['trackEcommerceOrder', 'A-1', 19, 17, 1, 1, 0]);
        }""",
        stack.ids["goal"],
    )
    rows = stack.wait_actions(3)
    assert [r["action_type"] for r in rows] == [1, 10, 8]
    event = rows[1]
    assert (event["category"], event["event_action"], event["name"], event["custom_float"]) == (
        "Article",
        "radio-button click",
        "Tariff",
        2.0,
    )
    search = rows[2]
    assert (search["name"], search["search_cat"], search["search_count"]) == (
        "install guide",
        "Docs",
        4,
    )
    stack.wait_for(lambda: len(stack.conversions()) == 2)
    goal, order = sorted(stack.conversions(), key=lambda c: -c["idgoal"])
    assert (goal["idgoal"], goal["revenue"]) == (stack.ids["goal"], 9.5)
    assert (order["idgoal"], order["idorder"], order["revenue"], order["items"]) == (
        0,
        "A-1",
        19,
        2,
    )
    assert (order["revenue_subtotal"], order["revenue_tax"], order["revenue_shipping"]) == (
        17,
        1,
        1,
    )
    [item] = stack.items()
    assert (item["price"], item["quantity"]) == (9.5, 2)
    assert page.evaluate("Matomo.getAsyncTracker().getEcommerceItems()") == {}
    page.context.close()


def test_cart_edits_and_product_views(stack: Stack) -> None:
    page = stack.open()
    page.evaluate(
        """() => {
            _paq.push(['setEcommerceView', 'SKU-2', 'Sand', ['Building', 'Bulk'], 3]);
            _paq.push(['addEcommerceItem', 'SKU-1', 'Cement', 'Building', 9.5, 2]);
            _paq.push(['addEcommerceItem', 'SKU-2', 'Sand', 'Building', 3, 1]);
            _paq.push(['removeEcommerceItem', 'SKU-2']);
            _paq.push(['trackEcommerceCartUpdate', 19]);
        }"""
    )
    stack.wait_for(lambda: len(stack.items()) == 1)
    [cart] = stack.conversions()
    assert (cart["idgoal"], cart["items"], cart["revenue"]) == (-1, 2, 19)
    [_, product_view] = stack.wait_actions(2)
    assert product_view["product_price"] == 3
    page.context.close()


def test_content_impressions_interactions_and_visible_only(stack: Stack) -> None:
    page = stack.open(track=[])
    page.evaluate(BELOW_THE_FOLD)
    page.evaluate("_paq.push(['trackVisibleContentImpressions', true, 100])")
    rows = stack.wait_actions(1)
    assert contents(rows) == [("Spring banner", "/img/spring.png", None)]
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the footer shows up
    rows = stack.wait_actions(2)
    assert contents(rows)[1] == ("Footer banner", "footer.png", None)
    # Impressions count once per page; a click on a tracked block is its interaction.
    page.evaluate("_paq.push(['trackAllContentImpressions'])")
    page.click("#footer-banner")
    rows = stack.wait_actions(3)
    assert contents(rows)[2] == ("Footer banner", "footer.png", "click")
    page.evaluate(
        """() => {
            _paq.push(['trackContentImpression', 'Manual', 'text', 'https://example.org/']);
            _paq.push(['trackContentInteraction', 'hover', 'Manual', 'text']);
        }"""
    )
    assert contents(stack.wait_actions(5))[3:] == [
        ("Manual", "text", None),
        ("Manual", "text", "hover"),
    ]
    page.context.close()


def test_custom_dimensions_and_variables_by_scope(stack: Stack) -> None:
    page = stack.open(
        setup=[
            ["setCustomDimension", stack.ids["company"], "ACME"],
            ["setCustomDimension", stack.ids["section"], "Pricing"],
            ["setCustomVariable", 1, "Role", "dealer", "visit"],
            ["setCustomVariable", 2, "Layout", "wide", "page"],
        ]
    )
    page.evaluate(
        """section => {
            _paq.push(['deleteCustomDimension', section]);
            _paq.push(['setCustomVariable', 3, 'Step', 'two', 'event']);
            _paq.push(['trackEvent', 'Form', 'next']);
        }""",
        stack.ids["section"],
    )
    view, event = stack.wait_actions(2)
    assert view["custom_dimension_1"] == "Pricing"  # action scope: on the page view only
    assert event["custom_dimension_1"] is None
    assert (view["custom_var_k2"], view["custom_var_v2"]) == ("Layout", "wide")
    assert (event["custom_var_k3"], event["custom_var_v3"]) == ("Step", "two")
    [visit] = stack.visits()
    assert visit["custom_dimension_1"] == "ACME"
    assert (visit["custom_var_k1"], visit["custom_var_v1"]) == ("Role", "dealer")
    page.context.close()


def test_user_id_set_and_reset(stack: Stack) -> None:
    page = stack.open(setup=[["setUserId", "anna@example.com"]])
    stack.wait_actions(1)
    [visit] = stack.visits()
    assert visit["user_id"] == "anna@example.com"
    assert page.evaluate("Matomo.getAsyncTracker().getUserId()") == "anna@example.com"
    page.evaluate("_paq.push(['resetUserId']); _paq.push(['trackEvent', 'After', 'logout'])")
    stack.wait_for(lambda: len(stack.actions()) == 2)
    stack.pause(0.2)
    assert [h.get("uid") for h in page.sent.hits] == ["anna@example.com", None]
    page.context.close()


def test_heartbeat_pings_when_the_visitor_leaves_the_tab(stack: Stack) -> None:
    page = stack.open(setup=[["enableHeartBeatTimer", 5]])
    stack.wait_actions(1)
    page.evaluate("window.dispatchEvent(new Event('blur'))")  # too early: no ping
    stack.pause(5.5)
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    stack.wait_for(lambda: stack.visits()[0]["visit_total_time"] >= 5)
    assert len(stack.actions()) == 1  # a ping is no action
    assert [h.get("ping") for h in page.sent.hits] == [None, "1"]
    page.context.close()


def test_javascript_errors_become_events_once_each(stack: Stack) -> None:
    page = stack.open(setup=[["enableJSErrorTracking"]])
    page.evaluate("() => { window.widget = () => { throw new Error('Portal widget failed'); }; }")
    for _ in range(2):
        page.evaluate("setTimeout(window.widget, 0)")
    rows = stack.wait_actions(2)
    assert (rows[1]["category"], rows[1]["name"]) == ("JavaScript Errors", "Portal widget failed")
    assert len(page.errors) == 2  # the portal's own errors still reach the page as before
    page.context.close()


def test_url_cleaning_custom_data_and_appended_parameters(stack: Stack) -> None:
    page = stack.open(
        setup=[
            ["setExcludedQueryParams", ["site", "t", "setup"]],
            ["discardHashTag", True],
            ["appendToTrackingUrl", "bw_bytes=512"],
            ["setCustomData", "team", "sales"],
            ["setPagePerformanceTiming", 11, 22, 33, 44, 55, 66],
        ],
        extra="&keep=1#section-2",
    )
    [view] = stack.wait_actions(1)
    assert view["url"] == f"{stack.portal}/portal.html?keep=1"
    assert (view["time_network"], view["time_on_load"]) == (11, 66)
    [hit] = page.sent.hits
    assert (hit["bw_bytes"], hit["data"]) == ("512", '{"team":"sales"}')
    page.context.close()
