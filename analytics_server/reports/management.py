"""Management methods: SitesManager, UsersManager, SegmentEditor, Goals, Annotations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

METHODS: dict[str, Callable[..., Any]] = {}
