"""`make run`'s first start: schema, admin, demo site with a month of traffic, served over HTTP."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from analytics_server.cli.quickstart import quickstart
from analytics_server.config import DatabaseSettings, Settings


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
