"""Archiving benchmark on MariaDB: a day of 1M page views archived, then month and year reads.

    .venv/bin/python bench/archive.py                 # generate (about 1 min), then measure
    .venv/bin/python bench/archive.py --reuse         # measure again on the generated data

1. Writes one site-local day (Europe/Berlin, 2026-03-10) of 200,000 visits with 1,000,000 page
   views plus events, searches, downloads, outlinks, contents, goals and orders straight into
   the raw tables of its own database (`analytics_bench`), in bulk.
2. Archives that day, all reports, in a child process (so its peak memory is its own), a few
   times: the figure is the best and the median.
3. Copies the day's visits to the other 30 days of March (unique visitors of a month are
   recounted from them) and its archive to every day of March, then sums the month, copies the
   month to the year's other months and sums the year, and reads both as the Reporting API will.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics_server.archiving import repository, service
from analytics_server.archiving.records import decode
from analytics_server.archiving.service import Target
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.kit.periods import containing
from analytics_server.sites import service as sites_service
from analytics_server.sites.service import SiteConfig, load_site_configs
from bench.archive_data import Shape, generate_day, write_dictionary

SERVER = "mysql+pymysql://root@127.0.0.1:3306"
DAY = date(2026, 3, 10)
TIMEZONE = "Europe/Berlin"
NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)  # all of 2026 is over: every archive is final


def database(name: str, *, fresh: bool) -> sa.Engine:
    admin = sa.create_engine(SERVER)
    with admin.connect() as conn:
        if fresh:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(
            sa.text(
                f"CREATE DATABASE IF NOT EXISTS {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
            )
        )
    admin.dispose()
    engine = create_db_engine(f"{SERVER}/{name}")
    upgrade_schema(engine)
    return engine


def create_site(engine: sa.Engine) -> SiteConfig:
    """The bench site: goals 1 and 2, visit dimensions Company and Role, action Layout."""
    with make_session_factory(engine)() as session, session.begin():
        site = sites_service.create_site(
            session,
            name="Bench",
            main_url="https://kb.example.com",
            timezone=TIMEZONE,
            ecommerce=True,
        )
        for name in ("Registration", "Download"):
            sites_service.add_goal(session, idsite=site.idsite, name=name)
        for name, scope in (("Company", "visit"), ("Role", "visit"), ("Layout", "action")):
            sites_service.add_custom_dimension(session, idsite=site.idsite, name=name, scope=scope)
        idsite = site.idsite
    return site_config(engine, idsite)


def site_config(engine: sa.Engine, idsite: int = 1) -> SiteConfig:
    with make_session_factory(engine)() as session:
        return load_site_configs(session, [idsite])[idsite]


def generate(engine: sa.Engine, shape: Shape) -> None:
    started = time.perf_counter()
    with engine.begin() as conn:
        words = write_dictionary(conn)
        generate_day(conn, day=DAY, timezone=TIMEZONE, shape=shape, words=words, first_id=1)
    with engine.connect() as conn:
        counts = {
            t: conn.scalar(sa.text(f"SELECT COUNT(*) FROM {t}"))
            for t in ("log_visit", "log_link_visit_action", "log_conversion", "log_conversion_item")
        }
        pageviews = conn.scalar(
            sa.text("SELECT COUNT(*) FROM log_link_visit_action WHERE action_type = 1")
        )
    print(f"generated in {time.perf_counter() - started:.0f} s: {counts}, {pageviews:,} page views")


def _archive_child(url: str, idsite: int, queue: Any) -> None:
    engine = create_db_engine(url)
    site = site_config(engine, idsite)
    with make_session_factory(engine)() as session:
        started = time.perf_counter()
        outcome = service.archive(
            session, Target(site), containing("day", DAY), now=NOW, force=True
        )
        elapsed = time.perf_counter() - started
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((elapsed, outcome.records, outcome.rows, memory))


def archive_day(url: str, idsite: int, runs: int) -> None:
    context = multiprocessing.get_context("spawn")
    results = []
    for _ in range(runs):
        queue = context.Queue()
        child = context.Process(target=_archive_child, args=(url, idsite, queue))
        child.start()
        results.append(queue.get())
        child.join()
    times = [r[0] for r in results]
    _, records, rows, _ = results[-1]
    each = ", ".join(f"{t:.1f}" for t in times)
    memory = max(r[3] for r in results)
    print(
        f"day archived, all reports: best {min(times):.1f} s, "
        f"median {statistics.median(times):.1f} s over {runs} runs ({each}); "
        f"{records} reports, {rows:,} rows; peak memory of the archiving process {memory:.0f} MB"
    )


def copy_visits(engine: sa.Engine, days: int) -> None:
    """The day's visits again on the following days (same visitors), for unique counts."""
    with engine.connect() as conn:
        columns = [
            c["name"] for c in sa.inspect(conn).get_columns("log_visit") if c["name"] != "idvisit"
        ]
        last = conn.scalar(sa.text("SELECT MAX(idvisit) FROM log_visit"))
    shifted = ", ".join(
        f"{c} + INTERVAL :k DAY"
        if c in ("visit_first_action_time", "visit_last_action_time")
        else c
        for c in columns
    )
    started = time.perf_counter()
    for k in range(1, days):
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    f"INSERT INTO log_visit ({', '.join(columns)}) SELECT {shifted} FROM log_visit "
                    "WHERE idvisit <= :last"
                ),
                {"k": k, "last": last},
            )
    print(
        f"copied the day's visits to {days - 1} more days in {time.perf_counter() - started:.0f} s"
    )


def copy_archives(
    engine: sa.Engine, *, period: int, source: date, targets: list[tuple[date, date]]
) -> None:
    """Clone one stored archive (state and blobs) to other periods of the same kind."""
    with engine.begin() as conn:
        for first, last in targets:
            params = {"p": period, "src": source, "d1": first, "d2": last}
            conn.execute(
                sa.text("DELETE FROM archive_record WHERE period = :p AND date1 = :d1"), params
            )
            conn.execute(
                sa.text("DELETE FROM archive_state WHERE period = :p AND date1 = :d1"), params
            )
            conn.execute(
                sa.text(
                    "INSERT INTO archive_record (idsite, segment, period, date1, name, value) "
                    "SELECT idsite, segment, period, :d1, name, value FROM archive_record "
                    "WHERE period = :p AND date1 = :src"
                ),
                params,
            )
            conn.execute(
                sa.text(
                    "INSERT INTO archive_state (idsite, segment, period, date1, date2, version, "
                    "done_version, ts_archived, records, duration_ms) "
                    "SELECT idsite, segment, period, "
                    ":d1, :d2, version, done_version, ts_archived, records, duration_ms "
                    "FROM archive_state WHERE period = :p AND date1 = :src"
                ),
                params,
            )


def timed(label: str, action: Any) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"{label}: {(time.perf_counter() - started) * 1000:,.0f} ms")
    return result


def periods(engine: sa.Engine, site: SiteConfig) -> None:
    target = Target(site)
    march = containing("month", DAY)
    days = [containing("day", d) for d in march.days() if d != DAY]
    copy_archives(engine, period=1, source=DAY, targets=[(p.start, p.end) for p in days])
    year = containing("year", DAY)
    with make_session_factory(engine)() as session:
        timed(
            "month summed from 31 stored days (+ unique visitors over its visits)",
            lambda: service.archive(session, target, march, now=NOW, force=True),
        )
        months = [containing("month", date(2026, m, 1)) for m in range(1, 13) if m != 3]
        copy_archives(
            engine, period=3, source=march.start, targets=[(p.start, p.end) for p in months]
        )
        timed(
            "year summed from 12 stored months (+ unique visitors over its visits)",
            lambda: service.archive(session, target, year, now=NOW, force=True),
        )
        for label, period in (("month", march), ("year", year)):
            timed(
                f"{label} read, every report decoded",
                lambda p=period: service.records_for(session, target, p, now=NOW),
            )
            key = target.archive_key(period)
            timed(
                f"{label} read, one report (Actions_getPageUrls)",
                lambda k=key: decode(
                    repository.load(session, [k], ["Actions_getPageUrls"])[k]["Actions_getPageUrls"]
                ),
            )
        summary = service.records_for(session, target, year, now=NOW)["VisitsSummary_get"]
        print(f"year: {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="analytics_bench")
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--pageviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--month-days", type=int, default=31)
    parser.add_argument("--reuse", action="store_true", help="keep the generated data")
    args = parser.parse_args()
    engine = database(args.database, fresh=not args.reuse)
    with engine.connect() as conn:
        ready = conn.scalar(sa.text("SELECT COUNT(*) FROM site")) and args.reuse
        pool = conn.scalar(sa.text("SELECT @@innodb_buffer_pool_size")) / 2**20
    print(f"MariaDB innodb_buffer_pool_size {pool:.0f} MB")
    if not ready:
        site = create_site(engine)
        generate(
            engine,
            Shape(visits=args.visits, pageviews=args.pageviews, visitors=int(args.visits * 0.75)),
        )
    site = site_config(engine)
    archive_day(f"{SERVER}/{args.database}", site.idsite, args.runs)
    if not ready:
        copy_visits(engine, args.month_days)
    periods(engine, site)
    engine.dispose()


if __name__ == "__main__":
    main()
