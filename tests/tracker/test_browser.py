"""Our tracker in a real browser (Debian's Chromium via Playwright) against the live server."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from analytics_server.cli.quickstart import running_server
from analytics_server.config import DatabaseSettings, Settings
from analytics_server.db import create_db_engine, make_session_factory, upgrade_schema
from analytics_server.models import Base
from analytics_server.sites import service as sites_service
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the test portal's pages without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Stack:
    def __init__(self, engine: sa.Engine, server: str, portal: str, browser: Any) -> None:
        self.engine, self.server, self.portal, self.browser = engine, server, portal, browser
        self.app: Any = None

    def forget(self) -> None:
        """Empty the raw logs and the server's caches of them, between tests."""
        with self.engine.begin() as conn:
            for name in LOG_TABLES:
                conn.execute(Base.metadata.tables[name].delete())
        self.app.state.ingest.processor.reset()
        self.app.state.tracker.actions.forget_all()

    def rows(self, sql: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.text(sql)).mappings()]

    def actions(self) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT a.*, u.name AS url_name, n.name AS title, c.name AS category, "
            "e.name AS event_action FROM log_link_visit_action a "
            "LEFT JOIN log_action u ON u.idaction = a.idaction_url "
            "LEFT JOIN log_action n ON n.idaction = a.idaction_name "
            "LEFT JOIN log_action c ON c.idaction = a.idaction_event_category "
            "LEFT JOIN log_action e ON e.idaction = a.idaction_event_action "
            "ORDER BY a.idlink_va"
        )

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the browser's hits did not arrive in time"
            time.sleep(0.1)

    def open(
        self,
        *,
        setup: list[list[Any]] | None = None,
        track: list[list[Any]] | None = None,
        site: int = 1,
        broken: bool = False,
        init: str | None = None,
        server: str | None = None,
    ) -> Any:
        context = self.browser.new_context()
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors  # type: ignore[attr-defined]
        if init:
            page.add_init_script(init)
        query = f"t={quote((server or self.server) + '/')}&site={site}"
        if setup:
            query += "&setup=" + quote(json.dumps(setup))
        if track is not None:
            query += "&track=" + quote(json.dumps(track))
        if broken:
            query += "&broken=1"
        page.goto(f"{self.portal}/portal.html?{query}")
        page.wait_for_function("window.AnalyticsTracker !== undefined")
        return page


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if shutil.which("node") is None and not Path(CHROMIUM).exists():
        skip_or_fail("no browser")
    from playwright.sync_api import sync_playwright

    workdir = tmp_path_factory.mktemp("browser")
    settings = Settings(
        database=DatabaseSettings(url=f"sqlite:///{workdir}/db.sqlite3"),
        data_dir=workdir,
        port=free_port(),
    )
    settings.ingest.inline = True  # a hit is in the raw logs when the browser gets its answer
    engine = create_db_engine(settings.database.url)
    upgrade_schema(engine)
    with make_session_factory(engine)() as session, session.begin():
        site = sites_service.create_site(
            session, name="Portal", main_url="http://127.0.0.1", ecommerce=True
        )
        sites_service.create_site(session, name="Second", main_url="http://127.0.0.1")
        sites_service.add_goal(session, idsite=site.idsite, name="Signup")
        sites_service.add_custom_dimension(session, idsite=site.idsite, name="Company")
    portal_port = free_port()
    handler = functools.partial(QuietHandler, directory=str(PAGES))
    pages = http.server.ThreadingHTTPServer(("127.0.0.1", portal_port), handler)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    with running_server(settings) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        stack = Stack(
            engine, f"http://127.0.0.1:{settings.port}", f"http://127.0.0.1:{portal_port}", browser
        )
        stack.app = server.config.app
        yield stack
        browser.close()
    pages.shutdown()
    pages.server_close()
    engine.dispose()


@pytest.fixture(autouse=True)
def empty_logs(stack: Stack) -> Iterator[None]:
    yield
    stack.forget()


def test_page_view_carries_title_url_resolution_and_timings(stack: Stack) -> None:
    page = stack.open()
    stack.wait_for(lambda: len(stack.actions()) == 1)
    [action] = stack.actions()
    assert action["title"] == "Partner portal – start"
    assert "/portal.html?" in action["url_name"]
    assert action["time_server"] is not None  # Navigation Timing arrived as pf_*
    [visit] = stack.rows("SELECT * FROM log_visit")
    assert visit["config_resolution"] != "unknown"
    assert visit["config_browser_name"] in ("CH", "HC")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tracker-portal.png"))
    page.context.close()


def test_single_page_app_with_three_route_changes(stack: Stack) -> None:
    page = stack.open()
    for route in ("/app/dashboard", "/app/orders", "/app/orders/42"):
        page.evaluate(
            """route => {
                _paq.push(['setReferrerUrl', location.href]);
                _paq.push(['setCustomUrl', location.origin + route]);
                _paq.push(['setDocumentTitle', 'App ' + route]);
                _paq.push(['trackPageView']);
            }""",
            route,
        )
    stack.wait_for(lambda: len(stack.actions()) == 4)
    titles = [a["title"] for a in stack.actions()]
    assert titles[1:] == ["App /app/dashboard", "App /app/orders", "App /app/orders/42"]
    [visit] = stack.rows("SELECT * FROM log_visit")
    assert visit["visit_total_actions"] == 4
    page.context.close()


def test_outlink_and_download_clicks_are_tracked_ignored_links_not(stack: Stack) -> None:
    page = stack.open(setup=[["enableLinkTracking"]])
    stack.wait_for(lambda: len(stack.actions()) == 1)
    for link in ("#outlink", "#download", "#internal", "#ignored"):
        page.click(link)
    stack.wait_for(lambda: len(stack.actions()) >= 3)
    time.sleep(0.5)
    kinds = [(a["action_type"], a["url_name"]) for a in stack.actions()[1:]]
    assert (2, "https://partner.example.org/offer") in kinds
    assert any(kind == 3 and url.endswith("/files/setup.zip") for kind, url in kinds)
    assert len(kinds) == 2  # no hit for the internal link or the ignored one
    page.context.close()


def test_consent_required_then_given(stack: Stack) -> None:
    page = stack.open(setup=[["requireConsent"]])
    time.sleep(1.0)
    assert stack.actions() == []  # nothing leaves the browser before consent
    assert "_pk_id" not in str(page.context.cookies())
    page.evaluate("_paq.push(['setConsentGiven'])")
    stack.wait_for(lambda: len(stack.actions()) == 1)
    assert "_pk_id" in str(page.context.cookies())
    page.context.close()


def test_cookieless_mode_tracks_without_cookies(stack: Stack) -> None:
    page = stack.open(setup=[["disableCookies"]])
    stack.wait_for(lambda: len(stack.actions()) == 1)
    assert [c for c in page.context.cookies() if c["name"].startswith("_pk_")] == []
    [visit] = stack.rows("SELECT * FROM log_visit")
    assert not visit["config_cookie"]
    page.context.close()


def test_browser_do_not_track_is_honoured_when_asked(stack: Stack) -> None:
    dnt = "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'});"
    page = stack.open(setup=[["setDoNotTrack", True]], init=dnt)
    time.sleep(1.0)
    assert stack.actions() == []
    page.context.close()
    page = stack.open(init=dnt)  # the portal did not ask to honour DNT: tracked
    stack.wait_for(lambda: len(stack.actions()) == 1)
    page.context.close()


def test_hits_kept_while_the_server_is_unreachable_arrive_once(stack: Stack) -> None:
    page = stack.open()
    stack.wait_for(lambda: len(stack.actions()) == 1)
    page.context.route("**/matomo.php*", lambda route: route.abort())  # network down
    for n in range(3):
        page.evaluate("n => _paq.push(['trackEvent', 'Offline', 'click', 'button ' + n])", n)
    time.sleep(1.0)
    assert len(stack.actions()) == 1
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('_pk_queue_')).length")
        == 1
    )
    page.context.unroute("**/matomo.php*")
    stack.wait_for(lambda: len(stack.actions()) == 4, timeout=15)  # retried every few seconds
    time.sleep(6.0)  # another retry round must not send them again
    names = [a["title"] for a in stack.actions()[1:]]
    assert names == ["button 0", "button 1", "button 2"]
    page.context.close()


def test_a_503_answer_keeps_the_hit_for_later(stack: Stack) -> None:
    page = stack.open(track=[])
    page.context.route("**/matomo.php*", lambda route: route.fulfill(status=503, body="busy"))
    page.evaluate("_paq.push(['trackEvent', 'Busy', 'retry'])")
    time.sleep(1.0)
    page.context.unroute("**/matomo.php*")
    stack.wait_for(lambda: len(stack.actions()) == 1, timeout=15)
    assert stack.actions()[0]["category"] == "Busy"
    page.context.close()


def test_a_misconfigured_tracker_never_breaks_the_page(stack: Stack) -> None:
    page = stack.open(broken=True, track=[["trackPageView"], ["noSuchMethod", 1]])
    page.click("#works")
    assert page.inner_text("#out") == "clicked"
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_events_search_goal_ecommerce_content_dimension_and_user(stack: Stack) -> None:
    page = stack.open(setup=[["setUserId", "anna@example.com"], ["setCustomDimension", 1, "ACME"]])
    page.evaluate(
        """() => {
            _paq.push(['trackEvent', 'Article', 'radio-button click', 'Tariff', 2]);
            _paq.push(['trackSiteSearch', 'install guide', 'Docs', 0]);
            _paq.push(['trackGoal', 1, 9.5]);
            _paq.push(['addEcommerceItem', 'SKU-1', 'Cement', 'Building', 9.5, 2]);
            _paq.push(['trackEcommerceOrder', 'A-1', 19, 19]);
            _paq.push(['trackAllContentImpressions']);
            var target = document.querySelector('[data-content-target]');
            _paq.push(['trackContentInteractionNode', target, 'click']);
        }"""
    )
    stack.wait_for(lambda: len(stack.rows("SELECT * FROM log_conversion")) == 2)
    stack.wait_for(lambda: len(stack.actions()) == 5)
    kinds = [a["action_type"] for a in stack.actions()]
    assert kinds == [1, 10, 8, 13, 13]
    event = stack.actions()[1]
    assert (event["category"], event["event_action"], event["custom_float"]) == (
        "Article",
        "radio-button click",
        2.0,
    )
    assert stack.actions()[2]["title"] == "install guide"
    [visit] = stack.rows("SELECT * FROM log_visit")
    assert visit["user_id"] == "anna@example.com"
    assert visit["custom_dimension_1"] == "ACME"
    orders = stack.rows("SELECT * FROM log_conversion WHERE idgoal = 0")
    assert orders[0]["idorder"] == "A-1"
    assert orders[0]["items"] == 2
    page.context.close()


def test_two_trackers_on_one_page(stack: Stack) -> None:
    second = stack.server + "/matomo.php"
    page = stack.open(setup=[["addTracker", second, 2]])
    stack.wait_for(lambda: len(stack.rows("SELECT DISTINCT idsite FROM log_visit")) == 2)
    page.context.close()


def test_heartbeat_pings_when_the_visitor_leaves_the_tab(stack: Stack) -> None:
    page = stack.open(setup=[["enableHeartBeatTimer", 5]])
    stack.wait_for(lambda: len(stack.actions()) == 1)
    time.sleep(5.5)
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    stack.wait_for(
        lambda: stack.rows("SELECT visit_total_time FROM log_visit")[0]["visit_total_time"] >= 5
    )
    assert len(stack.actions()) == 1  # a ping is no action
    page.context.close()


def test_opt_out_widget_stops_and_resumes_tracking(stack: Stack) -> None:
    page = stack.open()
    stack.wait_for(lambda: len(stack.actions()) == 1)
    box = page.locator("#analytics-opt-out-checkbox")
    box.wait_for()
    assert box.is_checked()
    box.uncheck()
    assert "no longer measured" in page.inner_text("#analytics-opt-out")
    page.evaluate("_paq.push(['trackEvent', 'After', 'opt-out'])")
    time.sleep(1.0)
    assert len(stack.actions()) == 1  # opted out: nothing left the browser
    page.locator("#analytics-opt-out-checkbox").check()
    page.evaluate("_paq.push(['trackEvent', 'After', 'opt-in'])")
    stack.wait_for(lambda: len(stack.actions()) == 2)
    page.context.close()


def test_opt_out_widget_speaks_russian(stack: Stack) -> None:
    page = stack.open()
    page.goto(page.url + "&lang=ru")
    page.locator("#analytics-opt-out-checkbox").wait_for()
    assert "Учитывать мои посещения" in page.inner_text("#analytics-opt-out")
    page.context.close()


def test_cookie_consent_cart_variables_and_visitor_id_api(stack: Stack) -> None:
    page = stack.open(
        setup=[
            ["requireCookieConsent"],
            ["setCookiePath", "/"],
            ["setCustomVariable", 1, "Role", "dealer", "visit"],
        ]
    )
    stack.wait_for(lambda: len(stack.actions()) == 1)  # tracked, but without cookies yet
    assert not [c for c in page.context.cookies() if c["name"].startswith("_pk_id")]
    page.evaluate("_paq.push(['rememberCookieConsentGiven'])")
    visitor = page.evaluate("AnalyticsTracker.getAsyncTracker().getVisitorId()")
    assert len(visitor) == 16
    page.evaluate(
        """() => {
            _paq.push(['addEcommerceItem', 'SKU-1', 'Cement', 'Building', 9.5, 2]);
            _paq.push(['addEcommerceItem', 'SKU-2', 'Sand', 'Building', 3, 1]);
            _paq.push(['removeEcommerceItem', 'SKU-2']);
            _paq.push(['trackEcommerceCartUpdate', 19]);
            _paq.push(['ping']);
        }"""
    )
    stack.wait_for(lambda: len(stack.rows("SELECT * FROM log_conversion_item")) == 1)
    assert [c for c in page.context.cookies() if c["name"].startswith("_pk_id")]
    [visit] = stack.rows("SELECT * FROM log_visit")
    assert (visit["custom_var_k1"], visit["custom_var_v1"]) == ("Role", "dealer")
    assert visit["idvisitor"].hex() == visitor
    [cart] = stack.rows("SELECT * FROM log_conversion")
    assert (cart["idgoal"], cart["items"]) == (-1, 2)
    page.context.close()


def test_hits_made_while_the_server_is_stopped_arrive_after_its_restart(stack: Stack) -> None:
    settings = Settings(
        database=DatabaseSettings(url=str(stack.engine.url)),
        data_dir=Path(str(stack.engine.url.database)).parent / "second-server",  # its own spool
        port=free_port(),
    )
    settings.ingest.inline = True
    other = f"http://127.0.0.1:{settings.port}"
    with running_server(settings) as server:
        page = stack.open(server=other)  # the page loads the tracker from it and tracks to it
        stack.wait_for(lambda: len(stack.actions()) == 1)
        server.config.app.state.ingest.processor.reset()
    # The server is down now: the tracker keeps what it cannot send.
    for n in range(3):
        page.evaluate("n => _paq.push(['trackEvent', 'Stopped', 'click', 'hit ' + n])", n)
    time.sleep(1.0)
    with running_server(settings):
        stack.wait_for(lambda: len(stack.actions()) == 4, timeout=15)
        time.sleep(6.0)  # a later retry round must not send them again
        assert [a["title"] for a in stack.actions()[1:]] == ["hit 0", "hit 1", "hit 2"]
    page.context.close()


def test_visible_content_impressions_only_count_what_is_on_screen(stack: Stack) -> None:
    page = stack.open(track=[])
    page.evaluate(
        """() => {
            const below = document.createElement('div');
            below.setAttribute('data-track-content', '');
            below.setAttribute('data-content-name', 'Footer banner');
            below.style.marginTop = '5000px';
            below.style.height = '20px';
            document.body.appendChild(below);
            _paq.push(['trackVisibleContentImpressions']);
        }"""
    )
    stack.wait_for(lambda: len(stack.actions()) == 1)
    time.sleep(0.5)
    names = stack.rows(
        "SELECT n.name FROM log_link_visit_action a "
        "JOIN log_action n ON n.idaction = a.idaction_content_name"
    )
    assert names == [{"name": "Spring banner"}]  # the footer banner is far below the fold
    page.context.close()
