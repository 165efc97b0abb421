"""Every report of the Reporting API: its Matomo method name, the archived record behind it,
its columns, processed metrics, label presenter and subtable method.

`REPORTS` maps `Module.action` to a `Report`; subtable methods (`Referrers.
getKeywordsFromSearchEngineId`...) are reports of their own that read the parent's record with
`idSubtable`. `API.getReportMetadata` is generated from this list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from analytics_server.archiving import events as archived_events
from analytics_server.archiving import pagetree
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.geography import continent_of
from analytics_server.kit.urls import url_host
from analytics_server.reports import labels
from analytics_server.reports import processed as pm
from analytics_server.reports.datatable import ApiRow
from analytics_server.reports.params import Params
from analytics_server.sites.service import SiteConfig

VISIT_COLUMNS = (
    "nb_uniq_visitors",
    "nb_visits",
    "nb_actions",
    "nb_users",
    "max_actions",
    "sum_visit_length",
    "bounce_count",
    "nb_visits_converted",
)
PAGE_COLUMNS = (
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
)
EVENT_COLUMNS = (
    "nb_uniq_visitors",
    "nb_visits",
    "nb_events",
    "nb_events_with_value",
    "sum_event_value",
    "min_event_value",
    "max_event_value",
)
CONTENT_COLUMNS = ("nb_visits", "nb_uniq_visitors", "nb_impressions", "nb_interactions")
LINK_COLUMNS = ("nb_visits", "nb_hits", "nb_uniq_visitors")
PRODUCT_COLUMNS = ("revenue", "quantity", "orders", "nb_visits")
SUMMARY_COLUMNS = (
    "nb_uniq_visitors",
    "nb_users",
    "nb_visits",
    "nb_actions",
    "nb_visits_converted",
    "bounce_count",
    "sum_visit_length",
    "max_actions",
)


@dataclass(frozen=True)
class Report:
    """One API report. `dimension` None means a report of one row of metrics."""

    module: str
    action: str
    name: str
    category: str
    record: str
    dimension: str | None = None
    metrics: tuple[str, ...] = VISIT_COLUMNS
    processed: tuple[pm.Processed, ...] = ()
    present: labels.Presenter | None = None
    flat_separator: str = " - "
    subtable_method: str | None = None
    is_subtable: bool = False
    natural_order: bool = False
    fill: tuple[str, ...] = ()
    sort: str = "nb_visits"
    record_for: Callable[[Params], str] | None = None
    keep: Callable[[ApiRow], bool] | None = None
    group: Callable[[str], str] | None = None
    goals_record: str | None = None
    parameters: tuple[str, ...] = field(default=())
    subcategory: str = ""
    # What the call's site and parameters change: a custom dimension's scope decides its
    # columns, the goal asked for decides Goals.get's.
    adapt: Callable[[Report, SiteConfig, Params], Report] | None = None
    # The presenter also knows the rows of a subtable asked for alone (`idSubtable`).
    present_subtables: bool = False
    # Single-row methods (Actions.getPageUrl...): the label path their parameter names.
    label_for: Callable[[Params], list[str]] | None = None

    @property
    def method(self) -> str:
        return f"{self.module}.{self.action}"

    @property
    def unique_id(self) -> str:
        return f"{self.module}_{self.action}"

    def record_name(self, params: Params) -> str:
        return self.record_for(params) if self.record_for is not None else self.record

    def for_site(self, site: SiteConfig, params: Params) -> Report:
        """This report as it answers for `site` and these parameters."""
        return self.adapt(self, site, params) if self.adapt is not None else self

    def labels(self, params: Params) -> list[str]:
        """The `label` filter: a single-row method's own path, else the `label` parameter."""
        return self.label_for(params) if self.label_for is not None else params.raw_list("label")


def _visit_report(
    module: str, action: str, name: str, category: str, dimension: str, **more: object
) -> Report:
    record = str(more.pop("record", f"{module}_{action}"))
    return Report(module, action, name, category, record, dimension, **more)  # type: ignore[arg-type]


def _events_record(primary: str) -> Callable[[Params], str]:
    def name(params: Params) -> str:
        secondary = params.get("secondaryDimension") or archived_events.DEFAULT_SECONDARY[primary]
        if secondary not in archived_events.DEFAULT_SECONDARY or secondary == primary:
            raise InvalidRequestError(
                "secondaryDimension must be one of eventCategory, eventAction, eventName "
                f"(not {primary})"
            )
        return archived_events.record_name(primary, secondary)

    return name


def _goal_key(params: Params) -> str:
    goal = params.get("idGoal").strip()
    if goal in ("", "0") and params.get("idGoal") == "":
        return ""
    if goal in ("ecommerceOrder", "ecommerceAbandonedCart") or goal.isdigit():
        return goal
    raise InvalidRequestError("idGoal must be a goal id, ecommerceOrder or ecommerceAbandonedCart")


def _goals_record(params: Params) -> str:
    key = _goal_key(params)
    return f"Goals_get_idGoal--{key}" if key else "Goals_get"


GOAL_COLUMNS = ("nb_conversions", "nb_visits_converted", "revenue")
ORDER_COLUMNS = ("items", "revenue_subtotal", "revenue_tax", "revenue_shipping", "revenue_discount")
VISIT_KINDS = ("_new_visit", "_returning_visit")


def _for_goal(report: Report, _site: SiteConfig, params: Params) -> Report:
    """Goals.get for one goal: its columns for new and returning visits too; orders add their
    amounts and the average order, abandoned carts their items."""
    key = _goal_key(params)
    if not key:
        return report
    columns: tuple[str, ...] = GOAL_COLUMNS
    if key == "ecommerceOrder":
        columns += ORDER_COLUMNS
    elif key == "ecommerceAbandonedCart":
        columns += ("items",)
    variants = tuple(f"{name}{kind}" for kind in VISIT_KINDS for name in columns)
    processed = pm.ORDER_METRICS if key == "ecommerceOrder" else pm.GOAL_METRICS
    return replace(report, metrics=(*columns, *variants), processed=processed)


def _items_record(method: str) -> Callable[[Params], str]:
    def name(params: Params) -> str:
        abandoned = params.flag("abandonedCarts")
        return f"Goals_{method}_abandonedCarts--1" if abandoned else f"Goals_{method}"

    return name


def _dimension_record(params: Params) -> str:
    return f"CustomDimensions_getCustomDimension_idDimension--{params.required_int('idDimension')}"


def _has(column: str) -> Callable[[ApiRow], bool]:
    def keep(row: ApiRow) -> bool:
        return bool(row.columns.get(column))

    return keep


def _pages(action: str, name: str, record: str, **more: object) -> Report:
    urls = record == "Actions_getPageUrls"
    return Report(
        "Actions",
        action,
        name,
        "Actions",
        record,
        "Page URL" if urls else "Page Title",
        metrics=PAGE_COLUMNS,
        processed=pm.PAGE_METRICS,
        present=labels.page_url if urls else labels.page_title,
        present_subtables=urls,
        flat_separator="/" if urls else " - ",
        sort="nb_hits",
        subcategory=name,
        **more,  # type: ignore[arg-type]
    )


def _subtables(report: Report, *methods: str) -> list[Report]:
    """`report` and the methods that serve its subtables (same record, `idSubtable`)."""
    found = [replace(report, subtable_method=methods[0] if methods else report.action)]
    for method in methods:
        found.append(
            replace(report, action=method, is_subtable=True, subtable_method=None, present=None)
        )
    return found


VISITOR_DIMENSIONS = [
    _visit_report(
        "DevicesDetection",
        "getType",
        "Device type",
        "Visitors",
        "Device type",
        present=labels.device_type,
        goals_record="Goals_DevicesDetection_getType",
    ),
    _visit_report(
        "DevicesDetection",
        "getBrand",
        "Device brand",
        "Visitors",
        "Brand",
        present=labels.plain_value("deviceBrand"),
    ),
    _visit_report(
        "DevicesDetection", "getModel", "Device model", "Visitors", "Model", present=labels.model
    ),
    _visit_report(
        "DevicesDetection",
        "getOsFamilies",
        "Operating system families",
        "Visitors",
        "Operating system family",
        present=labels.operating_system,
    ),
    _visit_report(
        "DevicesDetection",
        "getOsVersions",
        "Operating system versions",
        "Visitors",
        "Operating system version",
        present=labels.os_version,
    ),
    _visit_report(
        "DevicesDetection", "getBrowsers", "Browsers", "Visitors", "Browser", present=labels.browser
    ),
    _visit_report(
        "DevicesDetection",
        "getBrowserVersions",
        "Browser versions",
        "Visitors",
        "Browser version",
        present=labels.browser_version,
    ),
    _visit_report(
        "DevicesDetection",
        "getBrowserEngines",
        "Browser engines",
        "Visitors",
        "Browser engine",
        present=labels.plain_value("browserEngine"),
    ),
    _visit_report(
        "Resolution",
        "getResolution",
        "Screen resolution",
        "Visitors",
        "Resolution",
        present=labels.plain_value("resolution"),
    ),
    _visit_report(
        "Resolution",
        "getConfiguration",
        "Configurations",
        "Visitors",
        "Configuration",
        present=labels.configuration,
    ),
    _visit_report(
        "UserLanguage",
        "getLanguage",
        "Browser language",
        "Visitors",
        "Language",
        present=labels.language,
    ),
    _visit_report(
        "UserLanguage",
        "getLanguageCode",
        "Language code",
        "Visitors",
        "Language code",
        present=labels.language_code,
    ),
    _visit_report(
        "UserCountry",
        "getCountry",
        "Country",
        "Visitors",
        "Country",
        present=labels.country,
        goals_record="Goals_UserCountry_getCountry",
    ),
    _visit_report(
        "UserCountry",
        "getContinent",
        "Continent",
        "Visitors",
        "Continent",
        present=labels.continent,
        record="UserCountry_getCountry",
        group=continent_of,
    ),
    _visit_report(
        "UserCountry", "getRegion", "Region", "Visitors", "Region", present=labels.region
    ),
    _visit_report("UserCountry", "getCity", "City", "Visitors", "City", present=labels.city),
    _visit_report(
        "UserCountry",
        "getNamedLocation",
        "Named location",
        "Visitors",
        "Location",
        present=labels.plain_value("namedLocation"),
    ),
    _visit_report(
        "VisitTime",
        "getVisitInformationPerLocalTime",
        "Visits per local time",
        "Visitors",
        "Local time",
        present=labels.hour("visitLocalHour"),
        natural_order=True,
        fill=tuple(str(h) for h in range(24)),
    ),
    _visit_report(
        "VisitTime",
        "getVisitInformationPerServerTime",
        "Visits per server time",
        "Visitors",
        "Server time",
        present=labels.hour(None),
        natural_order=True,
        fill=tuple(str(h) for h in range(24)),
    ),
    _visit_report(
        "VisitTime",
        "getByDayOfWeek",
        "Visits by day of week",
        "Visitors",
        "Day of the week",
        present=labels.day_of_week,
        natural_order=True,
        fill=tuple(str(d) for d in range(1, 8)),
    ),
    _visit_report("UserId", "getUsers", "User IDs", "Visitors", "User ID", present=labels.user_id),
]

ENGAGEMENT = [
    Report(
        "VisitorInterest",
        action,
        name,
        "Visitors",
        f"VisitorInterest_{action}",
        dimension,
        metrics=("nb_visits",),
        present=labels.interest(buckets),
        natural_order=True,
        subcategory="Engagement",
    )
    for action, name, dimension, buckets in (
        (
            "getNumberOfVisitsPerVisitDuration",
            "Visit length",
            "Visit duration",
            labels.VISIT_DURATION,
        ),
        (
            "getNumberOfVisitsPerPage",
            "Pages per visit",
            "Actions per visit",
            labels.PAGES_PER_VISIT,
        ),
        (
            "getNumberOfVisitsByVisitCount",
            "Visits by visit number",
            "Visit number",
            labels.VISIT_NUMBER,
        ),
        (
            "getNumberOfVisitsByDaysSinceLast",
            "Days since last visit",
            "Days",
            labels.DAYS_SINCE_LAST,
        ),
    )
]

SUMMARIES = [
    Report(
        "VisitsSummary",
        "get",
        "Visits summary",
        "Visitors",
        "VisitsSummary_get",
        metrics=SUMMARY_COLUMNS,
        processed=pm.VISIT_METRICS,
    ),
    Report(
        "VisitFrequency",
        "get",
        "Returning visits",
        "Visitors",
        "VisitFrequency_get",
        metrics=tuple(f"{c}{s}" for s in ("_new", "_returning") for c in SUMMARY_COLUMNS),
        processed=(
            *pm.suffixed(pm.VISIT_METRICS, "_new"),
            *pm.suffixed(pm.VISIT_METRICS, "_returning"),
        ),
    ),
    Report(
        "Actions",
        "get",
        "Actions summary",
        "Actions",
        "Actions_get",
        metrics=(
            "nb_pageviews",
            "nb_uniq_pageviews",
            "nb_downloads",
            "nb_uniq_downloads",
            "nb_outlinks",
            "nb_uniq_outlinks",
            "nb_searches",
            "nb_keywords",
        ),
    ),
    Report(
        "PagePerformance",
        "get",
        "Page performance",
        "Actions",
        "PagePerformance_get",
        metrics=(),
        processed=pm.PERFORMANCE_METRICS,
    ),
    Report("Referrers", "get", "Referrers overview", "Referrers", "Referrers_get", metrics=()),
    Report(
        "Goals",
        "get",
        "Goals overview",
        "Goals",
        "Goals_get",
        metrics=GOAL_COLUMNS,
        processed=pm.GOAL_METRICS,
        record_for=_goals_record,
        parameters=("idGoal",),
        adapt=_for_goal,
        subcategory="Overview",
    ),
]

ACTIONS = [
    *_subtables(_pages("getPageUrls", "Page URLs", "Actions_getPageUrls")),
    *_subtables(_pages("getPageTitles", "Page titles", "Actions_getPageTitles")),
    # Entry and exit pages: the rows of the page report with entries (exits), most first.
    *(
        report
        for action, name, record, column in (
            ("getEntryPageUrls", "Entry pages", "Actions_getPageUrls", "entry_nb_visits"),
            ("getEntryPageTitles", "Entry page titles", "Actions_getPageTitles", "entry_nb_visits"),
            ("getExitPageUrls", "Exit pages", "Actions_getPageUrls", "exit_nb_visits"),
            ("getExitPageTitles", "Exit page titles", "Actions_getPageTitles", "exit_nb_visits"),
        )
        for report in _subtables(
            replace(_pages(action, name, record), keep=_has(column), sort=column)
        )
    ),
    *(
        report
        for action, name, dimension, segment in (
            ("getDownloads", "Downloads", "Download URL", "downloadUrl"),
            ("getOutlinks", "Outlinks", "Outlink URL", "outlinkUrl"),
        )
        for report in _subtables(
            Report(
                "Actions",
                action,
                name,
                "Actions",
                f"Actions_{action}",
                dimension,
                metrics=LINK_COLUMNS,
                sort="nb_hits",
                present=labels.link(segment),
                present_subtables=True,
                subcategory=name,
            )
        )
    ),
    Report(
        "Actions",
        "getSiteSearchKeywords",
        "Site search keywords",
        "Actions",
        "Actions_getSiteSearchKeywords",
        "Keyword (site search)",
        metrics=("nb_visits", "nb_hits", "nb_uniq_visitors", "sum_time_spent", "exit_nb_visits"),
        processed=pm.SEARCH_KEYWORD_METRICS,
        present=labels.plain_value("siteSearchKeyword"),
    ),
    Report(
        "Actions",
        "getSiteSearchNoResultKeywords",
        "Site search keywords with no results",
        "Actions",
        "Actions_getSiteSearchNoResultKeywords",
        "Keyword (site search)",
        metrics=("nb_visits", "nb_hits", "nb_uniq_visitors", "sum_time_spent"),
        processed=pm.SEARCH_KEYWORD_METRICS[:2],
        present=labels.plain_value("siteSearchKeyword"),
    ),
    Report(
        "Actions",
        "getSiteSearchCategories",
        "Site search categories",
        "Actions",
        "Actions_getSiteSearchCategories",
        "Category (site search)",
        metrics=("nb_visits", "nb_actions"),
        processed=pm.SEARCH_CATEGORY_METRICS,
        present=labels.plain_value("siteSearchCategory"),
    ),
]


def _fixed_events_record(primary: str, secondary: str) -> Callable[[Params], str]:
    return lambda _params: archived_events.record_name(primary, secondary)


def _events(action: str, name: str, dimension: str, primary: str) -> list[Report]:
    """An events report and its two *From*Id methods, each reading the record whose subtables
    hold the dimension it names (`getNameFromCategoryId`: categories with names inside)."""
    report = Report(
        "Events",
        action,
        name,
        "Events",
        f"Events_{action}",
        dimension,
        metrics=EVENT_COLUMNS,
        processed=pm.EVENT_METRICS,
        sort="nb_events",
        record_for=_events_record(primary),
        present=labels.plain_value(primary),
        parameters=("secondaryDimension",),
        subcategory="Events",
    )
    key = {"eventCategory": "Category", "eventAction": "Action", "eventName": "Name"}
    others = [other for other in archived_events.DEFAULT_SECONDARY if other != primary]
    others.sort(key=lambda other: other != archived_events.DEFAULT_SECONDARY[primary])
    found = [replace(report, subtable_method=f"get{key[others[0]]}From{key[primary]}Id")]
    for secondary in others:
        found.append(
            replace(
                report,
                action=f"get{key[secondary]}From{key[primary]}Id",
                record_for=_fixed_events_record(primary, secondary),
                is_subtable=True,
                present=None,
                parameters=(),
            )
        )
    return found


EVENTS = [
    *_events("getCategory", "Event categories", "Event category", "eventCategory"),
    *_events("getAction", "Event actions", "Event action", "eventAction"),
    *_events("getName", "Event names", "Event name", "eventName"),
]

CONTENTS = [
    report
    for action, name, dimension, segment in (
        ("getContentNames", "Content names", "Content name", "contentName"),
        ("getContentPieces", "Content pieces", "Content piece", "contentPiece"),
    )
    for report in _subtables(
        Report(
            "Contents",
            action,
            name,
            "Actions",
            f"Contents_{action}",
            dimension,
            metrics=CONTENT_COLUMNS,
            processed=pm.CONTENT_METRICS,
            sort="nb_impressions",
            present=labels.plain_value(segment),
        )
    )
]

REFERRERS = [
    _visit_report(
        "Referrers",
        "getReferrerType",
        "Channel type",
        "Referrers",
        "Channel type",
        present=labels.referrer_type,
        goals_record="Goals_Referrers_getReferrerType",
    ),
    _visit_report(
        "Referrers", "getAll", "All referrers", "Referrers", "Referrer", present=labels.referrer_any
    ),
    # Referrer reports whose rows hold subtables (a search engine's keywords...), each with
    # the method that serves them.
    *(
        report
        for action, name, dimension, segment, subtable in (
            (
                "getSearchEngines",
                "Search engines",
                "Search engine",
                "referrerName",
                "getKeywordsFromSearchEngineId",
            ),
            (
                "getKeywords",
                "Keywords",
                "Keyword",
                "referrerKeyword",
                "getSearchEnginesFromKeywordId",
            ),
            ("getCampaigns", "Campaigns", "Campaign", "referrerName", "getKeywordsFromCampaignId"),
            ("getWebsites", "Websites", "Website", "referrerName", "getUrlsFromWebsiteId"),
            ("getSocials", "Social networks", "Social network", "referrerName", "getUrlsForSocial"),
        )
        for report in _subtables(
            _visit_report(
                "Referrers",
                action,
                name,
                "Referrers",
                dimension,
                present=labels.plain_value(segment),
            ),
            subtable,
        )
    ),
    *(
        _visit_report(
            "MarketingCampaignsReporting",
            action,
            name,
            "Referrers",
            dimension,
            present=labels.plain_value(segment) if segment else None,
        )
        for action, name, dimension, segment in (
            ("getSource", "Campaign sources", "Campaign source", "campaignSource"),
            ("getMedium", "Campaign mediums", "Campaign medium", "campaignMedium"),
            ("getSourceMedium", "Campaign source - medium", "Campaign source - medium", ""),
        )
    ),
]

GOALS = [
    Report(
        "Goals",
        action,
        name,
        "Goals",
        f"Goals_{action}",
        dimension,
        metrics=("nb_conversions", "revenue"),
        natural_order=True,
        sort="nb_conversions",
        present=labels.interest(buckets),
        subcategory="Overview",
    )
    for action, name, dimension, buckets in (
        (
            "getDaysToConversion",
            "Days to conversion",
            "Days to conversion",
            labels.DAYS_TO_CONVERSION,
        ),
        (
            "getVisitsUntilConversion",
            "Visits to conversion",
            "Visits to conversion",
            labels.VISITS_TO_CONVERSION,
        ),
    )
] + [
    Report(
        "Goals",
        method,
        name,
        "Ecommerce",
        f"Goals_{method}",
        dimension,
        metrics=PRODUCT_COLUMNS,
        processed=pm.PRODUCT_METRICS,
        sort="revenue",
        record_for=_items_record(method),
        present=labels.plain_value(segment),
        parameters=("abandonedCarts",),
    )
    for method, name, dimension, segment in (
        ("getItemsSku", "Product SKU", "Product SKU", "productSku"),
        ("getItemsName", "Product name", "Product name", "productName"),
        ("getItemsCategory", "Product category", "Product category", "productCategory"),
    )
]

ACTION_DIMENSION_COLUMNS = ("nb_hits", "nb_visits", "nb_uniq_visitors", "sum_time_spent")


def _for_dimension(report: Report, site: SiteConfig, params: Params) -> Report:
    """A custom dimension answers with the columns of its scope: visit metrics for a
    visit-scope one, hits and time on the dimension for an action-scope one."""
    iddimension = params.required_int("idDimension")
    dimension = site.dimensions.get(iddimension)
    if dimension is None:
        raise InvalidRequestError(
            f"The custom dimension {iddimension} is not configured for site {site.idsite}."
        )
    present = labels.plain_value(f"dimension{iddimension}")
    if dimension.scope != "action":
        return replace(report, present=present, dimension=dimension.name)
    return replace(
        report,
        metrics=ACTION_DIMENSION_COLUMNS,
        processed=pm.ACTION_DIMENSION_METRICS,
        present=present,
        dimension=dimension.name,
        sort="nb_hits",
    )


OTHER = [
    Report(
        "CustomDimensions",
        "getCustomDimension",
        "Custom dimension",
        "Visitors",
        "CustomDimensions_getCustomDimension",
        "Custom dimension",
        metrics=VISIT_COLUMNS,
        processed=pm.VISIT_METRICS,
        record_for=_dimension_record,
        parameters=("idDimension",),
        adapt=_for_dimension,
        subcategory="Custom dimensions",
    ),
]


def _label_path(parameter: str, parts: Callable[[str], list[str]]) -> Callable[[Params], list[str]]:
    def path(params: Params) -> list[str]:
        return [">".join(parts(params.text(parameter, required=True, max_length=4000)))]

    return path


def _link_parts(url: str) -> list[str]:
    return [url_host(url) or url, url]


def _single_rows(found: dict[str, Report]) -> list[Report]:
    """Actions.getPageUrl(pageUrl) and friends: the row of one URL, title or link, found in
    the tree of the plural report by the path its parameter names."""
    specs = (
        ("getPageUrls", "getPageUrl", "pageUrl", pagetree.url_parts),
        ("getPageTitles", "getPageTitle", "pageName", pagetree.title_parts),
        ("getDownloads", "getDownload", "downloadUrl", _link_parts),
        ("getOutlinks", "getOutlink", "outlinkUrl", _link_parts),
    )
    return [
        replace(
            found[f"Actions.{plural}"],
            action=single,
            label_for=_label_path(parameter, parts),
            parameters=(parameter,),
            subtable_method=None,
        )
        for plural, single, parameter, parts in specs
    ]


ALL: list[Report] = [
    *SUMMARIES,
    *VISITOR_DIMENSIONS,
    *ENGAGEMENT,
    *ACTIONS,
    *EVENTS,
    *CONTENTS,
    *REFERRERS,
    *GOALS,
    *OTHER,
]
_BY_METHOD = {report.method: report for report in ALL}
ALL += [
    *_single_rows(_BY_METHOD),
    replace(_BY_METHOD["Goals.get"], action="getMetrics"),
]
REPORTS: dict[str, Report] = {report.method: report for report in ALL}
