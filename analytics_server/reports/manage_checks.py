"""What the management methods share: who may call them, and their typed optional parameters.

A parameter that is absent reads as None, so an update method changes only what it is given.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from analytics_server.errors import InvalidRequestError
from analytics_server.kit.clock import local_day
from analytics_server.kit.periods import PeriodError, parse_date
from analytics_server.models import Site
from analytics_server.reports.params import MAX_INT
from analytics_server.reports.service import Call, deny, require_access

MAX_ID = MAX_INT
MAX_LIST_TEXT = 10_000  # a comma-joined list setting, as stored


def site(call: Call, level: str = "view") -> Site:
    """The site `idSite` names, once the caller is known to have `level` access to it.

    Access is checked first, so a caller without access cannot learn which ids exist.
    """
    idsite = identifier(call, "idSite")
    require_access(call.principal, idsite, level)
    found = call.session.get(Site, idsite)
    if found is None:
        raise InvalidRequestError(f"The site id {idsite} does not exist.")
    return found


def identifier(call: Call, name: str) -> int:
    """A required id parameter (idSite, idGoal, idSegment, idNote): not negative."""
    value = call.params.required_int(name)
    if not 0 <= value <= MAX_ID:
        raise InvalidRequestError(f"The parameter '{name}' must be an id from 0 to {MAX_ID}.")
    return value


def superuser(call: Call, what: str) -> None:
    if not call.principal.superuser:
        raise deny(f"{what} needs superuser access")


def signed_in(call: Call, what: str) -> None:
    if call.principal.is_anonymous:
        raise deny(f"{what} needs a user; the anonymous user cannot")


def text(call: Call, name: str, *, max_length: int = 10_000) -> str | None:
    if name not in call.params:
        return None
    return call.params.text(name, max_length=max_length)


def required_text(call: Call, name: str, *, max_length: int = 10_000) -> str:
    value = call.params.text(name, max_length=max_length)
    if not value.strip():
        raise InvalidRequestError(f"Please specify a value for '{name}'.")
    return value


def flag(call: Call, name: str) -> bool | None:
    if name not in call.params or not call.params.get(name).strip():
        return None
    return call.params.flag(name)


def number(call: Call, name: str) -> float | None:
    raw = call.params.get(name).strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidRequestError(f"The parameter '{name}' must be a number.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidRequestError(f"The parameter '{name}' must be a finite number.")
    return value


def items(call: Call, name: str) -> list[str] | None:
    """A list setting: `name[]=a&name[]=b`, or one value with commas or new lines."""
    if name not in call.params:
        return None
    found: list[str] = []
    for value in call.params.raw_list(name):
        found += [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    if len(",".join(found)) > MAX_LIST_TEXT:
        raise InvalidRequestError(f"'{name}' is longer than {MAX_LIST_TEXT} characters.")
    return found


def day(call: Call, name: str, timezone: str) -> date | None:
    """A day as YYYY-MM-DD, today or yesterday (in the site's time zone)."""
    raw = call.params.text(name, max_length=40).strip()
    if not raw:
        return None
    try:
        return parse_date(raw, today=local_day(call.now, timezone))
    except PeriodError as exc:
        raise InvalidRequestError(f"'{name}': {exc}") from None


def moment(call: Call, name: str) -> datetime | None:
    """A date or date and time (UTC unless it says otherwise)."""
    raw = call.params.text(name, max_length=40).strip()
    if not raw:
        return None
    try:
        found = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidRequestError(
            f"'{name}' must be a date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM:SS)."
        ) from None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def stamp(value: datetime | None) -> str | None:
    """A UTC time as Matomo's API writes it."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def commit(call: Call, answer: Any) -> Any:
    """End a write: commit, then answer."""
    call.session.commit()
    return answer
