"""User-Agent (and User-Agent Client Hints) parsing into Matomo-style device columns."""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from user_agents import parse as _ua_parse

from analytics_server.enrichment.device_codes import (
    BROWSERS,
    CAR_BROWSER,
    CLIENT_TYPE_BROWSER,
    CLIENT_TYPE_LIBRARY,
    CLIENT_TYPE_UNKNOWN,
    CONSOLE,
    DESKTOP,
    DEVICE_TYPES,
    FEATURE_PHONE,
    OPERATING_SYSTEMS,
    SMARTPHONE,
    TABLET,
    TV,
    UNKNOWN_CODE,
    UNKNOWN_NAME,
    WEARABLE,
    device_type_name,
)

__all__ = [
    "BROWSERS",
    "DEVICE_TYPES",
    "OPERATING_SYSTEMS",
    "DeviceInfo",
    "device_type_name",
    "is_bot_user_agent",
    "parse_user_agent",
]

# Lower-case User-Agent tokens that identify device kinds user-agents does not tell apart.
_TV_TOKENS: Final = (
    "smart-tv",
    "smarttv",
    "smart tv",
    "hbbtv",
    "web0s",
    "bravia",
    "crkey",
    "googletv",
    "google tv",
    "android tv",
    "appletv",
    "roku",
    "netcast",
    "tv safari",
)
_CONSOLE_TOKENS: Final = ("xbox", "playstation", "nintendo", "ouya")
_FEATURE_PHONE_TOKENS: Final = ("j2me", "midp", "kaios")
_GENERIC_BRANDS: Final = frozenset(
    {"Generic", "Generic_Android", "Generic_Android_Tablet", "Generic_Inettv", "Spider"}
)
_GENERIC_MODELS: Final = frozenset({"", "K", "Smartphone", "Tablet", "Desktop", "Feature Phone"})

# Client-hint brand -> user-agents browser family. Chrome and Chromium are listed by every
# Chromium-based browser, so they only count when no more specific brand is present.
_HINT_BRANDS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "Google Chrome": "Chrome",
        "Chromium": "Chromium",
        "HeadlessChrome": "HeadlessChrome",
        "Microsoft Edge": "Edge",
        "Opera": "Opera",
        "Brave": "Brave",
        "Yandex": "Yandex Browser",
        "YaBrowser": "Yandex Browser",
        "Samsung Internet": "Samsung Internet",
        "Vivaldi": "Vivaldi",
        "Whale": "Whale",
    }
)
_FAMILY_BY_CODE: Final = {code: family for family, (code, _) in list(BROWSERS.items())[::-1]}
_HINT_PLATFORMS: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "Windows": "Windows",
        "macOS": "Mac OS X",
        "Linux": "Linux",
        "Android": "Android",
        "Chrome OS": "Chrome OS",
        "Chromium OS": "Chrome OS",
        "iOS": "iOS",
    }
)
_HINT_FORM_FACTORS: Final[Mapping[str, int]] = types.MappingProxyType(
    {
        "Desktop": DESKTOP,
        "Mobile": SMARTPHONE,
        "Tablet": TABLET,
        "Watch": WEARABLE,
        "Automotive": CAR_BROWSER,
    }
)
_MAX_UA_LENGTH: Final = 1024


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What a User-Agent says about the visitor's software and hardware."""

    browser_code: str
    browser_name: str
    browser_version: str
    browser_engine: str
    client_type: int
    os_code: str
    os_name: str
    os_version: str
    device_type: int | None
    device_brand: str
    device_model: str
    is_bot: bool


def parse_user_agent(ua: str, client_hints: Mapping[str, object] | None = None) -> DeviceInfo:
    """Parse a User-Agent, refined by client hints (the tracker's `uadata` JSON) when given."""
    info = _parse_cached(ua[:_MAX_UA_LENGTH])
    if client_hints:
        info = _apply_client_hints(info, client_hints)
    return info


@functools.lru_cache(maxsize=8192)
def _parse_cached(ua: str) -> DeviceInfo:
    parsed = _ua_parse(ua)
    family: str = parsed.browser.family
    browser_code, browser_name = _browser_identity(family)
    os_code, os_name = _os_identity(parsed.os.family)
    brand, model = _brand_and_model(parsed.device.brand, parsed.device.model)
    lowered = ua.lower()
    is_bot = bool(parsed.is_bot) or is_bot_user_agent(ua)
    return DeviceInfo(
        browser_code=browser_code,
        browser_name=browser_name,
        browser_version=_browser_version(parsed.browser.version),
        browser_engine=_engine(lowered, os_code),
        client_type=_client_type(family),
        os_code=os_code,
        os_name=os_name,
        os_version=_os_version(parsed.os.version),
        device_type=None if is_bot else _device_type(parsed, lowered, model),
        device_brand=brand,
        device_model=model,
        is_bot=is_bot,
    )


def is_bot_user_agent(ua: str) -> bool:
    """True when the User-Agent contains a keyword from the bundled bot list."""
    allowed, keywords = _bot_rules()
    lowered = ua.lower()
    for token in allowed:
        lowered = lowered.replace(token, "")
    return any(keyword in lowered for keyword in keywords)


@functools.cache
def _bot_rules() -> tuple[tuple[str, ...], tuple[str, ...]]:
    text = (
        resources.files("analytics_server.enrichment")
        .joinpath("data/bots.txt")
        .read_text(encoding="utf-8")
    )
    lines = [line.strip().lower() for line in text.splitlines()]
    rules = [line for line in lines if line and not line.startswith("#")]
    allowed = tuple(line[1:] for line in rules if line.startswith("!"))
    return allowed, tuple(line for line in rules if not line.startswith("!"))


def _browser_identity(family: str) -> tuple[str, str]:
    if family in BROWSERS:
        return BROWSERS[family]
    return UNKNOWN_CODE, UNKNOWN_NAME if family == "Other" else family


def _os_identity(family: str) -> tuple[str, str]:
    if family in OPERATING_SYSTEMS:
        return OPERATING_SYSTEMS[family]
    return UNKNOWN_CODE, UNKNOWN_NAME if family == "Other" else family


def _client_type(family: str) -> int:
    if family in BROWSERS:
        return CLIENT_TYPE_BROWSER
    return CLIENT_TYPE_UNKNOWN if family == "Other" else CLIENT_TYPE_LIBRARY


def _browser_version(parts: Iterable[object]) -> str:
    """Major.minor, as Matomo stores it ("126.0"); "" when the UA gives no version."""
    items = [str(part) for part in parts]
    if not items:
        return ""
    return f"{items[0]}.{items[1] if len(items) > 1 else '0'}"


def _os_version(parts: Iterable[object]) -> str:
    """Major, or major.minor when the minor is meaningful ("14", "10.15", "XP")."""
    items = [str(part) for part in parts][:2]
    if len(items) == 2 and items[1] == "0":
        items.pop()
    return ".".join(items)


def _engine(lowered_ua: str, os_code: str) -> str:
    if os_code == "IOS" and "applewebkit/" in lowered_ua:
        return "WebKit"  # every iOS browser must use WebKit
    checks = (
        ("edge/", "EdgeHTML"),
        ("trident/", "Trident"),
        ("msie ", "Trident"),
        ("presto/", "Presto"),
        ("chrome/", "Blink"),
        ("chromium/", "Blink"),
        ("applewebkit/", "WebKit"),
        ("gecko/", "Gecko"),
    )
    return next((engine for token, engine in checks if token in lowered_ua), "")


def _brand_and_model(brand: str | None, model: str | None) -> tuple[str, str]:
    if brand is None or brand in _GENERIC_BRANDS:
        clean_model = "" if brand in (None, "Generic", "Spider") else (model or "")
        return "", "" if clean_model in _GENERIC_MODELS else clean_model
    return brand, "" if (model or "") in _GENERIC_MODELS else (model or "")


def _device_type(parsed: Any, lowered_ua: str, model: str) -> int | None:
    if any(token in lowered_ua for token in _TV_TOKENS) or model.startswith("AFT"):
        return TV  # Amazon Fire TV models are named AFTxx
    if any(token in lowered_ua for token in _CONSOLE_TOKENS):
        return CONSOLE
    if any(token in lowered_ua for token in _FEATURE_PHONE_TOKENS):
        return FEATURE_PHONE
    if parsed.is_tablet:
        return TABLET
    if parsed.is_mobile:
        return SMARTPHONE
    if parsed.is_pc:
        return DESKTOP
    return None


def _apply_client_hints(info: DeviceInfo, hints: Mapping[str, object]) -> DeviceInfo:
    info = _hint_browser(info, hints)
    info = _hint_os(info, hints)
    model = hints.get("model")
    if isinstance(model, str) and model.strip():
        info = dataclasses.replace(info, device_model=model.strip()[:100])
    device_type = _hint_device_type(hints, info.device_type)
    if device_type != info.device_type and not info.is_bot:
        info = dataclasses.replace(info, device_type=device_type)
    return info


def _hint_brand_entries(hints: Mapping[str, object]) -> list[tuple[str, str]]:
    raw = hints.get("fullVersionList") or hints.get("brands")
    if not isinstance(raw, list):
        return []
    entries = []
    for item in raw:
        if isinstance(item, Mapping):
            brand, version = item.get("brand"), item.get("version")
            if isinstance(brand, str) and isinstance(version, str):
                entries.append((brand, version))
    return entries


def _hinted_browser(hints: Mapping[str, object]) -> tuple[str, str] | None:
    """(user-agents family, version) of the most specific known brand in the hints."""
    best: tuple[str, str] | None = None
    for brand, version in _hint_brand_entries(hints):
        family = _HINT_BRANDS.get(brand)
        if family is None:
            continue
        if family not in ("Chrome", "Chromium"):
            return family, version
        if best is None or family == "Chrome":
            best = (family, version)
    return best


def _hint_browser(info: DeviceInfo, hints: Mapping[str, object]) -> DeviceInfo:
    hinted = _hinted_browser(hints)
    if hinted is None or info.client_type != CLIENT_TYPE_BROWSER:
        return info
    family, version = hinted
    version = _browser_version(version.split(".")) if version else info.browser_version
    code, name = BROWSERS[family]
    current_family = _FAMILY_BY_CODE.get(info.browser_code, "")
    if current_family.removesuffix(" Mobile") == family:
        return dataclasses.replace(info, browser_version=version)
    if family not in ("Chrome", "Chromium") and info.browser_engine == "Blink":
        return dataclasses.replace(
            info, browser_code=code, browser_name=name, browser_version=version
        )
    return info


def _hint_os(info: DeviceInfo, hints: Mapping[str, object]) -> DeviceInfo:
    platform, raw_version = hints.get("platform"), hints.get("platformVersion")
    family = _HINT_PLATFORMS.get(platform) if isinstance(platform, str) else None
    if family is None:
        return info
    code, name = OPERATING_SYSTEMS[family]
    if info.os_code not in (code, UNKNOWN_CODE):
        return info  # hints and UA disagree (e.g. Ubuntu vs Linux): trust the more precise UA
    version = info.os_version if info.os_code == code else ""
    if isinstance(raw_version, str) and raw_version.strip():
        version = _hint_os_version(code, raw_version.strip(), version)
    if info.os_code == code:
        return dataclasses.replace(info, os_version=version)
    return dataclasses.replace(info, os_code=code, os_name=name, os_version=version)


def _hint_os_version(os_code: str, raw: str, fallback: str) -> str:
    parts = raw.split(".")
    if os_code != "WIN":
        return _os_version(parts)
    if not parts[0].isdigit():
        return fallback
    # Windows reports its UI contract version: 13 and up is Windows 11, 1..12 is Windows 10.
    major = int(parts[0])
    return "11" if major >= 13 else "10" if major >= 1 else fallback


def _hint_device_type(hints: Mapping[str, object], current: int | None) -> int | None:
    factors = hints.get("formFactors")
    if isinstance(factors, list):
        for factor in factors:
            if isinstance(factor, str) and factor in _HINT_FORM_FACTORS:
                return _HINT_FORM_FACTORS[factor]
    if current is None and hints.get("mobile") is True:
        return SMARTPHONE
    return current
