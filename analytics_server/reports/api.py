"""The API's methods: every report of the registry, the scalar helpers, the `API.*` module
and the methods of the other modules (`live`, `management`), looked up by `Module.action`.

A handler takes the `Call` and returns plain data for `formats.render`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analytics_server import MATOMO_VERSION
from analytics_server.errors import InvalidRequestError
from analytics_server.reports import live, management, metadata
from analytics_server.reports.formats import Keyed, per_result
from analytics_server.reports.params import Params
from analytics_server.reports.registry import REPORTS, Report
from analytics_server.reports.service import Call, MethodNotFoundError, report_result
from analytics_server.scheduled_reports import api as scheduled_reports_api

Handler = Callable[[Call], Any]
MAX_BULK = 100


def _report(report: Report) -> Handler:
    return lambda call: report_result(call, report)


def _scalar(column: str) -> Handler:
    """VisitsSummary.getVisits and friends: one column of VisitsSummary.get."""

    def handler(call: Call) -> Any:
        found = report_result(call, REPORTS["VisitsSummary.get"])
        return _pick(found, column)

    return handler


def _pick(found: Any, column: str) -> Any:
    return per_result(found, lambda row: row.get(column, 0) if isinstance(row, dict) else 0)


def _pretty_length(call: Call) -> Any:
    found = _scalar("sum_visit_length")(call)

    def pretty(value: Any) -> str:
        seconds = int(value or 0)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        parts = [f"{days} days"] if days else []
        parts += [f"{hours} hours"] if hours or days else []
        parts += [f"{minutes} min", f"{secs}s"]
        return " ".join(parts)

    return per_result(found, pretty)


def _distinct(record_column: str) -> Handler:
    """Referrers.getNumberOfDistinct*: one counter of Referrers.get."""

    def handler(call: Call) -> Any:
        return _pick(report_result(call, REPORTS["Referrers.get"]), record_column)

    return handler


def _distinct_countries(call: Call) -> Any:
    countries = report_result(
        Call(
            call.session,
            call.principal,
            call.params.with_overrides({"filter_limit": "-1"}),
            call.now,
            call.settings,
        ),
        REPORTS["UserCountry.getCountry"],
    )

    def count(rows: Any) -> int:
        return len([row for row in rows if row.get("label") != "Others"])

    return per_result(countries, count)


def _version(_call: Call) -> Any:
    return MATOMO_VERSION


def _ip_from_header(call: Call) -> Any:
    return call.params.get("_client_ip")


def _bulk(call: Call) -> Any:
    urls = call.params.raw_list("urls")
    if len(urls) > MAX_BULK:
        raise InvalidRequestError(f"At most {MAX_BULK} requests in one API.getBulkRequest.")
    inherited = {k: v for k, v in call.params.items() if k in ("token_auth", "language")}
    answers: list[Any] = []
    for url in urls:
        query = url.split("?", 1)[-1]
        params = Params.from_query(query).with_defaults(inherited)
        method = params.get("method")
        if method == "API.getBulkRequest":
            answers.append({"result": "error", "message": "API.getBulkRequest cannot be nested."})
            continue
        sub = Call(call.session, call.principal, params, call.now, call.settings)
        try:
            found = dispatch(sub)
            # Each answer is what the call alone would give as JSON: a scalar is an object.
            answers.append(found if isinstance(found, dict | list | Keyed) else {"value": found})
        except InvalidRequestError as exc:
            answers.append({"result": "error", "message": exc.message})
        except Exception as exc:
            message = getattr(exc, "message", None) or "The request failed."
            answers.append({"result": "error", "message": message})
    return answers


METHODS: dict[str, Handler] = {report.method: _report(report) for report in REPORTS.values()}
METHODS.update(
    {
        "VisitsSummary.getVisits": _scalar("nb_visits"),
        "VisitsSummary.getUniqueVisitors": _scalar("nb_uniq_visitors"),
        "VisitsSummary.getUsers": _scalar("nb_users"),
        "VisitsSummary.getActions": _scalar("nb_actions"),
        "VisitsSummary.getMaxActions": _scalar("max_actions"),
        "VisitsSummary.getBounceCount": _scalar("bounce_count"),
        "VisitsSummary.getVisitsConverted": _scalar("nb_visits_converted"),
        "VisitsSummary.getSumVisitsLength": _scalar("sum_visit_length"),
        "VisitsSummary.getSumVisitsLengthPretty": _pretty_length,
        "Referrers.getNumberOfDistinctSearchEngines": _distinct("Referrers_distinctSearchEngines"),
        "Referrers.getNumberOfDistinctKeywords": _distinct("Referrers_distinctKeywords"),
        "Referrers.getNumberOfDistinctCampaigns": _distinct("Referrers_distinctCampaigns"),
        "Referrers.getNumberOfDistinctWebsites": _distinct("Referrers_distinctWebsites"),
        "Referrers.getNumberOfDistinctWebsitesUrls": _distinct("Referrers_distinctWebsitesUrls"),
        "Referrers.getNumberOfDistinctSocialNetworks": _distinct(
            "Referrers_distinctSocialNetworks"
        ),
        "UserCountry.getNumberOfDistinctCountries": _distinct_countries,
        "API.getMatomoVersion": _version,
        "API.getPiwikVersion": _version,
        "API.getIpFromHeader": _ip_from_header,
        "API.getBulkRequest": _bulk,
        **metadata.METHODS,
        **live.METHODS,
        **management.METHODS,
        **scheduled_reports_api.METHODS,
    }
)
_FOLDED = {name.lower(): name for name in METHODS}
# Methods anyone may call without view access to a site (they check what they need).
PUBLIC = frozenset({"API.getMatomoVersion", "API.getPiwikVersion", "API.getIpFromHeader"})


def method_name(call: Call) -> str:
    raw = call.params.text("method", required=True, max_length=200).strip()
    name = raw if raw in METHODS else _FOLDED.get(raw.lower())
    if name is None:
        raise MethodNotFoundError(f"The method '{raw[:100]}' does not exist.")
    return name


def dispatch(call: Call) -> Any:
    return METHODS[method_name(call)](call)
