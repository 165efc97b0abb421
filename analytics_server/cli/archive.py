"""`analytics-server archive`: compute reports from the raw logs, with progress and a summary.

Without --from/--to it archives what is due (what the scheduler runs every few minutes); with
them it (re)computes that span for each site, all visits and stored segments, or one --segment.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from typing import Any, TextIO

from sqlalchemy.orm import Session, sessionmaker

from analytics_server.archiving import service, tasks
from analytics_server.archiving.service import Target
from analytics_server.config import Settings
from analytics_server.db import create_db_engine, make_session_factory
from analytics_server.kit.clock import utc_now
from analytics_server.segments import service as segments_service
from analytics_server.sites.service import SiteConfig

BAR_WIDTH = 30


class ProgressBar:
    """`[#####.....]  12/40  site 1 day 2026-03-10` redrawn in place on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = False

    def __call__(self, done: int, total: int, label: str) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:>5}/{total:<5} {label}"
        self.stream.write(f"\r{line[:110]:<110}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `archive` command to the `analytics-server` parser."""
    parser = subparsers.add_parser(
        "archive", help="compute reports from the raw logs (what is due, or a span of days)"
    )
    parser.set_defaults(handler=cmd_archive)
    parser.add_argument("--site", type=int, help="only this site")
    parser.add_argument("--from", dest="first", type=date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="YYYY-MM-DD")
    parser.add_argument("--segment", help="a stored segment's id, or a segment definition")
    parser.add_argument(
        "--force", action="store_true", help="recompute fresh archives too, take over claims"
    )
    parser.add_argument("--max-days", type=int, default=31, help="missing days per site and run")


def _segments(session: Session, site: SiteConfig, choice: str | None) -> list[Target]:
    if choice is None:
        return tasks.targets(session, site)
    if choice.isdigit():
        return [Target(site, segments_service.get_segment(session, int(choice)).definition)]
    return [Target(site, segments_service.validate(choice))]


def _span(
    factory: sessionmaker[Session], args: argparse.Namespace, progress: Any, now: datetime
) -> tasks.Summary:
    """Plan every site's and segment's span first, so the progress bar counts all of it."""
    with factory() as session:
        jobs: list[tasks.Job] = []
        for site in tasks.active_sites(session, args.site):
            first = args.first or service.first_day(session, site)
            if first is None:
                continue
            last = args.last or service.today(site, now)
            for target in _segments(session, site, args.segment):
                jobs += tasks.range_plan(
                    session, target, first=first, last=last, now=now, force=args.force
                )
        session.commit()
        return tasks.run_jobs(session, jobs, now=now, force=args.force, progress=progress)


def describe(summary: tasks.Summary, seconds: float) -> str:
    text = (
        f"archived {summary.days} days and {summary.periods} longer periods: "
        f"{summary.records:,} reports, {summary.rows:,} rows in {seconds:.1f} s"
    )
    if summary.skipped:
        text += f" ({summary.skipped} skipped: another worker is computing them)"
    return text


def cmd_archive(
    args: argparse.Namespace,
    settings: Settings,
    *,
    stream: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    engine = create_db_engine(settings.database.url)
    factory = make_session_factory(engine)
    bar = ProgressBar(stream or sys.stderr)
    started = time.perf_counter()
    due_only = args.first is None and args.last is None and args.segment is None and not args.force
    try:
        if due_only:
            summary = tasks.archive_due(
                factory, now=now, idsite=args.site, max_days=args.max_days, progress=bar
            )
        else:
            summary = _span(factory, args, bar, now or utc_now())
    finally:
        bar.close()
        engine.dispose()
    print(describe(summary, time.perf_counter() - started))
    return 0
