"""Malformed hits: 204 to browsers, a clear 400 to SDKs, never a 500, nothing stored, all listed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.config import Settings
from analytics_server.models import LogConversion, LogConversionItem, LogLinkVisitAction, LogVisit
from tests.conftest import FakeClock
from tests.factories import (
    actions,
    count,
    create_site,
    create_token,
    failures,
    name_of,
    url_of,
    visits,
)
from tests.tracking.helpers import js_hit

STORED = (LogVisit, LogLinkVisitAction, LogConversion, LogConversionItem)
SHOP = {"ecommerce": True}
ORDER = {"idgoal": "0", "ec_id": "A-1", "revenue": "10", "ec_items": '[["S", "N", "C", 10, 1]]'}
JS_GET_LIMIT = 2000  # the JS tracker switches from GET to POST above this query length


@dataclass(frozen=True)
class Bad:
    """A malformed hit: what it changes in a good JS tracker hit, and the reason it must get."""

    params: Mapping[str, str | None]  # over js_hit(); None drops the parameter
    reason: str  # in the listed failure and in the SDK's 400 body
    raw: str = ""  # appended unescaped (bytes that urlencode would escape)
    site: dict[str, Any] = field(default_factory=dict)  # create_site overrides
    token: str | None = None  # "write" or "view": token_auth of such a user is added
    cdt: timedelta | None = None  # cdt = the clock's now + this
    before: Mapping[str, str] | None = None  # a good SDK hit stored first


def case(name: str, params: Mapping[str, str | None], reason: str, **options: Any) -> Any:
    return pytest.param(Bad(params, reason, **options), id=name)


NOT_POSITIVE = "idsite must be a positive integer"
NEEDS_TOKEN = "need a token_auth with write access"
CASES = [
    # idsite
    case("idsite-missing", {"idsite": None}, "idsite is missing"),
    case("idsite-0", {"idsite": "0"}, NOT_POSITIVE),
    case("idsite-negative", {"idsite": "-1"}, NOT_POSITIVE),
    case("idsite-abc", {"idsite": "abc"}, NOT_POSITIVE),
    case("idsite-huge", {"idsite": "99999999999"}, NOT_POSITIVE),
    case("idsite-superscript-digit", {"idsite": "\u00b2"}, NOT_POSITIVE),
    case("idsite-unknown", {"idsite": "999"}, "idsite 999 is not a known, active site"),
    case("site-inactive", {}, "is not a known, active site", site={"active": False}),
    # text
    case("url-broken-utf8", {"url": None}, "not valid UTF-8", raw="&url=%C3%28"),
    case(
        "action-name-broken-utf8",
        {"action_name": None},
        "not valid UTF-8",
        raw="&action_name=%C3%28",
    ),
    case("charset-not-text", {"url": None}, "not valid rot13", raw="&url=%C3%28&cs=rot13"),
    case(
        "request-100kb",
        {"url": "https://portal.example.com/" + "a" * 100_000},
        "request is too large",
    ),
    # numbers
    case(
        "e_v-infinite",
        {"e_c": "Video", "e_a": "play", "e_v": "1e400"},
        "e_v must be a finite number",
    ),
    case("revenue-1e300", {"revenue": "1e300"}, "revenue must be a finite number"),
    case("pf_net-negative", {"pf_net": "-5"}, "pf_net must be between 0 and 16777215"),
    case("pf_srv-too-big", {"pf_srv": "99999999"}, "pf_srv must be between 0 and 16777215"),
    case(
        "search_count-negative",
        {"search": "cement", "search_count": "-1"},
        "search_count must be between",
    ),
    case("idgoal-abc", {"idgoal": "abc"}, "idgoal must be an integer"),
    # visitor id
    case("cid-not-hex", {"cid": "xyz"}, "cid must be exactly 16 hexadecimal characters"),
    case(
        "cid-15-chars", {"cid": "0123456789abcde"}, "cid must be exactly 16 hexadecimal characters"
    ),
    # custom timestamp
    case("cdt-future", {}, "cdt is in the future", cdt=timedelta(minutes=11), token="write"),
    case(
        "cdt-25-years-old",
        {},
        "more than 20 years in the past",
        cdt=-timedelta(days=25 * 365),
        token="write",
    ),
    case("cdt-garbage", {"cdt": "yesterday"}, "cdt must be a unix timestamp or a UTC datetime"),
    case(
        "cdt-year-1-with-offset",
        {"cdt": "0001-01-01T00:00:00+01:00"},
        "cdt must be a unix timestamp",
    ),
    case("cdt-year-1-minus-cdo", {"cdt": "0001-01-01T00:00:05", "cdo": "10"}, "more than 20 years"),
    case("cdt-3-days-without-token", {}, NEEDS_TOKEN, cdt=-timedelta(days=3)),
    case(
        "cdt-wrong-token",
        {"token_auth": "f" * 32},
        "token_auth is not valid",
        cdt=-timedelta(days=3),
    ),
    # trusted parameters
    case("cip-without-token", {"cip": "198.51.100.7"}, NEEDS_TOKEN),
    case("cip-not-an-ip", {"cip": "not-an-ip"}, "cip is not an IP address", token="write"),
    case(
        "cip-view-only-token",
        {"cip": "198.51.100.7"},
        "token_auth has no write access",
        token="view",
    ),
    case("country-xyz", {"country": "xyz"}, "country must be a 2-letter ISO code", token="write"),
    case("lat-200", {"lat": "200"}, "lat must be a finite number below 90", token="write"),
    # goals and ecommerce
    case("goal-unknown", {"idgoal": "99"}, "goal 99 does not exist"),
    case("ecommerce-disabled", ORDER, "ecommerce is not enabled"),
    case("order-duplicate", ORDER, "already recorded", site=SHOP, before=ORDER),
    case(
        "ec_items-not-json",
        {**ORDER, "ec_items": "[[broken"},
        "ec_items must be a JSON array",
        site=SHOP,
    ),
    case(
        "ec_items-price-text",
        {**ORDER, "ec_items": '[["S", "N", "C", "cheap", 1]]'},
        "price and quantity must be numbers",
        site=SHOP,
    ),
    case(
        "ec_items-quantity-infinite",
        {**ORDER, "ec_items": '[["S", "N", "C", 1, "1e400"]]'},
        "price and quantity must be numbers",
        site=SHOP,
    ),
    # events, contents, custom variables
    case(
        "event-without-action",
        {"e_c": "Video", "ca": "1"},
        "events need both e_c (category) and e_a",
    ),
    case("content-piece-without-name", {"c_p": "/img/banner.png"}, "content tracking needs c_n"),
    case("cvar-not-json", {"_cvar": '{1: "x"'}, "_cvar must be JSON"),
    case("cvar-nested-too-deep", {"_cvar": "[" * 5000}, "_cvar must be JSON"),
    case("cvar-lone-surrogate", {"_cvar": '{"1": ["\\ud800", "x"]}'}, "lone surrogate"),
]


def _token(db: Session, kind: str | None, idsite: int) -> str | None:
    if kind is None:
        return None
    return create_token(db, login=kind, superuser=False, access={idsite: kind})


def _build(bad: Bad, *, idsite: int, token: str | None, clock: FakeClock) -> dict[str, str]:
    hit = js_hit(idsite)
    if bad.cdt is not None:
        hit["cdt"] = str(int((clock.now + bad.cdt).timestamp()))
    if token is not None:
        hit["token_auth"] = token
    for name, value in bad.params.items():
        if value is None:
            hit.pop(name, None)
        else:
            hit[name] = value
    return hit


def _send(client: TestClient, hit: dict[str, str], *, raw: str = "", form: str) -> Any:
    """A browser hit as the JS tracker sends it (GET, POST when long); SDK hits as POST forms."""
    if form == "sdk":
        hit = {k: v for k, v in hit.items() if k != "send_image"}
    query = urlencode(hit) + raw
    if form == "browser" and len(query) <= JS_GET_LIMIT:
        return client.get("/matomo.php?" + query)
    return client.post(
        "/matomo.php",
        content=query,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def _stored(db: Session) -> list[int]:
    return [count(db, model) for model in STORED]


@pytest.mark.parametrize("form", ["browser", "sdk"])
@pytest.mark.parametrize("bad", CASES)
def test_malformed_hit_is_refused_stored_nowhere_and_listed(
    client: TestClient, db: Session, clock: FakeClock, bad: Bad, form: str
) -> None:
    site = create_site(db, **bad.site)
    token = _token(db, bad.token, site.idsite)
    if bad.before is not None:
        first = _send(client, {**js_hit(site.idsite), **bad.before}, form="sdk")
        assert first.status_code == 200
    stored_before = _stored(db)

    answer = _send(
        client, _build(bad, idsite=site.idsite, token=token, clock=clock), raw=bad.raw, form=form
    )

    if form == "browser":  # the JS tracker would re-send on any non-2xx answer
        assert (answer.status_code, answer.content) == (204, b"")
    else:
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith("text/plain")
        assert bad.reason in answer.text
    assert _stored(db) == stored_before
    [failure] = failures(db)
    assert bad.reason in failure.reason
    assert failure.source == form
    assert "token_auth" not in failure.request
    assert token is None or token not in failure.request


@pytest.mark.parametrize("form", ["browser", "sdk"])
def test_page_charset_named_in_cs_is_accepted(client: TestClient, db: Session, form: str) -> None:
    site = create_site(db)
    hit = {k: v for k, v in js_hit(site.idsite).items() if k not in ("url", "action_name")}
    # "\xc3(" is not UTF-8 but is "Г(" in windows-1251
    raw = "&url=https%3A%2F%2Fportal.example.com%2F%C3%28&action_name=%C3%28&cs=windows-1251"
    answer = _send(client, hit, raw=raw, form=form)
    assert answer.status_code == (204 if form == "browser" else 200)
    [action] = actions(db)
    assert name_of(db, action["idaction_name"]) == "Г("
    assert url_of(db, action["idaction_url"]) == "https://portal.example.com/Г("
    assert failures(db) == []


# ------------------------------------------------------------------------------ bulk


def _bulk(client: TestClient, body: Any) -> Any:
    return client.post("/matomo.php", content=body if isinstance(body, bytes) else json.dumps(body))


def _good(idsite: int, path: str) -> str:
    return "?" + urlencode(js_hit(idsite, url=f"https://portal.example.com/{path}"))


FATAL_BULKS = [
    pytest.param(b'{"requests": [', "not valid JSON", id="not-json"),
    pytest.param(
        b'{"requests": ' + b"[" * 5000 + b"]" * 5000 + b"}", "not valid JSON", id="nested-too-deep"
    ),
    pytest.param({"requests": "x"}, 'needs a "requests" list', id="requests-not-a-list"),
    pytest.param(["requests"], 'needs a "requests" list', id="body-not-an-object"),
    pytest.param(
        {"requests": ["?idsite=1&rec=1"] * 4}, "at most 3 requests", id="too-many-requests"
    ),
    pytest.param(
        {"requests": ["?idsite=1&rec=1&url=" + "a" * 20_000]},
        "larger than 16000 bytes",
        id="body-too-large",
    ),
]


@pytest.mark.parametrize(("body", "message"), FATAL_BULKS)
def test_unreadable_bulk_is_a_json_400_and_stores_nothing(
    client: TestClient, db: Session, settings: Settings, body: Any, message: str
) -> None:
    create_site(db)
    settings.tracker.max_bulk_requests = 3
    settings.tracker.max_bulk_bytes = 16_000
    answer = _bulk(client, body)
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "status": "error",
        "tracked": 0,
        "invalid": 0,
        "message": answer.json()["message"],
    }
    assert message in answer.json()["message"]
    assert _stored(db) == [0, 0, 0, 0]


def test_bulk_entry_that_is_a_number_is_counted_invalid_and_listed(
    client: TestClient, db: Session
) -> None:
    create_site(db)
    answer = _bulk(client, {"requests": [5]})
    assert answer.status_code == 200
    assert answer.json() == {"status": "success", "tracked": 0, "invalid": 1}
    assert _stored(db) == [0, 0, 0, 0]
    [failure] = failures(db)
    assert "must be a query string or an object" in failure.reason
    assert failure.source == "bulk"


def test_a_bulk_of_only_unreadable_entries_lists_them_to_a_super_user(
    client: TestClient, db: Session
) -> None:
    create_site(db)
    token = create_token(db)
    answer = _bulk(client, {"requests": [5, 7], "token_auth": token})
    assert answer.json() == {
        "status": "success",
        "tracked": 0,
        "invalid": 2,
        "invalid_indices": [0, 1],
    }


def test_mixed_bulk_stores_the_good_requests_only(client: TestClient, db: Session) -> None:
    site = create_site(db)
    token = create_token(db)
    requests = [
        _good(site.idsite, "a"),
        "?" + urlencode(js_hit(999)),
        js_hit(site.idsite, cid="xyz"),
        js_hit(site.idsite, url="https://portal.example.com/b"),
    ]
    answer = _bulk(client, {"requests": requests, "token_auth": token, "send_image": 0})
    assert answer.status_code == 200  # not 204: the client must learn about the invalid ones
    assert answer.json() == {
        "status": "success",
        "tracked": 2,
        "invalid": 2,
        "invalid_indices": [1, 2],
    }
    assert [url_of(db, a["idaction_url"]) for a in actions(db)] == [
        "https://portal.example.com/a",
        "https://portal.example.com/b",
    ]
    assert len(visits(db)) == 1
    reasons = [f.reason for f in failures(db)]
    assert len(reasons) == 2
    assert "idsite 999" in reasons[0]
    assert "cid must be exactly 16" in reasons[1]
    assert all(f.source == "bulk" and token not in f.request for f in failures(db))


def test_bulk_entries_with_lone_surrogates_are_invalid_not_a_500(
    client: TestClient, db: Session
) -> None:
    site = create_site(db)
    requests = [
        js_hit(site.idsite, action_name="cut emoji \ud83d"),
        _good(site.idsite, "a") + "&urlref=\udc00",
        js_hit(site.idsite, _cvar=json.dumps({"1": ["role", "\ud800"]})),
        _good(site.idsite, "ok"),
    ]
    answer = _bulk(client, {"requests": requests})
    assert answer.json() == {"status": "success", "tracked": 1, "invalid": 3}
    assert len(actions(db)) == 1
    listed = failures(db)
    assert len(listed) == 3
    assert all("lone surrogate" in f.reason for f in listed)


def test_bulk_with_a_wrong_token_tracks_nothing(client: TestClient, db: Session) -> None:
    site = create_site(db)
    answer = _bulk(client, {"requests": [_good(site.idsite, "a")], "token_auth": "f" * 32})
    assert answer.json() == {"status": "success", "tracked": 0, "invalid": 1}
    assert _stored(db) == [0, 0, 0, 0]
    assert [f.reason for f in failures(db)] == ["token_auth is not valid"]


def test_a_body_past_every_limit_is_refused_unread(
    client: TestClient, db: Session, settings: Settings
) -> None:
    create_site(db)
    settings.tracker.max_bulk_bytes = 16_000
    settings.tracker.max_request_bytes = 8_000
    form = urlencode(js_hit(1, url="https://portal.example.com/" + "a" * 40_000))
    answer = client.post(
        "/matomo.php", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "request body is larger than 16000 bytes"
    assert _stored(db) == [0, 0, 0, 0]
