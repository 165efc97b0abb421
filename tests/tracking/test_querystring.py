"""The tracker's query-string decoding agrees with urllib's `parse_qsl` (first value wins)."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl

import pytest

from analytics_server.kit.querystring import QueryDecodeError, parse_query

PIECES = ["a", "b", "=", "&", "+", "%", "%2", "%20", "%C3%A9", "%FF", "%2B", "é", "?", "&&", "=="]


def reference(qs: str) -> dict[str, str] | str:
    try:
        pairs = parse_qsl(qs.lstrip("?"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return "error"
    result: dict[str, str] = {}
    for key, value in pairs:
        result.setdefault(key, value)
    return result


def ours(qs: str) -> dict[str, str] | str:
    try:
        return parse_query(qs)
    except QueryDecodeError:
        return "error"


@pytest.mark.parametrize(
    "qs",
    [
        "",
        "?idsite=1&rec=1",
        "a=1&a=2",
        "a=%FF&a=1",  # invalid UTF-8 in a repeated name's value is still an error
        "a&b=&=c",
        "url=https%3A%2F%2Fexample.com%2F%3Fq%3Da%2Bb&action_name=A+b%20c",
        "k%C3%A9y=v%C3%A9",
        "a=%zz&b=%2",
    ],
)
def test_known_cases(qs: str) -> None:
    assert ours(qs) == reference(qs)


def test_random_query_strings() -> None:
    rng = random.Random(3)
    for _ in range(5_000):
        qs = "".join(rng.choice(PIECES) for _ in range(rng.randrange(12)))
        assert ours(qs) == reference(qs), qs
