"""The `ScheduledReports.*` API methods: addReport, updateReport, deleteReport, getReports,
sendReport, generateReport, in Matomo's parameter names (and a few of ours).

    reports[]=VisitsSummary_get&reports[]=Actions_getPageUrls   (or reports=A,B)
    period=day|week|month|never   periodParam=day|week|month|year   hour=0..23 (site time)
    reportFormat=pdf|html|csv|tsv   idSegment=N   evolutionGraph=1   rowLimit=23
    parameters={"emailMe":true,"additionalEmails":["a@b.example"],"evolutionGraph":false}
    recipients[]=login (users with view access)   language=en|ru   fanout={...} (see spec.py)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import sessionmaker

from analytics_server.errors import InvalidRequestError
from analytics_server.reports.formats import Success
from analytics_server.reports.params import Params
from analytics_server.reports.service import Call, deny
from analytics_server.scheduled_reports import repository, service, tasks
from analytics_server.scheduled_reports.service import Draft


def _parameters(params: Params) -> dict[str, Any]:
    """Matomo's `parameters`: JSON, or PHP-style `parameters[emailMe]=1` keys."""
    raw = params.get("parameters").strip()
    if raw:
        try:
            found = json.loads(raw)
        except ValueError:
            raise InvalidRequestError("parameters must be a JSON object.") from None
        if not isinstance(found, dict):
            raise InvalidRequestError("parameters must be a JSON object.")
        return found
    found = {}
    for name in ("displayFormat", "emailMe", "evolutionGraph"):
        key = f"parameters[{name}]"
        if key in params:
            found[name] = params.get(key)
    return found


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    return Params.from_mapping({name: value}).flag(name)


def _emails(params: Params, extra: dict[str, Any]) -> list[str] | None:
    given = extra.get("additionalEmails")
    if isinstance(given, list):
        return [str(address) for address in given]
    if isinstance(given, str):
        return given.split(",")
    if "additionalEmails" in params:
        return params.get_list("additionalEmails")
    return None


def _optional_flag(params: Params, extra: dict[str, Any], name: str) -> bool | None:
    if name in extra:
        return _flag(extra[name], name)
    if name in params:
        return params.flag(name)
    return None


def _draft(params: Params) -> Draft:
    extra = _parameters(params)
    text = {
        k: params.text(k, max_length=20_000) if k in params else None
        for k in (
            "description",
            "period",
            "periodParam",
            "reportFormat",
            "language",
            "fanout",
        )
    }
    return Draft(
        description=text["description"],
        period=text["period"],
        period_param=text["periodParam"],
        hour=params.integer("hour"),
        format=text["reportFormat"],
        reports=params.get_list("reports") if "reports" in params else None,
        idsegment=params.integer("idSegment"),
        evolution_graph=_optional_flag(params, extra, "evolutionGraph"),
        row_limit=params.integer("rowLimit"),
        email_me=_optional_flag(params, extra, "emailMe"),
        recipient_logins=params.get_list("recipients") if "recipients" in params else None,
        recipient_emails=_emails(params, extra),
        language=text["language"],
        fanout=text["fanout"],
    )


def _check_type(params: Params) -> None:
    kind = params.get("reportType", "email").strip().lower() or "email"
    if kind != "email":
        raise InvalidRequestError("reportType must be email (SMS reports are not supported).")


def add_report(call: Call) -> Any:
    _check_type(call.params)
    idsite = call.params.required_int("idSite")
    schedule = service.create_schedule(
        call.session, call.principal, idsite=idsite, draft=_draft(call.params), now=call.now
    )
    call.session.commit()
    return schedule.idreport


def update_report(call: Call) -> Any:
    _check_type(call.params)
    idreport = call.params.required_int("idReport")
    service.update_schedule(
        call.session, call.principal, idreport, draft=_draft(call.params), now=call.now
    )
    call.session.commit()
    return Success()


def delete_report(call: Call) -> Any:
    service.delete_schedule(call.session, call.principal, call.params.required_int("idReport"))
    call.session.commit()
    return Success()


def get_reports(call: Call) -> Any:
    params = call.params
    idsite = params.integer("idSite")
    if idsite is not None and not call.principal.can_view(idsite):
        raise deny(f"site {idsite} needs 'view' access")
    found = service.visible(
        call.session,
        call.principal,
        idsite=params.integer("idSite"),
        idreport=params.integer("idReport"),
    )
    period = params.get("period").strip()
    if period:
        found = [s for s in found if s.period == period]
    idsegment = params.integer("idSegment")
    if idsegment is not None:
        found = [s for s in found if (s.idsegment or 0) == idsegment]
    last = repository.last_sent(call.session, [s.idreport for s in found])
    return [service.describe(s, last.get(s.idreport)) for s in found]


def _day(params: Params) -> date | None:
    text = params.get("date").strip()
    if not text or text in ("yesterday", "today"):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequestError("date must be YYYY-MM-DD.") from None


def send_report(call: Call) -> Any:
    """Render and send now; without force=1 it counts as the period's scheduled sending."""
    idreport = call.params.required_int("idReport")
    service.editable(call.session, call.principal, idreport)
    call.session.commit()  # sending works on sessions of its own
    if not call.settings.email.configured:
        raise InvalidRequestError("Email is not configured: set ANALYTICS_EMAIL__SMTP_HOST.")
    factory = sessionmaker(bind=call.session.get_bind(), expire_on_commit=False)
    results = tasks.send_now(
        factory,
        idreport=idreport,
        settings=call.settings,
        now=call.now,
        day=_day(call.params),
        force=call.params.flag("force"),
    )
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise InvalidRequestError(f"The report could not be sent: {failed[0].error[:300]}")
    sent = sum(r.status == "sent" for r in results)
    return Success(f"sent {sent}, skipped {len(results) - sent} (sent before)")


def generate_report(call: Call) -> Any:
    """Render without sending: each rendering's files, base64-encoded (outputType is ignored;
    the dashboard offers downloads)."""
    idreport = call.params.required_int("idReport")
    service.editable(call.session, call.principal, idreport)
    rendered = tasks.render_now(
        call.session,
        idreport=idreport,
        settings=call.settings,
        now=call.now,
        day=_day(call.params),
    )
    return [
        {
            "label": part.label,
            "filename": item.name,
            "mediaType": item.media_type,
            "size": len(item.content),
            "content": base64.b64encode(item.content).decode(),
        }
        for part, found in rendered
        for item in found.files
    ]


METHODS: dict[str, Callable[[Call], Any]] = {
    "ScheduledReports.addReport": add_report,
    "ScheduledReports.updateReport": update_report,
    "ScheduledReports.deleteReport": delete_report,
    "ScheduledReports.getReports": get_reports,
    "ScheduledReports.sendReport": send_report,
    "ScheduledReports.generateReport": generate_report,
}
