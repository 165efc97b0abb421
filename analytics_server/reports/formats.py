"""Output formats of the Reporting API: json, xml, csv, tsv, html and original (PHP serialize).

A result is plain data: a list of row dicts (a report table), a dict (one row or object), a
scalar, `Keyed` (one result per date or site), `Success`, or an error message. Shapes follow
Matomo's renderers, so its clients parse our answers unchanged. Every string a visitor sent
(URLs, titles, event names...) is escaped for the format it lands in.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any
from xml.sax.saxutils import quoteattr

FORMATS = ("xml", "json", "csv", "tsv", "html", "original")
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]{0,100}$")
# Characters XML 1.0 cannot carry at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Keyed:
    """Several results keyed by date (`date`) or site (`idSite`), in order."""

    key: str
    results: dict[str, Any]


def per_result(value: Any, apply: Callable[[Any], Any]) -> Any:
    """`apply` to each result of a `Keyed` answer (at any depth), or to `value` itself."""
    if isinstance(value, Keyed):
        return Keyed(value.key, {k: per_result(v, apply) for k, v in value.results.items()})
    return apply(value)


@dataclass(frozen=True)
class Success:
    message: str = "ok"


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    headers: dict[str, str]
    status: int = 200


def _plain(value: Any) -> Any:
    """JSON-safe data: Success as Matomo's object, non-finite floats as null."""
    if isinstance(value, Success):
        return {"result": "success", "message": value.message}
    if isinstance(value, Keyed):
        return {key: _plain(item) for key, item in value.results.items()}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(result: Any, *, callback: str = "") -> Rendered:
    data = _plain(result)
    if not isinstance(data, dict | list):
        data = {"value": data}
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # `</script>` inside a visitor's string must not close a script tag the JSON is put in.
    body = body.replace("</", "<\\/")
    if callback and _CALLBACK.match(callback):
        return Rendered(f"{callback}({body})".encode(), "application/javascript", {})
    return Rendered(body.encode(), "application/json", {})


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    text = _XML_INVALID.sub("\ufffd", str(value))
    return escape(text, quote=False)


def _xml_element(name: str, value: Any, depth: int) -> str:
    pad = "\t" * depth
    attribute = ""
    if not _XML_NAME.match(name):
        key, sep, rest = name.partition("=")
        if sep and _XML_NAME.match(key):
            name, attribute = "row", f" {key}={quoteattr(_XML_INVALID.sub('', rest))}"
        else:
            name, attribute = "row", f" key={quoteattr(_XML_INVALID.sub('', name))}"
    if isinstance(value, dict | list):
        inner = _xml_body(value, depth + 1)
        if not inner:
            return f"{pad}<{name}{attribute} />\n"
        return f"{pad}<{name}{attribute}>\n{inner}{pad}</{name}>\n"
    return f"{pad}<{name}{attribute}>{_xml_text(value)}</{name}>\n"


def _xml_body(value: Any, depth: int) -> str:
    if isinstance(value, list):
        return "".join(_xml_element("row", item, depth) for item in value)
    if isinstance(value, dict):
        return "".join(_xml_element(str(key), item, depth) for key, item in value.items())
    return ""


def _xml_result(value: Any, depth: int, attribute: str = "") -> str:
    pad = "\t" * depth
    if isinstance(value, Success):
        success = f"{pad}\t<success message={quoteattr(value.message)} />\n"
        return f"{pad}<result{attribute}>\n{success}{pad}</result>\n"
    if isinstance(value, dict | list):
        inner = _xml_body(value, depth + 1)
        if not inner:
            return f"{pad}<result{attribute} />\n"
        return f"{pad}<result{attribute}>\n{inner}{pad}</result>\n"
    return f"{pad}<result{attribute}>{_xml_text(value)}</result>\n"


def to_xml(result: Any) -> Rendered:
    head = '<?xml version="1.0" encoding="utf-8" ?>\n'
    if isinstance(result, Keyed):
        parts = [_keyed_xml(result, 1)]
        body = head + "<results>\n" + "".join(parts) + "</results>"
    else:
        body = head + _xml_result(result, 0).rstrip("\n")
    return Rendered(body.encode("utf-8"), "text/xml", {})


def _keyed_xml(keyed: Keyed, depth: int) -> str:
    out = []
    for key, item in keyed.results.items():
        attribute = f" {keyed.key}={quoteattr(str(key))}"
        if isinstance(item, Keyed):
            pad = "\t" * depth
            out.append(f"{pad}<result{attribute}>\n{_keyed_xml(item, depth + 1)}{pad}</result>\n")
        else:
            out.append(_xml_result(item, depth, attribute))
    return "".join(out)


def error_xml(message: str) -> Rendered:
    body = (
        '<?xml version="1.0" encoding="utf-8" ?>\n<result>\n'
        f"\t<error message={quoteattr(_XML_INVALID.sub('', message))} />\n</result>"
    )
    return Rendered(body.encode("utf-8"), "text/xml", {})


def _flatten(row: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}_")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield from _flatten(item, f"{name}_{index}_")
                else:
                    yield f"{name}_{index}", item
        else:
            yield name, value


def _table_rows(result: Any) -> list[dict[str, Any]]:
    """A result as flat rows; Keyed results get their key as the first column."""
    if isinstance(result, Keyed):
        rows: list[dict[str, Any]] = []
        for key, item in result.results.items():
            rows += [{result.key: key, **row} for row in _table_rows(item)]
        return rows
    if isinstance(result, Success):
        return [{"result": "success", "message": result.message}]
    if isinstance(result, list):
        return [dict(_flatten(row)) if isinstance(row, dict) else {"value": row} for row in result]
    if isinstance(result, dict):
        return [dict(_flatten(result))] if result else []
    return [{"value": result}]


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    text = str(value)
    # A cell a spreadsheet would run as a formula (visitor-sent titles, URLs) is quoted.
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        text = "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_delimited(result: Any, *, tab: bool, unicode: bool) -> Rendered:
    rows = _table_rows(result)
    extension = "tsv" if tab else "csv"
    if not rows:
        text = "No data available"
    else:
        columns: dict[str, None] = {}
        for row in rows:
            columns.update(dict.fromkeys(row))
        out = io.StringIO()
        writer = csv.writer(out, delimiter="\t" if tab else ",", lineterminator="\n")
        writer.writerow(list(columns))
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
        text = out.getvalue()
    body = ("\ufeff" + text).encode("utf-16-le") if unicode else text.encode("utf-8")
    charset = "utf-16le" if unicode else "utf-8"
    media = "text/tab-separated-values" if tab else "text/csv"
    headers = {"Content-Disposition": f'attachment; filename="export.{extension}"'}
    return Rendered(body, f"{media}; charset={charset}", headers)


def delimited_error(message: str, *, unicode: bool) -> Rendered:
    text = f"Error: {message}"
    body = ("\ufeff" + text).encode("utf-16-le") if unicode else text.encode("utf-8")
    return Rendered(body, "text/plain; charset=" + ("utf-16le" if unicode else "utf-8"), {})


def to_html(result: Any) -> Rendered:
    def table(item: Any) -> str:
        rows = _table_rows(item)
        if not rows:
            return "<p>No data available</p>"
        columns: dict[str, None] = {}
        for row in rows:
            columns.update(dict.fromkeys(row))
        head = "".join(f"<th>{escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(_cell(row.get(c)))}</td>" for c in columns) + "</tr>"
            for row in rows
        )
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody>\n</table>"

    if isinstance(result, Keyed):
        parts = [
            f"<h2>{escape(result.key)} {escape(str(key))}</h2>\n{table(item)}"
            for key, item in result.results.items()
        ]
        content = "\n".join(parts)
    else:
        content = table(result)
    head = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
    page = f"{head}{content}\n</body></html>"
    return Rendered(page.encode("utf-8"), "text/html; charset=utf-8", {})


def php_serialize(value: Any) -> str:
    """PHP's serialize() of the result (format=original&serialize=1)."""
    value = _plain(value)
    if value is None:
        return "N;"
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    items = enumerate(value) if isinstance(value, list) else value.items()
    pairs = list(items)
    body = "".join(php_serialize(key) + php_serialize(item) for key, item in pairs)
    return f"a:{len(pairs)}:{{{body}}}"


def to_original(result: Any) -> Rendered:
    return Rendered(php_serialize(result).encode("utf-8"), "text/plain; charset=utf-8", {})


def render(result: Any, fmt: str, *, callback: str = "", unicode: bool = True) -> Rendered:
    if fmt == "json":
        return to_json(result, callback=callback)
    if fmt in ("csv", "tsv"):
        return to_delimited(result, tab=fmt == "tsv", unicode=unicode)
    if fmt == "html":
        return to_html(result)
    if fmt == "original":
        return to_original(result)
    return to_xml(result)


def render_error(message: str, fmt: str, *, callback: str = "", unicode: bool = True) -> Rendered:
    if fmt == "json":
        return to_json({"result": "error", "message": message}, callback=callback)
    if fmt in ("csv", "tsv"):
        return delimited_error(message, unicode=unicode)
    if fmt == "html":
        return Rendered(
            f"<!DOCTYPE html>\n<html><body><p>Error: {escape(message)}</p></body></html>".encode(),
            "text/html; charset=utf-8",
            {},
        )
    if fmt == "original":
        return to_original({"result": "error", "message": message})
    return error_xml(message)
