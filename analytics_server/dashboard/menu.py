"""The dashboard's sections, pages and widgets: which report each shows, and how.

A widget names an API method and its parameters, a view (table, evolution graph, metrics),
and the columns a table shows. Pages of custom dimensions and goals are generated per site.
Titles are English message ids, translated when rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analytics_server.sites.service import SiteConfig


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    kind: str = "number"  # number | percent | duration | money | seconds | text


COLUMNS = {
    c.name: c
    for c in (
        Column("nb_visits", "Visits"),
        Column("nb_uniq_visitors", "Unique visitors"),
        Column("nb_users", "Users"),
        Column("nb_actions", "Actions"),
        Column("nb_actions_per_visit", "Actions per visit"),
        Column("avg_time_on_site", "Avg. time on site", "duration"),
        Column("bounce_rate", "Bounce rate", "percent"),
        Column("nb_visits_converted", "Visits converted"),
        Column("nb_hits", "Pageviews"),
        Column("sum_time_spent", "Time spent", "duration"),
        Column("avg_time_on_page", "Avg. time on page", "duration"),
        Column("entry_nb_visits", "Entrances"),
        Column("exit_nb_visits", "Exits"),
        Column("exit_rate", "Exit rate", "percent"),
        Column("avg_page_load_time", "Avg. page load time", "seconds"),
        Column("avg_time_network", "Network time", "seconds"),
        Column("avg_time_server", "Server time", "seconds"),
        Column("avg_time_transfer", "Transfer time", "seconds"),
        Column("avg_time_dom_processing", "DOM processing", "seconds"),
        Column("avg_time_dom_completion", "DOM completion", "seconds"),
        Column("avg_time_on_load", "On load time", "seconds"),
        Column("nb_pages_per_search", "Search results pages"),
        Column("nb_events", "Events"),
        Column("nb_events_with_value", "Events with a value"),
        Column("sum_event_value", "Total event value"),
        Column("avg_event_value", "Avg. event value"),
        Column("nb_impressions", "Impressions"),
        Column("nb_interactions", "Interactions"),
        Column("interaction_rate", "Interaction rate", "percent"),
        Column("nb_conversions", "Conversions"),
        Column("conversion_rate", "Conversion rate", "percent"),
        Column("revenue", "Revenue", "money"),
        Column("quantity", "Quantity"),
        Column("orders", "Orders"),
        Column("avg_price", "Avg. price", "money"),
        Column("avg_order_revenue", "Avg. order value", "money"),
        Column("max_actions", "Max actions"),
        Column("sum_visit_length", "Total time on site", "duration"),
        Column("bounce_count", "Bounces"),
        Column("nb_pageviews", "Pageviews"),
        Column("nb_uniq_pageviews", "Unique pageviews"),
        Column("nb_downloads", "Downloads"),
        Column("nb_outlinks", "Outlinks"),
        Column("nb_searches", "Searches"),
        Column("nb_keywords", "Unique keywords"),
        Column("nb_visits_new", "New visits"),
        Column("nb_visits_returning", "Returning visits"),
        Column("bounce_rate_returning", "Bounce rate of returning visits", "percent"),
        Column("nb_actions_per_visit_returning", "Actions per returning visit"),
        Column("avg_time_on_site_returning", "Avg. time of returning visits", "duration"),
    )
}
VISITS = (
    "nb_visits",
    "nb_actions_per_visit",
    "avg_time_on_site",
    "bounce_rate",
    "nb_visits_converted",
)
PAGES = (
    "nb_hits",
    "nb_visits",
    "bounce_rate",
    "avg_time_on_page",
    "exit_rate",
    "avg_page_load_time",
)
ENTRIES = ("entry_nb_visits", "nb_hits", "bounce_rate", "avg_time_on_page")
EXITS = ("exit_nb_visits", "nb_hits", "exit_rate", "avg_time_on_page")
LINKS = ("nb_visits", "nb_hits")
SEARCHES = ("nb_visits", "nb_hits", "nb_pages_per_search", "exit_rate")
EVENTS = ("nb_events", "nb_visits", "nb_events_with_value", "sum_event_value", "avg_event_value")
CONTENTS = ("nb_impressions", "nb_interactions", "interaction_rate")
PRODUCTS = ("revenue", "quantity", "orders", "avg_price", "conversion_rate")
PERFORMANCE = (
    "nb_hits",
    "avg_time_network",
    "avg_time_server",
    "avg_time_transfer",
    "avg_time_dom_processing",
    "avg_time_dom_completion",
    "avg_time_on_load",
    "avg_page_load_time",
)
SALES = ("nb_visits", "nb_conversions", "revenue")
GOAL_SUMMARY = ("nb_conversions", "nb_visits_converted", "revenue", "conversion_rate")
SUMMARY = (
    "nb_visits",
    "nb_uniq_visitors",
    "nb_actions",
    "nb_actions_per_visit",
    "avg_time_on_site",
    "bounce_rate",
    "max_actions",
    "nb_visits_converted",
)


@dataclass(frozen=True)
class Widget:
    id: str
    title: str
    method: str
    params: tuple[tuple[str, str], ...] = ()
    view: str = "table"  # table | evolution | metrics | visits_log | realtime | map
    columns: tuple[str, ...] = VISITS


@dataclass(frozen=True)
class Page:
    section: str
    slug: str
    title: str
    widgets: tuple[Widget, ...] = field(default_factory=tuple)

    @property
    def path(self) -> str:
        return f"{self.section}/{self.slug}"


def _w(
    wid: str,
    title: str,
    method: str,
    columns: tuple[str, ...] = VISITS,
    *,
    view: str = "table",
    **params: str,
) -> Widget:
    """A widget of `view` over `method`, whose API parameters are the keyword arguments."""
    return Widget(wid, title, method, tuple(params.items()), view, columns)


REALTIME = _w("realtime", "Real-time", "Live.getCounters", view="realtime")


SECTIONS = (
    ("visitors", "Visitors"),
    ("behaviour", "Behaviour"),
    ("acquisition", "Acquisition"),
    ("goals", "Goals"),
    ("ecommerce", "Ecommerce"),
)

STATIC_PAGES: tuple[Page, ...] = (
    Page(
        "visitors",
        "overview",
        "Overview",
        (
            _w(
                "visits-evolution",
                "Visits over time",
                "VisitsSummary.get",
                ("nb_visits", "nb_uniq_visitors", "nb_actions", "bounce_rate"),
                view="evolution",
            ),
            _w("visits-summary", "Visits summary", "VisitsSummary.get", SUMMARY, view="metrics"),
        ),
    ),
    Page(
        "visitors",
        "log",
        "Visits log",
        (_w("visits-log", "Visits log", "Live.getLastVisitsDetails", view="visits_log"),),
    ),
    Page("visitors", "realtime", "Real-time", (REALTIME,)),
    Page(
        "visitors",
        "locations",
        "Locations",
        (
            _w("country-map", "Visitor map", "UserCountry.getCountry", view="map"),
            _w("countries", "Country", "UserCountry.getCountry"),
            _w("continents", "Continent", "UserCountry.getContinent"),
            _w("regions", "Region", "UserCountry.getRegion"),
            _w("cities", "City", "UserCountry.getCity"),
            _w("languages", "Browser language", "UserLanguage.getLanguage"),
            _w("named-locations", "Office or network", "UserCountry.getNamedLocation"),
        ),
    ),
    Page(
        "visitors",
        "devices",
        "Devices",
        (
            _w("device-types", "Device type", "DevicesDetection.getType"),
            _w("device-brands", "Device brand", "DevicesDetection.getBrand"),
            _w("device-models", "Device model", "DevicesDetection.getModel"),
            _w("resolutions", "Screen resolution", "Resolution.getResolution"),
        ),
    ),
    Page(
        "visitors",
        "software",
        "Software",
        (
            _w("os", "Operating system", "DevicesDetection.getOsFamilies"),
            _w("os-versions", "Operating system version", "DevicesDetection.getOsVersions"),
            _w("browsers", "Browser", "DevicesDetection.getBrowsers"),
            _w("browser-versions", "Browser version", "DevicesDetection.getBrowserVersions"),
            _w("engines", "Browser engine", "DevicesDetection.getBrowserEngines"),
            _w("configurations", "Configuration", "Resolution.getConfiguration"),
        ),
    ),
    Page(
        "visitors",
        "times",
        "Times",
        (
            _w("local-time", "Visits per local time", "VisitTime.getVisitInformationPerLocalTime"),
            _w("server-time", "Visits per site time", "VisitTime.getVisitInformationPerServerTime"),
            _w("day-of-week", "Visits by day of week", "VisitTime.getByDayOfWeek"),
        ),
    ),
    Page(
        "visitors",
        "engagement",
        "Engagement",
        (
            _w(
                "frequency",
                "Returning visits",
                "VisitFrequency.get",
                (
                    "nb_visits_new",
                    "nb_visits_returning",
                    "bounce_rate_returning",
                    "nb_actions_per_visit_returning",
                    "avg_time_on_site_returning",
                ),
                view="metrics",
            ),
            _w(
                "visit-duration",
                "Visit length",
                "VisitorInterest.getNumberOfVisitsPerVisitDuration",
                ("nb_visits",),
            ),
            _w(
                "pages-per-visit",
                "Pages per visit",
                "VisitorInterest.getNumberOfVisitsPerPage",
                ("nb_visits",),
            ),
            _w(
                "visit-number",
                "Visit number",
                "VisitorInterest.getNumberOfVisitsByVisitCount",
                ("nb_visits",),
            ),
            _w(
                "days-since-last",
                "Days since last visit",
                "VisitorInterest.getNumberOfVisitsByDaysSinceLast",
                ("nb_visits",),
            ),
        ),
    ),
    Page("visitors", "user-ids", "User IDs", (_w("user-ids", "User IDs", "UserId.getUsers"),)),
    Page(
        "behaviour", "pages", "Pages", (_w("page-urls", "Page URLs", "Actions.getPageUrls", PAGES),)
    ),
    Page(
        "behaviour",
        "entry-pages",
        "Entry pages",
        (_w("entry-pages", "Entry pages", "Actions.getEntryPageUrls", ENTRIES),),
    ),
    Page(
        "behaviour",
        "exit-pages",
        "Exit pages",
        (_w("exit-pages", "Exit pages", "Actions.getExitPageUrls", EXITS),),
    ),
    Page(
        "behaviour",
        "page-titles",
        "Page titles",
        (_w("page-titles", "Page titles", "Actions.getPageTitles", PAGES),),
    ),
    Page(
        "behaviour",
        "site-search",
        "Site search",
        (
            _w(
                "search-keywords", "Site search keywords", "Actions.getSiteSearchKeywords", SEARCHES
            ),
            _w(
                "search-no-results",
                "Searches without results",
                "Actions.getSiteSearchNoResultKeywords",
                SEARCHES,
            ),
            _w(
                "search-categories",
                "Search categories",
                "Actions.getSiteSearchCategories",
                ("nb_visits", "nb_pages_per_search"),
            ),
        ),
    ),
    Page(
        "behaviour",
        "outlinks",
        "Outlinks",
        (_w("outlinks", "Outlinks", "Actions.getOutlinks", LINKS),),
    ),
    Page(
        "behaviour",
        "downloads",
        "Downloads",
        (_w("downloads", "Downloads", "Actions.getDownloads", LINKS),),
    ),
    Page(
        "behaviour",
        "events",
        "Events",
        (
            _w("event-categories", "Event categories", "Events.getCategory", EVENTS),
            _w("event-actions", "Event actions", "Events.getAction", EVENTS),
            _w("event-names", "Event names", "Events.getName", EVENTS),
        ),
    ),
    Page(
        "behaviour",
        "contents",
        "Contents",
        (
            _w("content-names", "Content names", "Contents.getContentNames", CONTENTS),
            _w("content-pieces", "Content pieces", "Contents.getContentPieces", CONTENTS),
        ),
    ),
    Page(
        "behaviour",
        "performance",
        "Page performance",
        (
            _w(
                "performance",
                "Page load times",
                "PagePerformance.get",
                PERFORMANCE[1:],
                view="metrics",
            ),
            _w("performance-urls", "Page URLs", "Actions.getPageUrls", PERFORMANCE),
            _w("performance-titles", "Page titles", "Actions.getPageTitles", PERFORMANCE),
        ),
    ),
    Page(
        "acquisition",
        "channels",
        "Channel types",
        (
            _w("channels", "Channel type", "Referrers.getReferrerType"),
            _w("all-referrers", "All referrers", "Referrers.getAll"),
        ),
    ),
    Page(
        "acquisition",
        "search-engines",
        "Search engines and keywords",
        (
            _w("search-engines", "Search engines", "Referrers.getSearchEngines"),
            _w("keywords", "Keywords", "Referrers.getKeywords"),
        ),
    ),
    Page(
        "acquisition",
        "websites",
        "Websites",
        (_w("websites", "Websites", "Referrers.getWebsites"),),
    ),
    Page(
        "acquisition",
        "social",
        "Social networks",
        (_w("socials", "Social networks", "Referrers.getSocials"),),
    ),
    Page(
        "acquisition",
        "campaigns",
        "Campaigns",
        (
            _w("campaigns", "Campaigns", "Referrers.getCampaigns"),
            _w("campaign-sources", "Campaign sources", "MarketingCampaignsReporting.getSource"),
            _w("campaign-mediums", "Campaign mediums", "MarketingCampaignsReporting.getMedium"),
        ),
    ),
    Page(
        "goals",
        "overview",
        "Goals overview",
        (
            _w(
                "goals-evolution",
                "Conversions over time",
                "Goals.get",
                ("nb_conversions", "revenue", "conversion_rate"),
                view="evolution",
            ),
            _w("goals-summary", "Goals summary", "Goals.get", GOAL_SUMMARY, view="metrics"),
            _w("goals-by-channel", "Conversions by channel", "Referrers.getReferrerType", SALES),
            _w(
                "days-to-conversion",
                "Days to conversion",
                "Goals.getDaysToConversion",
                ("nb_conversions",),
            ),
            _w(
                "visits-to-conversion",
                "Visits to conversion",
                "Goals.getVisitsUntilConversion",
                ("nb_conversions",),
            ),
        ),
    ),
    Page(
        "ecommerce",
        "overview",
        "Ecommerce overview",
        (
            _w(
                "orders-evolution",
                "Orders over time",
                "Goals.get",
                ("nb_conversions", "revenue"),
                view="evolution",
                idGoal="ecommerceOrder",
            ),
            _w(
                "orders",
                "Orders",
                "Goals.get",
                ("nb_conversions", "revenue", "conversion_rate", "avg_order_revenue"),
                view="metrics",
                idGoal="ecommerceOrder",
            ),
        ),
    ),
    Page(
        "ecommerce",
        "products",
        "Products",
        (
            _w("product-skus", "Product SKU", "Goals.getItemsSku", PRODUCTS),
            _w("product-names", "Product name", "Goals.getItemsName", PRODUCTS),
            _w("product-categories", "Product category", "Goals.getItemsCategory", PRODUCTS),
        ),
    ),
    Page(
        "ecommerce",
        "sales",
        "Sales by dimension",
        (
            _w("sales-by-channel", "Sales by channel", "Referrers.getReferrerType", SALES),
            _w("sales-by-device", "Sales by device type", "DevicesDetection.getType", SALES),
            _w("sales-by-country", "Sales by country", "UserCountry.getCountry", SALES),
        ),
    ),
    Page(
        "ecommerce",
        "abandoned-carts",
        "Abandoned carts",
        (
            _w(
                "carts",
                "Abandoned carts",
                "Goals.get",
                ("nb_conversions", "revenue"),
                view="metrics",
                idGoal="ecommerceAbandonedCart",
            ),
            _w(
                "cart-products",
                "Products left in carts",
                "Goals.getItemsSku",
                PRODUCTS,
                abandonedCarts="1",
            ),
        ),
    ),
)


def pages(site: SiteConfig) -> list[Page]:
    """Every page for `site`: the fixed ones, one per custom dimension, one per goal."""
    found = list(STATIC_PAGES)
    for iddimension, dimension in sorted(site.dimensions.items()):
        columns = VISITS if dimension.scope == "visit" else ("nb_hits", "nb_visits")
        widget = _w(
            f"dimension-{iddimension}",
            dimension.name,
            "CustomDimensions.getCustomDimension",
            columns,
            idDimension=str(iddimension),
        )
        section = "visitors" if dimension.scope == "visit" else "behaviour"
        found.append(Page(section, f"dimension-{iddimension}", dimension.name, (widget,)))
    for idgoal, goal in sorted(site.goals.items()):
        widgets = (
            _w(
                f"goal-{idgoal}-evolution",
                "Conversions over time",
                "Goals.get",
                ("nb_conversions", "conversion_rate"),
                view="evolution",
                idGoal=str(idgoal),
            ),
            _w(
                f"goal-{idgoal}",
                goal.name,
                "Goals.get",
                GOAL_SUMMARY,
                view="metrics",
                idGoal=str(idgoal),
            ),
        )
        found.append(Page("goals", f"goal-{idgoal}", goal.name, widgets))
    if not site.ecommerce:
        found = [p for p in found if p.section != "ecommerce"]
    return found


def find(site: SiteConfig, section: str, slug: str) -> Page | None:
    return next((p for p in pages(site) if p.section == section and p.slug == slug), None)


def all_widgets(site: SiteConfig) -> dict[str, Widget]:
    return {w.id: w for page in pages(site) for w in page.widgets}
