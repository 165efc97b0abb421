"""Process one validated hit: find or open its visit, record its action, goals and ecommerce."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from analytics_server.enrichment.geo import Location
from analytics_server.enrichment.referrers import CAMPAIGN, Referrer, ReferrerLists, classify
from analytics_server.enrichment.useragent import DeviceInfo, parse_user_agent
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.hashing import random_visitor_id
from analytics_server.logs import repository as logs
from analytics_server.models import log as m
from analytics_server.privacy.ip import anonymise_ip, pack_ip, unpack_ip
from analytics_server.sites.service import SiteConfig
from analytics_server.tracking import goals
from analytics_server.tracking.actions import (
    COUNTED_KINDS,
    PageFacts,
    action_columns,
    action_kind,
    page_facts,
)
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.request import TrackingRequest
from analytics_server.tracking.validation import check_site_rules
from analytics_server.visitors import service as visitors

MAX_TIME_ON_PAGE = 1800


@dataclass(frozen=True)
class HitFacts:
    """Derived, per-hit facts shared by the steps below."""

    now: datetime
    ip: str
    device: DeviceInfo
    page: PageFacts
    referrer: Referrer
    idvisitor: bytes | None


def _hit_facts(req: TrackingRequest, site: SiteConfig, ctx: TrackerContext) -> HitFacts:
    page = page_facts(req, site, ctx)
    referrer = _classify(
        req.url,
        "" if _referrer_excluded(req.urlref, site) else req.urlref,
        site.hosts,
        req.attribution_campaign,
        ctx.referrer_lists,
    )
    return HitFacts(
        now=(req.custom_time or req.facts.received_at).replace(microsecond=0),
        ip=req.custom_ip or req.facts.ip,
        device=parse_user_agent(req.user_agent, req.client_hints),
        page=page,
        referrer=referrer,
        idvisitor=visitors.request_visitor_id(
            uid=req.uid, cid=req.cid, cookie_id=req.visitor_id, rules=ctx.rules
        ),
    )


@lru_cache(maxsize=16_384)
def _classify(
    page_url: str,
    referrer_url: str,
    hosts: frozenset[str],
    campaign: tuple[str, str] | None,
    lists: ReferrerLists,
) -> Referrer:
    """`classify`, remembered: most hits repeat a page and a referrer seen just before."""
    return classify(
        page_url=page_url,
        referrer_url=referrer_url,
        site_hosts=hosts,
        attribution_campaign=campaign,
        lists=lists,
    )


def _referrer_excluded(urlref: str, site: SiteConfig) -> bool:
    if not site.excluded_referrers or not urlref:
        return False
    lowered = urlref.lower()
    return any(pattern.lower() in lowered for pattern in site.excluded_referrers)


def _config_id(
    session: Session, ctx: TrackerContext, req: TrackingRequest, site: SiteConfig, hit: HitFacts
) -> bytes:
    device = hit.device
    flags = req.flags
    parts = [
        device.os_code,
        device.browser_code,
        device.browser_version,
        *("1" if flags[f] else "0" for f in ("fla", "java", "qt", "realp", "pdf", "wma", "ag")),
        "1" if flags["cookie"] else "0",
    ]
    return visitors.fingerprint(
        parts=parts,
        ip=hit.ip,
        language=req.language,
        instance_salt=ctx.salts.instance(session, ctx.settings.salt.get_secret_value()),
        daily_salt=ctx.salts.daily(
            session, idsite=site.idsite, moment=hit.now, timezone=site.timezone
        ),
        idsite=site.idsite,
    )


def _location(
    ctx: TrackerContext, req: TrackingRequest, hit: HitFacts, stored_ip: bytes
) -> Location:
    lookup_ip = hit.ip
    if ctx.settings.privacy.use_anonymised_ip_for_enrichment:
        lookup_ip = unpack_ip(stored_ip)
    return ctx.geo.locate(lookup_ip, overrides=req.location_overrides or None)


def _new_visit(
    ctx: TrackerContext,
    writes: logs.PendingWrites,
    *,
    req: TrackingRequest,
    site: SiteConfig,
    hit: HitFacts,
    config_id: bytes,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    mask = site.ip_anonymisation_bytes
    if mask is None:
        mask = ctx.settings.privacy.ip_anonymisation_bytes
    stored_ip = anonymise_ip(pack_ip(hit.ip), mask)
    location = _location(ctx, req, hit, stored_ip)
    device, ref, flags = hit.device, hit.referrer, req.flags
    idvisitor = hit.idvisitor or (previous["idvisitor"] if previous else random_visitor_id())
    visit: dict[str, Any] = {
        "idsite": site.idsite,
        "idvisitor": idvisitor,
        "config_id": config_id,
        "location_ip": stored_ip,
        "user_id": req.uid,
        "visit_first_action_time": hit.now,
        "visit_last_action_time": hit.now,
        "visit_total_time": 0,
        "visit_total_actions": 0,
        "visit_total_interactions": 0,
        "visit_total_searches": 0,
        "visit_total_events": 0,
        "visit_entry_idaction_url": None,
        "visit_entry_idaction_name": None,
        "visit_exit_idaction_url": None,
        "visit_exit_idaction_name": None,
        **visitors.visitor_history(previous, hit.now),
        "visitor_localtime": req.local_time,
        "visit_goal_converted": False,
        "visit_goal_buyer": visitors.GOAL_BUYER_NONE,
        "referer_type": ref.type,
        "referer_name": ref.name or None,
        "referer_keyword": ref.keyword or None,
        "referer_url": ref.url or None,
        "campaign_source": ref.campaign_source or None,
        "campaign_medium": ref.campaign_medium or None,
        "campaign_content": ref.campaign_content or None,
        "campaign_id": ref.campaign_id or None,
        "campaign_group": ref.campaign_group or None,
        "campaign_placement": ref.campaign_placement or None,
        "location_country": location.country_code,
        "location_region": location.region_code or None,
        "location_city": location.city or None,
        "location_latitude": location.latitude,
        "location_longitude": location.longitude,
        "location_named": location.named_location,
        "location_browser_lang": req.language,
        "config_browser_name": device.browser_code,
        "config_browser_version": device.browser_version[:20],
        "config_browser_engine": device.browser_engine[:10],
        "config_client_type": device.client_type,
        "config_os": device.os_code,
        "config_os_version": device.os_version[:100],
        "config_device_type": device.device_type,
        "config_device_brand": device.device_brand[:100] or None,
        "config_device_model": device.device_model[:100] or None,
        "config_resolution": req.resolution,
        "config_cookie": flags["cookie"],
        "config_flash": flags["fla"],
        "config_java": flags["java"],
        "config_pdf": flags["pdf"],
        "config_quicktime": flags["qt"],
        "config_realplayer": flags["realp"],
        "config_silverlight": False,
        "config_windowsmedia": flags["wma"],
        "profilable": flags["cookie"] or req.visitor_id is not None or req.uid is not None,
        "last_idlink_va": None,  # not kept: action rows are written in bulk, ids unknown
    }
    visit.update(_visit_scope_values(req, site))
    writes.add_visit(visit)  # inserted with the batch's other new visits
    return visit


def _visit_scope_values(req: TrackingRequest, site: SiteConfig) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for dim_id, value in req.dimensions.items():
        dim = site.dimensions.get(dim_id)
        if dim is not None and dim.scope == "visit":
            values[dim.column] = value or None
    for slot, (key, value) in req.visit_custom_vars.items():
        values[f"custom_var_k{slot}"] = key
        values[f"custom_var_v{slot}"] = value
    return values


class _VisitState:
    """A visit row in memory plus the columns changed by this hit, written once at the end."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.changes: dict[str, Any] = {}
        # Time on the previous page is measured from the visit's last action before this hit.
        self.previous_action_time: datetime = row["visit_last_action_time"]

    def set(self, column: str, value: Any) -> None:
        if self.row.get(column) != value:
            self.row[column] = value
            self.changes[column] = value

    def add(self, column: str, amount: int = 1) -> None:
        self.set(column, (self.row.get(column) or 0) + amount)


def _touch_visit(
    state: _VisitState, req: TrackingRequest, site: SiteConfig, hit: HitFacts, *, is_new: bool
) -> None:
    row = state.row
    if not is_new:
        elapsed = int((hit.now - row["visit_first_action_time"]).total_seconds())
        state.set("visit_total_time", max(row["visit_total_time"], 1 + elapsed))
        if not req.ping and hit.now > row["visit_last_action_time"]:
            state.set("visit_last_action_time", hit.now)
        if hit.idvisitor is not None:
            state.set("idvisitor", hit.idvisitor)
    if req.uid:
        state.set("user_id", req.uid)
    for column, value in _visit_scope_values(req, site).items():
        state.set(column, value)


def _record_action(
    session: Session,
    ctx: TrackerContext,
    writes: logs.PendingWrites,
    *,
    kind: int,
    state: _VisitState,
    req: TrackingRequest,
    site: SiteConfig,
    hit: HitFacts,
) -> dict[str, Any]:
    row = state.row
    columns = action_columns(session, ctx, kind=kind, req=req, page=hit.page, site=site)
    first_action = row["visit_total_actions"] == 0
    if kind in COUNTED_KINDS:
        state.add("visit_total_actions")
    if kind in (m.HIT_PAGEVIEW, m.HIT_SITE_SEARCH):
        state.add("visit_total_interactions")
        columns["pageview_position"] = row["visit_total_interactions"]
    if kind == m.HIT_SITE_SEARCH:
        state.add("visit_total_searches")
    if kind == m.HIT_EVENT:
        state.add("visit_total_events")
    elapsed = (hit.now - state.previous_action_time).total_seconds()
    time_spent = 0 if first_action else int(elapsed)
    columns.update(
        idsite=site.idsite,
        idvisitor=row["idvisitor"],
        server_time=hit.now,
        idaction_url_ref=row["visit_exit_idaction_url"],
        idaction_name_ref=row["visit_exit_idaction_name"],
        time_spent_ref_action=min(max(time_spent, 0), MAX_TIME_ON_PAGE),
    )
    writes.add_action(columns, visit=row)  # its idvisit may be known only when written
    if kind == m.HIT_PAGEVIEW:
        if row["visit_entry_idaction_url"] is None:
            state.set("visit_entry_idaction_url", columns["idaction_url"])
            state.set("visit_entry_idaction_name", columns["idaction_name"])
        state.set("visit_exit_idaction_url", columns["idaction_url"])
        state.set("visit_exit_idaction_name", columns["idaction_name"])
    elif kind == m.HIT_SITE_SEARCH:
        if row["visit_entry_idaction_name"] is None:
            state.set("visit_entry_idaction_name", columns["idaction_name"])
        state.set("visit_exit_idaction_url", columns["idaction_url"])
        state.set("visit_exit_idaction_name", columns["idaction_name"])
    return columns


def _record_goals(
    session: Session,
    ctx: TrackerContext,
    writes: logs.PendingWrites,
    *,
    state: _VisitState,
    req: TrackingRequest,
    site: SiteConfig,
    kind: int | None,
    action: dict[str, Any],
) -> None:
    if req.idgoal == 0:  # checked by `precheck`
        writes.visit_id(session, state.row)  # conversion rows need the visit's id now
        state.set(
            "visit_goal_buyer",
            goals.record_ecommerce(session, ctx, visit=state.row, req=req, action=action),
        )
        if req.order_id is not None:
            state.set("visit_goal_converted", True)
        return
    targets = []
    if req.idgoal is not None and req.idgoal > 0:
        goal = site.goals.get(req.idgoal)
        if goal is None:
            raise InvalidRequestError(f"goal {req.idgoal} does not exist for site {site.idsite}")
        targets.append(goal)
    if not req.ping:
        targets += goals.matched_goals(
            site, req, kind=kind, visit_seconds=state.row["visit_total_time"]
        )
    if targets:
        writes.visit_id(session, state.row)
    for goal in targets:
        if goals.convert_goal(session, goal=goal, visit=state.row, req=req, action=action):
            state.set("visit_goal_converted", True)


def precheck(session: Session, site: SiteConfig, req: TrackingRequest) -> None:
    """Every reason to reject a hit that needs the site or the database, checked before any
    write, so a rejected hit never leaves a partial row behind."""
    check_site_rules(req, site)
    if (
        req.idgoal == 0
        and req.order_id is not None
        and logs.order_exists(session, idsite=site.idsite, idorder=req.order_id)
    ):
        raise InvalidRequestError(f"order {req.order_id!r} was already recorded for this site")


@dataclass(frozen=True)
class PreparedHit:
    """A hit with everything derived that needs no visit: ready for `apply_hit`."""

    req: TrackingRequest
    site: SiteConfig
    hit: HitFacts
    kind: int | None
    config_id: bytes


def prepare_hit(
    session: Session, ctx: TrackerContext, site: SiteConfig, req: TrackingRequest
) -> PreparedHit:
    """Derive the hit's facts; raises InvalidRequestError before anything is written."""
    hit = _hit_facts(req, site, ctx)
    kind = action_kind(req, hit.page)
    precheck(session, site, req)
    config_id = _config_id(session, ctx, req, site, hit)
    return PreparedHit(req=req, site=site, hit=hit, kind=kind, config_id=config_id)


def _visit_for(
    session: Session,
    ctx: TrackerContext,
    prepared: PreparedHit,
    *,
    cache: visitors.VisitCache,
    writes: logs.PendingWrites,
) -> tuple[dict[str, Any] | None, bool]:
    """The visit the hit continues, or (None, True) for a heartbeat that would open one."""
    req, site, hit = prepared.req, prepared.site, prepared.hit
    previous = visitors.find_previous_visit(
        session,
        idsite=site.idsite,
        idvisitor=hit.idvisitor,
        config_id=prepared.config_id,
        uid=req.uid,
        has_cid=req.cid is not None,
        trust_cookies=site.trusts_cookies,
        now=hit.now,
        rules=ctx.rules,
        cache=cache,
        pending=writes,
    )
    campaign = None
    if hit.referrer.type == CAMPAIGN:
        campaign = (hit.referrer.name, hit.referrer.keyword)
    is_new = visitors.starts_new_visit(
        previous,
        now=hit.now,
        timezone=site.timezone,
        new_visit_flag=req.new_visit,
        uid=req.uid,
        campaign=campaign,
        rules=ctx.rules,
    )
    if req.ping and is_new:
        return None, True
    if is_new:
        row = _new_visit(
            ctx,
            writes,
            req=req,
            site=site,
            hit=hit,
            config_id=prepared.config_id,
            previous=previous,
        )
        return row, True
    assert previous is not None
    return previous, False


def apply_hit(
    session: Session,
    ctx: TrackerContext,
    prepared: PreparedHit,
    *,
    cache: visitors.VisitCache,
    writes: logs.PendingWrites,
) -> bool:
    """Store a prepared hit; False when it is dropped on purpose (a heartbeat without a visit).

    Action rows and visit changes go to `writes`, saved in bulk when the batch ends.
    """
    req, site, hit, kind = prepared.req, prepared.site, prepared.hit, prepared.kind
    if req.idgoal == 0 and req.order_id is not None:
        precheck(session, site, req)  # the same order id may come twice in one batch
    row, is_new = _visit_for(session, ctx, prepared, cache=cache, writes=writes)
    if row is None:
        return False
    state = _VisitState(row)
    _touch_visit(state, req, site, hit, is_new=is_new)
    action: dict[str, Any] = {"server_time": hit.now}
    if kind is not None:
        action = _record_action(
            session, ctx, writes, kind=kind, state=state, req=req, site=site, hit=hit
        )
    elif req.ping and req.pageview_id:
        # A heartbeat tells how long the page it belongs to was read (the last page of a visit
        # gets no time otherwise), and may carry that page's performance timings.
        reading = int((hit.now - state.previous_action_time).total_seconds())
        values = {**req.performance, "time_spent": min(max(reading, 0), MAX_TIME_ON_PAGE)}
        writes.flush_actions(session)  # the page view may still be waiting to be written
        logs.update_pageview(
            session, idvisit=row["idvisit"], idpageview=req.pageview_id, values=values
        )
    if req.idgoal is not None or site.goals:
        _record_goals(
            session, ctx, writes, state=state, req=req, site=site, kind=kind, action=action
        )
    writes.touch_visit(row, state.changes)
    cache.remember(row)
    return True


def process_hit(
    session: Session,
    ctx: TrackerContext,
    site: SiteConfig,
    req: TrackingRequest,
    cache: visitors.VisitCache | None = None,
) -> bool:
    """Prepare and store one hit (see `prepare_hit` and `apply_hit`)."""
    prepared = prepare_hit(session, ctx, site, req)
    writes = logs.PendingWrites()
    stored = apply_hit(session, ctx, prepared, cache=cache or visitors.VisitCache(), writes=writes)
    writes.flush(session)
    return stored
