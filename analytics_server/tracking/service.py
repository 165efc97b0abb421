"""What admins ask of ingestion: rejected hits, and the queue's depth, lag and counters."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.models import TrackingFailure
from analytics_server.tracking.queue import DeadLetter, IngestQueue


def list_failures(
    session: Session, *, idsite: int | None = None, limit: int = 50
) -> list[TrackingFailure]:
    """The newest rejected hits, optionally of one site."""
    query = sa.select(TrackingFailure).order_by(TrackingFailure.idfailure.desc())
    if idsite is not None:
        query = query.where(TrackingFailure.idsite == idsite)
    return list(session.scalars(query.limit(limit)))


@dataclass(frozen=True)
class QueueStatus:
    depth: int
    oldest_age_seconds: float | None
    dead_letters: int
    counts: dict[str, int]


def queue_status(queue: IngestQueue) -> QueueStatus:
    return QueueStatus(
        depth=queue.depth(),
        oldest_age_seconds=queue.oldest_age(),
        dead_letters=queue.dead_count(),
        counts=queue.counts(),
    )


def dead_letters(queue: IngestQueue, limit: int = 20) -> list[DeadLetter]:
    return queue.dead_letters(limit)


def retry_dead_letters(queue: IngestQueue) -> int:
    """Put dead-lettered hits back in the queue (after the cause was fixed)."""
    return queue.retry_dead_letters()
