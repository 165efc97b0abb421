"""Sending through a real SMTP server (aiosmtpd): headers, recipients and attachments; once per
period even with two workers; retries with back-off; SMTP down recorded; fan-out."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from analytics_server.config import Settings
from analytics_server.models import ReportSending
from analytics_server.scheduled_reports import tasks
from analytics_server.sites.service import SiteConfig
from tests.conftest import FakeClock
from tests.factories import create_token, fresh
from tests.processes import free_port
from tests.reports.api import report
from tests.scheduled_reports.conftest import (
    SEND_AT,
    SmtpSink,
    add_schedule,
    company,
    has_row,
    pdftotext,
    text_lines,
)

pytestmark = pytest.mark.smtp
RECIPIENTS = ["boss@portal.example", "team@portal.example"]


def _sendings(db: Session) -> list[ReportSending]:
    fresh(db)
    return list(db.scalars(sa.select(ReportSending).order_by(ReportSending.idsending)))


def test_a_due_weekly_report_is_mailed_once(
    db: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
) -> None:
    add_schedule(db, site, description="Partner cabinet weekly")
    early = SEND_AT - timedelta(hours=2)  # Monday 07:00 in Tokyo: the hour is 8
    assert tasks.send_due(session_factory, settings=mail_settings, now=early).due == 0
    assert smtp.received == []
    summary = tasks.send_due(session_factory, settings=mail_settings, now=SEND_AT)
    assert (summary.due, summary.sent, summary.failed) == (1, 1, 0)
    [mail] = smtp.received
    assert mail.mail_from == "reports@analytics.example"
    assert sorted(mail.rcpt_tos) == RECIPIENTS
    message = mail.message
    assert message["Subject"] == "Partner cabinet weekly – Portal – Mar 9, 2026 – Mar 15, 2026"
    assert message["From"] == "Analytics <reports@analytics.example>"
    assert sorted(a.strip() for a in message["To"].split(",")) == RECIPIENTS
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@analytics.example>")
    assert message["Date"]
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "portal-2026-03-09_2026-03-15.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert "Visits: 5" in message.get_body(("plain",)).get_content()
    later = tasks.send_due(
        session_factory, settings=mail_settings, now=SEND_AT + timedelta(hours=3)
    )
    assert (later.due, later.sent) == (0, 0)
    assert len(smtp.received) == 1
    [sending] = _sendings(db)
    assert (sending.status, sending.attempts, sending.period) == ("sent", 1, "week")
    assert (str(sending.date1), str(sending.date2)) == ("2026-03-09", "2026-03-15")
    assert sorted(json.loads(sending.recipients)) == RECIPIENTS
    assert sending.size_bytes > 10_000
    assert sending.ts_finished == SEND_AT


def test_transient_refusals_are_retried_with_backoff(
    db: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
) -> None:
    add_schedule(db, site, format="html")
    mail_settings.email.backoff_seconds = 5
    smtp.refuse = 2
    waits: list[float] = []
    summary = tasks.send_due(
        session_factory, settings=mail_settings, now=SEND_AT, sleep=waits.append
    )
    assert summary.sent == 1
    assert waits == [5, 10]
    assert len(smtp.received) == 1
    [sending] = _sendings(db)
    assert (sending.status, sending.attempts) == ("sent", 3)


def test_smtp_down_is_retried_recorded_as_failed_and_sent_by_a_later_run(
    db: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
) -> None:
    add_schedule(db, site)
    real_port = mail_settings.email.smtp_port
    mail_settings.email.smtp_port = free_port()  # nothing listens there
    summary = tasks.send_due(session_factory, settings=mail_settings, now=SEND_AT)
    assert (summary.sent, summary.failed) == (0, 1)
    [sending] = _sendings(db)
    assert (sending.status, sending.attempts, sending.transient) == ("failed", 3, True)
    assert "ConnectionRefusedError" in sending.error
    assert sorted(json.loads(sending.recipients)) == RECIPIENTS
    soon = tasks.send_due(
        session_factory, settings=mail_settings, now=SEND_AT + timedelta(minutes=5)
    )
    assert soon.due == 0  # the next try waits a while
    mail_settings.email.smtp_port = real_port
    later = SEND_AT + timedelta(minutes=31)
    assert tasks.send_due(session_factory, settings=mail_settings, now=later).sent == 1
    assert len(smtp.received) == 1
    [sending] = _sendings(db)
    assert (sending.status, sending.attempts, sending.error) == ("sent", 4, "")


def test_a_permanent_refusal_is_not_retried(
    db: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
) -> None:
    add_schedule(db, site)
    mail_settings.email.from_address = "reports@analytics.example"
    mail_settings.email.login = "nobody"  # the test server offers no AUTH: a setting to fix
    summary = tasks.send_due(session_factory, settings=mail_settings, now=SEND_AT)
    assert summary.failed == 1
    [sending] = _sendings(db)
    assert (sending.status, sending.attempts, sending.transient) == ("failed", 1, False)
    later = SEND_AT + timedelta(hours=2)
    assert tasks.send_due(session_factory, settings=mail_settings, now=later).due == 0
    assert smtp.received == []


def test_two_workers_at_once_send_one_mail(
    db: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
) -> None:
    add_schedule(db, site)
    start = threading.Barrier(2)
    summaries: list[tasks.Summary] = []

    def worker() -> None:
        start.wait()
        summaries.append(tasks.send_due(session_factory, settings=mail_settings, now=SEND_AT))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(summaries) == 2
    assert sorted(s.sent for s in summaries) == [0, 1]
    assert len(smtp.received) == 1
    assert len(_sendings(db)) == 1


def test_fan_out_per_company_each_to_its_own_recipients(
    db: Session,
    client: TestClient,
    clock: FakeClock,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
    tmp_path: Path,
) -> None:
    token = create_token(db)
    clock.now = SEND_AT
    iddimension = company(site)
    fanout = {
        "dimension": iddimension,
        "recipients": {"Acme": ["acme@partner.example"], "Beta": ["beta@partner.example"]},
    }
    add_schedule(db, site, reports=["VisitsSummary_get"], fanout=json.dumps(fanout))
    summary = tasks.send_due(session_factory, settings=mail_settings, now=SEND_AT)
    assert summary.sent == 2
    by_company = {mail.rcpt_tos[0]: mail.message for mail in smtp.received}
    assert sorted(by_company) == ["acme@partner.example", "beta@partner.example"]
    for name, address in (("Acme", "acme@partner.example"), ("Beta", "beta@partner.example")):
        message = by_company[address]
        assert message["Subject"].endswith(f" – {name}")
        [pdf] = list(message.iter_attachments())
        text = pdftotext(pdf.get_content(), tmp_path)
        found = report(
            client,
            "VisitsSummary.get",
            token,
            site.idsite,
            period="week",
            date="2026-03-10",
            segment=f"dimension{iddimension}=={name}",
        )
        assert found["nb_visits"] == {"Acme": 2, "Beta": 1}[name]
        assert has_row(text_lines(text), "Visits", str(found["nb_visits"]))
        assert f"Segment: {name}" in text
    assert len(_sendings(db)) == 2
    assert tasks.send_due(session_factory, settings=mail_settings, now=SEND_AT).sent == 0


def test_fan_out_per_segment_of_a_list(
    db: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
) -> None:
    fanout = {
        "segments": [
            {"label": "Germany", "segment": "countryCode==de", "recipients": ["de@x.example"]},
            {"label": "France", "segment": "countryCode==fr", "recipients": ["fr@x.example"]},
        ]
    }
    add_schedule(db, site, reports=["VisitsSummary_get"], format="html", fanout=json.dumps(fanout))
    assert tasks.send_due(session_factory, settings=mail_settings, now=SEND_AT).sent == 2
    bodies = {m.rcpt_tos[0]: m.message.get_body(("plain",)).get_content() for m in smtp.received}
    assert "Visits: 2" in bodies["de@x.example"]
    assert "Visits: 1" in bodies["fr@x.example"]


def test_the_embedded_timer_and_celery_beat_run_the_same_function(
    db: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
) -> None:
    from analytics_server.scheduled_reports.scheduler import EmailScheduler
    from analytics_server.worker import app

    assert app.conf.beat_schedule["email-due"]["task"] == "email.send_due"
    assert "email.send_due" in app.tasks
    add_schedule(db, site, period="day", hour=0, reports=["VisitsSummary_get"])
    # The real clock: yesterday's report of a daily schedule created in March 2026 is due.
    summary = EmailScheduler(session_factory, mail_settings).run_once()
    assert summary.sent == 1
    assert len(smtp.received) == 1


def test_a_deleted_segment_fails_instead_of_sending_all_visits(
    db: Session,
    session_factory: sessionmaker[Session],
    mail_settings: Settings,
    smtp: SmtpSink,
    site: SiteConfig,
) -> None:
    from analytics_server.segments import service as segments_service

    segment = segments_service.create_segment(
        db, name="Germany", definition="countryCode==de", idsite=site.idsite
    )
    db.commit()
    add_schedule(db, site, idsegment=segment.idsegment)
    segments_service.delete_segment(db, segment.idsegment)
    db.commit()
    summary = tasks.send_due(session_factory, settings=mail_settings, now=SEND_AT)
    assert summary.failed == 1
    assert smtp.received == []
