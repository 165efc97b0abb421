"""View models of one visit as the visits log, the profile and the real-time view show it.

A visit comes from the Live API (`Live.getLastVisitsDetails`, `Live.getVisitorProfile`) and is
turned into plain text and numbers formatted for the page's language; every visitor-sent
string stays text for the auto-escaping templates, and becomes a link only when it is an
http(s) URL. Times are shown in the site's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from babel import Locale
from babel.dates import DateTimePattern, get_time_format, parse_pattern

from analytics_server.dashboard import i18n, views
from analytics_server.kit.clock import zone
from analytics_server.sites.service import SiteConfig

Visit = dict[str, Any]
# Names the Live API gives that the dashboard translates (device types, referrer kinds).
DEVICE_TYPES = (
    "Desktop",
    "Smartphone",
    "Tablet",
    "Feature phone",
    "Console",
    "TV",
    "Car browser",
    "Smart display",
    "Camera",
    "Portable media player",
    "Phablet",
    "Smart speaker",
    "Wearable",
    "Peripheral",
    "Unknown",
)
REFERRER_KINDS = ("Direct Entry", "Search Engines", "Websites", "Campaigns", "Social Networks")
MESSAGES = (*DEVICE_TYPES, *REFERRER_KINDS)


@dataclass(frozen=True)
class Shown:
    """How a page shows visits: its language, its site and the query its links keep."""

    language: str
    site: SiteConfig
    keep: str = ""

    @property
    def _(self) -> i18n.Gettext:
        return i18n.gettext_for(self.language)

    def number(self, value: Any) -> str:
        if type(value) is int and -1000 < value < 1000:  # the same in every locale, and common
            return str(value)
        return i18n.number(value, self.language)

    def money(self, value: Any) -> str:
        return f"{i18n.number(value or 0, self.language)} {self.site.currency}"

    def moment(self, timestamp: int) -> str:
        return i18n.moment(datetime.fromtimestamp(timestamp, UTC), self.language, self.tz)

    def clock(self, timestamp: int) -> str:
        """A time of day in the site's time zone, as the locale writes it."""
        pattern, locale = _time_format(self.language)
        return str(pattern.apply(datetime.fromtimestamp(timestamp, zone(self.tz)), locale))

    @property
    def tz(self) -> str:
        return self.site.timezone

    def profile_href(self, visitor_id: str) -> str:
        query = f"?{self.keep}" if self.keep else ""
        return f"/site/{self.site.idsite}/visitor/{quote(visitor_id)}{query}"


@lru_cache(maxsize=8)
def _time_format(language: str) -> tuple[DateTimePattern, Locale]:
    """The locale's medium time pattern, parsed once (a visit page formats hundreds)."""
    locale = Locale.parse(language)
    return parse_pattern(get_time_format("medium", locale=locale)), locale


def dimensions(values: dict[str, Any], site: SiteConfig, scope: str) -> list[tuple[str, str]]:
    """(name, value) of the site's custom dimensions of `scope` that have a value."""
    found = []
    for dim in sorted(site.dimensions.values(), key=lambda d: d.iddimension):
        value = values.get(f"dimension{dim.iddimension}")
        if dim.scope == scope and value not in (None, ""):
            found.append((dim.name, str(value)))
    return found


def _joined(*parts: Any) -> str:
    return " – ".join(str(p) for p in parts if p not in (None, ""))


def event_text(action: dict[str, Any], shown: Shown) -> str:
    """'Category – Action – Name (value)'."""
    text = _joined(action.get("eventCategory"), action.get("eventAction"), action.get("eventName"))
    value = action.get("eventValue")
    return f"{text} ({shown.number(value)})" if value is not None else text


def _items(details: list[dict[str, Any]], shown: Shown) -> list[dict[str, str]]:
    return [
        {
            "sku": str(item.get("itemSKU") or ""),
            "name": str(item.get("itemName") or ""),
            "category": str(item.get("itemCategory") or ""),
            "price": shown.money(item.get("price")),
            "quantity": shown.number(item.get("quantity") or 0),
        }
        for item in details
    ]


def _page(action: dict[str, Any], shown: Shown) -> dict[str, Any]:
    _ = shown._
    notes = [f"{_('Time on page')}: {i18n.duration(action.get('timeSpent') or 0, shown.language)}"]
    if "pageLoadTimeMilliseconds" in action:
        seconds = action["pageLoadTimeMilliseconds"] / 1000
        notes.append(f"{_('Page load time')}: {i18n.number(seconds, shown.language, 3)} s")
    if action.get("productViewSku") or action.get("productViewName"):
        product = _joined(action.get("productViewName"), action.get("productViewSku"))
        price = action.get("productViewPrice")
        notes.append(f"{_('Product')}: {product}" + (f" ({shown.money(price)})" if price else ""))
    return {"text": action.get("pageTitle") or action.get("url") or "", "notes": notes}


def _search(action: dict[str, Any], shown: Shown) -> dict[str, Any]:
    _ = shown._
    notes = []
    if action.get("siteSearchCategory"):
        notes.append(f"{_('Category')}: {action['siteSearchCategory']}")
    count = action.get("siteSearchCount")
    if count is not None:
        notes.append(_("No results") if count == 0 else f"{_('Results')}: {shown.number(count)}")
    return {"text": action.get("siteSearchKeyword") or "", "notes": notes}


def _content(action: dict[str, Any], shown: Shown) -> dict[str, Any]:
    interaction = action.get("contentInteraction")
    return {
        "text": _joined(action.get("contentName"), action.get("contentPiece")),
        "notes": [f"{shown._('Interaction')}: {interaction}"] if interaction else [],
        "href": views.safe_href(action.get("contentTarget")),
    }


def _conversion(action: dict[str, Any], shown: Shown) -> dict[str, Any]:
    _ = shown._
    kind = action["type"]
    if kind == "goal":
        revenue = action.get("revenue") or 0
        return {
            "text": str(action.get("goalName") or ""),
            "notes": [f"{_('Revenue')}: {shown.money(revenue)}"] if revenue else [],
        }
    notes = [f"{_('Revenue')}: {shown.money(action.get('revenue'))}"]
    for key, title in (
        ("revenueSubTotal", "Subtotal"),
        ("revenueTax", "Tax"),
        ("revenueShipping", "Shipping"),
        ("revenueDiscount", "Discount"),
    ):
        if action.get(key):
            notes.append(f"{_(title)}: {shown.money(action[key])}")
    return {
        "text": str(action.get("orderId") or ""),
        "notes": notes,
        "items": _items(action.get("itemDetails") or [], shown),
    }


KIND_TITLES = {
    "action": "Page view",
    "event": "Event",
    "search": "Site search",
    "download": "Download",
    "outlink": "Outlink",
    "content": "Content",
    "goal": "Goal reached",
    "ecommerceOrder": "Order",
    "ecommerceAbandonedCart": "Abandoned cart",
}


def action_item(action: dict[str, Any], shown: Shown) -> dict[str, Any]:
    """One line of a visit's actions: its kind, time, main text, link and notes."""
    kind = str(action.get("type") or "action")
    if kind == "action":
        body = _page(action, shown)
    elif kind == "event":
        body = {"text": event_text(action, shown), "notes": []}
    elif kind == "search":
        body = _search(action, shown)
    elif kind == "content":
        body = _content(action, shown)
    elif kind in ("goal", "ecommerceOrder", "ecommerceAbandonedCart"):
        body = _conversion(action, shown)
    else:  # download, outlink
        body = {"text": action.get("url") or "", "notes": []}
    if kind == "content" and action.get("contentInteraction"):
        title = "Content interaction"
    else:
        title = "Content impression" if kind == "content" else KIND_TITLES.get(kind, "Page view")
    timestamp = action.get("timestamp")
    return {
        "type": kind,
        "kind": shown._(title),
        "time": shown.clock(timestamp) if isinstance(timestamp, int) else "",
        "href": views.safe_href(action.get("url")),
        "url": str(action.get("url") or ""),
        "items": [],
        "dimensions": dimensions(action, shown.site, "action"),
        **body,
    }


def _device(visit: Visit, shown: Shown) -> dict[str, str]:
    model = " ".join(
        str(p) for p in (visit.get("deviceBrand"), visit.get("deviceModel")) if p and p != "Unknown"
    )
    return {
        "type": shown._(str(visit.get("deviceType") or "Unknown")),
        "model": model,
        "os": str(visit.get("operatingSystem") or ""),
        "browser": str(visit.get("browser") or ""),
        "resolution": str(visit.get("resolution") or ""),
    }


def _referrer(visit: Visit, shown: Shown) -> dict[str, Any]:
    campaign = [
        str(visit.get(f"campaign{part}") or "")
        for part in ("Source", "Medium", "Content", "Id", "Group", "Placement")
    ]
    return {
        "type": visit.get("referrerType") or "direct",
        "kind": shown._(str(visit.get("referrerTypeName") or "Direct Entry")),
        "name": str(visit.get("referrerName") or ""),
        "keyword": str(visit.get("referrerKeyword") or ""),
        "url": str(visit.get("referrerUrl") or ""),
        "href": views.safe_href(visit.get("referrerUrl")),
        "campaign": _joined(*campaign),
    }


def _totals(visit: Visit, shown: Shown) -> dict[str, str]:
    found = {
        "actions": shown.number(visit.get("actions") or 0),
        "duration": i18n.duration(visit.get("visitDuration") or 0, shown.language),
        "goals": shown.number(visit.get("goalConversions") or 0),
    }
    if visit.get("totalEcommerceConversions"):
        found["revenue"] = shown.money(visit.get("totalEcommerceRevenue"))
    return found


def visit_card(visit: Visit, shown: Shown) -> dict[str, Any]:
    """Everything the log shows of one visit, its actions in order."""
    visitor = str(visit.get("visitorId") or "")
    first = visit.get("firstActionTimestamp")
    return {
        "id": visit.get("idVisit"),
        "visitor_id": visitor,
        "profile": shown.profile_href(visitor) if visitor else None,
        "user_id": visit.get("userId") or "",
        "started": shown.moment(first) if isinstance(first, int) else "",
        "returning": visit.get("visitorType") != "new",
        "visit_count": shown.number(visit.get("visitCount") or 1),
        "ip": visit.get("visitIp") or "",
        "device": _device(visit, shown),
        "location": shown._(str(visit.get("location") or visit.get("country") or "Unknown")),
        "country_code": str(visit.get("countryCode") or ""),
        "language": str(visit.get("language") or ""),
        "referrer": _referrer(visit, shown),
        "dimensions": dimensions(visit, shown.site, "visit"),
        "totals": _totals(visit, shown),
        "actions": [action_item(a, shown) for a in visit.get("actionDetails") or []],
    }
