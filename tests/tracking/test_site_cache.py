"""The worker keeps site settings a few seconds, and looks again at once for what it lacks."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from analytics_server.config import Settings
from analytics_server.db import make_session_factory
from analytics_server.sites import service as sites_service
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.processor import MISS_RELOAD_AFTER, SITE_TTL, BatchProcessor
from tests.conftest import FakeClock
from tests.factories import actions, conversions, create_site, failures, url_of
from tests.tracking.test_ingestion import delivery


class Ticks:
    """A settable monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _processor(
    engine: Engine, settings: Settings, clock: FakeClock, ticks: Ticks
) -> BatchProcessor:
    ctx = TrackerContext.from_settings(settings, clock=clock)
    return BatchProcessor(make_session_factory(engine), ctx, monotonic=ticks)


def test_changed_site_settings_are_used_once_the_cache_time_is_over(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    site = create_site(db)
    ticks = Ticks()
    processor = _processor(engine, settings, clock, ticks)
    page = "https://portal.example.com/docs?session=42&lang=en"
    assert processor.process([delivery(site.idsite, "1", url=page)]).stored == 1

    sites_service.update_site(db, site.idsite, excluded_parameters="session")
    sites_service.add_goal(
        db, idsite=site.idsite, name="Docs", match_attribute="url", pattern="/docs"
    )
    db.commit()
    ticks.now += SITE_TTL
    assert processor.process([delivery(site.idsite, "2", url=page)]).stored == 1

    first, second = actions(db)
    assert url_of(db, first["idaction_url"]) == page
    assert url_of(db, second["idaction_url"]) == "https://portal.example.com/docs?lang=en"
    assert [c["idgoal"] for c in conversions(db)] == [1]


def test_a_site_created_after_a_hit_for_it_is_found_within_a_second(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    existing = create_site(db)
    ticks = Ticks()
    processor = _processor(engine, settings, clock, ticks)
    unknown = existing.idsite + 1
    assert processor.process([delivery(existing.idsite, "1"), delivery(unknown, "2")]).rejected == 1
    assert str(unknown) in failures(db)[0].reason

    created = create_site(db, name="Intranet")
    assert created.idsite == unknown
    ticks.now += MISS_RELOAD_AFTER
    result = processor.process([delivery(unknown, "3")])
    assert (result.stored, result.rejected) == (1, 0)


def test_a_goal_created_after_the_site_was_read_is_found_within_a_second(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    site = create_site(db)
    ticks = Ticks()
    processor = _processor(engine, settings, clock, ticks)
    assert processor.process([delivery(site.idsite, "1")]).stored == 1

    goal = sites_service.add_goal(db, idsite=site.idsite, name="Signed up")
    db.commit()
    ticks.now += MISS_RELOAD_AFTER  # well before SITE_TTL
    result = processor.process([delivery(site.idsite, "2", idgoal=str(goal.idgoal), revenue="5")])
    assert (result.stored, result.rejected) == (1, 0)
    assert [(c["idgoal"], c["revenue"]) for c in conversions(db)] == [(goal.idgoal, 5)]


def test_a_reactivated_site_is_read_again_within_a_second(
    engine: Engine, settings: Settings, clock: FakeClock, db: Session
) -> None:
    site = create_site(db, active=False)
    ticks = Ticks()
    processor = _processor(engine, settings, clock, ticks)
    assert processor.process([delivery(site.idsite, "1")]).rejected == 1

    sites_service.update_site(db, site.idsite, active=True)
    db.commit()
    assert processor.process([delivery(site.idsite, "2")]).rejected == 1  # not a read per batch
    ticks.now += MISS_RELOAD_AFTER
    assert processor.process([delivery(site.idsite, "3")]).stored == 1
