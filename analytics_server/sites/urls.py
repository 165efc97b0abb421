"""Site URLs: how they are stored (checked, with a scheme) and compared (by host and path)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from analytics_server.errors import InvalidRequestError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
MAX_URL_LENGTH = 190  # site_url.url is part of a primary key: MySQL's index limit


def checked_url(raw: str) -> str:
    """A site URL as stored: with a scheme (http:// when none is given), no trailing slash."""
    url = raw.strip()
    if not _SCHEME.match(url):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number in range raises here
    except ValueError:
        parts = None
    if parts is None or not parts.netloc or any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidRequestError(f"{raw[:100]!r} is not a URL such as https://example.com")
    url = url.rstrip("/")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidRequestError(f"a site URL has at most {MAX_URL_LENGTH} characters")
    return url


def url_key(url: str) -> str:
    """What two URLs of one site share: host without `www.` and path, without scheme or `/`."""
    text = url.strip()
    if not _SCHEME.match(text):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    suffix = f":{port}" if port is not None and port not in (80, 443) else ""
    return f"{host}{suffix}{parts.path.rstrip('/')}" if host else ""
