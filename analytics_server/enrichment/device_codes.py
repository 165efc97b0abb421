"""Matomo-style codes for browsers, operating systems, client and device types."""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Final

UNKNOWN_CODE: Final = "UNK"
UNKNOWN_NAME: Final = "Unknown"

CLIENT_TYPE_UNKNOWN: Final = 0
CLIENT_TYPE_BROWSER: Final = 1
CLIENT_TYPE_LIBRARY: Final = 2  # HTTP libraries, command-line tools, in-app clients, bots

# config_device_type numbers and their segment names (protocol section 3.2 / 6).
DEVICE_TYPES: Final[Mapping[int, str]] = types.MappingProxyType(
    {
        0: "desktop",
        1: "smartphone",
        2: "tablet",
        3: "feature phone",
        4: "console",
        5: "tv",
        6: "car browser",
        7: "smart display",
        8: "camera",
        9: "portable media player",
        10: "phablet",
        11: "smart speaker",
        12: "wearable",
        13: "peripheral",
    }
)
DESKTOP, SMARTPHONE, TABLET, FEATURE_PHONE, CONSOLE, TV = 0, 1, 2, 3, 4, 5
CAR_BROWSER, WEARABLE = 6, 12

# user-agents browser family -> (config_browser_name code, display name). Codes follow the
# two-letter convention Matomo reports use; a family missing here is stored as UNK.
BROWSERS: Final[Mapping[str, tuple[str, str]]] = types.MappingProxyType(
    {
        "Chrome": ("CH", "Chrome"),
        "Chrome Mobile": ("CM", "Chrome Mobile"),
        "Chrome Mobile iOS": ("CI", "Chrome Mobile iOS"),
        "Chrome Mobile WebView": ("CV", "Chrome Webview"),
        "HeadlessChrome": ("HC", "Headless Chrome"),
        "Chromium": ("CR", "Chromium"),
        "Firefox": ("FF", "Firefox"),
        "Firefox Mobile": ("FM", "Firefox Mobile"),
        "Firefox iOS": ("FI", "Firefox iOS"),
        "Safari": ("SF", "Safari"),
        "Mobile Safari": ("MF", "Mobile Safari"),
        "Mobile Safari UI/WKWebView": ("MF", "Mobile Safari"),
        "IE": ("IE", "Internet Explorer"),
        "IE Mobile": ("IM", "IE Mobile"),
        "Edge": ("PS", "Microsoft Edge"),
        "Edge Mobile": ("EM", "Microsoft Edge Mobile"),
        "Opera": ("OP", "Opera"),
        "Opera Mobile": ("OM", "Opera Mobile"),
        "Opera Mini": ("OI", "Opera Mini"),
        "Yandex Browser": ("YA", "Yandex Browser"),
        "Samsung Internet": ("SB", "Samsung Browser"),
        "UC Browser": ("UC", "UC Browser"),
        "Vivaldi": ("VI", "Vivaldi"),
        "Brave": ("BR", "Brave"),
        "Whale": ("WH", "Whale Browser"),
        "DuckDuckGo Mobile": ("DD", "DuckDuckGo Privacy Browser"),
        "Android": ("AN", "Android Browser"),
        "Silk": ("MS", "Mobile Silk"),
        "Konqueror": ("KO", "Konqueror"),
        "Epiphany": ("EP", "GNOME Web"),
        "Pale Moon": ("PM", "Pale Moon"),
        "SeaMonkey": ("SM", "SeaMonkey"),
    }
)

# user-agents OS family -> (config_os code, display name); a family missing here is UNK.
OPERATING_SYSTEMS: Final[Mapping[str, tuple[str, str]]] = types.MappingProxyType(
    {
        "Windows": ("WIN", "Windows"),
        "Mac OS X": ("MAC", "Mac"),
        "iOS": ("IOS", "iOS"),
        "Android": ("AND", "Android"),
        "Linux": ("LIN", "GNU/Linux"),
        "Ubuntu": ("UBT", "Ubuntu"),
        "Debian": ("DEB", "Debian"),
        "Fedora": ("FED", "Fedora"),
        "Red Hat": ("RHT", "Red Hat"),
        "Linux Mint": ("MIN", "Mint"),
        "Arch Linux": ("ARL", "Arch Linux"),
        "openSUSE": ("SSE", "SUSE"),
        "Chrome OS": ("CHR", "Chrome OS"),
        "Chromecast Linux": ("LIN", "GNU/Linux"),
        "Windows Phone": ("WPH", "Windows Phone"),
        "Tizen": ("TIZ", "Tizen"),
        "KaiOS": ("KOS", "KaiOS"),
        "Web0S": ("WOS", "webOS"),
        "webOS": ("WOS", "webOS"),
        "HarmonyOS": ("HAR", "HarmonyOS"),
        "FreeBSD": ("BSD", "FreeBSD"),
        "OpenBSD": ("OBS", "OpenBSD"),
        "NetBSD": ("NBS", "NetBSD"),
        "Solaris": ("SOS", "Solaris"),
        "Symbian OS": ("SYM", "Symbian OS"),
        "BlackBerry OS": ("BLB", "BlackBerry OS"),
        "Firefox OS": ("FOS", "Firefox OS"),
    }
)


def device_type_name(device_type: int | None) -> str:
    """Segment/report name of a config_device_type number ('unknown' when not known)."""
    if device_type is None:
        return "unknown"
    return DEVICE_TYPES.get(device_type, "unknown")
