"""What a report call does: resolve sites, periods and the segment, read the archived record
(archiving what is due first), turn it into API rows and apply the generic filters.

One site and one period give one result; a list of sites or `lastN`/`A,B` dates give `Keyed`
results (by `idSite`, then by `date`), as Matomo answers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.archiving import service as archiving
from analytics_server.archiving.records import Record, Table
from analytics_server.archiving.service import Target
from analytics_server.auth.service import Principal
from analytics_server.config import Settings
from analytics_server.errors import AccessDeniedError, InvalidRequestError
from analytics_server.kit.clock import local_day
from analytics_server.kit.periods import Period, PeriodError, is_multi_period, resolve
from analytics_server.models import Site
from analytics_server.reports import datatable as dt
from analytics_server.reports import processed as pm
from analytics_server.reports.formats import Keyed
from analytics_server.reports.params import Params, to_int
from analytics_server.reports.registry import Report
from analytics_server.segments import service as segments_service
from analytics_server.segments.grammar import segment_hash
from analytics_server.sites.service import SiteConfig, load_site_configs

DEFAULT_LIMIT = 100  # filter_limit over HTTP when not given
LEVELS = {"view": 1, "write": 2, "admin": 3}


class MethodNotFoundError(InvalidRequestError):
    """An unknown `method` or report: a bad request (HTTP 400)."""


@dataclass
class Call:
    """One API call: its session, caller, parameters, clock and settings."""

    session: Session
    principal: Principal
    params: Params
    now: datetime
    settings: Settings

    @property
    def language(self) -> str:
        return self.params.get("language") or "en"


def deny(what: str) -> AccessDeniedError:
    return AccessDeniedError(
        f"Access denied: {what}. Send the token_auth of a user who has this access."
    )


def has_access(principal: Principal, idsite: int, level: str) -> bool:
    """Whether `principal` has `level` (view < write < admin) or more on the site."""
    if principal.superuser:
        return True
    held = principal.access.get(idsite)
    return held is not None and LEVELS.get(held, 0) >= LEVELS[level]


def require_access(principal: Principal, idsite: int, level: str) -> None:
    if not has_access(principal, idsite, level):
        raise deny(f"site {idsite} needs '{level}' access")


def site_ids(call: Call, *, access: str = "view") -> tuple[list[int], bool]:
    """The sites `idSite` names (an id, a list or `all`) and whether it named several."""
    raw = call.params.get("idSite") or call.params.get("idsite")
    if not raw.strip():
        raise InvalidRequestError("Please specify a value for 'idSite'.")
    if raw.strip().lower() == "all":
        ids = list(call.session.scalars(sa.select(Site.idsite).order_by(Site.idsite)))
        return [i for i in ids if has_access(call.principal, i, access)], True
    ids = [to_int(part, "idSite") for part in raw.split(",") if part.strip()]
    for idsite in ids:
        require_access(call.principal, idsite, access)
    return ids, len(ids) > 1 or "," in raw


def sites(call: Call, *, access: str = "view") -> tuple[list[SiteConfig], bool]:
    ids, multi = site_ids(call, access=access)
    configs = load_site_configs(call.session, ids)
    missing = [i for i in ids if i not in configs]
    if missing:
        raise InvalidRequestError(f"The site id {missing[0]} does not exist.")
    return [configs[i] for i in ids], multi


def site_today(site: SiteConfig, now: datetime) -> date:
    return local_day(now, site.timezone)


def periods(call: Call, site: SiteConfig) -> tuple[list[Period], bool]:
    period = call.params.text("period", required=True, max_length=10)
    when = call.params.text("date", required=True, max_length=60)
    try:
        found = resolve(period, when, today=site_today(site, call.now))
    except PeriodError as exc:
        raise InvalidRequestError(str(exc)) from None
    return found, is_multi_period(when, period.strip().lower())


def each_site_and_period(call: Call, compute: Any, *, access: str = "view") -> Any:
    """`compute(site, period)` for every site and period named, composed as Matomo does."""
    chosen, many_sites = sites(call, access=access)
    by_site: dict[str, Any] = {}
    for site in chosen:
        found, many_periods = periods(call, site)
        if many_periods:
            by_site[str(site.idsite)] = Keyed(
                "date", {period.label: compute(site, period) for period in found}
            )
        else:
            by_site[str(site.idsite)] = compute(site, found[0])
    if many_sites:
        return Keyed("idSite", by_site)
    return next(iter(by_site.values()))


def target(call: Call, site: SiteConfig, period: Period) -> Target:
    """All visits, or the `segment` parameter; a segment that is not archived in advance is
    computed from the raw logs, for periods up to the configured number of days."""
    definition = call.params.text("segment", max_length=10_000).strip()
    if not definition:
        return Target(site)
    key = segment_hash(definition)
    limit = call.settings.reports.adhoc_segment_max_days
    if period.length > limit and key not in _archived_hashes(call, site):
        raise InvalidRequestError(
            f"This segment is not pre-processed, so its reports are computed from the raw logs "
            f"on request, for periods of at most {limit} days (this one has {period.length}). "
            "Ask an administrator to store the segment (SegmentEditor.add with autoArchive=1), "
            "or choose a shorter period."
        )
    return Target(site, definition)


def _archived_hashes(call: Call, site: SiteConfig) -> set[str]:
    return {s.hash for s in segments_service.archived_segments(call.session, site.idsite)}


def records(call: Call, site: SiteConfig, period: Period, names: list[str]) -> dict[str, Record]:
    found = archiving.records_for(
        call.session, target(call, site, period), period, now=call.now, names=names
    )
    call.session.commit()  # end the read; archiving may have written
    return found


def metrics_row(
    report: Report, values: dict[str, Any], call: Call, site: SiteConfig
) -> dict[str, Any]:
    """A one-row report: declared columns first (zero when absent), then the rest, then the
    processed metrics, formatted as `format_metrics` asks."""
    report = report.for_site(site, call.params)
    row: dict[str, Any] = {name: values.get(name, 0) for name in report.metrics}
    row.update({k: v for k, v in values.items() if k not in row})
    pm.add_processed(row, report.processed)
    mode = call.params.get("format_metrics", "bc").lower()
    for metric in report.processed:
        row[metric.name] = pm.format_value(
            row[metric.name], metric, mode=mode, currency=site.currency
        )
    return show_hide(row, call.params)


def show_hide(row: dict[str, Any], params: Params) -> dict[str, Any]:
    """`showColumns` / `hideColumns` on the keys of one row."""
    show = params.get_list("showColumns")
    hide = set(params.get_list("hideColumns"))
    if show:
        row = {k: v for k, v in row.items() if k in show}
    return {k: v for k, v in row.items() if k not in hide}


def table_rows(
    report: Report, record: Record | None, call: Call, site: SiteConfig, goals: Record | None
) -> list[dict[str, Any]]:
    """A table report through presenters, processed metrics and generic filters."""
    report = report.for_site(site, call.params)
    params = call.params
    table = dt.from_record(record if isinstance(record, Table) else None)
    idsub = params.integer("idSubtable")
    if idsub is not None:
        table = dt.subtable(table, idsub)
    elif report.is_subtable:
        raise InvalidRequestError("Please specify a value for 'idSubtable'.")
    if report.keep is not None:
        # Entry and exit pages: only rows (and subtable rows) with entries or exits, most first.
        table = _kept(table, report.keep, report.sort)
    if report.group is not None:
        table = dt.group(table, report.group)
    if report.fill:
        dt.fill(table, report.fill)
    if report.natural_order:
        dt.natural_order(table)
    if isinstance(goals, Table):
        dt.merge_goals(table, goals)
    if report.present is not None and (idsub is None or report.present_subtables):
        for row in table.rows:
            report.present(row, call.language)
    return filtered(report, table, call, site)


def _kept(table: dt.ApiTable, keep: Callable[[dt.ApiRow], bool], column: str) -> dt.ApiTable:
    rows = [row for row in table.rows if keep(row)]
    for row in rows:
        if row.sub is not None:
            row.sub = _kept(row.sub, keep, column)
    kept = dt.ApiTable(rows)
    dt.sort(kept, column, descending=True)
    return kept


def filtered(
    report: Report, table: dt.ApiTable, call: Call, site: SiteConfig
) -> list[dict[str, Any]]:
    params = call.params
    if params.flag("flat"):
        table = dt.flatten(table, report.flat_separator)
    # Processed metrics only for rows that can be shown (a page tree holds thousands), unless
    # a filter or the sort reads one of them.
    names = {metric.name for metric in report.processed}
    filters = ("filter_sort_column", "filter_column", "filter_column_recursive")
    early = any(params.get(name) in names for name in (*filters, "filter_excludelowpop"))
    if early:
        _process(table, report, expanded=params.flag("expanded"))
    pattern = params.get("filter_pattern")
    if pattern:
        column = params.get("filter_column") or "label"
        table = dt.keep_matching(table, column, pattern, recursive=False)
    recursive = params.get("filter_pattern_recursive")
    if recursive:
        column = params.get("filter_column_recursive") or "label"
        table = dt.keep_matching(table, column, recursive, recursive=True)
    low = params.get("filter_excludelowpop")
    if low:
        minimum = _number(params.get("filter_excludelowpop_value") or "0")
        table = dt.exclude_low_population(table, low, minimum)
    column = params.get("filter_sort_column")
    if column:
        order = params.get("filter_sort_order", "desc").lower()
        if order not in ("asc", "desc"):
            raise InvalidRequestError("filter_sort_order must be asc or desc.")
        dt.sort(table, column, descending=order == "desc")
    truncate = params.integer("filter_truncate")
    if truncate is not None and truncate >= 0:
        dt.truncate(table, truncate, dt.sum_rows)
    offset = max(params.integer("filter_offset", 0) or 0, 0)
    limit = params.integer("filter_limit", DEFAULT_LIMIT)
    labels = report.labels(params)
    if labels:
        table = dt.find_labels(table, labels)
    else:
        end = None if limit is None or limit < 0 else offset + limit
        table = dt.ApiTable(table.rows[offset:end])
    if not early:
        _process(table, report, expanded=params.flag("expanded"))
    return dt.to_plain(
        table,
        processed=report.processed,
        mode=params.get("format_metrics", "bc").lower(),
        currency=site.currency,
        expanded=params.flag("expanded"),
        show=params.get_list("showColumns"),
        hide=params.get_list("hideColumns"),
    )


def _process(table: dt.ApiTable, report: Report, *, expanded: bool) -> None:
    for row in table.walk() if expanded else table.rows:
        pm.add_processed(row.columns, report.processed)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidRequestError("filter_excludelowpop_value must be a number.") from None


def record_names(report: Report, params: Params) -> list[str]:
    """The records a report reads: its own, then the goal record or divisor it needs."""
    names = [report.record_name(params)]
    if report.goals_record:
        names.append(report.goals_record)
    if report.module == "Goals" and report.dimension is None:
        names.append("VisitsSummary_get")  # conversion rates divide by the period's visits
    return names


def answer(
    report: Report, found: dict[str, Record], call: Call, site: SiteConfig
) -> dict[str, Any] | list[dict[str, Any]]:
    """One site's and period's answer to a report, from the records `record_names` named."""
    name, *extra = record_names(report, call.params)
    record = found.get(name)
    if report.dimension is None:
        values = dict(record) if isinstance(record, dict) else {}
        summary = found.get("VisitsSummary_get")
        if "VisitsSummary_get" in extra and isinstance(summary, dict):
            values["nb_visits"] = summary.get("nb_visits", 0)
        if report.method == "Referrers.get":
            values = referrer_percentages(values)
        row = metrics_row(report, values, call, site)
        if "VisitsSummary_get" in extra:
            row.pop("nb_visits", None)  # only the divisor of the conversion rate
        return row
    goals = found.get(report.goals_record) if report.goals_record else None
    return table_rows(report, record, call, site, goals)


def report_result(call: Call, report: Report) -> Any:
    """The answer to a report method, for every site and period the call names."""
    names = record_names(report, call.params)

    def compute(site: SiteConfig, period: Period) -> Any:
        return answer(report, records(call, site, period, names), call, site)

    return each_site_and_period(call, compute)


def referrer_percentages(values: dict[str, Any]) -> dict[str, Any]:
    """Referrers.get: each channel's share of the visits, as `..._percent`."""
    channels = [k for k in values if k.startswith("Referrers_visitorsFrom")]
    total = sum(values[k] for k in channels)
    for name in channels:
        share = values[name] / total if total else 0
        values[f"{name}_percent"] = pm.percent_text(round(share, 2), 2)
    return values
