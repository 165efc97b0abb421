"""Excluded hits answer success and store nothing; stored visits get IP, place and referrer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geoip2.database
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.config import Settings
from analytics_server.enrichment.geo import GeoLocator
from analytics_server.privacy.ip import unpack_ip
from tests.conftest import FakeClock, make_app
from tests.factories import actions, create_site, create_token, failures, url_of, visits
from tests.geo_records import BERLIN, LONDON
from tests.tracking.helpers import CHROME_WINDOWS, js_hit, send

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture(autouse=True)
def behind_proxy(settings: Settings) -> None:
    """The TestClient's own address is not an IP; tests give theirs in X-Forwarded-For."""
    settings.tracker.trusted_proxies = ["*"]


def hit_from(
    client: TestClient, ip: str, hit: dict[str, str], *, headers: dict[str, str] | None = None
) -> Any:
    return send(client, hit, headers={"X-Forwarded-For": ip, **(headers or {})})


def assert_excluded(
    client: TestClient,
    db: Session,
    hit: dict[str, str],
    why: str,
    *,
    ip: str = "198.51.100.7",
    headers: dict[str, str] | None = None,
) -> None:
    """The hit is answered like a stored one, leaves no row and is not listed as a failure;
    the shared counters (where the endpoint's and the workers' exclusions add up) count it."""
    queue = client.app.state.ingest.queue  # type: ignore[attr-defined]
    before = queue.counts().get(f"excluded:{why}", 0)
    answer = hit_from(client, ip, hit, headers=headers)
    assert (answer.status_code, answer.content) == (204, b"")
    assert visits(db) == []
    assert actions(db) == []
    assert failures(db) == []
    # The endpoint's counters ride along with its next queue write, or go within a second.
    deadline = time.monotonic() + 5
    while queue.counts().get(f"excluded:{why}", 0) != before + 1:
        assert time.monotonic() < deadline, queue.counts()
        time.sleep(0.05)


# ------------------------------------------------------------------------------ exclusions


@pytest.mark.parametrize("ip", ["10.20.3.4", "192.168.7.1", "203.0.113.9"])
def test_site_excluded_ips_exact_cidr_and_wildcard(
    client: TestClient, db: Session, ip: str
) -> None:
    site = create_site(db, excluded_ips="10.20.0.0/16, 192.168.*.*\n203.0.113.9")
    assert_excluded(client, db, js_hit(site.idsite), "excluded_ip", ip=ip)


def test_ips_next_to_the_excluded_ranges_are_stored(client: TestClient, db: Session) -> None:
    site = create_site(db, excluded_ips="10.20.0.0/16,192.168.*.*,203.0.113.9")
    for ip in ("10.21.0.1", "192.169.0.1", "203.0.113.10"):
        assert hit_from(client, ip, js_hit(site.idsite, new_visit="1")).status_code == 204
    assert len(visits(db)) == 3


@pytest.mark.parametrize("ip", ["198.51.100.200", "2001:db8::42", "::ffff:198.51.100.1"])
def test_global_excluded_ips(client: TestClient, db: Session, settings: Settings, ip: str) -> None:
    settings.privacy.excluded_ips = ["198.51.100.0/24", "2001:db8::/32"]
    site = create_site(db)
    assert_excluded(client, db, js_hit(site.idsite), "excluded_ip", ip=ip)


@pytest.mark.parametrize(
    "suffix",
    [" KioskApp/3.2", " kioskapp/3.2", " CorpQA/17"],
    ids=["substring", "any-case", "regex"],
)
def test_site_excluded_user_agents(client: TestClient, db: Session, suffix: str) -> None:
    site = create_site(db, excluded_user_agents="KioskApp\n/corpqa\\/\\d+/")
    headers = {"User-Agent": CHROME_WINDOWS + suffix}
    assert_excluded(client, db, js_hit(site.idsite), "excluded_user_agent", headers=headers)


def test_global_excluded_user_agents_and_the_ua_parameter(
    client: TestClient, db: Session, settings: Settings
) -> None:
    settings.privacy.excluded_user_agents = ["LobbyScreen"]
    site = create_site(db)
    hit = js_hit(site.idsite, ua=CHROME_WINDOWS + " LobbyScreen/1")  # ua overrides the header
    assert_excluded(client, db, hit, "excluded_user_agent")


def test_bots_are_dropped_unless_bots_1(client: TestClient, db: Session) -> None:
    site = create_site(db)
    assert_excluded(client, db, js_hit(site.idsite), "bot", headers={"User-Agent": GOOGLEBOT})
    answer = hit_from(
        client, "198.51.100.7", js_hit(site.idsite, bots="1"), headers={"User-Agent": GOOGLEBOT}
    )
    assert answer.status_code == 204
    [visit] = visits(db)
    assert visit["config_device_type"] is None


PRIVACY_SIGNALS = pytest.mark.parametrize(
    "signal", [{"DNT": "1"}, {"Sec-GPC": "1"}, {"X-Do-Not-Track": "1"}], ids=["DNT", "GPC", "X-DNT"]
)


@PRIVACY_SIGNALS
def test_do_not_track_is_ignored_by_default(
    client: TestClient, db: Session, signal: dict[str, str]
) -> None:
    site = create_site(db)
    assert hit_from(client, "198.51.100.7", js_hit(site.idsite), headers=signal).status_code == 204
    assert len(visits(db)) == 1  # off by default, as in Matomo


@PRIVACY_SIGNALS
def test_do_not_track_is_honoured_when_switched_on(
    client: TestClient, db: Session, settings: Settings, signal: dict[str, str]
) -> None:
    settings.tracker.honour_do_not_track = True
    site = create_site(db)
    assert_excluded(client, db, js_hit(site.idsite), "do_not_track", headers=signal)


def test_dnt_0_is_tracked_even_when_honoured(
    client: TestClient, db: Session, settings: Settings
) -> None:
    settings.tracker.honour_do_not_track = True
    site = create_site(db)
    hit_from(client, "198.51.100.7", js_hit(site.idsite), headers={"DNT": "0", "Sec-GPC": "0"})
    assert len(visits(db)) == 1


def test_matomo_ignore_cookie(client: TestClient, db: Session) -> None:
    site = create_site(db)
    headers = {"Cookie": "_pk_id.1.1fff=abc; matomo_ignore=*"}
    assert_excluded(client, db, js_hit(site.idsite), "ignore_cookie", headers=headers)


def test_exclude_unknown_urls(client: TestClient, db: Session) -> None:
    site = create_site(db, exclude_unknown_urls=True, alias_urls=["https://shop.example.com"])
    assert_excluded(
        client, db, js_hit(site.idsite, url="https://copycat.example.net/docs"), "unknown_url"
    )
    for url in ("https://www.portal.example.com/a", "https://shop.example.com/b"):
        hit_from(client, "198.51.100.7", js_hit(site.idsite, url=url))
    assert len(actions(db)) == 2


@pytest.mark.parametrize(
    "header",
    [
        {"X-Purpose": "preview"},
        {"X-Moz": "prefetch"},
        {"Purpose": "prefetch"},
        {"Sec-Purpose": "prefetch;prerender"},
    ],
    ids=lambda h: next(iter(h)),
)
def test_prefetch_requests(client: TestClient, db: Session, header: dict[str, str]) -> None:
    site = create_site(db)
    assert_excluded(client, db, js_hit(site.idsite), "prefetch", headers=header)


def test_excluded_sdk_hit_gets_the_gif(client: TestClient, db: Session) -> None:
    site = create_site(db, excluded_ips="198.51.100.7")
    hit = {k: v for k, v in js_hit(site.idsite).items() if k != "send_image"}
    answer = hit_from(client, "198.51.100.7", hit)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/gif"
    assert visits(db) == []
    assert failures(db) == []


# ------------------------------------------------------------------------------ client IP


@pytest.mark.parametrize(
    ("mask", "ipv4", "ipv6"),
    [
        (None, "198.51.0.0", "2001:db8:1234::"),  # the global default: 2 bytes
        (0, "198.51.100.77", "2001:db8:1234:5678:9abc:def0:1234:5678"),
        (1, "198.51.100.0", "2001:db8:1234:5678::"),
        (3, "198.0.0.0", "2001:d00::"),
    ],
    ids=["default-2", "0", "1", "3"],
)
def test_ip_anonymisation_per_site(
    client: TestClient, db: Session, mask: int | None, ipv4: str, ipv6: str
) -> None:
    site = create_site(db, ip_anonymisation_bytes=mask)
    hit_from(client, "198.51.100.77", js_hit(site.idsite, _id="1111111111111111"))
    hit_from(
        client,
        "2001:db8:1234:5678:9abc:def0:1234:5678",
        js_hit(site.idsite, _id="2222222222222222"),
    )
    assert [unpack_ip(v["location_ip"]) for v in visits(db)] == [ipv4, ipv6]


def test_global_mask_and_ipv4_mapped_addresses(
    client: TestClient, db: Session, settings: Settings
) -> None:
    settings.privacy.ip_anonymisation_bytes = 1
    site = create_site(db)
    hit_from(client, "::ffff:198.51.100.77", js_hit(site.idsite))
    [visit] = visits(db)
    assert visit["location_ip"] == bytes([198, 51, 100, 0])  # stored as 4 bytes


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    client: TestClient, db: Session, settings: Settings
) -> None:
    settings.tracker.trusted_proxies = []
    site = create_site(db, ip_anonymisation_bytes=0, excluded_ips="198.51.100.77")
    assert hit_from(client, "198.51.100.77", js_hit(site.idsite)).status_code == 204
    [visit] = visits(db)  # not excluded: the header is anyone's to write
    assert unpack_ip(visit["location_ip"]) == "0.0.0.0"  # the test client's host is no IP


# ------------------------------------------------------------------------------ GeoIP


def write_city_mmdb(path: Path) -> Path:
    writer = MMDBWriter(
        ip_version=6, ipv4_compatible=True, database_type="GeoIP2-City", languages=["en"]
    )
    writer.insert_network(IPSet(["81.2.69.0/24"]), LONDON)
    writer.insert_network(IPSet(["2001:db8::/32"]), BERLIN)
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def geo_client(
    engine: Engine, settings: Settings, clock: FakeClock, tmp_path: Path
) -> Iterator[TestClient]:
    with (
        geoip2.database.Reader(str(write_city_mmdb(tmp_path / "city.mmdb"))) as reader,
        make_app(engine, settings, clock, geo=GeoLocator(reader)) as test_client,
    ):
        yield test_client


def _place(visit: dict[str, Any]) -> tuple[Any, ...]:
    lat, long = visit["location_latitude"], visit["location_longitude"]
    return (
        visit["location_country"],
        visit["location_region"],
        visit["location_city"],
        None if lat is None else round(float(lat), 4),
        None if long is None else round(float(long), 4),
        visit["location_named"],
    )


def test_geoip_city_location_ipv4_and_ipv6(geo_client: TestClient, db: Session) -> None:
    site = create_site(db)
    hit_from(geo_client, "81.2.69.160", js_hit(site.idsite, _id="1111111111111111"))
    hit_from(geo_client, "2001:db8::1", js_hit(site.idsite, _id="2222222222222222"))
    hit_from(geo_client, "192.0.2.1", js_hit(site.idsite, _id="3333333333333333"))
    assert [_place(v) for v in visits(db)] == [
        ("gb", "ENG", "London", 51.5142, -0.0931, None),
        ("de", "BE", "Berlin", 52.52, 13.405, None),
        ("xx", None, None, None, None, None),
    ]


def test_geoip_can_use_the_anonymised_ip(
    geo_client: TestClient, db: Session, settings: Settings
) -> None:
    site = create_site(db)  # default mask 2: 81.2.69.160 is stored as 81.2.0.0
    settings.privacy.use_anonymised_ip_for_enrichment = True
    hit_from(geo_client, "81.2.69.160", js_hit(site.idsite))
    [visit] = visits(db)
    assert unpack_ip(visit["location_ip"]) == "81.2.0.0"
    assert visit["location_country"] == "xx"


def test_geoip_database_from_settings(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session, tmp_path: Path
) -> None:
    settings.enrichment.geoip_mmdb_path = str(write_city_mmdb(tmp_path / "city.mmdb"))
    site = create_site(db)
    with make_app(engine, settings, clock) as client:
        try:
            hit_from(client, "81.2.69.20", js_hit(site.idsite))
        finally:
            client.app.state.tracker.geo.close()  # type: ignore[attr-defined]
    assert _place(visits(db)[0])[:3] == ("gb", "ENG", "London")


def test_named_intranet_location(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    settings.enrichment.named_locations = {"10.1.0.0/16": "Moscow office"}
    site = create_site(db)
    with make_app(engine, settings, clock) as client:
        hit_from(client, "10.1.44.7", js_hit(site.idsite, _id="1111111111111111"))
        hit_from(client, "10.2.0.1", js_hit(site.idsite, _id="2222222222222222"))
    assert [v["location_named"] for v in visits(db)] == ["Moscow office", None]


def test_trusted_location_overrides_beat_geoip(geo_client: TestClient, db: Session) -> None:
    site = create_site(db)
    token = create_token(db)
    hit = js_hit(site.idsite, token_auth=token, country="fr", city="Lyon", lat="45.76", long="4.84")
    hit_from(geo_client, "81.2.69.160", hit)
    assert _place(visits(db)[0]) == ("fr", None, "Lyon", 45.76, 4.84, None)


# ------------------------------------------------------------------------------ referrers


def _referrer(visit: dict[str, Any]) -> tuple[Any, ...]:
    return (visit["referer_type"], visit["referer_name"], visit["referer_keyword"])


def test_search_engine_with_keyword(client: TestClient, db: Session) -> None:
    site = create_site(db)
    urlref = "https://www.google.com/search?q=Cement+Prices&hl=en"
    hit_from(client, "198.51.100.7", js_hit(site.idsite, urlref=urlref))
    [visit] = visits(db)
    assert _referrer(visit) == (2, "Google", "cement prices")
    assert visit["referer_url"] == urlref


def test_search_engine_without_keyword(client: TestClient, db: Session) -> None:
    site = create_site(db)
    hit_from(client, "198.51.100.7", js_hit(site.idsite, urlref="https://www.google.de/"))
    assert _referrer(visits(db)[0]) == (2, "Google", None)


def test_website_referrer(client: TestClient, db: Session) -> None:
    site = create_site(db)
    urlref = "https://blog.partner.example.org/posts/7"
    hit_from(client, "198.51.100.7", js_hit(site.idsite, urlref=urlref))
    [visit] = visits(db)
    assert _referrer(visit) == (3, "blog.partner.example.org", None)
    assert visit["referer_url"] == urlref


def test_social_network_referrer(client: TestClient, db: Session) -> None:
    site = create_site(db)
    hit_from(client, "198.51.100.7", js_hit(site.idsite, urlref="https://l.facebook.com/l.php?u=x"))
    assert _referrer(visits(db)[0]) == (7, "Facebook", None)


def test_campaign_with_utm_parameters(client: TestClient, db: Session) -> None:
    site = create_site(db)
    url = (
        "https://portal.example.com/docs/start?utm_campaign=Spring_Sale&utm_source=Newsletter"
        "&utm_medium=email&utm_content=hero-banner&utm_term=Cement&utm_id=42"
    )
    hit_from(
        client, "198.51.100.7", js_hit(site.idsite, url=url, urlref="https://mail.example.net/")
    )
    [visit] = visits(db)
    assert _referrer(visit) == (6, "spring_sale", "cement")
    assert (visit["campaign_source"], visit["campaign_medium"], visit["campaign_content"]) == (
        "Newsletter",
        "email",
        "hero-banner",
    )
    assert visit["campaign_id"] == "42"
    [action] = actions(db)
    assert url_of(db, action["idaction_url"]) == "https://portal.example.com/docs/start"


@pytest.mark.parametrize(
    "urlref",
    [
        "https://portal.example.com/pricing",
        "http://www.portal.example.com/",
        "https://shop.example.com/cart",
        "",
    ],
    ids=["same-host", "www-host", "alias-host", "none"],
)
def test_own_host_or_no_referrer_is_direct(client: TestClient, db: Session, urlref: str) -> None:
    site = create_site(db, alias_urls=["https://shop.example.com"])
    hit_from(client, "198.51.100.7", js_hit(site.idsite, urlref=urlref))
    [visit] = visits(db)
    assert _referrer(visit) == (1, None, None)
    assert visit["referer_url"] is None
