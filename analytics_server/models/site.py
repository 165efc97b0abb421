"""Websites (measurables), their alias URLs, goals and custom dimension definitions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime
from analytics_server.models.base import Base


class Site(Base):
    __tablename__ = "site"

    idsite: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(sa.String(90))
    main_url: Mapped[str] = mapped_column(sa.String(255))
    ts_created: Mapped[datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(
        sa.String(32), default="website"
    )  # website|intranet|mobileapp
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    ecommerce: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    sitesearch: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Comma-separated lists, as Matomo's API exchanges them.
    sitesearch_keyword_parameters: Mapped[str] = mapped_column(sa.Text, default="")
    sitesearch_category_parameters: Mapped[str] = mapped_column(sa.Text, default="")
    excluded_ips: Mapped[str] = mapped_column(sa.Text, default="")
    excluded_parameters: Mapped[str] = mapped_column(sa.Text, default="")
    excluded_user_agents: Mapped[str] = mapped_column(sa.Text, default="")
    excluded_referrers: Mapped[str] = mapped_column(sa.Text, default="")
    exclude_unknown_urls: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    keep_url_fragment: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # None = use the global privacy setting.
    ip_anonymisation_bytes: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    group: Mapped[str] = mapped_column(sa.String(250), default="")
    creator_login: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class SiteUrl(Base):
    __tablename__ = "site_url"

    idsite: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("site.idsite", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(sa.String(190), primary_key=True)


class Goal(Base):
    __tablename__ = "goal"

    idsite: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("site.idsite", ondelete="CASCADE"), primary_key=True
    )
    idgoal: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(50))
    description: Mapped[str] = mapped_column(sa.String(255), default="")
    # url, title, file, external_website, manually, event_category, event_action, event_name,
    # visit_duration
    match_attribute: Mapped[str] = mapped_column(sa.String(20), default="manually")
    pattern: Mapped[str] = mapped_column(sa.String(255), default="")
    pattern_type: Mapped[str] = mapped_column(sa.String(25), default="contains")
    case_sensitive: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    allow_multiple: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    revenue: Mapped[float] = mapped_column(sa.Float, default=0.0)
    event_value_as_revenue: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class CustomDimension(Base):
    """A custom dimension; `index` picks the custom_dimension_<index> column of its scope."""

    __tablename__ = "custom_dimension"
    __table_args__ = (sa.UniqueConstraint("idsite", "scope", "index"),)

    idcustomdimension: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    idsite: Mapped[int] = mapped_column(
        sa.Integer, sa.ForeignKey("site.idsite", ondelete="CASCADE")
    )
    scope: Mapped[str] = mapped_column(sa.String(10))  # visit | action
    index: Mapped[int] = mapped_column(sa.SmallInteger)
    name: Mapped[str] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)


MAX_CUSTOM_DIMENSIONS_PER_SCOPE = 10
