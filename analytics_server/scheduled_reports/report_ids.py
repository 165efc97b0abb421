"""Report unique ids (`Actions_getPageUrls`, `Goals_get_idGoal--1`) to the API's reports.

A unique id is `Module_action` followed by `_name--value` for each parameter that selects the
report (a goal, a custom dimension), as Matomo's report metadata and scheduled reports name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analytics_server.errors import InvalidRequestError
from analytics_server.reports.registry import REPORTS, Report
from analytics_server.sites.service import SiteConfig

_UNIQUE_ID = re.compile(
    r"^(?P<module>[A-Za-z]+)_(?P<action>[A-Za-z]+)(?P<rest>(_[A-Za-z]+--[^_]+)*)$"
)
_PARAMETER = re.compile(r"_(?P<name>[A-Za-z]+)--(?P<value>[^_]+)")
MAX_REPORTS = 50
SPECIAL_GOALS = ("ecommerceOrder", "ecommerceAbandonedCart")


@dataclass(frozen=True)
class ReportRef:
    """One report of a schedule: its unique id, the API report and its parameters."""

    unique_id: str
    report: Report
    params: tuple[tuple[str, str], ...] = ()

    @property
    def param_dict(self) -> dict[str, str]:
        return dict(self.params)


def parse(unique_id: str) -> ReportRef:
    """The report a unique id names; a bad request for anything the API does not serve."""
    text = unique_id.strip()
    match = _UNIQUE_ID.match(text)
    if match is None:
        raise InvalidRequestError(f"{text[:100]!r} is not a report unique id (Module_action).")
    report = REPORTS.get(f"{match['module']}.{match['action']}")
    if report is None or report.is_subtable or report.label_for is not None:
        raise InvalidRequestError(f"The report {text[:100]!r} cannot be scheduled.")
    params = tuple((m["name"], m["value"]) for m in _PARAMETER.finditer(match["rest"]))
    for name, _value in params:
        if name not in report.parameters:
            raise InvalidRequestError(f"The report {text[:100]!r} takes no parameter {name!r}.")
    names = {name for name, _ in params}
    if report.method == "CustomDimensions.getCustomDimension" and "idDimension" not in names:
        raise InvalidRequestError(f"{text[:100]!r} needs _idDimension--N.")
    return ReportRef(text, report, params)


def check_for_site(ref: ReportRef, site: SiteConfig) -> None:
    """A goal or custom dimension the id names must exist on the site."""
    values = ref.param_dict
    dimension = values.get("idDimension")
    if dimension is not None and (not dimension.isdigit() or int(dimension) not in site.dimensions):
        raise InvalidRequestError(
            f"The custom dimension {dimension[:20]} is not configured for site {site.idsite}."
        )
    goal = values.get("idGoal")
    known = goal is None or goal in SPECIAL_GOALS or (goal.isdigit() and int(goal) in site.goals)
    if not known:
        raise InvalidRequestError(
            f"The goal {str(goal)[:20]} does not exist on site {site.idsite}."
        )


def parse_list(unique_ids: list[str], site: SiteConfig) -> list[ReportRef]:
    """The reports of a schedule, in order, each once; at least one."""
    refs: list[ReportRef] = []
    seen: set[str] = set()
    for unique_id in unique_ids:
        if not unique_id.strip() or unique_id.strip() in seen:
            continue
        ref = parse(unique_id)
        check_for_site(ref, site)
        refs.append(ref)
        seen.add(ref.unique_id)
    if not refs:
        raise InvalidRequestError("A scheduled report needs at least one report (reports[]).")
    if len(refs) > MAX_REPORTS:
        raise InvalidRequestError(f"At most {MAX_REPORTS} reports in one scheduled report.")
    return refs
