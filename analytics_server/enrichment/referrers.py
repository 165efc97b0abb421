"""Referrer and campaign classification of a visit's first hit (protocol section 2.9)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import SplitResult, parse_qsl, urlsplit

from analytics_server.enrichment.referrer_lists import ReferrerLists, SearchEngine, normalize_host
from analytics_server.kit.params import (
    CAMPAIGN_EXTRA_PARAMS,
    CAMPAIGN_KEYWORD_PARAMS,
    CAMPAIGN_NAME_PARAMS,
)

__all__ = [
    "CAMPAIGN",
    "DIRECT",
    "REFERRER_TYPE_NAMES",
    "SEARCH",
    "SOCIAL",
    "WEBSITE",
    "Referrer",
    "ReferrerLists",
    "SearchEngine",
    "classify",
]

DIRECT: Final = 1
SEARCH: Final = 2
WEBSITE: Final = 3
CAMPAIGN: Final = 6
SOCIAL: Final = 7
REFERRER_TYPE_NAMES: Final[Mapping[int, str]] = {
    DIRECT: "direct",
    SEARCH: "search",
    WEBSITE: "website",
    CAMPAIGN: "campaign",
    SOCIAL: "social",
}

MAX_URL_LENGTH: Final = 1500  # log_visit.referer_url
MAX_FIELD_LENGTH: Final = 255  # referer_name, referer_keyword, campaign_* columns
IGNORE_REFERRER_PARAMS: Final = ("ignore_referrer", "ignore_referer")
_FALSE_VALUES: Final = frozenset({"0", "false", "no"})


@dataclass(frozen=True, slots=True)
class Referrer:
    """How a visit arrived, shaped like the log_visit referer_* and campaign_* columns.

    For search engines `keyword` is "" when the engine did not pass the searched words (most do
    not any more); reports show that as "Keyword not defined". Values are stored as received:
    escaping them is the renderer's job.
    """

    type: int
    name: str = ""
    keyword: str = ""
    url: str = ""
    campaign_source: str = ""
    campaign_medium: str = ""
    campaign_content: str = ""
    campaign_id: str = ""
    campaign_group: str = ""
    campaign_placement: str = ""

    @property
    def type_name(self) -> str:
        """Segment name of the type: direct, search, website, campaign or social."""
        return REFERRER_TYPE_NAMES[self.type]


def classify(
    *,
    page_url: str,
    referrer_url: str,
    site_hosts: Collection[str],
    attribution_campaign: tuple[str, str] | None = None,
    lists: ReferrerLists | None = None,
) -> Referrer:
    """Classify a visit's referrer.

    Order: campaign parameters of the page URL (query, then `#fragment`), else the tracker's
    attribution cookie campaign (`_rcn`, `_rck`) -> direct (no referrer, `ignore_referrer=1` in
    the page URL, or a referrer host equal to the page's host or a site host, "www." ignored)
    -> search engine -> social network -> website.
    """
    page_params = url_params(page_url)
    referrer = "" if _ignores_referrer(page_params) else referrer_url.strip()
    url = referrer[:MAX_URL_LENGTH]
    campaign = _campaign(page_params, attribution_campaign, url)
    if campaign is not None:
        return campaign
    parts = _split_referrer(referrer)
    host = normalize_host(parts.hostname or "") if parts is not None else ""
    if parts is None or not host or _is_own_host(host, site_hosts, page_url):
        return Referrer(type=DIRECT)
    lists = lists if lists is not None else ReferrerLists.load()
    engine = lists.search_engine(host)
    if engine is not None:
        return Referrer(
            type=SEARCH, name=engine.name, keyword=_search_keyword(engine, parts), url=url
        )
    social = lists.social_network(host)
    if social is not None:
        return Referrer(type=SOCIAL, name=social, url=url)
    return Referrer(type=WEBSITE, name=host[:MAX_FIELD_LENGTH], url=url)


def url_params(url: str) -> dict[str, str]:
    """Query parameters of a URL, then those of its `#fragment` (first occurrence wins).

    Names are lower-cased. A fragment may be a bare query (`#utm_campaign=x`) or a client-side
    route with one (`#/path?utm_campaign=x`).
    """
    base, _, fragment = url.partition("#")
    query = base.partition("?")[2]
    fragment_query = fragment.partition("?")[2] if "?" in fragment else fragment
    params: dict[str, str] = {}
    for part in (query, fragment_query):
        for name, value in parse_qsl(part, keep_blank_values=True, errors="replace"):
            params.setdefault(name.strip().lower(), value)
    return params


def _ignores_referrer(params: Mapping[str, str]) -> bool:
    return any(
        name in params and params[name].strip().lower() not in _FALSE_VALUES
        for name in IGNORE_REFERRER_PARAMS
    )


def _first(params: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        value = params.get(name, "").strip()
        if value:
            return value[:MAX_FIELD_LENGTH]
    return ""


def _campaign(
    params: Mapping[str, str], attribution: tuple[str, str] | None, url: str
) -> Referrer | None:
    name = _first(params, CAMPAIGN_NAME_PARAMS).lower()
    keyword = _first(params, CAMPAIGN_KEYWORD_PARAMS).lower()
    if not name and attribution is not None:
        name = attribution[0].strip()[:MAX_FIELD_LENGTH].lower()
        keyword = attribution[1].strip()[:MAX_FIELD_LENGTH].lower()
    if not name:
        return None
    extra = {dim: _first(params, names) for dim, names in CAMPAIGN_EXTRA_PARAMS.items()}
    return Referrer(
        type=CAMPAIGN,
        name=name,
        keyword=keyword,
        url=url,
        campaign_source=extra.get("source", ""),
        campaign_medium=extra.get("medium", ""),
        campaign_content=extra.get("content", ""),
        campaign_id=extra.get("id", ""),
        campaign_group=extra.get("group", ""),
        campaign_placement=extra.get("placement", ""),
    )


def _split_referrer(referrer: str) -> SplitResult | None:
    if not referrer:
        return None
    if "://" not in referrer:
        if "." not in referrer.partition("/")[0]:
            return None  # about:blank, javascript:, data:, or no host at all
        referrer = "http://" + referrer  # "www.example.org/page" is still a referrer
    try:
        return urlsplit(referrer)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None


def _host_of(url: str) -> str:
    parts = _split_referrer(url) if url else None
    try:
        host = parts.hostname if parts is not None else None
    except ValueError:
        return ""
    return normalize_host(host or "")


def _is_own_host(host: str, site_hosts: Collection[str], page_url: str) -> bool:
    """Internal referral: the page's own host or a site host ("*.example.org" covers subdomains).

    Site hosts may be given as bare hosts (with or without port) or as site URLs.
    """
    if host == _host_of(page_url):
        return True
    for site_host in site_hosts:
        candidate = _host_of(site_host) if "/" in site_host else site_host.partition(":")[0]
        candidate = normalize_host(candidate)
        if candidate.startswith("*."):
            if host == candidate[2:] or host.endswith(candidate[1:]):
                return True
        elif candidate and host == candidate:
            return True
    return False


def _search_keyword(engine: SearchEngine, parts: SplitResult) -> str:
    query = parts.query + ("&" + parts.fragment if parts.fragment else "")
    params = url_params("?" + query)
    return _first(params, engine.keyword_params).lower()
