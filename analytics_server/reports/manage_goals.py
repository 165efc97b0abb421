"""Goals management: getGoals, getGoal, addGoal, updateGoal, deleteGoal.

Reads need view access, changes write access, as in Matomo. Goal rows carry the `goal` table's
column names; getGoals is keyed by goal id, as Matomo's answer is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analytics_server.models import Goal
from analytics_server.reports import manage_checks as check
from analytics_server.reports.formats import Keyed, Success
from analytics_server.reports.service import Call
from analytics_server.sites import goals as goals_service
from analytics_server.sites import service as sites_service


def goal_row(goal: Goal) -> dict[str, Any]:
    revenue = goal.revenue
    return {
        "idsite": goal.idsite,
        "idgoal": goal.idgoal,
        "name": goal.name,
        "description": goal.description,
        "match_attribute": goal.match_attribute,
        "pattern": goal.pattern,
        "pattern_type": goal.pattern_type,
        "case_sensitive": int(goal.case_sensitive),
        "allow_multiple": int(goal.allow_multiple),
        "revenue": int(revenue) if float(revenue).is_integer() else revenue,
        "deleted": int(goal.deleted),
        "event_value_as_revenue": int(goal.event_value_as_revenue),
    }


def _settings(call: Call) -> dict[str, Any]:
    """The goal settings the call gives, by column; absent parameters are left out."""
    found: dict[str, Any] = {}
    for param, column in (
        ("name", "name"),
        ("matchAttribute", "match_attribute"),
        ("pattern", "pattern"),
        ("patternType", "pattern_type"),
        ("description", "description"),
    ):
        value = check.text(call, param, max_length=255)
        if value is not None:
            found[column] = value.strip() if column != "pattern" else value
    for param, column in (
        ("caseSensitive", "case_sensitive"),
        ("allowMultipleConversionsPerVisit", "allow_multiple"),
        ("useEventValueAsRevenue", "event_value_as_revenue"),
    ):
        flag = check.flag(call, param)
        if flag is not None:
            found[column] = flag
    revenue = check.number(call, "revenue")
    if revenue is not None:
        found["revenue"] = revenue
    return found


def _get_goals(call: Call) -> Any:
    site = check.site(call, "view")
    goals = goals_service.list_goals(call.session, site.idsite)
    if not goals:
        return []
    return Keyed("idgoal", {str(goal.idgoal): goal_row(goal) for goal in goals})


def _get_goal(call: Call) -> Any:
    site = check.site(call, "view")
    idgoal = check.identifier(call, "idGoal")
    return goal_row(goals_service.get_goal(call.session, site.idsite, idgoal))


def _add_goal(call: Call) -> Any:
    site = check.site(call, "write")
    values = _settings(call)
    goal = sites_service.add_goal(
        call.session,
        idsite=site.idsite,
        name=values.pop("name", ""),
        match_attribute=values.pop("match_attribute", "manually"),
        pattern=values.pop("pattern", ""),
        pattern_type=values.pop("pattern_type", "contains") or "contains",
        **values,
    )
    return check.commit(call, goal.idgoal)


def _update_goal(call: Call) -> Any:
    site = check.site(call, "write")
    idgoal = check.identifier(call, "idGoal")
    goals_service.update_goal(call.session, site.idsite, idgoal, **_settings(call))
    return check.commit(call, Success())


def _delete_goal(call: Call) -> Any:
    site = check.site(call, "write")
    goals_service.delete_goal(call.session, site.idsite, check.identifier(call, "idGoal"))
    return check.commit(call, Success())


METHODS: dict[str, Callable[[Call], Any]] = {
    "Goals.getGoals": _get_goals,
    "Goals.getGoal": _get_goal,
    "Goals.addGoal": _add_goal,
    "Goals.updateGoal": _update_goal,
    "Goals.deleteGoal": _delete_goal,
}
