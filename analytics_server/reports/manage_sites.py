"""SitesManager.*: read, add, change and delete sites; their URLs and tracking code.

Reads need view access to the site, changes admin access, adding and deleting sites superuser
access, as in Matomo. The work is done by `sites.service`; this module reads parameters and
shapes answers (site rows with Matomo's column names).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies

from analytics_server.errors import InvalidRequestError
from analytics_server.models import Site
from analytics_server.privacy.exclusions import IpMatcher, UserAgentMatcher
from analytics_server.reports import manage_checks as check
from analytics_server.reports.formats import Success
from analytics_server.reports.service import Call, has_access
from analytics_server.sites import service as sites_service
from analytics_server.sites import tracking_code

# API parameter -> site column, for the comma-list settings.
_LISTS = {
    "searchKeywordParameters": "sitesearch_keyword_parameters",
    "searchCategoryParameters": "sitesearch_category_parameters",
    "excludedIps": "excluded_ips",
    "excludedQueryParameters": "excluded_parameters",
    "excludedUserAgents": "excluded_user_agents",
    "excludedReferrers": "excluded_referrers",
}
_FLAGS = {
    "ecommerce": "ecommerce",
    "siteSearch": "sitesearch",
    "excludeUnknownUrls": "exclude_unknown_urls",
}
_TEXTS = {"timezone": "timezone", "currency": "currency", "group": "group", "type": "type"}
_CONTINENTS = frozenset(
    {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian"}
    | {"Pacific"}
)


def site_row(site: Site) -> dict[str, Any]:
    return {
        "idsite": site.idsite,
        "name": site.name,
        "main_url": site.main_url,
        "ts_created": check.stamp(site.ts_created),
        "ecommerce": int(site.ecommerce),
        "sitesearch": int(site.sitesearch),
        "sitesearch_keyword_parameters": site.sitesearch_keyword_parameters,
        "sitesearch_category_parameters": site.sitesearch_category_parameters,
        "timezone": site.timezone,
        "currency": site.currency,
        "exclude_unknown_urls": int(site.exclude_unknown_urls),
        "excluded_ips": site.excluded_ips,
        "excluded_parameters": site.excluded_parameters,
        "excluded_user_agents": site.excluded_user_agents,
        "excluded_referrers": site.excluded_referrers,
        "group": site.group,
        "type": site.type,
        "keep_url_fragment": int(site.keep_url_fragment),
        "creator_login": site.creator_login,
    }


def _settings(call: Call) -> dict[str, Any]:
    """The site settings the call gives, by column; absent parameters are left out."""
    found: dict[str, Any] = {}
    name = check.text(call, "siteName", max_length=90)
    if name is not None:
        found["name"] = name
    for param, column in _TEXTS.items():
        value = check.text(call, param, max_length=250)
        if value is not None:
            found[column] = value.strip()
    for param, column in _FLAGS.items():
        flag = check.flag(call, param)
        if flag is not None:
            found[column] = flag
    for param, column in _LISTS.items():
        listed = check.items(call, param)
        if listed is not None:
            _check_list(param, listed)
            found[column] = ",".join(listed)
    fragments = call.params.integer("keepURLFragments")
    if fragments is not None:
        if fragments not in (0, 1, 2):
            raise InvalidRequestError("keepURLFragments must be 0 (default), 1 (keep) or 2 (drop).")
        found["keep_url_fragment"] = fragments == 1
    start = check.moment(call, "startDate")
    if start is not None:
        found["ts_created"] = start
    return found


def _check_list(param: str, values: list[str]) -> None:
    if param == "excludedIps" and IpMatcher(values).invalid:
        bad = IpMatcher(values).invalid[0]
        raise InvalidRequestError(
            f"excludedIps: {bad[:60]!r} is not an IP address, a range (10.0.0.0/8) "
            "or a wildcard (192.168.*.*)."
        )
    if param == "excludedUserAgents" and UserAgentMatcher(values).invalid:
        bad = UserAgentMatcher(values).invalid[0]
        raise InvalidRequestError(f"excludedUserAgents: {bad[:60]!r} is not a valid /regex/.")


def _add_site(call: Call) -> Any:
    check.superuser(call, "adding a site")
    values = {"timezone": "UTC", "currency": "USD", "type": "website", **_settings(call)}
    if not str(values.get("name", "")).strip():
        raise InvalidRequestError("Please specify a value for 'siteName'.")
    urls = check.items(call, "urls") or []
    values["creator_login"] = call.principal.login
    name, timezone, currency = values.pop("name"), values.pop("timezone"), values.pop("currency")
    site = sites_service.create_site(
        call.session,
        name=name,
        main_url=urls[0] if urls else "",
        timezone=timezone,
        currency=currency,
        site_type=values.pop("type"),
        ecommerce=bool(values.pop("ecommerce", False)),
        alias_urls=urls[1:],
        created=values.pop("ts_created", None),
        **values,
    )
    return check.commit(call, site.idsite)


def _update_site(call: Call) -> Any:
    site = check.site(call, "admin")
    changes = _settings(call)
    if "name" in changes and not changes["name"].strip():
        raise InvalidRequestError("The site name must not be empty.")
    urls = check.items(call, "urls")
    sites_service.update_site(call.session, site.idsite, site_urls=urls, **changes)
    return check.commit(call, Success())


def _delete_site(call: Call) -> Any:
    check.superuser(call, "deleting a site")
    site = check.site(call, "admin")
    sites_service.delete_site(call.session, site.idsite)
    return check.commit(call, Success())


def _add_alias_urls(call: Call) -> Any:
    site = check.site(call, "admin")
    urls = check.items(call, "urls") or []
    if not urls:
        raise InvalidRequestError("Please specify a value for 'urls'.")
    return check.commit(call, sites_service.add_alias_urls(call.session, site.idsite, urls))


def _set_alias_urls(call: Call) -> Any:
    site = check.site(call, "admin")
    urls = check.items(call, "urls") or []
    sites_service.set_urls(call.session, site, [site.main_url, *urls])
    return check.commit(call, Success())


def _site_from_id(call: Call) -> Any:
    return site_row(check.site(call, "view"))


def _urls_from_id(call: Call) -> Any:
    return sites_service.list_urls(call.session, check.site(call, "view").idsite)


def _sites(call: Call, level: str) -> list[Site]:
    chosen = [
        site
        for site in sites_service.list_sites(call.session)
        if has_access(call.principal, site.idsite, level)
    ]
    limit = call.params.integer("limit")
    return chosen[:limit] if limit is not None and limit >= 0 else chosen


def _rows(level: str, *, superuser: bool = False) -> Callable[[Call], Any]:
    def handler(call: Call) -> Any:
        if superuser:
            check.superuser(call, "listing every site")
        return [site_row(site) for site in _sites(call, level)]

    return handler


def _ids(level: str, *, superuser: bool = False) -> Callable[[Call], Any]:
    def handler(call: Call) -> Any:
        if superuser:
            check.superuser(call, "listing every site")
        return [site.idsite for site in _sites(call, level)]

    return handler


def _ids_from_url(call: Call) -> Any:
    url = check.required_text(call, "url", max_length=2000)
    found = sites_service.sites_for_url(call.session, url)
    return [{"idsite": i} for i in found if has_access(call.principal, i, "view")]


def _base_url(call: Call) -> str:
    # `_base_url` is where the endpoint may put this server's own address.
    base = call.params.get("piwikUrl") or call.params.get("_base_url")
    if not base.strip():
        raise InvalidRequestError(
            "Please specify a value for 'piwikUrl': this server's address as trackers reach it."
        )
    return base


def _javascript_tag(call: Call) -> Any:
    site = check.site(call, "view")
    return tracking_code.javascript_tag(site.idsite, _base_url(call))


def _image_tracking_code(call: Call) -> Any:
    site = check.site(call, "view")
    return tracking_code.image_tracking_code(
        site.idsite,
        _base_url(call),
        action_name=call.params.text("actionName", max_length=500),
        idgoal=call.params.integer("idGoal"),
        revenue=check.number(call, "revenue"),
    )


@lru_cache(maxsize=4)
def _currencies(year: int) -> dict[str, str]:
    """Currencies legal tender somewhere in `year`, by code, with their English names."""
    codes: set[str] = set()
    for territory in Locale("en").territories:
        codes |= set(get_territory_currencies(str(territory), date(year, 1, 1), tender=True))
    return {code: get_currency_name(code, locale="en") for code in sorted(codes)}


def _currency_list(call: Call) -> Any:
    return _currencies(call.now.year)


def _timezones(_call: Call) -> Any:
    groups: dict[str, dict[str, str]] = {"UTC": {"UTC": "UTC"}}
    for name in sorted(available_timezones()):
        continent, _, place = name.partition("/")
        if continent in _CONTINENTS and place:
            groups.setdefault(continent, {})[name] = place.replace("_", " ").replace("/", " - ")
    return groups


METHODS: dict[str, Callable[[Call], Any]] = {
    "SitesManager.getSiteFromId": _site_from_id,
    "SitesManager.getSiteUrlsFromId": _urls_from_id,
    "SitesManager.getAllSites": _rows("view", superuser=True),
    "SitesManager.getAllSitesId": _ids("view", superuser=True),
    "SitesManager.getSitesWithAtLeastViewAccess": _rows("view"),
    "SitesManager.getSitesIdWithAtLeastViewAccess": _ids("view"),
    "SitesManager.getSitesWithAdminAccess": _rows("admin"),
    "SitesManager.getSitesIdWithAdminAccess": _ids("admin"),
    "SitesManager.getSitesIdFromSiteUrl": _ids_from_url,
    "SitesManager.addSite": _add_site,
    "SitesManager.updateSite": _update_site,
    "SitesManager.deleteSite": _delete_site,
    "SitesManager.addSiteAliasUrls": _add_alias_urls,
    "SitesManager.setSiteAliasUrls": _set_alias_urls,
    "SitesManager.getJavascriptTag": _javascript_tag,
    "SitesManager.getImageTrackingCode": _image_tracking_code,
    "SitesManager.getTimezonesList": _timezones,
    "SitesManager.getCurrencyList": _currency_list,
}
