"""Users, password hashing (argon2id; scrypt hashes of earlier versions still verify), API
tokens and the access a token grants."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from analytics_server.errors import InvalidRequestError
from analytics_server.kit.clock import utc_now
from analytics_server.kit.hashing import token_hash
from analytics_server.models import Access, User, UserToken

ACCESS_LEVELS = ("view", "write", "admin")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_ARGON2 = PasswordHasher()  # argon2id with the library's RFC 9106 parameters


def hash_password(password: str) -> str:
    return _ARGON2.hash(password)


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        _scheme, salt_b64, digest_b64 = stored.split("$")
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return hmac.compare_digest(digest, expected)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return _ARGON2.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash is of an older scheme or weaker parameters (rehash at sign-in)."""
    return stored.startswith("scrypt$") or _ARGON2.check_needs_rehash(stored)


def create_user(
    session: Session, *, login: str, password: str, email: str = "", superuser: bool = False
) -> User:
    if not login.strip():
        raise InvalidRequestError("login must not be empty")
    if len(password) < 8:
        raise InvalidRequestError("password must have at least 8 characters")
    if session.get(User, login) is not None:
        raise InvalidRequestError(f"user {login!r} already exists")
    user = User(
        login=login,
        email=email,
        password_hash=hash_password(password),
        superuser_access=superuser,
        date_registered=utc_now(),
    )
    session.add(user)
    session.flush()
    return user


def set_access(session: Session, *, login: str, idsite: int, access: str) -> None:
    if access not in ACCESS_LEVELS:
        raise InvalidRequestError(f"access must be one of {', '.join(ACCESS_LEVELS)}")
    session.merge(Access(login=login, idsite=idsite, access=access))
    session.flush()


def create_token(session: Session, *, login: str, description: str = "") -> str:
    """A new API token for `login`; only its hash is stored, so this is the one chance to see it."""
    if session.get(User, login) is None:
        raise InvalidRequestError(f"user {login!r} does not exist")
    token = secrets.token_hex(16)
    session.add(
        UserToken(
            login=login, description=description, hash=token_hash(token), date_created=utc_now()
        )
    )
    session.flush()
    return token


@dataclass(frozen=True)
class Principal:
    """Who a token belongs to and what it may do."""

    login: str
    superuser: bool
    access: dict[int, str]

    def can_write(self, idsite: int) -> bool:
        return self.superuser or self.access.get(idsite) in ("write", "admin")

    def can_view(self, idsite: int) -> bool:
        return self.superuser or idsite in self.access

    @property
    def is_anonymous(self) -> bool:
        return self.login == ANONYMOUS


ANONYMOUS = "anonymous"


def _access_of(session: Session, login: str) -> dict[int, str]:
    return {
        a.idsite: a.access for a in session.scalars(sa.select(Access).where(Access.login == login))
    }


def anonymous_principal(session: Session) -> Principal:
    """Who calls without a token: the `anonymous` user, with the view access sites gave it."""
    return Principal(login=ANONYMOUS, superuser=False, access=_access_of(session, ANONYMOUS))


def principal_for_login(session: Session, login: str) -> Principal:
    """The principal of a signed-in user (the dashboard's sessions)."""
    user = session.get(User, login)
    superuser = bool(user and user.superuser_access)
    return Principal(login=login, superuser=superuser, access=_access_of(session, login))


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The principal behind a token, or None for an unknown or expired token."""
    if not token or len(token) > 256:
        return None
    row = session.execute(
        sa.select(UserToken, User)
        .join(User, User.login == UserToken.login)
        .where(UserToken.hash == token_hash(token))
    ).first()
    if row is None:
        return None
    user_token, user = row
    if user_token.date_expired is not None and user_token.date_expired <= utc_now():
        return None
    return Principal(
        login=user.login, superuser=user.superuser_access, access=_access_of(session, user.login)
    )
