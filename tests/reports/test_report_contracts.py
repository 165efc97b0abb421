"""Contract of every report method on the known day: shape, column names, exact values, and the
same answer in JSON, XML and CSV/TSV. Families: visits, visitor dimensions, engagement.

Other families live in `test_report_contracts_actions.py` (pages, links, search, events,
contents), `test_report_contracts_acquisition.py` (referrers, goals, ecommerce, custom
dimensions, metadata) and `test_report_contracts_filters.py` (generic filters, labels, segments).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.reports import api
from analytics_server.reports.registry import REPORTS
from analytics_server.sites.service import SiteConfig
from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.factories import create_token
from tests.reports.api import DAY, get, parse_delimited, parse_xml, report

VISIT_COLUMNS = [
    "label",
    "nb_visits",
    "nb_uniq_visitors",
    "nb_users",
    "nb_actions",
    "max_actions",
    "sum_visit_length",
    "bounce_count",
    "nb_visits_converted",
]
SUMMARY_COLUMNS = [
    "nb_uniq_visitors",
    "nb_users",
    "nb_visits",
    "nb_actions",
    "nb_visits_converted",
    "bounce_count",
    "sum_visit_length",
    "max_actions",
    "bounce_rate",
    "nb_actions_per_visit",
    "avg_time_on_site",
]


class Known:
    """The known day archived for one site, and a superuser's token."""

    def __init__(self, client: TestClient, site: SiteConfig, token: str) -> None:
        self.client = client
        self.site = site
        self.idsite = site.idsite
        self.token = token

    def dimension(self, name: str) -> int:
        return next(d.iddimension for d in self.site.dimensions.values() if d.name == name)

    def json(self, method: str, **params: Any) -> Any:
        return report(self.client, method, self.token, self.idsite, **params)

    def raw(self, method: str, fmt: str, **params: Any) -> Any:
        query = {"idSite": self.idsite, "period": "day", "date": DAY, "token_auth": self.token}
        query.update(params)
        response = get(self.client, method, format=fmt, **query)
        assert response.status_code == 200, response.text
        return response

    def every_format(self, method: str, **params: Any) -> Any:
        """The JSON answer, after checking XML, CSV and TSV carry the same scalar values."""
        data = self.json(method, **params)
        rows = data if isinstance(data, list) else [data]
        expected = [{k: str(v) for k, v in scalars(row).items()} for row in rows]
        root = parse_xml(self.raw(method, "xml", **params).text)
        assert root.find("error") is None, ET.tostring(root)
        elements = root.findall("row") if isinstance(data, list) else [root]
        assert len(elements) == len(expected)
        found = [
            xml_scalars(element, like) for element, like in zip(elements, expected, strict=True)
        ]
        assert found == expected, "xml"
        for fmt, tab in (("csv", False), ("tsv", True)):
            lines = parse_delimited(self.raw(method, fmt, **params).content, tab=tab)
            if expected == [{}]:
                assert lines == [], fmt
                continue
            assert len(lines) == len(expected), fmt
            cells = [
                {k: line.get(k) for k in like} for line, like in zip(lines, expected, strict=True)
            ]
            assert cells == expected, fmt
        return data


def scalars(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not isinstance(v, dict | list)}


def xml_scalars(element: ET.Element, like: dict[str, Any]) -> dict[str, str]:
    return {child.tag: child.text or "" for child in element if child.tag in like}


def by_label(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["label"]: row for row in rows}


@pytest.fixture
def known(client: TestClient, db: Session, clock: FakeClock) -> Known:
    site = make_site(db)
    known_day(db, site.idsite)
    token = create_token(db)
    clock.now = datetime(2026, 4, 20, 12, tzinfo=UTC)
    return Known(client, site, token)


def test_every_registered_method_answers_on_the_known_day(known: Known) -> None:
    """No report method errors or returns something other than a table or a row."""
    needs = {
        "CustomDimensions.getCustomDimension": {"idDimension": known.dimension("Company")},
        "Actions.getPageUrl": {"pageUrl": "https://portal.example.com/"},
        "Actions.getPageTitle": {"pageName": "Home"},
        "Actions.getDownload": {"downloadUrl": "https://files.example.com/guide.pdf"},
        "Actions.getOutlink": {"outlinkUrl": "https://ext.example.org/x"},
    }
    for method, found in REPORTS.items():
        params: dict[str, Any] = dict(needs.get(method, {}))
        if found.is_subtable:
            if method in ("Referrers.getUrlsFromWebsiteId", "Referrers.getUrlsForSocial"):
                continue  # no websites or social networks on the known day
            params["idSubtable"] = 1
        data = known.json(method, **params)
        if found.dimension is None:
            assert isinstance(data, dict), method
        else:
            assert isinstance(data, list), method
    assert set(REPORTS) <= set(api.METHODS)


def test_visits_summary(known: Known) -> None:
    found = known.every_format("VisitsSummary.get")
    assert list(found) == SUMMARY_COLUMNS
    assert found == {
        "nb_uniq_visitors": 2,
        "nb_users": 1,
        "nb_visits": 3,
        "nb_actions": 9,
        "nb_visits_converted": 2,
        "bounce_count": 1,
        "sum_visit_length": 207,
        "max_actions": 4,
        "bounce_rate": "33%",
        "nb_actions_per_visit": 3,
        "avg_time_on_site": 69,
    }


def test_visits_summary_over_longer_periods(known: Known) -> None:
    """The neighbouring visits fall in the same week, month and year. Unique visitors are counted
    exactly for years and ranges too (Matomo with `enable_processing_unique_visitors_year=1`)."""
    week = known.every_format("VisitsSummary.get", period="week")
    assert (week["nb_visits"], week["nb_uniq_visitors"], week["nb_actions"]) == (5, 4, 11)
    month = known.json("VisitsSummary.get", period="month")
    assert (month["nb_visits"], month["nb_uniq_visitors"]) == (5, 4)
    year = known.every_format("VisitsSummary.get", period="year")
    assert (year["nb_visits"], year["nb_uniq_visitors"], year["nb_users"]) == (5, 4, 1)
    assert list(year) == SUMMARY_COLUMNS
    span = known.json("VisitsSummary.get", period="range", date="2026-03-10,2026-03-11")
    assert (span["nb_visits"], span["nb_uniq_visitors"]) == (4, 3)


def test_visits_summary_scalars(known: Known) -> None:
    expected = {
        "getVisits": 3,
        "getUniqueVisitors": 2,
        "getUsers": 1,
        "getActions": 9,
        "getMaxActions": 4,
        "getBounceCount": 1,
        "getVisitsConverted": 2,
        "getSumVisitsLength": 207,
        "getSumVisitsLengthPretty": "3 min 27s",
    }
    for action, value in expected.items():
        method = f"VisitsSummary.{action}"
        assert known.json(method) == {"value": value}, method
        assert parse_xml(known.raw(method, "xml").text).text == str(value)
        lines = parse_delimited(known.raw(method, "csv").content)
        assert lines == [{"value": str(value)}]
    weeks = known.json("VisitsSummary.getVisits", period="week", date="2026-03-02,2026-03-15")
    assert weeks == {"2026-03-02,2026-03-08": 0, "2026-03-09,2026-03-15": 5}


def test_visit_frequency(known: Known) -> None:
    found = known.every_format("VisitFrequency.get")
    assert {k: v for k, v in found.items() if k.endswith("_new")} == {
        "nb_uniq_visitors_new": 1,
        "nb_users_new": 1,
        "nb_visits_new": 1,
        "nb_actions_new": 4,
        "nb_visits_converted_new": 1,
        "bounce_count_new": 0,
        "sum_visit_length_new": 121,
        "max_actions_new": 4,
        "bounce_rate_new": "0%",
        "nb_actions_per_visit_new": 4,
        "avg_time_on_site_new": 121,
    }
    assert found["nb_visits_returning"] == 2
    assert found["bounce_rate_returning"] == "50%"
    assert found["nb_actions_per_visit_returning"] == 2.5


def test_api_get_merges_the_summaries(known: Known) -> None:
    found = known.every_format("API.get")
    assert found["nb_visits"] == 3
    assert found["nb_pageviews"] == 5
    assert found["nb_visits_returning"] == 2
    assert found["Referrers_visitorsFromCampaigns"] == 1
    assert found["nb_conversions"] == 2
    assert found["conversion_rate"] == "66.67%"


def test_browsers_devices_and_software(known: Known) -> None:
    browsers = known.every_format("DevicesDetection.getBrowsers")
    assert [list(row)[: len(VISIT_COLUMNS)] for row in browsers] == [VISIT_COLUMNS] * 2
    assert [(r["label"], r["code"], r["segment"], r["nb_visits"]) for r in browsers] == [
        ("Chrome", "CH", "browserCode==CH", 2),
        ("Firefox", "FF", "browserCode==FF", 1),
    ]
    assert by_label(browsers)["Chrome"]["sum_visit_length"] == 207
    types = known.every_format("DevicesDetection.getType")
    assert [(r["label"], r["segment"], r["nb_visits"]) for r in types] == [
        ("Desktop", "deviceType==desktop", 2),
        ("Smartphone", "deviceType==smartphone", 1),
    ]
    assert types[0]["goals"] == {
        "idgoal=1": {"nb_conversions": 1, "nb_visits_converted": 1, "revenue": 10}
    }
    assert (types[1]["nb_conversions"], types[1]["revenue"]) == (1, 30)
    families = by_label(known.every_format("DevicesDetection.getOsFamilies"))
    assert {k: (r["code"], r["nb_visits"]) for k, r in families.items()} == {
        "Android": ("AND", 1),
        "Mac": ("MAC", 1),
        "Windows": ("WIN", 1),
    }
    versions = by_label(known.every_format("DevicesDetection.getOsVersions"))
    assert (
        versions["Windows 10"]["segment"] == "operatingSystemCode==WIN;operatingSystemVersion==10"
    )
    browser_versions = by_label(known.every_format("DevicesDetection.getBrowserVersions"))
    assert browser_versions["Chrome 124"]["segment"] == "browserCode==CH;browserVersion==124"
    engines = known.every_format("DevicesDetection.getBrowserEngines")
    assert [(r["label"], r["nb_visits"]) for r in engines] == [("Blink", 2), ("Gecko", 1)]
    models = by_label(known.every_format("DevicesDetection.getModel"))
    assert models["SA - Galaxy"]["segment"] == "deviceBrand==SA;deviceModel==Galaxy"
    assert models["Unknown"]["nb_visits"] == 2
    brands = by_label(known.every_format("DevicesDetection.getBrand"))
    assert (brands["SA"]["nb_visits"], brands["Unknown"]["segment"]) == (1, "deviceBrand==")


def test_resolutions_and_configurations(known: Known) -> None:
    resolutions = known.every_format("Resolution.getResolution")
    assert {r["label"]: r["segment"] for r in resolutions} == {
        "1440x900": "resolution==1440x900",
        "1920x1080": "resolution==1920x1080",
        "390x844": "resolution==390x844",
    }
    configurations = known.every_format("Resolution.getConfiguration")
    assert sorted(r["label"] for r in configurations) == [
        "Android / Chrome / 390x844",
        "Mac / Firefox / 1440x900",
        "Windows / Chrome / 1920x1080",
    ]


def test_locations(known: Known) -> None:
    countries = known.every_format("UserCountry.getCountry")
    assert [(r["label"], r["code"], r["segment"], r["nb_visits"]) for r in countries] == [
        ("Germany", "de", "countryCode==de", 2),
        ("France", "fr", "countryCode==fr", 1),
    ]
    assert (countries[0]["nb_conversions"], countries[0]["revenue"]) == (2, 40)
    assert set(countries[0]["goals"]) == {"idgoal=1", "idgoal=ecommerceOrder"}
    german = known.json("UserCountry.getCountry", language="de")
    assert german[0]["label"] == "Deutschland"
    continents = known.every_format("UserCountry.getContinent")
    assert [(r["label"], r["code"], r["segment"], r["nb_visits"]) for r in continents] == [
        ("Europe", "eur", "continentCode==eur", 3)
    ]
    regions = by_label(known.every_format("UserCountry.getRegion"))
    assert {k: (r["region"], r["country"], r["segment"]) for k, r in regions.items()} == {
        "BE, Germany": ("BE", "de", "regionCode==BE;countryCode==de"),
        "Unknown, France": ("", "fr", "regionCode==;countryCode==fr"),
    }
    cities = by_label(known.every_format("UserCountry.getCity"))
    berlin = cities["Berlin, BE, Germany"]
    assert (berlin["city_name"], berlin["region"], berlin["country"], berlin["nb_visits"]) == (
        "Berlin",
        "BE",
        "de",
        2,
    )
    assert berlin["segment"] == "city==Berlin;regionCode==BE;countryCode==de"
    assert cities["Unknown, France"]["country_name"] == "France"
    named = known.every_format("UserCountry.getNamedLocation")
    assert [(r["label"], r["segment"], r["nb_visits"]) for r in named] == [
        ("HQ", "namedLocation==HQ", 1)
    ]
    assert known.json("UserCountry.getNumberOfDistinctCountries") == {"value": 2}


def test_languages_and_users(known: Known) -> None:
    languages = known.every_format("UserLanguage.getLanguage")
    assert [(r["label"], r["code"], r["nb_visits"]) for r in languages] == [
        ("German", "de", 2),
        ("French", "fr", 1),
    ]
    codes = known.every_format("UserLanguage.getLanguageCode")
    assert [(r["label"], r["segment"]) for r in codes] == [
        ("German - Germany (de-de)", "languageCode==de-de"),
        ("French (fr)", "languageCode==fr"),
    ]
    users = known.every_format("UserId.getUsers")
    assert [(r["label"], r["segment"], r["nb_visits"], r["nb_actions"]) for r in users] == [
        ("anna", "userId==anna", 2, 8)
    ]


def test_visit_times(known: Known) -> None:
    for method, segment in (
        # Site-time hours carry no segment: Matomo's visitServerHour counts UTC hours.
        ("VisitTime.getVisitInformationPerServerTime", None),
        ("VisitTime.getVisitInformationPerLocalTime", "visitLocalHour"),
    ):
        hours = known.every_format(method)
        assert [r["label"] for r in hours] == [f"{h:02d}" for h in range(24)]
        assert {r["label"]: r["nb_visits"] for r in hours if r["nb_visits"]} == {
            "01": 1,
            "12": 1,
            "23": 1,
        }
        assert hours[12].get("segment") == (f"{segment}==12" if segment else None)
        assert list(hours[0])[: len(VISIT_COLUMNS)] == VISIT_COLUMNS
    days = known.every_format("VisitTime.getByDayOfWeek")
    assert [r["label"] for r in days] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert [(r["day_of_week"], r["nb_visits"]) for r in days][:3] == [(1, 0), (2, 3), (3, 0)]
    week = by_label(known.json("VisitTime.getByDayOfWeek", period="week"))
    assert (week["Monday"]["nb_visits"], week["Tuesday"]["nb_visits"]) == (1, 3)
    assert week["Wednesday"]["nb_visits"] == 1


def test_engagement_buckets(known: Known) -> None:
    expected = {
        "getNumberOfVisitsPerVisitDuration": [
            ("0-10 s", "visitDuration>=0;visitDuration<=10"),
            ("1-2 min", "visitDuration>=61;visitDuration<=120"),
            ("2-4 min", "visitDuration>=121;visitDuration<=240"),
        ],
        "getNumberOfVisitsPerPage": [
            ("1 page", "interactions==1"),
            ("2 pages", "interactions==2"),
            ("3 pages", "interactions==3"),
        ],
        "getNumberOfVisitsByVisitCount": [
            ("1 visit", "visitCount==1"),
            ("2 visits", "visitCount==2"),
            ("3 visits", "visitCount==3"),
        ],
        "getNumberOfVisitsByDaysSinceLast": [
            ("0 days", "daysSinceLastVisit==0"),
            ("2 days", "daysSinceLastVisit==2"),
        ],
    }
    for action, rows in expected.items():
        found = known.every_format(f"VisitorInterest.{action}")
        assert [(r["label"], r["segment"]) for r in found] == rows, action
        assert {r["nb_visits"] for r in found} == {1}
        assert set(found[0]) == {"label", "nb_visits", "segment"}
