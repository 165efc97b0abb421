"""Hostile input to the Reporting API: injection attempts in segments and filters, unknown
segments, oversized ad-hoc segments, and a fuzz run over parameters that must find no 500."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.models import LogVisit
from analytics_server.segments import service as segments_service
from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.factories import create_token
from tests.reports.api import DAY, error, get, parse_xml, report


@pytest.fixture
def site_and_token(db: Session, clock: FakeClock) -> tuple[int, str]:
    site = make_site(db)
    known_day(db, site.idsite)
    token = create_token(db)
    clock.now = datetime(2026, 4, 20, 12, tzinfo=UTC)
    return site.idsite, token


def visit_rows(db: Session) -> int:
    db.commit()
    return int(db.scalar(sa.select(sa.func.count()).select_from(LogVisit)) or 0)


@pytest.mark.parametrize(
    "segment",
    [
        "userId==anna'; DROP TABLE log_visit; --",
        "userId==anna%27%3B%20DELETE%20FROM%20log_visit%3B%20--",
        "pageUrl=@'%20OR%201=1%20--",
        "city==Москва;countryCode==ru",
        "referrerName==\\;x,referrerName==\\,y",
        "eventName=@%F0%9F%98%80",
        "userId==\x00",
    ],
)
def test_injection_attempts_in_segments_select_nothing_and_change_nothing(
    client: TestClient, db: Session, site_and_token: tuple[int, str], segment: str
) -> None:
    idsite, token = site_and_token
    before = visit_rows(db)
    response = get(
        client,
        "VisitsSummary.get",
        idSite=idsite,
        period="day",
        date=DAY,
        token_auth=token,
        format="json",
        segment=segment,
    )
    assert response.status_code == 200
    data = response.json()
    if "result" in data:
        assert data["result"] == "error"
    else:
        assert data["nb_visits"] == 0
    assert visit_rows(db) == before


def test_a_segment_selects_its_visits_and_unknown_names_are_refused(
    client: TestClient, site_and_token: tuple[int, str]
) -> None:
    idsite, token = site_and_token
    anna = report(client, "VisitsSummary.get", token, idsite, segment="userId==anna")
    assert anna["nb_visits"] == 2
    message = error(
        client,
        "VisitsSummary.get",
        idSite=idsite,
        period="day",
        date=DAY,
        token_auth=token,
        segment="noSuchThing==1",
    )
    assert "noSuchThing" in message


def test_an_ad_hoc_segment_is_bounded_and_a_stored_one_is_not(
    client: TestClient, db: Session, site_and_token: tuple[int, str]
) -> None:
    idsite, token = site_and_token
    year = {"period": "year", "date": "2026-01-01", "segment": "userId==anna"}
    message = error(client, "VisitsSummary.get", idSite=idsite, token_auth=token, **year)
    assert "pre-processed" in message
    assert "93 days" in message
    segments_service.create_segment(
        db, name="Anna", definition="userId==anna", idsite=idsite, auto_archive=True
    )
    db.commit()
    found = report(client, "VisitsSummary.get", token, idsite, **year)
    assert found["nb_visits"] == 2


def test_filters_with_hostile_patterns(client: TestClient, site_and_token: tuple[int, str]) -> None:
    idsite, token = site_and_token
    found = report(client, "Actions.getPageUrls", token, idsite, flat=1, filter_pattern="^docs")
    assert found
    assert all(row["label"].startswith("docs") for row in found)
    message = error(
        client,
        "Actions.getPageUrls",
        idSite=idsite,
        period="day",
        date=DAY,
        token_auth=token,
        filter_pattern="([",
    )
    assert "regular expression" in message
    xml = get(
        client,
        "Actions.getPageUrls",
        idSite=idsite,
        period="day",
        date=DAY,
        token_auth=token,
        filter_sort_column="<script>",
        label="<b>&amp;",
    )
    assert parse_xml(xml.text).tag == "result"


PARAMS = {
    "period": st.sampled_from(["day", "week", "month", "year", "range", "", "DAY", "x" * 40]),
    "date": st.one_of(
        st.sampled_from(["2026-03-10", "today", "last7", "previous3", "2026-03-01,2026-03-31"]),
        st.text(max_size=30),
    ),
    "format": st.sampled_from(["json", "xml", "csv", "tsv", "html", "original", "nope", ""]),
    "filter_limit": st.one_of(st.integers(-5, 1000).map(str), st.text(max_size=6)),
    "filter_offset": st.one_of(st.integers(-5, 50).map(str), st.text(max_size=6)),
    "filter_sort_column": st.sampled_from(["nb_visits", "label", "bounce_rate", "", "<x>"]),
    "filter_sort_order": st.sampled_from(["asc", "desc", "sideways", ""]),
    "filter_pattern": st.text(max_size=12),
    "filter_truncate": st.one_of(st.integers(-2, 20).map(str), st.text(max_size=4)),
    "flat": st.sampled_from(["0", "1", "yes", "maybe"]),
    "expanded": st.sampled_from(["0", "1", "2"]),
    "idSubtable": st.one_of(st.integers(-1, 40).map(str), st.text(max_size=4)),
    "segment": st.one_of(
        st.sampled_from(["userId==anna", "visitCount>1", "browserCode==FF,countryCode==de"]),
        st.text(max_size=40),
    ),
    "label": st.text(max_size=20),
    "showColumns": st.text(max_size=20),
    "format_metrics": st.sampled_from(["0", "1", "bc", "all", "x"]),
    "idSite": st.sampled_from(["1", "all", "1,1", "0", "-1", "a", "99999999999999999999"]),
}
METHODS = [
    "VisitsSummary.get",
    "Actions.getPageUrls",
    "Events.getCategory",
    "Referrers.getKeywordsFromSearchEngineId",
    "UserCountry.getCity",
    "Goals.get",
    "CustomDimensions.getCustomDimension",
    "API.getBulkRequest",
    "API.getProcessedReport",
]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=st.sampled_from(METHODS), values=st.fixed_dictionaries({}, optional=PARAMS))
def test_no_parameter_makes_a_500(
    client: TestClient,
    site_and_token: tuple[int, str],
    method: str,
    values: dict[str, str],
) -> None:
    _, token = site_and_token
    params = {"idSite": "1", "period": "day", "date": DAY, **values, "token_auth": token}
    params.setdefault("idDimension", "1")
    params.setdefault("apiModule", "Actions")
    params.setdefault("apiAction", "getPageTitles")
    response = get(client, method, **params)
    assert response.status_code in (200, 400, 401), response.text[:500]
