"""Per-user preferences (language, dashboard layout), as Matomo's UsersManager keeps them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from analytics_server.models import UserPreference

MAX_VALUE = 64 * 1024


def get(session: Session, login: str, name: str) -> str | None:
    row = session.get(UserPreference, (login, name))
    return None if row is None else row.value


def put(session: Session, login: str, name: str, value: str) -> None:
    """Store a preference (the caller commits)."""
    row = session.get(UserPreference, (login, name))
    if row is None:
        session.add(UserPreference(login=login, name=name, value=value[:MAX_VALUE]))
    else:
        row.value = value[:MAX_VALUE]
    session.flush()
