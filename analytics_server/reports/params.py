"""The parameters of one API call: query string and form body merged, as Matomo reads them.

Body values win over query values (PHP's `array_merge($_GET, $_POST)`); a repeated scalar keeps
its last value; PHP-style lists (`label[]=a&label[]=b`, `urls[0]=...&urls[1]=...`) are read by
`get_list`. Every accessor raises `InvalidRequestError` with the parameter's name on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl

from analytics_server.errors import InvalidRequestError

_INDEXED = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d*)\]$")
MAX_LIST = 1000
MAX_INT = 2**31 - 1  # ids, limits and offsets: what every database column here can hold
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def to_int(text: str, name: str) -> int:
    """An integer parameter within the range ids and limits have."""
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidRequestError(f"The parameter '{name}' must be an integer.") from None
    if abs(value) > MAX_INT:
        raise InvalidRequestError(f"The parameter '{name}' is out of range.")
    return value


class Params:
    """Read-only view of a call's parameters."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, str] = {}
        self._lists: dict[str, list[tuple[int, str]]] = {}
        for key, value in items:
            match = _INDEXED.match(key)
            if match is None:
                self._values[key] = value
                continue
            bucket = self._lists.setdefault(match["name"], [])
            index = int(match["index"]) if match["index"] else len(bucket) + MAX_LIST
            bucket.append((index, value))

    @classmethod
    def from_query(cls, query: str, body: str = "") -> Params:
        items = parse_qsl(query, keep_blank_values=True)
        items += parse_qsl(body, keep_blank_values=True)
        return cls(items)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Params:
        return cls((key, "" if value is None else str(value)) for key, value in values.items())

    def with_defaults(self, defaults: Mapping[str, str]) -> Params:
        """These parameters over `defaults` (a bulk sub-request inherits the outer token)."""
        merged = Params(defaults.items())
        merged._values.update(self._values)
        for name, values in self._lists.items():
            merged._lists[name] = list(values)
        return merged

    def with_overrides(self, values: Mapping[str, str]) -> Params:
        """These parameters with `values` put over them (an inner call that needs all rows)."""
        merged = self.with_defaults({})
        merged._values.update(values)
        return merged

    def __contains__(self, name: str) -> bool:
        return name in self._values or name in self._lists

    def items(self) -> list[tuple[str, str]]:
        return list(self._values.items())

    def get(self, name: str, default: str = "") -> str:
        return self._values.get(name, default)

    def text(self, name: str, *, required: bool = False, max_length: int = 10_000) -> str:
        value = self._values.get(name)
        if value is None or (required and not value.strip()):
            if required:
                raise InvalidRequestError(f"Please specify a value for '{name}'.")
            return ""
        if len(value) > max_length:
            raise InvalidRequestError(f"The parameter '{name}' is longer than {max_length}.")
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self._values.get(name, "").strip()
        if not value:
            return default
        return to_int(value, name)

    def required_int(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise InvalidRequestError(f"Please specify a value for '{name}'.")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self._values.get(name)
        if value is None:
            return default
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise InvalidRequestError(f"The parameter '{name}' must be 0 or 1.")

    def get_list(self, name: str) -> list[str]:
        """`name[]`/`name[N]` values in index order, else a comma list in `name`."""
        if name in self._lists:
            values = [value for _, value in sorted(self._lists[name], key=lambda item: item[0])]
        else:
            raw = self._values.get(name, "")
            values = [part for part in raw.split(",") if part.strip()] if raw else []
        if len(values) > MAX_LIST:
            raise InvalidRequestError(f"At most {MAX_LIST} values for '{name}'.")
        return values

    def raw_list(self, name: str) -> list[str]:
        """`name[]`/`name[N]` values only (no comma splitting): URLs, labels with commas."""
        if name in self._lists:
            return [value for _, value in sorted(self._lists[name], key=lambda item: item[0])]
        value = self._values.get(name)
        return [] if value is None else [value]
