"""One raw `log_visit` row as a visit of the Live API: ids, visitor, referrer, device, place, time.

Codes stored at ingest (browser `CH`, OS `WIN`, country `de`, channel 2) are shown with the names
the reports use; every visitor-sent string (URLs, user id, dimensions) is passed on as data.
Times are unix timestamps, and dates and clock times in the site's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from analytics_server.enrichment.device_codes import device_type_name
from analytics_server.enrichment.referrers import REFERRER_TYPE_NAMES
from analytics_server.kit.clock import zone
from analytics_server.kit.geography import continent_of
from analytics_server.privacy.ip import unpack_ip
from analytics_server.reports import labels
from analytics_server.sites.service import SiteConfig

Row = Mapping[str, Any]
VISITOR_TYPES = {0: "new", 1: "returning", 2: "returningCustomer"}
ECOMMERCE_STATUS = {0: "none", 1: "ordered", 2: "abandonedCart", 3: "orderedThenAbandonedCart"}
DAY_SECONDS = 86400
PLUGINS = (
    ("config_cookie", "cookie"),
    ("config_flash", "flash"),
    ("config_java", "java"),
    ("config_pdf", "pdf"),
    ("config_quicktime", "quicktime"),
    ("config_realplayer", "realplayer"),
    ("config_silverlight", "silverlight"),
    ("config_windowsmedia", "windowsmedia"),
)
CAMPAIGN = ("source", "medium", "content", "id", "group", "placement")


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def pretty_date(day: date) -> str:
    """'Tuesday, March 10, 2026'."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def pretty_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M:%S")


def pretty_duration(seconds: int) -> str:
    """'45s', '2 min 5s', '1 hours 0 min 7s'."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} hours {minutes} min {secs}s"
    return f"{minutes} min {secs}s" if minutes else f"{secs}s"


def hex_id(value: bytes | None) -> str:
    return bytes(value).hex() if value is not None else ""


def _ip(value: bytes | None) -> str | None:
    try:
        return unpack_ip(bytes(value)) if value else None
    except ValueError:
        return None


def _days(seconds: int | None) -> int:
    return (seconds or 0) // DAY_SECONDS


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def identity(row: Row) -> dict[str, Any]:
    return {
        "idSite": row["idsite"],
        "idVisit": row["idvisit"],
        "visitIp": _ip(row["location_ip"]),
        "visitorId": hex_id(row["idvisitor"]),
        "fingerprint": hex_id(row["config_id"]),
        "userId": row["user_id"],
        "visitorType": VISITOR_TYPES.get(row["visitor_returning"], "new"),
        "visitConverted": int(bool(row["visit_goal_converted"])),
        "visitCount": row["visitor_count_visits"],
        "visitEcommerceStatus": ECOMMERCE_STATUS.get(row["visit_goal_buyer"], "none"),
        "daysSinceFirstVisit": _days(row["visitor_seconds_since_first"]),
        "secondsSinceFirstVisit": row["visitor_seconds_since_first"] or 0,
        "daysSinceLastVisit": _days(row["visitor_seconds_since_last"]),
        "secondsSinceLastVisit": row["visitor_seconds_since_last"] or 0,
        "daysSinceLastEcommerceOrder": _days(row["visitor_seconds_since_order"]),
        "visitDuration": row["visit_total_time"],
        "visitDurationPretty": pretty_duration(row["visit_total_time"]),
        "actions": row["visit_total_actions"],
        "interactions": row["visit_total_interactions"],
        "searches": row["visit_total_searches"],
        "events": row["visit_total_events"],
        "profilable": int(bool(row["profilable"])),
    }


def referrer(row: Row) -> dict[str, Any]:
    kind = row["referer_type"]
    found: dict[str, Any] = {
        "referrerType": REFERRER_TYPE_NAMES.get(kind, "direct"),
        "referrerTypeName": labels.REFERRER_TYPE_LABELS.get(kind, labels.UNKNOWN),
        "referrerName": row["referer_name"] or "",
        "referrerKeyword": row["referer_keyword"] or "",
        "referrerUrl": row["referer_url"] or "",
    }
    for part in CAMPAIGN:
        found[f"campaign{part.capitalize()}"] = row[f"campaign_{part}"] or ""
    return found


def language_code(accept_language: str) -> str:
    """The first tag of an Accept-Language value, lower-cased: 'de-DE,de;q=0.9' -> 'de-de'."""
    return accept_language.split(",")[0].split(";")[0].strip().lower()


def device(row: Row) -> dict[str, Any]:
    type_name = device_type_name(row["config_device_type"])
    os_code, browser_code = row["config_os"] or "UNK", row["config_browser_name"] or "UNK"
    os_name = labels.OS_NAMES.get(os_code, labels.UNKNOWN)
    browser_name = labels.BROWSER_NAMES.get(browser_code, labels.UNKNOWN)
    os_version, browser_version = row["config_os_version"], row["config_browser_version"]
    plugins = [name for column, name in PLUGINS if row[column]]
    return {
        "deviceType": "TV" if type_name == "tv" else type_name.capitalize(),
        "deviceBrand": row["config_device_brand"] or labels.UNKNOWN,
        "deviceModel": row["config_device_model"] or "",
        "operatingSystem": f"{os_name} {os_version}".strip(),
        "operatingSystemName": os_name,
        "operatingSystemCode": os_code,
        "operatingSystemVersion": os_version,
        "browser": f"{browser_name} {browser_version}".strip(),
        "browserName": browser_name,
        "browserCode": browser_code,
        "browserVersion": browser_version,
        "browserFamily": row["config_browser_engine"],
        "resolution": row["config_resolution"],
        "plugins": ", ".join(plugins),
    }


def place(row: Row, language: str) -> dict[str, Any]:
    country = (row["location_country"] or "xx").lower()
    continent = continent_of(country)
    region, city = row["location_region"] or "", row["location_city"] or ""
    country_name = labels.country_name(country, language)
    tag = language_code(row["location_browser_lang"] or "")
    return {
        "languageCode": tag,
        "language": labels.language_name(tag.split("-")[0], language) if tag else labels.UNKNOWN,
        "continent": labels.CONTINENT_NAMES.get(continent, labels.UNKNOWN),
        "continentCode": continent,
        "country": country_name,
        "countryCode": country,
        "region": region or None,
        "regionCode": region or None,
        "city": city or None,
        "location": ", ".join(part for part in (city, region, country_name) if part),
        "latitude": _number(row["location_latitude"]),
        "longitude": _number(row["location_longitude"]),
    }


def times(row: Row, tz: ZoneInfo) -> dict[str, Any]:
    first, last = row["visit_first_action_time"], row["visit_last_action_time"]
    local_time = row["visitor_localtime"]
    return {
        "visitLocalTime": local_time.strftime("%H:%M:%S") if local_time is not None else None,
        "visitLocalHour": str(local_time.hour) if local_time is not None else None,
        "serverDate": last.astimezone(tz).date().isoformat(),
        "serverDatePretty": pretty_date(last.astimezone(tz).date()),
        "serverTimePretty": pretty_time(last, tz),
        "serverDatePrettyFirstAction": pretty_date(first.astimezone(tz).date()),
        "serverTimePrettyFirstAction": pretty_time(first, tz),
        "visitServerHour": str(first.astimezone(tz).hour),
        "serverTimestamp": timestamp(last),
        "firstActionTimestamp": timestamp(first),
        "lastActionTimestamp": timestamp(last),
        "lastActionDateTime": last.strftime("%Y-%m-%d %H:%M:%S"),
    }


def dimensions(row: Row, site: SiteConfig, scope: str) -> dict[str, Any]:
    """`dimension<id>` for each custom dimension of this scope, in id order."""
    return {
        f"dimension{dim.iddimension}": row.get(dim.column)
        for dim in sorted(site.dimensions.values(), key=lambda d: d.iddimension)
        if dim.scope == scope
    }


def visit_fields(row: Row, site: SiteConfig, *, language: str) -> dict[str, Any]:
    """Every visit-level key of a Live visit, without the actions and conversion totals."""
    tz = zone(site.timezone)
    return {
        **identity(row),
        **referrer(row),
        **device(row),
        **place(row, language),
        **times(row, tz),
        **dimensions(row, site, "visit"),
    }
