"""Group commit: requests wait for the one write that makes their batch durable.

Each request appends its messages to a shared buffer and awaits a future; a flusher thread
writes everything buffered in one queue write (one SQLite transaction or one Redis MULTI/EXEC)
and then wakes all waiters. Throughput comes from batching, and "answered" still means "durable".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence

from analytics_server.tracking.queue import IngestQueue, QueueFullError, QueueUnavailableError

log = logging.getLogger(__name__)

Waiter = tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]
DEPTH_READ_EVERY = 1.0  # seconds; with a limit, the queue's depth is read at least this often
REFUSED_FULL = "refused:queue_full"  # counter of hits answered 503 because the queue was full


class GroupCommitter:
    def __init__(self, queue: IngestQueue, *, max_depth: int = 0) -> None:
        self.queue = queue
        self.max_depth = max_depth  # 0: no limit
        # The depth as last read plus what this process wrote since: another process's
        # writes and the workers' progress show at the next read.
        self._depth = 0
        self._depth_read_at = -math.inf
        self._full_warned_at, self._refused_since_warning = -math.inf, 0
        self._cond = threading.Condition()
        self._buffer: list[tuple[int, bytes]] = []
        self._counts: Counter[str] = Counter()
        self._waiters: list[Waiter] = []
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def count(self, counts: Mapping[str, int]) -> None:
        """Add to the queue's shared counters with the next write (or within a second)."""
        with self._cond:
            self._counts.update(counts)

    async def submit(self, messages: Sequence[tuple[int, bytes]]) -> None:
        """Return once `messages` are durably queued; raise QueueUnavailableError otherwise."""
        if not messages:
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._enqueue(messages, (loop, future))
        await future

    def _enqueue(self, messages: Sequence[tuple[int, bytes]], waiter: Waiter) -> None:
        with self._cond:
            if self._closed:
                raise QueueUnavailableError("the ingest queue is shutting down")
            idle = not self._buffer  # the flusher waits only for an empty buffer to fill
            self._buffer.extend(messages)
            self._waiters.append(waiter)
            if idle:  # notify() builds a deque even with nobody waiting: 5% of a hit's CPU
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._buffer and not self._closed:
                    self._cond.wait(timeout=1.0)
                    if self._counts:
                        break
                if not self._buffer and not self._counts and self._closed:
                    return
                batch, self._buffer = self._buffer, []
                waiters, self._waiters = self._waiters, []
                counts, self._counts = self._counts, Counter()
            error: BaseException | None = None
            try:
                if batch:
                    self._make_room(len(batch))
                    self.queue.append(batch, counts)  # the counters ride along: one write
                    self._depth += len(batch)
                    counts = Counter()
            except QueueFullError as exc:
                counts[REFUSED_FULL] += len(batch)
                self._warn_full(exc, len(batch))
                error = exc
            except Exception as exc:  # every waiter must hear about it, or requests hang
                log.warning("ingest queue write failed for %d hits: %s", len(batch), exc)
                error = (
                    exc
                    if isinstance(exc, QueueUnavailableError)
                    else QueueUnavailableError(str(exc))
                )
            _wake_all(waiters, error)
            if counts:
                try:
                    self.queue.add_counts(counts)
                except Exception as exc:  # counters are best effort, hits are not
                    log.warning("could not update ingest counters: %s", exc)

    def _make_room(self, hits: int) -> None:
        """Raise QueueFullError when `hits` more would take the queue past its limit; the
        depth is read again once a second, and whenever the estimate says "full"."""
        if not self.max_depth:
            return
        now = time.monotonic()
        if now - self._depth_read_at >= DEPTH_READ_EVERY or self._depth + hits > self.max_depth:
            self._depth, self._depth_read_at = self.queue.depth(), now
        if self._depth + hits > self.max_depth:
            raise QueueFullError(
                f"the ingest queue holds {self._depth} hits, its limit is {self.max_depth} "
                "(ANALYTICS_INGEST__MAX_QUEUED_HITS): are the workers running?"
            )

    def _warn_full(self, exc: QueueFullError, hits: int) -> None:
        """One warning every 10 s while the queue stays full, not one per group commit."""
        self._refused_since_warning += hits
        now = time.monotonic()
        if now - self._full_warned_at >= 10.0:
            log.warning("%d hits answered 503: %s", self._refused_since_warning, exc)
            self._full_warned_at, self._refused_since_warning = now, 0

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout=10)


def _wake_all(waiters: list[Waiter], error: BaseException | None) -> None:
    """Settle every waiting request: one wake-up per event loop, not one per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for loop, future in waiters:
        by_loop.setdefault(loop, []).append(future)

    def settle(futures: list[asyncio.Future[None]]) -> None:
        for future in futures:
            if future.done():
                continue  # the request was cancelled (client gone)
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    for loop, futures in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop is gone: its requests were abandoned
            loop.call_soon_threadsafe(settle, futures)
