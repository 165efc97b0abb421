"""Goal conversions (manual and matched), ecommerce orders and cart updates."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from analytics_server.kit.hashing import crc32
from analytics_server.logs import repository as logs
from analytics_server.models import log as m
from analytics_server.sites.service import GoalConfig, SiteConfig
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.request import EcommerceItem, TrackingRequest
from analytics_server.visitors import service as visitors

_CATEGORY_SUFFIXES = ("", "2", "3", "4", "5")

# Visit columns copied onto each conversion, so goal reports can be sliced like visits.
_VISIT_COPY = (
    "idvisitor",
    "visitor_returning",
    "visitor_count_visits",
    "visitor_seconds_since_first",
    "visitor_seconds_since_order",
    "referer_type",
    "referer_name",
    "referer_keyword",
    "location_country",
    "location_region",
    "location_city",
    "config_browser_name",
    "config_device_type",
    "config_os",
)


def _matches(goal: GoalConfig, value: str | None) -> bool:
    if value is None or value == "":
        return False
    pattern, text = goal.pattern, value
    if goal.pattern_type == "regex":
        flags = 0 if goal.case_sensitive else re.IGNORECASE
        try:
            return re.search(pattern, text, flags) is not None
        except re.error:
            return False
    if not goal.case_sensitive:
        pattern, text = pattern.lower(), text.lower()
    if goal.pattern_type == "exact":
        return text == pattern
    if goal.pattern_type == "starts_with":
        return text.startswith(pattern)
    return pattern in text  # contains


def matched_goals(
    site: SiteConfig, req: TrackingRequest, *, kind: int | None, visit_seconds: int
) -> list[GoalConfig]:
    """Goals whose pattern this hit fulfils (manual goals are only converted by idgoal)."""
    values: dict[str, str | None] = {
        "url": req.url if kind == m.HIT_PAGEVIEW else None,
        "title": req.action_name if kind == m.HIT_PAGEVIEW else None,
        "file": req.download if kind == m.HIT_DOWNLOAD else None,
        "external_website": req.outlink if kind == m.HIT_OUTLINK else None,
        "event_category": req.event_category if kind == m.HIT_EVENT else None,
        "event_action": req.event_action if kind == m.HIT_EVENT else None,
        "event_name": req.event_name if kind == m.HIT_EVENT else None,
    }
    found = []
    for goal in site.goals.values():
        if goal.match_attribute == "visit_duration":
            try:
                minutes = float(goal.pattern)
            except ValueError:
                continue
            if visit_seconds > minutes * 60:
                found.append(goal)
        elif _matches(goal, values.get(goal.match_attribute)):
            found.append(goal)
    return found


def _conversion_base(
    visit: dict[str, Any], req: TrackingRequest, action: dict[str, Any]
) -> dict[str, Any]:
    row = {key: visit.get(key) for key in _VISIT_COPY}
    if req.attribution_campaign is not None:
        row.update(
            referer_type=6,
            referer_name=req.attribution_campaign[0].lower(),
            referer_keyword=req.attribution_campaign[1].lower() or None,
        )
    row.update(
        idvisit=visit["idvisit"],
        idsite=visit["idsite"],
        server_time=action["server_time"],
        idaction_url=action.get("idaction_url"),
        idlink_va=action.get("idlink_va"),
        url=req.url[:4096],
        pageviews_before=visit["visit_total_interactions"],
    )
    return row


def convert_goal(
    session: Session,
    *,
    goal: GoalConfig,
    visit: dict[str, Any],
    req: TrackingRequest,
    action: dict[str, Any],
) -> bool:
    """Record one conversion; False when the goal was already converted in this visit."""
    if not goal.allow_multiple and logs.conversion_exists(
        session, idvisit=visit["idvisit"], idgoal=goal.idgoal
    ):
        return False
    revenue = goal.revenue
    if req.idgoal == goal.idgoal and req.revenue is not None:
        revenue = req.revenue
    elif goal.event_value_as_revenue and req.event_value is not None:
        revenue = req.event_value
    row = _conversion_base(visit, req, action)
    row.update(
        idgoal=goal.idgoal,
        buster=secrets.randbits(31) if goal.allow_multiple else 0,
        revenue=revenue,
    )
    logs.insert_conversion(session, row)
    return True


def _item_rows(
    session: Session,
    ctx: TrackerContext,
    *,
    items: Iterable[EcommerceItem],
    visit: dict[str, Any],
    idorder: str,
    server_time: Any,
) -> list[dict[str, Any]]:
    merged: dict[int, dict[str, Any]] = {}
    for item in items:
        sku_id = ctx.actions.resolve(session, m.ACTION_TYPE_ECOMMERCE_ITEM_SKU, item.sku)
        if sku_id in merged:  # the same SKU twice in one order: one row, quantities added
            merged[sku_id]["quantity"] += item.quantity
            continue
        row: dict[str, Any] = {
            "idvisit": visit["idvisit"],
            "idorder": idorder,
            "idaction_sku": sku_id,
            "idsite": visit["idsite"],
            "idvisitor": visit["idvisitor"],
            "server_time": server_time,
            "idaction_name": ctx.actions.resolve(
                session, m.ACTION_TYPE_ECOMMERCE_ITEM_NAME, item.name
            )
            if item.name
            else None,
            "price": item.price,
            "quantity": item.quantity,
            "deleted": False,
        }
        for suffix in _CATEGORY_SUFFIXES:
            row[f"idaction_category{suffix}"] = None
        for suffix, category in zip(_CATEGORY_SUFFIXES, item.categories, strict=False):
            row[f"idaction_category{suffix}"] = ctx.actions.resolve(
                session, m.ACTION_TYPE_ECOMMERCE_ITEM_CATEGORY, category
            )
        merged[sku_id] = row
    return list(merged.values())


def record_ecommerce(
    session: Session,
    ctx: TrackerContext,
    *,
    visit: dict[str, Any],
    req: TrackingRequest,
    action: dict[str, Any],
) -> int:
    """Record an order (with `ec_id`) or a cart update; returns the visit's new buyer status.

    The pipeline's precheck has verified that ecommerce is on and the order id is new.
    """
    buyer = visit["visit_goal_buyer"]
    base = _conversion_base(visit, req, action)
    quantity = sum(item.quantity for item in req.items)
    if req.order_id is None:
        items = _item_rows(
            session, ctx, items=req.items, visit=visit, idorder="0", server_time=base["server_time"]
        )
        base.update(idgoal=m.GOAL_CART, buster=0, items=quantity, revenue=req.revenue or 0.0)
        logs.replace_cart(session, idvisit=visit["idvisit"], conversion=base, items=items)
        ordered = buyer in (visitors.GOAL_BUYER_ORDERED, visitors.GOAL_BUYER_ORDERED_AND_OPEN_CART)
        return (
            visitors.GOAL_BUYER_ORDERED_AND_OPEN_CART if ordered else visitors.GOAL_BUYER_OPEN_CART
        )
    subtotal = req.subtotal
    if subtotal is None and req.items:
        subtotal = sum(item.price * item.quantity for item in req.items)
    base.update(
        idgoal=m.GOAL_ORDER,
        buster=crc32(req.order_id),
        idorder=req.order_id,
        items=quantity,
        revenue=req.revenue if req.revenue is not None else (subtotal or 0.0),
        revenue_subtotal=subtotal,
        revenue_tax=req.tax,
        revenue_shipping=req.shipping,
        revenue_discount=req.discount,
    )
    logs.insert_conversion(session, base)
    logs.insert_items(
        session,
        _item_rows(
            session,
            ctx,
            items=req.items,
            visit=visit,
            idorder=req.order_id,
            server_time=base["server_time"],
        ),
    )
    logs.replace_cart(session, idvisit=visit["idvisit"], conversion=None, items=())
    return visitors.GOAL_BUYER_ORDERED
