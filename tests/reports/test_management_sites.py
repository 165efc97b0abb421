"""SitesManager.* and Goals management through HTTP: shapes, permissions, bad input, and that
what they create works in reports and in tracking."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.home import start_page
from analytics_server.models import LogVisit, Site, SiteUrl
from analytics_server.sites import service as sites_service
from tests.factories import count, create_site, create_token, fresh
from tests.reports.api import DAY, call, error, get, parse_delimited, parse_xml
from tests.tracking.helpers import js_hit, send

SITE_KEYS = {
    "idsite",
    "name",
    "main_url",
    "ts_created",
    "ecommerce",
    "sitesearch",
    "sitesearch_keyword_parameters",
    "sitesearch_category_parameters",
    "timezone",
    "currency",
    "exclude_unknown_urls",
    "excluded_ips",
    "excluded_parameters",
    "excluded_user_agents",
    "excluded_referrers",
    "group",
    "type",
    "keep_url_fragment",
    "creator_login",
}
GOAL_KEYS = {
    "idsite",
    "idgoal",
    "name",
    "description",
    "match_attribute",
    "pattern",
    "pattern_type",
    "case_sensitive",
    "allow_multiple",
    "revenue",
    "deleted",
    "event_value_as_revenue",
}
INJECTION = "'; DROP TABLE site; --"
UNICODE = 'Café ☕ 日本語 "quoted" <b>bold</b>'


@pytest.fixture
def admin(db: Session) -> str:
    return create_token(db)


def add_site(client: TestClient, token: str, **params: Any) -> int:
    params.setdefault("siteName", "Shop")
    found = call(client, "SitesManager.addSite", token_auth=token, **params)
    return int(found["value"])


def test_add_site_with_every_setting_and_read_it_back(client: TestClient, admin: str) -> None:
    idsite = add_site(
        client,
        admin,
        **{
            "siteName": "  Shop  ",
            "urls[0]": "https://shop.example.com/",
            "urls[1]": "shop.example.org",
            "ecommerce": 1,
            "siteSearch": 0,
            "searchKeywordParameters": "q,query",
            "searchCategoryParameters": "cat",
            "excludedIps": "10.0.0.0/8,192.168.*.*",
            "excludedQueryParameters": "sid,token",
            "timezone": "Europe/Berlin",
            "currency": "EUR",
            "group": "Stores",
            "startDate": "2025-01-02",
            "excludedUserAgents": "HeadlessChrome,/bot\\d+/",
            "keepURLFragments": 1,
            "type": "intranet",
            "excludeUnknownUrls": 1,
            "excludedReferrers": "spam.example",
        },
    )
    row = call(client, "SitesManager.getSiteFromId", token_auth=admin, idSite=idsite)
    assert set(row) == SITE_KEYS
    assert row == {
        "idsite": idsite,
        "name": "Shop",
        "main_url": "https://shop.example.com",
        "ts_created": "2025-01-02 00:00:00",
        "ecommerce": 1,
        "sitesearch": 0,
        "sitesearch_keyword_parameters": "q,query",
        "sitesearch_category_parameters": "cat",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "exclude_unknown_urls": 1,
        "excluded_ips": "10.0.0.0/8,192.168.*.*",
        "excluded_parameters": "sid,token",
        "excluded_user_agents": "HeadlessChrome,/bot\\d+/",
        "excluded_referrers": "spam.example",
        "group": "Stores",
        "type": "intranet",
        "keep_url_fragment": 1,
        "creator_login": "admin",
    }
    urls = call(client, "SitesManager.getSiteUrlsFromId", token_auth=admin, idSite=idsite)
    assert urls == ["https://shop.example.com", "http://shop.example.org"]


def test_add_site_defaults_and_the_xml_and_csv_answers(client: TestClient, admin: str) -> None:
    idsite = add_site(client, admin, urls="https://a.example")
    row = call(client, "SitesManager.getSiteFromId", token_auth=admin, idSite=idsite)
    assert (row["timezone"], row["currency"], row["type"]) == ("UTC", "USD", "website")
    assert (row["ecommerce"], row["sitesearch"], row["keep_url_fragment"]) == (0, 1, 0)
    xml = get(client, "SitesManager.getSiteFromId", token_auth=admin, idSite=idsite)
    root = parse_xml(xml.text)
    assert root.findtext("name") == "Shop"
    assert root.findtext("main_url") == "https://a.example"
    created = get(client, "SitesManager.addSite", token_auth=admin, siteName="X", format="xml")
    assert parse_xml(created.text).text == str(idsite + 1)
    csv = get(client, "SitesManager.getAllSites", token_auth=admin, format="csv")
    rows = parse_delimited(csv.content)
    assert [r["name"] for r in rows] == ["Shop", "X"]
    assert rows[0]["idsite"] == str(idsite)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"siteName": ""}, "siteName"),
        ({"siteName": "   "}, "siteName"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"timezone": "UTC+2"}, "time zone"),
        ({"currency": "euro"}, "currency"),
        ({"type": "spaceship"}, "type"),
        ({"excludedIps": "10.0.0.300"}, "excludedIps"),
        ({"excludedUserAgents": "/([/"}, "regex"),
        ({"urls": "http://exa mple.com"}, "not a URL"),
        ({"urls": "https://a.example:99999"}, "not a URL"),
        ({"urls": "https://example.com/" + "a" * 200}, "at most"),
        ({"siteName": "n" * 91}, "longer than 90"),
        ({"startDate": "soon"}, "startDate"),
        ({"keepURLFragments": 7}, "keepURLFragments"),
        ({"ecommerce": "maybe"}, "ecommerce"),
    ],
)
def test_add_site_refuses_bad_input(
    client: TestClient, db: Session, admin: str, params: dict[str, Any], message: str
) -> None:
    params = {"siteName": "Shop", **params}
    found = error(client, "SitesManager.addSite", token_auth=admin, **params)
    assert message in found
    assert count(db, Site) == 0


def test_names_are_stored_verbatim(client: TestClient, db: Session, admin: str) -> None:
    for name in (INJECTION, UNICODE):
        idsite = add_site(client, admin, siteName=name, group=name)
        row = call(client, "SitesManager.getSiteFromId", token_auth=admin, idSite=idsite)
        assert (row["name"], row["group"]) == (name, name)
        xml = get(client, "SitesManager.getSiteFromId", token_auth=admin, idSite=idsite)
        assert parse_xml(xml.text).findtext("name") == name
    assert count(db, Site) == 2  # the table is still there


def test_update_site_changes_only_what_it_is_given(client: TestClient, admin: str) -> None:
    idsite = add_site(client, admin, urls="https://a.example", timezone="Asia/Tokyo", ecommerce=1)
    done = call(
        client,
        "SitesManager.updateSite",
        token_auth=admin,
        idSite=idsite,
        siteName="Renamed",
        **{"urls[0]": "https://b.example", "urls[1]": "https://c.example"},
    )
    assert done == {"result": "success", "message": "ok"}
    row = call(client, "SitesManager.getSiteFromId", token_auth=admin, idSite=idsite)
    assert (row["name"], row["main_url"], row["timezone"], row["ecommerce"]) == (
        "Renamed",
        "https://b.example",
        "Asia/Tokyo",
        1,
    )
    urls = call(client, "SitesManager.getSiteUrlsFromId", token_auth=admin, idSite=idsite)
    assert urls == ["https://b.example", "https://c.example"]
    assert "time zone" in error(
        client, "SitesManager.updateSite", token_auth=admin, idSite=idsite, timezone="Nowhere"
    )
    assert "empty" in error(
        client, "SitesManager.updateSite", token_auth=admin, idSite=idsite, siteName=""
    )
    assert "does not exist" in error(
        client, "SitesManager.updateSite", token_auth=admin, idSite=999, siteName="x"
    )
    row = call(client, "SitesManager.getSiteFromId", token_auth=admin, idSite=idsite)
    assert (row["name"], row["timezone"]) == ("Renamed", "Asia/Tokyo")


def test_alias_urls(client: TestClient, admin: str) -> None:
    idsite = add_site(client, admin, urls="https://a.example")
    params = {"token_auth": admin, "idSite": idsite}
    added = call(
        client,
        "SitesManager.addSiteAliasUrls",
        **params,
        **{"urls[0]": "https://b.example", "urls[1]": "https://a.example/"},
    )
    assert added == {"value": 1}
    assert call(client, "SitesManager.getSiteUrlsFromId", **params) == [
        "https://a.example",
        "https://b.example",
    ]
    call(client, "SitesManager.setSiteAliasUrls", **params, urls="https://z.example")
    assert call(client, "SitesManager.getSiteUrlsFromId", **params) == [
        "https://a.example",
        "https://z.example",
    ]
    assert "urls" in error(client, "SitesManager.addSiteAliasUrls", **params)


def test_site_ids_from_a_url(client: TestClient, db: Session, admin: str) -> None:
    one = add_site(client, admin, urls="https://www.portal.example/docs")
    two = add_site(client, admin, **{"urls[0]": "https://x.example", "urls[1]": "portal.example"})
    found = call(
        client, "SitesManager.getSitesIdFromSiteUrl", token_auth=admin, url="portal.example"
    )
    assert found == [{"idsite": two}]
    found = call(
        client,
        "SitesManager.getSitesIdFromSiteUrl",
        token_auth=admin,
        url="http://portal.example/docs/",
    )
    assert found == [{"idsite": one}]
    viewer = create_token(db, login="viewer", superuser=False, access={one: "view"})
    found = call(
        client, "SitesManager.getSitesIdFromSiteUrl", token_auth=viewer, url="portal.example"
    )
    assert found == []  # site two exists, but the viewer may not know it


def test_delete_site_removes_it_and_its_data(client: TestClient, db: Session, admin: str) -> None:
    idsite = add_site(client, admin, urls="https://a.example, https://b.example")
    keep = add_site(client, admin, siteName="Other")
    assert send(client, js_hit(idsite, url="https://a.example/")).status_code == 204
    call(client, "Goals.addGoal", token_auth=admin, idSite=idsite, name="G")
    assert count(db, LogVisit) == 1
    done = call(client, "SitesManager.deleteSite", token_auth=admin, idSite=idsite)
    assert done["result"] == "success"
    assert "does not exist" in error(
        client, "SitesManager.getSiteFromId", token_auth=admin, idSite=idsite
    )
    assert count(db, LogVisit) == 0
    fresh(db)
    assert db.scalar(sa.select(sa.func.count()).select_from(SiteUrl)) == 0
    assert call(client, "SitesManager.getAllSitesId", token_auth=admin) == [keep]
    assert "does not exist" in error(
        client, "SitesManager.deleteSite", token_auth=admin, idSite=idsite
    )


def test_site_lists_follow_access(client: TestClient, db: Session, admin: str) -> None:
    first, second, third = (add_site(client, admin, siteName=n) for n in ("A", "B", "C"))
    user = create_token(db, login="user", superuser=False, access={first: "view", second: "admin"})
    mine = call(client, "SitesManager.getSitesWithAtLeastViewAccess", token_auth=user)
    assert [row["idsite"] for row in mine] == [first, second]
    assert set(mine[0]) == SITE_KEYS
    assert call(client, "SitesManager.getSitesIdWithAtLeastViewAccess", token_auth=user) == [
        first,
        second,
    ]
    admin_rows = call(client, "SitesManager.getSitesWithAdminAccess", token_auth=user)
    assert [row["idsite"] for row in admin_rows] == [second]
    everything = call(client, "SitesManager.getSitesIdWithAtLeastViewAccess", token_auth=admin)
    assert everything == [first, second, third]
    assert call(client, "SitesManager.getAllSitesId", token_auth=admin) == [first, second, third]
    assert "superuser" in error(client, "SitesManager.getAllSites", 401, token_auth=user)
    assert call(client, "SitesManager.getSitesIdWithAtLeastViewAccess") == []  # anonymous
    limited = call(client, "SitesManager.getSitesWithAtLeastViewAccess", token_auth=admin, limit=2)
    assert len(limited) == 2


def test_site_permissions(client: TestClient, db: Session, admin: str) -> None:
    idsite = add_site(client, admin)
    other = add_site(client, admin, siteName="Other")
    viewer = create_token(db, login="viewer", superuser=False, access={idsite: "view"})
    writer = create_token(db, login="writer", superuser=False, access={idsite: "write"})
    boss = create_token(db, login="boss", superuser=False, access={idsite: "admin"})
    for token in (None, "wrong-token", viewer, boss):
        auth = {} if token is None else {"token_auth": token}
        assert error(client, "SitesManager.addSite", 401, siteName="X", **auth)
        assert error(client, "SitesManager.deleteSite", 401, idSite=idsite, **auth)
    for token in (viewer, writer):
        message = error(
            client, "SitesManager.updateSite", 401, token_auth=token, idSite=idsite, siteName="X"
        )
        assert "admin" in message
        assert "token_auth" in message
    assert error(client, "SitesManager.getSiteFromId", 401, token_auth=viewer, idSite=other)
    assert error(client, "SitesManager.getSiteFromId", 401, token_auth=viewer, idSite=999)
    call(client, "SitesManager.updateSite", token_auth=boss, idSite=idsite, siteName="Mine")
    row = call(client, "SitesManager.getSiteFromId", token_auth=viewer, idSite=idsite)
    assert row["name"] == "Mine"


def test_a_new_site_works_in_reports_and_tracking(client: TestClient, admin: str) -> None:
    idsite = add_site(client, admin, urls="https://new.example", timezone="UTC")
    base = {"token_auth": admin, "idSite": idsite, "period": "day", "date": DAY}
    summary = call(client, "VisitsSummary.get", **{**base, "period": "month"})
    assert summary["nb_visits"] == 0
    assert summary["nb_actions"] == 0
    assert summary["bounce_rate"] == "0%"
    assert send(client, js_hit(idsite, url="https://new.example/")).status_code == 204
    assert call(client, "VisitsSummary.getVisits", **base) == {"value": 1}


def _start_page(db: Session, *, base_url: str) -> str:
    """The start page's template, as the app renders it."""
    sites = sites_service.list_sites(db)
    return start_page(sites=sites, base_url=base_url, visits=0, actions=0, queue_depth=0)


def test_tracking_code_is_the_start_page_snippet(client: TestClient, db: Session) -> None:
    token = create_token(db)
    site = create_site(db)
    params = {"token_auth": token, "idSite": site.idsite}
    tag = call(client, "SitesManager.getJavascriptTag", piwikUrl="http://testserver/", **params)[
        "value"
    ]
    page = _start_page(db, base_url="http://testserver")
    shown = re.search(r"<pre>(&lt;script&gt;.*?)</pre>", page, re.DOTALL)
    assert shown is not None
    assert tag == html.unescape(shown.group(1))
    assert f"_paq.push(['setSiteId', '{site.idsite}']);" in tag
    bare = call(client, "SitesManager.getJavascriptTag", piwikUrl="stats.example.com", **params)
    assert 'var u = "https://stats.example.com/";' in bare["value"]
    for bad in ('https://x.example/";alert(1);//', "javascript:alert(1)", "https://a b"):
        assert "piwikUrl" in error(client, "SitesManager.getJavascriptTag", piwikUrl=bad, **params)
    own = call(client, "SitesManager.getJavascriptTag", **params)  # this server's address
    assert 'var u = "http://testserver/";' in own["value"]
    image = call(
        client,
        "SitesManager.getImageTrackingCode",
        piwikUrl="https://stats.example.com",
        actionName="Home & <more>",
        idGoal=2,
        revenue=9.5,
        **params,
    )["value"]
    assert image.startswith("<img ")
    src = html.unescape(re.search(r'src="([^"]+)"', image).group(1))  # type: ignore[union-attr]
    assert src == (
        f"https://stats.example.com/matomo.php?idsite={site.idsite}&rec=1"
        "&action_name=Home+%26+%3Cmore%3E&idgoal=2&revenue=9.5"
    )


def test_timezones_list(client: TestClient) -> None:
    zones = call(client, "SitesManager.getTimezonesList")
    assert zones["UTC"] == {"UTC": "UTC"}
    assert zones["Europe"]["Europe/Berlin"] == "Berlin"
    assert zones["America"]["America/Argentina/Buenos_Aires"] == "Argentina - Buenos Aires"
    currencies = call(client, "SitesManager.getCurrencyList")
    assert (currencies["EUR"], currencies["USD"]) == ("Euro", "US Dollar")
    assert "XAU" not in currencies  # gold is not a currency a shop sells in


# ---------------------------------------------------------------------------- goals


def add_goal(client: TestClient, token: str, idsite: int, **params: Any) -> int:
    params.setdefault("name", "Signup")
    found = call(client, "Goals.addGoal", token_auth=token, idSite=idsite, **params)
    return int(found["value"])


def test_goals_add_read_update_delete(client: TestClient, db: Session, admin: str) -> None:
    idsite = create_site(db).idsite
    first = add_goal(
        client,
        admin,
        idsite,
        name="Signup",
        matchAttribute="url",
        pattern="/thanks",
        patternType="contains",
        caseSensitive=1,
        revenue="12.5",
        allowMultipleConversionsPerVisit=1,
        description="A new account",
    )
    second = add_goal(client, admin, idsite, name="Manual")
    assert (first, second) == (1, 2)
    goal = call(client, "Goals.getGoal", token_auth=admin, idSite=idsite, idGoal=first)
    assert set(goal) == GOAL_KEYS
    assert goal == {
        "idsite": idsite,
        "idgoal": 1,
        "name": "Signup",
        "description": "A new account",
        "match_attribute": "url",
        "pattern": "/thanks",
        "pattern_type": "contains",
        "case_sensitive": 1,
        "allow_multiple": 1,
        "revenue": 12.5,
        "deleted": 0,
        "event_value_as_revenue": 0,
    }
    goals = call(client, "Goals.getGoals", token_auth=admin, idSite=idsite)
    assert list(goals) == ["1", "2"]
    assert goals["2"]["match_attribute"] == "manually"
    done = call(
        client,
        "Goals.updateGoal",
        token_auth=admin,
        idSite=idsite,
        idGoal=first,
        name="Signed up",
        patternType="exact",
    )
    assert done["result"] == "success"
    goal = call(client, "Goals.getGoal", token_auth=admin, idSite=idsite, idGoal=first)
    assert (goal["name"], goal["pattern_type"], goal["pattern"]) == (
        "Signed up",
        "exact",
        "/thanks",
    )
    call(client, "Goals.deleteGoal", token_auth=admin, idSite=idsite, idGoal=first)
    assert list(call(client, "Goals.getGoals", token_auth=admin, idSite=idsite)) == ["2"]
    assert "does not exist" in error(
        client, "Goals.getGoal", token_auth=admin, idSite=idsite, idGoal=first
    )
    assert add_goal(client, admin, idsite) == 3  # a deleted goal's id is not given again


def test_goals_of_a_site_without_goals_is_an_empty_list(
    client: TestClient, db: Session, admin: str
) -> None:
    idsite = create_site(db).idsite
    assert call(client, "Goals.getGoals", token_auth=admin, idSite=idsite) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"name": ""}, "name"),
        ({"name": "g" * 51}, "at most 50"),
        ({"matchAttribute": "moon_phase", "pattern": "x"}, "matchAttribute"),
        ({"matchAttribute": "url", "pattern": ""}, "pattern"),
        ({"matchAttribute": "url", "pattern": "([", "patternType": "regex"}, "regex"),
        ({"matchAttribute": "url", "pattern": "x", "patternType": "fuzzy"}, "patternType"),
        ({"matchAttribute": "visit_duration", "pattern": "long"}, "minutes"),
        ({"revenue": "-1"}, "revenue"),
        ({"revenue": "lots"}, "revenue"),
        ({"revenue": "nan"}, "revenue"),
        ({"useEventValueAsRevenue": 1}, "event"),
        ({"caseSensitive": "sometimes"}, "caseSensitive"),
    ],
)
def test_add_goal_refuses_bad_input(
    client: TestClient, db: Session, admin: str, params: dict[str, Any], message: str
) -> None:
    idsite = create_site(db).idsite
    params = {"name": "Goal", **params}
    assert message in error(client, "Goals.addGoal", token_auth=admin, idSite=idsite, **params)
    assert call(client, "Goals.getGoals", token_auth=admin, idSite=idsite) == []


def test_goal_names_verbatim_and_unknown_ids(client: TestClient, db: Session, admin: str) -> None:
    idsite = create_site(db).idsite
    idgoal = add_goal(client, admin, idsite, name=INJECTION, description=UNICODE)
    goal = call(client, "Goals.getGoal", token_auth=admin, idSite=idsite, idGoal=idgoal)
    assert (goal["name"], goal["description"]) == (INJECTION, UNICODE)
    assert "does not exist" in error(client, "Goals.addGoal", token_auth=admin, idSite=99, name="g")
    assert "does not exist" in error(
        client, "Goals.updateGoal", token_auth=admin, idSite=idsite, idGoal=42, name="x"
    )
    assert "idGoal" in error(client, "Goals.deleteGoal", token_auth=admin, idSite=idsite)
    assert "integer" in error(
        client, "Goals.getGoal", token_auth=admin, idSite=idsite, idGoal="1 OR 1=1"
    )


def test_goal_permissions(client: TestClient, db: Session) -> None:
    idsite = create_site(db).idsite
    viewer = create_token(db, login="viewer", superuser=False, access={idsite: "view"})
    writer = create_token(db, login="writer", superuser=False, access={idsite: "write"})
    stranger = create_token(db, login="stranger", superuser=False)
    message = error(client, "Goals.addGoal", 401, token_auth=viewer, idSite=idsite, name="g")
    assert "write" in message
    idgoal = add_goal(client, writer, idsite)
    for method in ("Goals.updateGoal", "Goals.deleteGoal"):
        assert error(client, method, 401, token_auth=viewer, idSite=idsite, idGoal=idgoal)
    assert call(client, "Goals.getGoals", token_auth=viewer, idSite=idsite)
    for token in (stranger, "wrong", None):
        auth = {} if token is None else {"token_auth": token}
        assert error(client, "Goals.getGoals", 401, idSite=idsite, **auth)
        assert error(client, "Goals.addGoal", 401, idSite=idsite, name="g", **auth)
    call(client, "Goals.deleteGoal", token_auth=writer, idSite=idsite, idGoal=idgoal)


def test_a_new_goal_is_converted_and_reported(client: TestClient, admin: str) -> None:
    idsite = add_site(client, admin, urls="https://new.example", timezone="UTC")
    idgoal = add_goal(client, admin, idsite, matchAttribute="url", pattern="/thanks")
    base = {"token_auth": admin, "idSite": idsite, "period": "day", "date": DAY}
    before = call(client, "Goals.get", idGoal=idgoal, **{**base, "date": "2026-03-09"})
    assert before["nb_conversions"] == 0
    hit = js_hit(idsite, url="https://new.example/thanks")
    assert send(client, hit).status_code == 204
    after = call(client, "Goals.get", idGoal=idgoal, **base)
    assert after["nb_conversions"] == 1
