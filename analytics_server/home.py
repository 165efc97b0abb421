"""The start page at `/start`: what the server holds and the snippet to embed for each site."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from analytics_server import __version__
from analytics_server.errors import InvalidRequestError
from analytics_server.models import LogLinkVisitAction, LogVisit, Site
from analytics_server.sites import service as sites_service
from analytics_server.sites import tracking_code
from analytics_server.templating import render


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


def start_page(
    *, sites: Sequence[Site], base_url: str, visits: int, actions: int, queue_depth: int
) -> str:
    """The page, each site with the snippet `SitesManager.getJavascriptTag` gives for it."""
    snippets = [
        (site, _as_text(tracking_code.javascript_tag(site.idsite, base_url))) for site in sites
    ]
    return render(
        "home.html",
        version=__version__,
        sites=snippets,
        visits=visits,
        actions=actions,
        queue_depth=queue_depth,
    )


def _as_text(snippet: str) -> Markup:
    # Element text needs only <, > and & escaped: the quotes stay as written in the page source.
    return Markup(escape(snippet, quote=False))


async def home_endpoint(request: Request) -> HTMLResponse:
    facts = await run_in_threadpool(_facts, request)
    try:
        html = start_page(base_url=str(request.base_url), **facts)
    except InvalidRequestError as exc:  # a Host header no snippet can hold
        return HTMLResponse(exc.message, status_code=exc.status_code)
    return HTMLResponse(html)
