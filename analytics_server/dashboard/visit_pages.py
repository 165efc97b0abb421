"""The visits log and real-time widgets, the visitor profile page and the real-time fragment.

Each reads the Live API through `View.call`, the service `/index.php` answers with, so a page
shows exactly what the API returns for the same site, period and segment.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request

from analytics_server.auth.sessions import ActiveSession
from analytics_server.dashboard import i18n, menu, pages, views, visits
from analytics_server.dashboard.menu import Widget

LOG_LIMITS = (10, 25, 50, 100)
LOG_DEFAULT = 25
REALTIME_VISITS = 10
REFRESH_SECONDS = 15
# (minutes, English message): the spans real-time counts over.
COUNTERS = (
    (3, "%(visits)s visits and %(actions)s actions in the last 3 minutes"),
    (30, "%(visits)s visits and %(actions)s actions in the last 30 minutes"),
    (1440, "%(visits)s visits and %(actions)s actions in the last 24 hours"),
)
PROFILE_VISITS = 100  # the visits a profile sums (the API's default)
PROFILE_SHOWN = 10  # visits listed at first; "more" adds as many again
MESSAGES = tuple(message for _, message in COUNTERS)


def _keep(view: views.View) -> str:
    """The query links to other pages keep: period, date and segment."""
    keep = {k: v for k, v in view.query.items() if k in ("period", "date", "segment")}
    return urlencode(keep)


def shown_for(view: views.View) -> visits.Shown:
    return visits.Shown(language=view.language, site=view.site, keep=_keep(view))


def _int(text: str, default: int) -> int:
    return int(text) if text.isdigit() else default


def visits_log(view: views.View, widget: Widget) -> dict[str, Any]:
    """A page of the period's visits, newest first; one more is asked for to know if a next
    page exists."""
    limit = _int(view.state(widget, "limit"), LOG_DEFAULT)
    limit = limit if limit in LOG_LIMITS else LOG_DEFAULT
    offset = _int(view.state(widget, "offset"), 0)
    found = view.call(
        "Live.getLastVisitsDetails", filter_offset=str(offset), filter_limit=str(limit + 1)
    )
    rows = found if isinstance(found, list) else []
    shown = shown_for(view)
    return {
        "visits": [visits.visit_card(v, shown) for v in rows[:limit]],
        "offset": offset,
        "limit": limit,
        "limits": LOG_LIMITS,
        "more": len(rows) > limit,
    }


def counters(view: views.View) -> list[dict[str, Any]]:
    gettext = i18n.gettext_for(view.language)
    found = []
    for minutes, message in COUNTERS:
        answer = view.call("Live.getCounters", lastMinutes=str(minutes))
        row = answer[0] if isinstance(answer, list) and answer else {}
        values = {k: int(row.get(k) or 0) for k in ("visits", "actions", "visitors")}
        values["converted"] = int(row.get("visitsConverted") or 0)
        text = {k: i18n.number(v, view.language) for k, v in values.items()}
        found.append(
            {"minutes": minutes, "text": gettext(message) % text, "raw": values, "shown": text}
        )
    return found


def realtime(view: views.View, widget: Widget) -> dict[str, Any]:
    """Counters over the last minutes and hours, and the latest visits of any period."""
    count = min(_int(view.state(widget, "visits"), REALTIME_VISITS), LOG_LIMITS[-1])
    latest = view.call("Live.getLastVisitsDetails", period="", date="", filter_limit=str(count))
    shown = shown_for(view)
    keep = _keep(view)
    return {
        "counters": counters(view),
        "visits": [visits.visit_card(v, shown) for v in latest] if isinstance(latest, list) else [],
        "source": f"/site/{view.site.idsite}/realtime-fragment" + (f"?{keep}" if keep else ""),
        "refresh": REFRESH_SECONDS,
        "at": i18n.moment(view.now, view.language, view.site.timezone),
    }


def realtime_fragment(
    request: Request, db: Session, active: ActiveSession, language: str, _form: dict[str, str]
) -> pages.Built:
    """Only the real-time widget's content, for the script that refreshes it."""
    view = pages.page_view(request, db, active, language)
    return "dashboard/realtime.html", {
        "_": i18n.gettext_for(language),
        "data": realtime(view, menu.REALTIME),
        "view": view,
    }


def _profile_sums(found: dict[str, Any], shown: visits.Shown) -> dict[str, Any]:
    _ = shown._
    goals = {str(g): goal.name for g, goal in shown.site.goals.items()}
    by_goal = [
        (goals.get(key.removeprefix("idgoal_"), key), shown.number(n))
        for key, n in (found.get("totalConversionsByGoal") or {}).items()
    ]
    average = found.get("averagePageLoadTime") or 0
    return {
        "visits": shown.number(found.get("totalVisits") or 0),
        "actions": shown.number(found.get("totalActions") or 0),
        "pageviews": shown.number(found.get("totalPageViews") or 0),
        "searches": shown.number(found.get("totalSearches") or 0),
        "events": shown.number(found.get("totalEvents") or 0),
        "time": i18n.duration(found.get("totalVisitDuration") or 0, shown.language),
        "goals": shown.number(found.get("totalGoalConversions") or 0),
        "by_goal": by_goal,
        "revenue": shown.money(found.get("totalEcommerceRevenue")),
        "orders": shown.number(found.get("totalEcommerceConversions") or 0),
        "carts": shown.number(found.get("totalAbandonedCarts") or 0),
        "load_time": f"{i18n.number(average, shown.language, 3)} s" if average else "",
    }


def _ago(days: int, shown: visits.Shown) -> str:
    if days <= 1:
        return shown._("today") if days <= 0 else shown._("yesterday")
    return shown._("%(days)s days ago") % {"days": shown.number(days)}


def _when(summary: dict[str, Any], shown: visits.Shown) -> dict[str, str]:
    _ = shown._
    day = date.fromisoformat(str(summary["date"]))
    return {
        "date": i18n.day(day, shown.language),
        "ago": _ago(int(summary.get("daysAgo") or 0), shown),
        "referral": str(summary.get("referralSummary") or ""),
    }


def profile_model(found: dict[str, Any], shown: visits.Shown, count: int) -> dict[str, Any]:
    _ = shown._
    last = found.get("lastVisits") or []
    devices = [
        {
            "type": _(str(d["type"])),
            "count": shown.number(d["count"]),
            "models": [
                m["name"] for m in d.get("devices") or [] if m.get("name") not in ("", "Unknown")
            ],
        }
        for d in found.get("devices") or []
    ]
    neighbours = {
        key: shown.profile_href(str(found[key])) if found.get(key) else None
        for key in ("previousVisitorId", "nextVisitorId")
    }
    return {
        "visitor_id": found["visitorId"],
        "user_id": found.get("userId") or "",
        "sums": _profile_sums(found, shown),
        "first": _when(found["firstVisit"], shown),
        "last": _when(found["lastVisit"], shown),
        "countries": [
            (_(str(c["prettyName"])), shown.number(c["nb_visits"])) for c in found["countries"]
        ],
        "devices": devices,
        "visits": [{**visits.visit_card(v, shown), "profile": None} for v in last[:count]],
        "more": len(last) > count,
        "has_more_visits": bool(found.get("hasMoreVisits")),
        "previous": neighbours["previousVisitorId"],
        "next": neighbours["nextVisitorId"],
    }


def visitor_page(
    request: Request, db: Session, active: ActiveSession, language: str, _form: dict[str, str]
) -> pages.Built:
    """`/site/{id}/visitor/{visitorId}`: one visitor's profile and their last visits."""
    view = pages.page_view(request, db, active, language)
    visitor = str(request.path_params["visitor"])
    found = view.call("Live.getVisitorProfile", visitorId=visitor, limitVisits=str(PROFILE_VISITS))
    count = min(_int(view.query.get("shown", ""), PROFILE_SHOWN), PROFILE_VISITS)
    shown = shown_for(view)
    context = pages.chrome(db, active, view, "visitors/log")
    context.update(
        title=context["_"]("Visitor profile"),
        view=view,
        profile=profile_model(found, shown, count) if isinstance(found, dict) else None,
        more_href=view.link(shown=str(count + PROFILE_SHOWN)),
    )
    return "dashboard/visitor.html", context
