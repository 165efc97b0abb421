"""Shared fixtures: a real database per backend (SQLite file, MariaDB), the app, a fake clock."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from analytics_server.app import create_app
from analytics_server.config import Settings
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.models import Base
from analytics_server.tracking.context import TrackerContext

MYSQL_SERVER = os.environ.get("ANALYTICS_TEST_MYSQL_SERVER", "mysql+pymysql://root@127.0.0.1:3306")
# One database per test process, so parallel runs (CI, developers, helpers) never collide.
MYSQL_DATABASE = f"analytics_test_{os.getpid()}"
# .ci/run sets this so that a missing service fails the run instead of skipping tests.
REQUIRE_SERVICES = os.environ.get("ANALYTICS_TEST_REQUIRE_SERVICES") == "1"


def service_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def skip_or_fail(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (ANALYTICS_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


class FakeClock:
    """A settable clock: tests decide what `now` is."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = Path(tmp_path_factory.mktemp("db")) / "test.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def mysql_engine() -> Iterator[Engine]:
    if not service_reachable("127.0.0.1", 3306):
        skip_or_fail("MariaDB/MySQL is not reachable on 127.0.0.1:3306")
    admin = sa.create_engine(MYSQL_SERVER)
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {MYSQL_DATABASE}"))
        conn.execute(
            sa.text(f"CREATE DATABASE {MYSQL_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        )
    admin.dispose()
    engine = create_db_engine(f"{MYSQL_SERVER}/{MYSQL_DATABASE}")
    upgrade_schema(engine)
    yield engine
    engine.dispose()
    admin = sa.create_engine(MYSQL_SERVER)
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {MYSQL_DATABASE}"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated database on each backend, emptied after the test."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    yield engine
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and checking data; commit to make rows visible to the app."""
    with session_factory() as session:
        yield session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path, salt="test-instance-salt")  # type: ignore[arg-type]
    # Each accepted request is queued durably and processed before the answer, through the
    # same queue and worker code as in production, so tests can read rows right away.
    settings.ingest.inline = True
    # Tests archive when they say so, not on a timer of the app.
    settings.archiving.schedule_in_process = False
    return settings


def make_app(engine: Engine, settings: Settings, clock: FakeClock, **tracker: Any) -> TestClient:
    context = TrackerContext.from_settings(settings, clock=clock, **tracker)
    return TestClient(create_app(settings, engine=engine, tracker=context))


@pytest.fixture
def client(engine: Engine, settings: Settings, clock: FakeClock) -> Iterator[TestClient]:
    with make_app(engine, settings, clock) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """One Playwright driver for the whole run: every browser suite (tracker, dashboard)
    launches Debian's Chromium from it (two sync drivers cannot share a thread)."""
    if not Path("/usr/bin/chromium").exists():
        skip_or_fail("/usr/bin/chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver
