"""Weeks, months, years and ranges are sums of days, with unique visitors recounted exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.archiving import service
from analytics_server.archiving.records import Record
from analytics_server.archiving.service import Target
from analytics_server.kit.periods import containing
from analytics_server.models import ArchiveRecord, ArchiveState
from analytics_server.sites.service import SiteConfig
from tests.archiving.traffic import (
    BASE,
    NOW,
    Traffic,
    known_day,
    make_site,
    page,
    read,
    rows,
    sub,
)


def add_history(db: Session, site: SiteConfig) -> None:
    """Around the known day (2026-03-10, Tokyo): v1 again on 03-12 and 02-28, v5 in January."""
    t = Traffic(db, site.idsite)
    t.visit(
        datetime(2026, 3, 12, 1, 0, tzinfo=UTC),
        [page(0, f"{BASE}/docs/start", "Docs / Start", time_server=50), page(30, f"{BASE}/")],
        visitor="v1",
        user_id="anna",
        location_country="de",
    )
    t.visit(
        datetime(2026, 2, 28, 2, 0, tzinfo=UTC),
        [page(0, f"{BASE}/docs/start", "Docs / Start", time_server=700)],
        visitor="v1",
        location_country="de",
    )
    t.visit(datetime(2026, 1, 15, 2, 0, tzinfo=UTC), [page(0, f"{BASE}/")], visitor="v5")
    db.commit()


@pytest.fixture
def site(db: Session) -> SiteConfig:
    site = make_site(db)
    known_day(db, site.idsite)
    add_history(db, site)
    return site


def summary(records: dict[str, Record]) -> dict[str, Any]:
    found = records["VisitsSummary_get"]
    assert isinstance(found, dict)
    return found


def test_week_sums_days_and_recounts_unique_visitors(db: Session, site: SiteConfig) -> None:
    week = read(db, site, "week", "2026-03-10")  # Monday 03-09 to Sunday 03-15
    daily = [summary(read(db, site, "day", d)) for d in ("2026-03-09", "2026-03-10", "2026-03-12")]
    assert [d["nb_uniq_visitors"] for d in daily] == [1, 2, 1]
    assert summary(week) == {
        "nb_visits": 6,
        "nb_uniq_visitors": 4,  # v1, v2, v3, v4: not 1 + 2 + 1 + 1
        "nb_users": 1,
        "nb_actions": 13,
        "max_actions": 4,
        "sum_visit_length": 238,
        "bounce_count": 3,
        "nb_visits_converted": 2,
    }
    countries = rows(week["UserCountry_getCountry"])
    assert countries["de"]["nb_visits"] == 3
    assert countries["de"]["sum_daily_nb_uniq_visitors"] == 2
    assert "nb_uniq_visitors" not in countries["de"]
    start = sub(week["Actions_getPageUrls"], "docs")["/start"]
    assert (start["nb_hits"], start["sum_daily_nb_uniq_visitors"]) == (4, 3)
    assert (start["min_time_server"], start["max_time_server"]) == (50, 200)
    frequency = week["VisitFrequency_get"]
    assert isinstance(frequency, dict)
    assert (frequency["nb_uniq_visitors_new"], frequency["nb_uniq_visitors_returning"]) == (3, 2)


def test_month_year_and_a_range_across_months(db: Session, site: SiteConfig) -> None:
    march = read(db, site, "month", "2026-03-01")
    assert (summary(march)["nb_visits"], summary(march)["nb_uniq_visitors"]) == (6, 4)
    february = read(db, site, "month", "2026-02-01")
    assert summary(february)["nb_visits"] == 1
    year = read(db, site, "year", "2026-01-01")
    assert (summary(year)["nb_visits"], summary(year)["nb_uniq_visitors"]) == (8, 5)
    assert summary(year)["max_actions"] == 4
    crossing = read(db, site, "range", "2026-02-27", "2026-03-10")
    assert (summary(crossing)["nb_visits"], summary(crossing)["nb_uniq_visitors"]) == (5, 3)
    assert sub(crossing["Actions_getPageUrls"], "docs")["/start"]["nb_hits"] == 4
    actions = crossing["Actions_get"]
    assert isinstance(actions, dict)
    assert (actions["nb_pageviews"], actions["nb_keywords"]) == (7, 1)
    referrers = crossing["Referrers_get"]
    assert isinstance(referrers, dict)
    assert referrers["Referrers_distinctSearchEngines"] == 1


def test_longer_periods_are_stored_once_and_ranges_not_at_all(
    db: Session, site: SiteConfig
) -> None:
    read(db, site, "year", "2026-01-01")
    read(db, site, "range", "2026-02-27", "2026-03-10")
    periods = db.scalars(sa.select(ArchiveState.period).where(ArchiveState.idsite == site.idsite))
    counts = dict.fromkeys((1, 3, 4), 0)
    for kind in periods:
        counts[kind] = counts.get(kind, 0) + 1
    # Every day from the first visit (January 15th) to today in the test clock (April 20th),
    # 4 months, a year; the range was composed from stored days and not stored itself.
    assert counts == {1: 96, 3: 4, 4: 1}
    assert 5 not in counts


def test_archiving_again_gives_identical_blobs(db: Session, site: SiteConfig) -> None:
    read(db, site, "month", "2026-03-01")

    def blobs() -> dict[tuple[Any, ...], bytes]:
        query = sa.select(ArchiveRecord).where(ArchiveRecord.idsite == site.idsite)
        return {(r.period, r.date1, r.name): r.value for r in db.scalars(query)}

    first = blobs()
    db.commit()
    for kind, day in (("day", "2026-03-10"), ("day", "2026-03-12"), ("month", "2026-03-01")):
        period = containing(kind, date.fromisoformat(day))  # type: ignore[arg-type]
        assert service.archive(db, Target(site), period, now=NOW).computed
    assert blobs() == first


def test_hour_of_day_on_the_autumn_dst_day(db: Session) -> None:
    site = make_site(db, timezone="Europe/Berlin")
    t = Traffic(db, site.idsite)
    for hour in (0, 1, 2, 22):  # UTC: 02:30 CEST, 02:30 CET, 03:30 CET, 23:30 CET
        t.visit(
            datetime(2026, 10, 25, hour, 30, tzinfo=UTC), [page(0, f"{BASE}/")], visitor=f"d{hour}"
        )
    db.commit()
    day = read(db, site, "day", "2026-10-25", now=datetime(2026, 11, 1, tzinfo=UTC))
    hours = {
        k: m["nb_visits"]
        for k, m in rows(day["VisitTime_getVisitInformationPerServerTime"]).items()
    }
    assert hours == {"2": 2, "3": 1, "23": 1}
    assert summary(day)["nb_visits"] == 4
