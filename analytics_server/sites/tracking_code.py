"""The code a site embeds: the JavaScript snippet (as on the start page) and the image pixel."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlencode, urlsplit

from analytics_server.errors import InvalidRequestError

_SAFE_BASE = re.compile(r"^https?://[^\s\"'<>\\`]+$")

_SNIPPET = """<script>
  var _paq = window._paq = window._paq || [];
  _paq.push(['trackPageView']);
  _paq.push(['enableLinkTracking']);
  (function() {
    var u = "BASE/";
    _paq.push(['setTrackerUrl', u + 'matomo.php']);
    _paq.push(['setSiteId', 'IDSITE']);
    var d = document, g = d.createElement('script'), s = d.getElementsByTagName('script')[0];
    g.async = true; g.src = u + 'matomo.js'; s.parentNode.insertBefore(g, s);
  })();
</script>"""


def server_base(url: str) -> str:
    """The address of this server as trackers reach it, checked so it can sit in a JS string:
    `https://` is assumed when no scheme is given; no trailing slash."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    text = text.rstrip("/")
    if len(text) > 500 or not _SAFE_BASE.match(text) or not _host_and_port(text):
        raise InvalidRequestError(
            "piwikUrl must be this server's address, such as https://analytics.example.com"
        )
    return text


def _host_and_port(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is not a number in range
    except ValueError:
        return False
    return bool(parts.hostname)


def javascript_tag(idsite: int, base_url: str) -> str:
    """The snippet the start page shows for the site."""
    return _SNIPPET.replace("BASE", server_base(base_url)).replace("IDSITE", str(idsite))


def image_tracking_code(
    idsite: int,
    base_url: str,
    *,
    action_name: str = "",
    idgoal: int | None = None,
    revenue: float | None = None,
) -> str:
    """An <img> that records a page view (or a goal) where JavaScript cannot run."""
    query: dict[str, str] = {"idsite": str(idsite), "rec": "1"}
    if action_name:
        query["action_name"] = action_name
    if idgoal is not None:
        query["idgoal"] = str(idgoal)
        if revenue is not None:
            query["revenue"] = f"{revenue:g}"
    src = f"{server_base(base_url)}/matomo.php?{urlencode(query)}"
    return (
        f'<img referrerpolicy="no-referrer-when-downgrade" src="{escape(src)}" '
        'style="border:0" alt="" />'
    )
