"""`analytics-server reports`: add and list scheduled email reports, send one now, or render it
to files without sending (`send --schedule N --dry-run --out DIR`)."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from analytics_server.auth import service as auth_service
from analytics_server.auth.service import Principal
from analytics_server.config import Settings
from analytics_server.db import create_db_engine, make_session_factory
from analytics_server.errors import InvalidRequestError
from analytics_server.kit.clock import utc_now
from analytics_server.models import User
from analytics_server.scheduled_reports import repository, service, tasks
from analytics_server.scheduled_reports.service import Draft


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `reports` command to the `analytics-server` parser."""
    parser = subparsers.add_parser("reports", help="scheduled email reports")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="schedule a report")
    add.set_defaults(handler=cmd_add)
    add.add_argument("--site", type=int, required=True)
    add.add_argument("--login", required=True, help="the owner (a user with view access)")
    add.add_argument("--report", action="append", required=True, help="a report unique id")
    add.add_argument("--period", default="week", choices=("day", "week", "month", "never"))
    add.add_argument("--period-param", choices=("day", "week", "month", "year"))
    add.add_argument("--hour", type=int, default=8, help="hour of sending, site time zone")
    add.add_argument("--format", default="pdf", choices=("pdf", "html", "csv", "tsv"))
    add.add_argument("--description", default="")
    add.add_argument("--segment", type=int, default=0, help="a stored segment's id")
    add.add_argument("--email", action="append", default=[], help="a recipient address")
    add.add_argument("--user", action="append", default=[], help="a recipient user's login")
    add.add_argument("--no-email-me", action="store_true", help="do not send to the owner")
    add.add_argument("--language", default="en", choices=("en", "ru"))
    add.add_argument("--row-limit", type=int, default=23)
    add.add_argument("--evolution-graph", action="store_true")
    add.add_argument("--fanout", default="", help="fan-out as JSON (see the README)")
    listing = actions.add_parser("list", help="list schedules and their last sendings")
    listing.set_defaults(handler=cmd_list)
    listing.add_argument("--site", type=int)
    send = actions.add_parser("send", help="send a schedule now, or render it to files")
    send.set_defaults(handler=cmd_send)
    send.add_argument("--schedule", type=int, required=True)
    send.add_argument("--date", type=date.fromisoformat, help="a day of the period to send")
    send.add_argument("--force", action="store_true", help="send even if sent before")
    send.add_argument("--dry-run", action="store_true", help="render to files, send nothing")
    send.add_argument("--out", type=Path, default=Path("reports-out"), help="with --dry-run")


def _principal(session: Session, login: str) -> Principal:
    if session.get(User, login) is None:
        raise InvalidRequestError(f"user {login!r} does not exist")
    return auth_service.principal_for_login(session, login)


def cmd_add(args: argparse.Namespace, settings: Settings, *, now: datetime | None = None) -> int:
    engine = create_db_engine(settings.database.url)
    draft = Draft(
        description=args.description,
        period=args.period,
        period_param=args.period_param,
        hour=args.hour,
        format=args.format,
        reports=args.report,
        idsegment=args.segment,
        evolution_graph=args.evolution_graph,
        row_limit=args.row_limit,
        email_me=not args.no_email_me,
        recipient_logins=args.user,
        recipient_emails=args.email,
        language=args.language,
        fanout=args.fanout,
    )
    try:
        with make_session_factory(engine)() as session:
            principal = _principal(session, args.login)
            schedule = service.create_schedule(
                session, principal, idsite=args.site, draft=draft, now=now or utc_now()
            )
            session.commit()
            recipients = service.recipients_of(session, schedule)
            print(
                f"scheduled report {schedule.idreport} added: site {args.site}, "
                f"{schedule.period} at {schedule.hour}:00, {schedule.format}, "
                f"to {', '.join(recipients) or 'nobody yet'}"
            )
    finally:
        engine.dispose()
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_db_engine(settings.database.url)
    try:
        with make_session_factory(engine)() as session:
            found = repository.list_schedules(session, idsite=args.site)
            for schedule in found:
                last = repository.sendings(session, schedule.idreport, limit=1)
                state = "never sent"
                if last:
                    s = last[0]
                    state = f"{s.status} {s.date1}..{s.date2} ({s.attempts} tries) {s.error[:60]}"
                reports = ",".join(json.loads(schedule.reports))
                print(
                    f"{schedule.idreport}\tsite {schedule.idsite}\t{schedule.period}@"
                    f"{schedule.hour}\t{schedule.format}\t{reports}\t{state}"
                )
    finally:
        engine.dispose()
    return 0


def _dry_run(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    engine = create_db_engine(settings.database.url)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with make_session_factory(engine)() as session:
            rendered = tasks.render_now(
                session, idreport=args.schedule, settings=settings, now=now, day=args.date
            )
    finally:
        engine.dispose()
    for part, found in rendered:
        for item in found.files:
            (args.out / item.name).write_bytes(item.content)
            print(f"wrote {args.out / item.name} ({len(item.content):,} bytes)")
        stem = found.files[0].name.rsplit(".", 1)[0] if found.files else "report"
        eml = args.out / f"{stem}.eml"
        eml.write_bytes(found.message.as_bytes())
        to = found.message["To"] or "nobody"
        print(f"wrote {eml} (the mail to {to}{', ' + part.label if part.label else ''})")
    return 0


def cmd_send(args: argparse.Namespace, settings: Settings, *, now: datetime | None = None) -> int:
    moment = now or utc_now()
    if args.dry_run:
        return _dry_run(args, settings, moment)
    if not settings.email.configured:
        raise InvalidRequestError("email is not configured: set ANALYTICS_EMAIL__SMTP_HOST")
    engine = create_db_engine(settings.database.url)
    try:
        results = tasks.send_now(
            make_session_factory(engine),
            idreport=args.schedule,
            settings=settings,
            now=moment,
            day=args.date,
            force=args.force,
        )
    finally:
        engine.dispose()
    for result in results:
        label = result.label or "all visits"
        if result.status == "skipped":
            print(f"{label}: already sent for this period (use --force to send again)")
        else:
            to = ", ".join(result.recipients)
            print(f"{label}: {result.status} to {to} ({result.size_bytes:,} bytes) {result.error}")
    return 1 if any(r.status == "failed" for r in results) else 0
