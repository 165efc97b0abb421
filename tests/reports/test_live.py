"""Live.*: the visits log, visitor profiles and counters, through HTTP on SQLite and MariaDB."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.sites.service import SiteConfig
from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.factories import create_token
from tests.reports.api import DAY, call, error, get, parse_xml
from tests.tracking.helpers import IPHONE, js_hit, send

LIVE = "Live.getLastVisitsDetails"
V1, V2, V3, V4 = (name.encode().ljust(8, b"\0").hex() for name in ("v1", "v2", "v3", "v4"))


def unix(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]


class Known:
    """known_day on a Tokyo site, read at 01:00 local on the day after."""

    def __init__(self, db: Session, clock: FakeClock) -> None:
        self.site = make_site(db)
        self.visits = known_day(db, self.site.idsite)
        self.token = create_token(db)
        clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)

    def id(self, name: str) -> int:
        return int(self.visits[name]["idvisit"])

    def ids(self, *names: str) -> list[int]:
        return [self.id(name) for name in names]

    def dim(self, scope: str) -> str:
        found = [d.iddimension for d in self.site.dimensions.values() if d.scope == scope]
        return f"dimension{found[0]}"

    def live(self, client: TestClient, method: str = LIVE, **params: Any) -> Any:
        return call(client, method, idSite=self.site.idsite, token_auth=self.token, **params)


@pytest.fixture
def known(db: Session, clock: FakeClock) -> Known:
    return Known(db, clock)


def test_a_day_of_visits_newest_first_with_their_details(client: TestClient, known: Known) -> None:
    visits = known.live(client, period="day", date=DAY)
    assert [v["idVisit"] for v in visits] == known.ids("b", "c", "a")
    a = visits[2]
    expected = {
        "idSite": known.site.idsite,
        "visitorId": V1,
        "fingerprint": V1,
        "visitIp": "10.0.0.0",
        "userId": "anna",
        "visitorType": "new",
        "visitConverted": 1,
        "visitCount": 1,
        "visitEcommerceStatus": "none",
        "visitDuration": 121,
        "actions": 4,
        "interactions": 2,
        "searches": 0,
        "events": 1,
        "referrerType": "search",
        "referrerName": "google",
        "referrerKeyword": "analytics",
        "languageCode": "de-de",
        "deviceType": "Desktop",
        "operatingSystem": "Windows 10",
        "operatingSystemCode": "WIN",
        "browser": "Chrome 124",
        "browserName": "Chrome",
        "browserCode": "CH",
        "country": "Germany",
        "countryCode": "de",
        "continent": "Europe",
        "continentCode": "eur",
        "region": "BE",
        "city": "Berlin",
        "visitLocalTime": "01:00:30",
        "resolution": "1920x1080",
        "serverDate": "2026-03-10",  # 01:02 in Tokyo, still the 9th in UTC
        "firstActionTimestamp": unix(2026, 3, 9, 16, 0),
        "lastActionTimestamp": unix(2026, 3, 9, 16, 2),
        "serverTimestamp": unix(2026, 3, 9, 16, 2),
        "goalConversions": 1,
        "totalEcommerceRevenue": 0.0,
        known.dim("visit"): "Acme",
    }
    assert {key: a[key] for key in expected} == expected
    summary = [
        (d["type"], d.get("url"), d.get("pageTitle"), d.get("timeSpent"))
        for d in a["actionDetails"]
    ]
    assert summary == [
        ("action", "https://portal.example.com/docs/start", "Docs / Start", 60),
        ("action", "https://portal.example.com/docs/install", "Docs / Install", 30),
        ("event", None, None, 30),
        ("download", "https://files.example.com/guide.pdf", None, 0),
        ("goal", None, None, None),
    ]
    first, _, played, _, goal = a["actionDetails"]
    assert first[known.dim("action")] == "grid"
    assert first["serverTimePretty"] == "01:00:00"
    assert first["timestamp"] == unix(2026, 3, 9, 16, 0)
    assert (first["timeNetwork"], first["timeServer"], first["pageLoadTimeMilliseconds"]) == (
        10,
        100,
        110,
    )
    assert {k: played[k] for k in ("eventCategory", "eventAction", "eventName", "eventValue")} == {
        "eventCategory": "Video",
        "eventAction": "play",
        "eventName": "intro",
        "eventValue": 5.0,
    }
    assert (goal["goalName"], goal["goalId"], goal["revenue"]) == ("Registration", 1, 10.0)


def test_searches_contents_and_an_order_come_in_order(client: TestClient, known: Known) -> None:
    c = known.live(client, period="day", date=DAY)[1]
    assert (c["visitorType"], c["visitEcommerceStatus"], c["daysSinceFirstVisit"]) == (
        "returning",
        "ordered",
        3,
    )
    assert (c["deviceType"], c["deviceModel"], c["referrerType"]) == (
        "Smartphone",
        "Galaxy",
        "campaign",
    )
    assert [d["type"] for d in c["actionDetails"]] == [
        "action",
        "search",
        "action",
        "outlink",
        "content",
        "content",
        "ecommerceOrder",
    ]
    search = c["actionDetails"][1]
    assert (search["siteSearchKeyword"], search["siteSearchCategory"]) == ("pricing", "docs")
    assert search["siteSearchCount"] == 0
    clicked = c["actionDetails"][5]
    assert (clicked["contentName"], clicked["contentPiece"], clicked["contentInteraction"]) == (
        "Banner",
        "spring.png",
        "click",
    )
    order = c["actionDetails"][6]
    assert (order["orderId"], order["revenue"], order["items"]) == ("o1", 30.0, 2)
    assert order["itemDetails"] == [
        {
            "itemSKU": "SKU1",
            "itemName": "Boots",
            "itemCategory": "Shoes",
            "categories": ["Shoes"],
            "price": 15.0,
            "quantity": 2,
        }
    ]
    assert (c["totalEcommerceRevenue"], c["totalEcommerceConversions"]) == (30.0, 1)
    assert c["totalEcommerceItems"] == 2


def test_a_page_costs_the_same_queries_whatever_its_size(
    client: TestClient, known: Known, engine: Engine
) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def cost(**params: Any) -> int:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            known.live(client, **params)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    assert cost(filter_limit=1) == cost(filter_limit=5)
    assert cost(filter_limit=5, doNotFetchActions=1) == cost(filter_limit=5) - 3


def test_periods_are_days_of_the_site_time_zone(client: TestClient, known: Known) -> None:
    before = known.live(client, period="day", date="2026-03-09")
    assert [v["idVisit"] for v in before] == known.ids("before")
    both = known.live(client, period="range", date="2026-03-09,2026-03-10")
    assert [v["idVisit"] for v in both] == known.ids("b", "c", "a", "before")
    assert known.live(client, period="day", date="2026-03-12") == []
    assert "date" in error(
        client, LIVE, idSite=known.site.idsite, token_auth=known.token, period="day"
    )


def test_without_a_period_the_most_recent_visits_paged_and_sorted(
    client: TestClient, known: Known
) -> None:
    everything = known.ids("after", "b", "c", "a", "before")
    assert [v["idVisit"] for v in known.live(client)] == everything
    assert [v["idVisit"] for v in known.live(client, filter_limit=2)] == everything[:2]
    paged = known.live(client, filter_limit=2, filter_offset=2)
    assert [v["idVisit"] for v in paged] == everything[2:4]
    fetched = known.live(client, countVisitorsToFetch=1, filter_limit=3)
    assert [v["idVisit"] for v in fetched] == everything[:1]
    oldest = known.live(client, filter_sort_order="asc")
    assert [v["idVisit"] for v in oldest] == everything[::-1]
    base = {"idSite": known.site.idsite, "token_auth": known.token}
    assert "filter_offset" in error(client, LIVE, filter_limit=-1, **base)
    assert "asc or desc" in error(client, LIVE, filter_sort_order="sideways", **base)


def test_min_timestamp_keeps_visits_active_after_it(client: TestClient, known: Known) -> None:
    b_last = unix(2026, 3, 10, 14, 50)
    later = known.live(client, minTimestamp=b_last)
    assert [v["idVisit"] for v in later] == known.ids("after")
    since = known.live(client, minTimestamp=b_last - 1, period="day", date=DAY)
    assert [v["idVisit"] for v in since] == known.ids("b")


def test_segments_select_the_visits(client: TestClient, known: Known) -> None:
    def ids(segment: str) -> list[int]:
        return [v["idVisit"] for v in known.live(client, segment=segment)]

    assert ids("referrerType==campaign") == known.ids("c")
    assert ids("pageUrl=@install") == known.ids("a")
    assert ids(f"{known.dim('visit')}==Beta") == known.ids("b")
    assert ids(f"visitorId=={V1};actions>=4") == known.ids("c", "a")
    message = error(
        client, LIVE, idSite=known.site.idsite, token_auth=known.token, segment="nope==1"
    )
    assert "nope" in message


def test_do_not_fetch_actions_leaves_them_out_and_columns_can_be_picked(
    client: TestClient, known: Known
) -> None:
    a_details = known.live(client, period="day", date=DAY)[2]["actionDetails"]
    visits = known.live(client, period="day", date=DAY, doNotFetchActions=1)
    assert [v["actionDetails"] for v in visits] == [[], [], []]
    assert [v["goalConversions"] for v in visits] == [0, 0, 1]
    assert visits[2]["actions"] == 4
    slim = known.live(client, period="day", date=DAY, showColumns="idVisit,city,actionDetails")
    assert slim[2] == {"idVisit": known.id("a"), "city": "Berlin", "actionDetails": a_details}
    hidden = known.live(client, period="day", date=DAY, hideColumns="actionDetails,city")
    assert "city" not in hidden[0]
    assert "actionDetails" not in hidden[0]


def test_visitor_profile_sums_the_visitors_visits(client: TestClient, known: Known) -> None:
    found = known.live(client, "Live.getVisitorProfile", visitorId=V1)
    assert [v["idVisit"] for v in found["lastVisits"]] == known.ids("c", "a")
    totals = {
        "visitorId": V1,
        "userId": "anna",
        "totalVisits": 2,
        "totalVisitDuration": 121 + 86,
        "totalActions": 8,
        "totalPageViews": 4,
        "totalSearches": 1,
        "totalEvents": 1,
        "totalGoalConversions": 1,
        "totalConversionsByGoal": {"idgoal_1": 1},
        "totalEcommerceRevenue": 30.0,
        "totalEcommerceConversions": 1,
        "totalEcommerceItems": 2,
        "totalAbandonedCarts": 0,
        "averagePageLoadTime": 0.205,  # (110 ms + 300 ms) / 2 timed pages
        "hasMoreVisits": 0,
        "previousVisitorId": V2,  # the visitor active just after v1's last visit
        "nextVisitorId": V3,  # the one active just before it
    }
    assert {key: found[key] for key in totals} == totals
    assert found["firstVisit"] == {
        "date": "2026-03-10",
        "prettyDate": "Tuesday, March 10, 2026",
        "daysAgo": 1,
        "referrerType": "search",
        "referrerName": "google",
        "referrerKeyword": "analytics",
        "referralSummary": "google - analytics",
    }
    assert found["lastVisit"]["referralSummary"] == "Campaign - spring"
    assert found["countries"] == [{"country": "de", "prettyName": "Germany", "nb_visits": 2}]
    assert found["continents"] == [{"continent": "eur", "prettyName": "Europe", "nb_visits": 2}]
    assert [(d["type"], d["count"]) for d in found["devices"]] == [
        ("Desktop", 1),
        ("Smartphone", 1),
    ]


def test_visitor_profile_defaults_and_limits(client: TestClient, known: Known) -> None:
    newest = known.live(client, "Live.getVisitorProfile")
    assert newest["visitorId"] == V4
    assert (newest["previousVisitorId"], newest["nextVisitorId"]) == (None, V2)
    one = known.live(client, "Live.getVisitorProfile", visitorId=V1, limitVisits=1)
    assert [v["idVisit"] for v in one["lastVisits"]] == known.ids("c")
    assert (one["totalVisits"], one["hasMoreVisits"]) == (1, 1)
    segmented = known.live(
        client, "Live.getVisitorProfile", visitorId=V1, segment="referrerType==search"
    )
    assert [v["idVisit"] for v in segmented["lastVisits"]] == known.ids("a")
    stranger = "00000000000000ff"
    assert known.live(client, "Live.getVisitorProfile", visitorId=stranger) == []
    base = {"idSite": known.site.idsite, "token_auth": known.token}
    assert "16 hexadecimal" in error(client, "Live.getVisitorProfile", visitorId="zz", **base)


def test_most_recent_visitor_and_time(client: TestClient, known: Known) -> None:
    assert known.live(client, "Live.getMostRecentVisitorId") == {"value": V4}
    at = known.live(client, "Live.getMostRecentVisitsDateTime", period="day", date=DAY)
    assert at == {"value": "2026-03-10 23:50:00"}  # b, in Tokyo
    assert known.live(client, "Live.getMostRecentVisitsDateTime") == {
        "value": "2026-03-11 00:30:00"
    }


def utc_site(db: Session) -> SiteConfig:
    return make_site(db, timezone="UTC")


def test_counters_over_the_last_minutes(client: TestClient, db: Session, clock: FakeClock) -> None:
    site = utc_site(db)
    token = create_token(db)
    start = clock.now
    anna = {"_id": "aaaaaaaaaaaaaaaa"}
    bert = {"_id": "bbbbbbbbbbbbbbbb"}
    send(client, js_hit(site.idsite, **anna))
    clock.advance(seconds=30)
    send(client, js_hit(site.idsite, **anna, url="https://portal.example.com/two"))
    send(client, js_hit(site.idsite, **anna, idgoal=1))
    send(client, js_hit(site.idsite, **bert), ua=IPHONE)
    clock.now = start + timedelta(minutes=10)

    def counters(minutes: int, **params: Any) -> Any:
        return call(
            client,
            "Live.getCounters",
            idSite=site.idsite,
            lastMinutes=minutes,
            token_auth=token,
            **params,
        )

    assert counters(5) == [{"visits": 0, "actions": 0, "visitors": 0, "visitsConverted": 0}]
    assert counters(30) == [{"visits": 2, "actions": 3, "visitors": 2, "visitsConverted": 1}]
    assert counters(30, segment="visitConverted==1") == [
        {"visits": 1, "actions": 2, "visitors": 1, "visitsConverted": 1}
    ]
    send(client, js_hit(site.idsite, **bert, url="https://portal.example.com/more"), ua=IPHONE)
    assert counters(5) == [{"visits": 1, "actions": 2, "visitors": 1, "visitsConverted": 0}]
    base = {"idSite": site.idsite, "token_auth": token}
    assert "2880" in error(client, "Live.getCounters", lastMinutes=3000, **base)
    assert "lastMinutes" in error(client, "Live.getCounters", **base)


def test_tracked_hits_heartbeat_and_an_abandoned_cart(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = utc_site(db)
    token = create_token(db)
    start = clock.now
    send(client, js_hit(site.idsite, uid="bob", pv_id="aaaaaa"))
    clock.advance(seconds=40)
    page_two = js_hit(site.idsite, uid="bob", pv_id="bbbbbb", url="https://portal.example.com/p2")
    send(client, page_two)
    clock.advance(seconds=10)
    cart = '[["SKU-9","Lamp","Home",12.5,2]]'
    send(client, js_hit(site.idsite, uid="bob", idgoal=0, ec_items=cart, revenue=25))
    clock.advance(seconds=20)
    send(client, js_hit(site.idsite, uid="bob", ping=1))
    (visit,) = call(client, LIVE, idSite=site.idsite, token_auth=token)
    assert (visit["userId"], visit["visitDuration"], visit["actions"]) == ("bob", 71, 2)
    assert visit["visitEcommerceStatus"] == "abandonedCart"
    assert visit["lastActionTimestamp"] == int((start + timedelta(seconds=50)).timestamp())
    details = visit["actionDetails"]
    assert [(d["type"], d.get("timeSpent"), d.get("pageviewPosition")) for d in details] == [
        ("action", 40, 1),
        ("action", 30, 2),  # the heartbeat 20 s after the cart update
        ("ecommerceAbandonedCart", None, None),
    ]
    assert [d.get("idpageview") for d in details[:2]] == ["aaaaaa", "bbbbbb"]
    assert details[2]["revenue"] == 25.0
    assert details[2]["itemDetails"] == [
        {
            "itemSKU": "SKU-9",
            "itemName": "Lamp",
            "itemCategory": "Home",
            "categories": ["Home"],
            "price": 12.5,
            "quantity": 2,
        }
    ]
    assert (visit["totalAbandonedCarts"], visit["totalAbandonedCartsItems"]) == (1, 2)


def test_visitor_strings_come_back_as_data(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = utc_site(db)
    token = create_token(db)
    script = "<script>alert(1)</script>"
    send(client, js_hit(site.idsite, action_name=script, uid='"><img src=x>'))
    clock.advance(seconds=5)
    send(client, js_hit(site.idsite, e_c="c&d", e_a="a", e_n=script))
    params = {"idSite": site.idsite, "token_auth": token}
    (visit,) = call(client, LIVE, **params)
    assert visit["userId"] == '"><img src=x>'
    page, event = visit["actionDetails"]
    assert (page["pageTitle"], event["eventName"], event["eventCategory"]) == (
        script,
        script,
        "c&d",
    )
    as_json = get(client, LIVE, format="json", **params)
    assert "</script>" not in as_json.text
    as_xml = get(client, LIVE, format="xml", **params)
    assert "<script>" not in as_xml.text
    assert "<img" not in as_xml.text
    row = parse_xml(as_xml.text).find("row")
    assert row is not None
    assert row.findtext("userId") == '"><img src=x>'
    actions = row.find("actionDetails")
    assert actions is not None
    titles = [a.findtext("pageTitle") for a in actions.findall("row")]
    assert titles == [script, ""]
    assert actions.findall("row")[1].findtext("eventName") == script


def test_access_is_per_site_and_nothing_leaks(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    mine, theirs = make_site(db), make_site(db)
    known_day(db, mine.idsite)
    known_day(db, theirs.idsite)
    viewer = create_token(db, login="viewer", superuser=False, access={mine.idsite: "view"})
    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    visits = call(client, LIVE, idSite=mine.idsite, token_auth=viewer)
    assert len(visits) == 5
    assert {v["idSite"] for v in visits} == {mine.idsite}
    own_ids = {v["idVisit"] for v in visits}
    page_ids = {d["pageId"] for v in visits for d in v["actionDetails"] if "pageId" in d}
    profile = call(
        client, "Live.getVisitorProfile", idSite=mine.idsite, visitorId=V1, token_auth=viewer
    )
    assert {v["idVisit"] for v in profile["lastVisits"]} <= own_ids
    assert profile["totalVisits"] == 2
    theirs_all = call(client, LIVE, idSite=theirs.idsite, token_auth=create_token(db, login="boss"))
    assert own_ids.isdisjoint(v["idVisit"] for v in theirs_all)
    assert page_ids.isdisjoint(d.get("pageId") for v in theirs_all for d in v["actionDetails"])
    for method in (LIVE, "Live.getVisitorProfile", "Live.getMostRecentVisitorId"):
        assert error(client, method, 401, idSite=theirs.idsite, token_auth=viewer)
        assert error(client, method, 401, idSite=mine.idsite)  # anonymous
    assert error(
        client, "Live.getCounters", 401, idSite=theirs.idsite, lastMinutes=30, token_auth=viewer
    )
    many = f"{mine.idsite},{theirs.idsite}"
    assert "single idSite" in error(
        client, LIVE, idSite=many, token_auth=create_token(db, login="root")
    )
