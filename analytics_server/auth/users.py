"""Managing users: read, change, delete; per-site access; superusers; tokens a password buys.

The rules that keep an instance usable live here: the `anonymous` user is never deleted and
only ever gets view access, and the last superuser cannot be deleted or demoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.auth import service as auth_service
from analytics_server.auth.service import ACCESS_LEVELS, ANONYMOUS
from analytics_server.errors import AccessDeniedError, InvalidRequestError, NotFoundError
from analytics_server.kit.clock import utc_now
from analytics_server.kit.hashing import token_hash
from analytics_server.models import Access, LoginFailure, User, UserToken

LOGIN = re.compile(r"^[A-Za-z0-9_.@\-]{2,100}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
NO_ACCESS = "noaccess"
# Password confirmations share the sign-in limits: a token must not be a way round them.
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
MAX_TOKEN_HOURS = 24 * 365 * 10


def check_login(login: str) -> str:
    if not LOGIN.match(login):
        raise InvalidRequestError(
            "A login has 2 to 100 characters: letters, digits and _ - . @ only."
        )
    return login


def check_email(email: str) -> str:
    text = email.strip()
    if len(text) > 255 or not EMAIL.match(text):
        raise InvalidRequestError(f"{email[:100]!r} is not an email address.")
    return text


def get_user(session: Session, login: str) -> User:
    user = session.get(User, login) if login else None
    if user is None:
        raise NotFoundError(f"The user '{login[:100]}' does not exist.")
    return user


def list_users(session: Session, logins: Iterable[str] | None = None) -> list[User]:
    query = sa.select(User).order_by(User.login)
    if logins is not None:
        query = query.where(User.login.in_(list(logins)))
    return list(session.scalars(query))


def add_user(session: Session, *, login: str, password: str, email: str) -> User:
    """A new user without access (the API's addUser): a checked login and email."""
    return auth_service.create_user(
        session, login=check_login(login), password=password, email=check_email(email)
    )


def update_user(
    session: Session, login: str, *, password: str | None = None, email: str | None = None
) -> User:
    user = get_user(session, login)
    if login == ANONYMOUS:
        raise InvalidRequestError("The anonymous user cannot be changed.")
    if password is not None:
        if len(password) < 8:
            raise InvalidRequestError("A password has at least 8 characters.")
        user.password_hash = auth_service.hash_password(password)
        # Tokens stay valid; sessions are another module's business.
    if email is not None:
        user.email = check_email(email)
    session.flush()
    return user


def _superusers(session: Session) -> list[str]:
    return list(session.scalars(sa.select(User.login).where(User.superuser_access.is_(True))))


def delete_user(session: Session, login: str) -> None:
    user = get_user(session, login)
    if login == ANONYMOUS:
        raise InvalidRequestError("The anonymous user cannot be deleted.")
    if user.superuser_access and _superusers(session) == [login]:
        raise InvalidRequestError("The only superuser cannot be deleted.")
    for model in (Access, UserToken):
        session.execute(sa.delete(model).where(model.login == login))
    session.delete(user)
    session.flush()


def set_superuser(session: Session, login: str, superuser: bool) -> None:
    user = get_user(session, login)
    if login == ANONYMOUS:
        raise InvalidRequestError("The anonymous user cannot be a superuser.")
    if not superuser and _superusers(session) == [login]:
        raise InvalidRequestError("The only superuser cannot lose superuser access.")
    user.superuser_access = superuser
    session.flush()


def set_user_access(session: Session, *, login: str, access: str, idsites: Iterable[int]) -> None:
    """Give `access` (view, write, admin) on each site, or take it away (noaccess)."""
    get_user(session, login)
    if access not in (*ACCESS_LEVELS, NO_ACCESS):
        raise InvalidRequestError(f"access must be one of {', '.join(ACCESS_LEVELS)}, noaccess")
    if login == ANONYMOUS and access not in ("view", NO_ACCESS):
        raise InvalidRequestError("The anonymous user can only be given view access.")
    for idsite in idsites:
        if access == NO_ACCESS:
            session.execute(sa.delete(Access).where(Access.login == login, Access.idsite == idsite))
        else:
            auth_service.set_access(session, login=login, idsite=idsite, access=access)
    session.flush()


def access_by_site(session: Session, login: str) -> dict[int, str]:
    get_user(session, login)
    rows = session.execute(
        sa.select(Access.idsite, Access.access).where(Access.login == login).order_by(Access.idsite)
    )
    return {row[0]: row[1] for row in rows}


def access_by_login(session: Session, idsite: int) -> dict[str, str]:
    rows = session.execute(
        sa.select(Access.login, Access.access).where(Access.idsite == idsite).order_by(Access.login)
    )
    return {row[0]: row[1] for row in rows}


def confirm_password(session: Session, *, login: str, password: str, now: datetime) -> None:
    """Raise AccessDeniedError unless `password` is `login`'s; failures count like sign-ins
    and are committed, so a guessing client is stopped after a few tries."""
    since = now - FAILURE_WINDOW
    failures = session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.login == login[:100], LoginFailure.at >= since)
    )
    if (failures or 0) >= MAX_FAILURES:
        raise AccessDeniedError("Too many wrong passwords. Wait 15 minutes, then try again.")
    user = session.get(User, login) if login else None
    stored = user.password_hash if user is not None else ""
    if not stored or not auth_service.verify_password(password, stored):
        session.add(LoginFailure(login=login[:100], ip="api", at=now))
        session.commit()
        raise AccessDeniedError("The password confirmation is not right.")


def create_app_token(
    session: Session,
    *,
    login: str,
    description: str,
    expires: datetime | None = None,
    hours: int | None = None,
) -> str:
    """A new token_auth for `login` (shown once), valid until `expires` or for `hours` when
    given. Expiry is on the wall clock, the one tokens are checked against."""
    if not description.strip():
        raise InvalidRequestError("Please specify a value for 'description'.")
    if len(description) > 100:
        raise InvalidRequestError("A token description has at most 100 characters.")
    now = utc_now()
    if hours is not None:
        if not 0 < hours <= MAX_TOKEN_HOURS:
            raise InvalidRequestError(f"expireHours must be from 1 to {MAX_TOKEN_HOURS}.")
        expires = now + timedelta(hours=hours)
    if expires is not None and expires <= now:
        raise InvalidRequestError("The token would expire before it is created.")
    token = auth_service.create_token(session, login=login, description=description)
    if expires is not None:
        session.execute(
            sa.update(UserToken)
            .where(UserToken.login == login, UserToken.hash == token_hash(token))
            .values(date_expired=expires)
        )
    session.flush()
    return token
