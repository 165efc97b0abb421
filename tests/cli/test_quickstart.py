"""`make run`'s first start: schema, admin, demo site with a month of traffic, served over HTTP."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from analytics_server.cli.quickstart import quickstart, running_server
from analytics_server.config import DatabaseSettings, Settings, TrackerSettings
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.sites import service as sites_service


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_quickstart_creates_admin_and_demo_traffic_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'quick.sqlite3'}"
    settings = Settings(database=DatabaseSettings(url=url), port=free_port(), data_dir=tmp_path)
    quickstart(settings, serve=False)
    first = capsys.readouterr().out
    assert "admin password: " in first
    assert "demo traffic sent" in first
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT COUNT(*) FROM log_visit")) > 300
        assert conn.scalar(sa.text("SELECT COUNT(*) FROM tracking_failure")) == 0
    quickstart(settings, serve=False)  # second start: nothing created, no password shown
    second = capsys.readouterr().out
    assert "admin password" not in second
    assert "demo traffic" not in second
    engine.dispose()


@pytest.mark.parametrize(
    ("trusted", "stored"),
    [([], "127.0.0.0"), (["127.0.0.1"], "203.0.0.0")],
    ids=["no-proxy-trusted", "loopback-proxy-trusted"],
)
def test_the_served_app_believes_forwarded_for_only_from_trusted_proxies(
    tmp_path: Path, trusted: list[str], stored: str
) -> None:
    """uvicorn's own proxy-header handling (on by default, trusting 127.0.0.1) would put
    X-Forwarded-For in place of the address before ANALYTICS_TRACKER__TRUSTED_PROXIES is
    asked; the server started by `make run` must follow the setting, as `serve` does."""
    url = f"sqlite:///{tmp_path / 'proxy.sqlite3'}"
    settings = Settings(
        database=DatabaseSettings(url=url),
        port=free_port(),
        data_dir=tmp_path,
        tracker=TrackerSettings(trusted_proxies=trusted),
    )
    engine = create_db_engine(url)
    upgrade_schema(engine)
    with make_session_factory(engine)() as session, session.begin():
        idsite = sites_service.create_site(session, name="P", main_url="https://p.example").idsite
    with running_server(settings):
        answer = httpx.get(
            f"http://127.0.0.1:{settings.port}/matomo.php",
            params={"idsite": idsite, "rec": 1, "send_image": 0, "url": "https://p.example/"},
            headers={"X-Forwarded-For": "203.0.113.9", "User-Agent": "Mozilla/5.0 Firefox/128.0"},
        )
        assert answer.status_code == 204
        deadline = time.monotonic() + 30
        with engine.connect() as conn:
            while (ip := conn.scalar(sa.text("SELECT location_ip FROM log_visit"))) is None:
                assert time.monotonic() < deadline, "the hit was not stored"
                time.sleep(0.1)
    assert socket.inet_ntoa(ip) == stored
    engine.dispose()
