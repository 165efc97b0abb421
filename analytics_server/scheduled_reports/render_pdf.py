"""A scheduled report as PDF (reportlab): cover, key metrics with sparklines, tables, charts.

Text is set in the vendored DejaVu Sans, embedded as a subset, so Cyrillic shows on any reader
and nothing is fetched. Every string that reaches a Paragraph is escaped (`&`, `<`, `>`), so a
page title a visitor sent cannot become markup; chart and footer strings are drawn as plain
text.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from analytics_server.scheduled_reports import fonts, i18n
from analytics_server.scheduled_reports.content import Chart, Document, KeyMetric, Section

FONT = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
INK = colors.HexColor("#1d2b3a")
ACCENT = colors.HexColor("#2f6db5")
MUTED = colors.HexColor("#6b7785")
LIGHT = colors.HexColor("#eef3f9")
LINE = colors.HexColor("#c9d3de")
WIDTH = A4[0] - 36 * mm  # the text block
MAX_LABEL = 300


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(fonts.REGULAR)))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts.BOLD)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _style(name: str, size: float, *, bold: bool = False, **more: Any) -> ParagraphStyle:
    values: dict[str, Any] = {"textColor": INK, **more}
    return ParagraphStyle(
        name, fontName=BOLD if bold else FONT, fontSize=size, leading=size * 1.25, **values
    )


STYLES = {
    "cover": _style("cover", 26, bold=True, spaceAfter=10 * mm),
    "cover_line": _style("cover_line", 13, spaceAfter=3 * mm),
    "h1": _style("h1", 15, bold=True, spaceBefore=4 * mm, spaceAfter=3 * mm),
    "h2": _style("h2", 12, bold=True, spaceBefore=5 * mm, spaceAfter=2 * mm),
    "small": _style("small", 7.5, textColor=MUTED),
    "big": _style("big", 15, bold=True),
    "cell": _style("cell", 7.5, wordWrap="CJK"),
    "head": _style("head", 6.5, bold=True, textColor=colors.white),
    "head_num": _style("head_num", 6.5, bold=True, textColor=colors.white, alignment=TA_RIGHT),
    "note": _style("note", 9, textColor=MUTED),
}


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(text[:MAX_LABEL]), STYLES[style])


def _cover(document: Document) -> list[Flowable]:
    lang = document.language
    lines = [
        (i18n.text(lang, "site"), document.site_name),
        (i18n.text(lang, "period"), document.period_label),
        (i18n.text(lang, "segment"), document.segment_label),
        (i18n.text(lang, "generated"), document.generated),
    ]
    story: list[Flowable] = [Spacer(1, 50 * mm), _p(document.title, "cover")]
    for name, value in lines:
        story.append(Paragraph(f"{escape(name)}: <b>{escape(value)}</b>", STYLES["cover_line"]))
    return story


def _bar(x: float, y: float, width: float, height: float, color: colors.Color) -> Rect:
    rect = Rect(x, y, width, height)
    rect.fillColor = color
    rect.strokeColor = None
    return rect


def sparkline(series: list[float], width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    if len(series) < 2:
        return drawing
    top, low = max(series), min(series)
    span = (top - low) or 1.0
    step = width / (len(series) - 1)
    points: list[float] = []
    for index, value in enumerate(series):
        points += [index * step, 2 + (value - low) / span * (height - 4)]
    drawing.add(PolyLine(points, strokeColor=ACCENT, strokeWidth=1))
    drawing.add(Circle(points[-2], points[-1], 1.6, fillColor=ACCENT, strokeColor=ACCENT))
    return drawing


def _metric_cell(metric: KeyMetric) -> list[Flowable]:
    return [
        _p(metric.title, "small"),
        _p(metric.value, "big"),
        Spacer(1, 1 * mm),
        sparkline(metric.series, 48 * mm, 10 * mm),
    ]


def _summary(document: Document) -> list[Flowable]:
    story: list[Flowable] = [_p(i18n.text(document.language, "key_metrics"), "h1")]
    cells = [_metric_cell(metric) for metric in document.key_metrics]
    grid = [cells[i : i + 3] + [""] * (3 - len(cells[i : i + 3])) for i in range(0, len(cells), 3)]
    if grid:
        table = Table(grid, colWidths=[WIDTH / 3] * 3)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                    ("LINEBELOW", (0, 0), (-1, -2), 0.5, colors.white),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        story.append(table)
    if document.evolution:
        story += [_p(i18n.text(document.language, "evolution"), "h2"), _evolution(document)]
    return story


def _evolution(document: Document) -> Drawing:
    width, height = WIDTH, 45 * mm
    drawing = Drawing(width, height)
    top = max((max(s) for s in document.evolution.values() if s), default=0.0) or 1.0
    palette = (ACCENT, colors.HexColor("#d9822b"))
    plot_h = height - 24  # under the legend
    for index, (title, series) in enumerate(document.evolution.items()):
        color = palette[index % 2]
        if len(series) >= 2:
            step = width / (len(series) - 1)
            points: list[float] = []
            for i, value in enumerate(series):
                points += [i * step, 12 + value / top * (plot_h - 4)]
            drawing.add(PolyLine(points, strokeColor=color, strokeWidth=1.4))
        drawing.add(_bar(index * 60 * mm, height - 6, 8, 4, color))
        drawing.add(String(index * 60 * mm + 11, height - 6, title, fontName=FONT, fontSize=7))
    drawing.add(Line(0, 12, width, 12, strokeColor=LINE))
    labels = document.evolution_labels
    if labels:
        drawing.add(String(0, 2, labels[0], fontName=FONT, fontSize=6.5, fillColor=MUTED))
        drawing.add(
            String(
                width, 2, labels[-1], fontName=FONT, fontSize=6.5, fillColor=MUTED, textAnchor="end"
            )
        )
    return drawing


def _columns(found: Chart) -> Drawing:
    top = max(found.values, default=0.0) or 1.0
    height = 38 * mm
    drawing = Drawing(WIDTH, height)
    slot = WIDTH / len(found.values)
    for index, (label, value) in enumerate(zip(found.labels, found.values, strict=True)):
        bar = value / top * (height - 14)
        drawing.add(_bar(index * slot + 1, 10, slot - 2, bar, ACCENT))
        x = index * slot + slot / 2
        drawing.add(
            String(
                x, 2, label[:6], fontName=FONT, fontSize=5.5, textAnchor="middle", fillColor=MUTED
            )
        )
    return drawing


def chart(found: Chart, language: str) -> Drawing:
    """Horizontal bars (top rows) or columns (hours, buckets) of the section's main metric."""
    if found.kind == "columns":
        return _columns(found)
    top = max(found.values, default=0.0) or 1.0
    row_h = 11.0
    drawing = Drawing(WIDTH, row_h * len(found.values) + 2)
    label_w, value_w = 62 * mm, 18 * mm
    for index, (label, value) in enumerate(zip(found.labels, found.values, strict=True)):
        y = drawing.height - (index + 1) * row_h
        text = label if len(label) <= 48 else label[:47] + "…"
        drawing.add(String(0, y + 3, text, fontName=FONT, fontSize=7, fillColor=INK))
        bar = max(value / top * (WIDTH - label_w - value_w), 0.5)
        drawing.add(_bar(label_w, y + 1.5, bar, row_h - 3, ACCENT))
        drawing.add(
            String(
                label_w + bar + 3,
                y + 3,
                i18n.number(value, language),
                fontName=FONT,
                fontSize=7,
                fillColor=MUTED,
            )
        )
    return drawing


def table(found: Section) -> Table:
    metrics = len(found.headers) - 1
    metric_w = 21 * mm if found.rows and metrics > 1 else 40 * mm
    widths = [WIDTH - metrics * metric_w, *([metric_w] * metrics)]
    data: list[list[Any]] = [
        [_p(found.headers[0], "head"), *(_p(h, "head_num") for h in found.headers[1:])]
    ]
    data += [[_p(row[0], "cell"), *row[1:]] for row in found.cells]
    result = Table(data, colWidths=widths, repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("FONTNAME", (0, 1), (-1, -1), FONT),
                ("FONTSIZE", (0, 1), (-1, -1), 7.5),
                ("TEXTCOLOR", (0, 1), (-1, -1), INK),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, LIGHT]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return result


def _section(found: Section, language: str) -> list[Flowable]:
    heading = _p(found.title, "h2")
    if not found.cells:
        return [KeepTogether([heading, _p(i18n.text(language, "no_data"), "note")])]
    story: list[Flowable] = [heading]
    if found.chart is not None:
        story = [KeepTogether([heading, chart(found.chart, language), Spacer(1, 3 * mm)])]
    return [*story, table(found)]


def _footer(document: Document) -> Any:
    page_word = i18n.text(document.language, "page")
    left = f"{document.site_name} · {document.period_label}"

    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, left[:120])
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"{page_word} {doc.page}")
        canvas.restoreState()

    return draw


def render(document: Document) -> bytes:
    """The PDF bytes of a document."""
    _register_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{document.title} – {document.site_name} – {document.period_label}",
        author="analytics-server",
        subject=document.segment_label,
        creator="analytics-server scheduled reports",
    )
    story = [*_cover(document), PageBreak(), *_summary(document)]
    for found in document.sections:
        story += _section(found, document.language)
    template.build(story, onFirstPage=lambda *_: None, onLaterPages=_footer(document))
    return buffer.getvalue()
