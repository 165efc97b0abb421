"""IP geolocation from named intranet networks, a GeoIP2 .mmdb file and trusted overrides."""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import geoip2.database
import geoip2.errors
import maxminddb

logger = logging.getLogger(__name__)

UNKNOWN_COUNTRY: Final = "xx"
UNKNOWN_CONTINENT: Final = "unk"
# GeoIP2 continent codes -> Matomo's continent codes (segment `continentCode`). GeoIP2 has one
# "NA" for North and Central America; Matomo's "amc" (Central America) is therefore never set.
CONTINENTS: Final[Mapping[str, str]] = {
    "AF": "afr",
    "AN": "ant",
    "AS": "asi",
    "EU": "eur",
    "NA": "amn",
    "OC": "oce",
    "SA": "ams",
}
MAX_REGION_LENGTH: Final = 3
# (override key, named network config key)
_NAMED_FIELDS: Final = (
    ("country", "country"),
    ("region", "region"),
    ("city", "city"),
    ("lat", "latitude"),
    ("long", "longitude"),
)
MAX_CITY_LENGTH: Final = 255

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# A named network is configured as a name, or as a mapping with "name" and optional
# "country", "region", "city", "latitude", "longitude".
NamedLocationSpec = str | Mapping[str, object]


class CityReader(Protocol):
    """Anything with a GeoIP2-style `city(ip)` lookup, such as `geoip2.database.Reader`."""

    def city(self, ip_address: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Location:
    """Where a visit comes from, shaped like the log_visit location_* columns."""

    country_code: str = UNKNOWN_COUNTRY
    continent_code: str = UNKNOWN_CONTINENT
    region_code: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    named_location: str | None = None


UNKNOWN_LOCATION: Final = Location()


@dataclass(frozen=True, slots=True)
class NamedNetwork:
    """An administrator-named address range, e.g. 10.1.0.0/16 -> "Moscow office"."""

    network: IPNetwork
    name: str | None
    # Configured country/region/city/lat/long, in the tracking-override key names.
    details: Mapping[str, str]


class GeoLocator:
    """Locates IP addresses: the mmdb, then named networks over it, then trusted overrides.

    The most specific named network wins; it sets `named_location` and replaces the mmdb's
    fields with the ones it configures (a different country drops the mmdb's region and city).
    """

    def __init__(
        self,
        reader: CityReader | None = None,
        named_networks: Mapping[str, NamedLocationSpec]
        | Iterable[tuple[str, NamedLocationSpec]] = (),
    ) -> None:
        self._reader = reader
        pairs = named_networks.items() if isinstance(named_networks, Mapping) else named_networks
        # prefix length -> {network: entry}; probing longest prefixes first makes the most
        # specific network win with one dict lookup per distinct prefix length.
        self._named: dict[int, dict[IPNetwork, NamedNetwork]] = {}
        for cidr, spec in pairs:
            entry = _named_network(cidr, spec)
            self._named.setdefault(entry.network.prefixlen, {})[entry.network] = entry
        self._prefix_lengths = sorted(self._named, reverse=True)

    @classmethod
    def from_settings(
        cls, mmdb_path: str | None, named_locations: Mapping[str, NamedLocationSpec]
    ) -> GeoLocator:
        """Build from configuration; a missing or unreadable mmdb is logged and skipped."""
        reader: CityReader | None = None
        if mmdb_path:
            try:
                reader = _open_mmdb(mmdb_path)
            except (OSError, maxminddb.InvalidDatabaseError) as exc:
                logger.warning(
                    "GeoIP database %s not usable, geolocation disabled: %s", mmdb_path, exc
                )
        return cls(reader, named_locations)

    def close(self) -> None:
        """Release the mmdb file, if any."""
        close = getattr(self._reader, "close", None)
        if callable(close):
            close()

    def locate(self, ip: str, *, overrides: Mapping[str, str] | None = None) -> Location:
        """Location of `ip`; unknown (country 'xx') when nothing matches. Never raises."""
        address = _parse_ip(ip)
        location = UNKNOWN_LOCATION
        if address is not None:
            location = self._locate_mmdb(address)
            named = self._find_named(address)
            if named is not None:
                # The name is always set; configured details beat the mmdb field by field.
                location = apply_overrides(location, named.details)
                location = dataclasses.replace(location, named_location=named.name)
        if overrides:
            location = apply_overrides(location, overrides)
        return location

    def _find_named(self, address: IPAddress) -> NamedNetwork | None:
        for prefix in self._prefix_lengths:
            if prefix > address.max_prefixlen:
                continue
            network = ipaddress.ip_network((address, prefix), strict=False)
            entry = self._named[prefix].get(network)
            if entry is not None:
                return entry
        return None

    def _locate_mmdb(self, address: IPAddress) -> Location:
        # Private ranges are looked up too: intranets may build their own mmdb for them.
        if self._reader is None:
            return UNKNOWN_LOCATION
        try:
            response = self._reader.city(str(address))
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return UNKNOWN_LOCATION
        except Exception:  # a broken database must not stop ingestion
            logger.exception("GeoIP lookup failed for %s", address)
            return UNKNOWN_LOCATION
        return location_from_response(response)


def location_from_response(response: object) -> Location:
    """Read a GeoIP2 City (or Country) response into a Location."""
    country = _text(_path(response, "country", "iso_code")).lower()
    continent = _text(_path(response, "continent", "code")).upper()
    return Location(
        country_code=country if _is_country_code(country) else UNKNOWN_COUNTRY,
        continent_code=CONTINENTS.get(continent, UNKNOWN_CONTINENT),
        region_code=_text(_path(_first_subdivision(response), "iso_code"))[:MAX_REGION_LENGTH],
        city=_text(_path(response, "city", "name"))[:MAX_CITY_LENGTH],
        latitude=_coordinate(_path(response, "location", "latitude"), 90),
        longitude=_coordinate(_path(response, "location", "longitude"), 180),
    )


def apply_overrides(location: Location, overrides: Mapping[str, str]) -> Location:
    """Apply trusted tracking parameters country/region/city/lat/long over a location.

    A country different from the located one drops the located region, city and coordinates,
    which would otherwise describe another country.
    """
    changes: dict[str, Any] = {}
    country = overrides.get("country", "").strip().lower()
    if _is_country_code(country) and country != location.country_code:
        changes |= {
            "country_code": country,
            "continent_code": UNKNOWN_CONTINENT,
            "region_code": "",
            "city": "",
            "latitude": None,
            "longitude": None,
        }
    if region := overrides.get("region", "").strip():
        changes["region_code"] = region[:MAX_REGION_LENGTH]
    if city := overrides.get("city", "").strip():
        changes["city"] = city[:MAX_CITY_LENGTH]
    for key, field, limit in (("lat", "latitude", 90), ("long", "longitude", 180)):
        value = _coordinate(overrides.get(key), limit)
        if value is not None:
            changes[field] = value
    return dataclasses.replace(location, **changes) if changes else location


def _open_mmdb(path: str) -> CityReader:
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    reader = geoip2.database.Reader(path)
    database_type = reader.metadata().database_type
    if "City" not in database_type and "Country" in database_type:
        return _CountryOnlyReader(reader)
    return reader


class _CountryOnlyReader:
    """Adapts a Country database (GeoLite2-Country) to the `city()` lookup."""

    def __init__(self, reader: geoip2.database.Reader) -> None:
        self._reader = reader

    def city(self, ip_address: str) -> Any:
        return self._reader.country(ip_address)

    def close(self) -> None:
        self._reader.close()


def _named_network(cidr: str, spec: NamedLocationSpec) -> NamedNetwork:
    """Parse one configured named network; raises ValueError on a bad CIDR (a config error)."""
    network = ipaddress.ip_network(cidr.strip(), strict=False)
    if isinstance(spec, str):
        return NamedNetwork(network, spec, {})
    name = spec.get("name")
    details: dict[str, str] = {}
    for key, field in _NAMED_FIELDS:
        value = spec.get(field)
        if value is not None and value != "":
            details[key] = str(value)
    return NamedNetwork(network, str(name) if name else None, details)


def _parse_ip(ip: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(ip.strip())
    except (ValueError, AttributeError):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _path(obj: object, *names: str) -> object:
    for name in names:
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


def _first_subdivision(response: object) -> object:
    subdivisions = getattr(response, "subdivisions", None)
    if not isinstance(subdivisions, Iterable):
        return None
    return next(iter(subdivisions), None)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_country_code(value: str) -> bool:
    return len(value) == 2 and value.isascii() and value.isalpha()


def _coordinate(value: object, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None
