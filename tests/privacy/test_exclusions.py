"""Tests for IP, user-agent, header and request-rule exclusions."""

from collections.abc import Mapping

import pytest

from analytics_server.privacy.exclusions import (
    ExcludeRules,
    IpMatcher,
    RequestRule,
    UserAgentMatcher,
    do_not_track_requested,
    global_privacy_control,
    is_prefetch,
    parse_exclude_rules,
    parse_request_rule,
)
from analytics_server.privacy.ip import pack_ip

# ---------------------------------------------------------------------------- IpMatcher

IP_PATTERNS = [
    "1.2.3.4",
    "192.168.*.*",
    "10.*",
    "172.16.0.0/12",
    "2001:db8::/32",
    "fe80::1",
    "2a00:1450:*",
    "::ffff:100.64.0.0/106",
]


@pytest.mark.parametrize(
    ("ip", "excluded"),
    [
        ("1.2.3.4", True),
        ("1.2.3.5", False),
        ("192.168.0.0", True),
        ("192.168.255.255", True),
        ("192.169.0.1", False),
        ("10.255.1.2", True),
        ("11.0.0.0", False),
        ("172.16.0.1", True),
        ("172.31.255.255", True),
        ("172.32.0.0", False),
        ("2001:db8::1", True),
        ("2001:db8:ffff:ffff::", True),
        ("2001:db9::", False),
        ("FE80::1", True),
        ("fe80::2", False),
        ("2a00:1450:4001::1", True),
        ("2a00:1451::1", False),
        ("::ffff:1.2.3.4", True),
        ("::ffff:1.2.3.5", False),
        ("100.64.0.1", True),
        ("100.127.255.255", True),
        ("100.128.0.0", False),
        (" 1.2.3.4 ", True),
        ("[2001:db8::5]", True),
        ("not an ip", False),
        ("", False),
    ],
)
def test_ip_matcher(ip: str, excluded: bool) -> None:
    assert IpMatcher(IP_PATTERNS).matches(ip) is excluded


@pytest.mark.parametrize(
    ("ip", "excluded"),
    [("1.2.3.4", True), ("10.1.1.1", True), ("192.169.1.1", False), ("2001:db8::1", True)],
)
def test_ip_matcher_packed(ip: str, excluded: bool) -> None:
    matcher = IpMatcher(IP_PATTERNS)
    assert matcher.matches_packed(pack_ip(ip)) is excluded


def test_ip_matcher_packed_mapped_and_bad_length() -> None:
    matcher = IpMatcher(["1.2.3.4"])
    assert matcher.matches_packed(bytes(10) + b"\xff\xff" + bytes([1, 2, 3, 4]))
    assert not matcher.matches_packed(b"\x01\x02\x03")


@pytest.mark.parametrize(
    "bad",
    [
        "1.2.3",
        "300.1.1.1",
        "192.168.*.1",
        "192.*.1.*",
        "1.2.3.4.*",
        "1.2.3.4/33",
        "1.2.3.1*",
        "10.+1.*",
        "2001:db8:*:1",
        "2001:zz::*",
        "hello",
        "1.2.3.4-1.2.3.9",
    ],
)
def test_ip_matcher_lists_invalid_patterns(bad: str) -> None:
    matcher = IpMatcher(["1.1.1.1", bad, "  "])
    assert matcher.invalid == (bad,)
    assert matcher.patterns == ("1.1.1.1",)
    assert matcher.matches("1.1.1.1")


@pytest.mark.parametrize(
    ("pattern", "inside", "outside"),
    [
        ("*", "8.8.8.8", "::1"),
        ("*.*.*.*", "0.0.0.0", "2001:db8::1"),
        ("10.1.2.*", "10.1.2.255", "10.1.3.0"),
        ("10.1.2.3/24", "10.1.2.200", "10.1.3.1"),
        ("2001:db8::1/128", "2001:db8::1", "2001:db8::2"),
    ],
)
def test_ip_matcher_pattern_shapes(pattern: str, inside: str, outside: str) -> None:
    matcher = IpMatcher([pattern])
    assert matcher.invalid == ()
    assert matcher.matches(inside)
    assert not matcher.matches(outside)


def test_ip_matcher_merges_overlapping_ranges() -> None:
    matcher = IpMatcher(["10.0.0.0/8", "10.1.0.0/16", "11.0.0.0/8", "9.255.255.255"])
    for ip in ("9.255.255.255", "10.0.0.0", "10.1.2.3", "11.255.255.255"):
        assert matcher.matches(ip)
    assert not matcher.matches("12.0.0.0")
    assert not matcher.matches("9.255.255.254")


def test_empty_ip_matcher_matches_nothing() -> None:
    assert not IpMatcher([]).matches("1.2.3.4")
    assert not IpMatcher([]).matches("::1")


def test_ip_matcher_many_patterns() -> None:
    matcher = IpMatcher(f"10.{a}.{b}.0/24" for a in range(0, 256, 2) for b in range(256))
    assert matcher.matches("10.4.17.9")
    assert not matcher.matches("10.5.17.9")


# ---------------------------------------------------------------------------- UserAgentMatcher

UA_PATTERNS = ["HeadlessChrome", "curl/", "/^python-(requests|urllib)/", "/bot\\d+/", "  "]


@pytest.mark.parametrize(
    ("user_agent", "excluded"),
    [
        ("Mozilla/5.0 HeadlessChrome/120.0", True),
        ("mozilla/5.0 headlesschrome/120.0", True),
        ("CURL/8.0", True),
        ("python-requests/2.31", True),
        ("Python-Urllib/3.11", True),
        ("my python-requests wrapper", False),
        ("SuperBot42 crawler", True),
        ("SuperBot crawler", False),
        ("Mozilla/5.0 (Windows NT 10.0) Firefox/120.0", False),
        ("", False),
    ],
)
def test_user_agent_matcher(user_agent: str, excluded: bool) -> None:
    assert UserAgentMatcher(UA_PATTERNS).matches(user_agent) is excluded


@pytest.mark.parametrize(
    ("pattern", "user_agent", "excluded"),
    [
        # Without slashes a pattern is a substring, even when it would compile as a regex.
        ("Mozilla (compatible", "Mozilla (compatible; X)", True),
        ("a.c", "abc", False),
        ("a.c", "xa.cx", True),
        ("/a.c/", "abc", True),
        ("/", "a/b", True),
        ("//", "a//b", True),
        ("STRASSE", "straße", True),  # Unicode case folding,
    ],
)
def test_user_agent_pattern_rule(pattern: str, user_agent: str, excluded: bool) -> None:
    assert UserAgentMatcher([pattern]).matches(user_agent) is excluded


def test_user_agent_matcher_lists_invalid_regexes() -> None:
    matcher = UserAgentMatcher(["/([unclosed/", "ok"])
    assert matcher.invalid == ("/([unclosed/",)
    assert matcher.matches("OK computer")
    assert not matcher.matches("([unclosed")


# ---------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("headers", "dnt", "dnt_without_gpc", "gpc"),
    [
        ({}, False, False, False),
        ({"DNT": "1"}, True, True, False),
        ({"dnt": "1"}, True, True, False),
        ({"Dnt": " 1 "}, True, True, False),
        ({"DNT": "1;extension"}, True, True, False),
        ({"DNT": "0"}, False, False, False),
        ({"DNT": ""}, False, False, False),
        ({"X-Do-Not-Track": "1"}, True, True, False),
        ({"x-do-not-track": "0"}, False, False, False),
        ({"Sec-GPC": "1"}, True, False, True),
        ({"sec-gpc": "1"}, True, False, True),
        ({"Sec-GPC": "0"}, False, False, False),
        ({"Sec-GPC": "yes"}, False, False, False),
        ({"DNT": "0", "Sec-GPC": "1"}, True, False, True),
        ({"User-Agent": "DNT: 1"}, False, False, False),
    ],
)
def test_do_not_track(
    headers: Mapping[str, str], dnt: bool, dnt_without_gpc: bool, gpc: bool
) -> None:
    assert do_not_track_requested(headers) is dnt
    assert do_not_track_requested(headers, include_gpc=False) is dnt_without_gpc
    assert global_privacy_control(headers) is gpc


@pytest.mark.parametrize(
    ("headers", "prefetch"),
    [
        ({}, False),
        ({"X-Purpose": "preview"}, True),
        ({"x-purpose": "Instant"}, True),
        ({"X-Purpose": "other"}, False),
        ({"X-Moz": "prefetch"}, True),
        ({"X-Moz": "microsummary"}, False),
        ({"Purpose": "prefetch"}, True),
        ({"Sec-Purpose": "prefetch"}, True),
        ({"sec-purpose": "prefetch;prerender"}, True),
        ({"Sec-Purpose": "prefetch; anonymous-client-ip"}, True),
        ({"Sec-Purpose": "prerender"}, False),
        ({"Accept": "prefetch"}, False),
    ],
)
def test_is_prefetch(headers: Mapping[str, str], prefetch: bool) -> None:
    assert is_prefetch(headers) is prefetch


# ---------------------------------------------------------------------------- request rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("action_name==Test", RequestRule("action_name", "==", "test")),
        (" url =@ /admin ", RequestRule("url", "=@", "/admin")),
        ("url!=x", RequestRule("url", "!=", "x")),
        ("url!@x", RequestRule("url", "!@", "x")),
        ("url=^https://", RequestRule("url", "=^", "https://")),
        ("url=$.pdf", RequestRule("url", "=$", ".pdf")),
        ("e_c==a%2Cb", RequestRule("e_c", "==", "a,b")),
        ("e_c==a==b", RequestRule("e_c", "==", "a==b")),
        ("uid==", RequestRule("uid", "==", "")),
    ],
)
def test_parse_request_rule(text: str, expected: RequestRule) -> None:
    assert parse_request_rule(text) == expected


@pytest.mark.parametrize("bad", ["", "url", "url=x", "==x", "url<>x", "url!x"])
def test_parse_request_rule_rejects_malformed(bad: str) -> None:
    with pytest.raises(ValueError, match="request rule"):
        parse_request_rule(bad)


PARAMS = {"url": "https://Example.com/Admin/page.PDF", "action_name": "Secret", "e_c": ""}


@pytest.mark.parametrize(
    ("rule", "matches"),
    [
        ("url==https://example.com/admin/page.pdf", True),
        ("url==https://example.com", False),
        ("url!=https://example.com", True),
        ("url!=HTTPS://EXAMPLE.COM/ADMIN/PAGE.PDF", False),
        ("url=@/admin/", True),
        ("url=@/login", False),
        ("url!@/login", True),
        ("url!@ADMIN", False),
        ("url=^https://example", True),
        ("url=^http://", False),
        ("url=$.pdf", True),
        ("url=$.html", False),
        ("ACTION_NAME==secret", True),
        ("missing==", True),
        ("missing!=x", True),
        ("missing=@x", False),
        ("e_c==", True),
        ("e_c!=", False),
    ],
)
def test_request_rule_matches(rule: str, matches: bool) -> None:
    assert parse_request_rule(rule).matches(PARAMS) is matches


@pytest.mark.parametrize(
    ("text", "count", "matches"),
    [
        ("", 0, False),
        (" , ", 0, False),
        ("url=@/login,action_name==nope", 2, False),
        ("url=@/login,action_name==secret", 2, True),
        ("action_name==secret, url=@/login,", 2, True),
    ],
)
def test_parse_exclude_rules(text: str, count: int, matches: bool) -> None:
    rules = parse_exclude_rules(text)
    assert len(rules.rules) == count
    assert rules.matches(PARAMS) is matches


def test_parse_exclude_rules_rejects_any_malformed_piece() -> None:
    with pytest.raises(ValueError, match="oops"):
        parse_exclude_rules("url=@/admin,oops")


def test_exact_param_name_wins_over_case_insensitive_match() -> None:
    rule = RequestRule("url", "==", "A")
    assert rule.value == "a"
    assert rule.matches({"URL": "b", "url": "a"})
    assert ExcludeRules((rule,)).matches({"Url": "A"})
    assert not ExcludeRules().matches({"url": "a"})
