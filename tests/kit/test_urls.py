"""Tests for URL prefixes, page URL normalisation, site search and query helpers."""

import pytest

from analytics_server.kit.params import MAX_URL_LENGTH
from analytics_server.kit.urls import (
    SiteSearch,
    clean_text,
    extract_site_search,
    join_url_prefix,
    normalise_page_url,
    query_param,
    query_params,
    split_url_prefix,
    strip_www,
    url_host,
)

# ---------------------------------------------------------------------------- prefixes


@pytest.mark.parametrize(
    ("url", "prefix", "rest"),
    [
        ("http://example.com/", 0, "example.com/"),
        ("http://www.example.com/", 1, "example.com/"),
        ("https://example.com/a?b=c", 2, "example.com/a?b=c"),
        ("https://www.example.com", 3, "example.com"),
        ("HTTPS://WWW.Example.com/", 3, "Example.com/"),
        ("Http://Www.x.org", 1, "x.org"),
        ("http://www", 0, "www"),
        ("http://wwwx.com", 0, "wwwx.com"),
        ("ftp://example.com/", None, "ftp://example.com/"),
        ("/relative/path", None, "/relative/path"),
        ("example.com", None, "example.com"),
        ("", None, ""),
        ("http:/example.com", None, "http:/example.com"),
    ],
)
def test_split_and_join_url_prefix(url: str, prefix: int | None, rest: str) -> None:
    assert split_url_prefix(url) == (prefix, rest)
    assert join_url_prefix(prefix, rest).lower() == url.lower()


@pytest.mark.parametrize("prefix", [-1, 4, 99])
def test_join_url_prefix_rejects_unknown_id(prefix: int) -> None:
    with pytest.raises(ValueError, match="unknown URL prefix"):
        join_url_prefix(prefix, "example.com")


# ---------------------------------------------------------------------------- clean_text


@pytest.mark.parametrize(
    ("text", "max_length", "expected"),
    [
        ("  hello  ", 100, "hello"),
        ("a\nb\rc\0d", 100, "abcd"),
        ("\x01\x1f tab\tbed \x7f", 100, "tabbed"),
        ("abcdef", 3, "abc"),
        ("ab cdef", 3, "ab"),
        ("héllo wörld", 5, "héllo"),
        ("日本語のタイトル", 3, "日本語"),
        ("", 10, ""),
        ("abc", 0, ""),
        ("\n\n", 10, ""),
        ("keep\u00a0nbsp", 100, "keep\u00a0nbsp"),
    ],
)
def test_clean_text(text: str, max_length: int, expected: str) -> None:
    assert clean_text(text, max_length) == expected


def test_clean_text_rejects_negative_length() -> None:
    with pytest.raises(ValueError, match="max_length"):
        clean_text("a", -1)


# ---------------------------------------------------------------------------- normalise_page_url

LONG_PATH = "/" + "a" * 5000
LONG_PATH_CUT = "http://e.com" + LONG_PATH[: MAX_URL_LENGTH - len("http://e.com")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Shape and host.
        ("http://example.com/", "http://example.com/"),
        ("http://example.com", "http://example.com"),
        ("  https://example.com/page  ", "https://example.com/page"),
        ("HTTP://WWW.EXAMPLE.COM/Path/To", "http://www.example.com/Path/To"),
        ("https://User:PW@Example.COM:8443/x", "https://User:PW@example.com:8443/x"),
        ("http://[::1]:8000/a", "http://[::1]:8000/a"),
        ("http://[2001:DB8::1]/a", "http://[2001:db8::1]/a"),
        ("http://BÜCHER.de/Straße", "http://bücher.de/Straße"),
        ("file:///C:/site/index.html", "file:///C:/site/index.html"),
        # Unicode and encoding kept as sent.
        ("https://example.com/日本/ページ?q=値", "https://example.com/日本/ページ?q=値"),
        ("https://example.com/a%20b/%E6%97%A5?x=%2F%3D&y=a+b", None),
        ("https://example.com/?name=J%C3%BCrgen", None),
        # Control characters.
        ("http://exa\nmple.com/a\r\nb\0c", "http://example.com/abc"),
        ("\x00\thttp://example.com/\x7f", "http://example.com/"),
        # Invalid-looking URLs.
        ("", ""),
        ("   ", ""),
        ("javascript:alert(1)", ""),
        ("JavaScript://%0aalert(1)", ""),
        ("vbscript://x", ""),
        ("data://text/html,hi", ""),
        ("data:text/html;base64,PHA+", ""),
        ("mailto:someone@example.com", ""),
        ("about:blank", ""),
        ("example.com/page", ""),
        ("http:/example.com", ""),
        ("http://", ""),
        ("http:///path", ""),
        ("?a=b", ""),
        ("#top", ""),
        # Relative URLs get the same treatment, without a host.
        ("/relative/path?a=1", "/relative/path?a=1"),
        ("/p?gclid=1&a=2#frag", "/p?a=2"),
        ("//cdn.example.com/a?sid=1", "//cdn.example.com/a"),
        # Query parameter removal; order, repeats and encoding of the rest are kept.
        ("http://e.com/?b=2&a=1", "http://e.com/?b=2&a=1"),
        ("http://e.com/?a=1&a=2&a=", "http://e.com/?a=1&a=2&a="),
        ("http://e.com/?gclid=abc", "http://e.com/"),
        ("http://e.com/p?x=1&gclid=abc&y=2", "http://e.com/p?x=1&y=2"),
        ("http://e.com/p?GCLID=a&FbClid=b&PHPSESSID=c&Sid=d&ok=1", "http://e.com/p?ok=1"),
        ("http://e.com/p?utm_source=a&utm_medium=b&utm_campaign=c&pk_kwd=d", "http://e.com/p"),
        ("http://e.com/p?mtm_cid=1&matomo_group=2&pk_vid=3&keep=4", "http://e.com/p?keep=4"),
        ("http://e.com/p?ignore_referrer=1&ignore_referer=1", "http://e.com/p"),
        ("http://e.com/p?%67clid=encoded-name&x", "http://e.com/p?x"),
        ("http://e.com/p?gclid", "http://e.com/p"),
        ("http://e.com/p?flag&empty=&plus=a+b", "http://e.com/p?flag&empty=&plus=a+b"),
        ("http://e.com/p?a=1&&b=2&", "http://e.com/p?a=1&b=2"),
        ("http://e.com/p?", "http://e.com/p"),
        ("http://e.com/p?utm_term=x?y", "http://e.com/p"),
        ("http://e.com/p?sid_extra=1&xsid=2", "http://e.com/p?sid_extra=1&xsid=2"),
        # Matrix parameters.
        ("http://e.com/a/b;jsessionid=XYZ", "http://e.com/a/b"),
        ("http://e.com/a/b;jsessionid=XYZ;x=1?y=2", "http://e.com/a/b?x=1&y=2"),
        ("http://e.com/a/b;x=1?jsessionid=2", "http://e.com/a/b?x=1"),
        ("http://e.com/a;v=1/b", "http://e.com/a;v=1/b"),
        ("http://e.com/b;", "http://e.com/b"),
        # Fragments are dropped by default.
        ("http://e.com/p#section", "http://e.com/p"),
        ("http://e.com/p?a=1#/route?x=y", "http://e.com/p?a=1"),
        ("http://e.com/p#", "http://e.com/p"),
        # Length.
        ("http://e.com" + LONG_PATH, LONG_PATH_CUT),
        (
            "http://e.com" + LONG_PATH + "?gclid=1",
            LONG_PATH_CUT,
        ),
    ],
)
def test_normalise_page_url(url: str, expected: str | None) -> None:
    # None means "unchanged".
    assert normalise_page_url(url) == (url if expected is None else expected)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://e.com/p#section-2", "http://e.com/p#section-2"),
        ("http://e.com/p#", "http://e.com/p"),
        ("http://e.com/p#/route?x=y", "http://e.com/p#/route?x=y"),
        ("http://e.com/p#/route?x=y&utm_source=news", "http://e.com/p#/route?x=y"),
        ("http://e.com/p#/route?utm_source=news", "http://e.com/p#/route"),
        ("http://e.com/p#a=b&c=d", "http://e.com/p#a=b&c=d"),
        ("http://e.com/p#a=b&PK_CAMPAIGN=x&c=d", "http://e.com/p#a=b&c=d"),
        ("http://e.com/p#utm_campaign=x", "http://e.com/p"),
        ("http://e.com/p?gclid=1#/r?sid=2&k=v", "http://e.com/p#/r?k=v"),
        ("http://e.com/p#!/hash/bang", "http://e.com/p#!/hash/bang"),
        ("http://e.com/p#frag#more", "http://e.com/p#frag#more"),
    ],
)
def test_normalise_page_url_keeping_fragment(url: str, expected: str) -> None:
    assert normalise_page_url(url, keep_fragment=True) == expected


@pytest.mark.parametrize(
    ("url", "excluded", "expected"),
    [
        ("http://e.com/?token=1&a=2", ["token"], "http://e.com/?a=2"),
        ("http://e.com/?Token=1&a=2", ["TOKEN"], "http://e.com/?a=2"),
        ("http://e.com/?a=1&b=2&c=3", ["a", "c"], "http://e.com/?b=2"),
        ("http://e.com/p;token=1?x=1", {"token"}, "http://e.com/p?x=1"),
        ("http://e.com/?a=1", [], "http://e.com/?a=1"),
    ],
)
def test_normalise_page_url_excluded_params(url: str, excluded: list[str], expected: str) -> None:
    assert normalise_page_url(url, excluded_params=excluded) == expected


@pytest.mark.parametrize(
    ("url", "max_length", "expected"),
    [
        ("http://e.com/abcdef", 15, "http://e.com/ab"),
        ("http://e.com/a%20b", 15, "http://e.com/a"),
        ("http://e.com/a%20b", 16, "http://e.com/a"),
        ("http://e.com/a%20b", 17, "http://e.com/a%20"),
        ("http://e.com/a%", 100, "http://e.com/a%"),
        ("http://e.com/?x=1&gclid=2", 16, "http://e.com/?x="),
    ],
)
def test_normalise_page_url_cut(url: str, max_length: int, expected: str) -> None:
    assert normalise_page_url(url, max_length=max_length) == expected


def test_normalise_page_url_5kb_is_cut_to_default_length() -> None:
    url = "https://example.com/search?" + "&".join(f"p{i}=v{i}" for i in range(800))
    assert len(url) > 5000
    result = normalise_page_url(url)
    assert len(result) == MAX_URL_LENGTH
    assert url.startswith(result)


def test_normalise_page_url_is_idempotent() -> None:
    url = "HTTP://Example.COM/a;sid=1;x=2?utm_source=y&b=%20#/r?gclid=1&z=1"
    once = normalise_page_url(url, keep_fragment=True)
    assert once == "http://example.com/a?x=2&b=%20#/r?z=1"
    assert normalise_page_url(once, keep_fragment=True) == once


# ---------------------------------------------------------------------------- site search

KEYWORDS = ("q", "query", "s", "search")
CATEGORIES = ("cat", "category")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://e.com/search?q=Hello+World&page=2",
            SiteSearch("hello world", None, None, "http://e.com/search?page=2"),
        ),
        (
            "http://e.com/s?Q=%C3%9Cber%20Uns",
            SiteSearch("über uns", None, None, "http://e.com/s"),
        ),
        # Parameter names are tried in configured order, then occurrences in URL order.
        (
            "http://e.com/s?q=&query=second&q=late",
            SiteSearch("late", None, None, "http://e.com/s"),
        ),
        (
            "http://e.com/s?query=later-name&q=first-name",
            SiteSearch("first-name", None, None, "http://e.com/s"),
        ),
        (
            "http://e.com/s?q=+++&s=spaces+around++",
            SiteSearch("spaces around", None, None, "http://e.com/s"),
        ),
        (
            "http://e.com/s?q=shoes&cat=Men%27s+Wear&category=ignored&search_count=12",
            SiteSearch("shoes", "Men's Wear", 12, "http://e.com/s"),
        ),
        (
            "http://e.com/s?q=x&search_count=abc",
            SiteSearch("x", None, None, "http://e.com/s"),
        ),
        (
            "http://e.com/s?q=x&search_count=-1",
            SiteSearch("x", None, None, "http://e.com/s"),
        ),
        (
            "http://e.com/s?q=x&search_count=0",
            SiteSearch("x", None, 0, "http://e.com/s"),
        ),
        (
            "http://e.com/app#/search?q=Widget&sort=asc",
            SiteSearch("widget", None, None, "http://e.com/app#/search?sort=asc"),
        ),
        (
            "http://e.com/app?x=1#q=Widget",
            SiteSearch("widget", None, None, "http://e.com/app?x=1"),
        ),
        (
            "/search?s=ab%0Acd",
            SiteSearch("abcd", None, None, "/search"),
        ),
    ],
)
def test_extract_site_search(url: str, expected: SiteSearch) -> None:
    found = extract_site_search(url, keyword_params=KEYWORDS, category_params=CATEGORIES)
    assert found == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://e.com/",
        "http://e.com/s?q=",
        "http://e.com/s?q=++",
        "http://e.com/s?cat=books",
        "http://e.com/s?qq=x&xq=y",
        "http://e.com/s#q",
    ],
)
def test_extract_site_search_none(url: str) -> None:
    assert extract_site_search(url, keyword_params=KEYWORDS, category_params=CATEGORIES) is None


def test_extract_site_search_without_configured_params() -> None:
    assert extract_site_search("http://e.com/?q=x", keyword_params=(), category_params=()) is None


# ---------------------------------------------------------------------------- host and params


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://Example.COM/a", "example.com"),
        ("https://www.example.com:8443/a", "www.example.com"),
        ("https://user:pass@Example.com/", "example.com"),
        ("http://[::1]:8000/a", "::1"),
        ("http://[2001:DB8::1]/", "2001:db8::1"),
        ("http://127.0.0.1:8080", "127.0.0.1"),
        ("http://example.com?x=1", "example.com"),
        ("//cdn.example.com/x", "cdn.example.com"),
        ("  http://example.com  ", "example.com"),
        ("/relative", ""),
        ("example.com", ""),
        ("", ""),
        ("file:///tmp/x", ""),
    ],
)
def test_url_host(url: str, host: str) -> None:
    assert url_host(url) == host


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.example.com", "example.com"),
        ("WWW.example.com", "example.com"),
        ("example.com", "example.com"),
        ("www2.example.com", "www2.example.com"),
        ("wwwexample.com", "wwwexample.com"),
        ("www.", "www."),
        ("", ""),
    ],
)
def test_strip_www(host: str, expected: str) -> None:
    assert strip_www(host) == expected


@pytest.mark.parametrize(
    ("url", "name", "value"),
    [
        ("http://e.com/?a=1&b=2", "b", "2"),
        ("http://e.com/?a=1&a=2", "a", "1"),
        ("http://e.com/?A=1", "a", "1"),
        ("http://e.com/?a=1", "A", "1"),
        ("http://e.com/?a=x+y%2Bz", "a", "x y+z"),
        ("http://e.com/?a", "a", ""),
        ("http://e.com/?a=", "a", ""),
        ("http://e.com/?a=b=c", "a", "b=c"),
        ("http://e.com/?a=1", "b", None),
        ("http://e.com/", "a", None),
        ("http://e.com/#utm_source=news", "utm_source", "news"),
        ("http://e.com/#/route?utm_source=news", "utm_source", "news"),
        ("http://e.com/?utm_source=q#utm_source=f", "utm_source", "q"),
        ("http://e.com/#section", "section", None),
        ("http://e.com/%3Fa=1", "a", None),
        ("/p?pk_campaign=Spring%20Sale", "pk_campaign", "Spring Sale"),
        ("http://e.com/?bad=%ZZ%E6", "bad", "%ZZ\ufffd"),
    ],
)
def test_query_param(url: str, name: str, value: str | None) -> None:
    assert query_param(url, name) == value


def test_query_params_lists_query_then_fragment() -> None:
    url = "http://e.com/p?A=1&b=x+y&c#/r?d=%20&A=2"
    assert query_params(url) == [("A", "1"), ("b", "x y"), ("c", ""), ("d", " "), ("A", "2")]
