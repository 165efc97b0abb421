"""The worker side of ingestion: turn a batch of queued hits into raw-log rows, exactly once.

One transaction per batch. Each hit carries an idempotency key, stored with the rows it wrote,
so a batch delivered again after a crash adds nothing. A hit that makes processing fail (poison)
is isolated by retrying the batch hit by hit and goes to the dead-letter list with the reason.
"""

from __future__ import annotations

import gc
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from analytics_server.archiving.invalidation import mark_days_stale
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.clock import local_day
from analytics_server.kit.periods import day_bounds_utc
from analytics_server.logs import bulk
from analytics_server.logs import repository as logs
from analytics_server.models import IngestKey, TrackingFailure
from analytics_server.sites.service import SiteConfig, load_site_configs
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.messages import KIND_FAILURE, KIND_UNJUDGED, QueuedHit, decode
from analytics_server.tracking.pipeline import PreparedHit, apply_hit, prepare_hit
from analytics_server.tracking.queue import Delivery, IngestQueue
from analytics_server.tracking.request import parse_request
from analytics_server.tracking.validation import judge, no_principal
from analytics_server.visitors.service import VisitCache

log = logging.getLogger(__name__)


_KEYS = cast(sa.Table, IngestKey.__table__)
# Core, built once: the ORM's select of the same cost more than the query itself.
_SEEN_KEYS = sa.select(_KEYS.c.key).where(_KEYS.c.key.in_(sa.bindparam("keys", expanding=True)))
PRUNE_EVERY = timedelta(minutes=10)
CACHE_MAX_AGE = 60.0  # seconds
SITE_TTL = 5.0  # seconds a site's settings are used before they are read again
MISS_RELOAD_AFTER = 1.0  # seconds before a site or goal found missing is looked for again


class DatabaseUnavailableError(Exception):
    """The raw-log database cannot be written now; the batch stays queued and is retried."""


@dataclass
class BatchResult:
    done: list[str] = field(default_factory=list)  # tokens to acknowledge
    poison: list[tuple[Delivery, str]] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    excluded: Counter[str] = field(default_factory=Counter)  # by reason: judged here


class _Excluded(Exception):
    """A hit the worker judged (messages.KIND_UNJUDGED) is excluded: count it, store nothing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError)


def failure_row(hit: QueuedHit, reason: str, now: datetime) -> dict[str, Any]:
    params = {k: v for k, v in hit.params.items() if k != "token_auth"}
    raw_site = params.get("idsite", "")
    return {
        "idsite": int(raw_site)
        if raw_site.isascii() and raw_site.isdigit() and len(raw_site) < 10
        else None,
        "reason": reason[:255],
        # "replace": a hit rejected for a lone surrogate must still be listed
        "request": urlencode(params, errors="replace")[:4000],
        "source": hit.facts.source,
        "date_first_seen": now,
    }


class BatchProcessor:
    """Writes batches for one consumer; not shared between threads."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        ctx: TrackerContext,
        *,
        site_ttl: float = SITE_TTL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.factory = factory
        self.ctx = ctx
        self.visits = VisitCache()
        self.sites = SiteCache(ttl=site_ttl, monotonic=monotonic)
        self._pruned_at: datetime | None = None
        self.identity = secrets.token_hex(8)  # this consumer, as partition holder
        self.reset_at = time.monotonic()

    def reset(self) -> None:
        """Forget cached visits: another consumer may have written them meanwhile."""
        self.visits.clear()
        self.reset_at = time.monotonic()

    def take_partition(self, queue: IngestQueue, partition: int) -> None:
        """Start a tenure of `partition`: keep the cached visits only when no other consumer
        held it since our last tenure (and they are not old: deletions happen elsewhere)."""
        previous = queue.swap_holder(partition, self.identity)
        if previous != self.identity or time.monotonic() - self.reset_at > CACHE_MAX_AGE:
            self.reset()

    def process(self, deliveries: Sequence[Delivery]) -> BatchResult:
        with _cyclic_gc_paused():
            return self._process(deliveries)

    def _process(self, deliveries: Sequence[Delivery]) -> BatchResult:
        result = BatchResult()
        decoded: list[tuple[Delivery, QueuedHit]] = []
        for delivery in deliveries:
            try:
                decoded.append((delivery, decode(delivery.body)))
            except (ValueError, KeyError, TypeError) as exc:
                result.poison.append((delivery, f"undecodable message: {exc}"))
        try:
            self._write(decoded, result)
        except _UNAVAILABLE as exc:
            raise DatabaseUnavailableError(str(exc)) from exc
        except Exception:
            log.exception("batch of %d hits failed; isolating the hit that breaks it", len(decoded))
            self._write_one_by_one(decoded, result)
        return result

    def _write_one_by_one(
        self, decoded: Sequence[tuple[Delivery, QueuedHit]], result: BatchResult
    ) -> None:
        for item in decoded:
            try:
                self._write([item], result)
            except _UNAVAILABLE as exc:
                raise DatabaseUnavailableError(str(exc)) from exc
            except Exception as exc:
                result.poison.append((item[0], f"{type(exc).__name__}: {exc}"[:1000]))

    def _write(self, items: Sequence[tuple[Delivery, QueuedHit]], result: BatchResult) -> None:
        tally = BatchResult()
        try:
            with self.factory() as session, session.begin():
                self._write_in(session, items, tally)
        except BaseException:
            self.ctx.actions.forget_all()
            self.ctx.salts.clear()  # a salt created by this batch was rolled back with it
            self.visits.clear()  # cached rows were changed in place by the rolled-back batch
            raise
        self.ctx.actions.keep()
        self._maybe_prune()
        result.done += [d.token for d, _ in items]
        result.stored += tally.stored
        result.duplicates += tally.duplicates
        result.rejected += tally.rejected
        result.excluded.update(tally.excluded)

    def _write_in(
        self, session: Session, items: Sequence[tuple[Delivery, QueuedHit]], tally: BatchResult
    ) -> None:
        keys = [bytes.fromhex(hit.key) for _, hit in items]
        seen = set(session.execute(_SEEN_KEYS, {"keys": keys}).scalars()) if keys else set()
        sites = self.sites.configs(session, [hit for _, hit in items])
        now = self.ctx.clock()
        failures: list[dict[str, Any]] = []
        fresh: list[dict[str, Any]] = []
        prepared: list[tuple[QueuedHit, PreparedHit]] = []
        for (_delivery, hit), key in zip(items, keys, strict=True):
            if key in seen:
                tally.duplicates += 1
                continue
            seen.add(key)
            fresh.append({"key": key, "processed_at": now})
            if hit.kind == KIND_FAILURE:
                failures.append(failure_row(hit, hit.reason, now))
                tally.rejected += 1
                continue
            try:
                prepared.append((hit, self._prepare(session, hit, sites)))
            except InvalidRequestError as exc:
                failures.append(failure_row(hit, exc.message, now))
                tally.rejected += 1
            except _Excluded as exc:
                tally.excluded[exc.reason] += 1
        self._prefetch(session, [p for _, p in prepared])
        writes = logs.PendingWrites()
        for hit, ready in prepared:
            try:
                apply_hit(session, self.ctx, ready, cache=self.visits, writes=writes)
                tally.stored += 1
            except InvalidRequestError as exc:
                failures.append(failure_row(hit, exc.message, now))
                tally.rejected += 1
        writes.flush(session)
        _invalidate_late_days(session, [ready for _, ready in prepared], now)
        if failures:
            session.execute(sa.insert(TrackingFailure), failures)
        bulk.insert_rows(session, _KEYS, ("key", "processed_at"), fresh)

    def _maybe_prune(self) -> None:
        """Every ten minutes, drop idempotency keys and failure records past their retention,
        so neither table grows without bound."""
        now = self.ctx.clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        settings = self.ctx.settings
        with self.factory() as session, session.begin():
            logs.prune_ingest_keys(
                session, older_than=now - timedelta(days=settings.ingest.key_retention_days)
            )
            logs.prune_failures(
                session, older_than=now - timedelta(days=settings.tracker.failure_retention_days)
            )

    def _prepare(
        self, session: Session, hit: QueuedHit, sites: dict[int, SiteConfig]
    ) -> PreparedHit:
        req = parse_request(hit.params, hit.facts)
        site = sites.get(req.idsite)
        if site is None or not site.active:
            raise InvalidRequestError(f"idsite {req.idsite} is not a known, active site")
        if hit.kind == KIND_UNJUDGED:  # a browser hit the endpoint queued without judging
            reason = judge(req, site, no_principal, ctx=self.ctx)
            if reason is not None:
                raise _Excluded(reason)
        return prepare_hit(session, self.ctx, site, req)

    def _prefetch(self, session: Session, prepared: Sequence[PreparedHit]) -> None:
        """One round of visit reads for the whole batch, per site."""
        by_site: dict[int, list[PreparedHit]] = {}
        for ready in prepared:
            by_site.setdefault(ready.site.idsite, []).append(ready)
        window = timedelta(seconds=self.ctx.rules.visit_standard_length)
        for idsite, hits in by_site.items():
            self.visits.prefetch(
                session,
                idsite=idsite,
                visitor_ids={h.hit.idvisitor for h in hits if h.hit.idvisitor is not None},
                config_ids={h.config_id for h in hits},
                after=min(h.hit.now for h in hits) - window,
            )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is processed.

    A batch allocates a few dozen containers per hit (parameters, requests, rows) that live
    until it ends, then are freed by reference counting; the collector scanned each of them up
    to twice on the way, and now and then the whole heap: a fifth of a worker's CPU. The pause
    lasts one batch; the first allocation after it collects as usual, and finds mostly the
    visits kept in the cache.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _invalidate_late_days(session: Session, prepared: Sequence[PreparedHit], now: datetime) -> None:
    """Hits dated before today (site time zone: `cdt`, offline queues, a backlog processed after
    midnight) change days that may be archived already: mark those archives stale, in the
    batch's transaction. Today needs nothing, its archive is refreshed on a timer."""
    late: dict[int, set[date]] = {}
    today_starts: dict[str, datetime] = {}  # per time zone, not per hit: most hits are today's
    for ready in prepared:
        tz = ready.site.timezone
        starts = today_starts.get(tz)
        if starts is None:
            starts = today_starts[tz] = day_bounds_utc(local_day(now, tz), tz)[0]
        if ready.hit.now < starts:
            late.setdefault(ready.site.idsite, set()).add(local_day(ready.hit.now, tz))
    for idsite, days in late.items():
        mark_days_stale(session, idsite=idsite, days=days)


class SiteCache:
    """Site settings for the worker, read again after `ttl` seconds; sooner (a second after
    the last read, as the endpoint's cache) for a site or a goal id it does not know, or an
    inactive site: it may have been created just now, and the endpoint let the hit through.

    Reading them for every batch was a tenth of a worker's time.
    """

    def __init__(self, *, ttl: float, monotonic: Callable[[], float]) -> None:
        self.ttl = ttl
        self.monotonic = monotonic
        self._configs: dict[int, SiteConfig] = {}
        self._loaded_at: dict[int, float] = {}

    def configs(self, session: Session, hits: Sequence[QueuedHit]) -> dict[int, SiteConfig]:
        """The cached configs, fresh for every site the hits name (unknown sites are absent)."""
        now = self.monotonic()
        named: set[int] = set()
        stale: set[int] = set()
        pairs = {(h.params.get("idsite", ""), h.params.get("idgoal", "")) for h in hits}
        for raw_site, raw_goal in pairs:
            idsite = _number(raw_site)
            if idsite is not None:
                named.add(idsite)
                if self._needs_load(idsite, _number(raw_goal), now):
                    stale.add(idsite)
        if len(self._loaded_at) > 10_000:
            self._configs.clear()
            self._loaded_at.clear()
            stale = named
        if stale:
            found = load_site_configs(session, stale)
            for idsite in stale:
                self._loaded_at[idsite] = now
                if idsite in found:
                    self._configs[idsite] = found[idsite]
                else:
                    self._configs.pop(idsite, None)
        return self._configs

    def _needs_load(self, idsite: int, idgoal: int | None, now: float) -> bool:
        loaded_at = self._loaded_at.get(idsite)
        if loaded_at is None or now - loaded_at >= self.ttl:
            return True
        if now - loaded_at < MISS_RELOAD_AFTER:
            return False  # hits for a site that does not exist: not a read per batch
        site = self._configs.get(idsite)
        if site is None or not site.active:
            return True
        return idgoal is not None and idgoal > 0 and idgoal not in site.goals


def _number(raw: str) -> int | None:
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and len(raw) < 10:
        return int(raw)
    return None
