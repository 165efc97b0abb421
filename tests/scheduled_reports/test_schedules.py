"""Schedules through the ScheduledReports.* methods: add, get, update, delete, send, generate;
what is refused; and when a schedule is due in its site's time zone."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from analytics_server.auth.service import Principal
from analytics_server.config import Settings
from analytics_server.errors import AccessDeniedError, AppError, InvalidRequestError
from analytics_server.kit.periods import Period
from analytics_server.reports.formats import Success
from analytics_server.reports.params import Params
from analytics_server.reports.service import Call
from analytics_server.scheduled_reports.api import METHODS
from analytics_server.scheduled_reports.cadence import due_period
from analytics_server.sites.service import SiteConfig
from tests.factories import create_token
from tests.scheduled_reports.conftest import SEND_AT, SmtpSink, company_report

ADMIN = Principal("admin", superuser=True, access={})


def api(db: Session, settings: Settings, method: str, who: Principal = ADMIN, **params: Any) -> Any:
    call = Call(db, who, Params.from_mapping(params), SEND_AT, settings)
    return METHODS[f"ScheduledReports.{method}"](call)


def _add(db: Session, settings: Settings, site: SiteConfig, **params: Any) -> int:
    params.setdefault("reports", f"VisitsSummary_get,{company_report(site)}")
    params.setdefault("period", "week")
    params.setdefault("hour", "8")
    params.setdefault(
        "parameters", json.dumps({"emailMe": False, "additionalEmails": ["a@b.example"]})
    )
    return int(api(db, settings, "addReport", idSite=site.idsite, **params))


def test_add_get_update_and_delete(db: Session, settings: Settings, site: SiteConfig) -> None:
    create_token(db)
    idreport = _add(db, settings, site, description="Weekly", reportFormat="html", language="ru")
    [found] = api(db, settings, "getReports", idSite=site.idsite)
    assert found["idreport"] == idreport
    assert found["reports"] == ["VisitsSummary_get", company_report(site)]
    assert (found["period"], found["period_param"], found["hour"]) == ("week", "week", 8)
    assert (found["format"], found["language"], found["row_limit"]) == ("html", "ru", 23)
    assert found["parameters"]["additionalEmails"] == ["a@b.example"]
    assert found["ts_last_sent"] is None
    result = api(db, settings, "updateReport", idReport=idreport, period="month", hour="23")
    assert isinstance(result, Success)
    [found] = api(db, settings, "getReports", idReport=idreport)
    assert (found["period"], found["period_param"], found["hour"]) == ("month", "month", 23)
    assert found["description"] == "Weekly"
    api(db, settings, "deleteReport", idReport=idreport)
    assert api(db, settings, "getReports", idSite=site.idsite) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"reports": "Nope_nothing"}, "cannot be scheduled"),
        ({"reports": "Actions_getPageUrlsFromSomething"}, "cannot be scheduled"),
        ({"reports": "CustomDimensions_getCustomDimension_idDimension--999"}, "not configured"),
        ({"period": "hourly"}, "period must be one of"),
        ({"hour": "24"}, "hour must be from 0 to 23"),
        ({"reportFormat": "docx"}, "reportFormat must be one of"),
        ({"language": "de"}, "language must be one of"),
        (
            {"parameters": '{"additionalEmails": ["x@y.example\\r\\nBcc: z@evil.example"]}'},
            "not a valid email",
        ),
        ({"recipients": "ghost"}, "does not exist"),
        ({"fanout": '{"dimension": 999}'}, "not configured"),
        ({"fanout": '{"segments": [{"segment": "nope==1"}]}'}, "fanout segment"),
        ({"reportType": "sms"}, "reportType must be email"),
    ],
)
def test_bad_schedules_are_refused(
    db: Session, settings: Settings, site: SiteConfig, params: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        _add(db, settings, site, **params)


def test_others_see_and_change_only_their_own(
    db: Session, settings: Settings, site: SiteConfig
) -> None:
    create_token(db, login="viewer", superuser=False, access={site.idsite: "view"})
    viewer = Principal("viewer", superuser=False, access={site.idsite: "view"})
    stranger = Principal("stranger", superuser=False, access={})
    mine = _add(db, settings, site)
    with pytest.raises(AccessDeniedError):
        _add_as(db, settings, site, stranger)
    theirs = _add_as(db, settings, site, viewer)
    assert [r["idreport"] for r in api(db, settings, "getReports", viewer)] == [theirs]
    assert len(api(db, settings, "getReports", idSite=site.idsite)) == 2
    with pytest.raises(AccessDeniedError):
        api(db, settings, "deleteReport", viewer, idReport=mine)
    with pytest.raises(AppError):
        api(db, settings, "updateReport", stranger, idReport=theirs, hour="1")


def _add_as(db: Session, settings: Settings, site: SiteConfig, who: Principal) -> int:
    params = {"reports": "VisitsSummary_get", "period": "day", "parameters": "{}"}
    return int(api(db, settings, "addReport", who, idSite=site.idsite, **params))


@pytest.mark.smtp
def test_send_report_now_then_not_again_unless_forced(
    db: Session, mail_settings: Settings, smtp: SmtpSink, site: SiteConfig
) -> None:
    idreport = _add(db, mail_settings, site, period="never", periodParam="week")
    result = api(db, mail_settings, "sendReport", idReport=idreport, date="2026-03-10")
    assert result.message == "sent 1, skipped 0 (sent before)"
    again = api(db, mail_settings, "sendReport", idReport=idreport, date="2026-03-10")
    assert again.message == "sent 0, skipped 1 (sent before)"
    api(db, mail_settings, "sendReport", idReport=idreport, date="2026-03-10", force="1")
    assert [m.rcpt_tos for m in smtp.received] == [["a@b.example"], ["a@b.example"]]
    [found] = api(db, mail_settings, "getReports", idReport=idreport)
    assert found["ts_last_sent"] == SEND_AT.strftime("%Y-%m-%d %H:%M:%S")


def test_generate_report_renders_without_sending(
    db: Session, settings: Settings, site: SiteConfig
) -> None:
    idreport = _add(db, settings, site)
    [found] = api(db, settings, "generateReport", idReport=idreport, date="2026-03-10")
    assert found["filename"] == "portal-2026-03-09_2026-03-15.pdf"
    assert found["mediaType"] == "application/pdf"
    assert base64.b64decode(found["content"]).startswith(b"%PDF")


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


CREATED_EARLY = _at(2026, 1, 1)


@pytest.mark.parametrize(
    ("cadence", "hour", "timezone", "now", "expected"),
    [
        # Tuesday 10 March 07:59 in Tokyo: yesterday's report waits for 08:00.
        ("day", 8, "Asia/Tokyo", _at(2026, 3, 9, 22, 59), date(2026, 3, 8)),
        ("day", 8, "Asia/Tokyo", _at(2026, 3, 9, 23, 0), date(2026, 3, 9)),
        # Monday 16 March 09:00 in Tokyo: the week of 9-15 March.
        ("week", 8, "Asia/Tokyo", _at(2026, 3, 16, 0, 0), date(2026, 3, 9)),
        ("week", 10, "Asia/Tokyo", _at(2026, 3, 16, 0, 0), date(2026, 3, 2)),
        ("month", 0, "Europe/Berlin", _at(2026, 3, 31, 22, 30), date(2026, 3, 1)),
        ("month", 0, "Europe/Berlin", _at(2026, 3, 31, 21, 30), date(2026, 2, 1)),
        # The day Berlin springs forward: 08:00 local is 06:00 UTC.
        ("day", 8, "Europe/Berlin", _at(2026, 3, 29, 6, 0), date(2026, 3, 28)),
        ("day", 8, "Europe/Berlin", _at(2026, 3, 29, 5, 59), date(2026, 3, 27)),
        ("never", 8, "UTC", _at(2026, 3, 29, 5, 59), None),
    ],
)
def test_due_period_in_the_site_time_zone(
    cadence: str, hour: int, timezone: str, now: datetime, expected: date | None
) -> None:
    found = due_period(cadence, hour=hour, timezone=timezone, now=now, created=CREATED_EARLY)
    assert (found.start if isinstance(found, Period) else None) == expected


def test_a_new_schedule_does_not_send_the_periods_before_it() -> None:
    created = _at(2026, 3, 11)
    assert due_period("week", hour=8, timezone="UTC", now=_at(2026, 3, 12), created=created) is None
