"""Plain factory functions and read-back helpers for tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.auth import service as auth_service
from analytics_server.models import (
    LogAction,
    LogConversion,
    LogConversionItem,
    LogLinkVisitAction,
    LogVisit,
    Site,
    TrackingFailure,
)
from analytics_server.sites import service as sites_service


def create_site(session: Session, **overrides: Any) -> Site:
    values: dict[str, Any] = {"name": "Portal", "main_url": "https://portal.example.com"}
    values.update(overrides)
    site = sites_service.create_site(session, **values)
    session.commit()
    return site


def create_token(
    session: Session,
    *,
    login: str = "admin",
    superuser: bool = True,
    access: dict[int, str] | None = None,
) -> str:
    auth_service.create_user(session, login=login, password="secret-password", superuser=superuser)
    for idsite, level in (access or {}).items():
        auth_service.set_access(session, login=login, idsite=idsite, access=level)
    token = auth_service.create_token(session, login=login)
    session.commit()
    return token


def fresh(session: Session) -> None:
    """End the session's transaction, so reads see what the app committed since (MariaDB
    keeps a REPEATABLE READ snapshot per transaction)."""
    session.commit()
    session.expire_all()


def _rows(session: Session, table: Any, order: Any) -> list[dict[str, Any]]:
    fresh(session)
    return [dict(r) for r in session.execute(sa.select(table).order_by(order)).mappings()]


def visits(session: Session) -> list[dict[str, Any]]:
    t = LogVisit.__table__
    return _rows(session, t, t.c.idvisit)


def actions(session: Session) -> list[dict[str, Any]]:
    t = LogLinkVisitAction.__table__
    return _rows(session, t, t.c.idlink_va)


def conversions(session: Session) -> list[dict[str, Any]]:
    t = LogConversion.__table__
    return _rows(session, t, t.c.server_time)


def items(session: Session) -> list[dict[str, Any]]:
    t = LogConversionItem.__table__
    return _rows(session, t, t.c.idaction_sku)


def failures(session: Session) -> list[TrackingFailure]:
    fresh(session)
    return list(session.scalars(sa.select(TrackingFailure).order_by(TrackingFailure.idfailure)))


def name_of(session: Session, idaction: int | None) -> str | None:
    """The dictionary name of an action id (URLs without their prefix)."""
    if idaction is None:
        return None
    return session.scalar(sa.select(LogAction.name).where(LogAction.idaction == idaction))


def url_of(session: Session, idaction: int | None) -> str | None:
    """A page URL with its prefix put back."""
    from analytics_server.kit.urls import join_url_prefix

    if idaction is None:
        return None
    row = session.execute(
        sa.select(LogAction.name, LogAction.url_prefix).where(LogAction.idaction == idaction)
    ).one()
    return join_url_prefix(row.url_prefix, row.name)


def count(session: Session, model: Any) -> int:
    fresh(session)
    return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
