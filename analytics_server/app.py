"""The ASGI application: wiring of settings, database, tracker context and routes."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.responses import JSONResponse
from starlette.routing import Route

from analytics_server import __version__
from analytics_server.config import Settings, get_settings
from analytics_server.db import create_db_engine, make_session_factory
from analytics_server.tracking.context import TrackerContext
from analytics_server.tracking.endpoints import tracking_endpoint

TRACKING_PATHS = ("/matomo.php", "/piwik.php", "/js/tracker.php")


async def _health(_request: object) -> JSONResponse:
    return JSONResponse({"status": "ok", "version": __version__})


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    tracker: TrackerContext | None = None,
) -> FastAPI:
    """Build the app; tests pass their own engine and tracker context (clock, GeoIP reader)."""
    settings = settings or get_settings()
    engine = engine or create_db_engine(
        settings.database.url, echo=settings.database.echo, pool_size=settings.database.pool_size
    )
    app = FastAPI(title="Analytics server", version=__version__)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.tracker = tracker or TrackerContext.from_settings(settings)
    for path in TRACKING_PATHS:
        app.router.routes.append(
            Route(path, tracking_endpoint, methods=["GET", "POST", "OPTIONS"], name=path)
        )
    app.router.routes.append(Route("/healthz", _health, methods=["GET"]))
    return app
