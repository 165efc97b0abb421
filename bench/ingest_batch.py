"""The ingest worker in-process: batches of queued hits through `BatchProcessor`, no queue, no web.

    .venv/bin/python bench/ingest_batch.py                    # MariaDB, 20,000 hits
    .venv/bin/python bench/ingest_batch.py --db sqlite
    .venv/bin/python bench/ingest_batch.py --profile 25       # plus cProfile's top 25
    .venv/bin/python bench/ingest_batch.py --judged           # hits as queued before 36d85b8

Makes the hits bench/ingest.py sends (5,000 visitors, one page view per hit, `send_image=0`,
a Chrome user agent, each visitor from an address of its own), encodes each as the web
process queues it (plain browser hits unjudged, for the worker to judge), and feeds them
as deliveries in batches of the default batch size (1,000) to one `BatchProcessor`, as a
drain does. Prints the worker's CPU and wall time per stored hit, the part of it the garbage
collector took (as its callbacks see it) and, when its process is visible, MariaDB's CPU.
The first batch (salts, new action names) is a warm-up, left out of the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest import cpu_seconds, make_queries, prepare, service_pids  # bench/ingest.py

from analytics_server.config import IngestSettings, Settings
from analytics_server.db import create_db_engine, make_session_factory
from analytics_server.kit.querystring import parse_query
from analytics_server.tracking import messages
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.processor import BatchProcessor
from analytics_server.tracking.queue import Delivery
from analytics_server.tracking.request import ServerFacts
from analytics_server.tracking.validation import RawHit, judged_by_worker

AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0"


def deliveries(queries: list[tuple[str, str]], *, rate: float, judged: bool) -> list[Delivery]:
    """Queue messages as the endpoint writes them, received `rate` hits a second until now;
    `judged`: all as hits the endpoint judged (as it did before the worker judged any)."""
    start = datetime.now(UTC) - timedelta(seconds=len(queries) / rate)
    result = []
    for n, (query, ip) in enumerate(queries):
        facts = ServerFacts(
            ip=ip,
            user_agent=AGENT,
            accept_language="",
            referer_header="",
            received_at=start + timedelta(seconds=n / rate),
            source="browser",
            headers={"host": "bench", "user-agent": AGENT},
        )
        params = parse_query(query)
        # As the endpoint queues it: a plain browser hit goes unjudged, the worker judges it.
        unjudged = not judged and judged_by_worker(RawHit(params=params, facts=facts))
        kind = messages.KIND_UNJUDGED if unjudged else messages.KIND_HIT
        body = messages.encode(kind=kind, params=params, facts=facts)
        result.append(Delivery(str(n), body, time.time()))
    return result


class GcTimer:
    """Time spent in the garbage collector, by generation."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.runs = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds[info["generation"]] += time.process_time() - self._started
            self.runs[info["generation"]] += 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=("mysql", "sqlite"), default="mysql")
    parser.add_argument("--visitors", type=int, default=5000)
    parser.add_argument("--hits", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=IngestSettings().batch_size)
    parser.add_argument("--rate", type=float, default=2000, help="hits/s the hits were sent at")
    parser.add_argument(
        "--judged", action="store_true", help="every hit judged by the endpoint (the old way)"
    )
    parser.add_argument("--profile", type=int, nargs="?", const=30, metavar="N")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after the warm-up, as a worker may"
    )
    parser.add_argument("--gc-threshold", type=int, help="gc.set_threshold(N) before the batches")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-ingest-batch-"))
    url, _env = prepare("embedded" if args.db == "sqlite" else "redis", workdir)
    settings = Settings(
        database={"url": url},  # type: ignore[arg-type]
        data_dir=workdir,
        privacy={"ip_anonymisation_bytes": 2},  # type: ignore[arg-type]
    )
    engine = create_db_engine(url, pool_size=2)
    processor = BatchProcessor(make_session_factory(engine), TrackerContext.from_settings(settings))
    queries = make_queries(args.visitors, args.hits, seed=1)
    queued = deliveries(queries, rate=args.rate, judged=args.judged)
    batches = [queued[i : i + args.batch] for i in range(0, len(queued), args.batch)]

    if args.gc_threshold:
        gc.set_threshold(args.gc_threshold)
    warm = processor.process(batches[0])
    if args.gc_freeze:
        gc.freeze()
    stored = 0
    mariadb = service_pids("mariadbd", "mysqld") if args.db == "mysql" else []
    profiler = cProfile.Profile() if args.profile else None
    collector = GcTimer()
    gc.callbacks.append(collector)
    db_before, cpu_before, wall_before = cpu_seconds(mariadb), time.process_time(), time.time()
    if profiler is not None:
        profiler.enable()
    for batch in batches[1:]:
        result = processor.process(batch)
        if result.poison or result.rejected or result.duplicates or result.excluded:
            raise SystemExit(f"unexpected result: {result}")
        stored += result.stored
    if profiler is not None:
        profiler.disable()
    cpu = time.process_time() - cpu_before
    gc.callbacks.remove(collector)
    wall = time.time() - wall_before
    db_cpu = cpu_seconds(mariadb) - db_before

    with engine.connect() as conn:
        rows = conn.scalar(sa.text("SELECT COUNT(*) FROM log_link_visit_action")) or 0
        visits = conn.scalar(sa.text("SELECT COUNT(*) FROM log_visit")) or 0
    engine.dispose()
    if rows != stored + warm.stored:
        raise SystemExit(f"MISMATCH: {stored + warm.stored} hits stored, {rows} action rows")

    print(f"database:     {args.db}")
    print(f"hits:         {stored} timed in batches of {args.batch} (+{warm.stored} warm-up)")
    print(f"visits:       {visits}")
    print(f"worker CPU:   {cpu / stored * 1e6:.0f} us/hit{' (profiled)' if profiler else ''}")
    print(f"wall:         {wall / stored * 1e6:.0f} us/hit")
    runs = "/".join(str(n) for n in collector.runs)
    per_run = "/".join(f"{t * 1000:.1f}" for t in collector.seconds)
    print(
        f"of which GC:  {sum(collector.seconds) / stored * 1e6:.0f} us/hit "
        f"({runs} runs of generations 0/1/2, {per_run} ms in all)"
    )
    if mariadb:
        print(f"MariaDB CPU:  {db_cpu / stored * 1e6:.0f} us/hit")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
