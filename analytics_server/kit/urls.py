"""Page URL handling: Matomo URL prefixes, normalisation at ingest, site search, query params."""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import unquote_plus

from analytics_server.kit.params import (
    ALL_CAMPAIGN_PARAMS,
    DEFAULT_EXCLUDED_QUERY_PARAMS,
    MAX_URL_LENGTH,
)

# Longest first, so "https://www." wins over "https://".
_PREFIXES: tuple[tuple[int, str], ...] = (
    (3, "https://www."),
    (2, "https://"),
    (1, "http://www."),
    (0, "http://"),
)
_PREFIX_BY_ID: dict[int, str] = dict(_PREFIXES)

# C0 control characters and DEL; they break logs, CSV exports and HTML, and no browser sends them.
_CONTROL_CHARS: dict[int, None] = dict.fromkeys([*range(0x20), 0x7F])

_ABSOLUTE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)")
_PROTOCOL_RELATIVE = re.compile(r"//([^/?#]*)")
# `javascript://%0aalert(1)` is a classic way to smuggle script past "has ://" checks.
_UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
_HOSTLESS_SCHEMES = frozenset({"file"})
_BROKEN_ESCAPE_AT_END = re.compile(r"%[0-9A-Fa-f]?\Z")

_ALWAYS_EXCLUDED: frozenset[str] = frozenset(
    p.lower() for p in DEFAULT_EXCLUDED_QUERY_PARAMS | ALL_CAMPAIGN_PARAMS
)
SEARCH_COUNT_PARAM = "search_count"


@dataclass(frozen=True, slots=True)
class SiteSearch:
    """A site search found in a page URL."""

    keyword: str
    category: str | None
    count: int | None
    url_without_search_params: str


# ---------------------------------------------------------------------------- prefixes and text


def split_url_prefix(url: str) -> tuple[int | None, str]:
    """Split off Matomo's `url_prefix`: http:// 0, http://www. 1, https:// 2, https://www. 3."""
    head = url[:12].lower()
    for prefix_id, prefix in _PREFIXES:
        if head.startswith(prefix):
            return prefix_id, url[len(prefix) :]
    return None, url


def join_url_prefix(prefix: int | None, rest: str) -> str:
    """Inverse of `split_url_prefix`; raises ValueError for an unknown prefix id."""
    if prefix is None:
        return rest
    try:
        return _PREFIX_BY_ID[prefix] + rest
    except KeyError:
        raise ValueError(f"unknown URL prefix id {prefix}") from None


def clean_text(s: str, max_length: int) -> str:
    """Drop control characters (C0 and DEL), strip blanks, cut to `max_length` characters."""
    if max_length < 0:
        raise ValueError("max_length must not be negative")
    return s.translate(_CONTROL_CHARS).strip()[:max_length].rstrip()


def _cut_url(url: str, max_length: int) -> str:
    if len(url) <= max_length:
        return url
    cut = url[:max_length]
    # Don't leave half a percent-escape at the end of a cut URL.
    broken = _BROKEN_ESCAPE_AT_END.search(cut)
    return cut[: broken.start()] if broken else cut


# ---------------------------------------------------------------------------- URL parts


@dataclass(frozen=True, slots=True)
class _Parts:
    """A URL cut into pieces that can be glued back exactly: base?query#route<sep>fquery."""

    base: str
    query: str | None
    route: str | None
    fragment_sep: str
    fragment_query: str | None

    def join(self, query: Sequence[str], fragment_query: Sequence[str] | None) -> str:
        url = self.base
        if query:
            url += "?" + "&".join(query)
        if self.route is None:
            return url
        fragment = self.route
        if fragment_query:
            fragment += self.fragment_sep + "&".join(fragment_query)
        return url + "#" + fragment if fragment else url


def _split(url: str) -> _Parts:
    rest, hash_sign, fragment = url.partition("#")
    base, question_mark, query = rest.partition("?")
    route: str | None = None
    sep = ""
    fragment_query: str | None = None
    if hash_sign:
        # A fragment "looks like a query" after a "?" (`#/route?x=y`) or when it has an "="
        # (`#a=b&c=d`); other fragments (`#section-2`) are left alone.
        route, fragment_sep, after = fragment.partition("?")
        if fragment_sep:
            sep, fragment_query = "?", after
        elif "=" in fragment:
            route, fragment_query = "", fragment
    return _Parts(base, query if question_mark else None, route, sep, fragment_query)


def _pieces(query: str | None) -> list[str]:
    return [piece for piece in (query or "").split("&") if piece]


def _name(piece: str) -> str:
    """The decoded, lower-cased name of a `name=value` piece."""
    return unquote_plus(piece.partition("=")[0]).lower()


def _drop(pieces: list[str], names: Collection[str]) -> list[str]:
    return [piece for piece in pieces if _name(piece) not in names]


def _all_pieces(url: str) -> list[str]:
    parts = _split(url)
    return _pieces(parts.query) + _pieces(parts.fragment_query)


def query_params(url: str) -> list[tuple[str, str]]:
    """All decoded (name, value) pairs of the query, then of a query-like fragment, in order."""
    return [
        (unquote_plus(name), unquote_plus(value))
        for name, _, value in (piece.partition("=") for piece in _all_pieces(url))
    ]


def query_param(url: str, name: str) -> str | None:
    """First decoded value of parameter `name` (case-insensitive), also looked for in the fragment.

    A parameter present without "=" has the value ""; an absent one gives None.
    """
    wanted = name.lower()
    for piece in _all_pieces(url):
        if _name(piece) == wanted:
            return unquote_plus(piece.partition("=")[2])
    return None


# ---------------------------------------------------------------------------- host


def url_host(url: str) -> str:
    """Lower-cased host of an absolute (or `//host`) URL, without user info, port or brackets.

    Returns "" when the URL has no host. `www.` is kept; see `strip_www`.
    """
    text = url.strip()
    absolute = _ABSOLUTE.match(text)
    relative = None if absolute else _PROTOCOL_RELATIVE.match(text)
    if absolute:
        authority = absolute.group(2)
    elif relative:
        authority = relative.group(1)
    else:
        return ""
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        host = host_port[1:].partition("]")[0]
    else:
        host = host_port.partition(":")[0]
    return host.lower()


def strip_www(host: str) -> str:
    """`www.example.com` → `example.com`; other hosts unchanged."""
    if len(host) > 4 and host[:4].lower() == "www.":
        return host[4:]
    return host


# ---------------------------------------------------------------------------- normalisation


def _lower_host(authority: str) -> str:
    user_info, at_sign, host_port = authority.rpartition("@")
    return user_info + at_sign + host_port.lower()


def _split_head(url: str) -> tuple[str, str] | None:
    """(normalised `scheme://authority`, rest), ("", url) for a path, None when invalid."""
    match = _ABSOLUTE.match(url)
    if match is None:
        return ("", url) if url.startswith("/") else None
    scheme, authority = match.group(1).lower(), match.group(2)
    if scheme in _UNSAFE_SCHEMES or not (authority or scheme in _HOSTLESS_SCHEMES):
        return None
    return f"{scheme}://{_lower_host(authority)}", url[match.end() :]


def _matrix_to_query(path: str) -> tuple[str, list[str]]:
    """Move `;a=b;c=d` matrix params of the last path segment out of the path."""
    semicolon = path.find(";", path.rfind("/") + 1)
    if semicolon < 0:
        return path, []
    return path[:semicolon], _pieces(path[semicolon + 1 :].replace(";", "&"))


def normalise_page_url(
    url: str,
    *,
    excluded_params: Collection[str] = (),
    keep_fragment: bool = False,
    max_length: int = MAX_URL_LENGTH,
) -> str:
    """Clean a page URL the way it is stored; "" when it does not look like a page URL.

    Absolute URLs need `scheme://host` (not javascript:, vbscript:, data:); scheme and host are
    lower-cased. A URL starting with "/" is relative and gets the same path/query/fragment
    treatment. Matrix params of the last path segment become leading query params. Session,
    click-id and campaign params and `excluded_params` (names case-insensitive) are removed
    from the query and from a query-like fragment; kept params keep their order and encoding.
    The fragment is dropped unless `keep_fragment`. The result is cut to `max_length`.
    """
    text = url.translate(_CONTROL_CHARS).strip()
    head_and_rest = _split_head(text)
    if head_and_rest is None:
        return ""
    head, rest = head_and_rest
    parts = _split(rest)
    path, matrix = _matrix_to_query(parts.base)
    excluded = _ALWAYS_EXCLUDED | {name.lower() for name in excluded_params}
    query = _drop(matrix + _pieces(parts.query), excluded)
    fragment_query = _drop(_pieces(parts.fragment_query), excluded)
    route = parts.route if keep_fragment else None
    kept = _Parts(path, None, route, parts.fragment_sep, None).join(query, fragment_query)
    return _cut_url(head + kept, max_length)


# ---------------------------------------------------------------------------- site search


def _first_value(pieces: list[str], names: Sequence[str]) -> str | None:
    """First non-blank decoded value, trying the names in order (case-insensitive)."""
    for name in names:
        wanted = name.lower()
        for piece in pieces:
            if _name(piece) == wanted:
                value = clean_text(unquote_plus(piece.partition("=")[2]), MAX_URL_LENGTH)
                if value:
                    return value
    return None


def _search_count(pieces: list[str]) -> int | None:
    raw = _first_value(pieces, (SEARCH_COUNT_PARAM,))
    return int(raw) if raw is not None and raw.isascii() and raw.isdigit() else None


def extract_site_search(
    url: str,
    *,
    keyword_params: Sequence[str],
    category_params: Sequence[str],
) -> SiteSearch | None:
    """Find a site search in the query (or a query-like fragment) of a page URL.

    The keyword is the first non-blank value of `keyword_params` tried in order, decoded
    (`+` is a space), trimmed and lower-cased. The category (case kept) comes the same way from
    `category_params`; the count from `search_count`. All those params are removed from
    `url_without_search_params`. None when no keyword is present.
    """
    parts = _split(url)
    pieces = _pieces(parts.query) + _pieces(parts.fragment_query)
    keyword = _first_value(pieces, keyword_params)
    if keyword is None:
        return None
    search_names = {n.lower() for n in (*keyword_params, *category_params, SEARCH_COUNT_PARAM)}
    return SiteSearch(
        keyword=keyword.lower(),
        category=_first_value(pieces, category_params),
        count=_search_count(pieces),
        url_without_search_params=parts.join(
            _drop(_pieces(parts.query), search_names),
            _drop(_pieces(parts.fragment_query), search_names),
        ),
    )
