"""Countries and continents: which continent (Matomo's codes) each ISO country lies in.

Read off the first time zone CLDR (through Babel) lists for a country (Europe/..., Africa/...,
Asia/...), with the Americas split as Matomo does and the ocean zones placed by hand.
"""

from __future__ import annotations

from functools import lru_cache

from babel.core import get_global

_ZONE_CONTINENT = {
    "Europe": "eur",
    "Africa": "afr",
    "Asia": "asi",
    "Australia": "oce",
    "Pacific": "oce",
    "Antarctica": "ant",
    "Arctic": "eur",
}
_SOUTH_AMERICA = frozenset(
    ["AR", "BO", "BR", "CL", "CO", "EC", "FK", "GF", "GY", "PE", "PY", "SR", "UY", "VE"]
)
_CENTRAL_AMERICA = frozenset(
    [
        "AG",
        "AI",
        "AW",
        "BB",
        "BL",
        "BQ",
        "BS",
        "BZ",
        "CR",
        "CU",
        "CW",
        "DM",
        "DO",
        "GD",
        "GP",
        "GT",
        "HN",
        "HT",
        "JM",
        "KN",
        "KY",
        "LC",
        "MF",
        "MQ",
        "MS",
        "NI",
        "PA",
        "PR",
        "SV",
        "SX",
        "TC",
        "TT",
        "VC",
        "VG",
        "VI",
    ]
)
_OCEAN = {
    "BM": "amn",
    "CV": "afr",
    "SH": "afr",
    "FK": "ams",
    "GS": "ant",
    "TF": "ant",
    "IS": "eur",
    "PT": "eur",
    "ES": "eur",
    "FO": "eur",
    "IO": "asi",
    "MV": "asi",
    "CC": "asi",
    "CX": "asi",
}


@lru_cache(maxsize=1)
def country_continents() -> dict[str, str]:
    found: dict[str, str] = {}
    for territory, zones in get_global("territory_zones").items():
        if len(territory) != 2 or not zones or territory == "ZZ":
            continue
        area = str(zones[0]).split("/")[0]
        if territory in _OCEAN:
            found[territory] = _OCEAN[territory]
        elif area == "America":
            south = territory in _SOUTH_AMERICA
            found[territory] = "ams" if south else "amc" if territory in _CENTRAL_AMERICA else "amn"
        else:
            found[territory] = _ZONE_CONTINENT.get(area, "afr")  # Indian Ocean islands
    return found


def continent_of(country_code: str) -> str:
    return country_continents().get(country_code.upper(), "unk")
