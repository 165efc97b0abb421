"""The tracker tests' harness: a live server, a cross-origin test portal, Debian's Chromium.

The server runs as in production: hits go through the ingest queue and a consumer thread writes
them a moment later, so every check on the raw logs polls until the rows are there.
"""

from __future__ import annotations

import http.server
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.config import DatabaseSettings, Settings
from analytics_server.models import Base
from tests import factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PAGES = Path(__file__).parent / "pages"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LOG_TABLES = (
    "log_link_visit_action",
    "log_visit",
    "log_conversion",
    "log_conversion_item",
    "log_action",
    "ingest_key",
    "tracking_failure",
)
WAIT_SECONDS = 5.0
RETRY_WAIT_SECONDS = 15.0  # the tracker retries kept hits every 5 s


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def live_settings(workdir: Path, database_url: str) -> Settings:
    settings = Settings(
        database=DatabaseSettings(url=database_url), data_dir=workdir, port=free_port()
    )
    settings.ingest.consumer = "thread"  # asynchronous like production, inside this process
    return settings


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the test portal's pages without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Sent:
    """What left a page for the tracker URL, one dict of parameters per hit."""

    hits: list[dict[str, str]] = field(default_factory=list)
    bulks: int = 0

    def record(self, request: Any) -> None:
        if not urlsplit(request.url).path.endswith("matomo.php"):
            return
        body = request.post_data or ""
        if body.startswith("{"):
            self.bulks += 1
            for entry in json.loads(body)["requests"]:
                self.hits.append(dict(parse_qsl(entry.lstrip("?"))))
        else:
            self.hits.append(dict(parse_qsl(body or urlsplit(request.url).query)))


@dataclass
class Stack:
    engine: sa.Engine
    server: str
    portal: str
    browser: Any
    app: Any
    ids: dict[str, int]
    idle: Any = None  # a blank page to wait on

    def pause(self, seconds: float) -> None:
        """Wait while Playwright works: its sync API runs route handlers and request events only
        inside its own calls, so a plain sleep would leave aborted routes hanging."""
        self.idle.wait_for_timeout(seconds * 1000)

    def wait_for(self, condition: Callable[[], Any], timeout: float = WAIT_SECONDS) -> None:
        """Poll until `condition()` is true: hits reach the raw logs a moment after the answer."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the expected hits did not arrive in time"
            self.pause(0.1)

    def forget(self) -> None:
        """Empty the raw logs and the server's caches of them, between tests."""
        self.wait_for(lambda: self.app.state.ingest.queue.depth() == 0)
        with self.engine.begin() as conn:
            for name in LOG_TABLES:
                conn.execute(Base.metadata.tables[name].delete())
        self.app.state.ingest.processor.reset()
        self.app.state.tracker.actions.forget_all()

    def read(self, fn: Callable[[Session], Any]) -> Any:
        with Session(self.engine) as session:
            return fn(session)

    def visits(self) -> list[dict[str, Any]]:
        return list(self.read(factories.visits))

    def conversions(self) -> list[dict[str, Any]]:
        return list(self.read(factories.conversions))

    def items(self) -> list[dict[str, Any]]:
        return list(self.read(factories.items))

    def actions(self) -> list[dict[str, Any]]:
        """Action rows with their dictionary names resolved (`url`, `name`, `category`...)."""

        def load(session: Session) -> list[dict[str, Any]]:
            rows = factories.actions(session)
            for row in rows:
                row["url"] = factories.url_of(session, row["idaction_url"])
                for key, column in (
                    ("name", "idaction_name"),
                    ("category", "idaction_event_category"),
                    ("event_action", "idaction_event_action"),
                    ("content_name", "idaction_content_name"),
                    ("content_piece", "idaction_content_piece"),
                    ("interaction", "idaction_content_interaction"),
                ):
                    row[key] = factories.name_of(session, row[column])
            return rows

        return list(self.read(load))

    def wait_actions(self, count: int, timeout: float = WAIT_SECONDS) -> list[dict[str, Any]]:
        """Wait for exactly `count` actions, then half a second more to catch extra ones."""
        self.wait_for(lambda: len(self.actions()) >= count, timeout)
        self.pause(0.5)
        rows = self.actions()
        assert len(rows) == count, [(r["action_type"], r["name"], r["url"]) for r in rows]
        return rows

    def open(
        self,
        *,
        setup: list[list[Any]] | None = None,
        track: list[list[Any]] | None = None,
        site: int = 1,
        broken: bool = False,
        init: str | None = None,
        server: str | None = None,
        page_name: str = "portal.html",
        context: Any = None,
        extra: str = "",
    ) -> Any:
        """Open a portal page in a fresh browser context (or `context`); `page.sent` collects
        what the page sent to the tracker URL, `page.errors` the page's uncaught errors."""
        context = context or self.browser.new_context()
        page = context.new_page()
        page.errors = []
        page.sent = Sent()
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("request", page.sent.record)
        if init:
            page.add_init_script(init)
        query = f"t={quote((server or self.server) + '/')}&site={site}"
        if setup:
            query += "&setup=" + quote(json.dumps(setup))
        if track is not None:
            query += "&track=" + quote(json.dumps(track))
        if broken:
            query += "&broken=1"
        query += extra  # last, so that it may end with a #fragment
        page.goto(f"{self.portal}/{page_name}?{query}")
        page.wait_for_function("window.AnalyticsTracker !== undefined")
        return page


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
