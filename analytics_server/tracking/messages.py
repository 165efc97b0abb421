"""How an accepted hit (or a rejected one, for the failure log) travels through the queue."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import secrets
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from analytics_server.tracking.request import ServerFacts
from analytics_server.tracking.validation import judging_headers

KIND_HIT = "h"  # judged by the endpoint: to be stored
KIND_FAILURE = "f"  # rejected by the endpoint: to be listed as a failure
KIND_UNJUDGED = "u"  # a browser hit the worker judges (validation.judged_by_worker)

# Idempotency keys: a random per-process prefix and a counter, unique without a syscall per hit.
# A forked child (gunicorn, prefork pools) must not repeat its parent's keys: new prefix there.
_key_prefix = secrets.token_hex(8)
_key_counter = itertools.count()


def _new_prefix() -> None:
    global _key_prefix, _key_counter
    _key_prefix = secrets.token_hex(8)
    _key_counter = itertools.count()


os.register_at_fork(after_in_child=_new_prefix)


_CLIENT_ID = re.compile(r"^[0-9a-fA-F]{16,64}$")


def hit_key(params: Mapping[str, str], facts: ServerFacts) -> str:
    """The idempotency key: derived from the client's own request id when it sends a long one
    (our tracker's `r`), so a hit resent after a lost answer is stored once; else a new key."""
    request_id = params.get("r", "")
    if not _CLIENT_ID.match(request_id):
        return new_key()
    who = params.get("_id") or params.get("cid") or params.get("cip") or facts.ip
    source = f"{params.get('idsite', '')}|{who}|{request_id}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(source).hexdigest()[:32]


def new_key() -> str:
    return f"{_key_prefix}{next(_key_counter) & 0xFFFFFFFFFFFFFFFF:016x}"


@dataclass(frozen=True)
class QueuedHit:
    """A message body decoded: kind, idempotency key, parameters, server facts, failure reason."""

    kind: str
    key: str
    params: dict[str, str]
    facts: ServerFacts
    reason: str = ""


def visitor_key(params: Mapping[str, str], facts: ServerFacts) -> str:
    """What keeps one visitor's hits in one partition: the cookie id, else ids, else IP + UA."""
    for name in ("_id", "cid", "uid"):
        value = params.get(name, "")
        if value:
            return f"{name}:{value[:64]}"
    return f"ip:{params.get('cip') or facts.ip}|{params.get('ua') or facts.user_agent}"


# One encoder for all messages: json.dumps with options builds a new one on every call.
_to_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def encode(*, kind: str, params: Mapping[str, str], facts: ServerFacts, reason: str = "") -> bytes:
    body = {
        "t": kind,
        "k": hit_key(params, facts),
        "p": params if type(params) is dict else dict(params),
        "f": [
            facts.ip,
            facts.user_agent,
            facts.accept_language,
            facts.referer_header,
            facts.received_at.timestamp(),
            facts.source,
        ],
        "v": visitor_key(params, facts),
    }
    if reason:
        body["r"] = reason
    if kind == KIND_UNJUDGED and facts.headers:
        headers = judging_headers(facts.headers)
        if headers:
            body["h"] = headers
    # surrogatepass: a rejected hit with a lone surrogate must still reach the failure log.
    return _to_json(body).encode("utf-8", "surrogatepass")


def decode(body: bytes) -> QueuedHit:
    data = json.loads(body.decode("utf-8", "surrogatepass"))
    ip, ua, lang, referer, ts, source = data["f"]
    facts = ServerFacts(
        ip=ip,
        user_agent=ua,
        accept_language=lang,
        referer_header=referer,
        received_at=datetime.fromtimestamp(ts, UTC),
        source=source,
        headers=data.get("h", {}),
    )
    return QueuedHit(
        kind=data["t"], key=data["k"], params=data["p"], facts=facts, reason=data.get("r", "")
    )


def partition_of(body: bytes, partitions: int) -> int:
    if partitions <= 1:
        return 0
    key = json.loads(body.decode("utf-8", "surrogatepass"))["v"]
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % partitions


def partition_for(params: Mapping[str, str], facts: ServerFacts, partitions: int) -> int:
    if partitions <= 1:
        return 0
    return zlib.crc32(visitor_key(params, facts).encode("utf-8", "surrogatepass")) % partitions
