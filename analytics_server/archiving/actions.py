"""Action records: page URLs and titles (folder trees with entry, exit, time and load-time
metrics), downloads and outlinks by host, site search, Actions.get and PagePerformance.get.

Eight GROUP BYs over the staged day feed all of them: hits per URL and per name (all action
types at once), time on page by referring URL and name, entries and exits by URL and name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.archiving import pagetree
from analytics_server.archiving.metrics import (
    flag,
    grouped,
    hit_metrics,
    performance_metrics,
)
from analytics_server.archiving.records import Metrics, Record, Table, add_metrics
from analytics_server.archiving.repository import ActionName, action_names
from analytics_server.archiving.scope import Scope
from analytics_server.kit.urls import url_host
from analytics_server.models import log as m

PAGE_URLS = "Actions_getPageUrls"
PAGE_TITLES = "Actions_getPageTitles"
SEARCH_KEYWORDS = "Actions_getSiteSearchKeywords"
SUMMARY = "Actions_get"


def _entries(scope: Scope, column: str, prefix: str) -> dict[Any, Metrics]:
    v = scope.visits
    metrics = [
        sa.func.count().label(f"{prefix}_nb_visits"),
        sa.func.count(sa.distinct(v.c.vkey)).label(f"{prefix}_nb_uniq_visitors"),
    ]
    if prefix == "entry":
        metrics += [
            sa.func.sum(v.c.visit_total_actions).label("entry_nb_actions"),
            sa.func.sum(v.c.visit_total_time).label("entry_sum_visit_length"),
            sa.func.sum(flag(v.c.visit_total_actions <= 1)).label("entry_bounce_count"),
        ]
    key = v.c[column]
    found = grouped(scope, source=v, keys=[key], metrics=metrics, where=[key.is_not(None)])
    return {k[0]: value for k, value in found.items()}


def _by_url_and_name(
    scope: Scope, url: str, name: str, metrics: list[Any], *where: Any
) -> tuple[dict[Any, Metrics], dict[Any, Metrics]]:
    """One GROUP BY on (URL id, name id) pairs, summed per URL and per name in Python: exact
    for sums, counts, minima and maxima, and half the scans of grouping twice."""
    a = scope.actions
    found = grouped(scope, source=a, keys=[a.c[url], a.c[name]], metrics=metrics, where=list(where))
    by_url: dict[Any, Metrics] = {}
    by_name: dict[Any, Metrics] = {}
    for (url_id, name_id), values in found.items():
        if url_id is not None:
            add_metrics(by_url.setdefault(url_id, {}), values)
        if name_id is not None:
            add_metrics(by_name.setdefault(name_id, {}), values)
    return by_url, by_name


def _time_spent(scope: Scope) -> tuple[dict[Any, Metrics], dict[Any, Metrics]]:
    """Time on page, stored on the following action, by the page's URL and title."""
    a = scope.actions
    spent = [sa.func.sum(a.c.time_spent_ref_action).label("sum_time_spent")]
    return _by_url_and_name(scope, "idaction_url_ref", "idaction_name_ref", spent)


def _performance(scope: Scope) -> tuple[dict[Any, Metrics], dict[Any, Metrics]]:
    """Page-load timings of page views by URL and by title."""
    a = scope.actions
    return _by_url_and_name(
        scope,
        "idaction_url",
        "idaction_name",
        performance_metrics(a),
        a.c.action_type == m.HIT_PAGEVIEW,
    )


def _hits(scope: Scope, column: str, types: tuple[int, ...]) -> dict[tuple[Any, ...], Metrics]:
    a = scope.actions
    return grouped(
        scope,
        source=a,
        keys=[a.c.action_type, a.c[column]],
        metrics=hit_metrics(a),
        where=[a.c.action_type.in_(types), a.c[column].is_not(None)],
    )


def _page_metrics(metrics: Metrics, *extra: dict[Any, Metrics] | None, key: Any) -> Metrics:
    """A page's row: hit metrics plus time, entry and exit metrics found under its id."""
    row = dict(metrics)
    for source in extra:
        if source and key in source:
            add_metrics(row, source[key])
    return row


def _tree(
    rows: Iterable[tuple[int, Metrics]], names: dict[int, ActionName], *, urls: bool
) -> Table:
    table = Table()
    for idaction, metrics in rows:
        name = names.get(idaction)
        if name is None:
            continue
        if urls:
            pagetree.add_path(table, pagetree.url_parts(name.name), metrics, {"url": name.full})
        else:
            pagetree.add_path(table, pagetree.title_parts(name.name), metrics)
    return table


def _links(rows: Iterable[tuple[int, Metrics]], names: dict[int, ActionName]) -> Table:
    """Downloads or outlinks: hosts, with the full URLs in a subtable."""
    table = Table()
    for idaction, metrics in rows:
        name = names.get(idaction)
        if name is None:
            continue
        wanted = {k: metrics[k] for k in ("nb_hits", "nb_visits", "nb_uniq_visitors")}
        host = table.add(url_host(name.full) or name.full, wanted)
        if host.sub is None:
            host.sub = Table()
        host.sub.add(name.full, wanted, {"url": name.full})
    return table


def _no_result_keywords(scope: Scope) -> dict[tuple[Any, ...], Metrics]:
    a = scope.of_kind(m.HIT_SITE_SEARCH)
    return grouped(
        scope,
        source=a,
        keys=[a.c.idaction_name],
        metrics=hit_metrics(a),
        where=[a.c.search_count == 0],
    )


def _search_categories(scope: Scope) -> Table:
    a = scope.of_kind(m.HIT_SITE_SEARCH)
    found = grouped(
        scope,
        source=a,
        keys=[a.c.search_cat],
        metrics=[
            sa.func.count(sa.distinct(a.c.idvisit)).label("nb_visits"),
            sa.func.count().label("nb_actions"),
        ],
        where=[a.c.search_cat.is_not(None)],
    )
    table = Table()
    for (category,), metrics in found.items():
        table.add(str(category), metrics)
    return table


def _typed(found: dict[tuple[Any, ...], Metrics], kind: int) -> list[tuple[int, Metrics]]:
    return [(idaction, metrics) for (t, idaction), metrics in found.items() if t == kind]


def summary(
    by_url: dict[tuple[Any, ...], Metrics], by_name: dict[tuple[Any, ...], Metrics]
) -> Metrics:
    result: Metrics = {}
    for kind, name in (
        (m.HIT_PAGEVIEW, "pageviews"),
        (m.HIT_DOWNLOAD, "downloads"),
        (m.HIT_OUTLINK, "outlinks"),
    ):
        rows = [metrics for _, metrics in _typed(by_url, kind)]
        result[f"nb_{name}"] = sum(r["nb_hits"] for r in rows)
        result[f"nb_uniq_{name}"] = sum(r["nb_visits"] for r in rows)
    searches = [metrics for _, metrics in _typed(by_name, m.HIT_SITE_SEARCH)]
    result["nb_searches"] = sum(r["nb_hits"] for r in searches)
    result["nb_keywords"] = len(searches)
    return result


def performance(by_url: dict[Any, Metrics]) -> Metrics:
    """PagePerformance.get: the site's page-load timings, from the per-URL ones."""
    total: Metrics = {}
    for metrics in by_url.values():
        add_metrics(total, metrics)
    return total


@dataclass
class VisitPart:
    """Entries and exits, grouped from the staged visits."""

    entry_url: dict[Any, Metrics]
    exit_url: dict[Any, Metrics]
    entry_name: dict[Any, Metrics]
    exit_name: dict[Any, Metrics]


@dataclass
class ActionPart:
    """Hits, time on page and load times, grouped from the staged actions."""

    by_url: dict[tuple[Any, ...], Metrics]
    by_name: dict[tuple[Any, ...], Metrics]
    time: tuple[dict[Any, Metrics], dict[Any, Metrics]]
    performance: tuple[dict[Any, Metrics], dict[Any, Metrics]]
    no_result: dict[tuple[Any, ...], Metrics]
    categories: Table


def visit_part(scope: Scope) -> VisitPart:
    return VisitPart(
        _entries(scope, "visit_entry_idaction_url", "entry"),
        _entries(scope, "visit_exit_idaction_url", "exit"),
        _entries(scope, "visit_entry_idaction_name", "entry"),
        _entries(scope, "visit_exit_idaction_name", "exit"),
    )


def action_part(scope: Scope) -> ActionPart:
    return ActionPart(
        by_url=_hits(scope, "idaction_url", (m.HIT_PAGEVIEW, m.HIT_DOWNLOAD, m.HIT_OUTLINK)),
        by_name=_hits(scope, "idaction_name", (m.HIT_PAGEVIEW, m.HIT_SITE_SEARCH)),
        time=_time_spent(scope),
        performance=_performance(scope),
        no_result=_no_result_keywords(scope),
        categories=_search_categories(scope),
    )


def _pages(part: ActionPart, visits: VisitPart, *, urls: bool) -> list[tuple[int, Metrics]]:
    index = 0 if urls else 1
    hits = part.by_url if urls else part.by_name
    time, performance = part.time[index], part.performance[index]
    entries, exits = (
        (visits.entry_url, visits.exit_url) if urls else (visits.entry_name, visits.exit_name)
    )
    return [
        (i, _page_metrics(metrics, time, entries, exits, performance, key=i))
        for i, metrics in _typed(hits, m.HIT_PAGEVIEW)
    ]


def _keywords(
    found: list[tuple[int, Metrics]],
    names: dict[int, ActionName],
    part: ActionPart,
    visits: VisitPart,
) -> Table:
    """Site search keywords: hits, time on the results page, and the visits that began or
    ended with that search (a visit's entry or exit action may be a search)."""
    table = Table()
    for idaction, metrics in found:
        if idaction in names:
            row = {k: metrics[k] for k in ("nb_hits", "nb_visits", "nb_uniq_visitors")}
            row["exit_nb_visits"] = 0
            table.add(
                names[idaction].name,
                _page_metrics(row, part.time[1], visits.entry_name, visits.exit_name, key=idaction),
            )
    return table


def combine(session: Session, visits: VisitPart, part: ActionPart) -> dict[str, Record]:
    """The action records from both halves, with names looked up once."""
    names = action_names(session, {key[1] for key in (*part.by_url, *part.by_name)})
    searched = _typed(part.by_name, m.HIT_SITE_SEARCH)
    keywords = _keywords(searched, names, part, visits)
    # Exits are known per keyword, not per search: a keyword searched with and without results
    # would count its exits twice, so the no-result rows keep hits and time only.
    no_result = Table()
    for (idaction,), metrics in part.no_result.items():
        if idaction in names:
            no_result.add(names[idaction].name, _page_metrics(metrics, part.time[1], key=idaction))
    return {
        PAGE_URLS: _tree(_pages(part, visits, urls=True), names, urls=True),
        PAGE_TITLES: _tree(_pages(part, visits, urls=False), names, urls=False),
        "Actions_getDownloads": _links(_typed(part.by_url, m.HIT_DOWNLOAD), names),
        "Actions_getOutlinks": _links(_typed(part.by_url, m.HIT_OUTLINK), names),
        SEARCH_KEYWORDS: keywords,
        "Actions_getSiteSearchNoResultKeywords": no_result,
        "Actions_getSiteSearchCategories": part.categories,
        SUMMARY: summary(part.by_url, part.by_name),
        "PagePerformance_get": performance(part.performance[0]),
    }


def build(scope: Scope) -> dict[str, Record]:
    return combine(scope.session, visit_part(scope), action_part(scope))


def derive(records: dict[str, Record]) -> None:
    """After summing days: the number of distinct keywords is the keyword table's size."""
    found = records.get(SUMMARY)
    keywords = records.get(SEARCH_KEYWORDS)
    if isinstance(found, dict) and isinstance(keywords, Table):
        found["nb_keywords"] = len([label for label in keywords.rows if label != "-1"])
