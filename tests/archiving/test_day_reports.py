"""A day's archive holds exact numbers for every report family (Tokyo time, UTC+9)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from analytics_server.archiving.records import Record
from tests.archiving.traffic import Traffic, known_day, make_site, page, read, rows, search, sub

V = (
    "nb_visits",
    "nb_uniq_visitors",
    "nb_users",
    "nb_actions",
    "max_actions",
    "sum_visit_length",
    "bounce_count",
    "nb_visits_converted",
)


def visits(*values: int) -> dict[str, int]:
    return dict(zip(V, values, strict=True))


@pytest.fixture
def day(db: Session) -> dict[str, Record]:
    site = make_site(db)
    known_day(db, site.idsite)
    records = read(db, site, "day", "2026-03-10")
    # Ids differ per backend (MariaDB keeps counting after a test's rows are deleted).
    for dim in site.dimensions.values():
        record = f"CustomDimensions_getCustomDimension_idDimension--{dim.iddimension}"
        if record in records:
            records[f"dimension {dim.name}"] = records.pop(record)
    return records


def test_visits_summary_and_frequency(day: dict[str, Record]) -> None:
    assert day["VisitsSummary_get"] == visits(3, 2, 1, 9, 4, 207, 1, 2)
    frequency = day["VisitFrequency_get"]
    assert isinstance(frequency, dict)
    assert {k: v for k, v in frequency.items() if k.endswith("_new")} == {
        f"{k}_new": v for k, v in visits(1, 1, 1, 4, 4, 121, 0, 1).items()
    }
    assert {k: v for k, v in frequency.items() if k.endswith("_returning")} == {
        f"{k}_returning": v for k, v in visits(2, 2, 1, 5, 4, 86, 1, 1).items()
    }


def test_times_use_the_site_and_the_visitor_clock(day: dict[str, Record]) -> None:
    assert {
        k: m["nb_visits"]
        for k, m in rows(day["VisitTime_getVisitInformationPerServerTime"]).items()
    } == {"1": 1, "12": 1, "23": 1}
    assert {
        k: m["nb_visits"] for k, m in rows(day["VisitTime_getVisitInformationPerLocalTime"]).items()
    } == {"1": 1, "12": 1, "23": 1}
    assert rows(day["VisitTime_getByDayOfWeek"]) == {"2": visits(3, 2, 1, 9, 4, 207, 1, 2)}


def test_engagement_buckets(day: dict[str, Record]) -> None:
    def counts(name: str) -> dict[str, int | float]:
        return {k: m["nb_visits"] for k, m in rows(day[name]).items()}

    assert counts("VisitorInterest_getNumberOfVisitsPerVisitDuration") == {
        "0-10": 1,
        "61-120": 1,
        "121-240": 1,
    }
    assert counts("VisitorInterest_getNumberOfVisitsPerPage") == {"1": 1, "2": 1, "3": 1}
    assert counts("VisitorInterest_getNumberOfVisitsByVisitCount") == {"1": 1, "2": 1, "3": 1}
    assert counts("VisitorInterest_getNumberOfVisitsByDaysSinceLast") == {"0": 1, "2": 1}


def test_devices_software_locations_languages(day: dict[str, Record]) -> None:
    assert rows(day["DevicesDetection_getType"]) == {
        "0": visits(2, 2, 1, 5, 4, 121, 1, 1),
        "1": visits(1, 1, 1, 4, 4, 86, 0, 1),
    }
    assert set(rows(day["DevicesDetection_getModel"])) == {";", "SA;Galaxy"}
    assert {k: m["nb_visits"] for k, m in rows(day["DevicesDetection_getOsVersions"]).items()} == {
        "WIN;10": 1,
        "MAC;14": 1,
        "AND;14": 1,
    }
    browsers = rows(day["DevicesDetection_getBrowsers"])
    assert browsers["CH"] == visits(2, 1, 1, 8, 4, 207, 0, 2)
    assert browsers["FF"] == visits(1, 1, 0, 1, 1, 0, 1, 0)
    assert set(rows(day["DevicesDetection_getBrowserVersions"])) == {"CH;124", "FF;125"}
    assert set(rows(day["DevicesDetection_getBrowserEngines"])) == {"Blink", "Gecko"}
    assert set(rows(day["Resolution_getResolution"])) == {"1920x1080", "1440x900", "390x844"}
    assert set(rows(day["Resolution_getConfiguration"])) == {
        "WIN;CH;1920x1080",
        "MAC;FF;1440x900",
        "AND;CH;390x844",
    }
    assert rows(day["UserCountry_getCountry"]) == {
        "de": visits(2, 1, 1, 8, 4, 207, 0, 2),
        "fr": visits(1, 1, 0, 1, 1, 0, 1, 0),
    }
    assert set(rows(day["UserCountry_getRegion"])) == {"BE|de", "|fr"}
    assert set(rows(day["UserCountry_getCity"])) == {"Berlin|BE|de", "||fr"}
    assert {k: m["nb_visits"] for k, m in rows(day["UserCountry_getNamedLocation"]).items()} == {
        "HQ": 1
    }
    assert {k: m["nb_visits"] for k, m in rows(day["UserLanguage_getLanguageCode"]).items()} == {
        "de-de": 2,
        "fr": 1,
    }
    assert {k: m["nb_uniq_visitors"] for k, m in rows(day["UserLanguage_getLanguage"]).items()} == {
        "de": 1,
        "fr": 1,
    }


def test_users_and_custom_dimensions(day: dict[str, Record]) -> None:
    assert rows(day["UserId_getUsers"]) == {"anna": visits(2, 1, 1, 8, 4, 207, 0, 2)}
    company = rows(day["dimension Company"])
    assert {k: m["nb_visits"] for k, m in company.items()} == {"Acme": 2, "Beta": 1}
    layout = day["dimension Layout"]
    assert rows(layout) == {
        "grid": {"nb_hits": 2, "nb_visits": 2, "nb_uniq_visitors": 1},
        "list": {"nb_hits": 1, "nb_visits": 1, "nb_uniq_visitors": 1},
    }
    assert set(sub(layout, "grid")) == {
        "https://portal.example.com/docs/start",
        "https://portal.example.com/",
    }


def test_referrers(day: dict[str, Record]) -> None:
    assert {k: m["nb_visits"] for k, m in rows(day["Referrers_getReferrerType"]).items()} == {
        "1": 1,
        "2": 1,
        "6": 1,
    }
    engines = day["Referrers_getSearchEngines"]
    assert rows(engines) == {"google": visits(1, 1, 1, 4, 4, 121, 0, 1)}
    assert sub(engines, "google") == {"analytics": visits(1, 1, 1, 4, 4, 121, 0, 1)}
    assert set(sub(day["Referrers_getKeywords"], "analytics")) == {"google"}
    assert set(sub(day["Referrers_getCampaigns"], "spring")) == {"mail"}
    assert set(rows(day["Referrers_getAll"])) == {"2;google", "6;spring"}
    assert "Referrers_getWebsites" not in day
    assert day["Referrers_get"] == {
        "Referrers_visitorsFromDirectEntry": 1,
        "Referrers_visitorsFromSearchEngines": 1,
        "Referrers_visitorsFromWebsites": 0,
        "Referrers_visitorsFromCampaigns": 1,
        "Referrers_visitorsFromSocialNetworks": 0,
        "Referrers_distinctSearchEngines": 1,
        "Referrers_distinctKeywords": 1,
        "Referrers_distinctWebsites": 0,
        "Referrers_distinctWebsitesUrls": 0,
        "Referrers_distinctSocialNetworks": 0,
        "Referrers_distinctCampaigns": 1,
    }
    assert set(rows(day["MarketingCampaignsReporting_getSourceMedium"])) == {"newsletter - email"}
    assert set(rows(day["MarketingCampaignsReporting_getSource"])) == {"newsletter"}


def test_page_urls_as_a_folder_tree(day: dict[str, Record]) -> None:
    urls = day["Actions_getPageUrls"]
    assert set(rows(urls)) == {"docs", "/index"}
    assert rows(urls)["docs"]["nb_hits"] == 4
    start = sub(urls, "docs")["/start"]
    assert {k: v for k, v in start.items() if "time_" not in k or k == "sum_time_spent"} == {
        "nb_hits": 3,
        "nb_visits": 3,
        "nb_uniq_visitors": 2,
        "sum_time_spent": 95,
        "entry_nb_visits": 2,
        "entry_nb_uniq_visitors": 2,
        "entry_nb_actions": 5,
        "entry_sum_visit_length": 121,
        "entry_bounce_count": 1,
        "exit_nb_visits": 2,
        "exit_nb_uniq_visitors": 2,
    }
    assert (start["sum_time_server"], start["nb_hits_with_time_server"]) == (300, 2)
    assert (start["min_time_server"], start["max_time_server"]) == (100, 200)
    assert (start["sum_time_network"], start["nb_hits_with_time_network"]) == (10, 1)
    install = sub(urls, "docs")["/install"]
    assert (
        install["sum_time_spent"],
        install["exit_nb_visits"],
        install.get("entry_nb_visits"),
    ) == (60, 1, None)
    home = rows(urls)["/index"]
    assert (home["entry_nb_visits"], home["entry_nb_actions"], home["sum_time_spent"]) == (1, 4, 20)
    assert urls.rows["/index"].meta == {"url": "https://portal.example.com/"}  # type: ignore[union-attr]


def test_titles_search_links_and_totals(day: dict[str, Record]) -> None:
    titles = day["Actions_getPageTitles"]
    assert set(rows(titles)) == {"Docs", "Home"}
    assert sub(titles, "Docs")["Start"]["sum_time_spent"] == 95
    assert rows(titles)["Home"]["sum_time_spent"] == 20
    assert rows(day["Actions_getSiteSearchKeywords"]) == {
        "pricing": {
            "nb_hits": 1,
            "nb_visits": 1,
            "nb_uniq_visitors": 1,
            "sum_time_spent": 30,
            "exit_nb_visits": 0,
        }
    }
    assert set(rows(day["Actions_getSiteSearchNoResultKeywords"])) == {"pricing"}
    assert rows(day["Actions_getSiteSearchCategories"]) == {
        "docs": {"nb_visits": 1, "nb_actions": 1}
    }
    assert sub(day["Actions_getDownloads"], "files.example.com") == {
        "https://files.example.com/guide.pdf": {"nb_hits": 1, "nb_visits": 1, "nb_uniq_visitors": 1}
    }
    assert set(rows(day["Actions_getOutlinks"])) == {"ext.example.org"}
    assert day["Actions_get"] == {
        "nb_pageviews": 5,
        "nb_uniq_pageviews": 5,
        "nb_downloads": 1,
        "nb_uniq_downloads": 1,
        "nb_outlinks": 1,
        "nb_uniq_outlinks": 1,
        "nb_searches": 1,
        "nb_keywords": 1,
    }
    performance = day["PagePerformance_get"]
    assert isinstance(performance, dict)
    assert (performance["sum_time_server"], performance["nb_hits_with_time_server"]) == (600, 3)
    assert (performance["min_time_server"], performance["max_time_server"]) == (100, 300)


def test_search_keywords_count_the_visits_they_begin_and_end(db: Session) -> None:
    site = make_site(db)
    traffic = Traffic(db, site.idsite)
    at = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    home = "https://portal.example.com/"
    traffic.visit(at, [page(0, home), search(40, "refund", count=0)], visitor="a")
    traffic.visit(at, [search(0, "refund"), page(25, home)], visitor="b")
    traffic.visit(at, [search(0, "refund", count=0)], visitor="c")
    traffic.visit(at, [search(0, "pricing"), search(10, "refund")], visitor="d")
    db.commit()
    day = read(db, site, "day", "2026-03-10")
    refund = rows(day["Actions_getSiteSearchKeywords"])["refund"]
    assert {k: v for k, v in refund.items() if not k.startswith("entry_")} == {
        "nb_hits": 4,
        "nb_visits": 4,
        "nb_uniq_visitors": 4,
        "sum_time_spent": 25,
        "exit_nb_visits": 3,
        "exit_nb_uniq_visitors": 3,
    }
    assert (refund["entry_nb_visits"], refund["entry_bounce_count"]) == (2, 1)
    pricing = rows(day["Actions_getSiteSearchKeywords"])["pricing"]
    assert (pricing["exit_nb_visits"], pricing["sum_time_spent"]) == (0, 10)
    no_result = rows(day["Actions_getSiteSearchNoResultKeywords"])["refund"]
    assert (no_result["nb_hits"], no_result["nb_visits"]) == (2, 2)
    assert "exit_nb_visits" not in no_result  # known per keyword, not per search
    week = read(db, site, "week", "2026-03-10")
    assert rows(week["Actions_getSiteSearchKeywords"])["refund"]["exit_nb_visits"] == 3


def test_events_and_contents(day: dict[str, Record]) -> None:
    event = {
        "nb_events": 1,
        "nb_visits": 1,
        "nb_uniq_visitors": 1,
        "nb_events_with_value": 1,
        "sum_event_value": 5,
        "min_event_value": 5,
        "max_event_value": 5,
    }
    categories = day["Events_getCategory"]
    assert rows(categories) == {"Video": event}
    assert sub(categories, "Video") == {"play": event}
    assert sub(day["Events_getCategory_secondaryDimension--eventName"], "Video") == {"intro": event}
    assert sub(day["Events_getAction"], "play") == {"intro": event}
    assert sub(day["Events_getAction_secondaryDimension--eventCategory"], "play") == {
        "Video": event
    }
    assert sub(day["Events_getName"], "intro") == {"play": event}
    assert sub(day["Events_getName_secondaryDimension--eventCategory"], "intro") == {"Video": event}
    banner = {"nb_impressions": 1, "nb_interactions": 1, "nb_visits": 1, "nb_uniq_visitors": 1}
    assert rows(day["Contents_getContentNames"]) == {"Banner": banner}
    assert sub(day["Contents_getContentNames"], "Banner") == {"spring.png": banner}
    assert sub(day["Contents_getContentPieces"], "spring.png") == {"Banner": banner}


def test_goals_and_ecommerce(day: dict[str, Record]) -> None:
    assert day["Goals_get"] == {"nb_conversions": 2, "nb_visits_converted": 2, "revenue": 40}
    assert day["Goals_get_idGoal--1"] == {
        "nb_conversions": 1,
        "nb_visits_converted": 1,
        "revenue": 10,
        "nb_conversions_new_visit": 1,
        "nb_visits_converted_new_visit": 1,
        "revenue_new_visit": 10,
    }
    order = day["Goals_get_idGoal--ecommerceOrder"]
    assert isinstance(order, dict)
    assert (
        order["nb_conversions"],
        order["revenue"],
        order["items"],
        order["revenue_subtotal"],
    ) == (1, 30, 2, 30)
    assert order["revenue_returning_visit"] == 30
    assert "Goals_get_idGoal--ecommerceAbandonedCart" not in day
    channels = rows(day["Goals_Referrers_getReferrerType"])
    assert channels["2"] == {
        "goal_1_nb_conversions": 1,
        "goal_1_nb_visits_converted": 1,
        "goal_1_revenue": 10,
        "nb_conversions": 1,
        "revenue": 10,
        "nb_visits_converted": 1,
    }
    assert channels["6"]["goal_ecommerceOrder_revenue"] == 30
    assert set(rows(day["Goals_DevicesDetection_getType"])) == {"0", "1"}
    assert rows(day["Goals_UserCountry_getCountry"])["de"]["nb_conversions"] == 2
    assert {k: m["nb_conversions"] for k, m in rows(day["Goals_getDaysToConversion"]).items()} == {
        "0": 1,
        "3": 1,
    }
    assert {
        k: m["nb_conversions"] for k, m in rows(day["Goals_getVisitsUntilConversion"]).items()
    } == {"1": 1, "2": 1}
    sold = {"revenue": 30, "quantity": 2, "orders": 1, "nb_visits": 1}
    assert rows(day["Goals_getItemsSku"]) == {"SKU1": sold}
    assert rows(day["Goals_getItemsName"]) == {"Boots": sold}
    assert rows(day["Goals_getItemsCategory"]) == {"Shoes": sold}
    assert "Goals_getItemsSku_abandonedCarts--1" not in day


def test_neighbouring_days_hold_only_their_own_visits(db: Session) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    before = read(db, site, "day", "2026-03-09")["VisitsSummary_get"]
    after = read(db, site, "day", "2026-03-11")["VisitsSummary_get"]
    assert isinstance(before, dict)
    assert isinstance(after, dict)
    assert (before["nb_visits"], after["nb_visits"]) == (1, 1)
