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
    """Per-site daily salts kept in the option table, so fingerprints never match across days.

    A salt created in a transaction that then fails may never reach the table: `clear` after a
    rollback, so the next batch reads the salt that did.
    """

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def clear(self) -> None:
        self._cache.clear()

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
                value = logs.add_option(session, name, secrets.token_hex(16))
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[name] = value
        return value


CacheKey = tuple[int, bytes]


class VisitCache:
    """The newest visit per visitor id and per fingerprint, as this consumer last saw them.

    A consumer owns its queue partition, so the visits of its visitors change only through it:
    the rows here are the ones it writes (mutated in place), and `None` means "looked: none".
    Cleared whenever that may stop being true (a new partition tenure, a failed batch).
    """

    def __init__(self, max_size: int = 200_000) -> None:
        self.by_visitor: dict[CacheKey, dict[str, Any] | None] = {}
        self.by_config: dict[CacheKey, dict[str, Any] | None] = {}
        self.max_size = max_size

    def clear(self) -> None:
        self.by_visitor.clear()
        self.by_config.clear()

    def remember(self, row: dict[str, Any]) -> None:
        if len(self.by_visitor) > self.max_size or len(self.by_config) > self.max_size:
            self.clear()
        self.by_visitor[(row["idsite"], row["idvisitor"])] = row
        self.by_config[(row["idsite"], row["config_id"])] = row

    def prefetch(
        self,
        session: Session,
        *,
        idsite: int,
        visitor_ids: set[bytes],
        config_ids: set[bytes],
        after: datetime,
    ) -> None:
        """Load, in two queries, the newest visits of a batch's visitors not cached yet."""
        todo = {v for v in visitor_ids if (idsite, v) not in self.by_visitor}
        found = logs.newest_visits(session, idsite=idsite, column="idvisitor", keys=todo)
        for key in todo:
            self.by_visitor[(idsite, key)] = found.get(key)
        todo = {c for c in config_ids if (idsite, c) not in self.by_config}
        found = logs.newest_visits(
            session, idsite=idsite, column="config_id", keys=todo, after=after
        )
        for key in todo:
            self.by_config[(idsite, key)] = found.get(key)


_NOT_CACHED: dict[str, Any] = {}


def _newest_usable(
    row: dict[str, Any] | None, *, look_back: datetime | None, look_ahead: datetime
) -> dict[str, Any] | bool | None:
    """What a cached newest visit says: the visit, None (there is none), or True (ask the DB)."""
    if row is None:
        return None
    if row is _NOT_CACHED or row["visit_last_action_time"] > look_ahead:
        return True  # not cached, or a late hit that may belong to an older visit
    if look_back is not None and row["visit_last_action_time"] < look_back:
        return None  # even the newest visit ended too long ago
    return row


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
    cache: VisitCache | None = None,
    pending: logs.PendingWrites | None = None,
) -> dict[str, Any] | None:
    """The visitor's newest visit, looked up by visitor id and/or fingerprint (Matomo's order).

    `pending` holds the visits the batch opened but has not inserted yet: they are written
    before the database is asked, so it sees them.
    """
    look_ahead = now + timedelta(seconds=rules.visit_standard_length)
    look_back = now - timedelta(seconds=rules.visit_standard_length)
    cache = cache or VisitCache()

    def by_id() -> dict[str, Any] | None:
        if idvisitor is None:
            return None
        cached = cache.by_visitor.get((idsite, idvisitor), _NOT_CACHED)
        found = _newest_usable(cached, look_back=None, look_ahead=look_ahead)
        if found is not True:
            return found  # type: ignore[return-value]
        if pending is not None:
            pending.insert_visits(session)
        return logs.newest_visit_by_visitor(
            session, idsite=idsite, idvisitor=idvisitor, before=look_ahead
        )

    def by_config() -> dict[str, Any] | None:
        cached = cache.by_config.get((idsite, config_id), _NOT_CACHED)
        found = _newest_usable(cached, look_back=look_back, look_ahead=look_ahead)
        if isinstance(found, dict) and (uid is None or found["user_id"] in (None, uid)):
            return found
        if found is None:
            return None
        if pending is not None:
            pending.insert_visits(session)
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
