"""Contract of the behaviour reports on the known day: page URLs and titles (folder trees,
subtables, single-row methods), entry and exit pages, downloads, outlinks, site search, page
performance, events and contents; each answer checked in JSON, XML, CSV and TSV."""

from __future__ import annotations

from typing import Any

from tests.reports.test_report_contracts import Known, by_label, known

__all__ = ["known"]

PAGE_COLUMNS = [
    "label",
    "nb_hits",
    "nb_visits",
    "nb_uniq_visitors",
    "sum_time_spent",
    "entry_nb_visits",
    "entry_nb_uniq_visitors",
    "entry_nb_actions",
    "entry_sum_visit_length",
    "entry_bounce_count",
    "exit_nb_visits",
    "exit_nb_uniq_visitors",
]
PAGE_PROCESSED = [
    "avg_time_on_page",
    "bounce_rate",
    "exit_rate",
    "avg_time_network",
    "avg_time_server",
    "avg_time_transfer",
    "avg_time_dom_processing",
    "avg_time_dom_completion",
    "avg_time_on_load",
    "avg_page_load_time",
]
START = "https://portal.example.com/docs/start"
EVENT = {
    "nb_events": 1,
    "nb_visits": 1,
    "nb_uniq_visitors": 1,
    "nb_events_with_value": 1,
    "sum_event_value": 5,
    "min_event_value": 5,
    "max_event_value": 5,
    "avg_event_value": 5,
}


def pick(row: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(row.get(name) for name in names)


def test_actions_summary_and_page_performance(known: Known) -> None:
    assert known.every_format("Actions.get") == {
        "nb_pageviews": 5,
        "nb_uniq_pageviews": 5,
        "nb_downloads": 1,
        "nb_uniq_downloads": 1,
        "nb_outlinks": 1,
        "nb_uniq_outlinks": 1,
        "nb_searches": 1,
        "nb_keywords": 1,
    }
    performance = known.every_format("PagePerformance.get")
    assert pick(performance, "avg_time_network", "avg_time_server", "avg_page_load_time") == (
        0.01,
        0.2,
        0.21,
    )
    assert performance["avg_time_on_load"] == 0
    formatted = known.json("PagePerformance.get", format_metrics=1)
    assert formatted["avg_time_server"] == "0.2s"


def test_page_urls_as_a_folder_tree(known: Known) -> None:
    top = known.every_format("Actions.getPageUrls")
    assert [row["label"] for row in top] == ["docs", "/index"]
    docs, home = top
    for row in top:
        # Entry and exit columns appear on the pages visits entered or left (as in Matomo).
        assert [k for k in row if k in PAGE_COLUMNS] == [k for k in PAGE_COLUMNS if k in row]
        assert all(name in row for name in PAGE_COLUMNS[:5])
        assert all(name in row for name in PAGE_PROCESSED)
    assert pick(docs, "nb_hits", "nb_visits", "sum_time_spent", "idsubdatatable") == (4, 4, 155, 1)
    assert docs["segment"] == "pageUrl=^https%3A%2F%2Fportal.example.com%2Fdocs%2F"
    assert "url" not in docs
    assert pick(home, "url", "segment", "entry_nb_visits", "bounce_rate", "exit_rate") == (
        "https://portal.example.com/",
        "pageUrl==https%3A%2F%2Fportal.example.com%2F",
        1,
        "0%",
        "0%",
    )
    folder = known.every_format("Actions.getPageUrls", idSubtable=docs["idsubdatatable"])
    start = by_label(folder)["/start"]
    assert pick(start, "nb_hits", "nb_visits", "nb_uniq_visitors", "sum_time_spent") == (
        3,
        3,
        2,
        95,
    )
    assert pick(start, "avg_time_on_page", "bounce_rate", "exit_rate") == (32, "50%", "67%")
    assert pick(start, "avg_time_network", "avg_time_server", "avg_page_load_time") == (
        0.01,
        0.15,
        0.16,
    )
    assert (start["url"], start["segment"]) == (
        START,
        "pageUrl==https%3A%2F%2Fportal.example.com%2Fdocs%2Fstart",
    )
    install = by_label(folder)["/install"]
    assert pick(install, "sum_time_spent", "exit_nb_visits", "exit_rate") == (60, 1, "100%")


def test_page_titles(known: Known) -> None:
    top = known.every_format("Actions.getPageTitles")
    assert [(r["label"], r["nb_hits"], r["segment"]) for r in top] == [
        ("Docs", 4, "pageTitle=^Docs"),
        ("Home", 1, "pageTitle==Home"),
    ]
    inside = known.every_format("Actions.getPageTitles", idSubtable=top[0]["idsubdatatable"])
    assert [(r["label"], r["nb_hits"], r["sum_time_spent"]) for r in inside] == [
        ("Start", 3, 95),
        ("Install", 1, 60),
    ]
    expanded = known.json("Actions.getPageTitles", expanded=1)
    assert expanded[0]["subtable"][0]["segment"] == "pageTitle==Docs%20%2F%20Start"


def test_entry_and_exit_pages(known: Known) -> None:
    entries = known.every_format("Actions.getEntryPageUrls")
    assert [(r["label"], r["entry_nb_visits"]) for r in entries] == [("docs", 2), ("/index", 1)]
    entry_titles = known.every_format("Actions.getEntryPageTitles")
    assert {r["label"]: r["entry_bounce_count"] for r in entry_titles} == {"Docs": 1, "Home": 0}
    exits = known.every_format("Actions.getExitPageUrls")
    assert [(r["label"], r["exit_nb_visits"]) for r in exits] == [("docs", 3)]
    exit_titles = known.every_format("Actions.getExitPageTitles")
    assert [(r["label"], r["exit_rate"]) for r in exit_titles] == [("Docs", "75%")]


def test_single_page_methods(known: Known) -> None:
    url = known.every_format("Actions.getPageUrl", pageUrl=START)
    assert [(r["label"], r["nb_hits"], r["url"]) for r in url] == [("/start", 3, START)]
    home = known.json("Actions.getPageUrl", pageUrl="https://portal.example.com/")
    assert [r["label"] for r in home] == ["/index"]
    assert known.json("Actions.getPageUrl", pageUrl="https://portal.example.com/nope") == []
    title = known.every_format("Actions.getPageTitle", pageName="Docs / Start")
    assert [(r["label"], r["nb_hits"]) for r in title] == [("Start", 3)]
    download = known.every_format(
        "Actions.getDownload", downloadUrl="https://files.example.com/guide.pdf"
    )
    assert [(r["label"], r["nb_hits"]) for r in download] == [
        ("https://files.example.com/guide.pdf", 1)
    ]
    outlink = known.every_format("Actions.getOutlink", outlinkUrl="https://ext.example.org/x")
    assert [(r["label"], r["nb_visits"]) for r in outlink] == [("https://ext.example.org/x", 1)]


def test_downloads_and_outlinks_by_host(known: Known) -> None:
    for method, segment, host, url in (
        ("Actions.getDownloads", "downloadUrl", "files.example.com", "guide.pdf"),
        ("Actions.getOutlinks", "outlinkUrl", "ext.example.org", "x"),
    ):
        hosts = known.every_format(method)
        assert [list(r) for r in hosts] == [
            ["label", "nb_hits", "nb_visits", "nb_uniq_visitors", "segment", "idsubdatatable"]
        ]
        assert (hosts[0]["label"], hosts[0]["segment"]) == (host, f"{segment}=@%2F%2F{host}")
        links = known.every_format(method, idSubtable=hosts[0]["idsubdatatable"])
        full = f"https://{host}/{url}"
        assert [(r["label"], r["url"], r["nb_hits"]) for r in links] == [(full, full, 1)]
        expanded = known.json(method, expanded=1)
        child = expanded[0]["subtable"][0]
        assert child["segment"] == f"{segment}==https%3A%2F%2F{host}%2F{url}"


def test_site_search(known: Known) -> None:
    keywords = known.every_format("Actions.getSiteSearchKeywords")
    assert keywords == [
        {
            "label": "pricing",
            "nb_hits": 1,
            "nb_visits": 1,
            "nb_uniq_visitors": 1,
            "sum_time_spent": 30,
            "exit_nb_visits": 0,
            "nb_pages_per_search": 1,
            "avg_time_on_page": 30,
            "bounce_rate": "0%",
            "exit_rate": "0%",
            "segment": "siteSearchKeyword==pricing",
        }
    ]
    no_result = known.every_format("Actions.getSiteSearchNoResultKeywords")
    assert [(r["label"], r["nb_hits"], r["sum_time_spent"]) for r in no_result] == [
        ("pricing", 1, 30)
    ]
    categories = known.every_format("Actions.getSiteSearchCategories")
    assert categories == [
        {
            "label": "docs",
            "nb_visits": 1,
            "nb_actions": 1,
            "nb_pages_per_search": 1,
            "segment": "siteSearchCategory==docs",
        }
    ]


def test_events_and_their_subtables(known: Known) -> None:
    reports = {
        "getCategory": (
            "Video",
            {"getActionFromCategoryId": "play", "getNameFromCategoryId": "intro"},
        ),
        "getAction": ("play", {"getNameFromActionId": "intro", "getCategoryFromActionId": "Video"}),
        "getName": ("intro", {"getActionFromNameId": "play", "getCategoryFromNameId": "Video"}),
    }
    segments = {"getCategory": "eventCategory", "getAction": "eventAction", "getName": "eventName"}
    for action, (label, subtables) in reports.items():
        rows = known.every_format(f"Events.{action}")
        assert len(rows) == 1
        row = rows[0]
        assert {k: row[k] for k in EVENT} == EVENT
        assert (row["label"], row["segment"]) == (label, f"{segments[action]}=={label}")
        for method, child in subtables.items():
            inside = known.every_format(f"Events.{method}", idSubtable=row["idsubdatatable"])
            assert [(r["label"], r["nb_events"]) for r in inside] == [(child, 1)], method
    by_name = known.json("Events.getCategory", secondaryDimension="eventName", expanded=1)
    assert [r["label"] for r in by_name[0]["subtable"]] == ["intro"]
    week = known.json("Events.getCategory", period="week")
    assert (week[0]["nb_events"], week[0]["sum_daily_nb_uniq_visitors"]) == (1, 1)


def test_contents(known: Known) -> None:
    banner = {
        "nb_impressions": 1,
        "nb_interactions": 1,
        "nb_visits": 1,
        "nb_uniq_visitors": 1,
        "interaction_rate": "100%",
    }
    for method, label, segment, child in (
        ("Contents.getContentNames", "Banner", "contentName", "spring.png"),
        ("Contents.getContentPieces", "spring.png", "contentPiece", "Banner"),
    ):
        rows = known.every_format(method)
        assert [(r["label"], r["segment"]) for r in rows] == [(label, f"{segment}=={label}")]
        assert {k: rows[0][k] for k in banner} == banner
        inside = known.every_format(method, idSubtable=rows[0]["idsubdatatable"])
        assert [(r["label"], r["interaction_rate"]) for r in inside] == [(child, "100%")]
    raw = known.json("Contents.getContentNames", format_metrics=0)
    assert raw[0]["interaction_rate"] == 1
