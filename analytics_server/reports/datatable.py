"""A report table as the API shows it, and the generic filters Matomo clients send.

An archived `Table` becomes an `ApiTable`: each row keeps its raw metrics plus the processed
ones, its metadata (url, segment, code...) and a subtable id. Subtable ids are numbered depth
first in stored order, so `idSubtable=N` names the same subtable in every call on the archive.
Filters run in Matomo's order: flatten, pattern, low population, sort, offset/limit, labels,
columns; metric formatting comes last, when rows are turned into plain dicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from analytics_server.archiving.records import OTHERS, Table
from analytics_server.errors import InvalidRequestError
from analytics_server.reports.processed import Processed, format_value

MAX_PATTERN = 500


@dataclass
class ApiRow:
    label: str
    columns: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    sub: ApiTable | None = None
    idsub: int | None = None


@dataclass
class ApiTable:
    rows: list[ApiRow] = field(default_factory=list)

    def walk(self) -> Iterator[ApiRow]:
        for row in self.rows:
            yield row
            if row.sub is not None:
                yield from row.sub.walk()


def from_record(table: Table | None) -> ApiTable:
    """An archived table as API rows, subtables numbered depth first from 1."""
    counter = [0]

    def convert(source: Table) -> ApiTable:
        rows = []
        for label, row in source.rows.items():
            api = ApiRow(label, dict(row.metrics), dict(row.meta or {}))
            if row.sub is not None and row.sub.rows:
                counter[0] += 1
                api.idsub = counter[0]
                api.sub = convert(row.sub)
            rows.append(api)
        return ApiTable(rows)

    return convert(table) if table is not None else ApiTable()


def subtable(table: ApiTable, idsub: int) -> ApiTable:
    for row in table.walk():
        if row.idsub == idsub:
            return row.sub or ApiTable()
    raise InvalidRequestError(f"There is no subtable with id {idsub} in this report.")


def flatten(table: ApiTable, separator: str) -> ApiTable:
    """One row per leaf, labels of its parents joined by `separator` (Matomo's flat=1)."""
    flat = ApiTable()

    def walk(node: ApiTable, prefix: str) -> None:
        for row in node.rows:
            label = f"{prefix}{separator}{row.label}" if prefix else row.label
            if separator == "/":
                label = label.replace("//", "/")
            if row.sub is None:
                flat.rows.append(ApiRow(label, row.columns, row.meta))
            else:
                walk(row.sub, label)

    walk(table, "")
    return flat


def _compile(pattern: str) -> re.Pattern[str]:
    if len(pattern) > MAX_PATTERN:
        raise InvalidRequestError(f"filter_pattern is longer than {MAX_PATTERN} characters.")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InvalidRequestError(
            f"filter_pattern is not a valid regular expression: {exc}"
        ) from None


def _value(row: ApiRow, column: str) -> Any:
    if column == "label":
        return row.label
    if column in row.columns:
        return row.columns[column]
    return row.meta.get(column)


def keep_matching(table: ApiTable, column: str, pattern: str, *, recursive: bool) -> ApiTable:
    """Rows whose `column` matches `pattern`; recursive keeps parents of matching children."""
    regex = _compile(pattern)

    def matches(row: ApiRow) -> bool:
        return regex.search(str(_value(row, column) or "")) is not None

    def walk(node: ApiTable) -> ApiTable:
        kept = []
        for row in node.rows:
            if recursive and row.sub is not None:
                sub = walk(row.sub)
                if sub.rows or matches(row):
                    row.sub = sub if sub.rows else row.sub
                    kept.append(row)
            elif matches(row):
                kept.append(row)
        return ApiTable(kept)

    if recursive:
        return walk(table)
    return ApiTable([row for row in table.rows if matches(row)])


def exclude_low_population(table: ApiTable, column: str, minimum: float) -> ApiTable:
    return ApiTable([r for r in table.rows if _number(_value(r, column)) >= minimum])


def _number(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).rstrip("%"))
    except ValueError:
        return 0.0


def sort(table: ApiTable, column: str, *, descending: bool) -> None:
    """Sort in place, numerically when the column holds numbers, "Others" always last."""
    numeric = any(isinstance(_value(r, column), int | float) for r in table.rows)

    def key(row: ApiRow) -> tuple[int, Any, str]:
        value = _value(row, column)
        others = 1 if row.label == OTHERS else 0
        if numeric:
            number = _number(value)
            return (others, -number if descending else number, row.label)
        text = str(value or "").lower()
        return (others, text, row.label)

    if numeric:
        table.rows.sort(key=key)
    else:
        table.rows.sort(key=key, reverse=descending)
        table.rows.sort(key=lambda row: row.label == OTHERS)


def truncate(table: ApiTable, limit: int, summed: Callable[[list[ApiRow]], ApiRow]) -> None:
    """Keep `limit` rows and sum the rest into an "Others" row (filter_truncate)."""
    if len(table.rows) <= limit:
        return
    rest = table.rows[limit:]
    table.rows = [*table.rows[:limit], summed(rest)]


def sum_rows(rows: list[ApiRow], label: str = OTHERS) -> ApiRow:
    columns: dict[str, Any] = {}
    for row in rows:
        for name, value in row.columns.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                if name.startswith("max_"):
                    columns[name] = max(columns.get(name, value), value)
                elif name.startswith("min_"):
                    columns[name] = min(columns.get(name, value), value)
                else:
                    columns[name] = columns.get(name, 0) + value
    return ApiRow(label, columns)


def find_labels(table: ApiTable, labels: list[str]) -> ApiTable:
    """Rows with one of `labels`; `a>b` walks into a's subtable (Matomo's label filter)."""
    found = ApiTable()
    for wanted in labels:
        path = [part.strip() for part in wanted.split(">")] if ">" in wanted else [wanted]
        node: ApiTable | None = table
        row: ApiRow | None = None
        for part in path:
            row = next((r for r in node.rows if r.label == part), None) if node else None
            if row is None:
                break
            node = row.sub
        if row is not None:
            found.rows.append(row)
    return found


def to_plain(
    table: ApiTable,
    *,
    processed: tuple[Processed, ...],
    mode: str,
    currency: str,
    expanded: bool,
    show: list[str],
    hide: list[str],
) -> list[dict[str, Any]]:
    """Rows as dicts: label, metrics (processed ones formatted), metadata, subtable id or rows."""
    by_name = {metric.name: metric for metric in processed}

    def plain(row: ApiRow) -> dict[str, Any]:
        out: dict[str, Any] = {"label": "Others" if row.label == OTHERS else row.label}
        for name, value in row.columns.items():
            metric = by_name.get(name)
            out[name] = (
                format_value(value, metric, mode=mode, currency=currency) if metric else value
            )
        out.update(row.meta)
        if show:
            out = {k: v for k, v in out.items() if k in show or k == "label"}
        for name in hide:
            out.pop(name, None)
        if row.sub is not None:
            if expanded:
                out["subtable"] = [plain(child) for child in row.sub.rows]
            elif row.idsub is not None:
                out["idsubdatatable"] = row.idsub
        return out

    return [plain(row) for row in table.rows]


def group(table: ApiTable, key: Callable[[str], str]) -> ApiTable:
    """Rows merged by `key(label)` (countries into continents), metrics summed."""
    buckets: dict[str, list[ApiRow]] = {}
    for row in table.rows:
        buckets.setdefault(key(row.label), []).append(row)
    return ApiTable([sum_rows(rows, label) for label, rows in buckets.items()])


def fill(table: ApiTable, labels: tuple[str, ...]) -> None:
    """Add a row of zeros for each of `labels` the table lacks (every hour of the day...)."""
    present = {row.label for row in table.rows}
    names: dict[str, None] = {}
    for row in table.rows:
        names.update(dict.fromkeys(row.columns))
    for label in labels:
        if label not in present:
            table.rows.append(ApiRow(label, dict.fromkeys(names or ("nb_visits",), 0)))


def _label_key(label: str) -> tuple[int, float, str]:
    head = label.split("-")[0].rstrip("+")
    try:
        return (0, float(head), label)
    except ValueError:
        return (1, 0.0, label)


def natural_order(table: ApiTable) -> None:
    """Rows in the order of their labels' numbers (hours, buckets), "Others" last."""
    table.rows.sort(key=lambda row: (row.label == OTHERS, _label_key(row.label)))


def merge_goals(table: ApiTable, goals: Table) -> None:
    """Goal columns of a visit report's rows (before their labels are presented): `goals` per
    goal and overall conversions and revenue, from the goal record archived for the report."""
    for row in table.rows:
        source = goals.rows.get(row.label)
        if source is None:
            continue
        per_goal: dict[str, dict[str, Any]] = {}
        for name, value in source.metrics.items():
            if name.startswith("goal_"):
                goal, _, metric = name[len("goal_") :].partition("_")
                per_goal.setdefault(f"idgoal={goal}", {})[metric] = value
        if per_goal:
            row.meta["goals"] = per_goal
        for name in ("nb_conversions", "revenue"):
            if name in source.metrics:
                row.columns[name] = source.metrics[name]
