"""A schedule as rendering and sending see it (no ORM), its fan-out, and address validation.

Fan-out makes one rendering per value of a custom dimension or per segment of a list, each
with its own recipients:

    {"dimension": 1, "recipients": {"Acme": ["boss@acme.example"]}, "others": false}
    {"segments": [{"label": "Germany", "segment": "countryCode==de", "recipients": [...]}]}

A dimension value becomes the segment `dimensionN==value` (AND-ed with the schedule's own).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from analytics_server.errors import InvalidRequestError
from analytics_server.reports.labels import segment_value
from analytics_server.scheduled_reports.report_ids import ReportRef
from analytics_server.segments import service as segments_service
from analytics_server.segments.grammar import SegmentError
from analytics_server.sites.service import SiteConfig

CADENCES = ("day", "week", "month", "never")
DATA_PERIODS = ("day", "week", "month", "year")
FORMATS = ("pdf", "html", "csv", "tsv")
MAX_RECIPIENTS = 100
MAX_FANOUT = 200
DEFAULT_ROW_LIMIT = 23  # Matomo's scheduled_reports_truncate
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$"
)


def valid_email(address: str) -> str:
    """The address if it is one plain `local@host` (no display name, no header tricks)."""
    text = address.strip()
    if len(text) > 254 or not _EMAIL.match(text):
        raise InvalidRequestError(f"{text[:80]!r} is not a valid email address.")
    return text


def valid_emails(addresses: list[str]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for address in addresses:
        if address.strip():
            found.setdefault(valid_email(address), None)
    if len(found) > MAX_RECIPIENTS:
        raise InvalidRequestError(f"At most {MAX_RECIPIENTS} recipients.")
    return tuple(found)


@dataclass(frozen=True)
class Slice:
    """One rendering of a schedule: all of it, or one fan-out value."""

    key: str = ""  # the fan-out value ("" without fan-out): part of the sending's unique key
    label: str = ""
    segment: str = ""  # AND-ed with the schedule's segment
    recipients: tuple[str, ...] | None = None  # None: the schedule's recipients

    @property
    def key_hash(self) -> str:
        if not self.key:
            return ""
        return hashlib.md5(self.key.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Fanout:
    """Per dimension value (`iddimension`) or per segment of `items`."""

    iddimension: int | None = None
    by_value: dict[str, tuple[str, ...]] = field(default_factory=dict)
    others: bool = False  # values without recipients of their own go to the schedule's
    items: tuple[Slice, ...] = ()

    def to_json(self) -> dict[str, Any]:
        if self.iddimension is not None:
            return {
                "dimension": self.iddimension,
                "recipients": {k: list(v) for k, v in self.by_value.items()},
                "others": self.others,
            }
        return {
            "segments": [
                {"label": s.label, "segment": s.segment, "recipients": list(s.recipients or ())}
                for s in self.items
            ]
        }


def dimension_slice(iddimension: int, value: str, recipients: tuple[str, ...] | None) -> Slice:
    segment = f"dimension{iddimension}=={segment_value(value)}"
    return Slice(key=value, label=value, segment=segment, recipients=recipients)


def expand(fanout: Fanout | None, values: list[str]) -> list[Slice]:
    """The renderings: `values` are the dimension's values with traffic in the period."""
    if fanout is None:
        return [Slice()]
    if fanout.iddimension is None:
        return list(fanout.items)
    wanted: dict[str, tuple[str, ...] | None] = dict(fanout.by_value)
    if fanout.others:
        for value in values:
            wanted.setdefault(value, None)
    slices = [dimension_slice(fanout.iddimension, v, r) for v, r in wanted.items()]
    return slices[:MAX_FANOUT]


def parse_fanout(raw: Any, site: SiteConfig) -> Fanout | None:
    """A fan-out from the API's JSON text (or decoded JSON); None for none."""
    if raw in (None, "", {}, "null"):
        return None
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise InvalidRequestError("fanout must be a JSON object.") from None
    if not isinstance(data, dict):
        raise InvalidRequestError("fanout must be a JSON object.")
    if "dimension" in data:
        return _dimension_fanout(data, site)
    if "segments" in data:
        return _segments_fanout(data)
    raise InvalidRequestError('fanout needs "dimension" or "segments".')


def _dimension_fanout(data: dict[str, Any], site: SiteConfig) -> Fanout:
    iddimension = data.get("dimension")
    if not isinstance(iddimension, int) or iddimension not in site.dimensions:
        raise InvalidRequestError(
            f"fanout: custom dimension {str(iddimension)[:20]} is not configured for this site."
        )
    by_value = data.get("recipients") or {}
    if not isinstance(by_value, dict) or len(by_value) > MAX_FANOUT:
        raise InvalidRequestError(f"fanout recipients: an object of at most {MAX_FANOUT} values.")
    checked = {str(value)[:250]: valid_emails(_list(emails)) for value, emails in by_value.items()}
    others = bool(data.get("others", False))
    if not checked and not others:
        raise InvalidRequestError('fanout: give "recipients" per value, or "others": true.')
    return Fanout(iddimension=iddimension, by_value=checked, others=others)


def _segments_fanout(data: dict[str, Any]) -> Fanout:
    items = data.get("segments")
    if not isinstance(items, list) or not items or len(items) > MAX_FANOUT:
        raise InvalidRequestError(f"fanout segments: a list of 1 to {MAX_FANOUT} objects.")
    slices: list[Slice] = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidRequestError("fanout segments: each item is an object.")
        try:
            definition = segments_service.validate(str(item.get("segment", "")))
        except SegmentError as exc:
            raise InvalidRequestError(f"fanout segment: {exc}") from None
        label = str(item.get("label") or definition)[:250]
        recipients = valid_emails(_list(item.get("recipients")))
        slices.append(Slice(key=definition, label=label, segment=definition, recipients=recipients))
    if len({s.key for s in slices}) != len(slices):
        raise InvalidRequestError("fanout segments: each segment once.")
    return Fanout(items=tuple(slices))


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(item) for item in value]
    raise InvalidRequestError("recipients must be a list of email addresses.")


@dataclass(frozen=True)
class Spec:
    """Everything rendering and sending need of a schedule."""

    idsite: int
    owner: str
    reports: tuple[ReportRef, ...]
    idreport: int | None = None
    description: str = ""
    segment: str = ""  # a definition; "" is all visits
    segment_name: str = ""
    period: str = "week"  # cadence: day|week|month|never
    period_param: str = "week"  # the data period
    hour: int = 0
    format: str = "pdf"
    evolution_graph: bool = False
    row_limit: int = DEFAULT_ROW_LIMIT
    language: str = "en"
    recipients: tuple[str, ...] = ()
    fanout: Fanout | None = None

    def recipients_of(self, part: Slice) -> tuple[str, ...]:
        """Who gets one rendering: the fan-out value's own recipients, else the schedule's."""
        return part.recipients if part.recipients is not None else self.recipients


def combine(first: str, second: str) -> str:
    """Two segment definitions AND-ed."""
    return ";".join(part for part in (first, second) if part)
