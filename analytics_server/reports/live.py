"""Live: the visits log, visitor profiles and real-time counters, read from the raw logs.

Each method reads one site the caller may view, with the call's segment applied in SQL (the
condition archiving uses). A page of visits costs a fixed number of queries: the page, then its
actions, conversions, items and action names, whatever the number of visits on it. A segment is
not refused past the ad-hoc day limit of archived reports: a Live read is bounded by its page
size, not by the period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from analytics_server.archiving.service import Target
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.clock import local_day, zone
from analytics_server.kit.periods import period_bounds_utc
from analytics_server.reports import repository as repo
from analytics_server.reports import service
from analytics_server.reports.live_actions import action_details, conversion_totals, name_ids
from analytics_server.reports.live_profile import profile
from analytics_server.reports.live_visits import hex_id, visit_fields
from analytics_server.reports.service import Call
from analytics_server.sites.service import SiteConfig

MAX_VISITS = 1000  # visits per call; clients page further with filter_offset
MAX_MINUTES = 2880  # getCounters looks back two days at most
DEFAULT_PROFILE_VISITS = 100


def _site(call: Call) -> SiteConfig:
    chosen, many = service.sites(call)
    if many:
        raise InvalidRequestError("Live methods read one site at a time: give a single idSite.")
    return chosen[0]


def _query(call: Call, site: SiteConfig, **extra: Any) -> repo.VisitQuery:
    """The site's visits matching the call's segment, within `extra` bounds."""
    definition = call.params.text("segment", max_length=10_000).strip()
    condition = Target(site, definition).condition(call.session) if definition else None
    return repo.VisitQuery(site.idsite, condition, **extra)


def _period_bounds(call: Call, site: SiteConfig) -> dict[str, datetime]:
    """[start, end) in UTC of the `period`/`date` asked for; nothing when neither is given."""
    if not (call.params.get("period").strip() or call.params.get("date").strip()):
        return {}
    found, _ = service.periods(call, site)
    start = min(period_bounds_utc(p, site.timezone)[0] for p in found)
    end = max(period_bounds_utc(p, site.timezone)[1] for p in found)
    return {"start": start, "end": end}


def _min_timestamp(call: Call) -> dict[str, datetime]:
    value = call.params.integer("minTimestamp")
    if value is None or value <= 0:
        return {}
    try:
        return {"after": datetime.fromtimestamp(value, UTC)}
    except (OverflowError, OSError, ValueError):
        raise InvalidRequestError("minTimestamp must be a unix timestamp in seconds.") from None


def _count(name: str, value: int | None) -> int:
    if value is None or not 0 <= value <= MAX_VISITS:
        raise InvalidRequestError(
            f"{name} must be between 0 and {MAX_VISITS} for Live methods; "
            "ask for the next visits with filter_offset."
        )
    return value


def _page(call: Call) -> tuple[int, int]:
    """(offset, limit): countVisitorsToFetch wins over filter_limit (100 by default)."""
    count = call.params.integer("countVisitorsToFetch")
    if count is not None:
        limit = _count("countVisitorsToFetch", count)
    else:
        limit = _count("filter_limit", call.params.integer("filter_limit", service.DEFAULT_LIMIT))
    return max(call.params.integer("filter_offset", 0) or 0, 0), limit


def _ascending(call: Call) -> bool:
    order = call.params.get("filter_sort_order", "desc").strip().lower() or "desc"
    if order not in ("asc", "desc"):
        raise InvalidRequestError("filter_sort_order must be asc or desc.")
    return order == "asc"


def _by_visit(rows: Sequence[dict[str, Any]]) -> Mapping[int, list[dict[str, Any]]]:
    grouped: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["idvisit"]].append(row)
    return grouped


def visits_details(
    call: Call, site: SiteConfig, rows: Sequence[dict[str, Any]], *, with_actions: bool = True
) -> list[dict[str, Any]]:
    """Visit rows as Live visits; their actions, conversions and items in one query each."""
    ids = [row["idvisit"] for row in rows]
    session = call.session
    conversions = _by_visit(repo.conversions(session, site.idsite, ids))
    actions = _by_visit(repo.actions(session, site.idsite, ids) if with_actions else [])
    items = _by_visit(repo.items(session, site.idsite, ids) if with_actions else [])
    wanted = name_ids(
        (row for group in actions.values() for row in group),
        (row for group in items.values() for row in group),
    )
    names = repo.action_names(session, wanted) if wanted else {}
    tz = zone(site.timezone)
    found = []
    for row in rows:
        visit = visit_fields(row, site, language=call.language)
        visit.update(conversion_totals(conversions.get(row["idvisit"], [])))
        visit["actionDetails"] = (
            action_details(
                row,
                actions=actions.get(row["idvisit"], []),
                conversions=conversions.get(row["idvisit"], []),
                items=items.get(row["idvisit"], []),
                names=names,
                site=site,
                tz=tz,
            )
            if with_actions
            else []
        )
        found.append(visit)
    return found


def last_visits_details(call: Call) -> Any:
    site = _site(call)
    query = _query(
        call, site, ascending=_ascending(call), **_period_bounds(call, site), **_min_timestamp(call)
    )
    offset, limit = _page(call)
    rows = repo.visits(call.session, query, offset=offset, limit=limit)
    found = visits_details(call, site, rows, with_actions=not call.params.flag("doNotFetchActions"))
    # The visitor map asks for a few columns only.
    return [service.show_hide(visit, call.params) for visit in found]


def counters(call: Call) -> Any:
    site = _site(call)
    minutes = call.params.required_int("lastMinutes")
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidRequestError(f"lastMinutes must be between 1 and {MAX_MINUTES}.")
    found = repo.counters(
        call.session, _query(call, site, start=call.now - timedelta(minutes=minutes))
    )
    return [
        {
            "visits": found.visits,
            "actions": found.actions,
            "visitors": found.visitors,
            "visitsConverted": found.converted,
        }
    ]


def most_recent_visitor_id(call: Call) -> Any:
    site = _site(call)
    rows = repo.visits(call.session, _query(call, site), offset=0, limit=1)
    return hex_id(rows[0]["idvisitor"]) if rows else False


def most_recent_visits_date_time(call: Call) -> Any:
    """The newest last action of the period (or ever), in the site's time zone."""
    site = _site(call)
    query = _query(call, site, **_period_bounds(call, site))
    rows = repo.visits(call.session, query, offset=0, limit=1)
    if not rows:
        return ""
    moment = rows[0]["visit_last_action_time"].astimezone(zone(site.timezone))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _visitor_id(call: Call, site: SiteConfig) -> bytes | None:
    text = call.params.get("visitorId").strip()
    if not text:
        rows = repo.visits(call.session, _query(call, site), offset=0, limit=1)
        return bytes(rows[0]["idvisitor"]) if rows else None
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) != 8:
        raise InvalidRequestError("visitorId must be 16 hexadecimal characters.")
    return value


def visitor_profile(call: Call) -> Any:
    site = _site(call)
    idvisitor = _visitor_id(call, site)
    limit = call.params.integer("limitVisits", DEFAULT_PROFILE_VISITS)
    limit = _count("limitVisits", limit) or DEFAULT_PROFILE_VISITS
    if idvisitor is None:
        return []
    everyone = _query(call, site)
    query = replace(everyone, idvisitor=idvisitor)
    rows = repo.visits(call.session, query, offset=0, limit=limit + 1)
    if not rows:
        return []
    visits = visits_details(call, site, rows[:limit])
    found = profile(visits, today=local_day(call.now, site.timezone), has_more=len(rows) > limit)
    moment = rows[0]["visit_last_action_time"]
    for key, newer in (("previousVisitorId", True), ("nextVisitorId", False)):
        other = repo.adjacent_visitor(
            call.session, everyone, idvisitor=idvisitor, moment=moment, newer=newer
        )
        found[key] = hex_id(other) if other is not None else None
    return found


METHODS: dict[str, Callable[[Call], Any]] = {
    "Live.getLastVisitsDetails": last_visits_details,
    "Live.getVisitorProfile": visitor_profile,
    "Live.getCounters": counters,
    "Live.getMostRecentVisitorId": most_recent_visitor_id,
    "Live.getMostRecentVisitsDateTime": most_recent_visits_date_time,
}
