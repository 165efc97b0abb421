"""Archived reports in memory: a metrics dict, or a table of labelled rows with subtables.

Tables are summed over periods row by row by label, each metric with its own rule (sum, or
min/max for `min_*`/`max_*`), and cut to a row limit with the rest folded into an "Others" row
(label `-1`), as Matomo does. Serialised as compact JSON, compressed.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Number = int | float
Metrics = dict[str, Number]
OTHERS = "-1"

# In tables of periods longer than a day, unique counts cannot be summed; like Matomo, their
# sum over days is kept under another name.
SUMMED_DAILY = {
    name: f"sum_daily_{name}"
    for name in ("nb_uniq_visitors", "nb_users", "entry_nb_uniq_visitors", "exit_nb_uniq_visitors")
}


def number(value: Any) -> Number:
    """A database value as int when whole, else a float without binary noise."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    result = round(float(value), 6)
    return int(result) if result.is_integer() and abs(result) < 2**53 else result


def combine(name: str, left: Number, right: Number) -> Number:
    """Merge two values of one metric."""
    if name.startswith("min_"):
        return min(left, right)
    if name.startswith("max_"):
        return max(left, right)
    return number(left + right)


def add_metrics(target: Metrics, source: Mapping[str, Number]) -> None:
    for name, value in source.items():
        current = target.get(name)
        target[name] = value if current is None else combine(name, current, value)


@dataclass
class Row:
    metrics: Metrics = field(default_factory=dict)
    sub: Table | None = None
    meta: dict[str, str] | None = None


@dataclass
class Table:
    """Rows by label, insertion-ordered; a label appears once."""

    rows: dict[str, Row] = field(default_factory=dict)

    def row(self, label: str) -> Row:
        found = self.rows.get(label)
        if found is None:
            found = self.rows[label] = Row()
        return found

    def add(
        self, label: str, metrics: Mapping[str, Number], meta: dict[str, str] | None = None
    ) -> Row:
        row = self.row(label)
        add_metrics(row.metrics, metrics)
        if meta and row.meta is None:
            row.meta = dict(meta)
        return row

    def merge(self, other: Table, *, rename: Mapping[str, str] | None = None) -> None:
        """Add `other` into this table, row by row and recursively."""
        for label, row in other.rows.items():
            metrics = row.metrics
            if rename:
                metrics = {rename.get(name, name): value for name, value in metrics.items()}
            mine = self.add(label, metrics, row.meta)
            if row.sub is not None:
                if mine.sub is None:
                    mine.sub = Table()
                mine.sub.merge(row.sub, rename=rename)

    def total(self, name: str) -> Number:
        return number(sum(row.metrics.get(name, 0) for row in self.rows.values()))

    def __len__(self) -> int:
        return len(self.rows)


Record = Metrics | Table


def truncate(table: Table, *, limit: int, sub_limit: int, sort: str) -> Table:
    """Keep the `limit` rows with the highest `sort` metric; fold the rest into "Others".

    Subtables are cut to `sub_limit` the same way. Order is by `sort` descending, then label.
    """
    ordered = sorted(table.rows.items(), key=lambda item: (-item[1].metrics.get(sort, 0), item[0]))
    kept = Table()
    others: Row | None = table.rows.get(OTHERS)
    for label, row in ordered:
        if label == OTHERS:
            continue
        if len(kept.rows) < limit:
            if row.sub is not None:
                row.sub = truncate(row.sub, limit=sub_limit, sort=sort, sub_limit=sub_limit)
            kept.rows[label] = row
            continue
        if others is None:
            others = Row()
        add_metrics(others.metrics, row.metrics)
    if others is not None:
        others.sub = None
        kept.rows[OTHERS] = others
    return kept


def _encode_table(table: Table) -> list[Any]:
    return [
        [label, row.metrics, _encode_table(row.sub) if row.sub is not None else None, row.meta]
        for label, row in table.rows.items()
    ]


def _decode_table(rows: Iterable[list[Any]]) -> Table:
    table = Table()
    for label, metrics, sub, meta in rows:
        table.rows[label] = Row(metrics, _decode_table(sub) if sub is not None else None, meta)
    return table


def encode(record: Record) -> bytes:
    payload = {"t": _encode_table(record)} if isinstance(record, Table) else {"m": record}
    return zlib.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"), 6)


def decode(blob: bytes) -> Record:
    payload = json.loads(zlib.decompress(blob))
    if "t" in payload:
        return _decode_table(payload["t"])
    metrics: Metrics = payload["m"]
    return metrics


def merge_records(records: Iterable[Record], *, summed_daily: bool) -> Record:
    """Sum records of one report over sub-periods; `summed_daily` renames table uniques."""
    tables: list[Table] = []
    metrics: Metrics = {}
    for record in records:
        if isinstance(record, Table):
            tables.append(record)
        else:
            add_metrics(metrics, record)
    if not tables:
        return metrics
    merged = Table()
    rename = SUMMED_DAILY if summed_daily else None
    for table in tables:
        merged.merge(table, rename=rename)
    return merged
