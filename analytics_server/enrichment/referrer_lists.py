"""Search engine and social network definition lists, bundled and admin-extended.

File shape (bundled `data/search_engines.json`, `data/social_networks.json`, and any `*.json` in
the extra directory; a file may carry either key or both):

    {"search_engines": [{"name": "Google", "hosts": ["google.*"], "keyword_params": ["q"]}],
     "social_networks": [{"name": "Facebook", "hosts": ["facebook.com", "fb.me"]}]}

Host patterns, compared lower-case with any leading "www." dropped:
- "example.com" matches that host and every subdomain of it (l.facebook.com matches facebook.com);
  the longest matching suffix wins.
- "name.*" matches "name" under any top-level domain, optionally behind a short (<= 3 letters)
  second-level label and with any subdomain in front: google.de, www.google.co.uk,
  images.google.com.br. Wildcards are tried only when no plain pattern matched.
Entries from the extra directory are loaded after the bundled ones (files in name order) and win
for the same pattern. A broken extra file is logged and skipped, never fatal for ingestion.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_BUNDLED_FILES = ("search_engines.json", "social_networks.json")


@dataclass(frozen=True, slots=True)
class SearchEngine:
    """A search engine and the referrer URL parameters that carry the searched keyword."""

    name: str
    keyword_params: tuple[str, ...]


def normalize_host(host: str) -> str:
    """Lower-case host without trailing dot and without a leading "www."."""
    host = host.strip().lower().rstrip(".")
    return host.removeprefix("www.")


class HostIndex(Generic[_T]):
    """Host pattern -> value, looked up by dict per host suffix, then by wildcard."""

    def __init__(self) -> None:
        self._plain: dict[str, _T] = {}
        # first label of the wildcard base -> {base labels: value}
        self._wildcards: dict[str, dict[tuple[str, ...], _T]] = {}

    def add(self, pattern: str, value: _T) -> None:
        """Register a pattern; a later value for the same pattern replaces the earlier one."""
        pattern = normalize_host(pattern)
        if pattern.endswith(".*"):
            base = tuple(pattern[:-2].split("."))
            self._wildcards.setdefault(base[0], {})[base] = value
        elif pattern:
            self._plain[pattern] = value

    def find(self, host: str) -> _T | None:
        """Value of the most specific pattern matching `host`, or None."""
        labels = normalize_host(host).split(".")
        for start in range(len(labels)):
            value = self._plain.get(".".join(labels[start:]))
            if value is not None:
                return value
        return self._find_wildcard(labels)

    def _find_wildcard(self, labels: list[str]) -> _T | None:
        for start, label in enumerate(labels):
            for base, value in self._wildcards.get(label, {}).items():
                end = start + len(base)
                if tuple(labels[start:end]) == base and _is_tld_tail(labels[end:]):
                    return value
        return None


def _is_tld_tail(tail: list[str]) -> bool:
    """True for "com", "de", "co.uk", "com.br": what may follow a "name.*" wildcard."""
    if len(tail) == 1:
        return bool(tail[0])
    return len(tail) == 2 and 0 < len(tail[0]) <= 3 and bool(tail[1])


class ReferrerLists:
    """Search engines and social networks, indexed by host."""

    def __init__(self) -> None:
        self.search_engines: HostIndex[SearchEngine] = HostIndex()
        self.social_networks: HostIndex[str] = HostIndex()

    @classmethod
    def load(cls, extra_dir: str | None = None) -> ReferrerLists:
        """Bundled lists merged with `extra_dir/*.json`; cached per directory."""
        return _load_cached(extra_dir)

    @classmethod
    def from_documents(cls, documents: Iterable[Mapping[str, object]]) -> ReferrerLists:
        """Build from already parsed documents of the file shape (later ones win)."""
        lists = cls()
        for document in documents:
            lists.add_document(document)
        return lists

    def add_document(self, document: Mapping[str, object]) -> None:
        """Add the entries of one document; raises ValueError (adding nothing) if malformed."""
        engines: list[tuple[str, SearchEngine]] = []
        for entry in _entries(document, "search_engines"):
            params = tuple(param.lower() for param in _strings(entry, "keyword_params"))
            engine = SearchEngine(_name(entry), params)
            engines += [(pattern, engine) for pattern in _strings(entry, "hosts")]
        socials = [
            (pattern, _name(entry))
            for entry in _entries(document, "social_networks")
            for pattern in _strings(entry, "hosts")
        ]
        for pattern, engine in engines:
            self.search_engines.add(pattern, engine)
        for pattern, name in socials:
            self.social_networks.add(pattern, name)

    def search_engine(self, host: str) -> SearchEngine | None:
        """The search engine serving `host`, if known."""
        return self.search_engines.find(host)

    def social_network(self, host: str) -> str | None:
        """The name of the social network serving `host`, if known."""
        return self.social_networks.find(host)


@functools.lru_cache(maxsize=8)
def _load_cached(extra_dir: str | None) -> ReferrerLists:
    lists = ReferrerLists()
    data = resources.files(__name__.rpartition(".")[0]).joinpath("data")
    for filename in _BUNDLED_FILES:
        lists.add_document(json.loads(data.joinpath(filename).read_text("utf-8")))
    if extra_dir:
        _add_extra_dir(lists, Path(extra_dir))
    return lists


def _add_extra_dir(lists: ReferrerLists, directory: Path) -> None:
    if not directory.is_dir():
        logger.warning("Referrer list directory %s does not exist; using bundled lists", directory)
        return
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text("utf-8"))
            if not isinstance(document, Mapping):
                raise ValueError("top level must be an object")
            lists.add_document(document)
        except (OSError, ValueError) as exc:
            logger.warning("Skipping referrer list %s: %s", path, exc)


def _entries(document: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    raw = document.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise ValueError(f"{key!r} must be a list of objects")
    return raw


def _name(entry: Mapping[str, object]) -> str:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"entry without a name: {entry!r}")
    return name.strip()


def _strings(entry: Mapping[str, object], key: str) -> tuple[str, ...]:
    raw = entry.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"{key!r} of {entry.get('name')!r} must be a list of strings")
    return tuple(raw)
