"""The visits log and the visitor profile through HTTP: what they show equals the Live API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.dashboard import i18n
from analytics_server.sites.service import SiteConfig
from tests.archiving.traffic import Traffic, known_day, make_site, page
from tests.conftest import FakeClock
from tests.dashboard.helpers import sign_in
from tests.dashboard.pages import marked, visits
from tests.factories import create_token
from tests.reports.api import DAY, call
from tests.tracking.helpers import js_hit, send

V1 = b"v1".ljust(8, b"\0").hex()


class Known:
    """known_day on a Tokyo site, signed in as the super user, at 01:00 local on the 11th."""

    def __init__(self, client: TestClient, db: Session, clock: FakeClock) -> None:
        self.client = client
        self.site = make_site(db)
        self.rows = known_day(db, self.site.idsite)
        self.token = create_token(db)
        clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
        sign_in(client)

    def id(self, name: str) -> int:
        return int(self.rows[name]["idvisit"])

    def get(self, path: str, **params: Any) -> str:
        response = self.client.get(f"/site/{self.site.idsite}/{path}", params=params)
        assert response.status_code == 200, response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
        return response.text

    def api(self, method: str, **params: Any) -> Any:
        return call(self.client, method, idSite=self.site.idsite, token_auth=self.token, **params)


def test_the_log_shows_each_visit_with_its_actions_in_order(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    known = Known(client, db, clock)
    shown = visits(known.get("visitors/log", period="day", date=DAY))
    live = known.api("Live.getLastVisitsDetails", period="day", date=DAY)
    assert (
        [v.id for v in shown]
        == [v["idVisit"] for v in live]
        == [known.id(n) for n in ("b", "c", "a")]
    )
    for visit, api_visit in zip(shown, live, strict=True):
        assert [kind for kind, _ in visit.actions] == [
            d["type"] for d in api_visit["actionDetails"]
        ]
        assert visit.visitor == api_visit["visitorId"]
    b, c, a = shown
    assert a.actions == [
        ("action", "Docs / Start"),
        ("action", "Docs / Install"),
        ("event", "Video – play – intro (5)"),
        ("download", "https://files.example.com/guide.pdf"),
        ("goal", "Registration"),
    ]
    assert c.actions == [
        ("action", "Home"),
        ("search", "pricing"),
        ("action", "Docs / Start"),
        ("outlink", "https://ext.example.org/x"),
        ("content", "Banner – spring.png"),
        ("content", "Banner – spring.png"),
        ("ecommerceOrder", "o1"),
    ]
    assert b.actions == [("action", "Docs / Start")]
    for fact in (
        "Mar 10, 2026, 1:00:00 AM",  # Tokyo time of the first action
        "User ID: anna",
        "New visitor",
        "Duration: 2:01",
        "Actions: 4",
        "Goals: 1",
        "Windows 10",
        "Chrome 124",
        "1920x1080",
        "Berlin, BE, Germany",
        "Search Engines google «analytics»",
        "Company Acme",
        "Layout: grid",
        "Layout: list",
        "Time on page: 1:00 · Page load time: 0.11 s",
        "1:01:30 AM Video – play – intro (5)",
        "Goal reached 1:02:00 AM Registration Revenue: 10 USD",
    ):
        assert fact in a.text, fact
    for fact in (
        "Returning visitor, visit 2",
        "Smartphone (SA Galaxy)",
        "Campaigns spring «mail» newsletter – email",
        "Category: docs · No results",
        "Content impression",
        "Content interaction",
        "Interaction: click",
        "Revenue: 30 USD · Subtotal: 30 USD",
        "SKU1 Boots Shoes 15 USD 2",
    ):
        assert fact in c.text, fact
    assert f'href="/site/{known.site.idsite}/visitor/{V1}?period=day&amp;date={DAY}"' in a.html
    assert 'href="https://files.example.com/guide.pdf"' in a.html


def test_the_log_follows_the_segment_and_the_period(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    known = Known(client, db, clock)
    campaign = known.get("visitors/log", period="day", date=DAY, segment="referrerType==campaign")
    assert [v.id for v in visits(campaign)] == [known.id("c")]
    both = known.get("visitors/log", period="range", date="2026-03-09,2026-03-11")
    live = known.api("Live.getLastVisitsDetails", period="range", date="2026-03-09,2026-03-11")
    assert [v.id for v in visits(both)] == [v["idVisit"] for v in live]
    assert len(live) == 5
    empty = known.get("visitors/log", period="day", date="2026-03-01")
    assert "No visits in this period." in empty


def many_visits(db: Session, site: SiteConfig, count: int) -> None:
    traffic = Traffic(db, site.idsite)
    start = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    for n in range(count):
        when = start + timedelta(minutes=n)
        traffic.visit(when, [page(0, f"https://portal.example.com/p{n}", f"Page {n}")])
    db.commit()


def test_the_log_pages_with_offsets_like_the_api(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = make_site(db, timezone="UTC")
    many_visits(db, site, 12)
    token = create_token(db)
    clock.now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    sign_in(client)
    path = f"/site/{site.idsite}/visitors/log"
    query = {"period": "day", "date": DAY, "visits-log.limit": "10"}
    first = client.get(path, params=query).text
    api = {"idSite": site.idsite, "token_auth": token, "period": "day", "date": DAY}
    live = call(client, "Live.getLastVisitsDetails", filter_limit=10, **api)
    assert [v.id for v in visits(first)] == [v["idVisit"] for v in live]
    assert visits(first)[0].actions == [("action", "Page 11")]
    assert "visits-log.offset=10" in first
    assert "Older visits" in first
    second = client.get(path, params={**query, "visits-log.offset": "10"}).text
    rest = call(client, "Live.getLastVisitsDetails", filter_offset=10, **api)
    assert [v.id for v in visits(second)] == [v["idVisit"] for v in rest]
    assert len(rest) == 2
    assert "Older visits" not in second
    assert "Newer visits" in second


def test_a_page_of_the_log_costs_the_same_queries_for_few_or_many_visits(
    client: TestClient, db: Session, clock: FakeClock, engine: Engine
) -> None:
    site = make_site(db, timezone="UTC")
    clock.now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    create_token(db)
    sign_in(client)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def cost() -> int:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            client.get(f"/site/{site.idsite}/visitors/log", params={"period": "day", "date": DAY})
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    many_visits(db, site, 2)
    few = cost()
    many_visits(db, site, 20)
    assert cost() == few


def test_the_profile_sums_equal_the_api(client: TestClient, db: Session, clock: FakeClock) -> None:
    known = Known(client, db, clock)
    body = known.get(f"visitor/{V1}")
    profile = known.api("Live.getVisitorProfile", visitorId=V1, limitVisits=100)
    sums = marked(body, "sum")

    def number(key: str) -> str:
        return i18n.number(profile[key], "en")

    assert sums == {
        "visits": number("totalVisits"),
        "actions": number("totalActions"),
        "pageviews": number("totalPageViews"),
        "searches": number("totalSearches"),
        "events": number("totalEvents"),
        "time": i18n.duration(profile["totalVisitDuration"], "en"),
        "goals": number("totalGoalConversions"),
        "revenue": f"{number('totalEcommerceRevenue')} USD",
        "orders": number("totalEcommerceConversions"),
        "carts": number("totalAbandonedCarts"),
        "load_time": f"{profile['averagePageLoadTime']} s",
    }
    assert sums["visits"] == "2"
    assert sums["time"] == "3:27"
    assert [v.id for v in visits(body)] == [v["idVisit"] for v in profile["lastVisits"]]
    assert visits(body)[1].actions[2] == ("event", "Video – play – intro (5)")
    for fact in (
        "User ID: anna",
        "Mar 10, 2026 (yesterday) · google - analytics",
        "Mar 10, 2026 (yesterday) · Campaign - spring",
        "Registration: 1",
        "Desktop: 1",
        "Smartphone: 1 (SA Galaxy)",
        "Germany: 2",
    ):
        assert fact in " ".join(body.split()), fact
    site = known.site.idsite
    assert f'href="/site/{site}/visitor/{profile["previousVisitorId"]}"' in body
    assert f'href="/site/{site}/visitor/{profile["nextVisitorId"]}"' in body


def test_a_profile_shows_some_visits_then_more_and_knows_strangers(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = make_site(db, timezone="UTC")
    many_visits(db, site, 12)  # one visitor, "v1", twelve visits
    create_token(db)
    clock.now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    sign_in(client)
    path = f"/site/{site.idsite}/visitor/{V1}"
    first = client.get(path).text
    assert len(visits(first)) == 10
    assert marked(first, "sum")["visits"] == "12"
    assert "shown=20" in first
    assert len(visits(client.get(path, params={"shown": "20"}).text)) == 12
    stranger = client.get(f"/site/{site.idsite}/visitor/00000000000000ff")
    assert "This visitor has no visits here." in stranger.text
    assert client.get(f"/site/{site.idsite}/visitor/zz").status_code == 400


def test_the_profile_and_log_in_russian(client: TestClient, db: Session, clock: FakeClock) -> None:
    known = Known(client, db, clock)
    russian = {"Accept-Language": "ru"}
    log = client.get(
        f"/site/{known.site.idsite}/visitors/log?period=day&date={DAY}", headers=russian
    )
    assert "Просмотр страницы" in log.text
    assert "Компьютер" in log.text
    assert "Время на странице: 1:00" in log.text
    profile = client.get(f"/site/{known.site.idsite}/visitor/{V1}", headers=russian)
    assert "Профиль посетителя" in profile.text
    assert "(вчера)" in profile.text


SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'


def hostile_visit(client: TestClient, site: SiteConfig, clock: FakeClock) -> None:
    dims = {d.scope: f"dimension{d.iddimension}" for d in site.dimensions.values()}
    visitor = {"_id": "cccccccccccccccc", "uid": IMAGE, dims["visit"]: SCRIPT}
    hits = [
        {
            "action_name": SCRIPT,
            "url": f"https://portal.example.com/?from={IMAGE}",
            dims["action"]: IMAGE,
        },
        {"e_c": SCRIPT, "e_a": IMAGE, "e_n": SCRIPT, "e_v": "1"},
        {"search": SCRIPT, "search_cat": IMAGE, "search_count": "0"},
        {"link": "javascript:alert(1)", "url": "https://portal.example.com/x"},
        {"c_n": SCRIPT, "c_p": IMAGE, "c_t": "javascript:alert(1)", "c_i": "click"},
        {
            "idgoal": "0",
            "ec_id": IMAGE,
            "revenue": "5",
            "ec_items": json.dumps([[IMAGE, SCRIPT, "c", 5, 1]]),
        },
    ]
    for hit in hits:
        send(client, js_hit(site.idsite, **visitor, **hit))
        clock.advance(seconds=5)


def test_visitor_strings_are_shown_as_text(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = make_site(db, timezone="UTC")
    token = create_token(db)
    hostile_visit(client, site, clock)
    sign_in(client)
    (live,) = call(client, "Live.getLastVisitsDetails", idSite=site.idsite, token_auth=token)
    assert live["userId"] == IMAGE
    visitor = live["visitorId"]
    base = f"/site/{site.idsite}"
    for path in (
        f"{base}/visitors/log?period=day&date={DAY}",
        f"{base}/visitor/{visitor}",
        f"{base}/visitors/realtime",
        f"{base}/realtime-fragment",
        f"{base}/row-evolution?widget=page-titles&period=day&date={DAY}&label={quote(SCRIPT)}",
    ):
        body = client.get(path).text
        assert SCRIPT not in body, path
        assert "<img" not in body, path
        assert 'href="javascript:' not in body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path
    (shown,) = visits(client.get(f"{base}/visitors/log?period=day&date={DAY}").text)
    assert shown.actions[:3] == [
        ("action", SCRIPT),
        ("event", f"{SCRIPT} – {IMAGE} – {SCRIPT} (1)"),
        ("search", SCRIPT),
    ]
    for value in (
        f"User ID: {IMAGE}",
        f"Company {SCRIPT}",
        f"Layout: {IMAGE}",
        f"{IMAGE} {SCRIPT}",
    ):
        assert value in shown.text, value
