"""A hit's parameters parsed and validated into a `TrackingRequest` (no database access here)."""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TypedDict

from analytics_server.errors import InvalidRequestError
from analytics_server.kit.params import MAX_URL_LENGTH

MAX_PERF_MS = 16_777_215
MAX_MONEY = 1e12
_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
_HEX16_PREFIX = re.compile(r"^[0-9a-fA-F]{16}")
_RESOLUTION = re.compile(r"^\d{1,5}x\d{1,5}$")
_DIMENSION = re.compile(r"^dimension(\d{1,9})$")
# Lone surrogates reach us through JSON escapes and bulk strings; no database can store them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
FLAG_PARAMS = ("cookie", "fla", "java", "pdf", "qt", "realp", "wma", "ag")


# Read-only by convention: frozen, its __init__ took 3.6 us a hit (1.5 us now), in the
# endpoint and again in the worker's decode.
@dataclass(slots=True)
class ServerFacts:
    """What the endpoint knows about a hit besides its parameters."""

    ip: str
    user_agent: str
    accept_language: str
    referer_header: str
    received_at: datetime
    source: str  # browser | sdk | bulk
    # Lower-case names; only what the exclusion checks read (validation.SIGNAL_HEADERS, cookie).
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EcommerceItem:
    sku: str
    name: str
    categories: tuple[str, ...]
    price: float
    quantity: int


@dataclass(slots=True)  # read-only by convention: frozen made __init__ a third of the parse
class TrackingRequest:
    """One hit, parsed; fields are None or empty when the parameter was absent."""

    params: Mapping[str, str]
    facts: ServerFacts
    idsite: int
    rec: bool
    url: str
    action_name: str
    urlref: str
    visitor_id: bytes | None  # from _id
    cid: bytes | None
    uid: str | None
    new_visit: bool
    resolution: str
    local_time: time | None
    flags: Mapping[str, bool]
    user_agent: str
    client_hints: Mapping[str, object] | None
    language: str
    attribution_campaign: tuple[str, str] | None
    attribution_referrer: str
    pageview_id: str | None
    dimensions: Mapping[int, str]
    visit_custom_vars: Mapping[int, tuple[str, str]]
    page_custom_vars: Mapping[int, tuple[str, str]]
    event_custom_vars: Mapping[int, tuple[str, str]]
    record_bots: bool
    not_a_pageview: bool
    outlink: str | None
    download: str | None
    search: str | None
    search_category: str | None
    search_count: int | None
    event_category: str | None
    event_action: str | None
    event_name: str | None
    event_value: float | None
    content_name: str | None
    content_piece: str | None
    content_target: str | None
    content_interaction: str | None
    product_sku: str | None
    product_name: str | None
    product_categories: tuple[str, ...]
    product_price: float | None
    performance: Mapping[str, int]
    ping: bool
    idgoal: int | None
    revenue: float | None
    order_id: str | None
    items: tuple[EcommerceItem, ...]
    subtotal: float | None
    tax: float | None
    shipping: float | None
    discount: float | None
    token_auth: str | None
    custom_ip: str | None
    custom_time: datetime | None
    location_overrides: Mapping[str, str]
    send_image: bool

    @property
    def needs_token(self) -> bool:
        """Whether the hit uses parameters only a trusted server may set."""
        return bool(self.custom_ip or self.location_overrides)


def _text(params: Mapping[str, str], name: str, limit: int = MAX_URL_LENGTH) -> str:
    value = params.get(name, "")
    if not value:
        return ""
    if not value.isprintable():  # rare: drop control characters (tab is kept)
        value = "".join(ch for ch in value if ch >= " " or ch == "\t")
    return value.strip()[:limit]


def _opt_text(params: Mapping[str, str], name: str, limit: int = 255) -> str | None:
    value = _text(params, name, limit)
    return value or None


def _int(params: Mapping[str, str], name: str, *, low: int, high: int) -> int | None:
    raw = params.get(name, "").strip()
    if raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequestError(f"{name} must be an integer, got {raw[:40]!r}") from None
    if not low <= value <= high:
        raise InvalidRequestError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _float(params: Mapping[str, str], name: str, *, limit: float = MAX_MONEY) -> float | None:
    raw = params.get(name, "").strip()
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise InvalidRequestError(f"{name} must be a number, got {raw[:40]!r}") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise InvalidRequestError(f"{name} must be a finite number below {limit:g}")
    return value


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").strip() in ("1", "true")


def _json(raw: str) -> object:
    """json.loads that also refuses lone surrogates (`"\\ud800"`), which no database stores.

    Raises ValueError or RecursionError (deep nesting) for text that is not JSON.
    """
    data = json.loads(raw)
    if "\\u" in raw:
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise InvalidRequestError(
                "a JSON parameter is not valid Unicode (lone surrogate)"
            ) from None
    return data


def _custom_vars(params: Mapping[str, str], name: str) -> dict[int, tuple[str, str]]:
    raw = params.get(name, "")
    if not raw:
        return {}
    try:
        data = _json(raw)
    except (ValueError, RecursionError):
        raise InvalidRequestError(f'{name} must be JSON like {{"1":["name","value"]}}') from None
    if not isinstance(data, dict):
        raise InvalidRequestError(f"{name} must be a JSON object")
    result: dict[int, tuple[str, str]] = {}
    for slot, pair in data.items():
        if not (str(slot).isdigit() and 1 <= int(slot) <= 5):
            continue  # Matomo ignores slots it has no column for
        if isinstance(pair, list) and len(pair) == 2:
            result[int(slot)] = (str(pair[0])[:200], str(pair[1])[:200])
    return result


def _categories(raw: str) -> tuple[str, ...]:
    if not raw:
        return ()
    if raw.startswith("["):
        try:
            data = _json(raw)
        except (ValueError, RecursionError):
            raise InvalidRequestError("product category must be text or a JSON array") from None
        if isinstance(data, list):
            return tuple(str(c)[:255] for c in data if str(c).strip())[:5]
    return (raw[:255],)


def _items(params: Mapping[str, str]) -> tuple[EcommerceItem, ...]:
    raw = params.get("ec_items", "")
    if not raw:
        return ()
    try:
        data = _json(raw)
    except (ValueError, RecursionError):
        raise InvalidRequestError("ec_items must be a JSON array of items") from None
    if not isinstance(data, list) or len(data) > 1000:
        raise InvalidRequestError("ec_items must be a JSON array of at most 1000 items")
    items = []
    for entry in data:
        if not isinstance(entry, list) or not entry or not str(entry[0]).strip():
            raise InvalidRequestError(
                "each ec_items entry must be [sku, name, category, price, qty]"
            )
        padded = [*entry, "", "", 0, 1][:5] if len(entry) < 5 else entry[:5]
        sku, name, cats, price, qty = padded
        try:
            price_f = float(price or 0)
            qty_i = int(float(qty or 1))
        except (TypeError, ValueError, OverflowError):  # int(float("1e400")) overflows
            raise InvalidRequestError("ec_items price and quantity must be numbers") from None
        if not math.isfinite(price_f) or abs(price_f) > MAX_MONEY or not 0 <= qty_i <= 1_000_000:
            raise InvalidRequestError("ec_items price or quantity out of range")
        categories = _categories(json.dumps(cats) if isinstance(cats, list) else str(cats or ""))
        items.append(
            EcommerceItem(str(sku)[:255], str(name or "")[:255], categories, price_f, qty_i)
        )
    return tuple(items)


def _custom_time(params: Mapping[str, str], now: datetime) -> datetime | None:
    raw = params.get("cdt", "").strip()
    if not raw:
        # cdo alone: a tracker sending a hit it had to keep (offline) says how old it is.
        offset = _int(params, "cdo", low=0, high=10 * 365 * 86400)
        return now - timedelta(seconds=offset) if offset else None
    moment: datetime
    try:
        moment = datetime.fromtimestamp(float(raw), UTC)
    except (ValueError, OverflowError, OSError):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except (ValueError, OverflowError):  # astimezone() overflows near year 1
            raise InvalidRequestError("cdt must be a unix timestamp or a UTC datetime") from None
    offset = _int(params, "cdo", low=0, high=10 * 365 * 86400) or 0
    try:
        moment -= timedelta(seconds=offset)
    except OverflowError:
        raise InvalidRequestError("cdt is more than 20 years in the past") from None
    if moment > now + timedelta(minutes=10):
        raise InvalidRequestError("cdt is in the future")
    if moment < now - timedelta(days=365 * 20):
        raise InvalidRequestError("cdt is more than 20 years in the past")
    return min(moment, now)


def _local_time(params: Mapping[str, str]) -> time | None:
    if not any(k in params for k in ("h", "m", "s")):
        return None
    parts = []
    for name, high in (("h", 23), ("m", 59), ("s", 59)):
        try:
            value = int(params.get(name, "0") or 0)
        except ValueError:
            value = 0
        parts.append(value if 0 <= value <= high else 0)  # invalid local time counts as 0
    return time(parts[0], parts[1], parts[2])


def _visitor_id(params: Mapping[str, str]) -> bytes | None:
    raw = params.get("_id", "").strip()
    if not raw:
        return None
    if not _HEX16_PREFIX.match(raw):
        return None  # a broken cookie id is ignored; the visitor is recognised otherwise
    return bytes.fromhex(raw[:16])


def _cid(params: Mapping[str, str]) -> bytes | None:
    raw = params.get("cid", "").strip()
    if not raw:
        return None
    if not _HEX16.match(raw):
        raise InvalidRequestError("cid must be exactly 16 hexadecimal characters")
    return bytes.fromhex(raw)


def _client_hints(params: Mapping[str, str]) -> Mapping[str, object] | None:
    raw = params.get("uadata", "")
    if not raw:
        return None
    try:
        data = _json(raw)
    except (ValueError, RecursionError, InvalidRequestError):
        return None  # client hints are a refinement; bad ones are ignored like Matomo does
    return data if isinstance(data, dict) else None


_PERFORMANCE = {
    "pf_net": "time_network",
    "pf_srv": "time_server",
    "pf_tfr": "time_transfer",
    "pf_dm1": "time_dom_processing",
    "pf_dm2": "time_dom_completion",
    "pf_onl": "time_on_load",
}


def _performance(params: Mapping[str, str]) -> dict[str, int]:
    result = {}
    for param, column in _PERFORMANCE.items():
        if param not in params:
            continue
        value = _int(params, param, low=0, high=MAX_PERF_MS)
        if value is not None:
            result[column] = value
    return result


def _idsite(params: Mapping[str, str]) -> int:
    raw = params.get("idsite", "").strip()
    if not raw:
        raise InvalidRequestError("idsite is missing")
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) <= 0:
        raise InvalidRequestError(f"idsite must be a positive integer, got {raw[:40]!r}")
    return int(raw)


def _dimensions(params: Mapping[str, str]) -> dict[int, str]:
    result = {}
    for key, value in params.items():
        match = _DIMENSION.match(key) if key.startswith("dimension") else None
        if match:
            result[int(match.group(1))] = value.strip()[:255]
    return result


def _goal(params: Mapping[str, str]) -> int | None:
    return _int(params, "idgoal", low=-1, high=2_147_483_647)


def _location_overrides(params: Mapping[str, str]) -> dict[str, str]:
    result = {}
    for name in ("country", "region", "city", "lat", "long"):
        value = _text(params, name, 255)
        if value:
            result[name] = value
    if "country" in result and not re.fullmatch(r"[A-Za-z]{2}", result["country"]):
        raise InvalidRequestError("country must be a 2-letter ISO code")
    for name, limit in (("lat", 90.0), ("long", 180.0)):
        if name in result:
            _float(result, name, limit=limit)
    return result


def _attribution(params: Mapping[str, str]) -> tuple[str, str] | None:
    name = _text(params, "_rcn", 255)
    return (name, _text(params, "_rck", 255)) if name else None


def parse_request(params: Mapping[str, str], facts: ServerFacts) -> TrackingRequest:
    """Validate and parse one hit; raises InvalidRequestError with the reason.

    Runs for every hit twice (endpoint and worker), and a hit carries a dozen of the sixty
    parameters read here: an absent one costs a membership test, not a parsing call.
    """
    names = "".join(params)
    if not (names.isascii() and "".join(params.values()).isascii()):
        _check_surrogates(params)
    idsite = _idsite(params)
    url = _text(params, "url", 64 * 1024)  # cut to 1024 after parameter removal
    urlref = _text(params, "urlref", 64 * 1024) if "urlref" in params else ""
    if not url and not urlref and facts.referer_header:
        url = facts.referer_header  # image tracker without parameters
    custom_ip = _opt_text(params, "cip", 64) if "cip" in params else None
    if custom_ip is not None and not _is_ip(custom_ip):
        raise InvalidRequestError(f"cip is not an IP address: {custom_ip[:64]!r}")
    resolution = _text(params, "res", 18)
    if not params.keys().isdisjoint(_PAIRED_PARAMS):
        _check_action_parameters(params)
    uid = _opt_text(params, "uid", 200) if "uid" in params else None
    # What may raise, in the order of old (the first problem is the one reported).
    cid = _cid(params) if "cid" in params else None
    visit_vars = _custom_vars(params, "_cvar") if "_cvar" in params else {}
    page_vars = _custom_vars(params, "cvar") if "cvar" in params else {}
    event_vars = _custom_vars(params, "e_cvar") if "e_cvar" in params else {}
    rare = _rare(params) if not params.keys().isdisjoint(_RARE_PARAMS) else _ABSENT
    performance = _performance(params) if not params.keys().isdisjoint(_PERFORMANCE) else {}
    order = _ecommerce(params) if not params.keys().isdisjoint(_ECOMMERCE_PARAMS) else _NO_ORDER
    custom_time = (
        _custom_time(params, facts.received_at) if "cdt" in params or "cdo" in params else None
    )
    location = {} if params.keys().isdisjoint(_LOCATION_PARAMS) else _location_overrides(params)
    get = params.get
    # Plain keywords: unpacking the groups with ** made the call three times as slow.
    return TrackingRequest(
        params=params,
        facts=facts,
        idsite=idsite,
        rec=get("rec", "").strip() == "1",
        url=url,
        action_name=_text(params, "action_name"),
        urlref=urlref,
        visitor_id=_visitor_id(params),
        cid=cid,
        uid=uid,
        new_visit=_flag(params, "new_visit"),
        resolution=resolution if _RESOLUTION.match(resolution) else "unknown",
        local_time=_local_time(params) if "h" in params or "m" in params or "s" in params else None,
        flags={name: get(name, "").strip() in _TRUE for name in FLAG_PARAMS},
        user_agent=(_text(params, "ua", 1000) if "ua" in params else "") or facts.user_agent[:1000],
        client_hints=_client_hints(params) if "uadata" in params else None,
        language=(_text(params, "lang", 100) or facts.accept_language).lower()[:20],
        attribution_campaign=_attribution(params) if "_rcn" in params else None,
        attribution_referrer=_text(params, "_ref", 1500) if "_ref" in params else "",
        pageview_id=_opt_text(params, "pv_id", 6),
        # `names` may hold "dimension" across two names; _dimensions looks at each name
        dimensions=_dimensions(params) if "dimension" in names else {},
        visit_custom_vars=visit_vars,
        page_custom_vars=page_vars,
        event_custom_vars=event_vars,
        record_bots=_flag(params, "bots"),
        not_a_pageview=_flag(params, "ca"),
        outlink=rare["outlink"],
        download=rare["download"],
        search=rare["search"],
        search_category=rare["search_category"],
        search_count=rare["search_count"],
        event_category=rare["event_category"],
        event_action=rare["event_action"],
        event_name=rare["event_name"],
        event_value=rare["event_value"],
        content_name=rare["content_name"],
        content_piece=rare["content_piece"],
        content_target=rare["content_target"],
        content_interaction=rare["content_interaction"],
        product_sku=rare["product_sku"],
        product_name=rare["product_name"],
        product_categories=rare["product_categories"],
        product_price=rare["product_price"],
        performance=performance,
        ping=_flag(params, "ping"),
        idgoal=order["idgoal"],
        revenue=order["revenue"],
        order_id=order["order_id"],
        items=order["items"],
        subtotal=order["subtotal"],
        tax=order["tax"],
        shipping=order["shipping"],
        discount=order["discount"],
        token_auth=_opt_text(params, "token_auth", 256) if "token_auth" in params else None,
        custom_ip=custom_ip,
        custom_time=custom_time,
        location_overrides=location,
        send_image=get("send_image", "1").strip() != "0",
    )


_TRUE = ("1", "true")
_PAIRED_PARAMS = frozenset({"e_c", "e_a", "c_p", "c_t", "c_i"})
_LOCATION_PARAMS = frozenset({"country", "region", "city", "lat", "long"})


def _check_surrogates(params: Mapping[str, str]) -> None:
    if any(_SURROGATE.search(k + v) for k, v in params.items() if not (k + v).isascii()):
        raise InvalidRequestError("a parameter is not valid UTF-8 (lone surrogate)")


class _Rare(TypedDict):
    outlink: str | None
    download: str | None
    search: str | None
    search_category: str | None
    search_count: int | None
    event_category: str | None
    event_action: str | None
    event_name: str | None
    event_value: float | None
    content_name: str | None
    content_piece: str | None
    content_target: str | None
    content_interaction: str | None
    product_sku: str | None
    product_name: str | None
    product_categories: tuple[str, ...]
    product_price: float | None


def _rare(params: Mapping[str, str]) -> _Rare:
    """Links, searches, events, contents and product views: parsed in the order of old."""
    return {
        "outlink": _opt_text(params, "link", MAX_URL_LENGTH),
        "download": _opt_text(params, "download", MAX_URL_LENGTH),
        "search": _opt_text(params, "search", 255),
        "search_category": _opt_text(params, "search_cat", 200),
        "search_count": _int(params, "search_count", low=0, high=2_147_483_647),
        "event_category": _opt_text(params, "e_c"),
        "event_action": _opt_text(params, "e_a"),
        "event_name": _opt_text(params, "e_n"),
        "event_value": _float(params, "e_v"),
        "content_name": _opt_text(params, "c_n"),
        "content_piece": _opt_text(params, "c_p"),
        "content_target": _opt_text(params, "c_t", MAX_URL_LENGTH),
        "content_interaction": _opt_text(params, "c_i"),
        "product_sku": _opt_text(params, "_pks"),
        "product_name": _opt_text(params, "_pkn"),
        "product_categories": _categories(_text(params, "_pkc", 2000)),
        "product_price": _float(params, "_pkp"),
    }


_RARE_PARAMS = frozenset(
    {"link", "download", "search", "search_cat", "search_count", "e_c", "e_a", "e_n", "e_v"}
    | {"c_n", "c_p", "c_t", "c_i", "_pks", "_pkn", "_pkc", "_pkp"}
)
_ABSENT: _Rare = {
    "outlink": None,
    "download": None,
    "search": None,
    "search_category": None,
    "search_count": None,
    "event_category": None,
    "event_action": None,
    "event_name": None,
    "event_value": None,
    "content_name": None,
    "content_piece": None,
    "content_target": None,
    "content_interaction": None,
    "product_sku": None,
    "product_name": None,
    "product_categories": (),
    "product_price": None,
}


class _Order(TypedDict):
    idgoal: int | None
    revenue: float | None
    order_id: str | None
    items: tuple[EcommerceItem, ...]
    subtotal: float | None
    tax: float | None
    shipping: float | None
    discount: float | None


def _ecommerce(params: Mapping[str, str]) -> _Order:
    return {
        "idgoal": _goal(params),
        "revenue": _float(params, "revenue"),
        "order_id": _opt_text(params, "ec_id", 100),
        "items": _items(params),
        "subtotal": _float(params, "ec_st"),
        "tax": _float(params, "ec_tx"),
        "shipping": _float(params, "ec_sh"),
        "discount": _float(params, "ec_dt"),
    }


_ECOMMERCE_PARAMS = frozenset(
    {"idgoal", "revenue", "ec_id", "ec_items", "ec_st", "ec_tx", "ec_sh", "ec_dt"}
)
_NO_ORDER: _Order = {
    "idgoal": None,
    "revenue": None,
    "order_id": None,
    "items": (),
    "subtotal": None,
    "tax": None,
    "shipping": None,
    "discount": None,
}


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _check_action_parameters(params: Mapping[str, str]) -> None:
    """Parameter pairs that only make sense together (Matomo requires them too)."""
    if bool(_text(params, "e_c", 255)) != bool(_text(params, "e_a", 255)):
        raise InvalidRequestError("events need both e_c (category) and e_a (action)")
    content = any(_text(params, name, 255) for name in ("c_p", "c_t", "c_i"))
    if content and not _text(params, "c_n", 255):
        raise InvalidRequestError("content tracking needs c_n (content name)")
