"""The ASGI application: wiring of settings, database, tracker context and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from sqlalchemy.engine import Engine
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from analytics_server import __version__
from analytics_server.archiving.scheduler import ArchiveScheduler
from analytics_server.config import Settings, get_settings
from analytics_server.dashboard import endpoints as dashboard
from analytics_server.db import create_db_engine, make_session_factory
from analytics_server.home import home_endpoint
from analytics_server.kit.access_log import AccessLog
from analytics_server.reports import openapi as api_docs
from analytics_server.reports.endpoints import api_endpoint, api_or
from analytics_server.scheduled_reports.scheduler import EmailScheduler
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.endpoints import (
    TRACKING_PATHS,
    answer_tracking,
    tracking_endpoint,
)
from analytics_server.tracking.metrics import metrics_endpoint
from analytics_server.tracking.optout import optout_endpoint
from analytics_server.tracking.runtime import IngestRuntime
from analytics_server.tracking.script import script_endpoint

STATIC = Path(__file__).resolve().parent / "static"


async def _docs(_request: object) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Analytics server API",
        swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
    )


_TRACKING = frozenset(TRACKING_PATHS)


class AnalyticsApp(FastAPI):
    """FastAPI with the tracking paths answered before anything of FastAPI's runs, and (in
    `access_log=pages` mode) an access log of everything else."""

    access_log = "pages"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in _TRACKING:
            scope["app"] = self  # the endpoint reads settings and the queue from app.state
            await answer_tracking(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return AccessLog(stack) if self.access_log == "pages" else stack


async def _health(_request: object) -> JSONResponse:
    return JSONResponse({"status": "ok", "version": __version__})


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    tracker: TrackerContext | None = None,
) -> AnalyticsApp:
    """Build the app; tests pass their own engine and tracker context (clock, GeoIP reader)."""
    settings = settings or get_settings()
    engine = engine or create_db_engine(
        settings.database.url, echo=settings.database.echo, pool_size=settings.database.pool_size
    )
    factory = make_session_factory(engine)
    tracker = tracker or TrackerContext.from_settings(settings)
    ingest = IngestRuntime(settings, factory, tracker)
    archiver = (
        ArchiveScheduler(factory, settings.archiving)
        if settings.archiving.schedules_in_process(settings.ingest)
        else None
    )
    mailer = (
        EmailScheduler(factory, settings)
        if settings.email.configured and settings.email.schedules_in_process(settings.ingest)
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ingest.start()
        if archiver is not None:
            archiver.start()
        if mailer is not None:
            mailer.start()
        try:
            yield
        finally:
            if mailer is not None:
                mailer.stop()
            if archiver is not None:
                archiver.stop()
            ingest.stop()

    app = AnalyticsApp(
        title="Analytics server",
        version=__version__,
        description=api_docs.DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below with Swagger UI from our own files: no CDN
        redoc_url=None,
    )
    app.access_log = settings.access_log
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.tracker = tracker
    app.state.clock = tracker.clock  # one clock for hits and reports (tests set it)
    app.state.ingest = ingest
    # Routes for the schema and for clarity; AnalyticsApp answers these paths itself.
    for path in TRACKING_PATHS:
        app.router.routes.append(
            Route(path, tracking_endpoint, methods=["GET", "POST", "OPTIONS"], name=path)
        )
    for path in ("/matomo.js", "/piwik.js", "/tracker.js"):
        app.router.routes.append(Route(path, script_endpoint, methods=["GET", "HEAD"]))
    app.router.routes.append(Route("/optout.js", optout_endpoint, methods=["GET"]))
    for path, endpoint, methods in dashboard.ROUTES:
        if path == "/":
            endpoint = api_or(endpoint)  # Matomo clients call /?module=API too
        app.router.routes.append(Route(path, endpoint, methods=methods))
    app.router.routes.append(Route("/start", dashboard.signed_in(home_endpoint), methods=["GET"]))
    for method in ("GET", "POST"):
        app.add_api_route(
            "/index.php",
            api_endpoint,
            methods=[method],
            summary="Reporting API (Matomo-compatible)",
            openapi_extra=api_docs.operation(),
            operation_id=f"reporting_api_{method.lower()}",
            tags=["Reporting API"],
        )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.router.routes.append(Route("/docs", _docs, methods=["GET"]))
    app.router.routes.append(Route("/healthz", _health, methods=["GET"]))
    app.router.routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    return app
