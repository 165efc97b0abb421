"""The dashboard's pages: each builder takes the request, a database session, the signed-in
user and the language, and returns a template name with its context (or a redirect).

The chrome every page shares — site selector, period and date picker, segment selector,
comparison switch, menu and report search — is built by `chrome`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request

from analytics_server import __version__
from analytics_server.auth import preferences
from analytics_server.auth.sessions import ActiveSession
from analytics_server.dashboard import i18n, menu, views
from analytics_server.errors import AccessDeniedError, AppError, InvalidRequestError
from analytics_server.kit.periods import PERIOD_KINDS
from analytics_server.models import Site
from analytics_server.segments import service as segments_service
from analytics_server.sites import service as sites_service
from analytics_server.sites.service import SiteConfig, load_site_configs
from analytics_server.templating import render

Built = tuple[str, Any]
LAYOUT = "dashboard_layout"
DEFAULT_LAYOUT = [["visits-evolution", "visits-summary"], ["channels", "browsers"], ["page-urls"]]


def local_path(path: str) -> str:
    """Only paths of this server, never another origin (`//evil`, `/\\evil`, `https://...`)."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"


def _viewable(db: Session, active: ActiveSession) -> list[Site]:
    """The sites the user may view, in id order (the site selector needs no more of them)."""
    return [s for s in sites_service.list_sites(db) if active.principal.can_view(s.idsite)]


def _some_viewable(db: Session, active: ActiveSession) -> list[Site]:
    found = _viewable(db, active)
    if not found:
        raise AccessDeniedError("You have no access to any site yet. Ask an administrator.")
    return found


def _site(request: Request, db: Session, active: ActiveSession) -> SiteConfig:
    idsite = int(request.path_params["idsite"])
    if not active.principal.can_view(idsite):
        raise AccessDeniedError("You have no access to this site.")
    configs = load_site_configs(db, [idsite])
    if idsite not in configs:
        raise InvalidRequestError("This site does not exist.")
    return configs[idsite]


def page_view(
    request: Request,
    db: Session,
    active: ActiveSession,
    language: str,
    *,
    site: SiteConfig | None = None,
) -> views.View:
    """The page's view of its site (the path's, unless the caller read it already)."""
    site = site or _site(request, db, active)
    query = dict(request.query_params)
    period = query.get("period", "day")
    if period not in PERIOD_KINDS:
        period = "day"
    when = query.get("date", "today")
    if period == "range" and "," not in when:
        end = query.get("date2") or when
        when = f"{when},{end}"
    return views.View(
        session=db,
        principal=active.principal,
        settings=request.app.state.settings,
        now=request.app.state.clock(),
        site=site,
        period=period,
        date=when,
        segment=query.get("segment", ""),
        language=language,
        query=query,
        csrf=active.csrf,
        path=request.url.path,
    )


def chrome(
    db: Session,
    active: ActiveSession,
    view: views.View,
    current: str,
    *,
    sites: Sequence[Site] | None = None,
) -> dict[str, Any]:
    """What base.html shows around every page; `sites` when the caller has them already."""
    gettext = i18n.gettext_for(view.language)
    site_pages = menu.pages(view.site)
    sections = [
        {
            "slug": slug,
            "title": gettext(title),
            "pages": [
                {"title": gettext(p.title), "path": p.path, "current": p.path == current}
                for p in site_pages
                if p.section == slug
            ],
        }
        for slug, title in menu.SECTIONS
    ]
    keep = {k: v for k, v in view.query.items() if k in ("period", "date", "segment", "compare")}
    first, _, last = view.date.partition(",")
    return {
        "_": gettext,
        "lang": view.language,
        "languages": i18n.LANGUAGES,
        "version": __version__,
        "user": active.principal.login,
        "csrf": active.csrf,
        "site": view.site,
        "sites": _viewable(db, active) if sites is None else sites,
        "sections": sections,
        "current": current,
        "period": view.period,
        "periods": PERIOD_KINDS,
        "date": first,
        "date2": last or first,
        "segment": view.segment,
        "segments": segments_service.archived_segments(db, view.site.idsite),
        "compare": view.query.get("compare") == "1",
        "keep": urlencode(keep),
        "search_titles": sorted({gettext(p.title) for p in site_pages}),
        "current_url": view.path + view.link(),
    }


def report_page(
    request: Request, db: Session, active: ActiveSession, language: str, _form: dict[str, str]
) -> Built:
    view = page_view(request, db, active, language)
    section, slug = request.path_params["section"], request.path_params["slug"]
    chosen = view.query.pop("site", "")
    if chosen.isdigit() and int(chosen) != view.site.idsite:  # the site selector without script
        return "redirect", f"/site/{chosen}/{section}/{slug}?{urlencode(view.query)}"
    page = menu.find(view.site, section, slug)
    if page is None:
        raise InvalidRequestError("There is no such page.")
    widgets = [
        {
            "widget": w,
            "title": i18n.gettext_for(language)(w.title),
            "data": views.render_widget(view, w),
        }
        for w in page.widgets
    ]
    context = chrome(db, active, view, page.path)
    context.update(title=context["_"](page.title), widgets=widgets, view=view)
    return "dashboard/page.html", context


def start(
    _request: Request, db: Session, active: ActiveSession, _language: str, _form: dict[str, str]
) -> Built:
    first = _some_viewable(db, active)[0]
    return "redirect", f"/site/{first.idsite}/visitors/overview"


def all_sites(
    request: Request, db: Session, active: ActiveSession, language: str, _form: dict[str, str]
) -> Built:
    listed = _some_viewable(db, active)
    configs = load_site_configs(db, [s.idsite for s in listed])
    found = [configs[s.idsite] for s in listed if s.idsite in configs]
    view = page_view(request, db, active, language, site=found[0])
    rows = []
    for site in found:
        view.site = site
        summary = view.call("VisitsSummary.get")
        actions = view.call("Actions.get")
        rows.append(
            {
                "site": site,
                "visits": i18n.number(summary.get("nb_visits", 0), language),
                "actions": i18n.number(summary.get("nb_actions", 0), language),
                "pageviews": i18n.number(actions.get("nb_pageviews", 0), language),
            }
        )
    view.site = found[0]
    context = chrome(db, active, view, "sites", sites=listed)
    context.update(title=context["_"]("All websites"), rows=rows)
    return "dashboard/sites.html", context


def save_preferences(
    _request: Request, db: Session, active: ActiveSession, _language: str, form: dict[str, str]
) -> Built:
    language = form.get("language", "")
    if language in i18n.LANGUAGES:
        preferences.put(db, active.principal.login, "language", language)
        db.commit()
    return "redirect", local_path(form.get("back", "/"))


def search(
    request: Request, db: Session, active: ActiveSession, language: str, _form: dict[str, str]
) -> Built:
    site = _site(request, db, active)
    wanted = request.query_params.get("q", "").strip().lower()
    gettext = i18n.gettext_for(language)
    for page in menu.pages(site):
        names = {gettext(page.title).lower(), page.title.lower()}
        names |= {gettext(w.title).lower() for w in page.widgets}
        if wanted and any(wanted in name for name in names):
            keep = urlencode({k: v for k, v in request.query_params.items() if k != "q"})
            return "redirect", f"/site/{site.idsite}/{page.path}" + (f"?{keep}" if keep else "")
    raise InvalidRequestError(gettext("No report matches this search."))


def _layout(db: Session, login: str) -> list[list[str]]:
    saved = preferences.get(db, login, LAYOUT)
    try:
        layout = json.loads(saved) if saved else DEFAULT_LAYOUT
    except ValueError:
        layout = DEFAULT_LAYOUT
    return [[str(w) for w in column] for column in layout][:3] or [[]]


def _change_layout(layout: list[list[str]], form: dict[str, str], known: set[str]) -> None:
    action, widget = form.get("action", ""), form.get("widget", "")
    if widget not in known:
        return
    spot = next(
        ((c, column.index(widget)) for c, column in enumerate(layout) if widget in column), None
    )
    if action == "add" and spot is None:
        target = min(int(form.get("column", "0") or 0), len(layout) - 1)
        layout[max(target, 0)].append(widget)
    if spot is None:
        return
    column, index = spot
    moves = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}
    if action == "remove":
        layout[column].pop(index)
    elif action in moves:
        dc, di = moves[action]
        layout[column].pop(index)
        new_column = min(max(column + dc, 0), len(layout) - 1)
        new_index = min(max(index + di, 0), len(layout[new_column]))
        layout[new_column].insert(new_index if dc == 0 else len(layout[new_column]), widget)


def widgets_page(
    request: Request, db: Session, active: ActiveSession, language: str, form: dict[str, str]
) -> Built:
    view = page_view(request, db, active, language)
    known = menu.all_widgets(view.site)
    layout = _layout(db, active.principal.login)
    while len(layout) < 3:
        layout.append([])
    if request.method == "POST":
        _change_layout(layout, form, set(known))
        preferences.put(db, active.principal.login, LAYOUT, json.dumps(layout))
        db.commit()
        return "redirect", f"/site/{view.site.idsite}/dashboard?{urlencode(view.query)}"
    gettext = i18n.gettext_for(language)
    columns = [
        [
            {
                "widget": known[w],
                "title": gettext(known[w].title),
                "data": views.render_widget(view, known[w]),
            }
            for w in column
            if w in known and known[w].view in views.RENDERERS
        ]
        for column in layout
    ]
    shown = {w for column in layout for w in column}
    addable = sorted(
        (
            (w.id, gettext(w.title))
            for w in known.values()
            if w.id not in shown and w.view in views.RENDERERS
        ),
        key=lambda item: item[1],
    )
    context = chrome(db, active, view, "dashboard")
    context.update(title=gettext("Dashboard"), columns=columns, addable=addable, view=view)
    return "dashboard/widgets.html", context


def error_page(active: ActiveSession, language: str, error: AppError) -> str:
    gettext = i18n.gettext_for(language)
    return render(
        "dashboard/error.html",
        _=gettext,
        lang=language,
        message=error.message,
        user=active.principal.login,
        csrf=active.csrf,
        version=__version__,
    )
