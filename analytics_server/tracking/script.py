"""Serves our JavaScript tracker at /matomo.js, /piwik.js and /tracker.js (ETag, gzip, caching).

The built file is read once; a portal's pages revalidate it cheaply with If-None-Match.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

ROOT = Path(__file__).resolve().parents[2] / "tracker_js"
BUILT = ROOT / "dist" / "tracker.min.js"
SOURCE = ROOT / "src" / "tracker.js"
MEDIA_TYPE = "application/javascript; charset=utf-8"


@dataclass(frozen=True)
class Script:
    body: bytes
    gzipped: bytes
    etag: str


@lru_cache(maxsize=1)
def load_script() -> Script:
    """The minified build, or the readable source when no build is there (a development tree)."""
    body = (BUILT if BUILT.exists() else SOURCE).read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Script(body=body, gzipped=gzip.compress(body, 9, mtime=0), etag=etag)


async def script_endpoint(request: Request) -> Response:
    script = load_script()
    headers = {
        "ETag": script.etag,
        # An hour of freshness, then a cheap revalidation: a new tracker reaches pages quickly.
        "Cache-Control": "public, max-age=3600",
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }
    if script.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(script.gzipped, media_type=MEDIA_TYPE, headers=headers)
    return Response(script.body, media_type=MEDIA_TYPE, headers=headers)
