"""Segment definitions as SQL: one boolean condition on `log_visit` that selects visits.

Visit fields compare `log_visit` columns. Action, conversion and product fields become
`EXISTS` sub-queries on the visit's rows; names kept in the action dictionary (URLs, titles,
event and content names) are matched there first (`idaction IN (SELECT ... FROM log_action)`).
On those fields `!=` and `!@` select the visits with no matching row at all, as Matomo 4+ does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement

from analytics_server.kit.dialect import hour_of_time
from analytics_server.kit.geography import country_continents
from analytics_server.kit.urls import split_url_prefix
from analytics_server.models import (
    LogAction,
    LogConversion,
    LogConversionItem,
    LogLinkVisitAction,
    LogVisit,
)
from analytics_server.segments import fields as f
from analytics_server.segments.grammar import Condition, Definition, SegmentError, parse

visit_t = cast(sa.Table, LogVisit.__table__)
action_t = cast(sa.Table, LogLinkVisitAction.__table__)
conversion_t = cast(sa.Table, LogConversion.__table__)
item_t = cast(sa.Table, LogConversionItem.__table__)
dictionary_t = cast(sa.Table, LogAction.__table__)

Bool = ColumnElement[bool]
TABLES = {f.VISIT: visit_t, f.ACTION: action_t, f.CONVERSION: conversion_t, f.ITEM: item_t}
NEGATIVE = ("!=", "!@")
POSITIVE = {"!=": "==", "!@": "=@"}


@dataclass(frozen=True)
class CustomDimension:
    scope: str  # visit | action
    column: str  # custom_dimension_<index>


def _number(condition: Condition) -> float:
    try:
        return float(condition.value)
    except ValueError:
        raise SegmentError(
            f"segment {condition.name} compares numbers, not {condition.value!r}"
        ) from None


def compare(column: ColumnElement[Any], op: str, value: Any, *, numeric: bool = False) -> Bool:
    """`column OP value` with Matomo's rules for empty values and NULLs."""
    empty = value in ("", None)
    blank: Bool = sa.or_(column.is_(None), column == (0 if numeric else ""))
    if op == "==":
        return blank if empty else column == value
    if op == "!=":
        return sa.not_(blank) if empty else sa.or_(column != value, column.is_(None))
    if op in ("=@", "!@", "=^", "=$"):
        text = cast(ColumnElement[str], column)
        if op == "=^":
            found = text.startswith(str(value), autoescape=True)
        elif op == "=$":
            found = text.endswith(str(value), autoescape=True)
        else:
            found = text.contains(str(value), autoescape=True)
        return sa.or_(sa.not_(found), column.is_(None)) if op == "!@" else found
    ops: dict[str, Callable[[Any, Any], Bool]] = {
        "<": lambda a, b: a < b,
        ">": lambda a, b: a > b,
        "<=": lambda a, b: a <= b,
        ">=": lambda a, b: a >= b,
    }
    return ops[op](column, value)


def language_tag(column: ColumnElement[str]) -> ColumnElement[str]:
    """The first tag of an Accept-Language value, lower-cased: 'de-DE,de;q=0.9' -> 'de-de'."""
    first = sa.func.substr(column, 1, sa.func.instr(column + ",", ",") - 1)
    return sa.func.lower(sa.func.substr(first, 1, sa.func.instr(first + ";", ";") - 1))


def language_family(column: ColumnElement[str]) -> ColumnElement[str]:
    """The language of the first tag: 'de-AT,de;q=0.9' -> 'de'."""
    tag = language_tag(column)
    return sa.func.substr(tag, 1, sa.func.instr(tag + "-", "-") - 1)


def _value(spec: f.Field, condition: Condition) -> Any:
    raw = condition.value
    if spec.kind == f.URL:
        raw = split_url_prefix(raw)[1]
    if spec.values_lower:
        raw = raw.lower()
    if raw == "" or condition.op in ("=@", "!@", "=^", "=$"):
        return raw
    if spec.values is not None:
        if raw in spec.values:
            return spec.values[raw]
        try:
            return int(raw)
        except ValueError:
            allowed = ", ".join(sorted(spec.values))
            raise SegmentError(f"segment {condition.name} takes one of: {allowed}") from None
    if spec.kind == f.HEX:
        try:
            return bytes.fromhex(raw)
        except ValueError:
            raise SegmentError(
                f"segment {condition.name} takes 16 hexadecimal characters"
            ) from None
    if spec.numeric or condition.op in ("<", ">", "<=", ">="):
        return _number(condition)
    return raw


def _dictionary(types: tuple[int, ...], op: str, value: Any) -> sa.Select[Any]:
    d = dictionary_t.c
    return sa.select(d.idaction).where(d.type.in_(types), compare(d.name, op, value))


def _exists(table: sa.Table, where: list[Bool]) -> Bool:
    return sa.exists(
        sa.select(1).select_from(table).where(table.c.idvisit == visit_t.c.idvisit, *where)
    )


def _extra(spec: f.Field, table: sa.Table) -> list[Bool]:
    where: list[Bool] = []
    if spec.action_types:
        where.append(table.c.action_type.in_(spec.action_types))
    if spec.goals is not None:
        where.append(table.c.idgoal.in_(spec.goals) if spec.goals else table.c.idgoal > 0)
    if spec.table == f.ITEM:
        where.append(table.c.deleted.is_(False))
    return where


def _field_condition(spec: f.Field, condition: Condition, dialect: Dialect) -> Bool:
    negated = condition.op in NEGATIVE and (bool(spec.dictionary) or spec.table != f.VISIT)
    op = POSITIVE[condition.op] if negated else condition.op
    value = _value(spec, Condition(condition.name, op, condition.value))
    table = TABLES[spec.table]
    column: ColumnElement[Any] = table.c[spec.column]
    if spec.kind == f.HOUR:
        column = hour_of_time(column, dialect)
    elif spec.kind == f.LANGUAGE:
        column = language_tag(column)
    elif spec.kind == f.DAYS:
        column = column // 86400
    if spec.kind == f.CONTINENT:
        matched: Bool = _in_continent(column, condition.name, op, value)
    elif spec.dictionary:
        matched = column.in_(_dictionary(spec.dictionary, op, value))
    else:
        matched = compare(column, op, value, numeric=spec.numeric)
    if spec.table == f.VISIT:
        return sa.or_(sa.not_(matched), column.is_(None)) if negated else matched
    found = _exists(table, [matched, *_extra(spec, table)])
    return sa.not_(found) if negated else found


def _in_continent(column: ColumnElement[Any], name: str, op: str, code: Any) -> Bool:
    """continentCode==eur: the visit's country is one of that continent's."""
    if op not in ("==", "!="):
        raise SegmentError(f"segment {name} takes == or != and a continent code such as eur")
    countries = sorted(c.lower() for c, k in country_continents().items() if k == str(code))
    if str(code) == "unk":
        countries.append("xx")
    found = column.in_(countries) if countries else sa.false()
    return found if op == "==" else sa.not_(found)


def _custom(name: str, dimensions: Mapping[int, CustomDimension]) -> f.Field | None:
    if not name.startswith("dimension") or not name[9:].isdigit():
        return None
    found = dimensions.get(int(name[9:]))
    if found is None:
        return None
    return f.Field(f.VISIT if found.scope == "visit" else f.ACTION, found.column)


def condition(
    definition: str | Definition,
    *,
    dialect: Dialect,
    dimensions: Mapping[int, CustomDimension] | None = None,
) -> Bool | None:
    """The definition as a condition on `log_visit`; None for an empty definition."""
    groups = parse(definition) if isinstance(definition, str) else definition
    if not groups:
        return None
    parts: list[Bool] = []
    for group in groups:
        alternatives = []
        for item in group:
            spec = f.FIELDS.get(item.name) or _custom(item.name, dimensions or {})
            if spec is None:
                raise SegmentError(f"unknown segment {item.name!r}")
            alternatives.append(_field_condition(spec, item, dialect))
        parts.append(sa.or_(*alternatives) if len(alternatives) > 1 else alternatives[0])
    return sa.and_(*parts) if len(parts) > 1 else parts[0]
