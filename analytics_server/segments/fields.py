"""The segment names we understand (Matomo's), and where each one's value lives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analytics_server.models import log as m

VISIT, ACTION, CONVERSION, ITEM = "visit", "action", "conversion", "item"
TEXT, NUMBER, HEX, URL, HOUR, DAYS, LANGUAGE, CONTINENT = (
    "text",
    "number",
    "hex",
    "url",
    "hour",
    "days",
    "lang",
    "continent",
)

# The same numbers as `enrichment.device_codes.DEVICE_TYPES` (a test keeps them equal); segments
# sit beside enrichment in the layers and may not import it.
DEVICE_TYPES: Mapping[str, int] = {
    "desktop": 0,
    "smartphone": 1,
    "tablet": 2,
    "feature phone": 3,
    "console": 4,
    "tv": 5,
    "car browser": 6,
    "smart display": 7,
    "camera": 8,
    "portable media player": 9,
    "phablet": 10,
    "smart speaker": 11,
    "wearable": 12,
    "peripheral": 13,
}
VISITOR_TYPES = {"new": 0, "returning": 1, "returningcustomer": 2}
REFERRER_TYPES = {"direct": 1, "search": 2, "website": 3, "campaign": 6, "social": 7}
ECOMMERCE_STATUS = {"none": 0, "ordered": 1, "abandonedcart": 2, "orderedthenabandonedcart": 3}
ACTION_TYPES = {
    "pageviews": m.HIT_PAGEVIEW,
    "contents": m.HIT_CONTENT,
    "sitesearches": m.HIT_SITE_SEARCH,
    "events": m.HIT_EVENT,
    "outlinks": m.HIT_OUTLINK,
    "downloads": m.HIT_DOWNLOAD,
}


@dataclass(frozen=True)
class Field:
    table: str
    column: str
    kind: str = TEXT
    values: Mapping[str, int] | None = None  # names accepted for coded columns (lower-cased)
    dictionary: tuple[int, ...] = ()  # the column holds idaction ids of these dictionary types
    action_types: tuple[int, ...] = ()  # only action rows of these kinds
    goals: tuple[int, ...] | None = None  # only conversions of these goals (() = goals > 0)
    values_lower: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, HOUR, DAYS) or self.values is not None


def _visit(column: str, kind: str = TEXT, **options: object) -> Field:
    return Field(VISIT, column, kind, **options)  # type: ignore[arg-type]


def _coded(column: str, values: Mapping[str, int]) -> Field:
    return Field(VISIT, column, NUMBER, values=values, values_lower=True)


def _action(column: str, dictionary: tuple[int, ...], *types: int, kind: str = TEXT) -> Field:
    return Field(ACTION, column, kind, dictionary=dictionary, action_types=types)


PAGE, TITLE = (m.ACTION_TYPE_PAGE_URL,), (m.ACTION_TYPE_PAGE_TITLE,)

FIELDS: dict[str, Field] = {
    "visitId": _visit("idvisit", NUMBER),
    "visitorId": _visit("idvisitor", HEX),
    "userId": _visit("user_id"),
    "visitorType": _coded("visitor_returning", VISITOR_TYPES),
    "visitCount": _visit("visitor_count_visits", NUMBER),
    "visitDuration": _visit("visit_total_time", NUMBER),
    "actions": _visit("visit_total_actions", NUMBER),
    "interactions": _visit("visit_total_interactions", NUMBER),
    "searches": _visit("visit_total_searches", NUMBER),
    "events": _visit("visit_total_events", NUMBER),
    "visitConverted": _visit("visit_goal_converted", NUMBER),
    "visitEcommerceStatus": _coded("visit_goal_buyer", ECOMMERCE_STATUS),
    "daysSinceFirstVisit": _visit("visitor_seconds_since_first", DAYS),
    "secondsSinceFirstVisit": _visit("visitor_seconds_since_first", NUMBER),
    "daysSinceLastVisit": _visit("visitor_seconds_since_last", DAYS),
    "secondsSinceLastVisit": _visit("visitor_seconds_since_last", NUMBER),
    "daysSinceLastEcommerceOrder": _visit("visitor_seconds_since_order", DAYS),
    "profilable": _visit("profilable", NUMBER),
    "visitLocalHour": _visit("visitor_localtime", HOUR),
    "referrerType": _coded("referer_type", REFERRER_TYPES),
    "referrerName": _visit("referer_name"),
    "referrerKeyword": _visit("referer_keyword"),
    "referrerUrl": _visit("referer_url"),
    "campaignSource": _visit("campaign_source"),
    "campaignMedium": _visit("campaign_medium"),
    "campaignContent": _visit("campaign_content"),
    "campaignId": _visit("campaign_id"),
    "campaignGroup": _visit("campaign_group"),
    "campaignPlacement": _visit("campaign_placement"),
    "deviceType": _coded("config_device_type", DEVICE_TYPES),
    "deviceBrand": _visit("config_device_brand"),
    "deviceModel": _visit("config_device_model"),
    "browserCode": _visit("config_browser_name"),
    "browserVersion": _visit("config_browser_version"),
    "browserEngine": _visit("config_browser_engine"),
    "clientType": _visit("config_client_type", NUMBER),
    "operatingSystemCode": _visit("config_os"),
    "operatingSystemVersion": _visit("config_os_version"),
    "resolution": _visit("config_resolution"),
    "countryCode": _visit("location_country", values_lower=True),
    "continentCode": _visit("location_country", CONTINENT, values_lower=True),
    "regionCode": _visit("location_region"),
    "city": _visit("location_city"),
    "namedLocation": _visit("location_named"),
    "latitude": _visit("location_latitude", NUMBER),
    "longitude": _visit("location_longitude", NUMBER),
    "languageCode": _visit("location_browser_lang", LANGUAGE, values_lower=True),
    "entryPageUrl": Field(VISIT, "visit_entry_idaction_url", URL, dictionary=PAGE),
    "entryPageTitle": Field(VISIT, "visit_entry_idaction_name", dictionary=TITLE),
    "exitPageUrl": Field(VISIT, "visit_exit_idaction_url", URL, dictionary=PAGE),
    "exitPageTitle": Field(VISIT, "visit_exit_idaction_name", dictionary=TITLE),
    "pageUrl": _action("idaction_url", PAGE, m.HIT_PAGEVIEW, kind=URL),
    "pageTitle": _action("idaction_name", TITLE, m.HIT_PAGEVIEW),
    "actionUrl": _action(
        "idaction_url", (*PAGE, m.ACTION_TYPE_OUTLINK, m.ACTION_TYPE_DOWNLOAD), kind=URL
    ),
    "actionType": Field(ACTION, "action_type", NUMBER, values=ACTION_TYPES, values_lower=True),
    "downloadUrl": _action("idaction_url", (m.ACTION_TYPE_DOWNLOAD,), m.HIT_DOWNLOAD),
    "outlinkUrl": _action("idaction_url", (m.ACTION_TYPE_OUTLINK,), m.HIT_OUTLINK),
    "siteSearchKeyword": _action("idaction_name", (m.ACTION_TYPE_SITE_SEARCH,), m.HIT_SITE_SEARCH),
    "siteSearchCategory": Field(ACTION, "search_cat", action_types=(m.HIT_SITE_SEARCH,)),
    "siteSearchCount": Field(ACTION, "search_count", NUMBER, action_types=(m.HIT_SITE_SEARCH,)),
    "eventCategory": _action("idaction_event_category", (m.ACTION_TYPE_EVENT_CATEGORY,)),
    "eventAction": _action("idaction_event_action", (m.ACTION_TYPE_EVENT_ACTION,)),
    "eventName": _action("idaction_name", (m.ACTION_TYPE_EVENT_NAME,), m.HIT_EVENT),
    "eventValue": Field(ACTION, "custom_float", NUMBER, action_types=(m.HIT_EVENT,)),
    "eventUrl": _action("idaction_url", PAGE, m.HIT_EVENT, kind=URL),
    "contentName": _action("idaction_content_name", (m.ACTION_TYPE_CONTENT_NAME,)),
    "contentPiece": _action("idaction_content_piece", (m.ACTION_TYPE_CONTENT_PIECE,)),
    "contentTarget": _action("idaction_content_target", (m.ACTION_TYPE_CONTENT_TARGET,)),
    "contentInteraction": _action(
        "idaction_content_interaction", (m.ACTION_TYPE_CONTENT_INTERACTION,)
    ),
    "visitConvertedGoalId": Field(CONVERSION, "idgoal", NUMBER, goals=()),
    "orderId": Field(CONVERSION, "idorder", goals=(m.GOAL_ORDER,)),
    "revenueOrder": Field(CONVERSION, "revenue", NUMBER, goals=(m.GOAL_ORDER,)),
    "revenueAbandonedCart": Field(CONVERSION, "revenue", NUMBER, goals=(m.GOAL_CART,)),
    "productSku": Field(ITEM, "idaction_sku", dictionary=(m.ACTION_TYPE_ECOMMERCE_ITEM_SKU,)),
    "productName": Field(ITEM, "idaction_name", dictionary=(m.ACTION_TYPE_ECOMMERCE_ITEM_NAME,)),
    "productCategory": Field(
        ITEM, "idaction_category", dictionary=(m.ACTION_TYPE_ECOMMERCE_ITEM_CATEGORY,)
    ),
    "productPrice": Field(ITEM, "price", NUMBER),
}
