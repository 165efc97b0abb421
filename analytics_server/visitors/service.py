"""Who is this hit's visitor, which visit does it belong to, and when does a new visit start."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from analytics_server.kit.clock import local_day
from analytics_server.kit.hashing import config_id as hash_config
from analytics_server.kit.hashing import visitor_id_from_user_id
from analytics_server.logs import repository as logs

GOAL_BUYER_NONE = 0
GOAL_BUYER_ORDERED = 1
GOAL_BUYER_OPEN_CART = 2
GOAL_BUYER_ORDERED_AND_OPEN_CART = 3


@dataclass(frozen=True)
class VisitRules:
    """The visit-related settings (Matomo's [Tracker] names)."""

    visit_standard_length: int = 1800
    create_new_visit_after_x_actions: int = 10_000
    create_new_visit_when_campaign_changes: bool = True
    create_new_visit_when_website_referrer_changes: bool = False
    enable_userid_overwrites_visitorid: bool = True


def request_visitor_id(
    *, uid: str | None, cid: bytes | None, cookie_id: bytes | None, rules: VisitRules
) -> bytes | None:
    """Visitor id from the request: hashed User ID, then `cid`, then the `_id` cookie."""
    if uid and rules.enable_userid_overwrites_visitorid:
        return visitor_id_from_user_id(uid)
    return cid or cookie_id


def fingerprint(
    *,
    parts: Sequence[str],
    ip: str,
    language: str,
    instance_salt: str,
    daily_salt: str,
    idsite: int,
) -> bytes:
    """The configuration hash: device facts + full IP + language + salts, per site and day."""
    return hash_config([*parts, ip, language[:20], instance_salt, daily_salt, str(idsite)])


class SaltStore:
    """Per-site daily salts kept in the option table, so fingerprints never match across days."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def daily(self, session: Session, *, idsite: int, moment: datetime, timezone: str) -> str:
        name = f"salt.daily.{idsite}.{local_day(moment, timezone).isoformat()}"
        return self._named(session, name)

    def instance(self, session: Session, configured: str) -> str:
        return configured or self._named(session, "salt.instance")

    def _named(self, session: Session, name: str) -> str:
        value = self._cache.get(name)
        if value is None:
            value = logs.get_option(session, name)
            if value is None:
                value = secrets.token_hex(16)
                logs.set_option(session, name, value)
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[name] = value
        return value


def find_previous_visit(
    session: Session,
    *,
    idsite: int,
    idvisitor: bytes | None,
    config_id: bytes,
    uid: str | None,
    has_cid: bool,
    trust_cookies: bool,
    now: datetime,
    rules: VisitRules,
) -> dict[str, Any] | None:
    """The visitor's newest visit, looked up by visitor id and/or fingerprint (Matomo's order)."""
    look_ahead = now + timedelta(seconds=rules.visit_standard_length)
    look_back = now - timedelta(seconds=rules.visit_standard_length)

    def by_id() -> dict[str, Any] | None:
        if idvisitor is None:
            return None
        return logs.newest_visit_by_visitor(
            session, idsite=idsite, idvisitor=idvisitor, before=look_ahead
        )

    def by_config() -> dict[str, Any] | None:
        return logs.newest_visit_by_config(
            session,
            idsite=idsite,
            config_id=config_id,
            after=look_back,
            before=look_ahead,
            user_id=uid,
        )

    if idvisitor is not None and (trust_cookies or has_cid):
        visit = by_id()
    elif idvisitor is None:
        visit = None if trust_cookies else by_config()
    else:
        visit = by_id() or by_config()
    if visit is not None and visit["visit_total_actions"] >= rules.create_new_visit_after_x_actions:
        return None
    return visit


def starts_new_visit(
    previous: Mapping[str, Any] | None,
    *,
    now: datetime,
    timezone: str,
    new_visit_flag: bool,
    uid: str | None,
    campaign: tuple[str, str] | None,
    rules: VisitRules,
) -> bool:
    """Whether the hit opens a new visit rather than continuing `previous`."""
    if previous is None or new_visit_flag:
        return True
    last: datetime = previous["visit_last_action_time"]
    if last <= now - timedelta(seconds=rules.visit_standard_length):
        return True
    if local_day(last, timezone) != local_day(now, timezone):
        return True
    if not rules.enable_userid_overwrites_visitorid and uid and previous["user_id"] != uid:
        return True
    if campaign is not None and rules.create_new_visit_when_campaign_changes:
        name, keyword = campaign
        if previous["referer_type"] != 6 or (
            (previous["referer_name"] or "") != name
            or (previous["referer_keyword"] or "") != keyword
        ):
            return True
    return False


def visitor_history(previous: Mapping[str, Any] | None, now: datetime) -> dict[str, Any]:
    """Returning flag, visit count and seconds since first/last visit and last order."""
    if previous is None:
        return {
            "visitor_returning": 0,
            "visitor_count_visits": 1,
            "visitor_seconds_since_first": None,
            "visitor_seconds_since_last": None,
            "visitor_seconds_since_order": None,
        }
    first: datetime = previous["visit_first_action_time"]
    last: datetime = previous["visit_last_action_time"]
    since_first_prev = previous["visitor_seconds_since_first"] or 0
    first_ever = first - timedelta(seconds=since_first_prev)
    ordered_before = previous["visit_goal_buyer"] in (
        GOAL_BUYER_ORDERED,
        GOAL_BUYER_ORDERED_AND_OPEN_CART,
    )
    since_order: int | None
    if ordered_before:
        since_order = max(0, int((now - last).total_seconds()))
    elif previous["visitor_seconds_since_order"] is not None:
        since_order = previous["visitor_seconds_since_order"] + max(
            0, int((now - first).total_seconds())
        )
    else:
        since_order = None
    return {
        "visitor_returning": 2 if since_order is not None else 1,
        "visitor_count_visits": (previous["visitor_count_visits"] or 1) + 1,
        "visitor_seconds_since_first": max(0, int((now - first_ever).total_seconds())),
        "visitor_seconds_since_last": max(0, int((now - last).total_seconds())),
        "visitor_seconds_since_order": since_order,
    }
