"""A scheduled report as an HTML mail body (Jinja, autoescaped) with inline PNG charts, plus
its plain-text alternative.

Images are referenced as `cid:` parts of the same message: no remote URL, nothing for a mail
client to fetch. Every string comes through Jinja's autoescape, visitor-sent labels included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import make_msgid

from jinja2 import Environment, select_autoescape

from analytics_server.scheduled_reports import charts_png, i18n
from analytics_server.scheduled_reports.content import Document, Section

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ doc.title }}</title></head>
<body style="margin:0;padding:0;background:#f4f6f9;font-family:'DejaVu Sans',Arial,sans-serif;
color:#1d2b3a">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="640" cellpadding="0" cellspacing="0"
 style="background:#ffffff;margin:16px 0;border:1px solid #dde3ea">
<tr><td style="padding:20px 24px;background:#2f6db5;color:#ffffff">
<div style="font-size:20px;font-weight:bold">{{ doc.title }}</div>
<div style="font-size:13px;margin-top:6px">{{ t.site }}: <b>{{ doc.site_name }}</b></div>
<div style="font-size:13px">{{ t.period }}: <b>{{ doc.period_label }}</b></div>
<div style="font-size:13px">{{ t.segment }}: <b>{{ doc.segment_label }}</b></div>
<div style="font-size:11px;margin-top:6px;opacity:.85">{{ t.generated }}: {{ doc.generated }}</div>
</td></tr>
<tr><td style="padding:16px 24px">
<h2 style="font-size:16px;margin:0 0 8px 0">{{ t.key_metrics }}</h2>
<table role="presentation" width="100%" cellpadding="6" cellspacing="0"><tr>
{% for metric in doc.key_metrics %}
<td valign="top" width="33%" style="background:#eef3f9;border:2px solid #ffffff">
<div style="font-size:11px;color:#6b7785">{{ metric.title }}</div>
<div style="font-size:18px;font-weight:bold">{{ metric.value }}</div>
{% if sparks[loop.index0] %}<img src="cid:{{ sparks[loop.index0] }}" width="140" height="28"
 alt="">{% endif %}
</td>{% if loop.index % 3 == 0 and not loop.last %}</tr><tr>{% endif %}
{% endfor %}
</tr></table>
{% if evolution %}<h3 style="font-size:14px;margin:14px 0 6px 0">{{ t.evolution }}</h3>
<img src="cid:{{ evolution }}" width="560" height="150" alt="">{% endif %}
</td></tr>
{% if full %}{% for section in doc.sections %}
<tr><td style="padding:8px 24px 16px 24px">
<h2 style="font-size:15px;margin:8px 0">{{ section.title }}</h2>
{% if not section.cells %}<p style="color:#6b7785;font-size:12px">{{ t.no_data }}</p>
{% else %}{% if charts[loop.index0] %}<img src="cid:{{ charts[loop.index0] }}" width="560"
 alt="" style="display:block;margin:0 0 8px 0">{% endif %}
<table width="100%" cellpadding="4" cellspacing="0" style="border-collapse:collapse;font-size:11px">
<tr>{% for header in section.headers %}<th align="{{ 'left' if loop.first else 'right' }}"
 style="background:#2f6db5;color:#ffffff">{{ header }}</th>{% endfor %}</tr>
{% for row in section.cells %}<tr style="background:{{ '#eef3f9' if loop.index % 2 == 0
 else '#ffffff' }}">{% for cell in row %}<td align="{{ 'left' if loop.first else 'right' }}"
 style="border-bottom:1px solid #dde3ea;word-break:break-all">{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>{% endif %}
</td></tr>
{% endfor %}{% else %}
<tr><td style="padding:0 24px 20px 24px;font-size:13px">
<p>{{ t.attached }}</p><p style="margin-bottom:0">{{ t.contents }}:</p><ul style="margin-top:4px">
{% for section in doc.sections %}<li>{{ section.title }}</li>{% endfor %}</ul>
</td></tr>{% endif %}
</table></td></tr></table></body></html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_TEMPLATE = _ENV.from_string(TEMPLATE)
TEXT_KEYS = (
    "site",
    "period",
    "segment",
    "generated",
    "key_metrics",
    "evolution",
    "no_data",
    "attached",
    "contents",
)


@dataclass
class Html:
    html: str
    text: str
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (Content-ID, PNG)


def _cid(images: list[tuple[str, bytes]], png: bytes, domain: str) -> str:
    cid = make_msgid(idstring=f"chart{len(images)}", domain=domain)[1:-1]
    images.append((cid, png))
    return cid


def _section_chart(section: Section, language: str) -> bytes | None:
    if section.chart is None:
        return None
    if section.chart.kind == "columns":
        return charts_png.columns(section.chart)
    return charts_png.bars(section.chart, language)


def render(document: Document, *, full: bool, domain: str = "analytics.local") -> Html:
    """The mail body: everything (`full`, the HTML format) or the summary beside attachments."""
    lang = document.language
    images: list[tuple[str, bytes]] = []
    sparks = [
        _cid(images, charts_png.sparkline(m.series), domain) if len(m.series) >= 2 else ""
        for m in document.key_metrics
    ]
    evolution = ""
    if document.evolution:
        lines = charts_png.evolution(document.evolution, document.evolution_labels)
        evolution = _cid(images, lines, domain)
    charts: list[str] = []
    for section in document.sections if full else []:
        png = _section_chart(section, lang) if section.cells else None
        charts.append(_cid(images, png, domain) if png else "")
    html = _TEMPLATE.render(
        doc=document,
        lang=lang,
        t={key: i18n.text(lang, key) for key in TEXT_KEYS},
        sparks=sparks,
        evolution=evolution,
        charts=charts,
        full=full,
    )
    return Html(html, text(document, full=full), images)


def text(document: Document, *, full: bool) -> str:
    """The plain-text alternative: the cover, key metrics and (full) every table."""
    lang = document.language
    lines = [
        document.title,
        f"{i18n.text(lang, 'site')}: {document.site_name}",
        f"{i18n.text(lang, 'period')}: {document.period_label}",
        f"{i18n.text(lang, 'segment')}: {document.segment_label}",
        f"{i18n.text(lang, 'generated')}: {document.generated}",
        "",
        i18n.text(lang, "key_metrics"),
    ]
    lines += [f"  {m.title}: {m.value}" for m in document.key_metrics]
    if not full:
        lines += ["", i18n.text(lang, "attached")]
        lines += [f"  - {section.title}" for section in document.sections]
        return "\n".join(lines) + "\n"
    for section in document.sections:
        lines += ["", section.title, "  " + " | ".join(section.headers)]
        lines += ["  " + " | ".join(row) for row in section.cells]
        if not section.cells:
            lines.append("  " + i18n.text(lang, "no_data"))
    return "\n".join(lines) + "\n"
