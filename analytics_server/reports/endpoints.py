"""HTTP: `/index.php?module=API&method=...` (GET and POST), answered in the requested format.

Who calls: `token_auth` (query or form body) or `Authorization: Bearer`; without one, the
`anonymous` user with the view access sites granted it. Errors come back in Matomo's shape:
HTTP 401 for access, 400 for an unknown method, 200 with an error body for everything else
(Matomo clients read the body, not the status, for those).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from analytics_server.auth import service as auth_service
from analytics_server.auth import sessions
from analytics_server.auth.service import Principal
from analytics_server.errors import AccessDeniedError, AppError
from analytics_server.reports import api
from analytics_server.reports.formats import FORMATS, Rendered, render, render_error
from analytics_server.reports.params import Params
from analytics_server.reports.service import Call, MethodNotFoundError

log = logging.getLogger(__name__)
MAX_BODY = 4 * 1024 * 1024
Endpoint = Callable[[Request], Awaitable[Response]]


def _token(request: Request, params: Params) -> str:
    token = params.get("token_auth").strip()
    header = request.headers.get("authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:].strip()
    return token


def _dashboard_session(
    request: Request, session: Session, params: Params, token: str
) -> Principal | None:
    """`force_api_session=1`: the dashboard's own calls (exports), authenticated by its session
    cookie together with the session's CSRF token as token_auth, so another site cannot make
    a signed-in browser call the API."""
    if params.get("force_api_session") != "1":
        return None
    cookie = request.cookies.get(sessions.COOKIE, "")
    active = sessions.current(session, cookie, now=request.app.state.clock()) if cookie else None
    if active is None or not sessions.csrf_matches(active.csrf, token):
        return None
    return active.principal


def _principal(request: Request, session: Session, params: Params) -> Principal:
    token = _token(request, params)
    signed_in = _dashboard_session(request, session, params, token)
    if signed_in is not None:
        return signed_in
    if not token or token == auth_service.ANONYMOUS:
        return auth_service.anonymous_principal(session)
    found = auth_service.principal_for_token(session, token)
    if found is None:
        raise AccessDeniedError(
            "The token_auth is not valid or has expired. Create a new one: "
            "analytics-server token create --login YOU."
        )
    return found


def _call(request: Request, params: Params) -> Call:
    state = request.app.state
    session = state.session_factory()
    try:
        principal = _principal(request, session, params)
    except AppError:
        session.close()
        raise
    return Call(session, principal, params, state.clock(), state.settings)


def answer(request: Request, params: Params) -> Rendered:
    """Run the call in this (worker) thread and render its result or its error."""
    fmt = params.get("format", "xml").strip().lower() or "xml"
    if fmt not in FORMATS:
        fmt = "xml"
    options: dict[str, Any] = {
        "callback": params.get("callback") or params.get("jsoncallback"),
        "unicode": params.get("convertToUnicode", "1") != "0",
    }
    call: Call | None = None
    try:
        call = _call(request, params)
        result = api.dispatch(call)
        return render(result, fmt, **options)
    except AppError as exc:
        status = exc.status_code if isinstance(exc, AccessDeniedError) else 200
        if isinstance(exc, MethodNotFoundError):
            status = 400
        return _with_status(render_error(exc.message, fmt, **options), status)
    except Exception:
        log.exception("API call failed: %s", params.get("method")[:100])
        message = "An internal error occurred; the server log has the details."
        return _with_status(render_error(message, fmt, **options), 500)
    finally:
        if call is not None:
            call.session.close()


def _with_status(rendered: Rendered, status: int) -> Rendered:
    return dataclasses.replace(rendered, status=status)


async def api_endpoint(request: Request) -> Response:
    body = b""
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response("request body too large", status_code=413)
    content_type = request.headers.get("content-type", "")
    form = body.decode("utf-8", "replace") if "json" not in content_type else ""
    params = Params.from_query(request.url.query, form)
    # Facts of the request a method may need, under names no client can set.
    params = params.with_overrides(
        {
            "_client_ip": request.client.host if request.client else "",
            "_base_url": str(request.base_url).rstrip("/"),
        }
    )
    if params.get("module", "API") != "API":
        return Response(
            "Only module=API is served at this address; the dashboard is at /.",
            status_code=400,
            media_type="text/plain",
        )
    rendered = await run_in_threadpool(answer, request, params)
    headers = {**rendered.headers, "X-Content-Type-Options": "nosniff"}
    status = rendered.status
    return Response(
        rendered.body, status_code=status, media_type=rendered.media_type, headers=headers
    )


def api_or(page: Endpoint) -> Endpoint:
    """`/` serves the API when asked for `module=API` (Matomo clients call `/?module=API`)."""

    async def endpoint(request: Request) -> Response:
        if request.query_params.get("module") == "API":
            return await api_endpoint(request)
        return await page(request)

    return endpoint
