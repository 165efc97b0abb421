"""Management methods: SitesManager, UsersManager, SegmentEditor, Goals, Annotations.

Each module's methods live in `manage_<module>.py`; this one only gathers them for `api.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analytics_server.reports import (
    manage_annotations,
    manage_goals,
    manage_segments,
    manage_sites,
    manage_users,
)

METHODS: dict[str, Callable[..., Any]] = {
    **manage_sites.METHODS,
    **manage_goals.METHODS,
    **manage_users.METHODS,
    **manage_segments.METHODS,
    **manage_annotations.METHODS,
}
