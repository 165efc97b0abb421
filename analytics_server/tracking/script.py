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
# An hour of freshness, then a cheap revalidation, so a new tracker reaches pages quickly; a
# stale copy may still be used for a day while revalidating, so pages keep their tracker when
# the analytics server is briefly unreachable.
CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"


@dataclass(frozen=True)
class Script:
    body: bytes
    gzipped: bytes
    etag: str  # of the plain body; the gzipped one is another representation, with its own

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gzip"'


@lru_cache(maxsize=1)
def load_script() -> Script:
    """The minified build, or the readable source when no build is there (a development tree)."""
    body = (BUILT if BUILT.exists() else SOURCE).read_bytes()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Script(body=body, gzipped=gzip.compress(body, 9, mtime=0), etag=etag)


def _accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding allows gzip; `gzip;q=0` refuses it, `*` stands for the rest."""
    qualities: dict[str, float] = {}
    for part in header.lower().split(","):
        coding, _, params = part.partition(";")
        try:
            qualities[coding.strip()] = float(params.strip().removeprefix("q=") or 1)
        except ValueError:
            qualities[coding.strip()] = 1.0
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0


def _not_modified(header: str, script: Script) -> bool:
    """If-None-Match compares weakly: a proxy may have marked our ETag weak (W/)."""
    if header.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return script.etag in tags or script.gzip_etag in tags


async def script_endpoint(request: Request) -> Response:
    script = load_script()
    compressed = _accepts_gzip(request.headers.get("accept-encoding", ""))
    headers = {
        "ETag": script.gzip_etag if compressed else script.etag,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
    }
    if _not_modified(request.headers.get("if-none-match", ""), script):
        return Response(status_code=304, headers=headers)
    if compressed:
        headers["Content-Encoding"] = "gzip"
        return Response(script.gzipped, media_type=MEDIA_TYPE, headers=headers)
    return Response(script.body, media_type=MEDIA_TYPE, headers=headers)
