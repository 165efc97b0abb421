"""The world map of visits by country: vendored country outlines shaded by the period's visits.

Shapes come from `data/world.json` (built once by `data/build_map.py` from Natural Earth via
world-atlas, see `data/LICENSE-world-atlas.txt`), so nothing is fetched at run time. Countries
fall into a few shades on a logarithmic scale, because visits per country are very skewed.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from analytics_server.dashboard import i18n, views
from analytics_server.dashboard.menu import Widget
from analytics_server.reports.labels import country_name

WORLD = Path(__file__).resolve().parent / "data" / "world.json"
SHADES = 5
ONE, MANY = "%(country)s: 1 visit", "%(country)s: %(visits)s visits"
MESSAGES = (ONE, MANY)


@lru_cache(maxsize=1)
def world() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(WORLD.read_text(encoding="utf-8"))
    return found


def bounds(peak: int, shades: int = SHADES) -> list[int]:
    """Lower bounds of each shade: 1 and then powers of the peak, never repeated."""
    if peak <= 0:
        return []
    found: list[int] = []
    for step in range(shades):
        low = max(1, math.ceil(peak ** (step / shades))) if step else 1
        if not found or low > found[-1]:
            found.append(low)
    return found


def shade(visits: int, lows: list[int]) -> int:
    """1..len(lows) for a country with visits, 0 without."""
    return sum(1 for low in lows if visits >= low) if visits > 0 else 0


def legend(lows: list[int], peak: int, language: str) -> list[dict[str, Any]]:
    items = []
    for index, low in enumerate(lows):
        high = lows[index + 1] - 1 if index + 1 < len(lows) else peak
        text = i18n.number(low, language)
        if high > low:
            text = f"{text}–{i18n.number(high, language)}"
        items.append({"shade": index + 1, "text": text})
    return items


def _visits_by_country(view: views.View, widget: Widget) -> dict[str, dict[str, Any]]:
    found = view.call(widget.method, **{**dict(widget.params), "filter_limit": "-1"})
    rows = found if isinstance(found, list) else []
    by_code: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = str(row.get("code") or "").lower()
        if code:
            by_code[code] = row
    return by_code


def country_map(view: views.View, widget: Widget) -> dict[str, Any]:
    """Every country's outline with its visits, shade and hover title; a legend; the visits
    of places the map cannot show (unknown country)."""
    gettext = i18n.gettext_for(view.language)
    shapes = world()
    rows = _visits_by_country(view, widget)
    visits = {code: int(row.get("nb_visits") or 0) for code, row in rows.items()}
    peak = max((n for code, n in visits.items() if code in shapes["countries"]), default=0)
    lows = bounds(peak)
    countries = []
    for code, path in shapes["countries"].items():
        count = visits.get(code, 0)
        name = str(rows[code].get("label")) if code in rows else country_name(code, view.language)
        title = gettext(ONE if count == 1 else MANY) % {
            "country": name,
            "visits": i18n.number(count, view.language),
        }
        segment = rows[code].get("segment") if code in rows else None
        countries.append(
            {
                "code": code,
                "path": path,
                "visits": count,
                "shade": shade(count, lows),
                "title": title,
                "href": view.link(segment=str(segment)) if segment and count else None,
            }
        )
    elsewhere = sum(n for code, n in visits.items() if code not in shapes["countries"])
    return {
        "width": shapes["width"],
        "height": shapes["height"],
        "countries": countries,
        "legend": legend(lows, peak, view.language),
        "elsewhere": i18n.number(elsewhere, view.language) if elsewhere else "",
        "total": i18n.number(sum(visits.values()), view.language),
    }
