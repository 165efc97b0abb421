"""Processed metrics (rates, averages) computed from a row's raw metrics, and their formatting.

Formulas and precisions are Matomo's (protocol notes §5.4): a rate is stored as a fraction
rounded to its precision and shown as a percentage (`0.3333` is `"33.33%"`) with the default
`format_metrics=bc`; `format_metrics=0` keeps the fraction, `1`/`all` also formats money and
durations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_currency

Number = int | float
PERFORMANCE = ("network", "server", "transfer", "dom_processing", "dom_completion", "on_load")


@dataclass(frozen=True)
class Processed:
    """One processed metric: its name, how to compute it, its precision and kind."""

    name: str
    compute: Callable[[Mapping[str, Any]], Number]
    precision: int
    kind: str = "number"  # number | percent | money | duration | seconds


def ratio(
    numerator: str, denominator: str, precision: int
) -> Callable[[Mapping[str, Any]], Number]:
    def compute(row: Mapping[str, Any]) -> Number:
        den = row.get(denominator) or 0
        if not den:
            return 0
        return _round((row.get(numerator) or 0) / den, precision)

    return compute


def _round(value: float, precision: int) -> Number:
    result = round(value, precision)
    return int(result) if precision == 0 or float(result).is_integer() else result


def _performance(name: str) -> Processed:
    def compute(row: Mapping[str, Any]) -> Number:
        hits = row.get(f"nb_hits_with_time_{name}") or 0
        if not hits:
            return 0
        return _round((row.get(f"sum_time_{name}") or 0) / hits / 1000, 3)

    return Processed(f"avg_time_{name}", compute, 3, "seconds")


def _page_load(row: Mapping[str, Any]) -> Number:
    return _round(sum(float(_performance(name).compute(row)) for name in PERFORMANCE), 3)


PERFORMANCE_METRICS = (
    *(_performance(name) for name in PERFORMANCE),
    Processed("avg_page_load_time", _page_load, 3, "seconds"),
)
VISIT_METRICS = (
    Processed("bounce_rate", ratio("bounce_count", "nb_visits", 2), 2, "percent"),
    Processed("nb_actions_per_visit", ratio("nb_actions", "nb_visits", 1), 1),
    Processed("avg_time_on_site", ratio("sum_visit_length", "nb_visits", 0), 0, "duration"),
)
PAGE_METRICS = (
    Processed("avg_time_on_page", ratio("sum_time_spent", "nb_hits", 0), 0, "duration"),
    Processed("bounce_rate", ratio("entry_bounce_count", "entry_nb_visits", 2), 2, "percent"),
    Processed("exit_rate", ratio("exit_nb_visits", "nb_visits", 2), 2, "percent"),
    *PERFORMANCE_METRICS,
)
SEARCH_KEYWORD_METRICS = (
    Processed("nb_pages_per_search", ratio("nb_hits", "nb_visits", 1), 1),
    Processed("avg_time_on_page", ratio("sum_time_spent", "nb_hits", 0), 0, "duration"),
    Processed("bounce_rate", ratio("entry_bounce_count", "entry_nb_visits", 2), 2, "percent"),
    Processed("exit_rate", ratio("exit_nb_visits", "nb_visits", 2), 2, "percent"),
)
SEARCH_CATEGORY_METRICS = (
    Processed("nb_pages_per_search", ratio("nb_actions", "nb_visits", 1), 1),
)
EVENT_METRICS = (
    Processed("avg_event_value", ratio("sum_event_value", "nb_events_with_value", 2), 2),
)
CONTENT_METRICS = (
    Processed("interaction_rate", ratio("nb_interactions", "nb_impressions", 4), 4, "percent"),
)
PRODUCT_METRICS = (
    Processed("avg_price", ratio("revenue", "quantity", 2), 2, "money"),
    Processed("avg_quantity", ratio("quantity", "orders", 1), 1),
    Processed("conversion_rate", ratio("orders", "nb_visits", 4), 4, "percent"),
)
# Matomo adds page-load averages too; the archive keeps no load times per dimension value.
ACTION_DIMENSION_METRICS = (
    Processed("avg_time_on_dimension", ratio("sum_time_spent", "nb_hits", 0), 0, "duration"),
)
GOAL_METRICS = (
    Processed("conversion_rate", ratio("nb_visits_converted", "nb_visits", 4), 4, "percent"),
)
ORDER_METRICS = (
    *GOAL_METRICS,
    Processed("avg_order_revenue", ratio("revenue", "nb_conversions", 2), 2, "money"),
)


def suffixed(metrics: tuple[Processed, ...], suffix: str) -> tuple[Processed, ...]:
    """The same metrics over `<column><suffix>` columns (VisitFrequency's `_new`/`_returning`)."""

    def shifted(metric: Processed) -> Processed:
        def compute(row: Mapping[str, Any]) -> Number:
            local = {
                key[: -len(suffix)]: value for key, value in row.items() if key.endswith(suffix)
            }
            return metric.compute(local)

        return Processed(metric.name + suffix, compute, metric.precision, metric.kind)

    return tuple(shifted(metric) for metric in metrics)


def add_processed(row: dict[str, Any], metrics: tuple[Processed, ...]) -> None:
    for metric in metrics:
        row[metric.name] = metric.compute(row)


def percent_text(value: Number, precision: int) -> str:
    decimals = max(precision - 2, 0)
    text = f"{round(float(value) * 100, decimals):.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def duration_text(seconds: Number) -> str:
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def format_value(value: Any, metric: Processed, *, mode: str, currency: str) -> Any:
    """A processed value as `format_metrics` asks: bc (percentages only), 1/all, or 0."""
    if mode in ("0", "false") or not isinstance(value, int | float):
        return value
    if metric.kind == "percent":
        return percent_text(value, metric.precision)
    if mode in ("bc", ""):
        return value
    if metric.kind == "money":
        return format_currency(value, currency, locale="en_US")
    if metric.kind == "duration":
        return duration_text(value)
    if metric.kind == "seconds":
        return f"{value}s"
    return value
