"""Dashboard sign-in: sessions (by token hash), failed sign-ins (for throttling) and per-user
preferences (language, dashboard layout)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime
from analytics_server.models.base import Base


class UserSession(Base):
    __tablename__ = "user_session"

    # sha256 hex of the cookie's token: a leaked table does not hand out sessions.
    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    login: Mapped[str] = mapped_column(
        sa.String(100), sa.ForeignKey("user.login", ondelete="CASCADE"), index=True
    )
    csrf: Mapped[str] = mapped_column(sa.String(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    expires: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")


class LoginFailure(Base):
    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_login_at", "login", "at"),
        sa.Index("ix_login_failure_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(sa.String(100))
    ip: Mapped[str] = mapped_column(sa.String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserPreference(Base):
    __tablename__ = "user_preference"

    login: Mapped[str] = mapped_column(
        sa.String(100), sa.ForeignKey("user.login", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text, default="")
