"""Celery app: queues `ingest`, `archiving`, `email`; every schedule lives here.

Ingestion: `ingest.dispatch` (beat, every 2 s, and at worker start) makes sure one
`ingest.drain` task per queue partition is pending or running; a drain holds its partition's lock,
processes batches until the partition is idle or its time is up, then hands the partition back.

Archiving: `archiving.archive_due` (beat, every `ANALYTICS_ARCHIVING__INTERVAL_SECONDS`) computes
what is due for every site and stored segment; `archiving.backfill_segment` archives a stored
segment's history; `archiving.archive_day` recomputes one day and the periods holding it.

Email: `email.send_due` (beat, every `ANALYTICS_EMAIL__INTERVAL_SECONDS`) sends the scheduled
reports whose period is complete and whose hour has come in their site's time zone, each once.
"""

from __future__ import annotations

import gc
from dataclasses import asdict
from datetime import date
from functools import lru_cache
from typing import Any

from celery import Celery
from celery.signals import worker_ready
from sqlalchemy.orm import Session, sessionmaker

from analytics_server.archiving import tasks as archiving_tasks
from analytics_server.config import get_settings
from analytics_server.db import create_db_engine, make_session_factory
from analytics_server.scheduled_reports import tasks as email_tasks
from analytics_server.tracking.consumer import drain
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.processor import BatchProcessor
from analytics_server.tracking.queue import IngestQueue
from analytics_server.tracking.runtime import drain_limits, open_queue

settings = get_settings()
app = Celery("analytics_server", broker=settings.ingest.redis_url)
app.conf.update(
    task_routes={
        "ingest.*": {"queue": "ingest"},
        "archiving.*": {"queue": "archiving"},
        "email.*": {"queue": "email"},
    },
    task_default_queue="ingest",
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "ingest-dispatch": {"task": "ingest.dispatch", "schedule": 2.0},
        "archiving-due": {
            "task": "archiving.archive_due",
            "schedule": float(settings.archiving.interval_seconds),
        },
        "email-due": {
            "task": "email.send_due",
            "schedule": float(settings.email.interval_seconds),
        },
    },
)


@lru_cache(maxsize=1)
def _ingest() -> tuple[IngestQueue, BatchProcessor]:
    """Per worker process (after fork): queue connection, database and caches."""
    engine = create_db_engine(settings.database.url, pool_size=2)
    processor = BatchProcessor(make_session_factory(engine), TrackerContext.from_settings(settings))
    gc.freeze()  # what exists now lives as long as the process: no collection walks it again
    return open_queue(settings), processor


def _dispatch_flag(partition: int) -> str:
    return f"dispatch:p{partition}"


@app.task(name="ingest.drain")
def ingest_drain(partition: int) -> dict[str, Any]:
    queue, processor = _ingest()
    queue.release(_dispatch_flag(partition))
    stats = drain(queue, processor, partition=partition, limits=drain_limits(settings))
    if stats.batches and not stats.locked_out:
        ingest_dispatch_one(queue, partition)  # more may be waiting: go again at once
    return asdict(stats)


def ingest_dispatch_one(queue: IngestQueue, partition: int) -> None:
    """Enqueue a drain for the partition unless one is already pending."""
    if queue.lock(_dispatch_flag(partition), 30_000):
        ingest_drain.apply_async((partition,), queue="ingest")


@app.task(name="ingest.dispatch")
def ingest_dispatch() -> None:
    queue, _ = _ingest()
    for partition in range(queue.partitions):
        ingest_dispatch_one(queue, partition)


@worker_ready.connect
def _start_draining(**_: Any) -> None:
    ingest_dispatch.apply_async(queue="ingest")


@lru_cache(maxsize=1)
def _sessions() -> sessionmaker[Session]:
    """Per worker process: the database for archiving (its own pool, two connections a day)."""
    return make_session_factory(create_db_engine(settings.database.url, pool_size=4))


@app.task(name="archiving.archive_due")
def archiving_archive_due() -> dict[str, Any]:
    summary = archiving_tasks.archive_due(_sessions(), max_days=settings.archiving.max_days_per_run)
    return asdict(summary)


@app.task(name="archiving.backfill_segment")
def archiving_backfill_segment(idsegment: int) -> dict[str, Any]:
    return asdict(archiving_tasks.backfill_segment(_sessions(), idsegment=idsegment))


@app.task(name="archiving.archive_day")
def archiving_archive_day(idsite: int, day: str, segment: str = "") -> dict[str, Any]:
    summary = archiving_tasks.archive_site_day(
        _sessions(), idsite=idsite, day=date.fromisoformat(day), segment=segment
    )
    return asdict(summary)


@app.task(name="email.send_due")
def email_send_due() -> dict[str, Any]:
    summary = email_tasks.send_due(_sessions(), settings=settings)
    return {k: v for k, v in asdict(summary).items() if k != "results"}
