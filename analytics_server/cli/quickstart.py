"""First start: migrate, create an admin and a demo site with a month of traffic, then serve."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI

from analytics_server.app import create_app
from analytics_server.auth import service as auth_service
from analytics_server.cli.demo import send_demo_traffic
from analytics_server.config import Settings
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.kit.clock import utc_now
from analytics_server.models import Site, User
from analytics_server.sites import service as sites_service

DEMO_SITE = {
    "name": "Demo partner portal",
    "main_url": "https://portal.example.com",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
    "ecommerce": True,
}


def server_config(settings: Settings, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration of the app, the same for `serve` and `make run`; `options`
    add to it or override it (host, port, logging)."""
    defaults: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        # The app decides whose X-Forwarded-For to believe (tracker.trusted_proxies);
        # uvicorn's own handling would believe any process on this machine.
        "proxy_headers": False,
    }
    return uvicorn.Config(create_app(settings), **{**defaults, **options})


@contextmanager
def running_server(settings: Settings) -> Iterator[uvicorn.Server]:
    """uvicorn serving the app in a thread of this process until the block ends."""
    server = uvicorn.Server(server_config(settings, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"server could not start on {settings.host}:{settings.port}")
        time.sleep(0.05)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join()


def _bootstrap(settings: Settings) -> tuple[str | None, str | None, int | None]:
    """Admin (password, token) when there was no user yet; the demo site id when there was none."""
    engine = create_db_engine(settings.database.url)
    upgrade_schema(engine)
    password = token = None
    idsite = None
    with make_session_factory(engine)() as session, session.begin():
        if session.scalar(sa.select(sa.func.count()).select_from(User)) == 0:
            password = secrets.token_urlsafe(12)
            auth_service.create_user(session, login="admin", password=password, superuser=True)
            token = auth_service.create_token(session, login="admin", description="quickstart")
        if session.scalar(sa.select(sa.func.count()).select_from(Site)) == 0:
            site = sites_service.create_site(session, **DEMO_SITE)  # type: ignore[arg-type]
            idsite = site.idsite
            for name, scope in (
                ("Partner company", "visit"),
                ("Role", "visit"),
                ("Section", "action"),
            ):
                sites_service.add_custom_dimension(session, idsite=idsite, name=name, scope=scope)
            sites_service.add_goal(session, idsite=idsite, name="Registration")
            sites_service.add_goal(
                session,
                idsite=idsite,
                name="Software download",
                match_attribute="file",
                pattern=".zip",
            )
            if token is None:
                login = session.scalar(sa.select(User.login).where(User.superuser_access).limit(1))
                token = auth_service.create_token(
                    session, login=login or "admin", description="demo"
                )
    engine.dispose()
    return password, token, idsite


def run_demo(
    settings: Settings,
    *,
    idsite: int,
    url: str | None,
    days: int = 30,
    visitors: int = 400,
    token: str | None = None,
) -> None:
    """Send demo traffic through the tracking API of a running server (or an in-process one)."""
    if token is None:
        engine = create_db_engine(settings.database.url)
        with make_session_factory(engine)() as session, session.begin():
            login = session.scalar(sa.select(User.login).where(User.superuser_access).limit(1))
            if login is None:
                raise SystemExit("create a superuser first: analytics-server user add --superuser")
            token = auth_service.create_token(session, login=login, description="demo")
        engine.dispose()

    def send(base_url: str) -> None:
        start = utc_now() - timedelta(days=days)
        with httpx.Client(base_url=base_url, timeout=60) as client:
            summary = send_demo_traffic(
                client,
                idsite=idsite,
                token_auth=token,
                start=start,
                days=days,
                visitors=visitors,
                progress=lambda done, total: print(
                    f"\r  demo traffic: {done}/{total} hits", end=""
                ),
            )
        print(f"\n  demo traffic sent: {summary.hits} hits in {summary.visits} visits")

    if url:
        send(url)
        return
    with running_server(settings) as server:
        send(f"http://{settings.host}:{settings.port}")
        wait_until_processed(server)


def wait_until_processed(server: uvicorn.Server, timeout: float = 300.0) -> None:
    """Block until the in-process server's ingest queue is empty (the demo is in the raw logs)."""
    app = server.config.app
    assert isinstance(app, FastAPI)
    queue = app.state.ingest.queue
    deadline = time.monotonic() + timeout
    while (depth := queue.depth()) and time.monotonic() < deadline:
        print(f"\r  processing: {depth} hits still queued   ", end="", flush=True)
        time.sleep(0.2)
    print("\r  all hits processed" + " " * 20)


def quickstart(settings: Settings, *, serve: bool = True) -> None:
    password, token, idsite = _bootstrap(settings)
    base = f"http://{settings.host}:{settings.port}"
    with running_server(settings) as server:
        if idsite is not None:
            print(f"Creating demo site {idsite} with a month of traffic...")
            run_demo(settings, idsite=idsite, url=base, token=token)
            wait_until_processed(server)
        lines = [
            f"Analytics server is running at {base}",
            f"  dashboard: {base}/  (sign in below)",
            f"  Reporting API: {base}/index.php?module=API  (documented at {base}/docs)",
            f"  tracking endpoint: {base}/matomo.php",
        ]
        if password:
            lines += [
                "  admin login: admin",
                f"  admin password: {password}   (shown once: write it down)",
                f"  token_auth: {token}",
            ]
        print("\n".join(["", "=" * 72, *lines, "=" * 72, ""]), flush=True)
        if not serve:
            return
        try:
            while not server.should_exit:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
