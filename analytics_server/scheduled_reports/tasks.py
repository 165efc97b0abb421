"""Background entry points: send what is due (`email.send_due` on Celery beat, a timer in the
embedded server), send one schedule now, render one without sending.

Each rendering (one per fan-out value) is claimed in the database before it is rendered, sent
with retries, and its outcome recorded; a failure is logged and kept as `failed`, and a
transient one is tried again by later runs for `email.retry_window_hours`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from analytics_server.config import Settings
from analytics_server.kit.clock import utc_now
from analytics_server.kit.periods import Period
from analytics_server.models import ReportSchedule
from analytics_server.scheduled_reports import cadence, content, messages, repository, service
from analytics_server.scheduled_reports.delivery import Mailer, SmtpMailer, deliver
from analytics_server.scheduled_reports.messages import File, Rendered
from analytics_server.scheduled_reports.spec import Slice, Spec, expand
from analytics_server.sites.service import SiteConfig, load_site_configs

log = logging.getLogger(__name__)
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Result:
    """What happened to one rendering."""

    label: str
    status: str  # sent | failed | skipped (another worker has it, or it went out before)
    recipients: tuple[str, ...] = ()
    size_bytes: int = 0
    error: str = ""
    files: tuple[File, ...] = ()


@dataclass
class Summary:
    schedules: int = 0
    due: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    results: list[Result] = field(default_factory=list)

    def add(self, found: list[Result]) -> None:
        for result in found:
            self.results.append(result)
            if result.status == "sent":
                self.sent += 1
            elif result.status == "failed":
                self.failed += 1
            else:
                self.skipped += 1


@dataclass(frozen=True)
class Run:
    """One sending run's settings, clock and mailer."""

    settings: Settings
    now: datetime
    mailer: Mailer
    sleep: Sleep = time.sleep


def render(
    session: Session,
    spec: Spec,
    *,
    site: SiteConfig,
    period: Period,
    part: Slice,
    settings: Settings,
    now: datetime,
) -> Rendered:
    """One rendering as a mail (and its files)."""
    document = content.build(
        session, spec, site=site, period=period, part=part, now=now, settings=settings
    )
    return messages.compose(
        document,
        spec.format,
        sender=settings.email.from_address,
        sender_name=settings.email.from_name,
        recipients=spec.recipients_of(part),
        now=now,
        slice_label=part.label,
        idreport=spec.idreport,
    )


def slices(
    session: Session,
    spec: Spec,
    *,
    site: SiteConfig,
    period: Period,
    run_settings: Settings,
    now: datetime,
) -> list[Slice]:
    """The renderings of a schedule for a period (fan-out values with traffic in it)."""
    values: list[str] = []
    if spec.fanout is not None and spec.fanout.iddimension is not None and spec.fanout.others:
        values = content.dimension_values(
            session,
            spec,
            site=site,
            period=period,
            now=now,
            settings=run_settings,
            iddimension=spec.fanout.iddimension,
        )
    return expand(spec.fanout, values)


def _attempt(
    session: Session, spec: Spec, site: SiteConfig, part: Slice, *, period: Period, run: Run
) -> repository.Outcome:
    """Render and deliver one claimed rendering; how it went, never an exception."""
    email = run.settings.email
    recipients = spec.recipients_of(part)
    try:
        if not recipients:
            raise ValueError("the schedule has no recipients with an email address")
        rendered = render(
            session, spec, site=site, period=period, part=part, settings=run.settings, now=run.now
        )
        sent = deliver(
            run.mailer,
            rendered.message,
            recipients,
            retries=email.retries,
            backoff=email.backoff_seconds,
            sleep=run.sleep,
        )
    except Exception as exc:
        session.rollback()
        log.exception("scheduled report %s (%s) could not be sent", spec.idreport, part.label)
        return repository.Outcome("failed", 1, recipients, 0, f"{type(exc).__name__}: {exc}")
    if not sent.ok:
        log.error(
            "scheduled report %s (%s) failed after %d tries: %s",
            spec.idreport,
            part.label or "all",
            sent.attempts,
            sent.error,
        )
    status = "sent" if sent.ok else "failed"
    return repository.Outcome(
        status, sent.attempts, recipients, rendered.size, sent.error, sent.transient
    )


def _send_slice(
    session: Session,
    spec: Spec,
    site: SiteConfig,
    part: Slice,
    *,
    key: repository.Key,
    period: Period,
    run: Run,
) -> Result:
    """Claim one rendering, and if this worker got it, send it and record the outcome."""
    window = timedelta(hours=run.settings.email.retry_window_hours)
    claimed = repository.claim(
        session, key, fanout_value=part.key, period=period, now=run.now, retry_window=window
    )
    if claimed is None:
        return Result(part.label, "skipped")
    outcome = _attempt(session, spec, site, part, period=period, run=run)
    repository.finish(session, claimed, outcome, now=run.now)
    return Result(part.label, outcome.status, outcome.recipients, outcome.size_bytes, outcome.error)


def send_period(
    factory: sessionmaker[Session],
    *,
    idreport: int,
    cadence_period: Period,
    period: Period,
    run: Run,
    nonce: str = "",
) -> list[Result]:
    """Every rendering of one schedule for one period, each claimed, sent and recorded."""
    with factory() as session:
        schedule = repository.get_schedule(session, idreport)
        site = service.site_of(session, schedule.idsite)
        spec = service.spec_of(session, schedule, site=site)
        session.commit()
        parts = slices(
            session, spec, site=site, period=period, run_settings=run.settings, now=run.now
        )
        results = []
        for part in parts:
            key = repository.Key(
                idreport, schedule.period, cadence_period.start, part.key_hash, nonce
            )
            results.append(_send_slice(session, spec, site, part, key=key, period=period, run=run))
        return results


def _due(
    session: Session, schedules: list[ReportSchedule], *, now: datetime, window: timedelta
) -> list[tuple[int, Period, Period]]:
    sites = load_site_configs(session, {s.idsite for s in schedules})
    found = []
    for schedule in schedules:
        site = sites.get(schedule.idsite)
        if site is None or not site.active:
            continue
        period = cadence.due_period(
            schedule.period,
            hour=schedule.hour,
            timezone=site.timezone,
            now=now,
            created=schedule.ts_created,
        )
        if period is None:
            continue
        done = repository.settled(
            session,
            schedule.idreport,
            schedule.period,
            period.start,
            now=now,
            retry_window=window,
        )
        if done:
            continue
        found.append(
            (schedule.idreport, period, cadence.data_period(period, schedule.period_param))
        )
    return found


def send_due(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    now: datetime | None = None,
    mailer: Mailer | None = None,
    sleep: Sleep = time.sleep,
) -> Summary:
    """Send every schedule whose period is complete and whose hour has come, once."""
    started = time.perf_counter()
    moment = now or utc_now()
    summary = Summary()
    if mailer is None and not settings.email.configured:
        log.debug("email is not configured (ANALYTICS_EMAIL__SMTP_HOST): nothing sent")
        return summary
    run = Run(settings, moment, mailer or SmtpMailer(settings.email), sleep)
    with factory() as session:
        schedules = repository.scheduled(session)
        window = timedelta(hours=settings.email.retry_window_hours)
        due = _due(session, schedules, now=moment, window=window)
    summary.schedules = len(schedules)
    summary.due = len(due)
    for idreport, cadence_period, period in due:
        try:
            found = send_period(
                factory, idreport=idreport, cadence_period=cadence_period, period=period, run=run
            )
        except Exception:
            log.exception("scheduled report %s: could not prepare its renderings", idreport)
            found = [Result("", "failed", error="could not prepare the renderings")]
        summary.add(found)
    summary.seconds = time.perf_counter() - started
    return summary


def send_now(
    factory: sessionmaker[Session],
    *,
    idreport: int,
    settings: Settings,
    now: datetime | None = None,
    day: date | None = None,
    force: bool = False,
    mailer: Mailer | None = None,
    sleep: Sleep = time.sleep,
) -> list[Result]:
    """Send one schedule now: the period holding `day` (default: the last complete one).
    Without `force` it counts as that period's sending, so it never goes out twice."""
    moment = now or utc_now()
    with factory() as session:
        schedule = repository.get_schedule(session, idreport)
        site = service.site_of(session, schedule.idsite)
    cadence_period, period = cadence.manual_periods(
        schedule.period, schedule.period_param, day=day, timezone=site.timezone, now=moment
    )
    run = Run(settings, moment, mailer or SmtpMailer(settings.email), sleep)
    nonce = uuid.uuid4().hex if force else ""
    return send_period(
        factory,
        idreport=idreport,
        cadence_period=cadence_period,
        period=period,
        run=run,
        nonce=nonce,
    )


def render_now(
    session: Session, *, idreport: int, settings: Settings, now: datetime, day: date | None = None
) -> list[tuple[Slice, Rendered]]:
    """Every rendering of one schedule, without sending or recording anything."""
    schedule = repository.get_schedule(session, idreport)
    site = service.site_of(session, schedule.idsite)
    spec = service.spec_of(session, schedule, site=site)
    _, period = cadence.manual_periods(
        schedule.period, schedule.period_param, day=day, timezone=site.timezone, now=now
    )
    parts = slices(session, spec, site=site, period=period, run_settings=settings, now=now)
    return [
        (
            part,
            render(session, spec, site=site, period=period, part=part, settings=settings, now=now),
        )
        for part in parts
    ]
