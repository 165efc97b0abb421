"""Generic filters and row metadata on real reports: expanded, flat, label paths, limits,
sorting, patterns, truncation, column selection, metric formatting; bucket labels; and the
`segment` metadata of every report's rows, sent back as `segment=`."""

from __future__ import annotations

from typing import Any

import pytest

from analytics_server.reports import labels
from analytics_server.reports.datatable import ApiRow
from analytics_server.segments.fields import FIELDS
from tests.reports.test_report_contracts import Known, known

__all__ = ["known"]


def test_expanded_and_flat_page_urls(known: Known) -> None:
    expanded = known.json("Actions.getPageUrls", expanded=1)
    assert [r["label"] for r in expanded[0]["subtable"]] == ["/start", "/install"]
    assert "idsubdatatable" not in expanded[0]
    xml = known.raw("Actions.getPageUrls", "xml", expanded=1).text
    assert "<subtable>" in xml
    assert "<label>/install</label>" in xml
    flat = known.every_format("Actions.getPageUrls", flat=1)
    assert [(r["label"], r["nb_hits"]) for r in flat] == [
        ("docs/start", 3),
        ("docs/install", 1),
        ("/index", 1),
    ]
    assert flat[0]["url"] == "https://portal.example.com/docs/start"
    assert all("idsubdatatable" not in r for r in flat)
    titles = known.json("Actions.getPageTitles", flat=1)
    assert [r["label"] for r in titles] == ["Docs - Start", "Docs - Install", "Home"]


def test_label_filter_walks_into_subtables(known: Known) -> None:
    found = known.every_format("Actions.getPageUrls", label="docs>/install")
    assert [(r["label"], r["nb_hits"]) for r in found] == [("/install", 1)]
    both = known.json("DevicesDetection.getBrowsers", **{"label[]": "Firefox"})
    assert [r["label"] for r in both] == ["Firefox"]
    many = known.client.get(
        "/index.php",
        params=[
            ("module", "API"),
            ("method", "DevicesDetection.getBrowsers"),
            ("idSite", str(known.idsite)),
            ("period", "day"),
            ("date", "2026-03-10"),
            ("format", "json"),
            ("token_auth", known.token),
            ("label[]", "Firefox"),
            ("label[]", "Chrome"),
        ],
    ).json()
    assert [r["label"] for r in many] == ["Firefox", "Chrome"]
    assert known.json("DevicesDetection.getBrowsers", label="Opera") == []


def test_limit_offset_and_sorting(known: Known) -> None:
    def labels_of(**params: Any) -> list[str]:
        return [r["label"] for r in known.every_format("UserCountry.getCity", **params)]

    assert labels_of(filter_limit=1) == ["Berlin, BE, Germany"]
    assert labels_of(filter_limit=1, filter_offset=1) == ["Unknown, France"]
    assert labels_of(filter_limit=-1) == ["Berlin, BE, Germany", "Unknown, France"]
    assert labels_of(filter_sort_column="nb_visits", filter_sort_order="asc") == [
        "Unknown, France",
        "Berlin, BE, Germany",
    ]
    assert labels_of(filter_sort_column="label", filter_sort_order="desc") == [
        "Unknown, France",
        "Berlin, BE, Germany",
    ]
    by_rate = known.json(
        "Actions.getPageUrls", idSubtable=1, filter_sort_column="exit_rate", filter_sort_order="asc"
    )
    assert [r["label"] for r in by_rate] == ["/start", "/install"]


def test_patterns_and_truncation(known: Known) -> None:
    found = known.every_format("DevicesDetection.getBrowsers", filter_pattern="^fire")
    assert [r["label"] for r in found] == ["Firefox"]
    by_code = known.json("DevicesDetection.getBrowsers", filter_column="code", filter_pattern="CH")
    assert [r["label"] for r in by_code] == ["Chrome"]
    deep = known.json("Actions.getPageUrls", filter_pattern_recursive="install", expanded=1)
    assert [(r["label"], [c["label"] for c in r["subtable"]]) for r in deep] == [
        ("docs", ["/install"])
    ]
    cut = known.every_format("DevicesDetection.getOsFamilies", filter_truncate=1)
    assert [(r["label"], r["nb_visits"]) for r in cut] == [("Android", 1), ("Others", 2)]
    assert cut[1]["max_actions"] == 4


def test_show_and_hide_columns(known: Known) -> None:
    shown = known.every_format("DevicesDetection.getBrowsers", showColumns="nb_visits,nb_actions")
    assert [set(r) for r in shown] == [{"label", "nb_visits", "nb_actions"}] * 2
    hidden = known.every_format("DevicesDetection.getBrowsers", hideColumns="nb_users,segment")
    assert all("nb_users" not in r and "segment" not in r for r in hidden)
    assert "code" in hidden[0]
    summary = known.every_format("VisitsSummary.get", showColumns="nb_visits,bounce_rate")
    assert summary == {"nb_visits": 3, "bounce_rate": "33%"}


def test_format_metrics(known: Known) -> None:
    def start(**params: Any) -> dict[str, Any]:
        rows = known.every_format("Actions.getPageUrls", idSubtable=1, **params)
        return next(r for r in rows if r["label"] == "/start")

    bc = start()
    assert (bc["bounce_rate"], bc["exit_rate"], bc["avg_time_on_page"]) == ("50%", "67%", 32)
    raw = start(format_metrics=0)
    assert (raw["bounce_rate"], raw["exit_rate"], raw["avg_time_on_page"]) == (0.5, 0.67, 32)
    assert raw["nb_hits"] == 3
    pretty = start(format_metrics=1)
    assert (pretty["bounce_rate"], pretty["avg_time_on_page"]) == ("50%", "00:00:32")
    assert (pretty["avg_time_server"], pretty["nb_hits"]) == ("0.15s", 3)
    summary = known.json("VisitsSummary.get", format_metrics=1)
    assert summary["avg_time_on_site"] == "00:01:09"
    assert known.json("VisitsSummary.get", format_metrics="bc")["avg_time_on_site"] == 69


@pytest.mark.parametrize(
    ("buckets", "stored", "shown", "segment"),
    [
        (labels.VISIT_DURATION, "31-60", "31-60 s", "visitDuration>=31;visitDuration<=60"),
        (labels.VISIT_DURATION, "901-1800", "15-30 min", "visitDuration>=901;visitDuration<=1800"),
        (labels.VISIT_DURATION, "1801+", "30+ min", "visitDuration>=1801"),
        (labels.PAGES_PER_VISIT, "6-7", "6-7 pages", "interactions>=6;interactions<=7"),
        (labels.PAGES_PER_VISIT, "21+", "20+ pages", "interactions>=21"),
        (labels.VISIT_NUMBER, "201+", "200+ visits", "visitCount>=201"),
        (labels.DAYS_SINCE_LAST, "1", "1 day", "daysSinceLastVisit==1"),
        (labels.DAYS_SINCE_LAST, "365+", "364+ days", "daysSinceLastVisit>=365"),
        (labels.DAYS_SINCE_LAST, "-1", "Others", None),
    ],
)
def test_bucket_labels(buckets: labels.Buckets, stored: str, shown: str, segment: str) -> None:
    row = ApiRow(stored, {"nb_visits": 1})
    labels.interest(buckets)(row, "en")
    assert ("Others" if row.label == "-1" else row.label, row.meta.get("segment")) == (
        shown,
        segment,
    )


REPORTS_WITH_ROWS: list[tuple[str, dict[str, Any]]] = [
    ("DevicesDetection.getType", {}),
    ("DevicesDetection.getBrand", {}),
    ("DevicesDetection.getModel", {}),
    ("DevicesDetection.getOsFamilies", {}),
    ("DevicesDetection.getOsVersions", {}),
    ("DevicesDetection.getBrowsers", {}),
    ("DevicesDetection.getBrowserVersions", {}),
    ("DevicesDetection.getBrowserEngines", {}),
    ("Resolution.getResolution", {}),
    ("UserLanguage.getLanguage", {}),
    ("UserLanguage.getLanguageCode", {}),
    ("UserCountry.getCountry", {}),
    ("UserCountry.getContinent", {}),
    ("UserCountry.getRegion", {}),
    ("UserCountry.getCity", {}),
    ("UserCountry.getNamedLocation", {}),
    ("UserId.getUsers", {}),
    ("VisitTime.getVisitInformationPerLocalTime", {}),
    # Site-time hours and days of week carry no segment (Matomo's count UTC time).
    ("VisitorInterest.getNumberOfVisitsPerVisitDuration", {}),
    ("VisitorInterest.getNumberOfVisitsPerPage", {}),
    ("VisitorInterest.getNumberOfVisitsByVisitCount", {}),
    ("VisitorInterest.getNumberOfVisitsByDaysSinceLast", {}),
    ("Referrers.getReferrerType", {}),
    ("Referrers.getAll", {}),
    ("Referrers.getSearchEngines", {}),
    ("Referrers.getKeywords", {}),
    ("Referrers.getCampaigns", {}),
    ("MarketingCampaignsReporting.getSource", {}),
    ("MarketingCampaignsReporting.getMedium", {}),
    ("Actions.getPageUrls", {"expanded": 1}),
    ("Actions.getPageTitles", {"expanded": 1}),
    ("Actions.getDownloads", {"expanded": 1}),
    ("Actions.getOutlinks", {"expanded": 1}),
    ("Actions.getSiteSearchKeywords", {}),
    ("Actions.getSiteSearchCategories", {}),
    ("Events.getCategory", {}),
    ("Events.getAction", {}),
    ("Events.getName", {}),
    ("Contents.getContentNames", {}),
    ("Contents.getContentPieces", {}),
    ("Goals.getItemsSku", {}),
    ("Goals.getItemsName", {}),
    ("Goals.getItemsCategory", {}),
]


def _rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for row in rows:
        found.append(row)
        found += _rows(row.get("subtable", []))
    return found


def _names(segment: str) -> set[str]:
    return {part.split("=")[0].rstrip("!<>") for part in segment.replace(",", ";").split(";")}


def test_segment_metadata_selects_the_rows_visits(known: Known) -> None:
    """Each row's `segment`, sent back as `segment=`, selects the visits the row counts: as
    many as its nb_visits for a leaf row, some for a folder (whose pages may share visits)."""
    company, layout = known.dimension("Company"), known.dimension("Layout")
    reports = [
        *REPORTS_WITH_ROWS,
        ("CustomDimensions.getCustomDimension", {"idDimension": company}),
        ("CustomDimensions.getCustomDimension", {"idDimension": layout}),
    ]
    checked = 0
    for method, params in reports:
        rows = [r for r in _rows(known.json(method, **params)) if r.get("nb_visits")]
        assert rows, method
        for row in rows:
            segment = row.get("segment")
            assert segment, (method, row["label"])
            names = _names(segment)
            assert names <= set(FIELDS) | {f"dimension{company}", f"dimension{layout}"}
            visits = known.json("VisitsSummary.getVisits", segment=segment)["value"]
            folder = "subtable" in row or "idsubdatatable" in row
            if folder or method == "Referrers.getAll":
                assert 0 < visits <= row["nb_visits"] + 1, (method, row["label"], segment)
            else:
                assert visits == row["nb_visits"], (method, row["label"], segment)
            checked += 1
    assert checked > 60
