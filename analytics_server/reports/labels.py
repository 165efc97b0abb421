"""Display labels and row metadata: the stored codes of a report turned into what Matomo shows.

Archives keep raw values (browser `CH`, country `de`, channel `2`, hour `13`); the API shows
names ("Chrome", "Germany", "Search Engines") and puts the code and a ready-made
`segment` definition into the row's metadata, as Matomo does. Each presenter rewrites rows in
place and is given the language the caller asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from babel import Locale, UnknownLocaleError

from analytics_server.archiving.records import OTHERS
from analytics_server.enrichment.device_codes import BROWSERS, DEVICE_TYPES, OPERATING_SYSTEMS
from analytics_server.enrichment.referrers import REFERRER_TYPE_NAMES
from analytics_server.reports.datatable import ApiRow

Presenter = Callable[[ApiRow, str], None]
UNKNOWN = "Unknown"

BROWSER_NAMES = dict(BROWSERS.values())
OS_NAMES = dict(OPERATING_SYSTEMS.values())
REFERRER_TYPE_LABELS = {
    1: "Direct Entry",
    2: "Search Engines",
    3: "Websites",
    6: "Campaigns",
    7: "Social Networks",
}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CONTINENT_NAMES = {
    "afr": "Africa",
    "amc": "Central America",
    "amn": "North America",
    "ams": "South America",
    "ant": "Antarctica",
    "asi": "Asia",
    "eur": "Europe",
    "oce": "Oceania",
    "unk": UNKNOWN,
}


def segment_value(value: str) -> str:
    """A value encoded once for use inside a segment definition (Matomo's row metadata)."""
    return quote(value, safe="")


def _segment(row: ApiRow, name: str, value: str) -> None:
    row.meta["segment"] = f"{name}=={segment_value(value)}"


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale("en")


def country_name(code: str, language: str = "en") -> str:
    if not code or code.lower() in ("xx", "ti"):
        return UNKNOWN
    return str(_locale(language).territories.get(code.upper(), code.upper()))


def language_name(code: str, language: str = "en") -> str:
    if not code or code == "xx":
        return UNKNOWN
    return str(_locale(language).languages.get(code.lower(), code))


def is_others(row: ApiRow) -> bool:
    return row.label == OTHERS


def device_type(row: ApiRow, _language: str) -> None:
    if is_others(row):
        return
    name = DEVICE_TYPES.get(int(row.label), "unknown") if row.label.isdigit() else "unknown"
    row.label = name.capitalize() if name != "tv" else "TV"
    _segment(row, "deviceType", name)


def coded(names: dict[str, str], segment: str) -> Presenter:
    """A stored code (browser `CH`, OS `WIN`) shown by name, the code kept as metadata."""

    def present(row: ApiRow, _language: str) -> None:
        if is_others(row):
            return
        code = row.label or "UNK"
        row.label = names.get(code, UNKNOWN)
        row.meta["code"] = code
        _segment(row, segment, code)

    return present


def coded_version(names: dict[str, str], segment: str, version_segment: str) -> Presenter:
    """`code;version` (`CH;124`) shown as "Chrome 124", with a segment on both parts."""

    def present(row: ApiRow, _language: str) -> None:
        if is_others(row):
            return
        code, _, version = row.label.partition(";")
        row.label = f"{names.get(code, UNKNOWN)} {version}".strip()
        _segment(row, segment, code)
        row.meta["segment"] += f";{version_segment}=={segment_value(version)}"

    return present


browser = coded(BROWSER_NAMES, "browserCode")
browser_version = coded_version(BROWSER_NAMES, "browserCode", "browserVersion")
operating_system = coded(OS_NAMES, "operatingSystemCode")
os_version = coded_version(OS_NAMES, "operatingSystemCode", "operatingSystemVersion")


def model(row: ApiRow, _language: str) -> None:
    if is_others(row):
        return
    brand_name, _, model_name = row.label.partition(";")
    shown = " - ".join(part for part in (brand_name, model_name) if part)
    row.label = shown or UNKNOWN
    _segment(row, "deviceBrand", brand_name)
    row.meta["segment"] += f";deviceModel=={segment_value(model_name)}"


def configuration(row: ApiRow, _language: str) -> None:
    if is_others(row):
        return
    os_code, _, rest = row.label.partition(";")
    browser_code, _, resolution = rest.partition(";")
    parts = (OS_NAMES.get(os_code, UNKNOWN), BROWSER_NAMES.get(browser_code, UNKNOWN), resolution)
    row.label = " / ".join(parts)


def plain_value(segment: str) -> Presenter:
    """The label as stored, with a segment on it; an empty value shows as Unknown."""

    def present(row: ApiRow, _language: str) -> None:
        if is_others(row):
            return
        value = row.label
        row.label = value or UNKNOWN
        _segment(row, segment, value)

    return present


def country(row: ApiRow, language: str) -> None:
    if is_others(row):
        return
    code = row.label or "xx"
    row.label = country_name(code, language)
    row.meta["code"] = code
    _segment(row, "countryCode", code)


def continent(row: ApiRow, _language: str) -> None:
    code = row.label or "unk"
    row.label = CONTINENT_NAMES.get(code, UNKNOWN)
    row.meta["code"] = code
    _segment(row, "continentCode", code)


def region(row: ApiRow, language: str) -> None:
    if is_others(row):
        return
    code, _, country_code = row.label.partition("|")
    row.label = f"{code or UNKNOWN}, {country_name(country_code, language)}"
    row.meta.update(
        region=code, country=country_code, country_name=country_name(country_code, language)
    )
    _segment(row, "regionCode", code)
    row.meta["segment"] += f";countryCode=={segment_value(country_code)}"


def city(row: ApiRow, language: str) -> None:
    if is_others(row):
        return
    name, _, rest = row.label.partition("|")
    region_code, _, country_code = rest.partition("|")
    place = ", ".join(part for part in (name or UNKNOWN, region_code) if part)
    row.label = f"{place}, {country_name(country_code, language)}"
    row.meta.update(
        city_name=name,
        region=region_code,
        country=country_code,
        country_name=country_name(country_code, language),
    )
    _segment(row, "city", name)
    row.meta["segment"] += f";regionCode=={segment_value(region_code)}"
    row.meta["segment"] += f";countryCode=={segment_value(country_code)}"


def language(row: ApiRow, lang: str) -> None:
    if is_others(row):
        return
    code = row.label
    row.label = language_name(code, lang)
    row.meta["code"] = code
    # A language holds its regional variants: `de` is `de` itself and every `de-...`.
    _segment(row, "languageCode", code)
    row.meta["segment"] += f",languageCode=^{segment_value(code + '-')}"


def language_code(row: ApiRow, lang: str) -> None:
    if is_others(row):
        return
    code = row.label
    base, _, area = code.partition("-")
    name = language_name(base, lang)
    if area:
        name = f"{name} - {country_name(area, lang)}"
    row.label = f"{name} ({code})" if code else UNKNOWN
    row.meta["code"] = code
    _segment(row, "languageCode", code)


def referrer_type(row: ApiRow, _language: str) -> None:
    if not row.label.isdigit():
        return
    kind = int(row.label)
    row.label = REFERRER_TYPE_LABELS.get(kind, UNKNOWN)
    row.meta["referer_type"] = kind
    _segment(row, "referrerType", REFERRER_TYPE_NAMES.get(kind, ""))


def referrer_any(row: ApiRow, _language: str) -> None:
    """Referrers.getAll: `type;name` as the name, the channel as a column."""
    kind, sep, name = row.label.partition(";")
    if not sep or not kind.isdigit():
        return
    row.label = name or UNKNOWN
    row.meta["referer_type"] = REFERRER_TYPE_LABELS.get(int(kind), UNKNOWN)
    _segment(row, "referrerName", name)


def hour(segment: str | None) -> Presenter:
    """Hour rows (`00` ... `23`); `segment` None when no segment selects the row's visits (the
    site-time hour: Matomo's `visitServerHour` counts UTC hours, which differ from the site's)."""

    def present(row: ApiRow, _language: str) -> None:
        if row.label.isdigit():
            number = int(row.label)
            row.label = f"{number:02d}"  # Matomo's labels: 00 ... 23
            if segment is not None:
                _segment(row, segment, str(number))

    return present


def day_of_week(row: ApiRow, _language: str) -> None:
    if row.label.isdigit() and 1 <= int(row.label) <= 7:
        number = int(row.label)
        row.label = DAYS[number - 1]
        row.meta["day_of_week"] = number  # no segment: days are the site's, not UTC


@dataclass(frozen=True)
class Buckets:
    """How a VisitorInterest report shows its archived buckets (`11-30`, `6-7`, `201+`)."""

    segment: str  # the segment whose value the buckets range over ("" for none)
    one: str  # unit after a single 1 ("1 page")
    many: str  # unit otherwise ("2 pages", "6-7 pages")
    minutes_from: int | None = None  # seconds from which buckets are shown in minutes


def _bucket_bounds(label: str) -> tuple[int, int | None] | None:
    """`6-7` is (6, 7), `21+` is (21, None), `3` is (3, 3); None when not a bucket."""
    low, dash, high = label.partition("-")
    if label.endswith("+") and label[:-1].isdigit():
        return int(label[:-1]), None
    if dash and low.isdigit() and high.isdigit():
        return int(low), int(high)
    return (int(label), int(label)) if label.isdigit() else None


def _bucket_text(spec: Buckets, low: int, high: int | None) -> str:
    """Open buckets show the bound they pass (`21+` is `20+ pages`), as Matomo shows them."""
    if spec.minutes_from is not None and low >= spec.minutes_from:
        start, end = (low - 1) // 60, None if high is None else high // 60
        return f"{start}+ min" if end is None else f"{start}-{end} min"
    if high is None:
        return f"{low - 1}+ {spec.many}"
    if low == high:
        return f"{low} {spec.one if low == 1 else spec.many}"
    return f"{low}-{high} {spec.many}"


def _bucket_segment(name: str, low: int, high: int | None) -> str:
    if high is None:
        return f"{name}>={low}"
    if low == high:
        return f"{name}=={low}"
    return f"{name}>={low};{name}<={high}"


def interest(spec: Buckets) -> Presenter:
    """VisitorInterest rows: `61-120` seconds is `1-2 min`, with a segment of its range."""

    def present(row: ApiRow, _language: str) -> None:
        bounds = _bucket_bounds(row.label) if not is_others(row) else None
        if bounds is None:
            return
        row.label = _bucket_text(spec, *bounds)
        if spec.segment:
            row.meta["segment"] = _bucket_segment(spec.segment, *bounds)

    return present


VISIT_DURATION = Buckets("visitDuration", "s", "s", minutes_from=61)
PAGES_PER_VISIT = Buckets("interactions", "page", "pages")
VISIT_NUMBER = Buckets("visitCount", "visit", "visits")
DAYS_SINCE_LAST = Buckets("daysSinceLastVisit", "day", "days")
# Conversions are not visits: these buckets have no segment of their own.
DAYS_TO_CONVERSION = Buckets("", "day", "days")
VISITS_TO_CONVERSION = Buckets("", "visit", "visits")


def _leaf_url(row: ApiRow, depth: int = 0) -> tuple[str, int]:
    """The URL of the first page under `row` and how many levels below `row` it lies."""
    if "url" in row.meta:
        return str(row.meta["url"]), depth
    for child in row.sub.rows if row.sub is not None else []:
        found = _leaf_url(child, depth + 1)
        if found[0]:
            return found
    return "", depth


def _folder_prefix(row: ApiRow) -> str:
    """`https://host/docs/` for folder `docs`, read off a page below it (so a folder shown on
    its own, from `idSubtable`, still knows the folders above it)."""
    url, depth = _leaf_url(row)
    scheme, sep, rest = url.partition("://")
    if not sep or depth < 1:
        return ""
    host, _, path = rest.split("?", 1)[0].partition("/")
    pieces = path.split("/")
    return f"{scheme}://{host}/{'/'.join(pieces[:-depth])}/"


def page_url(row: ApiRow, _language: str) -> None:
    """Page URL rows and their subtables: pages get `pageUrl==`, folders `pageUrl=^`."""
    if is_others(row):
        return
    if row.sub is None:
        if "url" in row.meta:
            _segment(row, "pageUrl", str(row.meta["url"]))
        return
    for child in row.sub.rows:
        page_url(child, _language)
    prefix = _folder_prefix(row)
    if prefix:
        row.meta["segment"] = f"pageUrl=^{segment_value(prefix)}"


def page_title(row: ApiRow, _language: str) -> None:
    """Page title rows: a title is its folders joined by ` / `; folders get `pageTitle=^`."""
    _page_title(row, [])


def _page_title(row: ApiRow, folders: list[str]) -> None:
    if is_others(row):
        return
    title = " / ".join([*folders, row.label])
    if row.sub is None:
        _segment(row, "pageTitle", title)
        return
    for child in row.sub.rows:
        _page_title(child, [*folders, row.label])
    row.meta["segment"] = f"pageTitle=^{segment_value(title)}"


def link(segment: str) -> Presenter:
    """Downloads and outlinks: hosts match URLs containing `//host`, URLs match exactly."""

    def present(row: ApiRow, language: str) -> None:
        if is_others(row):
            return
        if "url" in row.meta:
            _segment(row, segment, str(row.meta["url"]))
            return
        row.meta["segment"] = f"{segment}=@{segment_value('//' + row.label)}"
        for child in row.sub.rows if row.sub is not None else []:
            present(child, language)

    return present


def user_id(row: ApiRow, _language: str) -> None:
    if not is_others(row):
        _segment(row, "userId", row.label)
