"""Everything decided about a hit before it is queued: parse, authorise, exclude, site rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from analytics_server.auth.service import Principal
from analytics_server.enrichment.useragent import parse_user_agent
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.querystring import QueryDecodeError
from analytics_server.kit.urls import url_host
from analytics_server.privacy.exclusions import do_not_track_requested, is_prefetch
from analytics_server.sites.service import SiteConfig
from analytics_server.tracking.context import TrackerContext, ip_matcher, user_agent_matcher
from analytics_server.tracking.request import ServerFacts, TrackingRequest, parse_request

TRACKED, EXCLUDED, INVALID = "tracked", "excluded", "invalid"
# Every header do_not_track_requested and is_prefetch read (lower case, like ServerFacts').
SIGNAL_HEADERS = frozenset(
    {"dnt", "x-do-not-track", "sec-gpc", "x-purpose", "x-moz", "purpose", "sec-purpose"}
)


@dataclass(frozen=True)
class RawHit:
    """A hit as the endpoint received it; `decode_error` is set when its text was unreadable."""

    params: Mapping[str, str]
    facts: ServerFacts
    decode_error: str | None = None


@dataclass(frozen=True)
class HitOutcome:
    status: str  # tracked | excluded | invalid
    reason: str = ""


def parse_raw(hit: RawHit) -> TrackingRequest | InvalidRequestError:
    if hit.decode_error:
        return InvalidRequestError(hit.decode_error)
    try:
        return parse_request(hit.params, hit.facts)
    except (InvalidRequestError, QueryDecodeError) as exc:
        return exc if isinstance(exc, InvalidRequestError) else InvalidRequestError(str(exc))


def authorise(
    req: TrackingRequest,
    site: SiteConfig,
    principal_of: Callable[[str], Principal | None],
    *,
    ctx: TrackerContext,
    bulk_token: str | None,
) -> None:
    """Reject parameters only a trusted server may send, unless its token may write the site."""
    token = req.token_auth or bulk_token
    principal = principal_of(token) if token else None
    if token and principal is None:
        raise InvalidRequestError("token_auth is not valid")
    needs = req.needs_token
    tracker = ctx.settings.tracker
    if req.custom_time is not None:
        age = req.facts.received_at - req.custom_time
        if age > timedelta(days=tracker.raw_data_retention_days):
            raise InvalidRequestError("cdt is older than the raw data retention period")
        needs = needs or age > timedelta(seconds=tracker.cdt_requires_auth_older_than)
    if bulk_token is not None and tracker.bulk_requires_authentication:
        needs = True
    if not needs:
        return
    if principal is None:
        raise InvalidRequestError(
            "cdt older than 24 hours, cip and location overrides need a token_auth with write "
            "access to the site"
        )
    if not principal.can_write(site.idsite):
        raise InvalidRequestError(f"token_auth has no write access to site {site.idsite}")


def exclusion_reason(req: TrackingRequest, site: SiteConfig, ctx: TrackerContext) -> str | None:
    """Why a valid hit is excluded (answered as success, not stored), or None."""
    facts, privacy, tracker = req.facts, ctx.settings.privacy, ctx.settings.tracker
    if not req.record_bots and parse_user_agent(req.user_agent, req.client_hints).is_bot:
        return "bot"
    if not req.rec:
        return "rec_missing"
    # The header checks look each name up case-insensitively; our names are lower case, so
    # a request with none of them (nearly all) skips them.
    signals = not SIGNAL_HEADERS.isdisjoint(facts.headers)
    if signals and tracker.honour_do_not_track and do_not_track_requested(facts.headers):
        return "do_not_track"
    if ctx.exclude_rules.matches(req.params):
        return "exclude_requests_rule"
    if "matomo_ignore=" in facts.headers.get("cookie", ""):
        return "ignore_cookie"
    ip = req.custom_ip or facts.ip
    if ip_matcher(site.excluded_ips).matches(ip) or ip_matcher(tuple(privacy.excluded_ips)).matches(
        ip
    ):
        return "excluded_ip"
    if user_agent_matcher(site.excluded_user_agents).matches(req.user_agent) or (
        user_agent_matcher(tuple(privacy.excluded_user_agents)).matches(req.user_agent)
    ):
        return "excluded_user_agent"
    if site.exclude_unknown_urls and req.url:
        host = url_host(req.url).removeprefix("www.")
        if host and host not in site.hosts:
            return "unknown_url"
    if signals and is_prefetch(facts.headers):
        return "prefetch"
    return None


def judge(
    req: TrackingRequest,
    site: SiteConfig,
    principal_of: Callable[[str], Principal | None],
    *,
    ctx: TrackerContext,
    bulk_token: str | None = None,
) -> str | None:
    """Authorise, exclude and check a parsed hit against its site: the exclusion reason, or
    None to track it; raises InvalidRequestError for a hit to reject."""
    authorise(req, site, principal_of, ctx=ctx, bulk_token=bulk_token)
    reason = exclusion_reason(req, site, ctx)
    if reason is None:
        check_site_rules(req, site)
    return reason


# A browser hit with none of these is judged by the worker (see `judged_by_worker`).
_JUDGED_BY_ENDPOINT = frozenset(
    {"token_auth", "cip", "cdt", "country", "region", "city", "lat", "long", "ec_id"}
)


def judged_by_worker(hit: RawHit) -> bool:
    """Whether the endpoint may queue a hit without judging it: a browser hit (answered 204
    whatever happens to it) that needs no token and no order lookup. The worker parses each
    hit anyway, so judging it there saves the endpoint a second parse (a fifth of its time
    per hit); a hit it rejects is listed as a failure and one it excludes is counted."""
    return (
        hit.facts.source == "browser"
        and hit.decode_error is None
        and _JUDGED_BY_ENDPOINT.isdisjoint(hit.params)
    )


def judging_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers `exclusion_reason` reads, for a hit the worker judges: the privacy
    and prefetch signals, and of the cookies only whether `matomo_ignore` was set."""
    kept = {name: headers[name] for name in SIGNAL_HEADERS.intersection(headers)}
    if "matomo_ignore=" in headers.get("cookie", ""):
        kept["cookie"] = "matomo_ignore="
    return kept


def no_principal(_token: str) -> Principal | None:
    """For the worker's judgement: its hits carry no token (see `judged_by_worker`)."""
    return None


def check_site_rules(req: TrackingRequest, site: SiteConfig) -> None:
    """Reasons to reject that need only the site's configuration (goals, ecommerce)."""
    if req.idgoal is not None and req.idgoal > 0 and req.idgoal not in site.goals:
        raise InvalidRequestError(f"goal {req.idgoal} does not exist for site {site.idsite}")
    if req.idgoal == 0 and not site.ecommerce:
        raise InvalidRequestError(f"ecommerce is not enabled for site {site.idsite}")
