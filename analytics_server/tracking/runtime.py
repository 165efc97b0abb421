"""Wires the ingest queue for a process: queue backend, group commit, endpoint side, consumer."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import multiprocessing.synchronize
import os
import threading
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from analytics_server.config import Settings
from analytics_server.db import create_db_engine, make_session_factory
from analytics_server.tracking.consumer import DrainLimits, drain
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.group_commit import GroupCommitter
from analytics_server.tracking.ingest import Ingestor
from analytics_server.tracking.processor import BatchProcessor
from analytics_server.tracking.queue import IngestQueue, QueueUnavailableError, SpoolQueue

log = logging.getLogger(__name__)


def open_queue(settings: Settings) -> IngestQueue:
    """The configured queue backend."""
    ingest = settings.ingest
    if ingest.backend == "redis":
        from analytics_server.tracking.redis_queue import RedisStreamQueue

        return RedisStreamQueue(
            ingest.redis_url, partitions=ingest.partitions, prefix=ingest.redis_prefix
        )
    path = ingest.spool_path or str(Path(settings.data_dir) / "ingest-spool.sqlite3")
    return SpoolQueue(path)


def drain_limits(settings: Settings, **overrides: float) -> DrainLimits:
    values: dict[str, float] = {
        "batch_size": settings.ingest.batch_size,
        "lock_ttl_ms": settings.ingest.lock_ttl_ms,
    }
    values.update(overrides)
    return DrainLimits(**values)  # type: ignore[arg-type]


class IngestRuntime:
    """One per process: the endpoint's Ingestor and, in embedded mode, the consumer thread."""

    def __init__(
        self, settings: Settings, factory: sessionmaker[Session], ctx: TrackerContext
    ) -> None:
        self.settings = settings
        self.queue = open_queue(settings)
        self.committer = GroupCommitter(self.queue, max_depth=settings.ingest.max_queued_hits)
        self.processor = BatchProcessor(factory, ctx)
        self._drain_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._process_stop: multiprocessing.synchronize.Event | None = None
        self.ingestor = Ingestor(
            factory=factory,
            ctx=ctx,
            committer=self.committer,
            partitions=self.queue.partitions,
            after_commit=self.drain_now if settings.ingest.inline else None,
        )

    def start(self) -> None:
        ingest = self.settings.ingest
        if not ingest.consumes_in_process() or ingest.inline:
            return
        if ingest.consumer == "process":
            # A child process: the consumer gets a core of its own instead of sharing the GIL
            # with the endpoint. It opens its own database and queue connections.
            spawn = multiprocessing.get_context("spawn")
            self._process_stop = spawn.Event()
            self._process = spawn.Process(
                target=_consumer_process,
                args=(self.settings, self._process_stop),
                name="ingest-consumer",
                daemon=True,
            )
            self._process.start()
            return
        self._thread = threading.Thread(target=self._consume, name="ingest", daemon=True)
        self._thread.start()

    def drain_now(self) -> None:
        """Process everything queued, now, in this thread (inline mode)."""
        limits = drain_limits(self.settings, idle_ms=0, block_ms=0, max_seconds=3600, linger_ms=0)
        with self._drain_lock:
            for partition in range(self.queue.partitions):
                drain(self.queue, self.processor, partition=partition, limits=limits)

    def _consume(self) -> None:
        consume_until(self._stop, self.queue, self.processor, self.settings, self._drain_lock)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._process is not None and self._process_stop is not None:
            self._process_stop.set()
            self._process.join(timeout=30)
            if self._process.is_alive():
                self._process.kill()  # safe: unacknowledged batches are processed next time
        self.committer.close()
        self.queue.close()


class _Stop(Protocol):
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def consume_until(
    stop: _Stop,
    queue: IngestQueue,
    processor: BatchProcessor,
    settings: Settings,
    lock: threading.Lock | None = None,
) -> None:
    """Drain every partition in turn until `stop` is set (the embedded server's consumer)."""
    # Short tenures, so a stop request is noticed within a couple of seconds.
    limits = drain_limits(settings, idle_ms=1000, block_ms=250, max_seconds=2)
    guard = lock or threading.Lock()
    while not stop.is_set():
        for partition in range(queue.partitions):
            if stop.is_set():
                return
            try:
                with guard:
                    drain(queue, processor, partition=partition, limits=limits)
            except QueueUnavailableError as exc:
                log.warning("ingest queue unavailable: %s", exc)
                stop.wait(1.0)
            except Exception:
                log.exception("ingest consumer failed; restarting in a second")
                stop.wait(1.0)


class _UntilParentGone:
    """Stops when asked, or when the server that started us is gone (even by SIGKILL)."""

    def __init__(self, stop: _Stop) -> None:
        self.stop = stop
        self.parent = os.getppid()

    def is_set(self) -> bool:
        return self.stop.is_set() or os.getppid() != self.parent

    def wait(self, timeout: float | None = None) -> bool:
        self.stop.wait(timeout)
        return self.is_set()


def _consumer_process(settings: Settings, stop: _Stop) -> None:
    """Entry point of the embedded consumer process."""
    logging.basicConfig(level=logging.INFO)
    stop = _UntilParentGone(stop)
    engine = create_db_engine(settings.database.url, pool_size=2)
    processor = BatchProcessor(make_session_factory(engine), TrackerContext.from_settings(settings))
    queue = open_queue(settings)
    gc.freeze()  # what exists now lives as long as the process: no collection walks it again
    try:
        consume_until(stop, queue, processor, settings)
    finally:
        queue.close()
        engine.dispose()
