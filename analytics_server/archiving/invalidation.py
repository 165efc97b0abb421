"""Invalidation: late hits and deletions mark the archives of the days they touch as stale.

The ingest pipeline calls `mark_days_stale` in the transaction that writes hits dated before
today (site time zone); data deletions call it for the days they removed rows from. It bumps
the version of every archive (all segments; the day and the week, month and year holding it)
overlapping those days, so `archive_due` recomputes exactly them: the days from the raw logs,
the longer periods from the days. Only existing archive rows are touched: a day never archived
is computed anyway when due, so the call costs one indexed UPDATE per run of consecutive days.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from sqlalchemy.orm import Session

from analytics_server.archiving import repository


def spans(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """Runs of consecutive days, as (first, last)."""
    ordered = sorted(set(days))
    if not ordered:
        return
    first = last = ordered[0]
    for day in ordered[1:]:
        if day == last + timedelta(days=1):
            last = day
            continue
        yield first, last
        first = last = day
    yield first, last


def mark_days_stale(session: Session, *, idsite: int, days: Iterable[date]) -> None:
    """Mark every archive containing one of `days` (site-local dates) stale; does not commit."""
    for first, last in spans(days):
        repository.bump_versions(session, idsite=idsite, first=first, last=last)
