"""A visitor profile: one visitor's visits (as the Live API shows them) summed up.

The profile covers the visits it is given (the newest `limitVisits`), not the visitor's whole
history, so its totals always agree with its `lastVisits`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from analytics_server.reports.live_actions import money

Visit = dict[str, Any]


def referral_summary(visit: Visit) -> str:
    """How the visit came, in a few words: 'Google - analytics', 'Campaign - spring'."""
    kind, name, keyword = visit["referrerType"], visit["referrerName"], visit["referrerKeyword"]
    if kind == "direct":
        return str(visit["referrerTypeName"])
    if kind == "campaign":
        return f"Campaign - {name}" if name else "Campaign"
    if kind == "search" and keyword:
        return f"{name} - {keyword}"
    return str(name or visit["referrerTypeName"])


def visit_summary(visit: Visit, today: date) -> dict[str, Any]:
    day = date.fromisoformat(visit["serverDate"])
    return {
        "date": visit["serverDate"],
        "prettyDate": visit["serverDatePretty"],
        "daysAgo": (today - day).days,
        "referrerType": visit["referrerType"],
        "referrerName": visit["referrerName"],
        "referrerKeyword": visit["referrerKeyword"],
        "referralSummary": referral_summary(visit),
    }


def _places(visits: Sequence[Visit], key: str, name: str) -> list[dict[str, Any]]:
    """Visits per country or continent code, most visits first."""
    counts = Counter(v[key] for v in visits)
    shown = {v[key]: v[name] for v in visits}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    label = "country" if key == "countryCode" else "continent"
    return [{label: code, "prettyName": shown[code], "nb_visits": n} for code, n in ranked]


def _devices(visits: Sequence[Visit]) -> list[dict[str, Any]]:
    """Visits per device type, and within a type per brand and model."""
    by_type: dict[str, Counter[str]] = {}
    for visit in visits:
        model = " ".join(p for p in (visit["deviceBrand"], visit["deviceModel"]) if p)
        by_type.setdefault(visit["deviceType"], Counter())[model] += 1
    ranked = sorted(by_type.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    return [
        {
            "type": kind,
            "count": sum(models.values()),
            "devices": [
                {"name": name, "count": n}
                for name, n in sorted(models.items(), key=lambda item: (-item[1], item[0]))
            ],
        }
        for kind, models in ranked
    ]


def _actions(visits: Sequence[Visit]) -> list[dict[str, Any]]:
    return [action for visit in visits for action in visit["actionDetails"]]


def _load_time(actions: Sequence[dict[str, Any]]) -> tuple[float, int]:
    timed = [a["pageLoadTimeMilliseconds"] for a in actions if "pageLoadTimeMilliseconds" in a]
    if not timed:
        return 0.0, 0
    return round(sum(timed) / len(timed) / 1000, 3), len(timed)


def _total(visits: Sequence[Visit], key: str, kind: Callable[[Any], Any] = int) -> Any:
    return kind(sum(v[key] for v in visits))


def totals(visits: Sequence[Visit]) -> dict[str, Any]:
    actions = _actions(visits)
    goals = Counter(f"idgoal_{a['goalId']}" for a in actions if a["type"] == "goal")
    average, timed = _load_time(actions)
    return {
        "totalVisits": len(visits),
        "totalVisitDuration": _total(visits, "visitDuration"),
        "totalActions": _total(visits, "actions"),
        "totalInteractions": _total(visits, "interactions"),
        "totalSearches": _total(visits, "searches"),
        "totalEvents": _total(visits, "events"),
        "totalPageViews": sum(1 for a in actions if a["type"] == "action"),
        "totalGoalConversions": _total(visits, "goalConversions"),
        "totalConversionsByGoal": dict(sorted(goals.items())),
        "totalEcommerceRevenue": _total(visits, "totalEcommerceRevenue", money),
        "totalEcommerceConversions": _total(visits, "totalEcommerceConversions"),
        "totalEcommerceItems": _total(visits, "totalEcommerceItems"),
        "totalAbandonedCarts": _total(visits, "totalAbandonedCarts"),
        "totalAbandonedCartsRevenue": _total(visits, "totalAbandonedCartsRevenue", money),
        "totalAbandonedCartsItems": _total(visits, "totalAbandonedCartsItems"),
        "averagePageLoadTime": average,
        "totalPageViewsWithTiming": timed,
    }


def profile(visits: Sequence[Visit], *, today: date, has_more: bool) -> dict[str, Any]:
    """The profile of the visitor of `visits` (newest first, at least one)."""
    newest, oldest = visits[0], visits[-1]
    return {
        "visitorId": newest["visitorId"],
        "userId": next((v["userId"] for v in visits if v["userId"]), None),
        "firstVisit": visit_summary(oldest, today),
        "lastVisit": visit_summary(newest, today),
        **totals(visits),
        "countries": _places(visits, "countryCode", "country"),
        "continents": _places(visits, "continentCode", "continent"),
        "devices": _devices(visits),
        "lastVisits": list(visits),
        "hasMoreVisits": int(has_more),
    }
