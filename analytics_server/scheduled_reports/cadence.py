"""When a schedule is due: the last complete day, week or month, sent at the hour (site time).

A weekly report of the week that ended on Sunday goes out on Monday at the schedule's hour in the
site's time zone; until it has gone out it stays due (a server that was down on Monday sends it
when it is back), and a schedule never sends a period whose sending time came before it existed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from analytics_server.kit.clock import local_day, zone
from analytics_server.kit.periods import Period, PeriodKind, containing

_KINDS: dict[str, PeriodKind] = {"day": "day", "week": "week", "month": "month", "year": "year"}
CADENCES: dict[str, PeriodKind] = {"day": "day", "week": "week", "month": "month"}


def send_time(cadence_period: Period, hour: int, timezone: str) -> datetime:
    """The UTC moment a period's report is due: its next local day at `hour`."""
    local = datetime.combine(cadence_period.end + timedelta(days=1), time(hour), zone(timezone))
    return local.astimezone(zone("UTC"))


def due_period(
    cadence: str, *, hour: int, timezone: str, now: datetime, created: datetime
) -> Period | None:
    """The cadence period whose report is due now, or None (`never`, or not due yet)."""
    kind = CADENCES.get(cadence)
    if kind is None:
        return None
    today = local_day(now, timezone)
    period = containing(kind, today).previous()
    if send_time(period, hour, timezone) > now:
        period = period.previous()
    if send_time(period, hour, timezone) < created:
        return None
    return period


def data_period(cadence_period: Period, period_param: str) -> Period:
    """What a cadence period sends: the `period_param` period holding its last day."""
    return containing(_KINDS.get(period_param, "day"), cadence_period.end)


def manual_periods(
    cadence: str, period_param: str, *, day: date | None, timezone: str, now: datetime
) -> tuple[Period, Period]:
    """(cadence period, data period) of a sending asked for by hand: the period holding `day`,
    or the last complete one."""
    kind = _KINDS.get(period_param, "day")
    if day is None:
        day = containing(kind, local_day(now, timezone)).previous().end
    data = containing(kind, day)
    cadence_kind = CADENCES.get(cadence)
    if cadence_kind is not None:
        return containing(cadence_kind, data.end), data
    return data, data
