"""Tests for IP geolocation with a generated .mmdb, named networks and overrides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geoip2.database
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from analytics_server.enrichment.geo import GeoLocator, Location, NamedLocationSpec
from tests.geo_records import BERLIN as BERLIN_V6
from tests.geo_records import LONDON

CORPORATE_PUBLIC = {"continent": {"code": "NA"}, "country": {"iso_code": "US"}}
# Intranets may build their own mmdb covering private ranges.
INTRANET_SITE = {"country": {"iso_code": "RU"}, "city": {"names": {"en": "Kazan"}}}

NAMED_NETWORKS: dict[str, NamedLocationSpec] = {
    "10.1.0.0/16": "Moscow office",
    "10.1.2.0/24": {"name": "Moscow lab", "country": "RU", "city": "Moscow"},
    "198.51.100.128/25": {"name": "VPN exit", "region": "NY", "latitude": 40.7},
    "fd00:1::/48": "Branch v6",
    "81.2.69.192/26": {"name": "Paris desk", "country": "FR"},
}


def write_mmdb(path: Path, database_type: str = "GeoIP2-City") -> Path:
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type=database_type,
        languages=["en"],
        description="test database",
    )
    writer.insert_network(IPSet(["81.2.69.0/24"]), LONDON)
    writer.insert_network(IPSet(["2001:db8::/32"]), BERLIN_V6)
    writer.insert_network(IPSet(["198.51.100.0/24"]), CORPORATE_PUBLIC)
    writer.insert_network(IPSet(["172.16.5.0/24"]), INTRANET_SITE)
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def mmdb_path(tmp_path: Path) -> Path:
    return write_mmdb(tmp_path / "city.mmdb")


@pytest.fixture
def locator(mmdb_path: Path) -> Iterator[GeoLocator]:
    with geoip2.database.Reader(str(mmdb_path)) as reader:
        yield GeoLocator(reader, NAMED_NETWORKS)


def test_mmdb_city_record(locator: GeoLocator) -> None:
    assert locator.locate("81.2.69.160") == Location(
        country_code="gb",
        continent_code="eur",
        region_code="ENG",
        city="London",
        latitude=51.5142,
        longitude=-0.0931,
        named_location=None,
    )


def test_mmdb_ipv6_and_ipv4_mapped(locator: GeoLocator) -> None:
    assert locator.locate("2001:db8::1").city == "Berlin"
    assert locator.locate("::ffff:81.2.69.1").country_code == "gb"


def test_named_network_without_details(locator: GeoLocator) -> None:
    location = locator.locate("10.1.77.5")

    assert location.named_location == "Moscow office"
    assert location.country_code == "xx"


def test_named_country_replaces_mmdb_details(locator: GeoLocator) -> None:
    location = locator.locate("81.2.69.200")

    assert location == Location(country_code="fr", named_location="Paris desk")


def test_most_specific_named_network_wins(locator: GeoLocator) -> None:
    location = locator.locate("10.1.2.3")

    assert (location.named_location, location.country_code, location.city) == (
        "Moscow lab",
        "ru",
        "Moscow",
    )


def test_named_network_beats_mmdb(locator: GeoLocator) -> None:
    inside = locator.locate("198.51.100.200")
    outside = locator.locate("198.51.100.5")

    assert (inside.named_location, inside.country_code, inside.region_code) == (
        "VPN exit",
        "us",
        "NY",
    )
    assert (inside.latitude, inside.longitude) == (40.7, None)
    assert (outside.named_location, outside.country_code, outside.continent_code) == (
        None,
        "us",
        "amn",
    )


def test_named_ipv6_network(locator: GeoLocator) -> None:
    assert locator.locate("fd00:1:0:5::1").named_location == "Branch v6"


def test_private_range_in_custom_mmdb(locator: GeoLocator) -> None:
    location = locator.locate("172.16.5.9")

    assert (location.country_code, location.continent_code, location.city) == ("ru", "unk", "Kazan")


def test_unknown_and_private_addresses(locator: GeoLocator) -> None:
    assert locator.locate("8.8.8.8") == Location()
    assert locator.locate("192.168.1.1") == Location()
    assert locator.locate("127.0.0.1").country_code == "xx"


@pytest.mark.parametrize("ip", ["", "not-an-ip", "999.1.1.1", "10.1.0.0/16", "<script>", "::g"])
def test_invalid_ip_never_raises(locator: GeoLocator, ip: str) -> None:
    assert locator.locate(ip) == Location()


def test_overrides_win_last(locator: GeoLocator) -> None:
    location = locator.locate("81.2.69.160", overrides={"city": "Manchester", "lat": "53.48"})

    assert (location.country_code, location.city, location.latitude) == ("gb", "Manchester", 53.48)
    assert location.longitude == -0.0931


def test_override_to_another_country_drops_located_details(locator: GeoLocator) -> None:
    location = locator.locate("81.2.69.160", overrides={"country": "FR"})

    assert location == Location(country_code="fr")


def test_bad_overrides_are_ignored(locator: GeoLocator) -> None:
    overrides = {"country": "France", "lat": "91", "long": "nan", "region": ""}

    assert locator.locate("81.2.69.160", overrides=overrides) == locator.locate("81.2.69.160")


def test_overrides_apply_to_unlocatable_ip() -> None:
    location = GeoLocator().locate("garbage", overrides={"country": "de", "region": "BERLIN"})

    assert (location.country_code, location.region_code) == ("de", "BER")


def test_from_settings_opens_mmdb(mmdb_path: Path) -> None:
    locator = GeoLocator.from_settings(str(mmdb_path), {"10.0.0.0/8": "Intranet"})
    try:
        assert locator.locate("81.2.69.1").city == "London"
        assert locator.locate("10.9.9.9").named_location == "Intranet"
    finally:
        locator.close()


def test_from_settings_country_database(tmp_path: Path) -> None:
    path = write_mmdb(tmp_path / "country.mmdb", database_type="GeoLite2-Country")
    locator = GeoLocator.from_settings(str(path), {})
    try:
        location = locator.locate("81.2.69.1")
    finally:
        locator.close()

    assert (location.country_code, location.continent_code, location.city) == ("gb", "eur", "")


def test_from_settings_without_file(tmp_path: Path) -> None:
    locator = GeoLocator.from_settings(str(tmp_path / "missing.mmdb"), {})

    assert locator.locate("81.2.69.1") == Location()
    assert GeoLocator.from_settings(None, {}).locate("81.2.69.1") == Location()


def test_bad_cidr_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="does not appear to be"):
        GeoLocator(named_networks={"10.0.0.0/33": "Nope"})


class FailingReader:
    """A reader whose database is corrupt."""

    def city(self, ip_address: str) -> Any:
        raise RuntimeError(f"corrupt database at {ip_address}")


def test_broken_reader_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    assert GeoLocator(FailingReader()).locate("81.2.69.1") == Location()
    assert "GeoIP lookup failed" in caplog.text
