"""Strict query-string decoding: first value wins, invalid UTF-8 is an error, `cs` is honoured."""

from __future__ import annotations

import codecs
from urllib.parse import parse_qsl, unquote


class QueryDecodeError(ValueError):
    """A parameter is not valid text in the declared charset."""


def _decode(qs: str, encoding: str) -> list[tuple[str, str]]:
    return parse_qsl(qs, keep_blank_values=True, encoding=encoding, errors="strict")


def _decode_utf8(qs: str) -> dict[str, str]:
    """`parse_qsl` in UTF-8, first value winning, without its calls for pieces that need no
    unquoting (most of them): this runs for every hit, and took twice as long."""
    result: dict[str, str] = {}
    for piece in qs.split("&"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        if "+" in key:
            key = key.replace("+", " ")
        if "%" in key:
            key = unquote(key, encoding="utf-8", errors="strict")
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:  # decoded even when the name repeats: invalid UTF-8 is an error
            value = unquote(value, encoding="utf-8", errors="strict")
        result.setdefault(key, value)
    return result


def parse_query(qs: str) -> dict[str, str]:
    """Parameters of a query string; repeated names keep their first value.

    Values are UTF-8 unless the request names another charset in `cs` (old pages in cp1251 or
    latin-1), as Matomo's tracker allows.
    """
    qs = qs.lstrip("?")
    try:
        return _decode_utf8(qs)
    except UnicodeDecodeError as exc:
        charset = dict(parse_qsl(qs, encoding="ascii", errors="replace")).get("cs", "")
        try:
            codecs.lookup(charset)
        except LookupError:
            raise QueryDecodeError(
                "a parameter is not valid UTF-8 (send UTF-8, or name the charset in cs)"
            ) from exc
        try:
            pairs = _decode(qs, charset)
        except (UnicodeError, LookupError) as exc2:  # LookupError: rot13, hex... are not text
            raise QueryDecodeError(f"a parameter is not valid {charset}") from exc2
    result: dict[str, str] = {}
    for key, value in pairs:
        result.setdefault(key, value)
    return result
