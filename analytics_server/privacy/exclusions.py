"""Cheap request-level exclusions: IP and user-agent lists, DNT/GPC, prefetch, request rules."""

import bisect
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from analytics_server.privacy.ip import pack_ip

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_MAPPED_V4 = ipaddress.IPv6Network("::ffff:0:0/96")


# ---------------------------------------------------------------------------- IP addresses


def _wildcard_network(pattern: str) -> _Network:
    """`192.168.*.*`, `10.*`, `*` (IPv4) or `2001:db8:*` (IPv6): trailing wildcards only."""
    is_v6 = ":" in pattern
    separator, group_bits, total_bits = (":", 16, 128) if is_v6 else (".", 8, 32)
    groups = pattern.split(separator)
    fixed: list[str] = []
    for group in groups:
        if group == "*":
            break
        fixed.append(group)
    if any(g != "*" for g in groups[len(fixed) :]) or len(groups) > total_bits // group_bits:
        raise ValueError(f"wildcards must fill the trailing groups: {pattern!r}")
    value = 0
    for group in fixed:
        # int() would accept "+1", " 1" or "1_0"; only plain digits / hex digits are addresses.
        digits_ok = re.fullmatch(r"[0-9a-fA-F]{1,4}" if is_v6 else r"[0-9]{1,3}", group)
        number = int(group, 16 if is_v6 else 10) if digits_ok else -1
        if not 0 <= number < 1 << group_bits:
            raise ValueError(f"bad group {group!r} in {pattern!r}")
        value = value << group_bits | number
    prefix = len(fixed) * group_bits
    address = value << (total_bits - prefix)
    if is_v6:
        return ipaddress.IPv6Network((address, prefix))
    return ipaddress.IPv4Network((address, prefix))


def _pattern_network(pattern: str) -> _Network:
    if "*" in pattern:
        network = _wildcard_network(pattern)
    else:
        # An exact address is a /32 or /128 network; host bits after a "/" are tolerated.
        network = ipaddress.ip_network(pattern, strict=False)
    if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(_MAPPED_V4):
        # Client addresses are canonicalised to IPv4, so mapped patterns must be too.
        start = int(network.network_address) - int(_MAPPED_V4.network_address)
        return ipaddress.IPv4Network((start, network.prefixlen - 96))
    return network


def _merge(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sort and merge overlapping/adjacent inclusive ranges into parallel start/end lists."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(ranges):
        if ends and start <= ends[-1] + 1:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


class IpMatcher:
    """Does an IP fall in an exclusion list? Compiled once, then O(log n) per lookup.

    Patterns: exact addresses (`1.2.3.4`, `::1`), trailing wildcards (`192.168.*.*`, `10.*`,
    `2001:db8:*`) and CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`). Blank patterns are skipped;
    anything else that does not parse is ignored and listed in `invalid`. IPv4-mapped IPv6
    addresses (`::ffff:1.2.3.4`) are matched as IPv4, both as pattern and as client IP.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        valid: list[str] = []
        invalid: list[str] = []
        ranges: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for raw in patterns:
            pattern = raw.strip()
            if not pattern:
                continue
            try:
                network = _pattern_network(pattern)
            except ValueError:
                invalid.append(raw)
                continue
            valid.append(pattern)
            first = int(network.network_address)
            ranges[network.version].append((first, first + network.num_addresses - 1))
        self.patterns: tuple[str, ...] = tuple(valid)
        self.invalid: tuple[str, ...] = tuple(invalid)
        self._v4 = _merge(ranges[4])
        self._v6 = _merge(ranges[6])

    def matches(self, ip: str) -> bool:
        """Whether the textual `ip` is excluded; an unparsable IP never matches."""
        try:
            packed = pack_ip(ip)
        except ValueError:
            return False
        return self.matches_packed(packed)

    def matches_packed(self, packed: bytes) -> bool:
        """Whether a packed (4 or 16 byte) IP is excluded."""
        if len(packed) == 16 and packed[:12] == _MAPPED_V4.network_address.packed[:12]:
            packed = packed[12:]
        if len(packed) not in (4, 16):
            return False
        starts, ends = self._v4 if len(packed) == 4 else self._v6
        value = int.from_bytes(packed, "big")
        index = bisect.bisect_right(starts, value) - 1
        return index >= 0 and value <= ends[index]


# ---------------------------------------------------------------------------- user agents


class UserAgentMatcher:
    """Does a user agent match an exclusion list? Matching is always case-insensitive.

    Rule (deliberately stricter than Matomo, which treats a pattern as a regex whenever it
    compiles, so `Mozilla (compatible` silently changes meaning): a pattern wrapped in slashes,
    `/.../`, is a regular expression searched anywhere in the user agent; every other pattern is
    a plain substring. Blank patterns are skipped; regexes that do not compile are ignored and
    listed in `invalid`. Patterns come from administrators, so regex cost is their call.
    """

    def __init__(self, patterns: Iterable[str]) -> None:
        substrings: list[str] = []
        regexes: list[re.Pattern[str]] = []
        invalid: list[str] = []
        for raw in patterns:
            pattern = raw.strip()
            if not pattern:
                continue
            if len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
                try:
                    regexes.append(re.compile(pattern[1:-1], re.IGNORECASE))
                except re.error:
                    invalid.append(raw)
            else:
                substrings.append(pattern.casefold())
        self._substrings = tuple(substrings)
        self._regexes = tuple(regexes)
        self.invalid: tuple[str, ...] = tuple(invalid)

    def matches(self, user_agent: str) -> bool:
        """Whether `user_agent` contains one of the substrings or matches one of the regexes."""
        folded = user_agent.casefold()
        if any(s in folded for s in self._substrings):
            return True
        return any(r.search(user_agent) for r in self._regexes)


# ---------------------------------------------------------------------------- headers


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works for plain dicts and HTTP header mappings."""
    value = headers.get(name)
    if value is not None:
        return value
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None


def global_privacy_control(headers: Mapping[str, str]) -> bool:
    """Whether the browser sends the Global Privacy Control signal (`Sec-GPC: 1`)."""
    return (_header(headers, "sec-gpc") or "").strip() == "1"


def do_not_track_requested(headers: Mapping[str, str], *, include_gpc: bool = True) -> bool:
    """Whether the request asks not to be tracked.

    `DNT` or `X-Do-Not-Track` whose value starts with "1" (old browsers appended extensions
    after the 1), and, unless `include_gpc` is False, `Sec-GPC: 1`.
    """
    for name in ("dnt", "x-do-not-track"):
        if (_header(headers, name) or "").strip().startswith("1"):
            return True
    return include_gpc and global_privacy_control(headers)


def _header_tokens(value: str | None) -> set[str]:
    """Lower-cased list items of a header, without `;` parameters (`prefetch;prerender`)."""
    if not value:
        return set()
    return {item.split(";", 1)[0].strip().lower() for item in value.split(",")}


def is_prefetch(headers: Mapping[str, str]) -> bool:
    """Whether the request is a browser prefetch/preview rather than a real view."""
    if _header_tokens(_header(headers, "x-purpose")) & {"preview", "instant"}:
        return True
    return any(
        "prefetch" in _header_tokens(_header(headers, name))
        for name in ("x-moz", "purpose", "sec-purpose")
    )


# ---------------------------------------------------------------------------- request rules

Operator = Literal["==", "!=", "=@", "!@", "=^", "=$"]
_OPERATORS: dict[str, Operator] = {op: op for op in ("==", "!=", "=@", "!@", "=^", "=$")}


def _lookup(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if value is not None:
        return value
    folded = name.casefold()
    for key, candidate in params.items():
        if key.casefold() == folded:
            return candidate
    return ""


@dataclass(frozen=True, slots=True)
class RequestRule:
    """One `param<op>value` exclusion rule; `value` is case-folded on construction.

    A parameter missing from the request compares as the empty string. Parameter names are
    matched exactly first, then case-insensitively.
    """

    param: str
    operator: Operator
    value: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", self.value.casefold())

    def matches(self, params: Mapping[str, str]) -> bool:
        """Whether the request parameters satisfy this rule (case-insensitive comparison)."""
        actual = _lookup(params, self.param).casefold()
        if self.operator == "==":
            return actual == self.value
        if self.operator == "!=":
            return actual != self.value
        if self.operator == "=@":
            return self.value in actual
        if self.operator == "!@":
            return self.value not in actual
        if self.operator == "=^":
            return actual.startswith(self.value)
        return actual.endswith(self.value)


@dataclass(frozen=True, slots=True)
class ExcludeRules:
    """A list of request rules; a request is excluded when any rule matches (comma = OR)."""

    rules: tuple[RequestRule, ...] = ()

    def matches(self, params: Mapping[str, str]) -> bool:
        """Whether any rule matches the request parameters."""
        return any(rule.matches(params) for rule in self.rules)


def parse_request_rule(text: str) -> RequestRule:
    """Parse one `param<op>value` rule; the value is percent-decoded (`%2C` for a comma).

    The operator is the first of `== != =@ !@ =^ =$` found. Raises ValueError when no operator
    is present or the parameter name is empty.
    """
    rule = text.strip()
    for index in range(1, len(rule) - 1):
        operator = _OPERATORS.get(rule[index : index + 2])
        if operator is not None:
            param = rule[:index].strip()
            value = unquote(rule[index + 2 :].strip())
            return RequestRule(param=param, operator=operator, value=value)
    raise ValueError(f"not a request rule (param<op>value): {text!r}")


def parse_exclude_rules(text: str) -> ExcludeRules:
    """Parse a comma-separated rule list (`[Tracker] exclude_requests`); blanks are skipped.

    Raises ValueError on the first malformed rule, so bad configuration fails at load time
    rather than silently excluding nothing.
    """
    pieces = (piece for piece in text.split(",") if piece.strip())
    return ExcludeRules(rules=tuple(parse_request_rule(piece) for piece in pieces))
