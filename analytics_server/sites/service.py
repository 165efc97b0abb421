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
from analytics_server.models import (
    Access,
    Annotation,
    ArchiveRecord,
    ArchiveState,
    CustomDimension,
    Goal,
    LogConversion,
    LogConversionItem,
    LogLinkVisitAction,
    LogVisit,
    Segment,
    Site,
    SiteUrl,
    TrackingFailure,
)
from analytics_server.models.site import MAX_CUSTOM_DIMENSIONS_PER_SCOPE
from analytics_server.sites import goals as goal_rules
from analytics_server.sites.urls import MAX_URL_LENGTH, checked_url, url_key

SITE_TYPES = ("website", "intranet", "mobileapp")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Lengths of the text columns, checked before MariaDB's strict mode would refuse the row.
_TEXT_LIMITS = {"name": 90, "main_url": MAX_URL_LENGTH, "group": 250, "creator_login": 100}


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
    values: dict[str, object] = {
        "name": name,
        "main_url": main_url,
        "timezone": timezone,
        "currency": currency,
        "type": site_type,
        "ecommerce": ecommerce,
        **settings,
    }
    site = Site(ts_created=created or utc_now())
    _apply(site, values)
    session.add(site)
    session.flush()
    for url in _checked_urls(alias_urls):
        session.add(SiteUrl(idsite=site.idsite, url=url))
    session.flush()
    return site


def _apply(site: Site, values: dict[str, object]) -> None:
    """Check `values` (Site column names) and set them on `site`."""
    for key, value in values.items():
        if key == "idsite" or not hasattr(Site, key):
            raise InvalidRequestError(f"unknown site setting {key!r}")
        setattr(site, key, _checked(key, value))


def _checked(key: str, value: object) -> object:
    if isinstance(value, str):
        limit = _TEXT_LIMITS.get(key)
        if limit is not None and len(value) > limit:
            raise InvalidRequestError(f"site {key} has at most {limit} characters")
    if key == "name":
        text = str(value).strip()
        if not text:
            raise InvalidRequestError("site name must not be empty")
        return text
    if key == "main_url":
        return checked_url(str(value).strip()) if str(value).strip() else ""
    if key == "timezone" and not is_valid_zone(str(value)):
        raise InvalidRequestError(
            f"unknown time zone {value!r}: use an IANA name such as Europe/Berlin or UTC"
        )
    if key == "currency" and not _CURRENCY.match(str(value)):
        raise InvalidRequestError(f"currency must be a 3-letter ISO code, got {value!r}")
    if key == "ts_created" and not (isinstance(value, datetime) and value.tzinfo is not None):
        raise InvalidRequestError("a site's creation time must be an aware datetime")
    if key == "type" and value not in SITE_TYPES:
        raise InvalidRequestError(f"site type must be one of {', '.join(SITE_TYPES)}")
    return value


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(sa.select(Site).order_by(Site.idsite)))


def get_site(session: Session, idsite: int) -> Site:
    site = session.get(Site, idsite)
    if site is None:
        raise NotFoundError(f"site {idsite} does not exist")
    return site


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _checked_urls(urls: Iterable[str]) -> list[str]:
    """The non-blank URLs as stored, each once: `a.example` and `http://a.example/` are one."""
    return _unique(checked_url(url) for url in urls if url.strip())


def update_site(
    session: Session, idsite: int, *, site_urls: Sequence[str] | None = None, **changes: object
) -> Site:
    """Change the settings given (Site column names); `site_urls` replaces the main URL (the
    first) and the aliases (the rest)."""
    site = get_site(session, idsite)
    _apply(site, changes)
    if site_urls is not None:
        set_urls(session, site, site_urls)
    session.flush()
    return site


def set_urls(session: Session, site: Site, new_urls: Sequence[str]) -> None:
    checked = _checked_urls(new_urls)
    site.main_url = checked[0] if checked else ""
    session.execute(sa.delete(SiteUrl).where(SiteUrl.idsite == site.idsite))
    for url in checked[1:]:
        session.add(SiteUrl(idsite=site.idsite, url=url))
    session.flush()


def list_urls(session: Session, idsite: int) -> list[str]:
    """The main URL, then the aliases."""
    site = get_site(session, idsite)
    aliases = session.scalars(
        sa.select(SiteUrl.url).where(SiteUrl.idsite == idsite).order_by(SiteUrl.url)
    )
    return _unique([site.main_url, *aliases])


def add_alias_urls(session: Session, idsite: int, new_urls: Sequence[str]) -> int:
    """Add the URLs the site does not have yet; returns how many were added."""
    known = set(list_urls(session, idsite))
    checked = _checked_urls(new_urls)
    added = [url for url in checked if url not in known]
    for url in added:
        session.add(SiteUrl(idsite=idsite, url=url))
    session.flush()
    return len(added)


def sites_for_url(session: Session, url: str) -> list[int]:
    """Ids of the sites with `url` as main or alias URL (any scheme, with or without www.)."""
    key = url_key(url)
    if not key:
        return []
    found = {
        idsite
        for idsite, candidate in session.execute(sa.select(Site.idsite, Site.main_url))
        if url_key(candidate) == key
    }
    found |= {
        idsite
        for idsite, candidate in session.execute(sa.select(SiteUrl.idsite, SiteUrl.url))
        if url_key(candidate) == key
    }
    return sorted(found)


# Every table with rows of one site, children before the tables their foreign keys name.
_SITE_TABLES: tuple[sa.Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        LogConversionItem,
        LogConversion,
        LogLinkVisitAction,
        LogVisit,
        ArchiveRecord,
        ArchiveState,
        TrackingFailure,
        SiteUrl,
        Goal,
        CustomDimension,
        Access,
        Annotation,
    )
)


def delete_site(session: Session, idsite: int) -> None:
    """Delete a site with everything recorded for it: configuration, raw logs, archives and
    the segments stored for it alone, so a later site given the same id starts empty."""
    get_site(session, idsite)
    session.execute(
        sa.update(Segment).where(Segment.enable_only_idsite == idsite).values(deleted=True)
    )
    for table in _SITE_TABLES:
        session.execute(sa.delete(table).where(table.c.idsite == idsite))
    session.execute(sa.delete(Site).where(Site.idsite == idsite))
    session.flush()


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
    """Add a goal with the next free id for the site (deleted goals keep theirs)."""
    get_site(session, idsite)
    values = goal_rules.check_goal(
        {
            "name": name,
            "match_attribute": match_attribute,
            "pattern": pattern,
            "pattern_type": pattern_type,
            **options,
        }
    )
    next_id = (
        session.scalar(sa.select(sa.func.max(Goal.idgoal)).where(Goal.idsite == idsite)) or 0
    ) + 1
    goal = Goal(idsite=idsite, idgoal=next_id, **values)
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
