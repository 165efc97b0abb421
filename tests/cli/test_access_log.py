"""`serve` logs page and API requests but, by default, not every tracking hit."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from analytics_server.config import Settings
from tests.conftest import FakeClock, make_app
from tests.processes import BIN, free_port, wait_port

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
        caplog.set_level(logging.INFO, logger="analytics_server.access")
        status = client.get(path).status_code
    lines = [r.getMessage() for r in caplog.records if r.name == "analytics_server.access"]
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
        caplog.set_level(logging.INFO, logger="analytics_server.access")
        client.get("/healthz")
    assert [r for r in caplog.records if r.name == "analytics_server.access"] == []


def test_serve_prints_page_requests_but_not_tracking_hits(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ANALYTICS_DATA_DIR": str(tmp_path),
        "ANALYTICS_DATABASE__URL": f"sqlite:///{tmp_path}/serve.sqlite3",
        "ANALYTICS_ACCESS_LOG": "pages",
    }
    port = free_port()
    subprocess.run([BIN / "analytics-server", "migrate"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [BIN / "analytics-server", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(port)
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/matomo.php?idsite=1&rec=1&send_image=0").status_code == 204
        assert httpx.get(f"{base}/healthz").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert '"GET /healthz HTTP/1.1" 200' in output
    assert "matomo.php" not in output
