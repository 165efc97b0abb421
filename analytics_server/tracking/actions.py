"""Turn a hit into its action row: which kind of action, its dictionary ids and columns."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from analytics_server.errors import InvalidRequestError
from analytics_server.kit.urls import (
    SiteSearch,
    extract_site_search,
    normalise_page_url,
    split_url_prefix,
)
from analytics_server.models import log as m
from analytics_server.sites.service import SiteConfig
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.request import TrackingRequest

# Kinds counted in visit_total_actions (content impressions, goals and pings are not).
COUNTED_KINDS = frozenset(
    {m.HIT_PAGEVIEW, m.HIT_DOWNLOAD, m.HIT_OUTLINK, m.HIT_SITE_SEARCH, m.HIT_EVENT}
)


@dataclass(frozen=True)
class PageFacts:
    """The page a hit happened on, cleaned for storage, plus a site search found in its URL."""

    url: str  # normalised, with prefix
    search_keyword: str | None
    search_category: str | None
    search_count: int | None


def page_facts(req: TrackingRequest, site: SiteConfig, ctx: TrackerContext) -> PageFacts:
    excluded = (*site.excluded_parameters, *ctx.settings.privacy.excluded_query_params)
    search_params = None
    if req.search is None and site.sitesearch:
        search_params = (site.sitesearch_keyword_parameters, site.sitesearch_category_parameters)
    url, found = _clean_page_url(req.url, excluded, site.keep_url_fragment, search_params)
    keyword, category, count = req.search, req.search_category, req.search_count
    if found is not None:
        url = found.url_without_search_params
        keyword, category = found.keyword, found.category
        count = found.count if count is None else count
    return PageFacts(url=url, search_keyword=keyword, search_category=category, search_count=count)


@lru_cache(maxsize=16_384)
def _clean_page_url(
    raw: str,
    excluded: tuple[str, ...],
    keep_fragment: bool,
    search_params: tuple[tuple[str, ...], tuple[str, ...]] | None,
) -> tuple[str, SiteSearch | None]:
    """The stored form of a page URL and the site search in it: the same pages come back hit
    after hit, and cleaning a URL was a tenth of a worker's time."""
    url = normalise_page_url(raw, excluded_params=excluded, keep_fragment=keep_fragment)
    if search_params is None or not url:
        return url, None
    keyword_params, category_params = search_params
    found = extract_site_search(url, keyword_params=keyword_params, category_params=category_params)
    return url, found


def action_kind(req: TrackingRequest, page: PageFacts) -> int | None:
    """The one action a hit records (Matomo's priority order), or None for none."""
    if req.ping or (req.idgoal is not None and req.idgoal >= 0):
        return None
    if req.download:
        return m.HIT_DOWNLOAD
    if req.outlink:
        return m.HIT_OUTLINK
    if req.event_category or req.event_action:
        if not (req.event_category and req.event_action):
            raise InvalidRequestError("events need both e_c (category) and e_a (action)")
        return m.HIT_EVENT
    if req.content_piece or req.content_target or req.content_interaction or req.content_name:
        if not req.content_name:
            raise InvalidRequestError("content tracking needs c_n (content name)")
        return m.HIT_CONTENT
    if page.search_keyword is not None:
        return m.HIT_SITE_SEARCH
    if req.not_a_pageview:
        return None
    return m.HIT_PAGEVIEW


# The page URLs of a site come back hit after hit.
_split_url_prefix = lru_cache(maxsize=16_384)(split_url_prefix)


def _ids(
    session: Session, ctx: TrackerContext, pairs: dict[str, tuple[int, str | None]]
) -> dict[str, Any]:
    """Resolve {column: (action type, name)} into {column: idaction} (None for empty names)."""
    result: dict[str, Any] = {}
    for column, (action_type, name) in pairs.items():
        if name:
            prefix = None
            if action_type == m.ACTION_TYPE_PAGE_URL:
                prefix, name = _split_url_prefix(name)
            result[column] = ctx.actions.resolve(session, action_type, name, prefix)
        else:
            result[column] = None
    return result


def _custom_vars(slots: dict[int, tuple[str, str]]) -> dict[str, str]:
    values = {}
    for slot, (key, value) in slots.items():
        values[f"custom_var_k{slot}"] = key
        values[f"custom_var_v{slot}"] = value
    return values


def action_columns(
    session: Session,
    ctx: TrackerContext,
    *,
    kind: int,
    req: TrackingRequest,
    page: PageFacts,
    site: SiteConfig,
) -> dict[str, Any]:
    """Columns of the log_link_visit_action row for this hit (ids resolved, no visit facts)."""
    ids: dict[str, tuple[int, str | None]] = {"idaction_url": (m.ACTION_TYPE_PAGE_URL, page.url)}
    columns: dict[str, Any] = {"action_type": kind}
    if kind in (m.HIT_DOWNLOAD, m.HIT_OUTLINK):
        link_type = m.ACTION_TYPE_DOWNLOAD if kind == m.HIT_DOWNLOAD else m.ACTION_TYPE_OUTLINK
        ids["idaction_url"] = (link_type, req.download or req.outlink)
        ids["idaction_name"] = (m.ACTION_TYPE_PAGE_TITLE, req.action_name)
    elif kind == m.HIT_EVENT:
        ids["idaction_event_category"] = (m.ACTION_TYPE_EVENT_CATEGORY, req.event_category)
        ids["idaction_event_action"] = (m.ACTION_TYPE_EVENT_ACTION, req.event_action)
        ids["idaction_name"] = (m.ACTION_TYPE_EVENT_NAME, req.event_name)
        columns["custom_float"] = req.event_value
        columns.update(_custom_vars(dict(req.event_custom_vars)))
    elif kind == m.HIT_CONTENT:
        ids["idaction_content_name"] = (m.ACTION_TYPE_CONTENT_NAME, req.content_name)
        ids["idaction_content_piece"] = (m.ACTION_TYPE_CONTENT_PIECE, req.content_piece)
        ids["idaction_content_target"] = (m.ACTION_TYPE_CONTENT_TARGET, req.content_target)
        ids["idaction_content_interaction"] = (
            m.ACTION_TYPE_CONTENT_INTERACTION,
            req.content_interaction,
        )
    elif kind == m.HIT_SITE_SEARCH:
        ids["idaction_name"] = (m.ACTION_TYPE_SITE_SEARCH, page.search_keyword)
        columns["search_cat"] = page.search_category
        columns["search_count"] = page.search_count
    else:
        ids["idaction_name"] = (m.ACTION_TYPE_PAGE_TITLE, req.action_name)
        columns.update(req.performance)
        columns.update(_product_view(req, ids))
    if kind in (m.HIT_PAGEVIEW, m.HIT_SITE_SEARCH):
        columns.update(_custom_vars(dict(req.page_custom_vars)))
    columns["idpageview"] = req.pageview_id
    columns.update(_ids(session, ctx, ids))
    for dim_id, value in req.dimensions.items():
        dim = site.dimensions.get(dim_id)
        if dim is not None and dim.scope == "action":
            columns[dim.column] = value or None
    return columns


def _product_view(req: TrackingRequest, ids: dict[str, tuple[int, str | None]]) -> dict[str, Any]:
    if not (req.product_sku or req.product_name or req.product_categories):
        return {}
    ids["idaction_product_sku"] = (m.ACTION_TYPE_ECOMMERCE_ITEM_SKU, req.product_sku)
    ids["idaction_product_name"] = (m.ACTION_TYPE_ECOMMERCE_ITEM_NAME, req.product_name)
    suffixes = ["", "2", "3", "4", "5"]
    for suffix, category in zip(suffixes, req.product_categories, strict=False):
        ids[f"idaction_product_cat{suffix}"] = (m.ACTION_TYPE_ECOMMERCE_ITEM_CATEGORY, category)
    return {"product_price": req.product_price}
