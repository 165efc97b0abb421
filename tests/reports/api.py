"""Calling the Reporting API in tests: `call(client, method, **params)` with sensible defaults,
and parsers for every output format."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from starlette.testclient import TestClient

DAY = "2026-03-10"  # the day of tests.archiving.traffic.known_day


def get(client: TestClient, method: str, **params: Any) -> Any:
    """GET /index.php?module=API&method=... and return the raw response."""
    query = {"module": "API", "method": method, **{k: str(v) for k, v in params.items()}}
    return client.get("/index.php", params=query)


def call(client: TestClient, method: str, **params: Any) -> Any:
    """A JSON call that must succeed (HTTP 200 and no error object); returns the data."""
    params.setdefault("format", "json")
    response = get(client, method, **params)
    assert response.status_code == 200, response.text
    data = response.json()
    assert not (isinstance(data, dict) and data.get("result") == "error"), data
    return data


def report(client: TestClient, method: str, token: str, idsite: int, **params: Any) -> Any:
    """A report of `idsite` on the known day unless other period/date are given."""
    params.setdefault("period", "day")
    params.setdefault("date", DAY)
    return call(client, method, token_auth=token, idSite=idsite, **params)


def error(client: TestClient, method: str, status: int = 200, **params: Any) -> str:
    """A JSON call that must fail with `status`; returns the error message."""
    params.setdefault("format", "json")
    response = get(client, method, **params)
    assert response.status_code == status, response.text
    data = response.json()
    assert data["result"] == "error", data
    return str(data["message"])


def parse_xml(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def xml_rows(root: ET.Element) -> list[dict[str, str]]:
    """<result><row><label>..</label>...</row></result> as dicts of text (no subtables)."""
    return [{child.tag: child.text or "" for child in row} for row in root.findall("row")]


def parse_delimited(body: bytes, *, tab: bool = False) -> list[dict[str, str]]:
    """CSV/TSV as Matomo sends it by default: UTF-16LE with a byte-order mark."""
    assert body[:2] == b"\xff\xfe", body[:20]
    text = body.decode("utf-16-le").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t" if tab else ","))


def as_json(text: str) -> Any:
    return json.loads(text)
