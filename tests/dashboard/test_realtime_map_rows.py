"""The real-time view, the visitor map and row evolution through HTTP, against the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.dashboard import i18n, maps
from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.dashboard.helpers import sign_in
from tests.dashboard.pages import text, visits
from tests.factories import create_token
from tests.reports.api import DAY, call
from tests.tracking.helpers import IPHONE, js_hit, send


def test_real_time_counters_and_latest_visits(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = make_site(db, timezone="UTC")
    token = create_token(db)
    anna, bert = {"_id": "aaaaaaaaaaaaaaaa"}, {"_id": "bbbbbbbbbbbbbbbb"}
    start = clock.now
    send(client, js_hit(site.idsite, **anna))
    clock.advance(seconds=30)
    send(client, js_hit(site.idsite, **anna, url="https://portal.example.com/two"))
    send(client, js_hit(site.idsite, **anna, idgoal=1))
    send(client, js_hit(site.idsite, **bert), ua=IPHONE)
    clock.now = start + timedelta(minutes=10)
    sign_in(client)
    body = client.get(f"/site/{site.idsite}/visitors/realtime").text
    counters = re.findall(r'<p class="counter" data-minutes="(\d+)"[^>]*>(.*?)</p>', body)
    assert counters == [
        ("3", "0 visits and 0 actions in the last 3 minutes"),
        ("30", "2 visits and 3 actions in the last 30 minutes"),
        ("1440", "2 visits and 3 actions in the last 24 hours"),
    ]
    for minutes in (3, 30, 1440):
        (api,) = call(
            client, "Live.getCounters", idSite=site.idsite, lastMinutes=minutes, token_auth=token
        )
        row = re.search(rf'<tr data-minutes="{minutes}">(.*?)</tr>', body, re.S)
        assert row is not None
        shown = text(row.group(1)).split()[-4:]
        assert shown == [str(api[k]) for k in ("visits", "actions", "visitors", "visitsConverted")]
    live = call(client, "Live.getLastVisitsDetails", idSite=site.idsite, token_auth=token)
    assert [v.id for v in visits(body)] == [v["idVisit"] for v in live]
    assert visits(body)[1].actions == [
        ("action", "Getting started"),
        ("action", "Getting started"),
        ("goal", "Registration"),
    ]
    fragment_url = f"/site/{site.idsite}/realtime-fragment"
    assert f'data-realtime-src="{fragment_url}"' in body
    assert '<script src="/static/dashboard/realtime.js" defer></script>' in body
    assert "<noscript>" in body
    fragment = client.get(fragment_url)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "2 visits and 3 actions in the last 30 minutes" in fragment.text
    russian = client.get(fragment_url, headers={"Accept-Language": "ru"}).text
    assert "Визитов: 2, действий: 3 за последние 30 минут" in russian


def test_pages_carry_no_inline_script(client: TestClient, db: Session, clock: FakeClock) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    create_token(db)
    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    sign_in(client)
    for path in (
        f"visitors/log?period=day&date={DAY}",
        "visitors/realtime",
        f"visitors/locations?period=day&date={DAY}",
        "visitor/" + b"v1".ljust(8, b"\0").hex(),
        f"row-evolution?widget=browsers&label=Chrome&period=day&date={DAY}",
    ):
        body = client.get(f"/site/{site.idsite}/{path}").text
        assert re.findall(r"<script(?![^>]*\ssrc=)", body) == [], path
        assert re.findall(r"\son[a-z]+=", body) == [], path


def test_the_map_shades_countries_by_visits(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    create_token(db)
    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    sign_in(client)
    page = f"/site/{site.idsite}/visitors/locations"
    body = client.get(page, params={"period": "day", "date": DAY}).text
    paths = dict(
        re.findall(
            r'<path class="shade-\d" d="[^"]+" data-country="(\w+)"[^>]*><title>(.*?)</title>', body
        )
    )
    assert len(paths) == len(maps.world()["countries"]) > 200
    assert paths["de"] == "Germany: 2 visits"
    assert paths["fr"] == "France: 1 visit"
    assert paths["us"] == "United States: 0 visits"
    shades = re.findall(r'<path class="shade-(\d)" d="[^"]+" data-country="(\w+)"', body)
    by_country = {country: int(n) for n, country in shades}
    assert by_country["de"] > by_country["fr"] > by_country["us"] == 0
    assert "segment=countryCode%3D%3Dde" in body
    assert '<ul class="map-legend"' in body
    russian = client.get(
        page, params={"period": "day", "date": DAY}, headers={"Accept-Language": "ru"}
    ).text
    assert "<title>Германия: визитов — 2</title>" in russian


def test_map_shades_and_legend() -> None:
    assert maps.bounds(0) == []
    assert maps.bounds(1) == [1]
    assert maps.bounds(1000) == [1, 4, 16, 64, 252]
    lows = maps.bounds(1000)
    assert [maps.shade(n, lows) for n in (0, 1, 3, 4, 100, 1000)] == [0, 1, 1, 2, 4, 5]
    assert maps.legend([1, 4], 10, "en") == [
        {"shade": 1, "text": "1–3"},
        {"shade": 2, "text": "4–10"},
    ]


def evolution_values(body: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-period="([^"]+)" data-value="([^"]*)">', body))


def test_row_evolution_equals_the_api_over_30_periods(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    token = create_token(db)
    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    sign_in(client)
    table = client.get(
        f"/site/{site.idsite}/visitors/software", params={"period": "day", "date": DAY}
    ).text
    link = re.search(r'href="(/site/\d+/row-evolution\?[^"]*label=Chrome[^"]*)"', table)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    body = client.get(href).text
    span = "2026-02-09,2026-03-10"
    api = call(
        client,
        "DevicesDetection.getBrowsers",
        idSite=site.idsite,
        period="day",
        date=span,
        label="Chrome",
        token_auth=token,
    )
    values = evolution_values(body)
    assert len(values) == 30
    assert values == {day: str(rows[0]["nb_visits"] if rows else 0) for day, rows in api.items()}
    assert values[DAY] == "2"
    actions = evolution_values(client.get(href + "&metric=nb_actions_per_visit").text)
    assert actions[DAY] == "4"  # 8 actions in 2 visits


def test_row_evolution_of_a_subtable_row_and_of_a_flat_one(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    token = create_token(db)
    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    sign_in(client)
    api: dict[str, Any] = {"idSite": site.idsite, "token_auth": token, "period": "day"}
    urls = call(client, "Actions.getPageUrls", date=DAY, **api)
    docs = next(row for row in urls if row["label"] == "docs")
    base = f"/site/{site.idsite}/row-evolution"
    query = {"widget": "page-urls", "period": "day", "date": DAY, "label": "/install"}
    body = client.get(base, params={**query, "sub": str(docs["idsubdatatable"])}).text
    expected = call(
        client, "Actions.getPageUrls", date=f"2026-02-09,{DAY}", label="docs>/install", **api
    )
    assert evolution_values(body)[DAY] == str(expected[DAY][0]["nb_hits"]) == "1"
    flat = call(client, "Actions.getPageUrls", date=DAY, flat=1, **api)
    label = next(row["label"] for row in flat if row["label"].endswith("install"))
    flat_body = client.get(base, params={**query, "label": label, "flat": "1"}).text
    assert evolution_values(flat_body)[DAY] == "1"
    missing = client.get(base, params={**query, "widget": "nope"})
    assert missing.status_code == 400
    assert "There is no such report." in missing.text


def test_numbers_on_the_map_follow_the_locale() -> None:
    assert i18n.number(1234, "ru") == "1\xa0234"


def test_visits_of_unknown_countries_are_counted_beside_the_map(
    client: TestClient, db: Session
) -> None:
    site = make_site(db, timezone="UTC")
    create_token(db)
    send(client, js_hit(site.idsite))  # no GeoIP database in tests: country unknown
    sign_in(client)
    body = client.get(f"/site/{site.idsite}/visitors/locations").text
    assert "Visits from an unknown country: 1" in body
    assert 'class="shade-1"' not in body  # nothing on the map is shaded
    assert "No data for this period." in body
