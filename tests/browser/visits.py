"""Readers of the visits log, real-time view, visitor map and visitor profile, compared with
the Live and UserCountry API answers for the same site, period, date and segment."""

from __future__ import annotations

from typing import Any

from analytics_server.dashboard.menu import Widget
from tests.browser.harness import Demo, section_of, shown_value, widget_state

READ_VISITS = """(root) => Array.from(root.querySelectorAll("article.visit")).map((v) => ({
  id: Number(v.dataset.visitId),
  visitor: v.dataset.visitorId,
  user: (v.querySelector("[data-user-id]") || {}).textContent || "",
  actions: v.querySelector("[data-visit-actions]").textContent,
  duration: v.querySelector("[data-visit-duration]").textContent,
  dimensions: Array.from(v.querySelectorAll("dd[data-dimension]")).map((d) => d.textContent),
  types: Array.from(v.querySelectorAll("li.action")).map((a) => a.dataset.actionType),
  texts: Array.from(v.querySelectorAll("li.action [data-action-text]"))
    .map((t) => t.textContent.trim()),
}))"""
READ_COUNTERS = """(root) => Array.from(root.querySelectorAll("p.counter[data-minutes]"))
  .map((c) => [Number(c.dataset.minutes), Number(c.dataset.visits), Number(c.dataset.actions)])"""
READ_MAP = """(root) => ({
  countries: Object.fromEntries(Array.from(root.querySelectorAll("path[data-country]"))
    .filter((p) => p.dataset.visits !== "0")
    .map((p) => [p.dataset.country, Number(p.dataset.visits)])),
  elsewhere: (root.querySelector(".map-elsewhere") || {}).textContent || "",
})"""


def action_text(action: dict[str, Any]) -> str:
    """What the log writes for an action of the Live API (English)."""
    kind = action["type"]
    if kind == "action":
        return str(action.get("pageTitle") or action.get("url") or "")
    if kind == "event":
        parts = [action.get(k) for k in ("eventCategory", "eventAction", "eventName")]
        text = " – ".join(str(p) for p in parts if p not in (None, ""))
        value = action.get("eventValue")
        return text if value is None else f"{text} ({shown_number(value)})"
    if kind == "search":
        return str(action.get("siteSearchKeyword") or "")
    if kind in ("download", "outlink"):
        return str(action.get("url") or "")
    if kind == "goal":
        return str(action.get("goalName") or "")
    if kind in ("ecommerceOrder", "ecommerceAbandonedCart"):
        return str(action.get("orderId") or "")
    parts = [action.get("contentName"), action.get("contentPiece")]
    return " – ".join(str(p) for p in parts if p not in (None, ""))


def shown_number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def visit_dimensions(demo: Demo, visit: dict[str, Any]) -> list[str]:
    site = demo.site if visit["idSite"] == demo.site.idsite else demo.xss_site
    dims = sorted(site.dimensions.values(), key=lambda d: d.iddimension)
    values = [visit.get(f"dimension{d.iddimension}") for d in dims if d.scope == "visit"]
    return [str(v) for v in values if v not in (None, "")]


def check_cards(demo: Demo, shown: list[dict[str, Any]], visits: list[dict[str, Any]]) -> None:
    """Each visit card is the API's visit: ids, user, totals, dimensions, actions in order."""
    assert [v["id"] for v in shown] == [v["idVisit"] for v in visits]
    for card, visit in zip(shown, visits, strict=True):
        where = f"visit {visit['idVisit']}"
        assert card["visitor"] == visit["visitorId"], where
        assert card["user"] == (f"User ID: {visit['userId']}" if visit.get("userId") else ""), where
        assert card["actions"] == f"Actions: {visit['actions']}", where
        duration = shown_value(card["duration"].split(": ", 1)[1], "duration", "en")
        assert duration == visit["visitDuration"], where
        assert card["dimensions"] == visit_dimensions(demo, visit), where
        details = visit["actionDetails"]
        assert card["types"] == [a["type"] for a in details], where
        assert card["texts"] == [action_text(a) for a in details], where


def check_visits_log(demo: Demo, page: Any, widget: Widget, params: dict[str, str]) -> None:
    state = widget_state(page, widget)
    limit, offset = state.get("limit", "25"), state.get("offset", "0")
    shown = page.evaluate(READ_VISITS, section_of(page, widget))
    visits = demo.api(
        "Live.getLastVisitsDetails",
        **params,
        filter_limit=limit,
        filter_offset=offset,
    )
    check_cards(demo, shown, visits)


def check_realtime(demo: Demo, page: Any, widget: Widget, params: dict[str, str]) -> None:
    """The counters are the API's and the latest visits are the API's newest.

    The page counted a moment before the API is asked; with no new hits a count can only
    drop as the window moves on, so it lies between the API's count now and its count over
    a window one minute longer."""
    shown = page.evaluate(READ_COUNTERS, section_of(page, widget))
    assert [minutes for minutes, _, _ in shown] == [3, 30, 1440]
    idsite, segment = params["idSite"], params.get("segment", "")
    for minutes, visits, actions in shown:
        # The page's segment applies to its counters, as to the rest of the page.
        now = demo.api(
            "Live.getCounters", lastMinutes=str(minutes), idSite=idsite, segment=segment
        )[0]
        wider = demo.api(
            "Live.getCounters", lastMinutes=str(minutes + 1), idSite=idsite, segment=segment
        )[0]
        assert now["visits"] <= visits <= wider["visits"], f"{page.url}: {minutes} minutes"
        assert now["actions"] <= actions <= wider["actions"], f"{page.url}: {minutes} minutes"
    latest = demo.api(
        "Live.getLastVisitsDetails",
        period="",
        date="",
        filter_limit="10",
        segment=segment,
        idSite=idsite,
    )
    check_cards(demo, page.evaluate(READ_VISITS, section_of(page, widget)), latest)


def check_map(demo: Demo, page: Any, widget: Widget, params: dict[str, str]) -> None:
    shown = page.evaluate(READ_MAP, section_of(page, widget))
    rows = demo.api(widget.method, **params, filter_limit="-1")
    by_code = {str(r["code"]).upper(): int(r["nb_visits"]) for r in rows}
    assert shown["countries"] == {k: v for k, v in by_code.items() if k in shown["countries"]}
    elsewhere = sum(v for k, v in by_code.items() if k not in shown["countries"])
    if elsewhere:
        assert shown["elsewhere"] == f"Visits from an unknown country: {elsewhere:,}"
    else:
        assert shown["elsewhere"] == ""
