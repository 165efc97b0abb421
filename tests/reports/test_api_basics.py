"""The Reporting API's envelope: auth, errors, formats, multi-period and multi-site answers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.auth import service as auth_service
from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.factories import create_token
from tests.reports.api import (
    DAY,
    call,
    error,
    get,
    parse_delimited,
    parse_xml,
    report,
    xml_rows,
)


@pytest.fixture
def site_and_token(db: Session, clock: FakeClock) -> tuple[int, str]:
    site = make_site(db)
    known_day(db, site.idsite)
    token = create_token(db)
    clock.now = datetime(2026, 4, 20, 12, tzinfo=UTC)
    return site.idsite, token


def test_visits_summary_in_json_with_formatted_rates(
    client: TestClient, site_and_token: tuple[int, str]
) -> None:
    idsite, token = site_and_token
    found = report(client, "VisitsSummary.get", token, idsite)
    assert found["nb_visits"] == 3
    assert found["nb_uniq_visitors"] == 2
    assert found["bounce_rate"] == "33%"
    assert found["nb_actions_per_visit"] == 3
    assert found["avg_time_on_site"] == 69
    raw = report(client, "VisitsSummary.get", token, idsite, format_metrics=0)
    assert raw["bounce_rate"] == 0.33


def test_default_format_is_xml(client: TestClient, site_and_token: tuple[int, str]) -> None:
    idsite, token = site_and_token
    response = get(
        client, "VisitsSummary.get", idSite=idsite, period="day", date=DAY, token_auth=token
    )
    assert response.headers["content-type"].startswith("text/xml")
    root = parse_xml(response.text)
    assert root.tag == "result"
    assert root.findtext("nb_visits") == "3"


def test_a_table_in_every_format(client: TestClient, site_and_token: tuple[int, str]) -> None:
    idsite, token = site_and_token
    as_json = report(client, "DevicesDetection.getBrowsers", token, idsite)
    assert [(r["label"], r["nb_visits"], r["code"]) for r in as_json] == [
        ("Chrome", 2, "CH"),
        ("Firefox", 1, "FF"),
    ]
    common = {"idSite": idsite, "period": "day", "date": DAY, "token_auth": token}
    xml = get(client, "DevicesDetection.getBrowsers", format="xml", **common)
    assert [(r["label"], r["nb_visits"]) for r in xml_rows(parse_xml(xml.text))] == [
        ("Chrome", "2"),
        ("Firefox", "1"),
    ]
    for fmt, tab in (("csv", False), ("tsv", True)):
        response = get(client, "DevicesDetection.getBrowsers", format=fmt, **common)
        assert "attachment" in response.headers["content-disposition"]
        rows = parse_delimited(response.content, tab=tab)
        assert [(r["label"], r["nb_visits"]) for r in rows] == [("Chrome", "2"), ("Firefox", "1")]
    plain = get(client, "DevicesDetection.getBrowsers", format="csv", convertToUnicode=0, **common)
    assert plain.content.decode("utf-8").startswith("label,")
    html = get(client, "DevicesDetection.getBrowsers", format="html", **common)
    assert "<td>Chrome</td>" in html.text
    original = get(client, "VisitsSummary.getVisits", format="original", **common)
    assert original.text == "i:3;"


def test_several_periods_and_sites(
    client: TestClient, db: Session, site_and_token: tuple[int, str]
) -> None:
    idsite, token = site_and_token
    days = report(client, "VisitsSummary.get", token, idsite, date="2026-03-09,2026-03-11")
    assert list(days) == ["2026-03-09", "2026-03-10", "2026-03-11"]
    assert days["2026-03-10"]["nb_visits"] == 3
    weeks = report(client, "VisitsSummary.getVisits", token, idsite, period="week", date="last2")
    assert list(weeks) == ["2026-04-13,2026-04-19", "2026-04-20,2026-04-26"]
    other = make_site(db, timezone="UTC")
    both = report(client, "VisitsSummary.getVisits", token, f"{idsite},{other.idsite}")
    assert both == {str(idsite): 3, str(other.idsite): 0}
    everything = report(client, "VisitsSummary.getVisits", token, "all", date="last2")
    assert set(everything) == {str(idsite), str(other.idsite)}
    xml = get(
        client,
        "VisitsSummary.getVisits",
        idSite=idsite,
        period="day",
        date="2026-03-09,2026-03-10",
        token_auth=token,
    )
    results = parse_xml(xml.text)
    assert results.tag == "results"
    assert [(r.get("date"), r.text) for r in results] == [("2026-03-09", "1"), ("2026-03-10", "3")]


def test_tokens_and_access(
    client: TestClient, db: Session, site_and_token: tuple[int, str]
) -> None:
    idsite, _ = site_and_token
    base = {"idSite": idsite, "period": "day", "date": DAY}
    assert "site" in error(client, "VisitsSummary.get", 401, **base)  # no token: anonymous
    assert "token_auth" in error(client, "VisitsSummary.get", 401, token_auth="nope", **base)
    viewer = create_token(db, login="viewer", superuser=False, access={idsite: "view"})
    stranger = create_token(db, login="stranger", superuser=False)
    assert call(client, "VisitsSummary.getVisits", token_auth=viewer, **base) == {"value": 3}
    assert error(client, "VisitsSummary.getVisits", 401, token_auth=stranger, **base)
    with_header = client.get(
        "/index.php",
        params={"module": "API", "method": "VisitsSummary.getVisits", "format": "json", **base},
        headers={"Authorization": f"Bearer {viewer}"},
    )
    assert with_header.json() == {"value": 3}
    posted = client.post(
        "/index.php?module=API&method=VisitsSummary.getVisits&format=json",
        data={"token_auth": viewer, **{k: str(v) for k, v in base.items()}},
    )
    assert posted.json() == {"value": 3}
    auth_service.create_user(db, login="anonymous", password="x" * 16)
    auth_service.set_access(db, login="anonymous", idsite=idsite, access="view")
    db.commit()
    assert call(client, "VisitsSummary.getVisits", **base) == {"value": 3}


def test_errors_in_every_format(client: TestClient, site_and_token: tuple[int, str]) -> None:
    idsite, token = site_and_token
    common = {"idSite": idsite, "token_auth": token}
    assert "does not exist" in error(client, "Nope.nothing", 400, **common)
    assert "period" in error(client, "VisitsSummary.get", 200, date=DAY, **common)
    assert "date" in error(client, "VisitsSummary.get", 200, period="day", date="soon", **common)
    xml = get(client, "VisitsSummary.get", period="decade", date=DAY, **common)
    assert parse_xml(xml.text).find("error") is not None
    csv_error = get(client, "VisitsSummary.get", period="decade", date=DAY, format="csv", **common)
    assert csv_error.content.decode("utf-16-le").lstrip("\ufeff").startswith("Error: ")


def test_bulk_requests_inherit_the_token(
    client: TestClient, site_and_token: tuple[int, str]
) -> None:
    idsite, token = site_and_token
    found = call(
        client,
        "API.getBulkRequest",
        token_auth=token,
        **{
            "urls[0]": f"method=VisitsSummary.getVisits&idSite={idsite}&period=day&date={DAY}",
            "urls[1]": f"method=Actions.get&idSite={idsite}&period=day&date={DAY}",
            "urls[2]": "method=Nope.nothing",
            "urls[3]": "method=API.getBulkRequest",
        },
    )
    assert found[0] == {"value": 3}
    assert found[1]["nb_pageviews"] == 5
    assert found[2]["result"] == "error"
    assert found[3]["result"] == "error"


def test_matomo_version_and_the_root_address(client: TestClient) -> None:
    version = call(client, "API.getMatomoVersion")
    assert version["value"].startswith("5.")
    root = client.get("/?module=API&method=API.getMatomoVersion&format=json")
    assert root.json() == version


def test_entry_and_exit_pages_keep_rows_with_entries_or_exits_most_first(
    client: TestClient, site_and_token: tuple[int, str]
) -> None:
    idsite, token = site_and_token
    for method, column in (
        ("Actions.getEntryPageUrls", "entry_nb_visits"),
        ("Actions.getExitPageUrls", "exit_nb_visits"),
    ):
        rows = report(client, method, token, idsite, expanded=1)
        leaves = [r for row in rows for r in row.get("subtable", [row])]
        assert all(r.get(column) for r in leaves), (method, leaves)
        values = [r[column] for r in rows]
        assert values == sorted(values, reverse=True)


def test_scheduled_reports_over_http(client: TestClient, site_and_token: tuple[int, str]) -> None:
    idsite, token = site_and_token
    added = call(
        client,
        "ScheduledReports.addReport",
        token_auth=token,
        idSite=idsite,
        description="Weekly <b>summary</b>",
        period="week",
        hour="8",
        reportFormat="pdf",
        reports="VisitsSummary_get,Actions_getPageUrls",
        parameters='{"emailMe": false, "additionalEmails": ["boss@example.com"]}',
    )
    [found] = call(client, "ScheduledReports.getReports", token_auth=token, idSite=idsite)
    assert found["idreport"] == added["value"]
    assert found["description"] == "Weekly <b>summary</b>"
    assert found["reports"] == ["VisitsSummary_get", "Actions_getPageUrls"]
    assert error(client, "ScheduledReports.getReports", 401, idSite=idsite)
