"""Ingestion health in Prometheus text format: queue depth, lag, hits by stage, drops by reason."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from analytics_server.tracking import service
from analytics_server.tracking.group_commit import REFUSED_FULL
from analytics_server.tracking.queue import IngestQueue, QueueUnavailableError


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(queue: IngestQueue, limit: int = 0) -> str:
    """`limit`: the queue's back-pressure limit in hits (0: none)."""
    lines: list[str] = []

    def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(f"{name}{labels} {value:g}" for labels, value in samples)

    try:
        status = service.queue_status(queue)
    except QueueUnavailableError:
        metric("analytics_ingest_queue_up", "gauge", "Whether the ingest queue answers.", [("", 0)])
        return "\n".join(lines) + "\n"
    counts = status.counts
    metric("analytics_ingest_queue_up", "gauge", "Whether the ingest queue answers.", [("", 1)])
    metric(
        "analytics_ingest_queue_depth",
        "gauge",
        "Hits waiting to be processed.",
        [("", status.depth)],
    )
    metric(
        "analytics_ingest_queue_limit",
        "gauge",
        "Hits the queue may hold before the endpoint answers 503 (0: no limit).",
        [("", limit)],
    )
    metric(
        "analytics_ingest_lag_seconds",
        "gauge",
        "Age of the oldest waiting hit.",
        [("", status.oldest_age_seconds or 0.0)],
    )
    metric(
        "analytics_ingest_dead_letters",
        "gauge",
        "Hits that could not be processed.",
        [("", status.dead_letters)],
    )
    stages = ("accepted", "processed", "duplicates", "dead_lettered")
    metric(
        "analytics_ingest_hits_total",
        "counter",
        "Hits by stage of ingestion.",
        [(f'{{stage="{stage}"}}', counts.get(stage, 0)) for stage in stages],
    )
    rejected = [
        ("endpoint", counts.get("invalid", 0)),
        ("worker", counts.get("rejected_in_worker", 0)),
    ]
    metric(
        "analytics_ingest_rejected_total",
        "counter",
        "Invalid hits, listed as failures.",
        [(f'{{where="{where}"}}', value) for where, value in rejected],
    )

    def by_reason(prefix: str, always: str | None = None) -> list[tuple[str, float]]:
        """The counters named `prefix:reason` as samples labelled by reason (`always`: a
        reason shown at 0 before it first happens)."""
        found = {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith(f"{prefix}:")}
        if always is not None:
            found.setdefault(always, 0)
        return [(f'{{reason="{_escape(r)}"}}', found[r]) for r in sorted(found)]

    metric(
        "analytics_ingest_dropped_total",
        "counter",
        "Valid hits excluded on purpose.",
        by_reason("excluded"),
    )
    refused_prefix, queue_full = REFUSED_FULL.split(":", 1)
    metric(
        "analytics_ingest_refused_total",
        "counter",
        "Hits answered 503 and not queued (the sender may retry them).",
        by_reason(refused_prefix, always=queue_full),
    )
    return "\n".join(lines) + "\n"


async def metrics_endpoint(request: Request) -> PlainTextResponse:
    ingest = request.app.state.ingest
    text = await run_in_threadpool(render, ingest.queue, ingest.committer.max_depth)
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4")
