"""Drain a queue partition into the raw logs: the loop every ingest worker runs.

Celery's `ingest.drain` task and the embedded server's background thread both call `drain`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass

from analytics_server.tracking.processor import BatchProcessor, DatabaseUnavailableError
from analytics_server.tracking.queue import IngestQueue, QueueUnavailableError

log = logging.getLogger(__name__)


@dataclass
class DrainStats:
    batches: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    dead: int = 0
    locked_out: bool = False


@dataclass(frozen=True)
class DrainLimits:
    batch_size: int = 1000
    # Then give the partition back (Celery re-dispatches): with more partitions than worker
    # processes, long tenures left the others waiting (20 s held half the visitors back).
    max_seconds: float = 2.0
    idle_ms: int = 1000  # stop after this long without messages
    block_ms: int = 200
    lock_ttl_ms: int = 15_000
    # After a batch smaller than batch_size, let hits gather this long before the next fetch:
    # a batch has a fixed cost (a transaction, a dozen round trips), and without the pause a
    # busy worker took batches of 25 hits and spent most of its time on that cost.
    linger_ms: int = 100


def drain(
    queue: IngestQueue,
    processor: BatchProcessor,
    *,
    partition: int,
    limits: DrainLimits,
) -> DrainStats:
    """Process batches of one partition until idle or out of time; at-least-once, acked after
    commit. Only one consumer holds a partition at a time (a lock in Redis)."""
    stats = DrainStats()
    name = f"p{partition}"
    if not queue.lock(name, limits.lock_ttl_ms):
        stats.locked_out = True
        return stats
    try:
        processor.take_partition(queue, partition)  # others may have written meanwhile
        queue.claim_orphans(partition)
        _loop(queue, processor, partition=partition, limits=limits, stats=stats)
    finally:
        with contextlib.suppress(QueueUnavailableError):  # the lock expires by itself
            queue.unlock(name)
    return stats


def _loop(
    queue: IngestQueue,
    processor: BatchProcessor,
    *,
    partition: int,
    limits: DrainLimits,
    stats: DrainStats,
) -> None:
    started = time.monotonic()
    idle_since = renewed = fetched = time.monotonic()
    backoff = 0.25
    name = f"p{partition}"
    renew_every = limits.lock_ttl_ms / 5000
    while time.monotonic() - started < limits.max_seconds:
        deliveries = queue.fetch(partition, limits.batch_size, block_ms=limits.block_ms)
        if not deliveries:
            if (time.monotonic() - idle_since) * 1000 >= limits.idle_ms:
                return
            continue
        fetched = time.monotonic()
        try:
            result = processor.process(deliveries)
        except DatabaseUnavailableError as exc:
            log.warning("database unavailable, batch kept in the queue: %s", exc)
            time.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
            queue.renew(name, limits.lock_ttl_ms)
            continue
        backoff = 0.25
        if result.poison:
            queue.dead_letter(partition, result.poison)
        counts = {
            "processed": result.stored,
            "duplicates": result.duplicates,
            "rejected_in_worker": result.rejected,
            "dead_lettered": len(result.poison),
            **{f"excluded:{reason}": n for reason, n in result.excluded.items()},
        }
        queue.ack(partition, result.done, counts)
        stats.batches += 1
        stats.stored += result.stored
        stats.duplicates += result.duplicates
        stats.rejected += result.rejected
        stats.dead += len(result.poison)
        idle_since = time.monotonic()
        if idle_since - renewed >= renew_every:
            if not queue.renew(name, limits.lock_ttl_ms):
                log.warning("lost the lock of partition %d; stopping", partition)
                return
            renewed = idle_since
        # Half: a queue of entries holding several hits each gives batches of about, not
        # exactly, batch_size; a backlog still never waits.
        if len(deliveries) < limits.batch_size // 2:
            time.sleep(max(0.0, fetched + limits.linger_ms / 1000 - time.monotonic()))
