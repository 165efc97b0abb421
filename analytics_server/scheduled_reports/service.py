"""Report schedules: add, change, delete and describe them, checked; and what rendering needs.

Access: anyone with view access to a site may schedule its reports for themselves; a schedule
is changed or deleted by its owner, a superuser or an admin of the site. Recipients are users
who may view the site and free email addresses the owner names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.auth.service import Principal
from analytics_server.errors import AccessDeniedError, InvalidRequestError, NotFoundError
from analytics_server.models import Access, ReportSchedule, Segment, User
from analytics_server.scheduled_reports import report_ids, repository
from analytics_server.scheduled_reports import spec as specs
from analytics_server.scheduled_reports.i18n import LANGUAGES
from analytics_server.sites.service import SiteConfig, load_site_configs

MAX_ROW_LIMIT = 1000


@dataclass
class Draft:
    """What a caller gives for a schedule; None keeps the current value (or the default)."""

    description: str | None = None
    period: str | None = None
    period_param: str | None = None
    hour: int | None = None
    format: str | None = None
    reports: list[str] | None = None
    idsegment: int | None = None  # 0: no segment
    evolution_graph: bool | None = None
    row_limit: int | None = None
    email_me: bool | None = None
    recipient_logins: list[str] | None = None
    recipient_emails: list[str] | None = None
    language: str | None = None
    fanout: str | None = None  # JSON text; "" for none


DEFAULTS = Draft(
    description="",
    period="week",
    hour=0,
    format="pdf",
    idsegment=0,
    evolution_graph=False,
    row_limit=specs.DEFAULT_ROW_LIMIT,
    email_me=True,
    recipient_logins=[],
    recipient_emails=[],
    language="en",
    fanout="",
)


def site_of(session: Session, idsite: int) -> SiteConfig:
    site = load_site_configs(session, [idsite]).get(idsite)
    if site is None:
        raise InvalidRequestError(f"The site id {idsite} does not exist.")
    return site


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    text = value.strip().lower()
    if text not in allowed:
        raise InvalidRequestError(f"{name} must be one of {', '.join(allowed)}.")
    return text


def _segment_id(session: Session, idsegment: int, idsite: int) -> int | None:
    if not idsegment:
        return None
    segment = session.get(Segment, idsegment)
    if segment is None or segment.deleted or segment.enable_only_idsite not in (0, idsite):
        raise InvalidRequestError(f"The segment {idsegment} does not exist for site {idsite}.")
    return idsegment


def _logins(session: Session, logins: list[str], idsite: int) -> list[str]:
    """Users may receive a site's report only if they may view the site."""
    found: list[str] = []
    for login in dict.fromkeys(name.strip() for name in logins if name.strip()):
        user = session.get(User, login)
        if user is None:
            raise InvalidRequestError(f"The user {login[:100]!r} does not exist.")
        if not user.superuser_access and session.get(Access, (login, idsite)) is None:
            raise InvalidRequestError(f"The user {login[:100]!r} has no access to site {idsite}.")
        found.append(login)
    return found


def _columns(session: Session, site: SiteConfig, draft: Draft) -> dict[str, Any]:
    """Checked column values of a complete draft."""
    if draft.period is None or draft.reports is None:
        raise InvalidRequestError("A scheduled report needs a period and reports.")
    period = _choice(draft.period, specs.CADENCES, "period")
    default_param = "day" if period == "never" else period
    period_param = _choice(draft.period_param or default_param, specs.DATA_PERIODS, "periodParam")
    hour = draft.hour if draft.hour is not None else 0
    if not 0 <= hour <= 23:
        raise InvalidRequestError("hour must be from 0 to 23 (in the site's time zone).")
    row_limit = draft.row_limit or specs.DEFAULT_ROW_LIMIT
    if not 1 <= row_limit <= MAX_ROW_LIMIT:
        raise InvalidRequestError(f"rowLimit must be from 1 to {MAX_ROW_LIMIT}.")
    refs = report_ids.parse_list(draft.reports, site)
    fanout = specs.parse_fanout(draft.fanout or "", site)
    return {
        "description": (draft.description or "").strip()[:255],
        "period": period,
        "period_param": period_param,
        "hour": hour,
        "format": _choice(draft.format or "pdf", specs.FORMATS, "reportFormat"),
        "reports": json.dumps([ref.unique_id for ref in refs]),
        "idsegment": _segment_id(session, draft.idsegment or 0, site.idsite),
        "evolution_graph": bool(draft.evolution_graph),
        "row_limit": row_limit,
        "email_me": bool(draft.email_me),
        "recipient_logins": json.dumps(_logins(session, draft.recipient_logins or [], site.idsite)),
        "recipient_emails": json.dumps(list(specs.valid_emails(draft.recipient_emails or []))),
        "language": _choice(draft.language or "en", LANGUAGES, "language"),
        "fanout": json.dumps(fanout.to_json(), ensure_ascii=False) if fanout else None,
    }


def _merged(base: Draft, changes: Draft) -> Draft:
    """`changes` over `base`, field by field."""
    values = {}
    for f in fields(Draft):
        change = getattr(changes, f.name)
        values[f.name] = getattr(base, f.name) if change is None else change
    return Draft(**values)


def create_schedule(
    session: Session, principal: Principal, *, idsite: int, draft: Draft, now: datetime
) -> ReportSchedule:
    if not principal.can_view(idsite) or principal.login == "anonymous":
        raise AccessDeniedError(f"Access denied: scheduling reports of site {idsite} needs view.")
    if not draft.reports:
        raise InvalidRequestError("Please specify a value for 'reports'.")
    site = site_of(session, idsite)
    columns = _columns(session, site, _merged(DEFAULTS, draft))
    schedule = ReportSchedule(
        idsite=idsite, login=principal.login, ts_created=now, ts_updated=now, deleted=False
    )
    for name, value in columns.items():
        setattr(schedule, name, value)
    session.add(schedule)
    session.flush()
    return schedule


def draft_of(schedule: ReportSchedule) -> Draft:
    return Draft(
        description=schedule.description,
        period=schedule.period,
        period_param=schedule.period_param,
        hour=schedule.hour,
        format=schedule.format,
        reports=json.loads(schedule.reports),
        idsegment=schedule.idsegment or 0,
        evolution_graph=schedule.evolution_graph,
        row_limit=schedule.row_limit,
        email_me=schedule.email_me,
        recipient_logins=json.loads(schedule.recipient_logins),
        recipient_emails=json.loads(schedule.recipient_emails),
        language=schedule.language,
        fanout=schedule.fanout or "",
    )


def editable(session: Session, principal: Principal, idreport: int) -> ReportSchedule:
    """A schedule the principal may change: its owner's, or any for a superuser or site admin."""
    schedule = repository.get_schedule(session, idreport)
    allowed = (
        principal.superuser
        or schedule.login == principal.login
        or principal.access.get(schedule.idsite) == "admin"
    )
    if not allowed:
        if not principal.can_view(schedule.idsite):
            raise NotFoundError(f"The scheduled report {idreport} does not exist.")
        raise AccessDeniedError("Access denied: only its owner or an admin may change it.")
    return schedule


def update_schedule(
    session: Session, principal: Principal, idreport: int, *, draft: Draft, now: datetime
) -> ReportSchedule:
    schedule = editable(session, principal, idreport)
    if draft.period_param is None and draft.period is not None:
        draft.period_param = "day" if draft.period == "never" else draft.period
    site = site_of(session, schedule.idsite)
    for name, value in _columns(session, site, _merged(draft_of(schedule), draft)).items():
        setattr(schedule, name, value)
    schedule.ts_updated = now
    session.flush()
    return schedule


def delete_schedule(session: Session, principal: Principal, idreport: int) -> None:
    """Deleted schedules stay in the table (marked), with the history of their sendings."""
    editable(session, principal, idreport).deleted = True
    session.flush()


def visible(
    session: Session, principal: Principal, *, idsite: int | None, idreport: int | None
) -> list[ReportSchedule]:
    """A superuser sees every schedule, a site admin those of the site, others their own."""
    found = repository.list_schedules(session, idsite=idsite)
    if idreport is not None:
        found = [s for s in found if s.idreport == idreport]
    return [
        s
        for s in found
        if principal.superuser
        or s.login == principal.login
        or principal.access.get(s.idsite) == "admin"
    ]


def recipients_of(session: Session, schedule: ReportSchedule) -> tuple[str, ...]:
    """Email addresses: the owner's (when `email_me`), the users', the free ones."""
    logins = list(json.loads(schedule.recipient_logins))
    if schedule.email_me:
        logins.insert(0, schedule.login)
    users = list(session.scalars(sa.select(User).where(User.login.in_(logins))))
    emails = {user.login: user.email for user in users if user.email}
    found = [emails[login] for login in logins if login in emails]
    found += json.loads(schedule.recipient_emails)
    return tuple(dict.fromkeys(address for address in found if address))


def spec_of(session: Session, schedule: ReportSchedule, *, site: SiteConfig) -> specs.Spec:
    """What rendering needs of a schedule; `site` is the schedule's (the caller has it)."""
    segment = session.get(Segment, schedule.idsegment) if schedule.idsegment else None
    if schedule.idsegment and (segment is None or segment.deleted):
        # Never fall back to all visits: the recipients were meant to see the segment only.
        raise InvalidRequestError(f"The segment {schedule.idsegment} of this schedule is gone.")
    refs = [report_ids.parse(unique_id) for unique_id in json.loads(schedule.reports)]
    return specs.Spec(
        idsite=schedule.idsite,
        owner=schedule.login,
        reports=tuple(refs),
        idreport=schedule.idreport,
        description=schedule.description,
        segment=segment.definition if segment is not None else "",
        segment_name=segment.name if segment is not None else "",
        period=schedule.period,
        period_param=schedule.period_param,
        hour=schedule.hour,
        format=schedule.format,
        evolution_graph=schedule.evolution_graph,
        row_limit=schedule.row_limit,
        language=schedule.language,
        recipients=recipients_of(session, schedule),
        fanout=specs.parse_fanout(schedule.fanout or "", site),
    )


def describe(schedule: ReportSchedule, last_sent: datetime | None) -> dict[str, Any]:
    """A schedule as ScheduledReports.getReports lists it (Matomo's keys, and ours)."""
    return {
        "idreport": schedule.idreport,
        "idsite": schedule.idsite,
        "login": schedule.login,
        "description": schedule.description,
        "idsegment": schedule.idsegment,
        "period": schedule.period,
        "period_param": schedule.period_param,
        "hour": schedule.hour,
        "type": "email",
        "format": schedule.format,
        "reports": json.loads(schedule.reports),
        "parameters": {
            "displayFormat": 1,
            "emailMe": schedule.email_me,
            "evolutionGraph": schedule.evolution_graph,
            "additionalEmails": json.loads(schedule.recipient_emails),
        },
        "recipients": json.loads(schedule.recipient_logins),
        "row_limit": schedule.row_limit,
        "language": schedule.language,
        "fanout": json.loads(schedule.fanout) if schedule.fanout else None,
        "ts_created": schedule.ts_created.strftime("%Y-%m-%d %H:%M:%S"),
        "ts_last_sent": last_sent.strftime("%Y-%m-%d %H:%M:%S") if last_sent else None,
        "deleted": 0,
    }
