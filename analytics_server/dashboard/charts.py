"""Graphs as inline SVG, drawn on the server: an evolution line chart and sparklines.

No chart library and nothing to download: the page works offline and without JavaScript.
Labels are escaped; each point carries a <title> so hovering (or a screen reader) tells the
value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

Point = tuple[str, float]
COLORS = ("#1f6fb2", "#d9534f", "#3c8d40", "#8e44ad")


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]
    shown: Sequence[str] = ()  # the values as text, for the tooltips


def _scale(values: Sequence[float]) -> float:
    top = max(values, default=0.0)
    if top <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def line_chart(series: Sequence[Series], *, width: int = 900, height: int = 220, title: str) -> str:
    """One line per series over the same x labels, y from 0 to a round maximum."""
    left, right, top, bottom = 48, 12, 12, 28
    labels = [label for label, _ in series[0].points] if series else []
    count = max(len(labels), 1)
    peak = _scale([v for s in series for _, v in s.points])
    inner_w, inner_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (inner_w * i / (count - 1) if count > 1 else inner_w / 2)

    def y(v: float) -> float:
        return top + inner_h - inner_h * (v / peak)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        value = peak * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'class="grid"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" class="axis" text-anchor="end">'
            f"{value:g}</text>"
        )
    every = max(1, count // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 8}" class="axis" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    for n, one in enumerate(series):
        color = COLORS[n % len(COLORS)]
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(one.points))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for i, (label, value) in enumerate(one.points):
            shown = one.shown[i] if i < len(one.shown) else f"{value:g}"
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="{color}">'
                f"<title>{escape(label)}: {escape(one.name)} {escape(shown)}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[float], *, width: int = 100, height: int = 24, title: str) -> str:
    peak = max(values, default=0.0) or 1.0
    count = max(len(values) - 1, 1)
    points = " ".join(
        f"{width * i / count:.1f},{height - 2 - (height - 4) * v / peak:.1f}"
        for i, v in enumerate(values)
    )
    return (
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><polyline fill="none" stroke="{COLORS[0]}" '
        f'stroke-width="1.5" points="{points}"/></svg>'
    )
