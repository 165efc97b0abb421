"""The endpoint side of ingestion: validate, exclude, enqueue durably, then answer.

A plain browser hit (answered 204 whatever becomes of it) is queued unjudged and the worker
validates and excludes it, since it parses every hit anyway (`validation.judged_by_worker`).

Sites and tokens come from short-lived in-process caches, so a hit costs no database query;
only an order id is checked against the database (orders are rare, and an SDK deserves a 400
for a duplicate). Everything else about a hit is the worker's job.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from analytics_server.auth.service import Principal, principal_for_token
from analytics_server.errors import InvalidRequestError
from analytics_server.logs import repository as logs
from analytics_server.sites.service import SiteConfig, load_site_configs
from analytics_server.tracking import messages
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.group_commit import GroupCommitter
from analytics_server.tracking.request import TrackingRequest
from analytics_server.tracking.validation import (
    EXCLUDED,
    INVALID,
    TRACKED,
    HitOutcome,
    RawHit,
    judge,
    judged_by_worker,
    parse_raw,
)

log = logging.getLogger(__name__)

SITE_TTL = 5.0
MISS_RELOAD_AFTER = 1.0


@dataclass
class _Entry:
    value: object
    loaded_at: float


class _TtlCache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._data: dict[object, _Entry] = {}

    def fresh(self, key: object, now: float, ttl: float | None = None) -> bool:
        entry = self._data.get(key)
        return entry is not None and now - entry.loaded_at < (self.ttl if ttl is None else ttl)

    def get(self, key: object) -> object:
        entry = self._data.get(key)
        return entry.value if entry else None

    def put(self, key: object, value: object, now: float) -> None:
        if len(self._data) > 10_000:
            self._data.clear()
        self._data[key] = _Entry(value, now)


class Ingestor:
    """Accepts hits for the queue; one per process, used from the event loop."""

    def __init__(
        self,
        *,
        factory: sessionmaker[Session],
        ctx: TrackerContext,
        committer: GroupCommitter,
        partitions: int,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.factory = factory
        self.ctx = ctx
        self.committer = committer
        self.partitions = partitions
        self.after_commit = after_commit  # inline mode: process before answering
        self.counts: Counter[str] = Counter()  # this process's totals, also sent to the queue
        self._sites = _TtlCache(SITE_TTL)
        self._tokens = _TtlCache(60.0)
        self._loading = asyncio.Lock()
        self._refreshing: asyncio.Task[None] | None = None

    async def accept(
        self, hits: Sequence[RawHit], *, bulk_token: str | None = None
    ) -> list[HitOutcome]:
        """Validate each hit and enqueue the accepted ones (and the failures) durably.

        Raises QueueUnavailableError when nothing could be queued: the caller answers 503.
        """
        parsed = [None if judged_by_worker(hit) else parse_raw(hit) for hit in hits]
        requests = [p for p in parsed if isinstance(p, TrackingRequest)]
        known_orders = await self._load(requests, bulk_token)
        outcomes: list[HitOutcome] = []
        queued: list[tuple[int, bytes]] = []
        counts: Counter[str] = Counter()
        for hit, req in zip(hits, parsed, strict=True):
            if req is None:  # the worker judges it; answered as tracked (a browser hit)
                outcome, kind = HitOutcome(TRACKED), messages.KIND_UNJUDGED
            else:
                outcome = self._judge(req, bulk_token, known_orders)
                kind = messages.KIND_HIT if outcome.status == TRACKED else messages.KIND_FAILURE
            outcomes.append(outcome)
            if outcome.status == EXCLUDED:
                counts[f"excluded:{outcome.reason}"] += 1
                continue
            counts["accepted" if outcome.status == TRACKED else "invalid"] += 1
            body = messages.encode(
                kind=kind, params=hit.params, facts=hit.facts, reason=outcome.reason
            )
            queued.append((messages.partition_for(hit.params, hit.facts, self.partitions), body))
        await self.committer.submit(queued)  # raises when nothing could be queued: not counted
        self.counts.update(counts)
        self.committer.count(counts)
        if self.after_commit is not None and queued:
            await run_in_threadpool(self.after_commit)
        return outcomes

    def _judge(
        self,
        req: TrackingRequest | InvalidRequestError,
        bulk_token: str | None,
        known_orders: set[tuple[int, str]],
    ) -> HitOutcome:
        if isinstance(req, InvalidRequestError):
            return HitOutcome(INVALID, req.message)
        try:
            site = self._site(req.idsite)
            reason = judge(req, site, self._principal, ctx=self.ctx, bulk_token=bulk_token)
            if reason is not None:
                return HitOutcome(EXCLUDED, reason)
            if req.idgoal == 0 and (site.idsite, req.order_id or "") in known_orders:
                raise InvalidRequestError(
                    f"order {req.order_id!r} was already recorded for this site"
                )
        except InvalidRequestError as exc:
            return HitOutcome(INVALID, exc.message)
        return HitOutcome(TRACKED)

    def is_superuser(self, token: str) -> bool:
        """Whether a token (looked up by the `accept` call just made) belongs to a super user."""
        principal = self._principal(token)
        return principal is not None and principal.superuser

    def _site(self, idsite: int) -> SiteConfig:
        site = self._sites.get(idsite)
        if not isinstance(site, SiteConfig) or not site.active:
            raise InvalidRequestError(f"idsite {idsite} is not a known, active site")
        return site

    def _principal(self, token: str) -> Principal | None:
        value = self._tokens.get(token)
        return value if isinstance(value, Principal) else None

    async def _load(
        self, requests: Sequence[TrackingRequest], bulk_token: str | None
    ) -> set[tuple[int, str]]:
        """Refresh what the hits need from the database; returns the order ids already known.

        A known site past its TTL is served from the cache while one background load refreshes
        it: without that, every request arriving during a reload queued its own database read
        (measured: a fifth of the web process's CPU, opening connections for the herd).
        """
        now = time.monotonic()
        stale_sites, unknown_sites = set(), set()
        tokens = {bulk_token} if bulk_token else set()
        for req in requests:
            if self._needs_reload(req):
                if not self._sites.fresh(req.idsite, now, MISS_RELOAD_AFTER):
                    unknown_sites.add(req.idsite)
            elif not self._sites.fresh(req.idsite, now):
                stale_sites.add(req.idsite)
            if req.token_auth:
                tokens.add(req.token_auth)
        if stale_sites:
            self._refresh_in_background(stale_sites)
        stale_tokens = {t for t in tokens if not self._tokens.fresh(t, now)}
        orders = {(r.idsite, r.order_id) for r in requests if r.idgoal == 0 and r.order_id}
        if not (unknown_sites or stale_tokens or orders):
            return set()
        async with self._loading:  # one blocking load at a time; the others find it done
            now = time.monotonic()
            unknown_sites = {
                i for i in unknown_sites if not self._sites.fresh(i, now, MISS_RELOAD_AFTER)
            }
            stale_tokens = {t for t in stale_tokens if not self._tokens.fresh(t, now)}
            if not (unknown_sites or stale_tokens or orders):
                return set()
            return await run_in_threadpool(
                self._load_sync, unknown_sites, stale_tokens, orders, now
            )

    def _refresh_in_background(self, idsites: set[int]) -> None:
        running = self._refreshing
        if running is not None and not running.done() and not running.get_loop().is_closed():
            return  # one refresh at a time; a site it misses is refreshed by the next one
        self._refreshing = asyncio.get_running_loop().create_task(self._refresh(idsites))

    async def _refresh(self, idsites: set[int]) -> None:
        now = time.monotonic()
        try:
            await run_in_threadpool(self._load_sync, idsites, set(), set(), now)
        except Exception as exc:  # the database is down: keep the cached sites a while longer
            log.warning("could not refresh site settings: %s", exc)
            for idsite in idsites:
                self._sites.put(idsite, self._sites.get(idsite), now)
        finally:
            self._refreshing = None

    def _needs_reload(self, req: TrackingRequest) -> bool:
        """A goal or site we do not know yet may have just been created: look again soon."""
        site = self._sites.get(req.idsite)
        if not isinstance(site, SiteConfig):
            return True
        return req.idgoal is not None and req.idgoal > 0 and req.idgoal not in site.goals

    def _load_sync(
        self,
        idsites: set[int],
        tokens: set[str],
        orders: set[tuple[int, str]],
        now: float,
    ) -> set[tuple[int, str]]:
        with self.factory() as session:
            found = load_site_configs(session, idsites)
            for idsite in idsites:
                self._sites.put(idsite, found.get(idsite), now)
            for token in tokens:
                self._tokens.put(token, principal_for_token(session, token), now)
            return {
                (idsite, order)
                for idsite, order in orders
                if logs.order_exists(session, idsite=idsite, idorder=order)
            }
