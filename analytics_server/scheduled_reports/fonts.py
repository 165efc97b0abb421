"""The vendored DejaVu Sans (Cyrillic, Latin, Greek), so rendering needs no system fonts."""

from __future__ import annotations

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "dejavu"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
