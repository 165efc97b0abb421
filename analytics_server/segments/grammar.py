"""Matomo's segment grammar: `name OP value` conditions, `,` (OR) binding tighter than `;` (AND).

No parentheses: a definition is an AND of OR-groups. A literal `;` or `,` inside a value is
escaped with a backslash; each value is URL-decoded once (definitions carry encoded values, e.g.
`pageUrl=@%2Fdocs`). Pure: no SQL here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus

from analytics_server.errors import InvalidRequestError

# Two-character operators first, so `<=` is not read as `<`.
OPERATORS = ("==", "!=", "<=", ">=", "=@", "!@", "=^", "=$", "<", ">")
MAX_LENGTH = 4_000
MAX_CONDITIONS = 50
_CONDITION = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9_.]*)(?P<op>==|!=|<=|>=|=@|!@|=\^|=\$|<|>)(?P<value>.*)$",
    re.DOTALL,
)


class SegmentError(InvalidRequestError):
    """A definition that does not parse or names an unknown segment."""


@dataclass(frozen=True)
class Condition:
    name: str
    op: str
    value: str  # decoded

    def __str__(self) -> str:
        return f"{self.name}{self.op}{quote(self.value, safe='')}"


Definition = tuple[tuple[Condition, ...], ...]


def _split(text: str, sep: str) -> list[str]:
    """Split on `sep` unless backslash-escaped; escapes of `;` and `,` are kept for later."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape(value: str) -> str:
    return value.replace("\\;", ";").replace("\\,", ",")


def _condition(text: str) -> Condition:
    match = _CONDITION.match(text.strip())
    if match is None:
        raise SegmentError(
            f"segment condition {text[:60]!r} is not 'name OPERATOR value' "
            f"(operators: {' '.join(OPERATORS)})"
        )
    value = unquote_plus(_unescape(match.group("value")))
    return Condition(match.group("name"), match.group("op"), value)


def parse(definition: str) -> Definition:
    """Parse a definition; "" means no segment (all visits)."""
    text = definition.strip()
    if not text:
        return ()
    if len(text) > MAX_LENGTH:
        raise SegmentError(f"a segment definition is limited to {MAX_LENGTH} characters")
    groups = tuple(
        tuple(_condition(part) for part in _split(group, ",")) for group in _split(text, ";")
    )
    if sum(len(group) for group in groups) > MAX_CONDITIONS:
        raise SegmentError(f"a segment has at most {MAX_CONDITIONS} conditions")
    return groups


def canonical(definition: str) -> str:
    """One spelling per meaning: values re-encoded the same way, no blanks around parts."""
    return ";".join(",".join(str(c) for c in group) for group in parse(definition))


def segment_hash(definition: str) -> str:
    """The key of a segment's archives: md5 hex of its canonical definition."""
    return hashlib.md5(canonical(definition).encode("utf-8"), usedforsecurity=False).hexdigest()
