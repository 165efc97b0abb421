"""The email reports page: a site's schedules, a form to add one, and per schedule the buttons
to send it now, download it as it would be sent, or delete it.

Everything goes through the `ScheduledReports.*` methods of the Reporting API (the same
permissions and checks as for API clients).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from analytics_server.auth.sessions import ActiveSession
from analytics_server.dashboard import i18n, pages
from analytics_server.errors import InvalidRequestError
from analytics_server.reports.formats import Success
from analytics_server.reports.metadata import report_list

PERIODS = ("day", "week", "month", "never")
FORMATS = ("pdf", "html", "csv", "tsv")


def choices(view: Any) -> list[dict[str, str]]:
    """The reports a schedule may hold, grouped by category, with their unique ids."""
    return [
        {"id": r["uniqueId"], "name": r["name"], "category": r["category"]}
        for r in report_list(view.site)
        if not r.get("isSubtableReport")
    ]


def _add(view: Any, form: dict[str, str], reports: list[str]) -> Any:
    emails = [e.strip() for e in form.get("emails", "").replace(";", ",").split(",") if e.strip()]
    parameters = {
        "emailMe": form.get("email_me") == "1",
        "evolutionGraph": form.get("evolution") == "1",
        "additionalEmails": emails,
    }
    return view.call(
        "ScheduledReports.addReport",
        description=form.get("description", ""),
        period=form.get("period", "week"),
        hour=form.get("hour", "8"),
        reportFormat=form.get("format", "pdf"),
        reports=",".join(reports),
        idSegment=form.get("segment", "0") or "0",
        rowLimit=form.get("row_limit", "23"),
        language=form.get("language", view.language),
        parameters=json.dumps(parameters),
    )


def page(
    request: Request, db: Session, active: ActiveSession, language: str, form: dict[str, str]
) -> tuple[str, Any]:
    view = pages.page_view(request, db, active, language)
    gettext = i18n.gettext_for(language)
    notice = ""
    if request.method == "POST":
        action, idreport = form.get("action", ""), form.get("idreport", "")
        if action == "add":
            reports = [v for k, v in sorted(form.items()) if k.startswith("report.")]
            _add(view, form, reports)
            notice = gettext("The schedule was added.")
        elif action == "delete":
            view.call("ScheduledReports.deleteReport", idReport=idreport)
            notice = gettext("The schedule was deleted.")
        elif action == "send":
            done = view.call("ScheduledReports.sendReport", idReport=idreport, force="1")
            notice = done.message if isinstance(done, Success) else gettext("Sent.")
        return "redirect", f"{request.url.path}?{view.link(notice=notice)[1:]}"
    context = pages.chrome(db, active, view, "email-reports")
    context.update(
        title=gettext("Email reports"),
        schedules=view.call("ScheduledReports.getReports", period=""),  # every send period
        choices=choices(view),
        periods=PERIODS,
        formats=FORMATS,
        notice=view.query.get("notice", ""),
        view=view,
    )
    return "dashboard/email_reports.html", context


def download(
    request: Request, db: Session, active: ActiveSession, language: str, _form: dict[str, str]
) -> Response:
    """The first file a schedule renders now (the PDF, the HTML mail or the first CSV)."""
    view = pages.page_view(request, db, active, language)
    files = view.call(
        "ScheduledReports.generateReport", idReport=str(request.path_params["idreport"])
    )
    if not files:
        raise InvalidRequestError("This schedule renders nothing.")
    first = files[0]
    name = "".join(c for c in str(first["filename"]) if c.isalnum() or c in "._-") or "report"
    return Response(
        base64.b64decode(first["content"]),
        media_type=str(first["mediaType"]),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
