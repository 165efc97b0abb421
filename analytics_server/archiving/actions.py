"""Action records: page URLs and titles (folder trees with entry, exit, time and load-time
metrics), downloads and outlinks by host, site search, Actions.get and PagePerformance.get.

Eight GROUP BYs over the staged day feed all of them: hits per URL and per name (all action
types at once), time on page by referring URL and name, entries and exits by URL and name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from analytics_server.archiving import pagetree
from analytics_server.archiving.metrics import (
    PERFORMANCE,
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


def _time_spent(scope: Scope, column: str) -> dict[Any, Metrics]:
    a = scope.actions
    key = a.c[column]
    found = grouped(
        scope,
        source=a,
        keys=[key],
        metrics=[sa.func.sum(a.c.time_spent_ref_action).label("sum_time_spent")],
        where=[key.is_not(None)],
    )
    return {k[0]: value for k, value in found.items()}


def _hits(scope: Scope, column: str, types: tuple[int, ...]) -> dict[tuple[Any, ...], Metrics]:
    a = scope.actions
    return grouped(
        scope,
        source=a,
        keys=[a.c.action_type, a.c[column]],
        metrics=[*hit_metrics(a), *performance_metrics(a)],
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


def _no_result_keywords(scope: Scope, names: dict[int, ActionName]) -> Table:
    a = scope.actions
    found = grouped(
        scope,
        source=a,
        keys=[a.c.idaction_name],
        metrics=hit_metrics(a),
        where=[a.c.action_type == m.HIT_SITE_SEARCH, a.c.search_count == 0],
    )
    table = Table()
    for (idaction,), metrics in found.items():
        if idaction in names:
            table.add(names[idaction].name, metrics)
    return table


def _search_categories(scope: Scope) -> Table:
    a = scope.actions
    found = grouped(
        scope,
        source=a,
        keys=[a.c.search_cat],
        metrics=[
            sa.func.count(sa.distinct(a.c.idvisit)).label("nb_visits"),
            sa.func.count().label("nb_actions"),
        ],
        where=[a.c.action_type == m.HIT_SITE_SEARCH, a.c.search_cat.is_not(None)],
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


def performance(by_url: dict[tuple[Any, ...], Metrics]) -> Metrics:
    total: Metrics = {}
    for _, metrics in _typed(by_url, m.HIT_PAGEVIEW):
        add_metrics(
            total,
            {
                k: v
                for k, v in metrics.items()
                if k.split("_time_")[-1] in PERFORMANCE and "_time_" in k
            },
        )
    return total


def build(scope: Scope) -> dict[str, Record]:
    by_url = _hits(scope, "idaction_url", (m.HIT_PAGEVIEW, m.HIT_DOWNLOAD, m.HIT_OUTLINK))
    by_name = _hits(scope, "idaction_name", (m.HIT_PAGEVIEW, m.HIT_SITE_SEARCH))
    time_url, time_name = (
        _time_spent(scope, "idaction_url_ref"),
        _time_spent(scope, "idaction_name_ref"),
    )
    entry_url = _entries(scope, "visit_entry_idaction_url", "entry")
    exit_url = _entries(scope, "visit_exit_idaction_url", "exit")
    entry_name = _entries(scope, "visit_entry_idaction_name", "entry")
    exit_name = _entries(scope, "visit_exit_idaction_name", "exit")
    names = action_names(scope.session, {key[1] for key in (*by_url, *by_name)})

    pages = [
        (i, _page_metrics(mt, time_url, entry_url, exit_url, key=i))
        for i, mt in _typed(by_url, m.HIT_PAGEVIEW)
    ]
    titles = [
        (i, _page_metrics(mt, time_name, entry_name, exit_name, key=i))
        for i, mt in _typed(by_name, m.HIT_PAGEVIEW)
    ]
    keywords = Table()
    for idaction, metrics in _typed(by_name, m.HIT_SITE_SEARCH):
        if idaction in names:
            row = {k: metrics[k] for k in ("nb_hits", "nb_visits", "nb_uniq_visitors")}
            keywords.add(
                names[idaction].name, _page_metrics(row, time_name, exit_name, key=idaction)
            )
    return {
        PAGE_URLS: _tree(pages, names, urls=True),
        PAGE_TITLES: _tree(titles, names, urls=False),
        "Actions_getDownloads": _links(_typed(by_url, m.HIT_DOWNLOAD), names),
        "Actions_getOutlinks": _links(_typed(by_url, m.HIT_OUTLINK), names),
        SEARCH_KEYWORDS: keywords,
        "Actions_getSiteSearchNoResultKeywords": _no_result_keywords(scope, names),
        "Actions_getSiteSearchCategories": _search_categories(scope),
        SUMMARY: summary(by_url, by_name),
        "PagePerformance_get": performance(by_url),
    }


def derive(records: dict[str, Record]) -> None:
    """After summing days: the number of distinct keywords is the keyword table's size."""
    found = records.get(SUMMARY)
    keywords = records.get(SEARCH_KEYWORDS)
    if isinstance(found, dict) and isinstance(keywords, Table):
        found["nb_keywords"] = len([label for label in keywords.rows if label != "-1"])
