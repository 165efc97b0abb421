"""Fixtures of the dashboard's browser tests: one live server on demo traffic per session.

The demo site gets a few weeks of the demo generator's traffic through the real tracking
endpoint, archived before the first test; a second site is left for the stored-XSS test.
Without /usr/bin/chromium every test here is skipped with the reason (failed in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from analytics_server.archiving import tasks
from analytics_server.auth import service as auth_service
from analytics_server.cli.demo import send_demo_traffic
from analytics_server.cli.quickstart import DEMO_SITE, running_server, wait_until_processed
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.kit.clock import utc_now
from analytics_server.segments import service as segments_service
from analytics_server.sites import service as sites_service
from analytics_server.sites.service import load_site_configs
from tests.browser.harness import PASSWORD, Demo, local_today, sign_in_as
from tests.conftest import skip_or_fail
from tests.tracker.harness import CHROMIUM, CHROMIUM_ARGS, live_settings

DAYS, VISITORS = 21, 150  # a few seconds to send and archive, enough rows to page through
SEGMENT = "deviceType==desktop"
USERS = ("admin", "translator", "keyboard")  # tests that save preferences use their own user


def _create_sites(session: Session) -> tuple[int, int]:
    for login in USERS:
        auth_service.create_user(session, login=login, password=PASSWORD, superuser=True)
    demo = sites_service.create_site(session, **DEMO_SITE)  # type: ignore[arg-type]
    for name, scope in (("Partner company", "visit"), ("Role", "visit"), ("Section", "action")):
        sites_service.add_custom_dimension(session, idsite=demo.idsite, name=name, scope=scope)
    sites_service.add_goal(session, idsite=demo.idsite, name="Registration")
    sites_service.add_goal(
        session,
        idsite=demo.idsite,
        name="Software download",
        match_attribute="file",
        pattern=".zip",
    )
    segments_service.create_segment(
        session, name="Desktop visits", definition=SEGMENT, idsite=demo.idsite
    )
    xss = sites_service.create_site(
        session, name="Payload portal", main_url="http://127.0.0.1", ecommerce=True
    )
    sites_service.add_custom_dimension(session, idsite=xss.idsite, name="Company")
    sites_service.add_custom_dimension(session, idsite=xss.idsite, name="Area", scope="action")
    sites_service.add_goal(session, idsite=xss.idsite, name="Payload goal")
    return demo.idsite, xss.idsite


def _sign_in(browser: Any, server: str) -> dict[str, Any]:
    context = browser.new_context()
    sign_in_as(context.new_page(), server, "admin")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory, playwright: Any) -> Iterator[Demo]:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is not installed (apt-get install chromium)")

    workdir = tmp_path_factory.mktemp("dashboard")
    settings = live_settings(workdir, f"sqlite:///{workdir}/db.sqlite3")
    settings.archiving.schedule_in_process = False  # the numbers stay put while tests read
    engine = create_db_engine(settings.database.url)
    upgrade_schema(engine)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        idsite, xss_id = _create_sites(session)
        token = auth_service.create_token(session, login="admin", description="browser tests")
    with running_server(settings) as server:
        base = f"http://127.0.0.1:{settings.port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            send_demo_traffic(
                client,
                idsite=idsite,
                token_auth=token,
                start=utc_now() - timedelta(days=DAYS),
                days=DAYS,
                visitors=VISITORS,
            )
        wait_until_processed(server)
        tasks.archive_due(factory, idsite=idsite, max_days=DAYS + 2)
        with factory() as session:
            sites = load_site_configs(session, [idsite, xss_id])
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        found = Demo(
            server=base,
            browser=browser,
            token=token,
            site=sites[idsite],
            xss_site=sites[xss_id],
            app=server.config.app,
            state=_sign_in(browser, base),
            day=local_today(sites[idsite]),
            today=local_today(sites[idsite]),
            segment=SEGMENT,
            factory=factory,
        )
        found.day = _busiest_day(found)
        yield found
        browser.close()
    engine.dispose()


def _busiest_day(demo: Demo) -> date:
    """The recent day with most visits (not today, which is still going on)."""
    first, last = demo.today - timedelta(days=8), demo.today - timedelta(days=1)
    days = demo.api("VisitsSummary.get", period="day", date=f"{first},{last}")
    best = max(days, key=lambda label: (days[label] or {}).get("nb_visits", 0))
    return date.fromisoformat(best)


@pytest.fixture
def page(demo: Demo) -> Iterator[Any]:
    """A page of a fresh browser context signed in as the admin; uncaught errors fail."""
    context = demo.context()
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    yield opened
    context.close()
    assert errors == []
