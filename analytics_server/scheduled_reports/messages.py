"""The mail of one rendering, per format: a PDF attached, the HTML report with inline charts,
or CSV/TSV files (the API's own CSV renderer) beside a summary.

`compose` also returns the files themselves, for `reports send --dry-run --out DIR` and
`ScheduledReports.generateReport`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from analytics_server.reports.formats import to_delimited
from analytics_server.scheduled_reports import render_html, render_pdf
from analytics_server.scheduled_reports.content import Document

_LINE_BREAKS = re.compile(r"[\r\n\t\x00-\x1f]+")


@dataclass(frozen=True)
class File:
    name: str
    media_type: str
    content: bytes


@dataclass
class Rendered:
    message: EmailMessage
    files: list[File] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.message.as_bytes())


def _header(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text).strip()[:300]


def subject(document: Document, slice_label: str) -> str:
    parts = [document.title, document.site_name, document.period_label]
    if slice_label:
        parts.append(slice_label)
    return _header(" – ".join(parts))


def _domain(address: str) -> str:
    host = address.rpartition("@")[2]
    return host if re.fullmatch(r"[A-Za-z0-9.-]{1,200}", host) else "analytics.local"


def files_of(document: Document, fmt: str, page: render_html.Html | None = None) -> list[File]:
    """The report itself, as files (`page`: the full HTML body when already rendered)."""
    if fmt == "pdf":
        return [File(f"{document.file_stem}.pdf", "application/pdf", render_pdf.render(document))]
    if fmt in ("csv", "tsv"):
        found = []
        for section in document.sections:
            body = to_delimited(section.rows, tab=fmt == "tsv", unicode=True).body
            media = "text/csv" if fmt == "csv" else "text/tab-separated-values"
            found.append(File(f"{document.file_stem}-{section.unique_id}.{fmt}", media, body))
        return found
    page = page or render_html.render(document, full=True)
    html = page.html
    for cid, png in page.images:  # a file on disk shows its charts without the mail around it
        data = "data:image/png;base64," + base64.b64encode(png).decode()
        html = html.replace(f"cid:{cid}", data)
    return [File(f"{document.file_stem}.html", "text/html", html.encode("utf-8"))]


def compose(
    document: Document,
    fmt: str,
    *,
    sender: str,
    sender_name: str,
    recipients: tuple[str, ...],
    now: datetime,
    slice_label: str = "",
    idreport: int | None = None,
) -> Rendered:
    domain = _domain(sender)
    message = EmailMessage()
    message["Subject"] = subject(document, slice_label)
    message["From"] = formataddr((_header(sender_name), sender))
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(idstring="report", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to reports
    message["X-Auto-Response-Suppress"] = "All"
    if idreport is not None:
        message["X-Report-Schedule"] = str(idreport)
    full = fmt == "html"
    body = render_html.render(document, full=full, domain=domain)
    message.set_content(body.text)
    message.add_alternative(body.html, subtype="html")
    html_part = message.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    for cid, png in body.images:
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", filename=f"{cid[:20]}.png")
    files = files_of(document, fmt, body if full else None)
    if not full:
        for item in files:
            maintype, subtype = item.media_type.split("/")
            # The API's CSV is UTF-16 with a byte-order mark (what spreadsheets open right).
            params = {"charset": "utf-16"} if maintype == "text" else {}
            message.add_attachment(
                item.content, maintype=maintype, subtype=subtype, filename=item.name, params=params
            )
    return Rendered(message, files)
