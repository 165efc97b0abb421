"""HTTP of the dashboard: sign-in and sign-out, the report pages, the site list, preferences.

Every page needs a session (cookie `analytics_session`, HttpOnly, SameSite=Lax); every form
posts the session's CSRF token; pages are sent with a Content-Security-Policy that allows
only this server's own scripts and styles, so a visitor-sent string that slipped through
escaping still could not run.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, quote

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from analytics_server import __version__
from analytics_server.auth import preferences, sessions
from analytics_server.auth.sessions import ActiveSession
from analytics_server.dashboard import email_reports, i18n, pages, row_evolution, visit_pages
from analytics_server.errors import AppError
from analytics_server.templating import render

COOKIE = sessions.COOKIE
LOGIN_CSRF = "analytics_login_csrf"
MAX_FORM = 64 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
Handler = Callable[[Request], Awaitable[Response]]


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})})


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM:
        return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _language(request: Request, active: ActiveSession | None, db: Session) -> str:
    saved = preferences.get(db, active.principal.login, "language") if active else None
    return i18n.choose(saved, request.headers.get("accept-language", ""))


def _active(request: Request, db: Session) -> ActiveSession | None:
    token = request.cookies.get(COOKIE, "")
    return sessions.current(db, token, now=request.app.state.clock()) if token else None


def login_page(
    request: Request, *, error: str = "", status: int = 200, next_path: str | None = None
) -> HTMLResponse:
    state = request.app.state
    with state.session_factory() as db:
        language = _language(request, None, db)
    csrf = request.cookies.get(LOGIN_CSRF) or sessions.new_csrf()
    body = render(
        "dashboard/login.html",
        _=i18n.gettext_for(language),
        lang=language,
        error=error,
        csrf=csrf,
        next=pages.local_path(next_path or request.query_params.get("next", "/")),
        version=__version__,
    )
    response = _html(body, status)
    response.set_cookie(LOGIN_CSRF, csrf, httponly=True, samesite="strict", path="/login")
    return response


async def login_form(request: Request) -> Response:
    return login_page(request)


def _sign_in(request: Request, form: dict[str, str]) -> ActiveSession:
    state = request.app.state
    with state.session_factory() as db:
        return sessions.sign_in(
            db,
            login=form.get("login", ""),
            password=form.get("password", ""),
            ip=_client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            now=state.clock(),
        )


async def login_submit(request: Request) -> Response:
    form = await _form(request)
    if not sessions.csrf_matches(request.cookies.get(LOGIN_CSRF, ""), form.get("csrf", "")):
        return login_page(
            request,
            error="The form expired. Please sign in again.",
            status=400,
            next_path=form.get("next"),
        )
    try:
        active = await run_in_threadpool(_sign_in, request, form)
    except AppError as exc:
        return login_page(
            request, error=exc.message, status=exc.status_code, next_path=form.get("next")
        )
    response = RedirectResponse(pages.local_path(form.get("next", "/")), status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        COOKIE, active.token, httponly=True, samesite="lax", secure=secure, max_age=7 * 86400
    )
    response.delete_cookie(LOGIN_CSRF, path="/login")
    return response


async def logout(request: Request) -> Response:
    form = await _form(request)
    state = request.app.state

    def end() -> None:
        with state.session_factory() as db:
            active = _active(request, db)
            if active and sessions.csrf_matches(active.csrf, form.get("csrf", "")):
                sessions.sign_out(db, active.token)

    await run_in_threadpool(end)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


Builder = Callable[..., tuple[str, str | dict[str, Any]] | Response]


def _here(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return quote(request.url.path + query)


def _serve(request: Request, build: Builder, form: dict[str, str]) -> Response:
    started = time.perf_counter()
    with request.app.state.session_factory() as db:
        active = _active(request, db)
        if active is None:
            return RedirectResponse(f"/login?next={_here(request)}", status_code=303)
        posted = request.method == "POST"
        if posted and not sessions.csrf_matches(active.csrf, form.get("csrf", "")):
            return _html("The form expired; go back and try again.", 400)
        language = _language(request, active, db)
        try:
            built = build(request, db, active, language, form)
            if isinstance(built, Response):  # a file to download
                return built
            template, context = built
        except AppError as exc:
            return _html(pages.error_page(active, language, exc), exc.status_code)
        if template == "redirect":
            return RedirectResponse(str(context), status_code=303)
        assert isinstance(context, dict)
        body = render(template, **context)
    elapsed = (time.perf_counter() - started) * 1000
    return _html(body, headers={"Server-Timing": f"app;dur={elapsed:.1f}"})


def page_handler(build: Builder) -> Handler:
    """A signed-in page: `build(request, db, active, language, form)` gives a template and its
    context, or ("redirect", url). Renders in a worker thread; reports its server time."""

    async def endpoint(request: Request) -> Response:
        form = await _form(request) if request.method == "POST" else {}
        return await run_in_threadpool(_serve, request, build, form)

    return endpoint


def signed_in(handler: Handler) -> Handler:
    """Another page (the start page with tracking snippets) shown only to signed-in users."""

    async def endpoint(request: Request) -> Response:
        def check() -> bool:
            with request.app.state.session_factory() as db:
                return _active(request, db) is not None

        if not await run_in_threadpool(check):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return await handler(request)

    return endpoint


ROUTES = (
    ("/login", login_form, ["GET"]),
    ("/login", login_submit, ["POST"]),
    ("/logout", logout, ["POST"]),
    ("/", page_handler(pages.start), ["GET"]),
    ("/sites", page_handler(pages.all_sites), ["GET"]),
    ("/preferences", page_handler(pages.save_preferences), ["POST"]),
    ("/site/{idsite:int}/search", page_handler(pages.search), ["GET"]),
    ("/site/{idsite:int}/dashboard", page_handler(pages.widgets_page), ["GET", "POST"]),
    ("/site/{idsite:int}/visitor/{visitor}", page_handler(visit_pages.visitor_page), ["GET"]),
    (
        "/site/{idsite:int}/realtime-fragment",
        page_handler(visit_pages.realtime_fragment),
        ["GET"],
    ),
    (
        "/site/{idsite:int}/row-evolution",
        page_handler(row_evolution.row_evolution_page),
        ["GET"],
    ),
    ("/site/{idsite:int}/email-reports", page_handler(email_reports.page), ["GET", "POST"]),
    (
        "/site/{idsite:int}/email-reports/{idreport:int}/download",
        page_handler(email_reports.download),
        ["GET"],
    ),
    ("/site/{idsite:int}/{section}/{slug}", page_handler(pages.report_page), ["GET"]),
)
