"""Languages of the dashboard: English (the message ids) and Russian (a gettext catalogue),
and numbers, dates and durations formatted the way each locale writes them.

Catalogues are `.po` files in `locale/<language>/`, compiled in memory when first used, so
no build step is needed. The language is the user's saved preference, else the browser's
`Accept-Language`, else English.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """The language's catalogue: every `locale/<language>/*.po` file, merged (one file per
    part of the dashboard, so parts can be translated on their own)."""
    files = sorted((LOCALE_DIR / language).glob("*.po"))
    if language == DEFAULT or not files:
        return NullTranslations()
    merged: Translations | None = None
    for path in files:
        with path.open("rb") as source:
            catalog = read_po(source, locale=language)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        part = Translations(compiled)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged or NullTranslations()


def choose(preferred: str | None, accept_language: str) -> str:
    """The saved preference, else the first supported language the browser asks for."""
    if preferred in LANGUAGES:
        return preferred
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT


def number(value: object, language: str, digits: int = 2) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "" if value is None else str(value)
    pattern = "#,##0" if isinstance(value, int) or float(value).is_integer() else None
    if pattern:
        return format_decimal(value, format=pattern, locale=language)
    return format_decimal(round(float(value), digits), locale=language)


def percent(fraction: object, language: str) -> str:
    if not isinstance(fraction, int | float):
        return str(fraction)
    return format_percent(fraction, format="#,##0.#%", locale=language)


def duration(seconds: object, _language: str) -> str:
    """`1:05:09` style (the same in both languages): hours only when there are any."""
    if not isinstance(seconds, int | float):
        return str(seconds)
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def day(value: date, language: str, form: str = "medium") -> str:
    return format_date(value, format=form, locale=language)


def moment(value: datetime, language: str, tz: str) -> str:
    return format_datetime(value, format="medium", tzinfo=get_timezone(tz), locale=language)


Gettext = Callable[[str], str]


def gettext_for(language: str) -> Gettext:
    return translations(language).gettext
