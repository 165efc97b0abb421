"""Hit builders shaped like the requests of Matomo's JavaScript tracker."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.testclient import TestClient

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
VISITOR = "0123456789abcdef"


def js_hit(idsite: int = 1, **params: Any) -> dict[str, str]:
    """The parameters the JS tracker sends with every hit, plus `params`."""
    hit: dict[str, Any] = {
        "idsite": idsite,
        "rec": 1,
        "r": "123456",
        "h": 13,
        "m": 5,
        "s": 30,
        "url": "https://portal.example.com/docs/start",
        "action_name": "Getting started",
        "_id": VISITOR,
        "_idn": 0,
        "send_image": 0,
        "_refts": 0,
        "res": "1920x1080",
        "cookie": 1,
        "pdf": 1,
        "qt": 0,
        "realp": 0,
        "wma": 0,
        "fla": 0,
        "java": 0,
        "ag": 0,
        "pv_id": "a1b2c3",
    }
    hit.update(params)
    return {k: str(v) for k, v in hit.items() if v is not None}


def send(
    client: TestClient,
    hit: dict[str, str],
    *,
    ua: str = CHROME_WINDOWS,
    ip: str | None = None,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> Any:
    all_headers = {"User-Agent": ua, "Accept-Language": "en-US,en;q=0.9", **(headers or {})}
    if ip is not None:
        hit = {**hit, "cip": ip}
    if method == "GET":
        return client.get("/matomo.php?" + urlencode(hit), headers=all_headers)
    return client.post(
        "/matomo.php",
        content=urlencode(hit),
        headers={**all_headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
