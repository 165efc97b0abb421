"""`serve` logs page and API requests but, by default, not every tracking hit."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.engine import Engine

from analytics_server.config import Settings
from tests.conftest import FakeClock, make_app

PATHS = [
    ("/matomo.php?idsite=1&rec=1", False),
    ("/piwik.php", False),
    ("/js/?idsite=1", False),
    ("/index.php?module=API&method=API.getMatomoVersion", True),
    ("/healthz", True),
    ("/matomo.js", True),
]


@pytest.mark.parametrize(("path", "logged"), PATHS)
def test_pages_mode_logs_pages_but_not_tracking_hits(
    sqlite_engine: Engine,
    settings: Settings,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    path: str,
    logged: bool,
) -> None:
    settings.access_log = "pages"
    with make_app(sqlite_engine, settings, clock) as client:
        caplog.set_level(logging.INFO, logger="uvicorn.access")
        status = client.get(path).status_code
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    if logged:
        assert lines == [f'testclient:50000 - "GET {path} HTTP/1.1" {status}']
    else:
        assert lines == []


@pytest.mark.parametrize("mode", ["all", "off"])
def test_other_modes_leave_the_app_silent(
    sqlite_engine: Engine,
    settings: Settings,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    """Mode all is uvicorn's own access log (serve switches it on); off logs nothing."""
    settings.access_log = mode  # type: ignore[assignment]
    with make_app(sqlite_engine, settings, clock) as client:
        caplog.set_level(logging.INFO, logger="uvicorn.access")
        client.get("/healthz")
    assert [r for r in caplog.records if r.name == "uvicorn.access"] == []
