"""`analytics-server`: serve, migrate, manage sites, users and tokens, archive, demo traffic."""

from __future__ import annotations

import argparse
import contextlib
import copy
import secrets
import sys
import time
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from analytics_server.auth import service as auth_service
from analytics_server.cli import archive as archive_cli
from analytics_server.cli import reports as reports_cli
from analytics_server.config import Settings, get_settings
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.errors import AppError
from analytics_server.kit.access_log import ACCESS_LOGGER
from analytics_server.sites import service as sites_service
from analytics_server.tracking import service as tracking_service

Handler = Callable[[argparse.Namespace, Settings], int]


def _session(settings: Settings) -> Session:
    engine = create_db_engine(settings.database.url)
    return make_session_factory(engine)()


def cmd_migrate(_args: argparse.Namespace, settings: Settings) -> int:
    upgrade_schema(create_db_engine(settings.database.url))
    print(f"database is up to date ({settings.database.url.split('@')[-1]})")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from analytics_server.cli.quickstart import server_config

    log_config = copy.deepcopy(LOGGING_CONFIG)  # plus the app's page log, as uvicorn prints
    log_config["loggers"][ACCESS_LOGGER.name] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    server = uvicorn.Server(
        server_config(
            settings,
            log_config=log_config,
            host=args.host or settings.host,
            port=args.port or settings.port,
            log_level="info",
            access_log=settings.access_log == "all",  # "pages": the app logs them (AccessLog)
        )
    )
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0 if server.started else 3  # 3: could not start, as uvicorn.run exits


def cmd_site_add(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session, session.begin():
        site = sites_service.create_site(
            session,
            name=args.name,
            main_url=args.url,
            timezone=args.timezone,
            currency=args.currency,
            site_type=args.type,
            ecommerce=args.ecommerce,
            alias_urls=args.alias or (),
        )
        print(f"site {site.idsite} added: {site.name} ({site.main_url}, {site.timezone})")
    return 0


def cmd_site_list(_args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        for site in sites_service.list_sites(session):
            print(f"{site.idsite}\t{site.name}\t{site.main_url}\t{site.type}\t{site.timezone}")
    return 0


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    password = args.password or secrets.token_urlsafe(12)
    with _session(settings) as session, session.begin():
        auth_service.create_user(
            session, login=args.login, password=password, email=args.email, superuser=args.superuser
        )
        for idsite in args.view or ():
            auth_service.set_access(session, login=args.login, idsite=idsite, access="view")
        for idsite in args.write or ():
            auth_service.set_access(session, login=args.login, idsite=idsite, access="write")
    print(f"user {args.login} added" + ("" if args.password else f", password: {password}"))
    return 0


def cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session, session.begin():
        token = auth_service.create_token(session, login=args.login, description=args.description)
    print(token)
    return 0


def cmd_goal_add(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session, session.begin():
        goal = sites_service.add_goal(
            session,
            idsite=args.site,
            name=args.name,
            match_attribute=args.match,
            pattern=args.pattern,
            pattern_type=args.pattern_type,
            revenue=args.revenue,
            allow_multiple=args.allow_multiple,
        )
        print(f"goal {goal.idgoal} added to site {args.site}: {goal.name}")
    return 0


def cmd_dimension_add(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session, session.begin():
        dim = sites_service.add_custom_dimension(
            session, idsite=args.site, name=args.name, scope=args.scope
        )
        print(
            f"dimension {dim.idcustomdimension} ({dim.scope}) added to site {args.site}: "
            f"trackers send it as dimension{dim.idcustomdimension}"
        )
    return 0


def cmd_failures(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        rows = tracking_service.list_failures(session, idsite=args.site, limit=args.limit)
    for row in rows:
        when = row.date_first_seen.strftime("%Y-%m-%d %H:%M:%S")
        print(f"{when}\tsite={row.idsite}\t{row.source}\t{row.reason}\t{row.request[:200]}")
    if not rows:
        print("no tracking failures recorded")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:  # noqa: ARG001
    from analytics_server.worker import app

    argv = ["worker", "-Q", args.queues, "--loglevel", args.loglevel]
    if args.concurrency:
        argv += ["--concurrency", str(args.concurrency)]
    app.worker_main(argv)
    return 0


def cmd_beat(args: argparse.Namespace, settings: Settings) -> int:  # noqa: ARG001
    from analytics_server.worker import app

    app.start(["beat", "--loglevel", args.loglevel, "--schedule", args.schedule])
    return 0


def cmd_queue_status(_args: argparse.Namespace, settings: Settings) -> int:
    from analytics_server.tracking.group_commit import REFUSED_FULL
    from analytics_server.tracking.runtime import open_queue

    queue = open_queue(settings)
    first = tracking_service.queue_status(queue)
    time.sleep(1.0)
    status = tracking_service.queue_status(queue)
    rate = {k: status.counts.get(k, 0) - first.counts.get(k, 0) for k in ("accepted", "processed")}
    age = status.oldest_age_seconds
    print(f"backend:          {settings.ingest.backend} ({queue.partitions} partitions)")
    limit = settings.ingest.max_queued_hits
    print(f"queued hits:      {status.depth} (limit: {limit or 'none'})")
    if refused := status.counts.get(REFUSED_FULL, 0):
        print(f"refused, full:    {refused} hits answered 503 because the queue was full")
    print(f"processing lag:   {'none' if age is None else f'{age:.1f} s'}")
    print(f"dead letters:     {status.dead_letters}")
    print(f"accepted/s:       {rate['accepted']}")
    print(f"processed/s:      {rate['processed']}")
    for name, value in sorted(status.counts.items()):
        print(f"  {name:<32}{value}")
    queue.close()
    return 0


def cmd_queue_dead(args: argparse.Namespace, settings: Settings) -> int:
    from analytics_server.tracking.runtime import open_queue

    queue = open_queue(settings)
    letters = tracking_service.dead_letters(queue, args.limit)
    for letter in letters:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(letter.failed_at))
        print(f"{when}\t{letter.reason}\t{letter.body[:300].decode('utf-8', 'replace')}")
    if not letters:
        print("no dead letters")
    queue.close()
    return 0


def cmd_queue_retry(_args: argparse.Namespace, settings: Settings) -> int:
    from analytics_server.tracking.runtime import open_queue

    queue = open_queue(settings)
    moved = tracking_service.retry_dead_letters(queue)
    print(f"{moved} dead-lettered hits put back in the queue")
    queue.close()
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from analytics_server.cli.quickstart import run_demo

    run_demo(settings, idsite=args.site, url=args.url, days=args.days, visitors=args.visitors)
    return 0


def cmd_quickstart(args: argparse.Namespace, settings: Settings) -> int:
    from analytics_server.cli.quickstart import quickstart

    quickstart(settings, serve=not args.no_serve)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="analytics-server", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text)
        command.set_defaults(handler=handler)
        return command

    serve = add("serve", cmd_serve, "start the web server (tracking endpoint, API, dashboard)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    add("migrate", cmd_migrate, "create or upgrade the database schema")
    quick = add("quickstart", cmd_quickstart, "migrate, create admin and demo site, then serve")
    quick.add_argument("--no-serve", action="store_true")

    site = sub.add_parser("site", help="manage sites").add_subparsers(dest="action", required=True)
    site_add = site.add_parser("add", help="add a site")
    site_add.set_defaults(handler=cmd_site_add)
    site_add.add_argument("--name", required=True)
    site_add.add_argument("--url", required=True)
    site_add.add_argument("--timezone", default="UTC")
    site_add.add_argument("--currency", default="USD")
    site_add.add_argument("--type", default="website", choices=sites_service.SITE_TYPES)
    site_add.add_argument("--ecommerce", action="store_true")
    site_add.add_argument("--alias", action="append", help="another URL of the site")
    site.add_parser("list", help="list sites").set_defaults(handler=cmd_site_list)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    user_add = user.add_parser("add", help="add a user (a password is generated if not given)")
    user_add.set_defaults(handler=cmd_user_add)
    user_add.add_argument("--login", required=True)
    user_add.add_argument("--password")
    user_add.add_argument("--email", default="")
    user_add.add_argument("--superuser", action="store_true")
    user_add.add_argument("--view", type=int, action="append", help="site id with view access")
    user_add.add_argument("--write", type=int, action="append", help="site id with write access")

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    token_create = token.add_parser("create", help="create a token_auth for a user")
    token_create.set_defaults(handler=cmd_token_create)
    token_create.add_argument("--login", required=True)
    token_create.add_argument("--description", default="cli")

    goal = sub.add_parser("goal", help="goals").add_subparsers(dest="action", required=True)
    goal_add = goal.add_parser("add", help="add a goal")
    goal_add.set_defaults(handler=cmd_goal_add)
    goal_add.add_argument("--site", type=int, required=True)
    goal_add.add_argument("--name", required=True)
    goal_add.add_argument("--match", default="manually")
    goal_add.add_argument("--pattern", default="")
    goal_add.add_argument("--pattern-type", default="contains")
    goal_add.add_argument("--revenue", type=float, default=0.0)
    goal_add.add_argument("--allow-multiple", action="store_true")

    dim = sub.add_parser("dimension", help="custom dimensions").add_subparsers(
        dest="action", required=True
    )
    dim_add = dim.add_parser("add", help="add a custom dimension")
    dim_add.set_defaults(handler=cmd_dimension_add)
    dim_add.add_argument("--site", type=int, required=True)
    dim_add.add_argument("--name", required=True)
    dim_add.add_argument("--scope", default="visit", choices=("visit", "action"))

    failures = add("failures", cmd_failures, "list rejected tracking requests and why")
    failures.add_argument("--site", type=int)
    failures.add_argument("--limit", type=int, default=50)

    worker = add("worker", cmd_worker, "run a Celery worker (ingest, archiving, email queues)")
    worker.add_argument("--queues", default="ingest,archiving,email")
    worker.add_argument("--concurrency", type=int)
    worker.add_argument("--loglevel", default="info")
    beat = add("beat", cmd_beat, "run Celery beat, the scheduler of periodic tasks")
    beat.add_argument("--loglevel", default="info")
    beat.add_argument("--schedule", default="var/celerybeat-schedule")

    queue = sub.add_parser("queue", help="the ingest queue").add_subparsers(
        dest="action", required=True
    )
    queue.add_parser("status", help="depth, lag, rates and counters").set_defaults(
        handler=cmd_queue_status
    )
    dead = queue.add_parser("dead", help="list dead-lettered hits and why")
    dead.set_defaults(handler=cmd_queue_dead)
    dead.add_argument("--limit", type=int, default=20)
    queue.add_parser("retry", help="put dead-lettered hits back in the queue").set_defaults(
        handler=cmd_queue_retry
    )

    archive_cli.register(sub)
    reports_cli.register(sub)

    demo = add("demo", cmd_demo, "send a month of realistic demo traffic to a site")
    demo.add_argument("--site", type=int, required=True)
    demo.add_argument("--url", help="base URL of a running server (default: an in-process one)")
    demo.add_argument("--days", type=int, default=30)
    demo.add_argument("--visitors", type=int, default=400)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    try:
        result: int = args.handler(args, settings)
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
