"""Create, read and describe sites; `SiteConfig` is the tracker's read-only view of a site."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.errors import InvalidRequestError, NotFoundError
from analytics_server.kit.clock import is_valid_zone, utc_now
from analytics_server.kit.params import (
    DEFAULT_SITE_SEARCH_CATEGORY_PARAMS,
    DEFAULT_SITE_SEARCH_KEYWORD_PARAMS,
)
from analytics_server.models import CustomDimension, Goal, Site, SiteUrl
from analytics_server.models.site import MAX_CUSTOM_DIMENSIONS_PER_SCOPE

SITE_TYPES = ("website", "intranet", "mobileapp")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def split_list(text: str) -> list[str]:
    """A comma- or newline-separated setting as a list of trimmed, non-empty items."""
    return [item.strip() for item in re.split(r"[,\n]", text or "") if item.strip()]


@dataclass(frozen=True)
class GoalConfig:
    idgoal: int
    name: str
    match_attribute: str
    pattern: str
    pattern_type: str
    case_sensitive: bool
    allow_multiple: bool
    revenue: float
    event_value_as_revenue: bool


@dataclass(frozen=True)
class DimensionConfig:
    iddimension: int
    scope: str
    index: int
    name: str

    @property
    def column(self) -> str:
        return f"custom_dimension_{self.index}"


@dataclass(frozen=True)
class SiteConfig:
    """Everything the tracker needs to know about one site, read once per batch."""

    idsite: int
    name: str
    type: str
    timezone: str
    currency: str
    ecommerce: bool
    sitesearch: bool
    sitesearch_keyword_parameters: tuple[str, ...]
    sitesearch_category_parameters: tuple[str, ...]
    excluded_ips: tuple[str, ...]
    excluded_parameters: tuple[str, ...]
    excluded_user_agents: tuple[str, ...]
    excluded_referrers: tuple[str, ...]
    exclude_unknown_urls: bool
    keep_url_fragment: bool
    ip_anonymisation_bytes: int | None
    active: bool
    hosts: frozenset[str]
    goals: dict[int, GoalConfig] = field(default_factory=dict)
    dimensions: dict[int, DimensionConfig] = field(default_factory=dict)

    @property
    def trusts_cookies(self) -> bool:
        """Intranet sites recognise visitors by cookie id only, never by fingerprint."""
        return self.type == "intranet"


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "//" in url else f"http://{url}").hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _site_config(
    site: Site, urls: Sequence[str], goals: Sequence[Goal], dims: Sequence[CustomDimension]
) -> SiteConfig:
    keyword_params = split_list(site.sitesearch_keyword_parameters)
    category_params = split_list(site.sitesearch_category_parameters)
    return SiteConfig(
        idsite=site.idsite,
        name=site.name,
        type=site.type,
        timezone=site.timezone,
        currency=site.currency,
        ecommerce=site.ecommerce,
        sitesearch=site.sitesearch,
        sitesearch_keyword_parameters=tuple(keyword_params or DEFAULT_SITE_SEARCH_KEYWORD_PARAMS),
        sitesearch_category_parameters=tuple(
            category_params or DEFAULT_SITE_SEARCH_CATEGORY_PARAMS
        ),
        excluded_ips=tuple(split_list(site.excluded_ips)),
        excluded_parameters=tuple(p.lower() for p in split_list(site.excluded_parameters)),
        excluded_user_agents=tuple(split_list(site.excluded_user_agents)),
        excluded_referrers=tuple(split_list(site.excluded_referrers)),
        exclude_unknown_urls=site.exclude_unknown_urls,
        keep_url_fragment=site.keep_url_fragment,
        ip_anonymisation_bytes=site.ip_anonymisation_bytes,
        active=site.active,
        hosts=frozenset(h for h in (_host(u) for u in [site.main_url, *urls]) if h),
        goals={
            g.idgoal: GoalConfig(
                idgoal=g.idgoal,
                name=g.name,
                match_attribute=g.match_attribute,
                pattern=g.pattern,
                pattern_type=g.pattern_type,
                case_sensitive=g.case_sensitive,
                allow_multiple=g.allow_multiple,
                revenue=g.revenue,
                event_value_as_revenue=g.event_value_as_revenue,
            )
            for g in goals
            if not g.deleted
        },
        dimensions={
            d.idcustomdimension: DimensionConfig(
                iddimension=d.idcustomdimension, scope=d.scope, index=d.index, name=d.name
            )
            for d in dims
            if d.active
        },
    )


def load_site_configs(session: Session, idsites: Iterable[int]) -> dict[int, SiteConfig]:
    """SiteConfig for each existing site among `idsites` (four queries, whatever the count)."""
    wanted = sorted(set(idsites))
    if not wanted:
        return {}
    sites = session.scalars(sa.select(Site).where(Site.idsite.in_(wanted))).all()
    urls: dict[int, list[str]] = {}
    for row in session.execute(sa.select(SiteUrl).where(SiteUrl.idsite.in_(wanted))).scalars():
        urls.setdefault(row.idsite, []).append(row.url)
    goals: dict[int, list[Goal]] = {}
    for goal in session.scalars(sa.select(Goal).where(Goal.idsite.in_(wanted))):
        goals.setdefault(goal.idsite, []).append(goal)
    dims: dict[int, list[CustomDimension]] = {}
    for dim in session.scalars(
        sa.select(CustomDimension).where(CustomDimension.idsite.in_(wanted))
    ):
        dims.setdefault(dim.idsite, []).append(dim)
    return {
        s.idsite: _site_config(
            s, urls.get(s.idsite, []), goals.get(s.idsite, []), dims.get(s.idsite, [])
        )
        for s in sites
    }


def create_site(
    session: Session,
    *,
    name: str,
    main_url: str,
    timezone: str = "UTC",
    currency: str = "USD",
    site_type: str = "website",
    ecommerce: bool = False,
    alias_urls: Sequence[str] = (),
    created: datetime | None = None,
    **settings: object,
) -> Site:
    """Add a site; raises InvalidRequestError with a clear message on bad settings."""
    if not name.strip():
        raise InvalidRequestError("site name must not be empty")
    if not is_valid_zone(timezone):
        raise InvalidRequestError(f"unknown time zone {timezone!r}")
    if not _CURRENCY.match(currency):
        raise InvalidRequestError(f"currency must be a 3-letter ISO code, got {currency!r}")
    if site_type not in SITE_TYPES:
        raise InvalidRequestError(f"site type must be one of {', '.join(SITE_TYPES)}")
    site = Site(
        name=name.strip(),
        main_url=main_url.strip(),
        timezone=timezone,
        currency=currency,
        type=site_type,
        ecommerce=ecommerce,
        ts_created=created or utc_now(),
    )
    for key, value in settings.items():
        if not hasattr(Site, key):
            raise InvalidRequestError(f"unknown site setting {key!r}")
        setattr(site, key, value)
    session.add(site)
    session.flush()
    for url in alias_urls:
        session.add(SiteUrl(idsite=site.idsite, url=url.strip()))
    session.flush()
    return site


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(sa.select(Site).order_by(Site.idsite)))


def get_site(session: Session, idsite: int) -> Site:
    site = session.get(Site, idsite)
    if site is None:
        raise NotFoundError(f"site {idsite} does not exist")
    return site


def add_goal(
    session: Session,
    *,
    idsite: int,
    name: str,
    match_attribute: str = "manually",
    pattern: str = "",
    pattern_type: str = "contains",
    **options: object,
) -> Goal:
    """Add a goal with the next free id for the site."""
    get_site(session, idsite)
    next_id = (
        session.scalar(sa.select(sa.func.max(Goal.idgoal)).where(Goal.idsite == idsite)) or 0
    ) + 1
    goal = Goal(
        idsite=idsite,
        idgoal=next_id,
        name=name,
        match_attribute=match_attribute,
        pattern=pattern,
        pattern_type=pattern_type,
        **options,
    )
    session.add(goal)
    session.flush()
    return goal


def add_custom_dimension(
    session: Session, *, idsite: int, name: str, scope: str = "visit"
) -> CustomDimension:
    """Configure a custom dimension; its id is what trackers send as `dimension<id>`."""
    if scope not in ("visit", "action"):
        raise InvalidRequestError("dimension scope must be 'visit' or 'action'")
    get_site(session, idsite)
    used = set(
        session.scalars(
            sa.select(CustomDimension.index).where(
                CustomDimension.idsite == idsite, CustomDimension.scope == scope
            )
        )
    )
    free = [i for i in range(1, MAX_CUSTOM_DIMENSIONS_PER_SCOPE + 1) if i not in used]
    if not free:
        raise InvalidRequestError(
            f"site {idsite} already has {MAX_CUSTOM_DIMENSIONS_PER_SCOPE} {scope} dimensions"
        )
    dim = CustomDimension(idsite=idsite, scope=scope, index=free[0], name=name, active=True)
    session.add(dim)
    session.flush()
    return dim
