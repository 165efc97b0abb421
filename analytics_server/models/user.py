"""Users, their hashed API tokens and per-site access."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime
from analytics_server.models.base import Base


class User(Base):
    __tablename__ = "user"

    login: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    superuser_access: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    date_registered: Mapped[datetime] = mapped_column(UTCDateTime)


class UserToken(Base):
    __tablename__ = "user_token"

    idusertokenauth: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    login: Mapped[str] = mapped_column(
        sa.String(100), sa.ForeignKey("user.login", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(100), default="")
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    date_created: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    date_expired: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Access(Base):
    __tablename__ = "access"

    login: Mapped[str] = mapped_column(
        sa.String(100), sa.ForeignKey("user.login", ondelete="CASCADE"), primary_key=True
    )
    idsite: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("site.idsite", ondelete="CASCADE"), primary_key=True
    )
    access: Mapped[str] = mapped_column(sa.String(10))  # view | write | admin
