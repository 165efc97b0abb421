"""Reporting periods: Matomo's period/date parameters resolved to local-day intervals."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from analytics_server.kit.periods import (
    Period,
    PeriodError,
    containing,
    day_bounds_utc,
    hour_starts_utc,
    is_multi_period,
    resolve,
    sub_periods,
)

TODAY = date(2026, 3, 11)  # a Wednesday


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    ("period", "date_param", "expected"),
    [
        ("day", "2026-02-28", [("day", "2026-02-28", "2026-02-28")]),
        ("day", "today", [("day", "2026-03-11", "2026-03-11")]),
        ("day", "yesterday", [("day", "2026-03-10", "2026-03-10")]),
        ("week", "2026-03-11", [("week", "2026-03-09", "2026-03-15")]),
        ("week", "2026-03-15", [("week", "2026-03-09", "2026-03-15")]),  # Sunday
        ("month", "2024-02-10", [("month", "2024-02-01", "2024-02-29")]),  # leap year
        ("month", "2026-12-31", [("month", "2026-12-01", "2026-12-31")]),
        ("year", "today", [("year", "2026-01-01", "2026-12-31")]),
        ("range", "2026-01-30,2026-02-02", [("range", "2026-01-30", "2026-02-02")]),
        ("range", "2026-03-01,today", [("range", "2026-03-01", "2026-03-11")]),
        ("range", "last7", [("range", "2026-03-05", "2026-03-11")]),
        ("range", "previous7", [("range", "2026-03-04", "2026-03-10")]),
        (
            "day",
            "last3",
            [
                ("day", "2026-03-09", "2026-03-09"),
                ("day", "2026-03-10", "2026-03-10"),
                ("day", "2026-03-11", "2026-03-11"),
            ],
        ),
        (
            "month",
            "previous2",
            [("month", "2026-01-01", "2026-01-31"), ("month", "2026-02-01", "2026-02-28")],
        ),
        (
            "week",
            "2026-02-25,2026-03-03",
            [("week", "2026-02-23", "2026-03-01"), ("week", "2026-03-02", "2026-03-08")],
        ),
        (
            "day",
            "2026-02-27,2026-03-01",
            [
                ("day", "2026-02-27", "2026-02-27"),
                ("day", "2026-02-28", "2026-02-28"),
                ("day", "2026-03-01", "2026-03-01"),
            ],
        ),
        ("YEAR", "2025-06-01", [("year", "2025-01-01", "2025-12-31")]),
    ],
)
def test_resolve(period: str, date_param: str, expected: list[tuple[str, str, str]]) -> None:
    assert resolve(period, date_param, today=TODAY) == [
        Period(kind, d(start), d(end))  # type: ignore[arg-type]
        for kind, start, end in expected
    ]


@pytest.mark.parametrize(
    ("period", "date_param", "message"),
    [
        ("decade", "today", "period must be one of"),
        ("day", "2026-13-01", "is not a date"),
        ("day", "tomorrow-ish", "is not a date"),
        ("range", "today", "a range needs two dates"),
        ("range", "2026-03-10,2026-03-01", "before its start"),
        ("day", "last0", "from 1 to"),
        ("day", "last501", "from 1 to"),
        ("day", "2000-01-01,2026-01-01", "at most"),
    ],
)
def test_bad_parameters_say_what_is_expected(period: str, date_param: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        resolve(period, date_param, today=TODAY)


def test_labels_and_previous_periods() -> None:
    month = containing("month", d("2026-03-11"))
    assert month.label == "2026-03"
    assert month.previous() == Period("month", d("2026-02-01"), d("2026-02-28"))
    assert containing("year", d("2026-03-11")).label == "2026"
    assert containing("week", d("2026-03-11")).label == "2026-03-09,2026-03-15"
    rng = Period("range", d("2026-03-01"), d("2026-03-10"))
    assert rng.length == 10
    assert rng.previous() == Period("range", d("2026-02-19"), d("2026-02-28"))
    assert len(list(containing("week", d("2026-03-11")).days())) == 7


def test_multi_period_answers_are_detected() -> None:
    assert is_multi_period("last7", "day")
    assert is_multi_period("2026-01-01,2026-01-31", "week")
    assert not is_multi_period("last7", "range")
    assert not is_multi_period("2026-01-01,2026-01-31", "range")
    assert not is_multi_period("today", "day")


@pytest.mark.parametrize(
    ("day", "tz", "start", "end", "hours"),
    [
        ("2026-03-11", "UTC", "2026-03-11T00:00", "2026-03-12T00:00", 24),
        ("2026-03-11", "Asia/Tokyo", "2026-03-10T15:00", "2026-03-11T15:00", 24),
        ("2026-03-29", "Europe/Berlin", "2026-03-28T23:00", "2026-03-29T22:00", 23),  # DST on
        ("2026-10-25", "Europe/Berlin", "2026-10-24T22:00", "2026-10-25T23:00", 25),  # DST off
        ("2026-03-08", "America/New_York", "2026-03-08T05:00", "2026-03-09T04:00", 23),
    ],
)
def test_local_day_in_utc(day: str, tz: str, start: str, end: str, hours: int) -> None:
    lo, hi = day_bounds_utc(d(day), tz)
    assert lo == datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert hi == datetime.fromisoformat(end).replace(tzinfo=UTC)
    assert (hi - lo).total_seconds() == hours * 3600


@pytest.mark.parametrize(
    ("day", "tz", "count", "first", "hours"),
    [
        ("2026-03-11", "Asia/Tokyo", 24, "2026-03-10T15:00", list(range(24))),
        ("2026-03-29", "Europe/Berlin", 23, "2026-03-28T23:00", [0, 1, *range(3, 24)]),
        ("2026-10-25", "Europe/Berlin", 25, "2026-10-24T22:00", [0, 1, 2, 2, *range(3, 24)]),
        ("2026-03-11", "Asia/Kolkata", 24, "2026-03-10T18:30", list(range(24))),
    ],
)
def test_local_hours_begin_at_computed_utc_instants(
    day: str, tz: str, count: int, first: str, hours: list[int]
) -> None:
    starts = hour_starts_utc(d(day), tz)
    assert len(starts) == count
    assert starts[0][0] == datetime.fromisoformat(first).replace(tzinfo=UTC)
    assert [hour for _, hour in starts] == hours
    gaps = {(b[0] - a[0]).total_seconds() for a, b in itertools.pairwise(starts)}
    assert gaps == {3600.0}


def test_longer_periods_are_summed_from_days_months_or_the_largest_whole_parts() -> None:
    week = containing("week", d("2026-03-11"))
    assert [p.start for p in sub_periods(week)] == [d(f"2026-03-{n:02d}") for n in range(9, 16)]
    assert len(sub_periods(containing("month", d("2024-02-10")))) == 29
    year = sub_periods(containing("year", d("2026-05-05")))
    assert [(p.kind, p.start.month) for p in year] == [("month", n) for n in range(1, 13)]
    assert sub_periods(Period("day", d("2026-03-01"), d("2026-03-01"))) == []
    crossing = sub_periods(Period("range", d("2026-02-27"), d("2026-04-02")))
    assert [(p.kind, p.start.isoformat()) for p in crossing] == [
        ("day", "2026-02-27"),
        ("day", "2026-02-28"),
        ("month", "2026-03-01"),
        ("day", "2026-04-01"),
        ("day", "2026-04-02"),
    ]
    long = sub_periods(Period("range", d("2025-12-31"), d("2027-01-31")))
    assert [(p.kind, p.start.isoformat()) for p in long] == [
        ("day", "2025-12-31"),
        ("year", "2026-01-01"),
        ("month", "2027-01-01"),
    ]
