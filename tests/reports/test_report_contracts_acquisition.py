"""Contract of the acquisition, goal, ecommerce and custom dimension reports on the known day,
and of the `API.*` methods that describe reports."""

from __future__ import annotations

from analytics_server.reports.registry import REPORTS
from tests.reports.test_report_contracts import VISIT_COLUMNS, Known, by_label, known

__all__ = ["known"]


def test_channel_types(known: Known) -> None:
    channels = known.every_format("Referrers.getReferrerType")
    assert [(r["label"], r["referer_type"], r["segment"], r["nb_visits"]) for r in channels] == [
        ("Direct Entry", 1, "referrerType==direct", 1),
        ("Search Engines", 2, "referrerType==search", 1),
        ("Campaigns", 6, "referrerType==campaign", 1),
    ]
    assert [list(r)[: len(VISIT_COLUMNS)] for r in channels] == [VISIT_COLUMNS] * 3
    search = channels[1]
    assert (search["nb_conversions"], search["revenue"]) == (1, 10)
    assert search["goals"] == {
        "idgoal=1": {"nb_conversions": 1, "nb_visits_converted": 1, "revenue": 10}
    }
    everything = known.every_format("Referrers.getAll")
    assert [(r["label"], r["referer_type"], r["segment"]) for r in everything] == [
        ("google", "Search Engines", "referrerName==google"),
        ("spring", "Campaigns", "referrerName==spring"),
    ]


def test_referrers_overview_and_counters(known: Known) -> None:
    overview = known.every_format("Referrers.get")
    assert overview["Referrers_visitorsFromSearchEngines"] == 1
    assert overview["Referrers_visitorsFromSearchEngines_percent"] == "33%"
    assert overview["Referrers_visitorsFromWebsites_percent"] == "0%"
    assert overview["Referrers_distinctCampaigns"] == 1
    counters = {
        "getNumberOfDistinctSearchEngines": 1,
        "getNumberOfDistinctKeywords": 1,
        "getNumberOfDistinctCampaigns": 1,
        "getNumberOfDistinctWebsites": 0,
        "getNumberOfDistinctWebsitesUrls": 0,
        "getNumberOfDistinctSocialNetworks": 0,
    }
    for action, value in counters.items():
        assert known.json(f"Referrers.{action}") == {"value": value}, action


def test_search_engines_keywords_and_campaigns(known: Known) -> None:
    pairs = (
        (
            "getSearchEngines",
            "google",
            "referrerName",
            "getKeywordsFromSearchEngineId",
            "analytics",
        ),
        ("getKeywords", "analytics", "referrerKeyword", "getSearchEnginesFromKeywordId", "google"),
        ("getCampaigns", "spring", "referrerName", "getKeywordsFromCampaignId", "mail"),
    )
    for action, label, segment, subtable, child in pairs:
        rows = known.every_format(f"Referrers.{action}")
        assert [(r["label"], r["segment"]) for r in rows] == [(label, f"{segment}=={label}")]
        inside = known.every_format(f"Referrers.{subtable}", idSubtable=rows[0]["idsubdatatable"])
        assert [(r["label"], r["nb_visits"]) for r in inside] == [(child, 1)], subtable
        flat = known.json(f"Referrers.{action}", flat=1)
        assert [r["label"] for r in flat] == [f"{label} - {child}"]
    assert known.every_format("Referrers.getWebsites") == []
    assert known.every_format("Referrers.getSocials") == []
    campaigns = {
        "getSource": ("newsletter", "campaignSource==newsletter"),
        "getMedium": ("email", "campaignMedium==email"),
    }
    for action, (label, segment) in campaigns.items():
        rows = known.every_format(f"MarketingCampaignsReporting.{action}")
        assert [(r["label"], r["segment"], r["nb_visits"]) for r in rows] == [(label, segment, 1)]
    both = known.every_format("MarketingCampaignsReporting.getSourceMedium")
    assert [r["label"] for r in both] == ["newsletter - email"]


def test_goals_overview_and_each_goal(known: Known) -> None:
    for method in ("Goals.get", "Goals.getMetrics"):
        assert known.every_format(method) == {
            "nb_conversions": 2,
            "nb_visits_converted": 2,
            "revenue": 40,
            "conversion_rate": "66.67%",
        }
    goal = known.every_format("Goals.get", idGoal=1)
    assert goal == {
        "nb_conversions": 1,
        "nb_visits_converted": 1,
        "revenue": 10,
        "nb_conversions_new_visit": 1,
        "nb_visits_converted_new_visit": 1,
        "revenue_new_visit": 10,
        "nb_conversions_returning_visit": 0,
        "nb_visits_converted_returning_visit": 0,
        "revenue_returning_visit": 0,
        "conversion_rate": "33.33%",
    }
    order = known.every_format("Goals.get", idGoal="ecommerceOrder")
    assert {k: order[k] for k in ("nb_conversions", "revenue", "items", "revenue_subtotal")} == {
        "nb_conversions": 1,
        "revenue": 30,
        "items": 2,
        "revenue_subtotal": 30,
    }
    assert (order["revenue_tax"], order["revenue_shipping"], order["revenue_discount"]) == (0, 0, 0)
    assert (order["avg_order_revenue"], order["conversion_rate"]) == (30, "33.33%")
    assert order["revenue_returning_visit"] == 30
    money = known.json("Goals.get", idGoal="ecommerceOrder", format_metrics=1)
    assert money["avg_order_revenue"] == "$30.00"
    cart = known.every_format("Goals.get", idGoal="ecommerceAbandonedCart")
    assert (cart["nb_conversions"], cart["items"]) == (0, 0)
    assert "avg_order_revenue" not in cart
    month = known.json("Goals.get", idGoal=1, period="month")
    assert month["nb_conversions"] == 1
    assert month["conversion_rate"] == "20%"  # one conversion in five visits


def test_conversion_buckets(known: Known) -> None:
    days = known.every_format("Goals.getDaysToConversion")
    assert [(r["label"], r["nb_conversions"]) for r in days] == [("0 days", 1), ("3 days", 1)]
    visits = known.every_format("Goals.getVisitsUntilConversion")
    assert [(r["label"], r["nb_conversions"]) for r in visits] == [("1 visit", 1), ("2 visits", 1)]
    assert visits[0]["goal_1_nb_conversions"] == 1


def test_products(known: Known) -> None:
    for method, label, segment in (
        ("Goals.getItemsSku", "SKU1", "productSku"),
        ("Goals.getItemsName", "Boots", "productName"),
        ("Goals.getItemsCategory", "Shoes", "productCategory"),
    ):
        assert known.every_format(method) == [
            {
                "label": label,
                "revenue": 30,
                "quantity": 2,
                "orders": 1,
                "nb_visits": 1,
                "avg_price": 15,
                "avg_quantity": 2,
                "conversion_rate": "100%",
                "segment": f"{segment}=={label}",
            }
        ]
        assert known.every_format(method, abandonedCarts=1) == []


def test_custom_dimensions_follow_their_scope(known: Known) -> None:
    company = known.dimension("Company")
    visits = known.every_format("CustomDimensions.getCustomDimension", idDimension=company)
    assert [(r["label"], r["segment"], r["nb_visits"]) for r in visits] == [
        ("Acme", f"dimension{company}==Acme", 2),
        ("Beta", f"dimension{company}==Beta", 1),
    ]
    assert list(visits[0])[: len(VISIT_COLUMNS)] == VISIT_COLUMNS
    assert (visits[0]["avg_time_on_site"], visits[1]["bounce_rate"]) == (104, "100%")
    layout = known.dimension("Layout")
    hits = known.every_format("CustomDimensions.getCustomDimension", idDimension=layout)
    assert hits == [
        {
            "label": "grid",
            "nb_hits": 2,
            "nb_visits": 2,
            "nb_uniq_visitors": 1,
            "avg_time_on_dimension": 0,
            "segment": f"dimension{layout}==grid",
            "idsubdatatable": 1,
        },
        {
            "label": "list",
            "nb_hits": 1,
            "nb_visits": 1,
            "nb_uniq_visitors": 1,
            "avg_time_on_dimension": 0,
            "segment": f"dimension{layout}==list",
            "idsubdatatable": 2,
        },
    ]
    pages = known.every_format(
        "CustomDimensions.getCustomDimension", idDimension=layout, idSubtable=1
    )
    assert sorted(r["label"] for r in pages) == [
        "https://portal.example.com/",
        "https://portal.example.com/docs/start",
    ]
    message = known.client.get(
        "/index.php",
        params={
            "module": "API",
            "method": "CustomDimensions.getCustomDimension",
            "idSite": known.idsite,
            "period": "day",
            "date": "2026-03-10",
            "idDimension": 999,
            "format": "json",
            "token_auth": known.token,
        },
    ).json()
    assert message["result"] == "error"
    assert "999" in message["message"]


def test_report_metadata_lists_every_report_completely(known: Known) -> None:
    entries = known.json("API.getReportMetadata")
    keys = {"category", "subcategory", "name", "module", "action", "metrics", "uniqueId", "order"}
    for entry in entries:
        assert keys <= set(entry), entry["uniqueId"]
        assert "processedMetrics" in entry
    methods = {f"{e['module']}.{e['action']}" for e in entries}
    assert methods == set(REPORTS)
    ids = {e["uniqueId"]: e for e in entries}
    assert {"Goals_get_idGoal--1", "Goals_get_idGoal--ecommerceOrder", "VisitsSummary_get"} <= set(
        ids
    )
    assert ids["VisitsSummary_get"]["metrics"]["nb_visits"] == "Visits"
    assert "bounce_rate" in ids["VisitsSummary_get"]["processedMetrics"]
    assert ids["VisitsSummary_get"]["metricsDocumentation"]["nb_visits"]
    order = ids["Goals_get_idGoal--ecommerceOrder"]
    assert order["parameters"] == {"idGoal": "ecommerceOrder"}
    assert {"revenue_subtotal", "items"} <= set(order["metrics"])
    assert "avg_order_revenue" in order["processedMetrics"]
    layout = ids[f"CustomDimensions_getCustomDimension_idDimension--{known.dimension('Layout')}"]
    assert (layout["name"], layout["dimension"]) == ("Layout", "Layout")
    assert "nb_hits" in layout["metrics"]
    assert set(layout["processedMetrics"]) == {"avg_time_on_dimension"}
    company = ids[f"CustomDimensions_getCustomDimension_idDimension--{known.dimension('Company')}"]
    assert "bounce_rate" in company["processedMetrics"]
    pages = ids["Actions_getPageUrls"]
    assert (pages["dimension"], pages["actionToLoadSubTables"]) == ("Page URL", "getPageUrls")
    assert ids["Actions_getPageUrl"]["dimension"] == "Page URL"
    assert ids["Events_getNameFromCategoryId"]["isSubtableReport"] is True
    assert len({e["order"] for e in entries if "parameters" not in e}) > 50
    only = known.json("API.getReportMetadata", apiModule="Actions", apiAction="getPageUrls")
    assert [e["uniqueId"] for e in only] == ["Actions_getPageUrls"]


def test_processed_report(known: Known) -> None:
    found = known.json("API.getProcessedReport", apiModule="UserCountry", apiAction="getCountry")
    assert found["metadata"]["uniqueId"] == "UserCountry_getCountry"
    assert found["columns"]["label"] == "Country"
    assert found["columns"]["nb_visits"] == "Visits"
    assert [r["label"] for r in found["reportData"]] == ["Germany", "France"]
    assert found["reportTotal"]["nb_visits"] == 3
    layout = known.json(
        "API.getProcessedReport",
        apiModule="CustomDimensions",
        apiAction="getCustomDimension",
        idDimension=known.dimension("Layout"),
    )
    assert "avg_time_on_dimension" in layout["columns"]
    assert by_label(layout["reportData"])["grid"]["nb_hits"] == 2


def test_all_websites_overview(known: Known) -> None:
    """MultiSites: each site's totals, the previous period's and the change (the day before
    the known day had one visit of one page view, no revenue)."""
    row = {
        "label": "Portal",
        "nb_visits": 3,
        "nb_actions": 9,
        "nb_pageviews": 5,
        "revenue": 40,
        "visits_evolution": "200%",
        "previous_nb_visits": 1,
        "actions_evolution": "800%",
        "previous_nb_actions": 1,
        "pageviews_evolution": "400%",
        "previous_nb_pageviews": 1,
        "revenue_evolution": "100%",
        "previous_revenue": 0,
        "idsite": known.idsite,
        "group": "",
        "main_url": "https://portal.example.com",
    }
    assert known.every_format("MultiSites.getOne") == [row]
    everything = known.every_format("MultiSites.getAll")
    assert everything == [row]
    week = known.json("MultiSites.getAll", period="week")
    assert (week[0]["nb_visits"], week[0]["previous_nb_visits"], week[0]["visits_evolution"]) == (
        5,
        0,
        "100%",
    )
