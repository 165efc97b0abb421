"""Fixtures of the tracker tests: one live stack per session, empty raw logs per test."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics_server.cli.quickstart import running_server
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.sites import service as sites_service
from tests.conftest import skip_or_fail
from tests.tracker.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    QuietHandler,
    Stack,
    free_port,
    live_settings,
)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, playwright: Any) -> Iterator[Stack]:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
    workdir = tmp_path_factory.mktemp("browser")
    settings = live_settings(workdir, f"sqlite:///{workdir}/db.sqlite3")
    engine = create_db_engine(settings.database.url)
    upgrade_schema(engine)
    with make_session_factory(engine)() as session, session.begin():
        site = sites_service.create_site(
            session, name="Portal", main_url="http://127.0.0.1", ecommerce=True
        )
        sites_service.create_site(session, name="Second", main_url="http://127.0.0.1")
        goal = sites_service.add_goal(session, idsite=site.idsite, name="Signup")
        company = sites_service.add_custom_dimension(session, idsite=site.idsite, name="Company")
        section = sites_service.add_custom_dimension(
            session, idsite=site.idsite, name="Section", scope="action"
        )
        ids = {
            "goal": goal.idgoal,
            "company": company.idcustomdimension,
            "section": section.idcustomdimension,
        }
    handler = functools.partial(QuietHandler, directory=str(PAGES))
    pages = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    try:
        with running_server(settings) as server:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield Stack(
                engine=engine,
                server=f"http://127.0.0.1:{settings.port}",
                portal=f"http://127.0.0.1:{pages.server_address[1]}",
                browser=browser,
                app=server.config.app,
                ids=ids,
                idle=browser.new_page(),
            )
            browser.close()
    finally:
        pages.shutdown()
        pages.server_close()
        engine.dispose()


@pytest.fixture(autouse=True)
def empty_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """Browser tests start from empty raw logs (other tests here need no browser)."""
    if "stack" not in request.fixturenames:
        yield
        return
    stack: Stack = request.getfixturevalue("stack")
    yield
    stack.forget()
