"""A late hit makes exactly its day (and the periods holding it) stale; archives recover from
workers that die or overlap."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from analytics_server.archiving import registry, repository, service, tasks
from analytics_server.archiving.invalidation import mark_days_stale, spans
from analytics_server.archiving.scope import Scope
from analytics_server.archiving.service import Target
from analytics_server.kit.periods import containing
from analytics_server.models import ArchiveState
from analytics_server.sites.service import SiteConfig
from tests.archiving.traffic import known_day, make_site, read
from tests.conftest import FakeClock
from tests.factories import create_token
from tests.tracking.helpers import js_hit, send

MARCH_10 = date(2026, 3, 10)


def visits_on(db: Session, site: SiteConfig, day: str, now: datetime) -> int:
    db.commit()  # a fresh snapshot: other sessions archived meanwhile
    found = read(db, site, "day", day, now=now)["VisitsSummary_get"]
    assert isinstance(found, dict)
    return int(found["nb_visits"])


def states(
    db: Session, idsite: int
) -> dict[tuple[int, date], tuple[int, int | None, datetime | None]]:
    db.commit()
    query = sa.select(ArchiveState).where(ArchiveState.idsite == idsite)
    return {
        (s.period, s.date1): (s.version, s.done_version, s.ts_archived) for s in db.scalars(query)
    }


def test_a_late_hit_recomputes_only_its_day_and_periods(
    client: TestClient,
    db: Session,
    clock: FakeClock,
    session_factory: sessionmaker[Session],
) -> None:
    site = make_site(db)
    token = create_token(db)
    clock.now = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # noon in Tokyo
    send(client, js_hit(site.idsite, url="https://portal.example.com/a"))
    clock.now = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)
    send(client, js_hit(site.idsite, url="https://portal.example.com/b", _id="1111111111111111"))
    clock.now = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)
    first = tasks.archive_due(session_factory, now=clock.now)
    assert first.days == 3  # the 10th, the 11th and today
    assert visits_on(db, site, "2026-03-10", clock.now) == 1
    before = states(db, site.idsite)

    late = int(datetime(2026, 3, 10, 5, 0, tzinfo=UTC).timestamp())
    hit = js_hit(site.idsite, url="https://portal.example.com/late", _id="2222222222222222")
    assert send(client, {**hit, "cdt": str(late), "token_auth": token}).status_code == 204
    # The ingest worker marked the 10th stale when it stored the late hit.
    second = tasks.archive_due(session_factory, now=clock.now)
    assert (second.days, second.periods) == (1, 3)  # the 10th; its week, month and year
    assert visits_on(db, site, "2026-03-10", clock.now) == 2
    month = read(db, site, "month", "2026-03-01", now=clock.now)["VisitsSummary_get"]
    assert isinstance(month, dict)
    assert (month["nb_visits"], month["nb_uniq_visitors"]) == (3, 3)
    after = states(db, site.idsite)
    assert after[(1, date(2026, 3, 11))] == before[(1, date(2026, 3, 11))]  # untouched
    assert after[(1, MARCH_10)][0] == before[(1, MARCH_10)][0] + 1

    # Today's hits leave the closed days alone.
    send(client, js_hit(site.idsite, url="https://portal.example.com/c", _id="3333333333333333"))
    assert states(db, site.idsite) == after


def test_mark_days_stale_touches_every_archive_overlapping_the_days(db: Session) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    read(db, site, "month", "2026-03-01")
    read(db, site, "month", "2026-02-01")
    mark_days_stale(db, idsite=site.idsite, days=[MARCH_10, date(2026, 3, 11), date(2026, 2, 2)])
    db.commit()
    stale = {key for key, (version, done, _) in states(db, site.idsite).items() if done != version}
    assert stale == {
        (1, MARCH_10),
        (1, date(2026, 3, 11)),
        (3, date(2026, 3, 1)),
        (3, date(2026, 2, 1)),  # its days before the first visit were never archived
    }


def test_runs_of_days() -> None:
    days = [date(2026, 3, d) for d in (5, 3, 4, 9, 4)]
    assert list(spans(days)) == [
        (date(2026, 3, 3), date(2026, 3, 5)),
        (date(2026, 3, 9), date(2026, 3, 9)),
    ]
    assert list(spans([])) == []


def test_a_claim_keeps_a_second_worker_out_until_it_expires(db: Session) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    target, day = Target(site), containing("day", MARCH_10)
    now = datetime(2026, 3, 12, tzinfo=UTC)
    key = target.archive_key(day)
    assert (
        repository.claim(
            db, key, token="dead-worker", now=now, until=now + timedelta(minutes=15), force=False
        )
        == 0
    )
    db.commit()
    assert not service.archive(db, target, day, now=now).computed
    assert service.archive(db, target, day, now=now, force=True).computed
    repository.claim(
        db, key, token="dead-worker", now=now, until=now + timedelta(minutes=15), force=True
    )
    db.commit()
    later = now + timedelta(minutes=16)
    assert service.archive(db, target, day, now=later).computed
    assert visits_on(db, site, "2026-03-10", later) == 3


def test_a_worker_that_fails_midway_leaves_the_previous_archive(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    now = datetime(2026, 3, 12, tzinfo=UTC)
    assert visits_on(db, site, "2026-03-10", now) == 3
    mark_days_stale(db, idsite=site.idsite, days=[MARCH_10])
    db.commit()

    def broken(_scope: Scope) -> dict[str, object]:
        raise RuntimeError("worker lost its database connection")

    monkeypatch.setattr(registry, "ACTION_BUILDERS", (*registry.ACTION_BUILDERS, ("x", broken)))
    with pytest.raises(RuntimeError):
        service.archive(db, Target(site), containing("day", MARCH_10), now=now)
    version, done, _ = states(db, site.idsite)[(1, MARCH_10)]
    assert done == version - 1  # still stale, still holding the old numbers
    [blobs] = repository.load(db, [Target(site).archive_key(containing("day", MARCH_10))]).values()
    assert "VisitsSummary_get" in blobs
    monkeypatch.undo()
    assert visits_on(db, site, "2026-03-10", now) == 3
    version, done, _ = states(db, site.idsite)[(1, MARCH_10)]
    assert done == version


def test_a_hit_landing_during_archiving_leaves_the_day_stale(
    db: Session, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    now = datetime(2026, 3, 12, tzinfo=UTC)

    def late_hit(_scope: Scope) -> dict[str, object]:
        with session_factory() as other:
            mark_days_stale(other, idsite=site.idsite, days=[MARCH_10])
            other.commit()
        return {}

    monkeypatch.setattr(registry, "VISIT_BUILDERS", (*registry.VISIT_BUILDERS, ("x", late_hit)))
    assert service.archive(db, Target(site), containing("day", MARCH_10), now=now).computed
    version, done, _ = states(db, site.idsite)[(1, MARCH_10)]
    assert done is not None
    assert done < version
    monkeypatch.undo()
    assert tasks.archive_due(session_factory, now=now, idsite=site.idsite).days >= 1
    version, done, _ = states(db, site.idsite)[(1, MARCH_10)]
    assert done == version


def test_today_is_refreshed_after_its_time_to_live_and_closed_after_midnight(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)
    noon = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)  # the known day, local noon
    tasks.archive_due(session_factory, now=noon, idsite=site.idsite)
    due = tasks.due_jobs(db, Target(site), now=noon + timedelta(minutes=1), max_days=31)
    assert due == []
    due = tasks.due_jobs(db, Target(site), now=noon + timedelta(minutes=6), max_days=31)
    assert [j.period.kind for j in due] == ["day"]
    after_midnight = datetime(2026, 3, 10, 15, 10, tzinfo=UTC)  # 00:10 on the 11th in Tokyo
    kinds = {
        (j.period.kind, j.period.start)
        for j in tasks.due_jobs(db, Target(site), now=after_midnight, max_days=31)
    }
    assert ("day", MARCH_10) in kinds
    assert ("day", date(2026, 3, 11)) in kinds
    assert ("week", date(2026, 3, 9)) in kinds


def test_missing_days_are_archived_newest_first_a_few_per_run(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    site = make_site(db)
    known_day(db, site.idsite)  # first visit on 2026-03-09
    now = datetime(2026, 3, 20, tzinfo=UTC)
    jobs = tasks.due_jobs(db, Target(site), now=now, max_days=5)
    days = [j.period.start.day for j in jobs if j.period.kind == "day"]
    assert days == [20, 19, 18, 17, 16]
    # The week of the 16th can be summed after this run; March's 9th to 15th are still missing.
    assert [(j.period.kind, j.period.start.day) for j in jobs if j.period.kind != "day"] == [
        ("week", 16)
    ]
    summary = tasks.archive_due(session_factory, now=now, idsite=site.idsite, max_days=100)
    assert (summary.days, summary.periods) == (12, 4)  # the 9th to the 20th; 2 weeks, month, year
