"""Every record builder, in order, and how each report's tables are cut when stored."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from analytics_server.archiving import (
    actions,
    contents,
    customdims,
    dimensions,
    events,
    goals,
    referrers,
    visits,
)
from analytics_server.archiving.records import Record, Table, truncate
from analytics_server.archiving.scope import Scope

Builder = Callable[[Scope], dict[str, Record]]

# Families that read only the staged visits (and small raw tables: conversions, items) ...
VISIT_BUILDERS: tuple[tuple[str, Builder], ...] = (
    ("visits", visits.build),
    ("dimensions", dimensions.build),
    ("referrers", referrers.build),
    ("goals", goals.build),
)
# ... and those that read only the staged actions. The actions family reads both halves
# (`actions.visit_part`, `actions.action_part`, `actions.combine`).
ACTION_BUILDERS: tuple[tuple[str, Builder], ...] = (
    ("events", events.build),
    ("contents", contents.build),
    ("custom dimensions", customdims.build),
)
BUILDERS: tuple[tuple[str, Builder], ...] = (
    *VISIT_BUILDERS,
    ("actions", actions.build),
    *ACTION_BUILDERS,
)
# Records that are not sums of their days; recomputed from the summed tables.
DERIVERS: tuple[Callable[[dict[str, Record]], None], ...] = (referrers.derive, actions.derive)
# What each derived record is recomputed from, so a period read of one report loads only those.
_DERIVED_INPUTS: dict[str, tuple[str, ...]] = {
    referrers.SUMMARY: (
        "Referrers_getReferrerType",
        *sorted({record for record, _ in referrers.DISTINCT.values()}),
    ),
    actions.SUMMARY: (actions.SEARCH_KEYWORDS,),
}


def derivation_inputs(names: Iterable[str]) -> set[str]:
    """The records the derived ones among `names` are recomputed from."""
    return {source for name in names for source in _DERIVED_INPUTS.get(name, ())}


@dataclass(frozen=True)
class Limits:
    """Rows kept at the top level and in each subtable, ranked by `sort` (Matomo's limits)."""

    rows: int
    sub: int
    sort: str


DEFAULT = Limits(500, 100, "nb_visits")
RULES: tuple[tuple[str, Limits], ...] = (
    ("Actions_getSiteSearch", Limits(500, 100, "nb_visits")),
    ("Actions_", Limits(500, 100, "nb_hits")),
    ("Referrers_", Limits(1000, 50, "nb_visits")),
    ("MarketingCampaignsReporting_", Limits(1000, 50, "nb_visits")),
    ("Events_", Limits(500, 500, "nb_events")),
    ("Contents_", Limits(500, 500, "nb_impressions")),
    ("Goals_getItems", Limits(10_000, 100, "revenue")),
    ("Goals_", Limits(500, 100, "nb_conversions")),
    ("CustomDimensions_", Limits(1000, 1000, "nb_visits")),
    ("UserId_", Limits(50_000, 100, "nb_visits")),
)


def limits(name: str) -> Limits:
    for prefix, found in RULES:
        if name.startswith(prefix):
            return found
    return DEFAULT


def finalize(records: dict[str, Record]) -> dict[str, Record]:
    """Cut every table to its limits; drop empty records (absent means empty when read)."""
    result: dict[str, Record] = {}
    for name, record in records.items():
        if isinstance(record, Table):
            if not record.rows:
                continue
            cut = limits(name)
            record = truncate(record, limit=cut.rows, sub_limit=cut.sub, sort=cut.sort)
        elif not record:
            continue
        result[name] = record
    return result
