"""Goals of a site: what a goal may say (checked before it is stored), list, edit, delete."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.errors import InvalidRequestError, NotFoundError
from analytics_server.models import Goal

MATCH_ATTRIBUTES = (
    "url",
    "title",
    "file",
    "external_website",
    "manually",
    "event_category",
    "event_action",
    "event_name",
    "visit_duration",
)
PATTERN_TYPES = ("contains", "exact", "regex", "starts_with", "greater_than")
_LIMITS = {"name": 50, "description": 255, "pattern": 255}
FIELDS = (
    "name",
    "description",
    "match_attribute",
    "pattern",
    "pattern_type",
    "case_sensitive",
    "allow_multiple",
    "revenue",
    "event_value_as_revenue",
)


def check_goal(values: Mapping[str, Any]) -> dict[str, Any]:
    """The goal's settings checked and tidied; InvalidRequestError says what is wrong."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise InvalidRequestError(f"unknown goal setting {sorted(unknown)[0]!r}")
    found = dict(values)
    for key, limit in _LIMITS.items():
        if len(str(found.get(key) or "")) > limit:
            raise InvalidRequestError(f"a goal {key} has at most {limit} characters")
    found["name"] = str(found.get("name") or "").strip()
    if not found["name"]:
        raise InvalidRequestError("a goal needs a name")
    attribute = found.get("match_attribute", "manually")
    if attribute not in MATCH_ATTRIBUTES:
        raise InvalidRequestError(f"matchAttribute must be one of {', '.join(MATCH_ATTRIBUTES)}")
    _check_pattern(attribute, str(found.get("pattern") or ""), found.get("pattern_type"))
    if found.get("event_value_as_revenue") and not str(attribute).startswith("event_"):
        raise InvalidRequestError("useEventValueAsRevenue is for goals matching an event only")
    revenue = found.get("revenue", 0.0)
    if not isinstance(revenue, int | float) or not math.isfinite(revenue) or revenue < 0:
        raise InvalidRequestError("a goal's revenue must be a number of at least 0")
    return found


def _check_pattern(attribute: str, pattern: str, pattern_type: Any) -> None:
    kind = pattern_type or "contains"
    if kind not in PATTERN_TYPES:
        raise InvalidRequestError(f"patternType must be one of {', '.join(PATTERN_TYPES)}")
    if attribute == "manually":
        return
    if not pattern.strip():
        raise InvalidRequestError(f"a goal matching {attribute} needs a pattern")
    if attribute == "visit_duration":
        try:
            minutes = float(pattern)
        except ValueError:
            minutes = math.nan
        if not math.isfinite(minutes) or minutes < 0:
            raise InvalidRequestError("a visit_duration goal's pattern is a number of minutes")
    elif kind == "greater_than":
        raise InvalidRequestError("patternType greater_than is for visit_duration goals only")
    elif kind == "regex":
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InvalidRequestError(f"the goal pattern is not a valid regex: {exc}") from None


def list_goals(session: Session, idsite: int) -> list[Goal]:
    query = sa.select(Goal).where(Goal.idsite == idsite, Goal.deleted.is_(False))
    return list(session.scalars(query.order_by(Goal.idgoal)))


def get_goal(session: Session, idsite: int, idgoal: int) -> Goal:
    goal = session.get(Goal, (idsite, idgoal))
    if goal is None or goal.deleted:
        raise NotFoundError(f"The goal {idgoal} of site {idsite} does not exist.")
    return goal


def update_goal(session: Session, idsite: int, idgoal: int, **changes: Any) -> Goal:
    """Change the settings given; the rest stay as they are."""
    goal = get_goal(session, idsite, idgoal)
    current = {key: getattr(goal, key) for key in FIELDS}
    for key, value in check_goal({**current, **changes}).items():
        setattr(goal, key, value)
    session.flush()
    return goal


def delete_goal(session: Session, idsite: int, idgoal: int) -> None:
    """Mark the goal deleted: its id is never given again, its past conversions stay."""
    get_goal(session, idsite, idgoal).deleted = True
    session.flush()
