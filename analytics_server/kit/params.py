"""Names of URL and tracking parameters that several domains must agree on."""

# Campaign name / keyword parameters recognised in a landing page URL (checked in this order).
CAMPAIGN_NAME_PARAMS: tuple[str, ...] = (
    "pk_cpn",
    "pk_campaign",
    "piwik_campaign",
    "mtm_campaign",
    "matomo_campaign",
    "utm_campaign",
    "utm_source",
    "utm_medium",
)
CAMPAIGN_KEYWORD_PARAMS: tuple[str, ...] = (
    "pk_kwd",
    "pk_keyword",
    "piwik_kwd",
    "mtm_kwd",
    "mtm_keyword",
    "matomo_kwd",
    "utm_term",
)
# Extra campaign dimensions: (dimension, parameters in priority order).
CAMPAIGN_EXTRA_PARAMS: dict[str, tuple[str, ...]] = {
    "source": ("mtm_source", "pk_source", "matomo_source", "utm_source"),
    "medium": ("mtm_medium", "pk_medium", "matomo_medium", "utm_medium"),
    "content": ("mtm_content", "pk_content", "matomo_content", "utm_content"),
    "id": ("mtm_cid", "pk_cid", "matomo_cid", "utm_id"),
    "group": ("mtm_group", "pk_group", "matomo_group"),
    "placement": ("mtm_placement", "pk_placement", "matomo_placement"),
}

# Every campaign parameter; all are removed from stored page URLs.
ALL_CAMPAIGN_PARAMS: frozenset[str] = frozenset(
    CAMPAIGN_NAME_PARAMS
    + CAMPAIGN_KEYWORD_PARAMS
    + tuple(p for params in CAMPAIGN_EXTRA_PARAMS.values() for p in params)
)

# Session ids and click ids that never belong in a stored URL.
DEFAULT_EXCLUDED_QUERY_PARAMS: frozenset[str] = frozenset(
    {
        "gclid",
        "fbclid",
        "msclkid",
        "twclid",
        "wbraid",
        "gbraid",
        "yclid",
        "fb_xd_fragment",
        "fb_comment_id",
        "phpsessid",
        "jsessionid",
        "sessionid",
        "aspsessionid",
        "doing_wp_cron",
        "sid",
        "pk_vid",
        "ignore_referrer",
        "ignore_referer",
    }
)

DEFAULT_SITE_SEARCH_KEYWORD_PARAMS: tuple[str, ...] = (
    "q",
    "query",
    "s",
    "search",
    "searchword",
    "k",
    "keyword",
    "keywords",
)
DEFAULT_SITE_SEARCH_CATEGORY_PARAMS: tuple[str, ...] = ()

MAX_URL_LENGTH = 1024
