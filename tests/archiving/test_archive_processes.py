"""Archiving in real processes: a run killed midway and started again gives the right numbers;
Celery beat and a worker archive what was tracked; the embedded server archives on its own."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from analytics_server.archiving import repository, scheduler
from analytics_server.archiving.records import decode, encode
from analytics_server.archiving.registry import finalize
from analytics_server.archiving.service import Target, compute_day
from analytics_server.config import Settings
from analytics_server.kit.clock import utc_now
from analytics_server.kit.periods import containing
from analytics_server.models import ArchiveState
from analytics_server.sites import service as sites_service
from analytics_server.sites.service import SiteConfig, load_site_configs
from bench.archive_data import Shape, generate_day, write_dictionary
from tests.conftest import FakeClock, make_app, service_reachable, skip_or_fail
from tests.processes import BIN, Sender, Stack
from tests.tracking.helpers import js_hit, send

FIRST = date(2026, 3, 2)
DAYS = 6
LAST = FIRST + timedelta(days=DAYS - 1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def busy_site(db: Session, engine: Engine) -> SiteConfig:
    """A site with DAYS days of generated traffic (a few thousand visits a day)."""
    site = sites_service.create_site(
        db, name="Busy", main_url="https://kb.example.com", timezone="Europe/Berlin"
    )
    db.commit()
    with engine.begin() as conn:
        words = write_dictionary(conn)
        first_id = 1
        for n in range(DAYS):
            shape = Shape(visits=3_000, pageviews=15_000, visitors=2_000)
            day = FIRST + timedelta(days=n)
            first_id += generate_day(
                conn, day=day, timezone=site.timezone, shape=shape, words=words, first_id=first_id
            )
    return load_site_configs(db, [site.idsite])[site.idsite]


def done_days(db: Session, first: date = date.min, last: date = date.max) -> int:
    db.commit()
    s = ArchiveState
    query = sa.select(sa.func.count()).where(
        s.period == 1, s.done_version.is_not(None), s.date1 >= first, s.date1 <= last
    )
    return int(db.scalar(query) or 0)


def claimed(db: Session) -> int:
    db.commit()
    return int(db.scalar(sa.select(sa.func.count()).where(ArchiveState.lock_token.is_not(None))))


def archive_command() -> list[str]:
    return [
        str(BIN / "analytics-server"),
        "archive",
        "--from",
        FIRST.isoformat(),
        "--to",
        LAST.isoformat(),
    ]


def cli_env(engine: Engine, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ANALYTICS_DATABASE__URL": engine.url.render_as_string(hide_password=False),
        "ANALYTICS_DATA_DIR": str(tmp_path),
    }


def test_an_archiving_run_killed_midway_is_finished_by_the_next(
    db: Session, engine: Engine, tmp_path: Path
) -> None:
    site = busy_site(db, engine)
    env = cli_env(engine, tmp_path)
    run = subprocess.Popen(
        archive_command(),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    # Kill it once some days are done and another is being computed.
    while not (done_days(db, FIRST, LAST) >= 2 and claimed(db)):
        assert run.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert done_days(db, FIRST, LAST) < DAYS

    again = subprocess.run(archive_command(), env=env, capture_output=True, text=True, check=True)
    # The dead run's claim was taken over at once, not skipped until it expires.
    assert "skipped" not in again.stdout, again.stdout
    assert done_days(db, FIRST, LAST) == DAYS
    assert claimed(db) == 0

    target = Target(site)
    visits = 0
    for n in range(DAYS):
        day = containing("day", FIRST + timedelta(days=n))
        key = target.archive_key(day)
        stored = {name: decode(blob) for name, blob in repository.load(db, [key])[key].items()}
        db.rollback()  # computing a day starts a transaction of its own
        expected = finalize(compute_day(db, target, day.start))
        db.rollback()
        assert stored == {name: decode(encode(record)) for name, record in expected.items()}
        summary = stored["VisitsSummary_get"]
        assert isinstance(summary, dict)
        visits += int(summary["nb_visits"])
    assert visits == DAYS * 3_000
    week = target.archive_key(containing("week", FIRST))
    [blob] = repository.load(db, [week], ["VisitsSummary_get"])[week].values()
    summary = decode(blob)
    assert isinstance(summary, dict)
    assert summary["nb_visits"] == DAYS * 3_000


def test_the_embedded_server_archives_on_a_timer(
    engine: Engine,
    settings: Settings,
    clock: FakeClock,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = sites_service.create_site(db, name="Small", main_url="https://p.example")
    db.commit()
    clock.now = utc_now() - timedelta(minutes=1)
    with make_app(engine, settings, clock) as client:  # the timer is off in tests ...
        for n in range(3):
            send(client, js_hit(site.idsite, url=f"https://p.example/{n}", _id=f"{n:016x}"))
    assert done_days(db) == 0
    monkeypatch.setattr(scheduler, "FIRST_RUN_AFTER", 0.1)
    settings.archiving.schedule_in_process = True  # ... and on as `serve` has it
    with make_app(engine, settings, clock):
        deadline = time.monotonic() + 30
        while done_days(db) == 0:
            assert time.monotonic() < deadline, "nothing was archived"
            time.sleep(0.1)
    config = load_site_configs(db, [site.idsite])[site.idsite]
    key = Target(config).archive_key(containing("day", clock.now.date()))
    [blob] = repository.load(db, [key], ["VisitsSummary_get"])[key].values()
    summary = decode(blob)
    assert isinstance(summary, dict)
    assert summary["nb_actions"] == 3


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed")
    if not service_reachable("127.0.0.1", 3306):
        skip_or_fail("MariaDB is not reachable on 127.0.0.1:3306")
    stack = Stack(
        tmp_path,
        queues="ingest,archiving",
        extra_env={"ANALYTICS_ARCHIVING__INTERVAL_SECONDS": "10"},
    )
    try:
        stack.setup()
        yield stack
    finally:
        stack.teardown()


@pytest.mark.mysql
@pytest.mark.redis
def test_beat_and_a_worker_archive_what_was_tracked(stack: Stack) -> None:
    stack.kill("beat")  # so that no run archives today halfway through the hits
    sender = Sender(stack.web_port, n=60)
    sender.start()
    sender.join(timeout=60)
    deadline = time.monotonic() + 60
    while stack.stored()[0] < 60:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    stack.start("beat", ["beat", "--schedule", str(stack.workdir / "beat-schedule-2")])
    engine = sa.create_engine(stack.env()["ANALYTICS_DATABASE__URL"])
    factory = sessionmaker(bind=engine)
    try:
        with factory() as db:
            deadline = time.monotonic() + 60
            while done_days(db) == 0:
                assert time.monotonic() < deadline, "beat and the worker archived nothing"
                time.sleep(0.5)
            config = load_site_configs(db, [1])[1]
            key = Target(config).archive_key(containing("day", utc_now().date()))
            [blob] = repository.load(db, [key], ["VisitsSummary_get"])[key].values()
            visits = db.scalar(sa.text("SELECT COUNT(*) FROM log_visit"))
    finally:
        engine.dispose()
    summary = decode(blob)
    assert isinstance(summary, dict)
    assert (summary["nb_visits"], summary["nb_actions"]) == (visits, 60)
