"""Reporting periods as Matomo's API names them: day, week, month, year, range, lastN, previousN.

Pure date logic: weeks start on Monday; "today" is the caller's (the site's local) today; a
site-local day maps to a half-open UTC interval that respects daylight-saving changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from analytics_server.kit.clock import zone

PeriodKind = Literal["day", "week", "month", "year", "range"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("day", "week", "month", "year", "range")
MAX_PERIODS = 500  # lastN beyond this is refused: a typo should not archive ten years of days


class PeriodError(ValueError):
    """A period or date parameter that names no period; the message says what is expected."""


_LAST = re.compile(r"^(last|previous)(\d{1,4})$")


@dataclass(frozen=True, order=True)
class Period:
    """A closed interval of local days [start, end] of a given kind."""

    kind: PeriodKind
    start: date
    end: date

    def days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """The key Matomo uses for this period in multi-period answers."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()},{self.end.isoformat()}"

    def previous(self) -> Period:
        """The period of the same kind just before this one (a range: as many days before)."""
        if self.kind == "range":
            return Period(
                "range", self.start - timedelta(days=self.length), self.start - timedelta(days=1)
            )
        return containing(self.kind, self.start - timedelta(days=1))


def containing(kind: PeriodKind, day: date) -> Period:
    """The day, week (Monday to Sunday), month or year that contains `day`."""
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return Period("week", monday, monday + timedelta(days=6))
    if kind == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Period("month", first, following - timedelta(days=1))
    if kind == "year":
        return Period("year", date(day.year, 1, 1), date(day.year, 12, 31))
    raise PeriodError("a range needs two dates: date=YYYY-MM-DD,YYYY-MM-DD or lastN")


def parse_date(value: str, *, today: date) -> date:
    """`today`, `yesterday`, `now` or `YYYY-MM-DD`."""
    text = value.strip().lower()
    if text in ("today", "now"):
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            f"date {value[:40]!r} is not a date: use YYYY-MM-DD, today, yesterday, lastN or "
            "previousN"
        ) from None


def _kind(value: str) -> PeriodKind:
    kind = value.strip().lower()
    if kind not in PERIOD_KINDS:
        raise PeriodError(f"period must be one of {', '.join(PERIOD_KINDS)}")
    return kind


def _last_n(kind: PeriodKind, match: re.Match[str], today: date) -> list[Period]:
    which, count = match.group(1), int(match.group(2))
    if not 1 <= count <= MAX_PERIODS:
        raise PeriodError(f"{which}N takes N from 1 to {MAX_PERIODS}")
    if kind == "range":
        end = today if which == "last" else today - timedelta(days=1)
        return [Period("range", end - timedelta(days=count - 1), end)]
    current = containing(kind, today)
    if which == "previous":
        current = current.previous()
    periods = [current]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return sorted(periods)


def resolve(period: str, date_param: str, *, today: date) -> list[Period]:
    """The periods a request names; one for a single date, several for lastN or A,B."""
    kind = _kind(period)
    text = date_param.strip()
    match = _LAST.match(text.lower())
    if match:
        return _last_n(kind, match, today)
    if "," in text:
        first, last = (parse_date(part, today=today) for part in text.split(",", 1))
        if last < first:
            raise PeriodError("the end of a date range is before its start")
        if kind == "range":
            return [Period("range", first, last)]
        periods = [containing(kind, first)]
        while periods[-1].end < last:
            if len(periods) >= MAX_PERIODS:
                raise PeriodError(f"at most {MAX_PERIODS} periods at once")
            periods.append(containing(kind, periods[-1].end + timedelta(days=1)))
        return periods
    return [containing(kind, parse_date(text, today=today))]


def is_multi_period(date_param: str, period: str) -> bool:
    """Whether Matomo answers with one result per period (lastN, previousN, A,B not a range)."""
    text = date_param.strip().lower()
    return period != "range" and (bool(_LAST.match(text)) or "," in text)


def day_bounds_utc(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The half-open UTC interval [start, end) of a local day (23 or 25 hours on DST days)."""
    tz = zone(timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    utc = zone("UTC")
    return start.astimezone(utc), end.astimezone(utc)


def period_bounds_utc(period: Period, timezone: str) -> tuple[datetime, datetime]:
    start, _ = day_bounds_utc(period.start, timezone)
    _, end = day_bounds_utc(period.end, timezone)
    return start, end


# Matomo's numeric period ids, used as keys in archive storage.
PERIOD_IDS: dict[PeriodKind, int] = {"day": 1, "week": 2, "month": 3, "year": 4, "range": 5}


def hour_starts_utc(day: date, timezone: str) -> list[tuple[datetime, int]]:
    """(UTC instant, local hour) at which each local hour of `day` begins, in order.

    A DST day has 23 or 25 entries (on the autumn day one local hour appears twice), and zones
    with a half-hour offset work the same way, since every boundary is computed, not shifted.
    """
    tz = zone(timezone)
    start, end = day_bounds_utc(day, timezone)
    starts: list[tuple[datetime, int]] = []
    moment = start
    while moment < end:
        local = moment.astimezone(tz)
        starts.append((moment, local.hour))
        following = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        # Step in UTC to the next local hour boundary (hours are 60 minutes in every zone).
        moment = moment + (following.replace(tzinfo=None) - local.replace(tzinfo=None))
    return starts


def sub_periods(period: Period) -> list[Period]:
    """The stored periods a longer period is summed from: months for a year, else days.

    A range is cut greedily into whole years, whole months and the days around them.
    """
    if period.kind == "year":
        return [containing("month", date(period.start.year, month, 1)) for month in range(1, 13)]
    if period.kind in ("week", "month"):
        return [containing("day", day) for day in period.days()]
    if period.kind == "day":
        return []
    return _greedy(period.start, period.end)


def _greedy(start: date, end: date) -> list[Period]:
    parts: list[Period] = []
    day = start
    while day <= end:
        chosen = containing("day", day)
        kinds: tuple[PeriodKind, ...] = ("year", "month")
        for kind in kinds:
            whole = containing(kind, day)
            if whole.start == day and whole.end <= end:
                chosen = whole
                break
        parts.append(chosen)
        day = chosen.end + timedelta(days=1)
    return parts
