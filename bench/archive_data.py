"""Synthetic raw logs for the archiving benchmark: a site-local day of visits written in bulk.

Rows go straight into the raw tables with multi-row INSERTs (no tracking pipeline), shaped like a
busy portal: ~5 page views per visit over a few thousand URLs in folders, events, site searches,
downloads, outlinks, content impressions, goal conversions and orders, referrers of every type,
devices, locations and custom dimensions.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analytics_server.kit.periods import day_bounds_utc
from analytics_server.models import log as m

CHUNK = 5_000


@dataclass
class Shape:
    """How much traffic one generated day has."""

    visits: int = 200_000
    pageviews: int = 1_000_000
    visitors: int = 150_000
    event_share: float = 0.8  # events per visit, on average
    seed: int = 7


@dataclass
class Dictionary:
    """Ids of the generated action names, by kind."""

    urls: list[int]
    titles: list[int]
    keywords: list[int]
    downloads: list[int]
    outlinks: list[int]
    event_categories: list[int]
    event_actions: list[int]
    event_names: list[int]
    content_names: list[int]
    content_pieces: list[int]
    content_interactions: list[int]


COUNTRIES = ["de", "fr", "ru", "us", "gb", "it", "es", "nl", "pl", "se", "xx"] + [
    f"c{i}" for i in range(30)
]
BROWSERS = [("CH", "WB"), ("FF", "GE"), ("SF", "WK"), ("PS", "BL"), ("OP", "BL"), ("YA", "BL")]
OSES = [("WIN", "10"), ("WIN", "11"), ("MAC", "14"), ("LIN", ""), ("AND", "14"), ("IOS", "17")]
RESOLUTIONS = ["1920x1080", "1366x768", "2560x1440", "390x844", "1536x864", "unknown"]
LANGS = ["en-us", "de-de,de;q=0.9", "ru-ru,ru;q=0.9", "fr", "en-gb,en;q=0.8", "it"]
ENGINES = ["google", "bing", "yandex", "duckduckgo", "ecosia"]
SOCIALS = ["facebook", "linkedin", "vk", "x"]


def _literal(value: Any) -> str:
    """A SQL literal for the generator's own values (no quotes or backslashes in its text)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, bytes):
        return "X'" + value.hex() + "'"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("'%Y-%m-%d %H:%M:%S'")
    text = str(value)
    assert "'" not in text
    assert "\\" not in text
    return "'" + text + "'"


def _bulk(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Multi-row INSERTs; every row gets every column it or the column default names."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        arg = getattr(column.default, "arg", None)
        if arg is not None and not callable(arg):
            defaults[column.name] = arg
    names = sorted({key for row in rows for key in row} | defaults.keys())
    head = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES "
    for start in range(0, len(rows), CHUNK):
        values = []
        for row in rows[start : start + CHUNK]:
            full = {**defaults, **row}
            values.append("(" + ",".join([_literal(full.get(n)) for n in names]) + ")")
        conn.exec_driver_sql(head + ",".join(values))


def _names(conn: Connection, action_type: int, names: list[str], first_id: int) -> list[int]:
    rows = [
        {
            "idaction": first_id + i,
            "name": name,
            "hash": 0,
            "type": action_type,
            "url_prefix": 2 if action_type == m.ACTION_TYPE_PAGE_URL else None,
            "digest": hashlib.md5(name.encode(), usedforsecurity=False).digest(),
        }
        for i, name in enumerate(names)
    ]
    _bulk(conn, m.LogAction.__table__, rows)  # type: ignore[arg-type]
    return [first_id + i for i in range(len(names))]


def write_dictionary(conn: Connection) -> Dictionary:
    """The action names: URLs in folders, titles, keywords, event and content names."""
    lists: dict[str, tuple[int, list[str]]] = {
        "urls": (
            m.ACTION_TYPE_PAGE_URL,
            [f"kb.example.com/s{i % 12}/t{i % 97}/page-{i}" for i in range(3_000)],
        ),
        "titles": (
            m.ACTION_TYPE_PAGE_TITLE,
            [f"Section {i % 12} / Article {i}" for i in range(2_000)],
        ),
        "keywords": (m.ACTION_TYPE_SITE_SEARCH, [f"keyword {i}" for i in range(2_000)]),
        "downloads": (
            m.ACTION_TYPE_DOWNLOAD,
            [f"https://files.example.com/f{i}.pdf" for i in range(400)],
        ),
        "outlinks": (
            m.ACTION_TYPE_OUTLINK,
            [f"https://ext{i % 40}.example.org/p{i}" for i in range(800)],
        ),
        "event_categories": (m.ACTION_TYPE_EVENT_CATEGORY, [f"Category {i}" for i in range(20)]),
        "event_actions": (m.ACTION_TYPE_EVENT_ACTION, [f"action-{i}" for i in range(60)]),
        "event_names": (m.ACTION_TYPE_EVENT_NAME, [f"name-{i}" for i in range(300)]),
        "content_names": (m.ACTION_TYPE_CONTENT_NAME, [f"Banner {i}" for i in range(30)]),
        "content_pieces": (m.ACTION_TYPE_CONTENT_PIECE, [f"piece-{i}.png" for i in range(60)]),
        "content_interactions": (m.ACTION_TYPE_CONTENT_INTERACTION, ["click", "hover"]),
    }
    found: dict[str, list[int]] = {}
    next_id = 1 + int(conn.scalar(sa.text("SELECT COALESCE(MAX(idaction), 0) FROM log_action")))
    for key, (action_type, names) in lists.items():
        found[key] = _names(conn, action_type, names, next_id)
        next_id += len(names)
    return Dictionary(**found)


def _skewed(rng: random.Random, items: Sequence[Any]) -> Any:
    """A popular-first pick: the head of the list is chosen far more often than the tail."""
    return items[min(int(rng.paretovariate(1.2)) - 1, len(items) - 1)]


def _referrer(rng: random.Random) -> dict[str, Any]:
    kind = rng.choices([1, 2, 3, 6, 7], weights=[40, 30, 15, 10, 5])[0]
    row: dict[str, Any] = {"referer_type": kind, "referer_name": None, "referer_keyword": None}
    if kind == 2:
        row.update(referer_name=rng.choice(ENGINES), referer_keyword=f"kw {rng.randrange(3000)}")
    elif kind == 3:
        site = f"site{int(rng.paretovariate(1.1)) % 300}.example"
        row.update(referer_name=site, referer_url=f"https://{site}/p{rng.randrange(8)}")
    elif kind == 6:
        row.update(
            referer_name=f"campaign {rng.randrange(30)}",
            referer_keyword=f"ad {rng.randrange(5)}",
            campaign_source=rng.choice(["mail", "newsletter", "partner"]),
            campaign_medium=rng.choice(["email", "cpc", "banner"]),
        )
    elif kind == 7:
        name = rng.choice(SOCIALS)
        row.update(referer_name=name, referer_url=f"https://{name}.com/post/{rng.randrange(50)}")
    return row


def _visit(rng: random.Random, idvisit: int, idvisitor: bytes, last: datetime) -> dict[str, Any]:
    browser, engine = rng.choice(BROWSERS)
    os_code, os_version = rng.choice(OSES)
    device = 1 if os_code in ("AND", "IOS") else rng.choice([0, 0, 0, 2])
    country = _skewed(rng, COUNTRIES)
    returning = rng.random() < 0.35
    row: dict[str, Any] = {
        "idvisit": idvisit,
        "idsite": 1,
        "idvisitor": idvisitor,
        "config_id": idvisitor,
        "location_ip": bytes([10, rng.randrange(256), 0, 0]),
        "user_id": f"user{int.from_bytes(idvisitor, 'big') % 50_000}"
        if rng.random() < 0.3
        else None,
        "visitor_returning": int(returning),
        "visitor_count_visits": rng.randrange(2, 60) if returning else 1,
        "visitor_seconds_since_last": rng.randrange(3_600, 90 * 86_400) if returning else None,
        "visitor_localtime": (last + timedelta(hours=rng.choice([0, 1, 2]))).time(),
        "location_country": country,
        "location_region": f"r{rng.randrange(5)}" if country != "xx" else None,
        "location_city": f"City {rng.randrange(400)}" if country != "xx" else None,
        "location_named": rng.choice([None, "HQ", "Branch"]),
        "location_browser_lang": rng.choice(LANGS),
        "config_browser_name": browser,
        "config_browser_version": str(rng.randrange(100, 125)),
        "config_browser_engine": engine,
        "config_client_type": 1,
        "config_os": os_code,
        "config_os_version": os_version,
        "config_device_type": device,
        "config_device_brand": rng.choice(["AP", "SA", "XI"]) if device else None,
        "config_device_model": f"M{rng.randrange(40)}" if device else None,
        "config_resolution": rng.choice(RESOLUTIONS),
        "config_cookie": True,
        "profilable": True,
        "custom_dimension_1": f"Company {int(rng.paretovariate(1.0)) % 500}",
        "custom_dimension_2": rng.choice(["admin", "editor", "reader"]),
    }
    row.update(_referrer(rng))
    return row


def _action(rng: random.Random, kind: int, words: Dictionary) -> dict[str, Any]:
    row: dict[str, Any] = {"action_type": kind}
    if kind == m.HIT_PAGEVIEW:
        row.update(
            idaction_url=_skewed(rng, words.urls),
            idaction_name=_skewed(rng, words.titles),
            time_network=rng.randrange(0, 40),
            time_server=rng.randrange(20, 600),
            time_transfer=rng.randrange(1, 80),
            time_dom_processing=rng.randrange(50, 900),
            time_dom_completion=rng.randrange(10, 300),
            time_on_load=rng.randrange(0, 40),
            custom_dimension_1=rng.choice(["grid", "list", None]),
        )
    elif kind == m.HIT_EVENT:
        row.update(
            idaction_url=_skewed(rng, words.urls),
            idaction_event_category=_skewed(rng, words.event_categories),
            idaction_event_action=_skewed(rng, words.event_actions),
            idaction_name=_skewed(rng, words.event_names),
            custom_float=float(rng.randrange(1, 100)) if rng.random() < 0.5 else None,
        )
    elif kind == m.HIT_SITE_SEARCH:
        row.update(
            idaction_url=_skewed(rng, words.urls),
            idaction_name=_skewed(rng, words.keywords),
            search_cat=rng.choice([None, "docs", "forum"]),
            search_count=rng.choice([0, 3, 10, 25]),
        )
    elif kind in (m.HIT_DOWNLOAD, m.HIT_OUTLINK):
        links = words.downloads if kind == m.HIT_DOWNLOAD else words.outlinks
        row.update(idaction_url=_skewed(rng, links), idaction_name=_skewed(rng, words.titles))
    else:
        row.update(
            idaction_url=_skewed(rng, words.urls),
            idaction_content_name=_skewed(rng, words.content_names),
            idaction_content_piece=_skewed(rng, words.content_pieces),
            idaction_content_interaction=(
                None if rng.random() < 0.9 else rng.choice(words.content_interactions)
            ),
        )
    return row


COUNTED = (m.HIT_PAGEVIEW, m.HIT_EVENT, m.HIT_SITE_SEARCH, m.HIT_DOWNLOAD, m.HIT_OUTLINK)


def _kinds(rng: random.Random, shape: Shape) -> list[int]:
    """The action kinds of one visit, a page view first."""
    mean_pages = shape.pageviews / shape.visits
    pages = max(1, min(int(rng.expovariate(1 / (mean_pages - 0.5))) + 1, 60))
    extra = [m.HIT_EVENT] * int(rng.expovariate(1 / shape.event_share) + 0.5)
    for kind, share in (
        (m.HIT_SITE_SEARCH, 0.15),
        (m.HIT_DOWNLOAD, 0.1),
        (m.HIT_OUTLINK, 0.1),
        (m.HIT_CONTENT, 0.3),
    ):
        if rng.random() < share:
            extra.append(kind)
    rest = [m.HIT_PAGEVIEW] * (pages - 1) + extra
    rng.shuffle(rest)
    return [m.HIT_PAGEVIEW, *rest]


def _build_visit(
    rng: random.Random,
    *,
    visit: dict[str, Any],
    kinds: list[int],
    words: Dictionary,
    start: datetime,
) -> list[dict[str, Any]]:
    """The visit's action rows; fills the visit's totals, entry/exit pages and times."""
    actions: list[dict[str, Any]] = []
    now, exit_url, exit_name = start, None, None
    entry_url = entry_name = None
    for position, kind in enumerate(kinds):
        gap = 0 if position == 0 else rng.randrange(5, 400)
        now += timedelta(seconds=gap)
        row = _action(rng, kind, words)
        row.update(
            idsite=1,
            idvisitor=visit["idvisitor"],
            idvisit=visit["idvisit"],
            server_time=now,
            idaction_url_ref=exit_url,
            idaction_name_ref=exit_name,
            time_spent_ref_action=min(gap, 1800),
        )
        if kind in (m.HIT_PAGEVIEW, m.HIT_SITE_SEARCH):
            if entry_name is None:
                entry_url, entry_name = row["idaction_url"], row["idaction_name"]
            exit_url, exit_name = row["idaction_url"], row["idaction_name"]
        actions.append(row)
    counted = sum(1 for k in kinds if k in COUNTED)
    visit.update(
        visit_first_action_time=start,
        visit_last_action_time=now,
        visit_total_time=int((now - start).total_seconds()) + (1 if len(kinds) > 1 else 0),
        visit_total_actions=counted,
        visit_total_interactions=sum(1 for k in kinds if k in (1, 8)),
        visit_total_searches=kinds.count(m.HIT_SITE_SEARCH),
        visit_total_events=kinds.count(m.HIT_EVENT),
        visit_entry_idaction_url=entry_url,
        visit_entry_idaction_name=entry_name,
        visit_exit_idaction_url=exit_url,
        visit_exit_idaction_name=exit_name,
    )
    return actions


def _conversions(rng: random.Random, visit: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Goal 1 (registration), goal 2 (download), and sometimes an order with items."""
    conversions: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    copied = {
        k: visit.get(k)
        for k in (
            "idvisit",
            "idsite",
            "idvisitor",
            "visitor_returning",
            "visitor_count_visits",
            "referer_type",
            "referer_name",
            "referer_keyword",
            "location_country",
            "config_browser_name",
            "config_device_type",
            "config_os",
        )
    }
    when = visit["visit_last_action_time"]
    for idgoal, share, revenue in ((1, 0.08, 10.0), (2, 0.03, 0.0)):
        if rng.random() < share:
            conversions.append(
                {
                    **copied,
                    "idgoal": idgoal,
                    "buster": 0,
                    "revenue": revenue,
                    "server_time": when,
                    "items": 0,
                }
            )
    if rng.random() < 0.01:
        order = f"o{visit['idvisit']}"
        quantity = rng.randrange(1, 4)
        conversions.append(
            {
                **copied,
                "idgoal": 0,
                "buster": visit["idvisit"],
                "idorder": order,
                "revenue": 25.0 * quantity,
                "revenue_subtotal": 25.0 * quantity,
                "server_time": when,
                "items": quantity,
            }
        )
        items.append(
            {
                "idvisit": visit["idvisit"],
                "idorder": order,
                "idaction_sku": 1 + quantity,
                "idsite": 1,
                "idvisitor": visit["idvisitor"],
                "server_time": when,
                "price": 25.0,
                "quantity": quantity,
                "deleted": False,
            }
        )
    if conversions:
        visit.update(visit_goal_converted=True, visit_goal_buyer=1 if items else 0)
    return conversions, items


def generate_day(
    conn: Connection, *, day: date, timezone: str, shape: Shape, words: Dictionary, first_id: int
) -> int:
    """Write one site-local day of traffic; returns the number of visits written."""
    rng = random.Random(shape.seed * 10_000 + day.toordinal())
    start, end = day_bounds_utc(day, timezone)
    seconds = int((end - start).total_seconds()) - 4 * 3600
    tables = [
        m.LogVisit.__table__,
        m.LogLinkVisitAction.__table__,
        m.LogConversion.__table__,
        m.LogConversionItem.__table__,
    ]
    # Rows are written in time order, as the tracker writes them, so that row ids follow time.
    starts = sorted(rng.randrange(seconds) for _ in range(shape.visits))
    for block in _blocks(shape.visits, 2_000):
        batch: list[list[dict[str, Any]]] = [[], [], [], []]
        for n in block:
            idvisitor = rng.randrange(shape.visitors).to_bytes(8, "big")
            kinds = _kinds(rng, shape)
            begin = start + timedelta(seconds=starts[n])
            visit = _visit(rng, first_id + n, idvisitor, begin)
            actions = _build_visit(rng, visit=visit, kinds=kinds, words=words, start=begin)
            conversions, items = _conversions(rng, visit)
            batch[0].append(visit)
            batch[1].extend(actions)
            batch[2].extend(conversions)
            batch[3].extend(items)
        batch[1].sort(key=lambda row: row["server_time"])
        for table, rows in zip(tables, batch, strict=True):
            if rows:
                _bulk(conn, table, rows)  # type: ignore[arg-type]
    return shape.visits


def _blocks(total: int, size: int) -> Iterator[range]:
    for begin in range(0, total, size):
        yield range(begin, min(begin + size, total))


__all__ = ["UTC", "Dictionary", "Shape", "generate_day", "write_dictionary"]
