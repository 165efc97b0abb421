"""Tests for User-Agent and client-hint parsing."""

from __future__ import annotations

import pytest

from analytics_server.enrichment.useragent import (
    DEVICE_TYPES,
    DeviceInfo,
    device_type_name,
    is_bot_user_agent,
    parse_user_agent,
)

CHROME_WIN = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
EDGE_WIN = CHROME_WIN + " Edg/126.0.2592.87"
FIREFOX_LINUX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
FIREFOX_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.122 Mobile Safari/537.36"
)
CHROME_ANDROID_REDUCED = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1"
)
SAFARI_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
HEADLESS_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/126.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
CUBOT_PHONE = (
    "Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    ("ua", "browser", "version", "engine", "os_code", "os_version", "device_type"),
    [
        (CHROME_WIN, "CH", "126.0", "Blink", "WIN", "10", 0),
        (EDGE_WIN, "PS", "126.0", "Blink", "WIN", "10", 0),
        (FIREFOX_WIN, "FF", "127.0", "Gecko", "WIN", "10", 0),
        (FIREFOX_LINUX, "FF", "127.0", "Gecko", "UBT", "", 0),
        (SAFARI_MAC, "SF", "17.5", "WebKit", "MAC", "10.15", 0),
        (CHROME_ANDROID, "CM", "126.0", "Blink", "AND", "14", 1),
        (SAFARI_IPHONE, "MF", "17.5", "WebKit", "IOS", "17.5", 1),
        (CHROME_IPHONE, "CI", "126.0", "WebKit", "IOS", "17.5", 1),
        (SAFARI_IPAD, "MF", "17.5", "WebKit", "IOS", "17.5", 2),
        (HEADLESS_CHROME, "HC", "126.0", "Blink", "LIN", "", 0),
    ],
)
def test_real_browsers(
    ua: str,
    browser: str,
    version: str,
    engine: str,
    os_code: str,
    os_version: str,
    device_type: int,
) -> None:
    info = parse_user_agent(ua)

    assert (info.browser_code, info.browser_version, info.browser_engine) == (
        browser,
        version,
        engine,
    )
    assert (info.os_code, info.os_version, info.device_type) == (os_code, os_version, device_type)
    assert info.client_type == 1
    assert info.is_bot is False


def test_full_record_for_android_phone() -> None:
    assert parse_user_agent(CHROME_ANDROID) == DeviceInfo(
        browser_code="CM",
        browser_name="Chrome Mobile",
        browser_version="126.0",
        browser_engine="Blink",
        client_type=1,
        os_code="AND",
        os_name="Android",
        os_version="14",
        device_type=1,
        device_brand="Samsung",
        device_model="SM-S918B",
        is_bot=False,
    )


def test_ipad_is_an_apple_tablet() -> None:
    info = parse_user_agent(SAFARI_IPAD)

    assert (info.device_brand, info.device_model, device_type_name(info.device_type)) == (
        "Apple",
        "iPad",
        "tablet",
    )


def test_googlebot_is_a_bot() -> None:
    info = parse_user_agent(GOOGLEBOT)

    assert info.is_bot is True
    assert info.device_type is None


@pytest.mark.parametrize(
    "ua", ["curl/8.5.0", "Wget/1.21.4", "python-requests/2.32.3", "Go-http-client/1.1"]
)
def test_http_tools_are_bots_and_libraries(ua: str) -> None:
    info = parse_user_agent(ua)

    assert info.is_bot is True
    assert info.client_type == 2
    assert info.browser_code == "UNK"


def test_headless_chrome_is_not_a_bot() -> None:
    assert parse_user_agent(HEADLESS_CHROME).is_bot is False
    assert is_bot_user_agent(HEADLESS_CHROME) is False


def test_phone_brand_containing_bot_is_not_a_bot() -> None:
    info = parse_user_agent(CUBOT_PHONE)

    assert info.is_bot is False
    assert info.device_type == 1


def test_empty_user_agent_is_unknown() -> None:
    info = parse_user_agent("")

    assert (info.browser_code, info.os_code, info.client_type) == ("UNK", "UNK", 0)
    assert info.device_type is None
    assert info.is_bot is False


@pytest.mark.parametrize(
    ("ua", "device_type"),
    [
        (
            "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36",
            5,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19041",
            4,
        ),
    ],
)
def test_tv_and_console(ua: str, device_type: int) -> None:
    assert parse_user_agent(ua).device_type == device_type


def test_old_edge_and_ie_engines() -> None:
    old_edge = CHROME_WIN.replace("Chrome/126.0.0.0", "Chrome/70.0.3538.102") + " Edge/18.19041"
    ie11 = "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko"

    assert parse_user_agent(old_edge).browser_engine == "EdgeHTML"
    assert (parse_user_agent(ie11).browser_code, parse_user_agent(ie11).browser_engine) == (
        "IE",
        "Trident",
    )


def test_client_hints_upgrade_windows_10_to_11() -> None:
    hints = {
        "platform": "Windows",
        "platformVersion": "15.0.0",
        "fullVersionList": [
            {"brand": "Not/A)Brand", "version": "8.0.0.0"},
            {"brand": "Chromium", "version": "126.0.6478.127"},
            {"brand": "Google Chrome", "version": "126.0.6478.127"},
        ],
    }

    info = parse_user_agent(CHROME_WIN, hints)

    assert (info.os_code, info.os_version) == ("WIN", "11")
    assert (info.browser_code, info.browser_version) == ("CH", "126.0")


def test_client_hints_keep_windows_10() -> None:
    info = parse_user_agent(CHROME_WIN, {"platform": "Windows", "platformVersion": "10.0.0"})

    assert info.os_version == "10"


def test_client_hints_reveal_reduced_android_details() -> None:
    hints = {
        "platform": "Android",
        "platformVersion": "14.0.0",
        "model": "Pixel 8",
        "mobile": True,
        "fullVersionList": [{"brand": "Google Chrome", "version": "126.0.6478.122"}],
    }

    info = parse_user_agent(CHROME_ANDROID_REDUCED, hints)

    assert (info.os_version, info.device_model, info.device_type) == ("14", "Pixel 8", 1)
    assert info.browser_version == "126.0"


def test_client_hints_name_a_browser_hidden_behind_chrome() -> None:
    hints = {
        "brands": [{"brand": "Chromium", "version": "126"}, {"brand": "Brave", "version": "126"}]
    }

    info = parse_user_agent(CHROME_WIN, hints)

    assert (info.browser_code, info.browser_name, info.browser_version) == ("BR", "Brave", "126.0")


def test_client_hints_form_factor_and_garbage() -> None:
    assert parse_user_agent(CHROME_WIN, {"formFactors": ["Tablet"]}).device_type == 2
    garbage: dict[str, object] = {
        "platform": 42,
        "platformVersion": None,
        "fullVersionList": "nope",
        "brands": [1, {"brand": None}],
        "model": ["x"],
        "formFactors": "Desktop",
    }
    assert parse_user_agent(CHROME_WIN, garbage) == parse_user_agent(CHROME_WIN)


def test_client_hints_do_not_pollute_the_cache() -> None:
    parse_user_agent(CHROME_WIN, {"platform": "Windows", "platformVersion": "15.0.0"})

    assert parse_user_agent(CHROME_WIN).os_version == "10"


def test_very_long_user_agent_is_parsed() -> None:
    info = parse_user_agent(CHROME_WIN + " x" * 5000)

    assert info.browser_code == "CH"


def test_device_type_names() -> None:
    assert DEVICE_TYPES[0] == "desktop"
    assert device_type_name(1) == "smartphone"
    assert device_type_name(3) == "feature phone"
    assert device_type_name(None) == "unknown"
    assert device_type_name(99) == "unknown"
