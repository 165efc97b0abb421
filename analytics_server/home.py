"""The start page at `/`: what the server holds and the snippet to embed, until the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from analytics_server import __version__
from analytics_server.models import LogLinkVisitAction, LogVisit
from analytics_server.sites import service as sites_service

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True)
)


def _facts(request: Request) -> dict[str, Any]:
    state = request.app.state
    with state.session_factory() as session:
        count = session.scalar
        return {
            "sites": sites_service.list_sites(session),
            "visits": count(sa.select(sa.func.count()).select_from(LogVisit)) or 0,
            "actions": count(sa.select(sa.func.count()).select_from(LogLinkVisitAction)) or 0,
            "queue_depth": state.ingest.queue.depth(),
        }


async def home_endpoint(request: Request) -> HTMLResponse:
    facts = await run_in_threadpool(_facts, request)
    base_url = str(request.base_url).rstrip("/")
    html = _env.get_template("home.html").render(version=__version__, base_url=base_url, **facts)
    return HTMLResponse(html)
