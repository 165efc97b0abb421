"""Accessibility basics in Chromium: every control has an accessible name (Chromium's own
accessibility tree, through the DevTools protocol), Tab reaches the menu and the tables with a
visible focus ring, and the keyboard alone follows menu links and sorts a table."""

from __future__ import annotations

from typing import Any

import pytest

from analytics_server.dashboard import menu
from tests.browser.harness import Demo

pytestmark = pytest.mark.browser
# Roles a person operates; each needs a name a screen reader can say.
CONTROLS = {
    "button",
    "link",
    "combobox",
    "textbox",
    "searchbox",
    "checkbox",
    "radio",
    "listbox",
    "spinbutton",
    "slider",
    "switch",
    "menuitem",
    "tab",
    "date",
    "DateTime",
    "InputTime",
}
UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea, button"))
  .filter((el) => el.type !== "hidden" && !el.closest("noscript"))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
    && !el.getAttribute("aria-labelledby") && !(el.tagName === "BUTTON" && el.textContent.trim()))
  .map((el) => el.outerHTML)"""
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName, type: el.type || "", text: (el.textContent || "").trim().slice(0, 40),
    menu: !!el.closest("nav.menu"), table: !!el.closest("table.report"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1,
    shown: el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().left >= 0,
  };
}"""


def unnamed_controls(page: Any) -> list[tuple[str, str]]:
    """Controls in Chromium's accessibility tree without a name."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    found = []
    for node in nodes:
        role = (node.get("role") or {}).get("value", "")
        name = str((node.get("name") or {}).get("value", "")).strip()
        if not node.get("ignored") and role in CONTROLS and not name:
            found.append((role, str(node.get("backendDOMNodeId"))))
    return found


def control_roles(page: Any) -> set[str]:
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return {(n.get("role") or {}).get("value", "") for n in nodes if not n.get("ignored")}


def every_page(demo: Demo) -> list[str]:
    day = str(demo.day)
    paths = [demo.url(p.path, period="week", date=day) for p in menu.pages(demo.site)]
    visitor = demo.api("Live.getLastVisitsDetails", period="week", date=day, filter_limit="1")
    return [
        *paths,
        demo.url("dashboard", period="week", date=day),
        f"{demo.server}/sites?period=week&date={day}",
        demo.url(f"visitor/{visitor[0]['visitorId']}", period="week", date=day),
        demo.url("row-evolution", period="week", date=day, widget="browsers", label="Chrome"),
    ]


def test_every_control_of_every_page_has_an_accessible_name(demo: Demo, page: Any) -> None:
    roles: set[str] = set()
    for address in every_page(demo):
        page.goto(address)
        assert unnamed_controls(page) == [], address
        assert page.evaluate(UNLABELLED) == [], address
        roles |= control_roles(page)
    assert {"combobox", "link", "button", "checkbox", "table"} <= roles  # the tree was read
    login = demo.browser.new_page()
    login.goto(f"{demo.server}/login")
    assert unnamed_controls(login) == []
    assert login.evaluate(UNLABELLED) == []
    # and both checks do find what has no name
    login.set_content("<button></button><select><option>1</option></select>")
    assert [role for role, _ in unnamed_controls(login)] == ["button", "combobox"]
    assert len(login.evaluate(UNLABELLED)) == 2
    login.close()


def tab_through(page: Any, presses: int) -> list[dict[str, Any]]:
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    return seen


def test_tab_reaches_the_menu_and_the_tables_with_a_visible_focus(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["text"] == "Skip to the report"
    assert first["shown"]  # the skip link comes into view when focused
    seen = tab_through(page, 120)
    assert any(s["menu"] for s in seen)
    assert any(s["table"] for s in seen)
    assert [s for s in seen if not s["shown"]] == []
    assert [s for s in seen if not s["outline"]] == []
    # the menu comes before the report, in reading order
    assert seen.index(next(s for s in seen if s["menu"])) < seen.index(
        next(s for s in seen if s["table"])
    )


def test_the_date_fields_show_the_focus_ring_too(demo: Demo, page: Any) -> None:
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    # Tab stops at each part of a date field (day, month, year): the ring shows on each.
    dates = [s for s in tab_through(page, 16) if s["type"] == "date"]
    assert len(dates) >= 2
    assert all(s["outline"] for s in dates)


def test_the_keyboard_alone_skips_to_the_report_follows_the_menu_and_sorts(
    demo: Demo, page: Any
) -> None:
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('main')")
    assert inside
    page.goto(demo.url("visitors/devices", period="week", date=str(demo.day)))
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Software":
            break
    else:
        pytest.fail("Tab never reached the Software menu link")
    page.keyboard.press("Enter")
    page.wait_for_url("**/visitors/software?**")
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[!!document.activeElement.closest('#w-browsers thead'), "
            "document.activeElement.textContent.trim()]"
        )
        if focused == [True, "Visits"]:
            break
    else:
        pytest.fail("Tab never reached the Visits column of the browsers table")
    page.keyboard.press("Enter")
    page.wait_for_url("**browsers.sort=nb_visits**")
    header = page.locator("#w-browsers th[aria-sort]")
    assert header.inner_text() == "Visits"
