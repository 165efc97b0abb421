"""Stored segments are archived like all visits: exact numbers, back-filled history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from analytics_server.archiving import tasks
from analytics_server.archiving.records import Record
from analytics_server.models import ArchiveState
from analytics_server.segments import service as segments_service
from analytics_server.segments.grammar import segment_hash
from tests.archiving.traffic import BASE, Traffic, known_day, make_site, page, read, rows, sub


def summary(records: dict[str, Record]) -> dict[str, Any]:
    found = records["VisitsSummary_get"]
    assert isinstance(found, dict)
    return found


def test_a_visit_segment_filters_every_report(db: Session) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    day = read(db, site, "day", "2026-03-10", segment="countryCode==de")
    assert summary(day) == {
        "nb_visits": 2,
        "nb_uniq_visitors": 1,
        "nb_users": 1,
        "nb_actions": 8,
        "max_actions": 4,
        "sum_visit_length": 207,
        "bounce_count": 0,
        "nb_visits_converted": 2,
    }
    assert set(rows(day["UserCountry_getCountry"])) == {"de"}
    assert sub(day["Actions_getPageUrls"], "docs")["/start"]["nb_hits"] == 2
    assert day["Goals_get"] == {"nb_conversions": 2, "nb_visits_converted": 2, "revenue": 40}
    everyone = read(db, site, "day", "2026-03-10")
    assert summary(everyone)["nb_visits"] == 3  # stored apart from the segment's archive


def test_an_action_segment_keeps_all_actions_of_matching_visits(db: Session) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    day = read(db, site, "day", "2026-03-10", segment="pageUrl=@%2Finstall")
    assert summary(day)["nb_visits"] == 1
    actions = day["Actions_get"]
    assert isinstance(actions, dict)
    assert (actions["nb_pageviews"], actions["nb_downloads"]) == (2, 1)
    assert set(rows(day["Events_getCategory"])) == {"Video"}
    assert "Contents_getContentNames" not in day


def test_segmented_month_counts_unique_visitors_in_the_segment(db: Session) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    Traffic(db, site.idsite).visit(
        datetime(2026, 3, 12, 1, 0, tzinfo=UTC),
        [page(0, f"{BASE}/")],
        visitor="v1",
        location_country="de",
    )
    db.commit()
    month = read(db, site, "month", "2026-03-01", segment="countryCode==de")
    assert (summary(month)["nb_visits"], summary(month)["nb_uniq_visitors"]) == (3, 1)
    assert rows(month["UserCountry_getCountry"])["de"]["sum_daily_nb_uniq_visitors"] == 2


def test_backfill_and_archive_due_include_stored_segments(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    now = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)
    segment = segments_service.create_segment(
        db, name="Germany", definition="countryCode==de", idsite=site.idsite, now=now
    )
    db.commit()
    # A new segment is archived like all visits, newest days first, a few days per run.
    due = tasks.archive_due(session_factory, now=now, idsite=site.idsite, max_days=2)
    key = segment_hash("countryCode==de")

    def segment_days() -> set[str]:
        db.commit()
        query = sa.select(ArchiveState.date1).where(
            ArchiveState.segment == key,
            ArchiveState.period == 1,
            ArchiveState.idsite == site.idsite,
        )
        return {d.isoformat() for d in db.scalars(query)}

    assert (due.days, due.periods) == (2 + 2, 0)  # no period has all its days yet
    assert segment_days() == {"2026-03-11", "2026-03-12"}
    progress: list[tuple[int, int]] = []
    filled = tasks.backfill_segment(
        session_factory,
        idsegment=segment.idsegment,
        now=now,
        progress=lambda d, t, _: progress.append((d, t)),
    )
    assert (filled.days, filled.periods) == (2, 3)
    assert segment_days() == {"2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"}
    assert progress[-1][0] == progress[-1][1]
    day = read(db, site, "day", "2026-03-10", segment="countryCode==de", now=now)
    assert summary(day)["nb_visits"] == 2


def test_archives_of_ad_hoc_segments_are_dropped_after_a_week(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    now = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)
    segments_service.create_segment(
        db, name="Germany", definition="countryCode==de", idsite=site.idsite, now=now
    )
    db.commit()
    assert summary(read(db, site, "day", "2026-03-10", segment="userId==anna", now=now))
    assert summary(read(db, site, "day", "2026-03-10", segment="countryCode==de", now=now))
    db.commit()

    def kept() -> set[str]:
        db.commit()
        return set(db.scalars(sa.select(ArchiveState.segment).distinct()))

    adhoc, stored = segment_hash("userId==anna"), segment_hash("countryCode==de")
    assert {adhoc, stored} <= kept()
    tasks.archive_due(session_factory, now=now.replace(day=15), idsite=site.idsite)
    assert adhoc in kept()  # asked three days ago: still there
    tasks.archive_due(session_factory, now=now.replace(day=20), idsite=site.idsite)
    assert adhoc not in kept()
    assert {"", stored} <= kept()
    again = read(db, site, "day", "2026-03-10", segment="userId==anna", now=now.replace(day=20))
    assert summary(again)["nb_visits"] == 2  # computed again when asked
