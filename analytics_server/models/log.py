"""Raw logs: the action dictionary, visits, actions, conversions and ecommerce items."""

from __future__ import annotations

from datetime import datetime, time
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from analytics_server.kit.sqltypes import UTCDateTime, big_id, binary, long_text, varbinary
from analytics_server.models.base import Base
from analytics_server.models.site import MAX_CUSTOM_DIMENSIONS_PER_SCOPE

CUSTOM_VARIABLE_SLOTS = 5

# log_action.type
ACTION_TYPE_PAGE_URL = 1
ACTION_TYPE_OUTLINK = 2
ACTION_TYPE_DOWNLOAD = 3
ACTION_TYPE_PAGE_TITLE = 4
ACTION_TYPE_ECOMMERCE_ITEM_SKU = 5
ACTION_TYPE_ECOMMERCE_ITEM_NAME = 6
ACTION_TYPE_ECOMMERCE_ITEM_CATEGORY = 7
ACTION_TYPE_SITE_SEARCH = 8
ACTION_TYPE_EVENT_CATEGORY = 10
ACTION_TYPE_EVENT_ACTION = 11
ACTION_TYPE_EVENT_NAME = 12
ACTION_TYPE_CONTENT_NAME = 13
ACTION_TYPE_CONTENT_PIECE = 14
ACTION_TYPE_CONTENT_TARGET = 15
ACTION_TYPE_CONTENT_INTERACTION = 16

# log_link_visit_action.action_type: what the hit was (denormalised for fast archiving).
HIT_PAGEVIEW = 1
HIT_OUTLINK = 2
HIT_DOWNLOAD = 3
HIT_SITE_SEARCH = 8
HIT_EVENT = 10
HIT_CONTENT = 13
HIT_PRODUCT_VIEW = 5  # a page view with product information (_pks/_pkn/_pkc)

GOAL_CART = -1
GOAL_ORDER = 0


class LogAction(Base):
    """Each distinct name (URL, title, event category...) stored once and referenced by id."""

    __tablename__ = "log_action"
    __table_args__ = (
        sa.Index("ix_log_action_type_hash", "type", "hash"),
        sa.UniqueConstraint("type", "digest", name="uq_log_action_type_digest"),
    )

    idaction: Mapped[int] = mapped_column(big_id(), primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(long_text())
    hash: Mapped[int] = mapped_column(sa.BigInteger)
    type: Mapped[int] = mapped_column(sa.SmallInteger)
    url_prefix: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    # MD5 of the name: a unique key, so concurrent workers never store one name twice.
    digest: Mapped[bytes | None] = mapped_column(binary(16), nullable=True)


def _dimension_columns(prefix: str, count: int, length: int) -> dict[str, sa.Column[str | None]]:
    return {
        f"{prefix}{i}": sa.Column(f"{prefix}{i}", sa.String(length), nullable=True)
        for i in range(1, count + 1)
    }


class LogVisit(Base):
    __tablename__ = "log_visit"
    __table_args__ = (
        sa.Index("ix_log_visit_site_config_last", "idsite", "config_id", "visit_last_action_time"),
        sa.Index("ix_log_visit_site_last", "idsite", "visit_last_action_time"),
        sa.Index("ix_log_visit_site_visitor_last", "idsite", "idvisitor", "visit_last_action_time"),
    )

    idvisit: Mapped[int] = mapped_column(big_id(), primary_key=True, autoincrement=True)
    idsite: Mapped[int] = mapped_column(sa.Integer)
    idvisitor: Mapped[bytes] = mapped_column(binary(8))
    config_id: Mapped[bytes] = mapped_column(binary(8))
    location_ip: Mapped[bytes] = mapped_column(varbinary(16))
    user_id: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    visit_first_action_time: Mapped[datetime] = mapped_column(UTCDateTime)
    visit_last_action_time: Mapped[datetime] = mapped_column(UTCDateTime)
    visit_total_time: Mapped[int] = mapped_column(sa.Integer, default=0)
    visit_total_actions: Mapped[int] = mapped_column(sa.Integer, default=0)
    visit_total_interactions: Mapped[int] = mapped_column(sa.Integer, default=0)
    visit_total_searches: Mapped[int] = mapped_column(sa.Integer, default=0)
    visit_total_events: Mapped[int] = mapped_column(sa.Integer, default=0)
    visit_entry_idaction_url: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    visit_entry_idaction_name: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    visit_exit_idaction_url: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    visit_exit_idaction_name: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    visitor_returning: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    visitor_count_visits: Mapped[int] = mapped_column(sa.Integer, default=1)
    visitor_seconds_since_first: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    visitor_seconds_since_last: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    visitor_seconds_since_order: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    visitor_localtime: Mapped[time | None] = mapped_column(sa.Time, nullable=True)
    visit_goal_converted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    visit_goal_buyer: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    referer_type: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    referer_name: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    referer_keyword: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    referer_url: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    campaign_source: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    campaign_medium: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    campaign_content: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    campaign_id: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    campaign_group: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    campaign_placement: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    location_country: Mapped[str] = mapped_column(sa.String(3), default="xx")
    location_region: Mapped[str | None] = mapped_column(sa.String(3), nullable=True)
    location_city: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    location_latitude: Mapped[float | None] = mapped_column(sa.Numeric(9, 6), nullable=True)
    location_longitude: Mapped[float | None] = mapped_column(sa.Numeric(9, 6), nullable=True)
    location_named: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    location_browser_lang: Mapped[str] = mapped_column(sa.String(20), default="")
    config_browser_name: Mapped[str] = mapped_column(sa.String(40), default="UNK")
    config_browser_version: Mapped[str] = mapped_column(sa.String(20), default="")
    config_browser_engine: Mapped[str] = mapped_column(sa.String(10), default="")
    config_client_type: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    config_os: Mapped[str] = mapped_column(sa.String(3), default="UNK")
    config_os_version: Mapped[str] = mapped_column(sa.String(100), default="")
    config_device_type: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    config_device_brand: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    config_device_model: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    config_resolution: Mapped[str] = mapped_column(sa.String(18), default="unknown")
    config_cookie: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    config_flash: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    config_java: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    config_pdf: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    config_quicktime: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    config_realplayer: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    config_silverlight: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    config_windowsmedia: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    profilable: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    last_idlink_va: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)


for _name, _col in {
    **_dimension_columns("custom_dimension_", MAX_CUSTOM_DIMENSIONS_PER_SCOPE, 255),
    **_dimension_columns("custom_var_k", CUSTOM_VARIABLE_SLOTS, 200),
    **_dimension_columns("custom_var_v", CUSTOM_VARIABLE_SLOTS, 200),
}.items():
    cast(sa.Table, LogVisit.__table__).append_column(_col)


class LogLinkVisitAction(Base):
    __tablename__ = "log_link_visit_action"
    __table_args__ = (sa.Index("ix_log_lva_site_time", "idsite", "server_time"),)

    idlink_va: Mapped[int] = mapped_column(big_id(), primary_key=True, autoincrement=True)
    idsite: Mapped[int] = mapped_column(sa.Integer)
    idvisitor: Mapped[bytes] = mapped_column(binary(8))
    idvisit: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    server_time: Mapped[datetime] = mapped_column(UTCDateTime)
    action_type: Mapped[int] = mapped_column(sa.SmallInteger)
    idaction_url: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_name: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_url_ref: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_name_ref: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    time_spent_ref_action: Mapped[int] = mapped_column(sa.Integer, default=0)
    time_spent: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    pageview_position: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    idpageview: Mapped[str | None] = mapped_column(sa.String(6), nullable=True)
    custom_float: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    search_cat: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    search_count: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    idaction_event_category: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_event_action: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_content_name: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_content_piece: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_content_target: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_content_interaction: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_product_sku: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_product_name: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_product_cat: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_product_cat2: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_product_cat3: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_product_cat4: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_product_cat5: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    product_price: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    time_network: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    time_server: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    time_transfer: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    time_dom_processing: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    time_dom_completion: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    time_on_load: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


for _name, _col in {
    **_dimension_columns("custom_dimension_", MAX_CUSTOM_DIMENSIONS_PER_SCOPE, 255),
    **_dimension_columns("custom_var_k", CUSTOM_VARIABLE_SLOTS, 200),
    **_dimension_columns("custom_var_v", CUSTOM_VARIABLE_SLOTS, 200),
}.items():
    cast(sa.Table, LogLinkVisitAction.__table__).append_column(_col)


class LogConversion(Base):
    __tablename__ = "log_conversion"
    __table_args__ = (
        sa.UniqueConstraint("idsite", "idorder"),
        sa.Index("ix_log_conversion_site_time", "idsite", "server_time"),
    )

    idvisit: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    idgoal: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    buster: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    idsite: Mapped[int] = mapped_column(sa.Integer)
    idvisitor: Mapped[bytes] = mapped_column(binary(8))
    server_time: Mapped[datetime] = mapped_column(UTCDateTime)
    idaction_url: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idlink_va: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idorder: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    items: Mapped[int] = mapped_column(sa.Integer, default=0)
    url: Mapped[str] = mapped_column(sa.Text, default="")
    revenue: Mapped[float] = mapped_column(sa.Float, default=0.0)
    revenue_subtotal: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    revenue_tax: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    revenue_shipping: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    revenue_discount: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    pageviews_before: Mapped[int] = mapped_column(sa.Integer, default=0)
    visitor_returning: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    visitor_count_visits: Mapped[int] = mapped_column(sa.Integer, default=1)
    visitor_seconds_since_first: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    visitor_seconds_since_order: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    referer_type: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    referer_name: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    referer_keyword: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    location_country: Mapped[str] = mapped_column(sa.String(3), default="xx")
    location_region: Mapped[str | None] = mapped_column(sa.String(3), nullable=True)
    location_city: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    config_browser_name: Mapped[str] = mapped_column(sa.String(40), default="UNK")
    config_device_type: Mapped[int | None] = mapped_column(sa.SmallInteger, nullable=True)
    config_os: Mapped[str] = mapped_column(sa.String(3), default="UNK")


class LogConversionItem(Base):
    __tablename__ = "log_conversion_item"
    __table_args__ = (sa.Index("ix_log_conversion_item_site_time", "idsite", "server_time"),)

    idvisit: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    idorder: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    idaction_sku: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    idsite: Mapped[int] = mapped_column(sa.Integer)
    idvisitor: Mapped[bytes] = mapped_column(binary(8))
    server_time: Mapped[datetime] = mapped_column(UTCDateTime)
    idaction_name: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_category: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_category2: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_category3: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_category4: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    idaction_category5: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    price: Mapped[float] = mapped_column(sa.Float, default=0.0)
    quantity: Mapped[int] = mapped_column(sa.Integer, default=1)
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
