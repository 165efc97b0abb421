"""`analytics-server reports`: add a schedule, list it, render it to files, send it."""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics_server.auth import service as auth_service
from analytics_server.cli.reports import register
from analytics_server.config import Settings
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from tests.archiving.traffic import known_day, make_site
from tests.scheduled_reports.conftest import CREATED, SEND_AT, SmtpSink, serve_smtp


@pytest.fixture
def cli_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_schema(engine)
    with make_session_factory(engine)() as db:
        site = make_site(db)
        known_day(db, site.idsite)
        auth_service.create_user(
            db, login="anna", password="secret-password", email="anna@portal.example"
        )
        auth_service.set_access(db, login="anna", idsite=site.idsite, access="view")
        db.commit()
    engine.dispose()
    return Settings(database={"url": url}, data_dir=tmp_path)  # type: ignore[arg-type]


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    yield from serve_smtp()


def run(settings: Settings, *argv: str, **more: object) -> str:
    parser = argparse.ArgumentParser(prog="analytics-server")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["reports", *argv])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert args.handler(args, settings, **more) == 0
    return out.getvalue()


def _add(settings: Settings) -> None:
    out = run(
        settings,
        "add",
        "--site",
        "1",
        "--login",
        "anna",
        "--report",
        "VisitsSummary_get",
        "--report",
        "DevicesDetection_getBrowsers",
        "--email",
        "boss@portal.example",
        "--language",
        "ru",
        now=CREATED,
    )
    assert out.startswith("scheduled report 1 added: site 1, week at 8:00, pdf")
    assert "anna@portal.example, boss@portal.example" in out


def test_add_list_and_render_to_files(cli_settings: Settings, tmp_path: Path) -> None:
    _add(cli_settings)
    listed = run(cli_settings, "list")
    assert listed.startswith(
        "1\tsite 1\tweek@8\tpdf\tVisitsSummary_get,DevicesDetection_getBrowsers"
    )
    assert "never sent" in listed
    out_dir = tmp_path / "out"
    out = run(
        cli_settings,
        "send",
        "--schedule",
        "1",
        "--dry-run",
        "--out",
        str(out_dir),
        "--date",
        "2026-03-10",
        now=SEND_AT,
    )
    pdf = out_dir / "portal-2026-03-09_2026-03-15.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    eml = (out_dir / "portal-2026-03-09_2026-03-15.eml").read_bytes()
    assert b"To: anna@portal.example, boss@portal.example" in eml
    assert f"wrote {pdf}" in out
    assert "never sent" in run(cli_settings, "list")  # a dry run records nothing


@pytest.mark.smtp
def test_send_through_smtp_once(cli_settings: Settings, smtp: SmtpSink) -> None:
    cli_settings.email.smtp_host = "127.0.0.1"
    cli_settings.email.smtp_port = smtp.port
    _add(cli_settings)
    out = run(cli_settings, "send", "--schedule", "1", "--date", "2026-03-10", now=SEND_AT)
    assert out.startswith("all visits: sent to anna@portal.example, boss@portal.example")
    again = run(cli_settings, "send", "--schedule", "1", "--date", "2026-03-10", now=SEND_AT)
    assert "already sent for this period" in again
    assert len(smtp.received) == 1
    assert "sent 2026-03-09..2026-03-15 (1 tries)" in run(cli_settings, "list")
