"""Scheduled report rendering: a weekly report with 10 reports as PDF (and as HTML mail).

    .venv/bin/python bench/archive.py             # once: the 1M-page-view day on MariaDB
    .venv/bin/python bench/email_report.py [--runs 5]

Renders the week of 2026-03-10 of the archiving benchmark's site (`analytics_bench`, one day of
200,000 visits and 1,000,000 page views copied to every day of March): 10 reports, key metrics
with sparklines over 12 weeks, the evolution graph, through the same report service as the API.
The first run also sums the week and the sparkline weeks from their days and stores them (what
the first sending after archiving does); later runs read stored archives. Without MariaDB or
that database it renders a small generated site on SQLite instead, and says so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics_server.config import Settings
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.kit.periods import containing
from analytics_server.scheduled_reports import content, messages, report_ids
from analytics_server.scheduled_reports.spec import Slice, Spec
from analytics_server.sites.service import load_site_configs

SERVER = "mysql+pymysql://root@127.0.0.1:3306"
NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
WEEK = containing("week", date(2026, 3, 10))
REPORTS = (
    "VisitsSummary_get",
    "Actions_getPageUrls",
    "Actions_getPageTitles",
    "Actions_getEntryPageUrls",
    "Actions_getSiteSearchKeywords",
    "Events_getCategory",
    "Referrers_getReferrerType",
    "UserCountry_getCountry",
    "DevicesDetection_getBrowsers",
    "VisitTime_getVisitInformationPerLocalTime",
)


def bench_engine(name: str) -> sa.Engine | None:
    try:
        admin = sa.create_engine(SERVER)
        with admin.connect() as conn:
            found = conn.execute(sa.text("SHOW DATABASES LIKE :n"), {"n": name}).first()
        admin.dispose()
    except sa.exc.OperationalError:
        return None
    if found is None:
        return None
    engine = create_db_engine(f"{SERVER}/{name}")
    upgrade_schema(engine)
    return engine


def small_engine(folder: Path) -> sa.Engine:
    from tests.archiving.traffic import known_day, make_site

    engine = create_db_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    upgrade_schema(engine)
    with make_session_factory(engine)() as db:
        known_day(db, make_site(db).idsite)
    return engine


def render(session: Session, idsite: int, fmt: str) -> tuple[float, int, int]:
    """Seconds, bytes and pages of one rendering."""
    site = load_site_configs(session, [idsite])[idsite]
    refs = tuple(report_ids.parse(unique_id) for unique_id in REPORTS)
    spec = Spec(idsite=idsite, owner="bench", reports=refs, evolution_graph=True, format=fmt)
    started = time.perf_counter()
    document = content.build(
        session, spec, site=site, period=WEEK, part=Slice(), now=NOW, settings=Settings()
    )
    mail = messages.compose(
        document,
        fmt,
        sender="bench@analytics.local",
        sender_name="Bench",
        recipients=("someone@analytics.local",),
        now=NOW,
    )
    seconds = time.perf_counter() - started
    pages = mail.files[0].content.count(b"/Type /Page\n") if fmt == "pdf" else 0
    return seconds, mail.size, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="analytics_bench")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="email-bench-"))
    engine = bench_engine(args.database)
    if engine is None:
        print(f"{args.database} on MariaDB not found: a small generated site on SQLite instead")
        engine = small_engine(folder)
    factory = make_session_factory(engine)
    with factory() as session:
        idsite = int(session.scalar(sa.text("SELECT MIN(idsite) FROM site")) or 1)
    for fmt in ("pdf", "html"):
        timings = []
        for run in range(args.runs):
            with factory() as session:
                seconds, size, pages = render(session, idsite, fmt)
            timings.append(seconds)
            label = "first (sums the weeks)" if run == 0 else f"run {run + 1}"
            extra = f", {pages} pages" if pages else ""
            print(f"{fmt} {label}: {seconds:.2f} s, mail {size / 1024:.0f} KiB{extra}")
        print(
            f"{fmt}: weekly report, {len(REPORTS)} reports: best {min(timings):.2f} s, "
            f"median {statistics.median(timings):.2f} s, first {timings[0]:.2f} s"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
