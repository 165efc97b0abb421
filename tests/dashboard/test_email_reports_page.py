"""The email reports page: add a schedule, see it listed, download it, delete it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from tests.archiving.traffic import known_day, make_site
from tests.conftest import FakeClock
from tests.dashboard.helpers import sign_in
from tests.factories import create_token
from tests.reports.api import call


def test_schedule_download_and_delete(client: TestClient, db: Session, clock: FakeClock) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    token = create_token(db)
    clock.now = datetime(2026, 3, 16, 9, tzinfo=UTC)
    csrf = sign_in(client)
    page = f"/site/{site.idsite}/email-reports"
    assert "No report is scheduled" in client.get(page).text
    added = client.post(
        page,
        data={
            "csrf": csrf,
            "action": "add",
            "description": "Partners <weekly>",
            "period": "week",
            "hour": "8",
            "format": "pdf",
            "segment": "0",
            "row_limit": "23",
            "language": "ru",
            "email_me": "1",
            "emails": "boss@example.com, team@example.com",
            "report.0": "VisitsSummary_get",
            "report.1": "Actions_getPageUrls",
        },
    )
    assert added.status_code == 200
    assert "Partners &lt;weekly&gt;" in added.text
    [schedule] = call(client, "ScheduledReports.getReports", token_auth=token, idSite=site.idsite)
    assert schedule["reports"] == ["VisitsSummary_get", "Actions_getPageUrls"]
    assert schedule["parameters"]["additionalEmails"] == ["boss@example.com", "team@example.com"]
    assert schedule["language"] == "ru"
    pdf = client.get(f"{page}/{schedule['idreport']}/download")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    unsent = client.post(
        page, data={"csrf": csrf, "action": "send", "idreport": str(schedule["idreport"])}
    )
    assert "not configured" in unsent.text  # no SMTP server in this test
    client.post(
        page, data={"csrf": csrf, "action": "delete", "idreport": str(schedule["idreport"])}
    )
    assert call(client, "ScheduledReports.getReports", token_auth=token, idSite=site.idsite) == []
