"""Validate, exclude and store a batch of hits; record why a rejected hit was rejected."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from analytics_server.auth.service import Principal, principal_for_token
from analytics_server.enrichment.useragent import parse_user_agent
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.querystring import QueryDecodeError
from analytics_server.kit.urls import url_host
from analytics_server.models import TrackingFailure
from analytics_server.privacy.exclusions import do_not_track_requested, is_prefetch
from analytics_server.sites.service import SiteConfig, load_site_configs
from analytics_server.tracking.context import TrackerContext, ip_matcher, user_agent_matcher
from analytics_server.tracking.pipeline import process_hit
from analytics_server.tracking.request import ServerFacts, TrackingRequest, parse_request

log = logging.getLogger(__name__)

TRACKED, EXCLUDED, INVALID = "tracked", "excluded", "invalid"

# One writer at a time keeps visit recognition race-free until the ingest queue partitions work.
_WRITE_LOCK = threading.Lock()
dropped: Counter[str] = Counter()


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


def _parse(hit: RawHit) -> TrackingRequest | InvalidRequestError:
    if hit.decode_error:
        return InvalidRequestError(hit.decode_error)
    try:
        return parse_request(hit.params, hit.facts)
    except (InvalidRequestError, QueryDecodeError) as exc:
        return exc if isinstance(exc, InvalidRequestError) else InvalidRequestError(str(exc))


class _Tokens:
    """Token look-ups, once per distinct token in a batch."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen: dict[str, Principal | None] = {}

    def get(self, token: str) -> Principal | None:
        if token not in self._seen:
            self._seen[token] = principal_for_token(self._session, token)
        return self._seen[token]


def _authorise(
    req: TrackingRequest,
    site: SiteConfig,
    tokens: _Tokens,
    *,
    ctx: TrackerContext,
    bulk_token: str | None,
) -> None:
    token = req.token_auth or bulk_token
    principal = tokens.get(token) if token else None
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


def _exclusion(req: TrackingRequest, site: SiteConfig, ctx: TrackerContext) -> str | None:
    """Why a valid hit is excluded (answered as success, not stored), or None."""
    facts, privacy, tracker = req.facts, ctx.settings.privacy, ctx.settings.tracker
    if not req.record_bots and parse_user_agent(req.user_agent, req.client_hints).is_bot:
        return "bot"
    if not req.rec:
        return "rec_missing"
    if tracker.honour_do_not_track and do_not_track_requested(facts.headers):
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
    if is_prefetch(facts.headers):
        return "prefetch"
    return None


def _process_one(
    session: Session,
    ctx: TrackerContext,
    *,
    req: TrackingRequest,
    sites: Mapping[int, SiteConfig],
    tokens: _Tokens,
    bulk_token: str | None,
) -> HitOutcome:
    site = sites.get(req.idsite)
    if site is None or not site.active:
        raise InvalidRequestError(f"idsite {req.idsite} is not a known, active site")
    _authorise(req, site, tokens, ctx=ctx, bulk_token=bulk_token)
    reason = _exclusion(req, site, ctx)
    if reason is not None:
        dropped[reason] += 1
        log.debug("hit excluded: %s", reason)
        return HitOutcome(EXCLUDED, reason)
    savepoint = session.begin_nested()
    try:
        stored = process_hit(session, ctx, site, req)
    except InvalidRequestError:
        savepoint.rollback()
        ctx.actions.discard()
        raise
    savepoint.commit()
    ctx.actions.keep()
    if not stored:
        dropped["heartbeat_without_visit"] += 1
        return HitOutcome(EXCLUDED, "heartbeat_without_visit")
    return HitOutcome(TRACKED)


def track(
    factory: sessionmaker[Session],
    ctx: TrackerContext,
    hits: Sequence[RawHit],
    *,
    bulk_token: str | None = None,
) -> list[HitOutcome]:
    """Store a batch in one transaction; each hit is tracked, excluded or invalid (with reason).

    A database failure raises and commits nothing, so the client gets an error and resends.
    """
    parsed = [_parse(hit) for hit in hits]
    outcomes: list[HitOutcome | None] = [None] * len(hits)
    rejected: list[tuple[int, str]] = []
    with _WRITE_LOCK, factory() as session:
        try:
            with session.begin():
                sites = load_site_configs(
                    session, [p.idsite for p in parsed if isinstance(p, TrackingRequest)]
                )
                tokens = _Tokens(session)
                for index, req in enumerate(parsed):
                    if isinstance(req, InvalidRequestError):
                        rejected.append((index, req.message))
                        continue
                    try:
                        outcomes[index] = _process_one(
                            session, ctx, req=req, sites=sites, tokens=tokens, bulk_token=bulk_token
                        )
                    except InvalidRequestError as exc:
                        rejected.append((index, exc.message))
        except Exception:
            ctx.actions.forget_all()
            raise
    for index, reason in rejected:
        outcomes[index] = HitOutcome(INVALID, reason)
    if rejected:
        record_failures(factory, [(hits[i], reason) for i, reason in rejected], ctx=ctx)
    return [o if o is not None else HitOutcome(INVALID, "not processed") for o in outcomes]


def record_failures(
    factory: sessionmaker[Session], failures: Sequence[tuple[RawHit, str]], *, ctx: TrackerContext
) -> None:
    """Keep rejected hits (without their token) for the admin; never fails the answer."""
    try:
        with factory() as session, session.begin():
            for hit, reason in failures:
                params = {k: v for k, v in hit.params.items() if k != "token_auth"}
                raw_site = params.get("idsite", "")
                session.add(
                    TrackingFailure(
                        idsite=int(raw_site)
                        if raw_site.isascii() and raw_site.isdigit() and len(raw_site) < 10
                        else None,
                        reason=reason[:255],
                        # "replace": a hit rejected for a lone surrogate must still be listed
                        request=urlencode(params, errors="replace")[:4000],
                        source=hit.facts.source,
                        date_first_seen=ctx.clock(),
                    )
                )
    except Exception:  # the failure log must never turn a 400 into a 500
        log.exception("could not record %d tracking failures", len(failures))
    for _hit, reason in failures:
        log.info("tracking request rejected: %s", reason)


def is_superuser_token(factory: sessionmaker[Session], token: str) -> bool:
    with factory() as session:
        principal = principal_for_token(session, token)
    return principal is not None and principal.superuser


def list_failures(
    session: Session, *, idsite: int | None = None, limit: int = 50
) -> list[TrackingFailure]:
    """The newest rejected hits, optionally of one site."""
    query = sa.select(TrackingFailure).order_by(TrackingFailure.idfailure.desc())
    if idsite is not None:
        query = query.where(TrackingFailure.idsite == idsite)
    return list(session.scalars(query.limit(limit)))
