"""PNG charts for HTML mail (Pillow): sparklines, bars, columns and the evolution lines.

Mail clients show inline PNGs (CID parts) where they would not run scripts or load SVG, so the
HTML mail carries these; drawn at twice their display size for sharp screens.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from analytics_server.scheduled_reports import fonts, i18n
from analytics_server.scheduled_reports.content import Chart

SCALE = 2
ACCENT = (47, 109, 181)
SECOND = (217, 130, 43)
INK = (29, 43, 58)
MUTED = (107, 119, 133)
LINE = (201, 211, 222)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.REGULAR), size * SCALE)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _points(series: list[float], width: int, height: int, pad: int) -> list[tuple[float, float]]:
    top, low = max(series), min(series)
    span = (top - low) or 1.0
    step = (width - 2 * pad) / max(len(series) - 1, 1)
    return [
        (pad + i * step, height - pad - (v - low) / span * (height - 2 * pad))
        for i, v in enumerate(series)
    ]


def sparkline(series: list[float], width: int = 140, height: int = 28) -> bytes:
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    if len(series) >= 2:
        draw = ImageDraw.Draw(image)
        points = _points(series, width * SCALE, height * SCALE, 3 * SCALE)
        draw.line(points, fill=ACCENT, width=2 * SCALE)
        x, y = points[-1]
        r = 3 * SCALE
        draw.ellipse((x - r, y - r, x + r, y + r), fill=ACCENT)
    return _png(image)


def bars(chart: Chart, language: str, width: int = 560) -> bytes:
    """Top rows as horizontal bars with their labels and values."""
    row = 18 * SCALE
    label_w, value_w = 220 * SCALE, 60 * SCALE
    image = Image.new("RGB", (width * SCALE, row * len(chart.values) + 4), "white")
    draw = ImageDraw.Draw(image)
    top = max(chart.values, default=0.0) or 1.0
    room = width * SCALE - label_w - value_w
    for index, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        y = index * row + 2
        text = label if len(label) <= 38 else label[:37] + "…"
        draw.text((0, y + 2 * SCALE), text, fill=INK, font=_font(10))
        end = label_w + max(value / top * room, 1)
        draw.rectangle((label_w, y + 3 * SCALE, end, y + row - 3 * SCALE), fill=ACCENT)
        draw.text(
            (end + 4 * SCALE, y + 2 * SCALE),
            i18n.number(value, language),
            fill=MUTED,
            font=_font(10),
        )
    return _png(image)


def columns(chart: Chart, width: int = 560, height: int = 120) -> bytes:
    """Rows in their natural order (hours, buckets) as vertical columns."""
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    top = max(chart.values, default=0.0) or 1.0
    slot = width * SCALE / len(chart.values)
    base = (height - 16) * SCALE
    for index, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        x = index * slot
        bar = value / top * (base - 4 * SCALE)
        draw.rectangle((x + SCALE, base - bar, x + slot - SCALE, base), fill=ACCENT)
        draw.text(
            (x + slot / 2, base + 2 * SCALE), label[:6], fill=MUTED, font=_font(8), anchor="ma"
        )
    return _png(image)


def evolution(
    series: dict[str, list[float]], labels: list[str], width: int = 560, height: int = 150
) -> bytes:
    """Lines of the key metrics over the last periods, one scale, with a legend."""
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    top = max((max(s) for s in series.values() if s), default=0.0) or 1.0
    plot_top, plot_bottom = 22 * SCALE, (height - 18) * SCALE
    for index, (title, values) in enumerate(series.items()):
        color = (ACCENT, SECOND)[index % 2]
        if len(values) >= 2:
            step = width * SCALE / (len(values) - 1)
            points = [
                (i * step, plot_bottom - v / top * (plot_bottom - plot_top))
                for i, v in enumerate(values)
            ]
            draw.line(points, fill=color, width=2 * SCALE)
        x = index * 200 * SCALE
        draw.rectangle((x, 4 * SCALE, x + 12 * SCALE, 12 * SCALE), fill=color)
        draw.text((x + 16 * SCALE, 2 * SCALE), title, fill=INK, font=_font(10))
    draw.line((0, plot_bottom, width * SCALE, plot_bottom), fill=LINE, width=SCALE)
    if labels:
        draw.text((0, plot_bottom + 3 * SCALE), labels[0], fill=MUTED, font=_font(9))
        draw.text(
            (width * SCALE, plot_bottom + 3 * SCALE),
            labels[-1],
            fill=MUTED,
            font=_font(9),
            anchor="ra",
        )
    return _png(image)
