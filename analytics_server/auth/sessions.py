"""Dashboard sign-in: password check with throttling, server-side sessions, CSRF tokens.

The cookie carries a random token; the database keeps only its sha256, the login, a CSRF
token for the session's forms, and when it expires (8 hours after the last request, at most
7 days after sign-in). Failed sign-ins are counted per login and per address: past the limits
further attempts are refused for a quarter of an hour, whatever the password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.auth.service import (
    Principal,
    hash_password,
    needs_rehash,
    principal_for_login,
    verify_password,
)
from analytics_server.errors import AppError
from analytics_server.models import LoginFailure, User, UserSession

COOKIE = "analytics_session"
IDLE = timedelta(hours=8)
LONGEST = timedelta(days=7)
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_ADDRESS = 20


class SignInError(AppError):
    """Wrong login or password (one message for both: no hint which was wrong)."""

    status_code = 401


class TooManyAttemptsError(AppError):
    status_code = 429


@dataclass(frozen=True)
class ActiveSession:
    principal: Principal
    csrf: str
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _throttled(session: Session, *, login: str, ip: str, now: datetime) -> bool:
    since = now - WINDOW
    f = LoginFailure
    count = sa.select(sa.func.count()).select_from(f).where(f.at >= since)
    by_login = session.scalar(count.where(f.login == login)) or 0
    by_address = session.scalar(count.where(f.ip == ip)) or 0
    return by_login >= MAX_FAILURES_PER_LOGIN or by_address >= MAX_FAILURES_PER_ADDRESS


def sign_in(
    session: Session, *, login: str, password: str, ip: str, user_agent: str, now: datetime
) -> ActiveSession:
    """Check the password and open a session; commits either way (failures are recorded)."""
    login = login.strip()[:100]
    if _throttled(session, login=login, ip=ip, now=now):
        raise TooManyAttemptsError("Too many failed sign-ins. Wait 15 minutes, then try again.")
    user = session.get(User, login) if login else None
    if user is None or not user.password_hash or not verify_password(password, user.password_hash):
        session.add(LoginFailure(login=login, ip=ip[:45], at=now))
        session.commit()
        raise SignInError("Wrong login or password.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token, csrf = secrets.token_urlsafe(32), new_csrf()
    session.add(
        UserSession(
            token_hash=_hash(token),
            login=login,
            csrf=csrf,
            created=now,
            last_seen=now,
            expires=min(now + IDLE, now + LONGEST),
            ip=ip[:45],
            user_agent=user_agent[:255],
        )
    )
    session.execute(sa.delete(LoginFailure).where(LoginFailure.login == login))
    session.execute(sa.delete(UserSession).where(UserSession.expires < now))
    session.commit()
    return ActiveSession(principal_for_login(session, login), csrf, token)


def current(session: Session, token: str, *, now: datetime) -> ActiveSession | None:
    """The session a cookie names, extended by the idle time; None when unknown or over."""
    if not token or len(token) > 200:
        return None
    row = session.get(UserSession, _hash(token))
    if row is None or row.expires <= now:
        return None
    if now - row.last_seen > timedelta(minutes=1):  # at most one write a minute per session
        row.last_seen = now
        row.expires = min(now + IDLE, row.created + LONGEST)
        session.commit()
    return ActiveSession(principal_for_login(session, row.login), row.csrf, token)


def sign_out(session: Session, token: str) -> None:
    session.execute(sa.delete(UserSession).where(UserSession.token_hash == _hash(token)))
    session.commit()


def sign_out_everywhere(session: Session, login: str) -> None:
    """End every session of a user (after a password change or when access is removed)."""
    session.execute(sa.delete(UserSession).where(UserSession.login == login))
    session.commit()


def new_csrf() -> str:
    return secrets.token_hex(32)


def csrf_matches(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())
