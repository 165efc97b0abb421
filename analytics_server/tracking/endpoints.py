"""HTTP tracking endpoint (/matomo.php, /piwik.php): single hits, POST forms and bulk JSON.

A plain Starlette handler rather than a FastAPI route: this is the hottest path and needs no
validation layer or OpenAPI schema.
"""

from __future__ import annotations

import base64
import json
import logging
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from analytics_server.config import Settings
from analytics_server.kit.querystring import QueryDecodeError, parse_query
from analytics_server.privacy.ip import is_valid_ip
from analytics_server.tracking.context import ip_matcher
from analytics_server.tracking.queue import QueueUnavailableError
from analytics_server.tracking.request import ServerFacts
from analytics_server.tracking.script import script_endpoint
from analytics_server.tracking.validation import INVALID, SIGNAL_HEADERS, RawHit

log = logging.getLogger(__name__)

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
UNAVAILABLE = "tracking is temporarily unavailable; send the hits again later"
ENDPOINT_TEXT = (
    "<!DOCTYPE html><html><body>This is the analytics tracking endpoint. It records visits sent "
    "by the JavaScript tracker or the Tracking HTTP API.</body></html>"
)

# Where trackers send hits (Matomo's addresses, and the old piwik.js default).
TRACKING_PATHS = ("/matomo.php", "/piwik.php", "/js/tracker.php", "/js/")


_PLAIN = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff")]
_ANY_ORIGIN = [*_PLAIN, (b"access-control-allow-origin", b"*")]
_GIF_HEADERS = [(b"content-type", b"image/gif"), (b"content-length", str(len(GIF)).encode())]


def _cors_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """No caching, no sniffing (error texts may quote visitor input: never let a browser take
    them for HTML), and the caller's origin allowed with credentials, or any origin."""
    origin = next((v for k, v in scope["headers"] if k == b"origin"), b"")
    if not origin:
        return _ANY_ORIGIN
    return [
        *_PLAIN,
        (b"access-control-allow-origin", origin),
        (b"access-control-allow-credentials", b"true"),
    ]


def _cors(request: Request) -> dict[str, str]:
    """`_cors_headers` for a Starlette response."""
    return {k.decode(): v.decode("latin-1") for k, v in _cors_headers(request.scope)}


class _Answer(Response):
    """A success answer sent as raw ASGI messages: the same headers `_cors` gives a Starlette
    Response, without building them one by one (a fifth of the endpoint's own time per hit)."""

    def __init__(self, scope: Scope, *, gif: bool) -> None:  # no super(): nothing to encode
        headers = _cors_headers(scope)
        self.status_code = 200 if gif else 204
        self.raw_headers = [*headers, *_GIF_HEADERS] if gif else headers
        self.body = GIF if gif else b""
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body})


def _client_ip(request: Request, settings: Settings, forwarded: str) -> str:
    """The visitor's IP: the TCP peer, or what trusted proxies say in X-Forwarded-For."""
    client = request.scope.get("client")
    peer = client[0] if client else ""
    proxies = settings.tracker.trusted_proxies
    if proxies and forwarded:
        trust_all = proxies == ["*"]
        trusted = ip_matcher(tuple(proxies))
        if trust_all or trusted.matches(peer):
            chain = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            untrusted = [hop for hop in chain if trust_all or not trusted.matches(hop)]
            if untrusted:
                peer = untrusted[0] if trust_all else untrusted[-1]
    return peer if _valid_ip(peer) else "0.0.0.0"


_valid_ip = lru_cache(maxsize=4096)(is_valid_ip)  # the same few peers (proxies) over and over
_FIRST_VALUE = ("user-agent", "accept-language", "referer", "x-forwarded-for")
# The headers read, besides those: the privacy and prefetch signals and the cookies
# (matomo_ignore) for the exclusion checks. A browser sends a dozen more, decoded for nothing.
_READ = {name.encode(): name for name in (*_FIRST_VALUE, *SIGNAL_HEADERS, "cookie")}


def _facts(request: Request, settings: Settings, source: str) -> ServerFacts:
    # Straight from the ASGI scope (ASGI servers give the names in lower case): Starlette's
    # Headers object and its lookups cost more than the rest of this function.
    headers: dict[str, str] = {}
    first: dict[str, str] = {}
    for raw_name, raw_value in request.scope["headers"]:
        name = _READ.get(raw_name)
        if name is None:
            continue
        value = raw_value.decode("latin-1")
        if name in _FIRST_VALUE:
            first.setdefault(name, value)  # Headers.get answers the first one
        else:
            headers[name] = value  # a repeated header: the last one, as before
    return ServerFacts(
        ip=_client_ip(request, settings, first.get("x-forwarded-for", "")),
        user_agent=first.get("user-agent", ""),
        accept_language=first.get("accept-language", ""),
        referer_header=first.get("referer", ""),
        received_at=request.app.state.tracker.clock(),
        source=source,
        headers=headers,
    )


def _query(request: Request) -> str:
    """The raw query string; Starlette's URL (only for the rare odd one) costs 3 us a hit."""
    raw: bytes = request.scope.get("query_string", b"")
    if any(c in raw for c in b"#\t\r\n") or "?" in request.scope["path"]:
        return request.url.query  # urlsplit's cleaning, as before
    return raw.decode()


def _preflight() -> Response:
    return Response(
        status_code=204,
        headers={
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": "*",
        },
    )


async def tracking_endpoint(request: Request) -> Response:
    """Answer like Matomo: 204 for `send_image=0`, a GIF otherwise, 400 with a reason for SDKs."""
    method = request.scope["method"]
    if method == "OPTIONS":
        return _preflight()
    query = _query(request)
    if request.scope["path"].startswith("/js/") and method == "GET" and not query:
        return await script_endpoint(request)  # Matomo's /js/ proxy: no hit, the script
    settings: Settings = request.app.state.settings
    if not settings.tracker.record_statistics:
        return Response(GIF, status_code=503, media_type="image/gif", headers=_cors(request))
    body = b""
    if method == "POST":
        limit = max(settings.tracker.max_bulk_bytes, settings.tracker.max_request_bytes)
        read = await _body(request, limit)
        if read is None:  # answered like an oversized bulk: the only kind of body that big
            return _bulk_error(f"request body is larger than {limit} bytes", _cors(request))
        body = read
    if body and b'"requests"' in body:
        if len(query) > settings.tracker.max_request_bytes:
            return _bulk_error("request is too large", _cors(request))
        return await _bulk(request, body, settings, _cors(request))
    return await _single(request, query, body, settings)


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it grows past `limit` (nothing more is read)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _readable_params(query: str, body: bytes) -> dict[str, str]:
    """The parameters of a rejected hit as far as they can be read, to answer and list it."""
    params: dict[str, str] = {}
    for text in (query, body.decode("latin-1")):  # GET wins on duplicate keys
        for key, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
            params.setdefault(key, value)
    return params


async def _single(request: Request, query: str, body: bytes, settings: Settings) -> Response:
    # A rejected browser hit must still get its 204 (send_image=0) and be listed as a failure.
    limit = settings.tracker.max_request_bytes
    decode_error = None
    if len(query) > limit or len(body) > limit:
        params = _readable_params(query, body)
        decode_error = f"request is too large (more than {limit} bytes)"
    else:
        try:
            params = parse_query(body.decode("latin-1")) if body else {}
            params.update(parse_query(query))  # GET wins on duplicate keys
        except QueryDecodeError as exc:
            params, decode_error = _readable_params(query, body), str(exc)
    if not params and not decode_error:
        if request.method == "GET":
            return Response(ENDPOINT_TEXT, media_type="text/html", headers=_cors(request))
        return PlainTextResponse("no tracking parameters", status_code=400, headers=_cors(request))
    browser = params.get("send_image") == "0"
    raw = RawHit(
        params=params,
        facts=_facts(request, settings, "browser" if browser else "sdk"),
        decode_error=decode_error,
    )
    try:
        [outcome] = await request.app.state.ingest.ingestor.accept([raw])
    except QueueUnavailableError:
        # Nothing was stored: the tracker keeps the hit and sends it again later.
        return PlainTextResponse(UNAVAILABLE, status_code=503, headers=_cors(request))
    if browser:
        # The JS tracker re-sends a hit on any non-2xx answer, so even a rejected hit gets 204.
        return _Answer(request.scope, gif=False)
    if outcome.status == INVALID:
        return PlainTextResponse(outcome.reason, status_code=400, headers=_cors(request))
    return _Answer(request.scope, gif=True)


def _bulk_error(message: str, headers: dict[str, str]) -> Response:
    return JSONResponse(
        {"status": "error", "tracked": 0, "invalid": 0, "message": message},
        status_code=400,
        headers=headers,
    )


def _bulk_hit(entry: Any, facts: ServerFacts) -> RawHit:
    if isinstance(entry, str):
        try:
            params = parse_query(entry.split("?", 1)[1] if "?" in entry else entry)
        except QueryDecodeError as exc:
            return RawHit(params={}, facts=facts, decode_error=str(exc))
        return RawHit(params=params, facts=facts)
    if isinstance(entry, dict):
        params = {
            str(k): v if isinstance(v, str) else json.dumps(v)
            for k, v in entry.items()
            if v is not None
        }
        return RawHit(params=params, facts=facts)
    return RawHit(
        params={}, facts=facts, decode_error="a bulk request must be a query string or an object"
    )


async def _bulk(
    request: Request, body: bytes, settings: Settings, headers: dict[str, str]
) -> Response:
    limits = settings.tracker
    if len(body) > limits.max_bulk_bytes:
        return _bulk_error(f"bulk body is larger than {limits.max_bulk_bytes} bytes", headers)
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: deeply nested arrays
        return _bulk_error("bulk body is not valid JSON", headers)
    requests = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(requests, list):
        return _bulk_error('bulk body needs a "requests" list', headers)
    if len(requests) > limits.max_bulk_requests:
        return _bulk_error(f"a bulk may hold at most {limits.max_bulk_requests} requests", headers)
    token = payload.get("token_auth")
    token = str(token) if token else None
    facts = _facts(request, settings, "bulk")
    hits = [_bulk_hit(entry, facts) for entry in requests]
    ingestor = request.app.state.ingest.ingestor
    try:
        outcomes = await ingestor.accept(hits, bulk_token=token)
    except QueueUnavailableError:
        return JSONResponse(
            {"status": "error", "tracked": 0, "invalid": 0, "message": UNAVAILABLE},
            status_code=503,
            headers=headers,
        )
    invalid = [i for i, o in enumerate(outcomes) if o.status == INVALID]
    if str(payload.get("send_image", "1")) == "0" and not invalid:
        return Response(status_code=204, headers=headers)
    answer: dict[str, Any] = {
        "status": "success",
        "tracked": len(outcomes) - len(invalid),
        "invalid": len(invalid),
    }
    if invalid and token and ingestor.is_superuser(token):
        answer["invalid_indices"] = invalid  # Matomo lists them to super users only
    return JSONResponse(answer, headers=headers)


async def answer_tracking(scope: Scope, receive: Receive, send: Send) -> None:
    """Serve a tracking path as a plain ASGI app; the app calls it in front of FastAPI's own
    handling (telemetry checks, middleware stack, router), which cost a fifth of the web
    process per hit, reading environment variables for telemetry on every request."""
    try:
        response = await tracking_endpoint(Request(scope, receive))
    except Exception:  # what ServerErrorMiddleware would do: log it, answer 500
        log.exception("tracking request failed")
        response = PlainTextResponse("internal error", status_code=500)
    await response(scope, receive, send)
