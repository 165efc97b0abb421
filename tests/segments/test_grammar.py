"""Segment definitions parse as Matomo's: OR binds tighter than AND, escapes, encoded values."""

from __future__ import annotations

import pytest

from analytics_server.segments.grammar import (
    Condition,
    SegmentError,
    canonical,
    parse,
    segment_hash,
)


def test_or_groups_inside_and() -> None:
    assert parse("browserCode==FF,browserCode==CH;countryCode==de") == (
        (Condition("browserCode", "==", "FF"), Condition("browserCode", "==", "CH")),
        (Condition("countryCode", "==", "de"),),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("actions>=3", Condition("actions", ">=", "3")),
        ("actions<=3", Condition("actions", "<=", "3")),
        ("actions<3", Condition("actions", "<", "3")),
        ("actions>3", Condition("actions", ">", "3")),
        ("pageUrl=@%2Fdocs", Condition("pageUrl", "=@", "/docs")),
        ("pageUrl!@docs", Condition("pageUrl", "!@", "docs")),
        ("pageTitle=^Docs", Condition("pageTitle", "=^", "Docs")),
        ("pageTitle=$Start", Condition("pageTitle", "=$", "Start")),
        ("userId==", Condition("userId", "==", "")),
        ("userId!=", Condition("userId", "!=", "")),
        ("referrerKeyword==a+b%3Dc", Condition("referrerKeyword", "==", "a b=c")),
        (
            "pageUrl==https%3A%2F%2Fx.org%2F%3Fa%3D1",
            Condition("pageUrl", "==", "https://x.org/?a=1"),
        ),
    ],
)
def test_operators_and_value_decoding(text: str, expected: Condition) -> None:
    assert parse(text) == ((expected,),)


def test_escaped_separators_stay_in_the_value() -> None:
    assert parse(r"pageTitle==a\;b\,c;userId==x") == (
        (Condition("pageTitle", "==", "a;b,c"),),
        (Condition("userId", "==", "x"),),
    )


def test_empty_definition_is_all_visits() -> None:
    assert parse("") == ()
    assert parse("   ") == ()


@pytest.mark.parametrize("text", ["countryCode", "==de", "country Code==de", "a==b;;c==d", "x~y"])
def test_malformed_conditions_are_refused(text: str) -> None:
    with pytest.raises(SegmentError, match="is not 'name OPERATOR value'"):
        parse(text)


def test_one_spelling_per_meaning() -> None:
    assert canonical(" pageUrl=@/docs ; countryCode==de ") == "pageUrl=@%2Fdocs;countryCode==de"
    assert segment_hash("pageUrl=@/docs") == segment_hash("pageUrl=@%2Fdocs")
    assert segment_hash("pageUrl=@/docs") != segment_hash("pageUrl=@/doc")
    assert len(segment_hash("countryCode==de")) == 32


def test_limits() -> None:
    with pytest.raises(SegmentError, match="at most"):
        parse(";".join(["actions>1"] * 51))
    with pytest.raises(SegmentError, match="limited to"):
        parse("userId==" + "x" * 5000)
