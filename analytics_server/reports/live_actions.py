"""The `actionDetails` of a Live visit: its actions, goal conversions, orders and cart, in order.

Time on an action is what the tracker stored on the action after it (`time_spent_ref_action`);
the last action gets what the visit's length says remains after it (heartbeats extend it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analytics_server.models import log as m
from analytics_server.reports.live_visits import dimensions, pretty_duration, pretty_time, timestamp
from analytics_server.reports.repository import ActionName
from analytics_server.sites.service import SiteConfig

Row = Mapping[str, Any]
Names = Mapping[int, ActionName]
ACTION_TYPES = {
    m.HIT_PAGEVIEW: "action",
    m.HIT_PRODUCT_VIEW: "action",
    m.HIT_DOWNLOAD: "download",
    m.HIT_OUTLINK: "outlink",
    m.HIT_SITE_SEARCH: "search",
    m.HIT_EVENT: "event",
    m.HIT_CONTENT: "content",
}
PERFORMANCE = (
    ("time_network", "timeNetwork"),
    ("time_server", "timeServer"),
    ("time_transfer", "timeTransfer"),
    ("time_dom_processing", "timeDomProcessing"),
    ("time_dom_completion", "timeDomCompletion"),
    ("time_on_load", "timeOnLoad"),
)
ACTION_ID_COLUMNS = (
    "idaction_url",
    "idaction_name",
    "idaction_event_category",
    "idaction_event_action",
    "idaction_content_name",
    "idaction_content_piece",
    "idaction_content_target",
    "idaction_content_interaction",
    "idaction_product_sku",
    "idaction_product_name",
    "idaction_product_cat",
)
CATEGORIES = ("", "2", "3", "4", "5")
ITEM_ID_COLUMNS = ("idaction_sku", "idaction_name", *(f"idaction_category{s}" for s in CATEGORIES))


def name_ids(actions: Iterable[Row], items: Iterable[Row]) -> set[int]:
    """Every dictionary id the actions and items refer to."""
    found = {row[c] for row in actions for c in ACTION_ID_COLUMNS}
    found |= {row[c] for row in items for c in ITEM_ID_COLUMNS}
    found.discard(None)
    return found


def money(value: Any) -> float:
    return round(float(value or 0), 2)


def _name(names: Names, idaction: int | None, *, full: bool = False) -> str | None:
    found = names.get(idaction) if idaction is not None else None
    if found is None:
        return None
    return found.full if full else found.name


def time_spent(visit: Row, actions: Sequence[Row]) -> list[int]:
    """Seconds on each action: the next action's time on its previous page; for the last one,
    the visit's length left after it."""
    spent = [next_row["time_spent_ref_action"] or 0 for next_row in actions[1:]]
    if actions:
        total = visit["visit_total_time"] or 0
        end = visit["visit_first_action_time"] + timedelta(seconds=max(total - 1, 0))
        spent.append(max(int((end - actions[-1]["server_time"]).total_seconds()), 0))
    return spent


def _common(when: datetime, tz: ZoneInfo) -> dict[str, Any]:
    return {"timestamp": timestamp(when), "serverTimePretty": pretty_time(when, tz)}


def _type_fields(row: Row, names: Names) -> dict[str, Any]:
    kind = row["action_type"]
    if kind == m.HIT_EVENT:
        return {
            "eventCategory": _name(names, row["idaction_event_category"]),
            "eventAction": _name(names, row["idaction_event_action"]),
            "eventName": _name(names, row["idaction_name"]),
            "eventValue": row["custom_float"],
        }
    if kind == m.HIT_SITE_SEARCH:
        return {
            "siteSearchKeyword": _name(names, row["idaction_name"]),
            "siteSearchCategory": row["search_cat"],
            "siteSearchCount": row["search_count"],
        }
    if kind == m.HIT_CONTENT:
        return {
            "contentName": _name(names, row["idaction_content_name"]),
            "contentPiece": _name(names, row["idaction_content_piece"]),
            "contentTarget": _name(names, row["idaction_content_target"]),
            "contentInteraction": _name(names, row["idaction_content_interaction"]),
        }
    if row["idaction_product_sku"] is None and row["idaction_product_name"] is None:
        return {}
    return {
        "productViewSku": _name(names, row["idaction_product_sku"]),
        "productViewName": _name(names, row["idaction_product_name"]),
        "productViewCategory": _name(names, row["idaction_product_cat"]),
        "productViewPrice": row["product_price"],
    }


def _performance(row: Row) -> dict[str, Any]:
    values = {key: row[column] for column, key in PERFORMANCE}
    present = [value for value in values.values() if value is not None]
    if not present:
        return {}
    total = sum(present)
    return {**values, "pageLoadTimeMilliseconds": total, "pageLoadTime": f"{total / 1000:.2f}s"}


def log_action(
    row: Row, spent: int, *, names: Names, site: SiteConfig, tz: ZoneInfo
) -> dict[str, Any]:
    kind = row["action_type"]
    titled = kind in (m.HIT_PAGEVIEW, m.HIT_PRODUCT_VIEW, m.HIT_DOWNLOAD, m.HIT_OUTLINK)
    return {
        "type": ACTION_TYPES.get(kind, "action"),
        "url": _name(names, row["idaction_url"], full=True),
        "pageTitle": _name(names, row["idaction_name"]) if titled else None,
        "pageIdAction": row["idaction_url"],
        "pageId": row["idlink_va"],
        "idpageview": row["idpageview"],
        "pageviewPosition": row["pageview_position"],
        "timeSpent": spent,
        "timeSpentPretty": pretty_duration(spent),
        **_common(row["server_time"], tz),
        **_type_fields(row, names),
        **dimensions(row, site, "action"),
        **_performance(row),
    }


def item_details(items: Iterable[Row], names: Names) -> list[dict[str, Any]]:
    found = []
    for item in items:
        categories = [_name(names, item[f"idaction_category{s}"]) for s in CATEGORIES]
        found.append(
            {
                "itemSKU": _name(names, item["idaction_sku"]) or "",
                "itemName": _name(names, item["idaction_name"]) or "",
                "itemCategory": next((c for c in categories if c), ""),
                "categories": [c for c in categories if c],
                "price": money(item["price"]),
                "quantity": item["quantity"],
            }
        )
    return found


def conversion(
    row: Row, items: Sequence[Row], *, names: Names, site: SiteConfig, tz: ZoneInfo
) -> dict[str, Any]:
    idgoal = row["idgoal"]
    common = {**_common(row["server_time"], tz), "url": row["url"] or None}
    if idgoal > 0:
        goal = site.goals.get(idgoal)
        return {
            "type": "goal",
            "goalName": goal.name if goal is not None else f"Goal {idgoal}",
            "goalId": idgoal,
            "revenue": money(row["revenue"]),
            "goalPageId": row["idlink_va"],
            **common,
        }
    order = idgoal == m.GOAL_ORDER
    wanted = row["idorder"] if order else "0"
    found: dict[str, Any] = {
        "type": "ecommerceOrder" if order else "ecommerceAbandonedCart",
        "orderId": row["idorder"] if order else None,
        "revenue": money(row["revenue"]),
        "items": row["items"],
    }
    if order:
        for column, key in (
            ("revenue_subtotal", "revenueSubTotal"),
            ("revenue_tax", "revenueTax"),
            ("revenue_shipping", "revenueShipping"),
            ("revenue_discount", "revenueDiscount"),
        ):
            found[key] = money(row[column])
    found["itemDetails"] = item_details((i for i in items if i["idorder"] == wanted), names)
    return {**found, **common}


def conversion_totals(conversions: Iterable[Row]) -> dict[str, Any]:
    """The visit's goal conversions, order revenue and items, and open cart."""
    rows = list(conversions)
    orders = [c for c in rows if c["idgoal"] == m.GOAL_ORDER]
    carts = [c for c in rows if c["idgoal"] == m.GOAL_CART]
    return {
        "goalConversions": sum(1 for c in rows if c["idgoal"] > 0),
        "totalEcommerceRevenue": money(sum(float(c["revenue"] or 0) for c in orders)),
        "totalEcommerceConversions": len(orders),
        "totalEcommerceItems": sum(c["items"] or 0 for c in orders),
        "totalAbandonedCartsRevenue": money(sum(float(c["revenue"] or 0) for c in carts)),
        "totalAbandonedCarts": len(carts),
        "totalAbandonedCartsItems": sum(c["items"] or 0 for c in carts),
    }


def action_details(
    visit: Row,
    *,
    actions: Sequence[Row],
    conversions: Sequence[Row],
    items: Sequence[Row],
    names: Names,
    site: SiteConfig,
    tz: ZoneInfo,
) -> list[dict[str, Any]]:
    """Actions and conversions of one visit by time; a conversion after the action it came with."""
    timed: list[tuple[datetime, int, int, dict[str, Any]]] = []
    for index, (row, spent) in enumerate(zip(actions, time_spent(visit, actions), strict=True)):
        detail = log_action(row, spent, names=names, site=site, tz=tz)
        timed.append((row["server_time"], 0, index, detail))
    for index, row in enumerate(conversions):
        detail = conversion(row, items, names=names, site=site, tz=tz)
        timed.append((row["server_time"], 1, index, detail))
    timed.sort(key=lambda entry: entry[:3])
    return [detail for *_, detail in timed]
