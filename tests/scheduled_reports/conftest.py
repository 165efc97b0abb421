"""Fixtures for scheduled reports: a real SMTP server (aiosmtpd) on a free port, a site with
known traffic, settings that send through that server, and schedules."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from analytics_server.auth.service import Principal
from analytics_server.config import Settings
from analytics_server.models import ReportSchedule
from analytics_server.scheduled_reports import service
from analytics_server.sites.service import SiteConfig
from tests.archiving.traffic import known_day, make_site
from tests.processes import free_port

# Monday 2026-03-16, 09:00 in Tokyo: the week of the known day (Tue 10 March) is complete.
SEND_AT = datetime(2026, 3, 16, 0, 0, tzinfo=UTC)
CREATED = datetime(2026, 3, 11, 0, 0, tzinfo=UTC)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpSink:
    """What the test's SMTP server received; `refuse` answers the next DATA commands 451."""

    port: int
    received: list[Received] = field(default_factory=list)
    refuse: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 try again later"
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def serve_smtp() -> Iterator[SmtpSink]:
    """An SMTP server on a free port for the test's lifetime (for fixtures)."""
    controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is missing")
    sink = SmtpSink(free_port())
    controller = controller_module.Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    yield from serve_smtp()


@pytest.fixture
def mail_settings(settings: Settings, smtp: SmtpSink) -> Settings:
    settings.email.smtp_host = "127.0.0.1"
    settings.email.smtp_port = smtp.port
    settings.email.from_address = "reports@analytics.example"
    settings.email.backoff_seconds = 0
    settings.email.retries = 2
    settings.email.schedule_in_process = False  # tests send when they say so
    return settings


@pytest.fixture
def site(db: Session) -> SiteConfig:
    found = make_site(db)
    known_day(db, found.idsite)
    return found


OWNER = Principal("owner", superuser=True, access={})


def company(site: SiteConfig) -> int:
    """The id of the visit-scope dimension "Company" (ids keep counting on MariaDB)."""
    return next(i for i, d in site.dimensions.items() if d.name == "Company")


def company_report(site: SiteConfig) -> str:
    return f"CustomDimensions_getCustomDimension_idDimension--{company(site)}"


def add_schedule(db: Session, site: SiteConfig, **values: Any) -> ReportSchedule:
    values.setdefault(
        "reports",
        [
            "VisitsSummary_get",
            "DevicesDetection_getBrowsers",
            "Actions_getPageUrls",
            company_report(site),
        ],
    )
    values.setdefault("period", "week")
    values.setdefault("hour", 8)
    values.setdefault("email_me", False)
    values.setdefault("recipient_emails", ["boss@portal.example", "team@portal.example"])
    schedule = service.create_schedule(
        db, OWNER, idsite=site.idsite, draft=service.Draft(**values), now=CREATED
    )
    db.commit()
    return schedule


def pdftotext(pdf: bytes, tmp_path: Path, *, layout: bool = True) -> str:
    """The PDF's text, page layout kept unless not `layout` (poppler-utils)."""
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed; .ci/run installs it")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def text_lines(text: str) -> list[str]:
    """Non-empty lines of text with runs of blanks made one space."""
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


def has_row(lines: list[str], *cells: str) -> bool:
    """Whether a line starts with these cells, in order, blank-separated."""
    pattern = re.compile(r"\s".join(re.escape(cell) for cell in cells) + r"(\s|$)")
    return any(pattern.match(line) for line in lines)
