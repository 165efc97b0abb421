"""Live: the visits log, visitor profiles and real-time counters, read from the raw logs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

METHODS: dict[str, Callable[..., Any]] = {}
