"""Referrer records: channel types, search engines and keywords, websites, social networks,
campaigns (name, keyword, source, medium), and the Referrers.get counters.

Top-level rows count unique visitors exactly (one GROUP BY per level); a parent row built from
its children (a keyword across search engines) sums them, as Matomo does.
"""

from __future__ import annotations

from typing import Any

from analytics_server.archiving.dimensions import dimension_table
from analytics_server.archiving.metrics import grouped, label, visit_metrics
from analytics_server.archiving.records import OTHERS, Metrics, Record, Table
from analytics_server.archiving.scope import Scope

DIRECT, SEARCH, WEBSITE, CAMPAIGN, SOCIAL = 1, 2, 3, 6, 7
NAMED = {
    SEARCH: "Referrers_getSearchEngines",
    WEBSITE: "Referrers_getWebsites",
    CAMPAIGN: "Referrers_getCampaigns",
    SOCIAL: "Referrers_getSocials",
}
VISITORS_FROM = {
    DIRECT: "Referrers_visitorsFromDirectEntry",
    SEARCH: "Referrers_visitorsFromSearchEngines",
    WEBSITE: "Referrers_visitorsFromWebsites",
    CAMPAIGN: "Referrers_visitorsFromCampaigns",
    SOCIAL: "Referrers_visitorsFromSocialNetworks",
}
DISTINCT = {
    "Referrers_distinctSearchEngines": ("Referrers_getSearchEngines", False),
    "Referrers_distinctKeywords": ("Referrers_getKeywords", False),
    "Referrers_distinctWebsites": ("Referrers_getWebsites", False),
    "Referrers_distinctWebsitesUrls": ("Referrers_getWebsites", True),
    "Referrers_distinctSocialNetworks": ("Referrers_getSocials", False),
    "Referrers_distinctCampaigns": ("Referrers_getCampaigns", False),
}
SUMMARY = "Referrers_get"


def _by(scope: Scope, *columns: str, types: tuple[int, ...]) -> dict[tuple[Any, ...], Metrics]:
    v = scope.visits
    return grouped(
        scope,
        source=v,
        keys=[v.c[name] for name in columns],
        metrics=visit_metrics(v),
        where=[v.c.referer_type.in_(types)],
    )


def _named(scope: Scope) -> dict[str, Table]:
    """Engines/campaigns with keyword subtables, websites/socials with URL subtables."""
    tables = {record: Table() for record in NAMED.values()}
    all_rows = Table()
    for (kind, name), metrics in _by(
        scope, "referer_type", "referer_name", types=tuple(NAMED)
    ).items():
        tables[NAMED[kind]].add(label(name), metrics)
        all_rows.add(label(kind, name), metrics)
    children = [
        (_by(scope, "referer_type", "referer_name", "referer_keyword", types=(SEARCH, CAMPAIGN))),
        (_by(scope, "referer_type", "referer_name", "referer_url", types=(WEBSITE, SOCIAL))),
    ]
    keywords = Table()
    for found in children:
        for (kind, name, child), metrics in found.items():
            parent = tables[NAMED[kind]].row(label(name))
            if parent.sub is None:
                parent.sub = Table()
            parent.sub.add(label(child), metrics)
            if kind == SEARCH:
                keyword = keywords.add(label(child), metrics)
                if keyword.sub is None:
                    keyword.sub = Table()
                keyword.sub.add(label(name), metrics)
    tables["Referrers_getKeywords"] = keywords
    tables["Referrers_getAll"] = all_rows
    return tables


def _campaign_details(scope: Scope) -> dict[str, Record]:
    v = scope.visits.c
    only = [v.referer_type == CAMPAIGN]
    records: dict[str, Record] = {}
    for record, keys, sep in (
        ("MarketingCampaignsReporting_getSource", [v.campaign_source], ";"),
        ("MarketingCampaignsReporting_getMedium", [v.campaign_medium], ";"),
        (
            "MarketingCampaignsReporting_getSourceMedium",
            [v.campaign_source, v.campaign_medium],
            " - ",
        ),
    ):
        table = Table()
        for key, metrics in grouped(
            scope, source=scope.visits, keys=keys, metrics=visit_metrics(scope.visits), where=only
        ).items():
            table.add(label(*key, sep=sep), metrics)
        records[record] = table
    return records


def counters(types: Table, tables: dict[str, Record]) -> Metrics:
    """Referrers.get: visits per channel, and how many distinct names each table holds."""
    result: Metrics = {
        name: types.rows[str(kind)].metrics.get("nb_visits", 0) if str(kind) in types.rows else 0
        for kind, name in VISITORS_FROM.items()
    }
    for name, (record, in_subtables) in DISTINCT.items():
        table = tables.get(record)
        rows = (
            [r for lbl, r in table.rows.items() if lbl != OTHERS]
            if isinstance(table, Table)
            else []
        )
        if in_subtables:
            result[name] = sum(len(r.sub.rows) for r in rows if r.sub is not None)
        else:
            result[name] = len(rows)
    return result


def build(scope: Scope) -> dict[str, Record]:
    types = dimension_table(scope, [scope.visits.c.referer_type])
    records: dict[str, Record] = {"Referrers_getReferrerType": types}
    records.update(_named(scope))
    records.update(_campaign_details(scope))
    records[SUMMARY] = counters(types, records)
    return records


def derive(records: dict[str, Record]) -> None:
    """Recount Referrers.get after a period's tables were summed (distinct counts do not add)."""
    types = records.get("Referrers_getReferrerType")
    if isinstance(types, Table):
        records[SUMMARY] = counters(types, records)
