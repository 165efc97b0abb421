"""The Reporting API in the OpenAPI schema (`/openapi.json`, shown at `/docs`): one operation
for `/index.php` whose `method` parameter lists every method we serve, and the common
parameters Matomo clients send. Swagger UI is served from our own static files."""

from __future__ import annotations

from typing import Any

from analytics_server.reports.api import METHODS

DESCRIPTION = """Matomo-compatible Reporting API. Point a Matomo API client at this server by
changing its base URL: `index.php?module=API&method=Module.action&idSite=1&period=day&
date=yesterday&format=json&token_auth=...` (GET, or POST with the parameters in the form body).

Defaults as in Matomo: `format=xml`, `filter_limit=100`, rates formatted as `"33%"`
(`format_metrics=bc`). Errors come back as `{"result":"error","message":...}` (XML:
`<result><error message="..."/></result>`) with HTTP 401 for access problems, 400 for an
unknown method and 200 otherwise. `API.getBulkRequest` takes `urls[0]`, `urls[1]`, ... each a
URL-encoded query string of one call; `API.getReportMetadata` lists every report."""


def _parameter(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": name in ("module", "method"),
        "description": description,
        "schema": schema or {"type": "string"},
    }


def parameters() -> list[dict[str, Any]]:
    methods = sorted(METHODS)
    return [
        _parameter("module", "Always API.", type="string", enum=["API"]),
        _parameter("method", "Module.action to call.", type="string", enum=methods),
        _parameter("idSite", "A site id, a comma list of ids, or all."),
        _parameter(
            "period",
            "day, week, month, year or range.",
            type="string",
            enum=["day", "week", "month", "year", "range"],
        ),
        _parameter("date", "today, yesterday, YYYY-MM-DD, lastN, previousN or A,B."),
        _parameter("segment", "A segment definition (Matomo's segment grammar)."),
        _parameter(
            "format",
            "Output format (default xml).",
            type="string",
            enum=["xml", "json", "csv", "tsv", "html", "original"],
        ),
        _parameter("token_auth", "The caller's token (or header Authorization: Bearer)."),
        _parameter("filter_limit", "Rows to return (default 100, -1 for all).", type="integer"),
        _parameter("filter_offset", "Rows to skip first.", type="integer"),
        _parameter("filter_sort_column", "Column to sort by."),
        _parameter("filter_sort_order", "asc or desc.", type="string", enum=["asc", "desc"]),
        _parameter("filter_pattern", "Regular expression rows must match."),
        _parameter("filter_column", "Column filter_pattern applies to (default label)."),
        _parameter("filter_truncate", "Keep N rows, sum the rest into Others.", type="integer"),
        _parameter("flat", "1: one row per leaf of a tree report.", type="integer"),
        _parameter("expanded", "1: subtables inline.", type="integer"),
        _parameter("idSubtable", "The subtable to return.", type="integer"),
        _parameter("label", "Only the rows with this label (a>b walks into subtables)."),
        _parameter("showColumns", "Comma list of columns to keep."),
        _parameter("hideColumns", "Comma list of columns to drop."),
        _parameter("format_metrics", "bc (default), 1 or 0."),
        _parameter("convertToUnicode", "0: CSV/TSV in UTF-8 instead of UTF-16LE."),
        _parameter("language", "en or ru, for labels such as country names."),
    ]


def operation() -> dict[str, Any]:
    """What FastAPI adds to the schema for the `/index.php` route."""
    return {
        "parameters": parameters(),
        "responses": {
            "200": {"description": "The result, or an error object, in the requested format."},
            "400": {"description": "Unknown method."},
            "401": {"description": "No or wrong token_auth, or no access to the site."},
        },
    }
