"""Background entry points: plain functions that `worker.py` wraps as Celery tasks and the
embedded mode runs in-process. Each opens its own sessions and is safe to run twice at once
(archives are claimed one at a time, and a recompute replaces what it computes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from analytics_server.archiving import repository, service
from analytics_server.archiving.service import Outcome, Target
from analytics_server.kit.clock import utc_now
from analytics_server.kit.periods import PERIOD_IDS, Period, containing
from analytics_server.models import Site
from analytics_server.segments import service as segments_service
from analytics_server.sites.service import SiteConfig, load_site_configs

Progress = Callable[[int, int, str], None]
LONGER = ("week", "month", "year")
# Archives of segments that are not stored (computed when a report asked for them) are kept
# this long, so repeated questions are fast and the archive tables do not grow with them.
ADHOC_KEPT_DAYS = 7


@dataclass
class Summary:
    """Totals of an archiving run."""

    days: int = 0
    periods: int = 0
    records: int = 0
    rows: int = 0
    skipped: int = 0
    seconds: float = 0.0

    def merge(self, other: Summary) -> None:
        for name in ("days", "periods", "records", "rows", "skipped", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def add(self, outcome: Outcome) -> None:
        for child in outcome.children:
            self.add(child)
        if not outcome.computed:
            self.skipped += 1
            return
        if outcome.period.kind == "day":
            self.days += 1
        else:
            self.periods += 1
        self.records += outcome.records
        self.rows += outcome.rows
        self.seconds += outcome.seconds - sum(c.seconds for c in outcome.children if c.computed)


@dataclass(frozen=True)
class Job:
    target: Target
    period: Period

    @property
    def label(self) -> str:
        segment = f" segment {self.target.key[:8]}" if self.target.segment else ""
        return f"site {self.target.site.idsite}{segment} {self.period.kind} {self.period.label}"


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _periods(kind: str, first: date, last: date) -> Iterator[Period]:
    period = containing(kind, first)  # type: ignore[arg-type]
    while period.start <= last:
        yield period
        period = containing(kind, period.end + timedelta(days=1))  # type: ignore[arg-type]


def targets(session: Session, site: SiteConfig) -> list[Target]:
    """All visits, then each stored segment archived for the site."""
    found = [Target(site)]
    for segment in segments_service.archived_segments(session, site.idsite):
        found.append(Target(site, segment.definition))
    return found


def due_jobs(session: Session, target: Target, *, now: datetime, max_days: int) -> list[Job]:
    """Due days (newest first, at most `max_days`), then due weeks, months and years whose days
    are all archived or in this list."""
    site = target.site
    first, last = service.first_day(session, site), service.today(site, now)
    if first is None:
        return []
    states = {
        (s.period, s.date1): s
        for s in repository.states(session, idsite=site.idsite, segment=target.key)
    }

    def due(period: Period) -> bool:
        state = states.get((PERIOD_IDS[period.kind], period.start))
        return service.is_due(state, period, timezone=site.timezone, now=now)

    days = [Period("day", d, d) for d in _days(first, last) if due(Period("day", d, d))]
    days.sort(reverse=True)
    chosen, left = days[:max_days], {p.start for p in days[max_days:]}
    jobs = [Job(target, day) for day in chosen]
    for kind in LONGER:
        for period in _periods(kind, first, last):
            if due(period) and not any(period.start <= d <= period.end for d in left):
                jobs.append(Job(target, period))
    return jobs


def active_sites(session: Session, idsite: int | None = None) -> list[SiteConfig]:
    """Active sites (or just `idsite`), by id."""
    query = sa.select(Site.idsite).where(Site.active.is_(True))
    if idsite is not None:
        query = query.where(Site.idsite == idsite)
    configs = load_site_configs(session, session.scalars(query))
    return [configs[i] for i in sorted(configs)]


def run_jobs(
    session: Session,
    jobs: Sequence[Job],
    *,
    now: datetime,
    force: bool = False,
    progress: Progress | None = None,
) -> Summary:
    summary = Summary()
    for done, job in enumerate(jobs, start=1):
        summary.add(service.archive(session, job.target, job.period, now=now, force=force))
        if progress is not None:
            progress(done, len(jobs), job.label)
    return summary


def archive_due(
    factory: sessionmaker[Session],
    *,
    now: datetime | None = None,
    idsite: int | None = None,
    max_days: int = 31,
    progress: Progress | None = None,
) -> Summary:
    """Archive what is due for every active site and stored segment: today when older than a
    few minutes, yesterday once after midnight, invalidated days, missing days (newest first,
    `max_days` per run), then the weeks, months and years that changed; drop archives of
    ad-hoc segments unused for a week. Run every few minutes."""
    moment = now or utc_now()
    with factory() as session:
        jobs: list[Job] = []
        for site in active_sites(session, idsite):
            found = targets(session, site)
            repository.purge_segments(
                session,
                idsite=site.idsite,
                keep={target.key for target in found},
                before=moment - timedelta(days=ADHOC_KEPT_DAYS),
            )
            for target in found:
                jobs += due_jobs(session, target, now=moment, max_days=max_days)
        session.commit()
        return run_jobs(session, jobs, now=moment, progress=progress)


def range_jobs(target: Target, first: date, last: date) -> list[Job]:
    """Every day of [first, last], then the weeks, months and years overlapping it."""
    jobs = [Job(target, Period("day", d, d)) for d in _days(first, last)]
    for kind in LONGER:
        jobs += [Job(target, period) for period in _periods(kind, first, last)]
    return jobs


def range_plan(
    session: Session, target: Target, *, first: date, last: date, now: datetime, force: bool
) -> list[Job]:
    """The jobs of [first, last] (not after today): days that are due (all with `force`),
    then every week, month and year overlapping the span."""
    last = min(last, service.today(target.site, now))
    jobs = range_jobs(target, first, last) if first <= last else []
    if force:
        return jobs
    states = {
        (s.period, s.date1): s
        for s in repository.states(session, idsite=target.site.idsite, segment=target.key)
    }
    tz = target.site.timezone
    return [
        job
        for job in jobs
        if job.period.kind != "day"
        or service.is_due(states.get((1, job.period.start)), job.period, timezone=tz, now=now)
    ]


def archive_range(
    session: Session,
    target: Target,
    *,
    first: date,
    last: date,
    now: datetime | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> Summary:
    """(Re)compute the archives of [first, last] (see `range_plan`)."""
    moment = now or utc_now()
    jobs = range_plan(session, target, first=first, last=last, now=moment, force=force)
    session.commit()
    return run_jobs(session, jobs, now=moment, force=force, progress=progress)


def archive_site_day(
    factory: sessionmaker[Session],
    *,
    idsite: int,
    day: date,
    segment: str = "",
    now: datetime | None = None,
) -> Summary:
    """Recompute one day of one site, then the week, month and year holding it."""
    with factory() as session:
        [site] = active_sites(session, idsite)
        target = Target(site, segment)
        jobs = [Job(target, containing(kind, day)) for kind in ("day", *LONGER)]  # type: ignore[arg-type]
        return run_jobs(session, jobs, now=now or utc_now())


def backfill_segment(
    factory: sessionmaker[Session],
    *,
    idsegment: int,
    first: date | None = None,
    last: date | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Archive a stored segment's history (from each site's first visit unless `first`)."""
    total = Summary()
    with factory() as session:
        segment = segments_service.get_segment(session, idsegment)
        only = segment.enable_only_idsite or None
        for site in active_sites(session, only):
            start = first or service.first_day(session, site)
            if start is None:
                continue
            found = archive_range(
                session,
                Target(site, segment.definition),
                first=start,
                last=last or service.today(site, now or utc_now()),
                now=now,
                progress=progress,
            )
            total.merge(found)
    return total
