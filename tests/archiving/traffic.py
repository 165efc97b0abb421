"""Known traffic for archiving tests: raw rows written directly, with the pipeline's bookkeeping
(visit totals, entry and exit pages, time on the previous page, dictionary ids)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from analytics_server.archiving import service
from analytics_server.archiving.records import Metrics, Record, Table
from analytics_server.archiving.service import Target
from analytics_server.kit.hashing import crc32
from analytics_server.kit.periods import Period, containing
from analytics_server.kit.urls import split_url_prefix
from analytics_server.models import (
    LogAction,
    LogConversion,
    LogConversionItem,
    LogLinkVisitAction,
    LogVisit,
)
from analytics_server.models import log as m
from analytics_server.sites import service as sites_service
from analytics_server.sites.service import SiteConfig, load_site_configs

COUNTED = (m.HIT_PAGEVIEW, m.HIT_DOWNLOAD, m.HIT_OUTLINK, m.HIT_SITE_SEARCH, m.HIT_EVENT)


@dataclass
class Hit:
    kind: int
    at: int  # seconds after the visit's first hit
    values: dict[str, Any] = field(default_factory=dict)


def page(at: int, url: str, title: str = "", **columns: Any) -> Hit:
    return Hit(m.HIT_PAGEVIEW, at, {"url": url, "title": title, **columns})


def event(
    at: int, category: str, action: str, name: str | None = None, value: float | None = None
) -> Hit:
    return Hit(
        m.HIT_EVENT,
        at,
        {"category": category, "action": action, "name": name, "custom_float": value},
    )


def search(at: int, keyword: str, *, count: int | None = None, category: str | None = None) -> Hit:
    return Hit(
        m.HIT_SITE_SEARCH, at, {"keyword": keyword, "search_count": count, "search_cat": category}
    )


def link(at: int, kind: int, url: str) -> Hit:
    return Hit(kind, at, {"link": url})


def content(at: int, name: str, piece: str | None = None, interaction: str | None = None) -> Hit:
    return Hit(m.HIT_CONTENT, at, {"name": name, "piece": piece, "interaction": interaction})


class Traffic:
    """Writes visits for one site; `visitor` names are turned into 8-byte ids."""

    def __init__(self, db: Session, idsite: int) -> None:
        self.db = db
        self.idsite = idsite
        self._names: dict[tuple[int, str], int] = {}

    def name(self, action_type: int, text: str | None) -> int | None:
        if not text:
            return None
        prefix = None
        stored = text
        if action_type == m.ACTION_TYPE_PAGE_URL:
            prefix, stored = split_url_prefix(text)
        key = (action_type, stored)
        if key not in self._names:
            row = LogAction(name=stored, hash=crc32(stored), type=action_type, url_prefix=prefix)
            self.db.add(row)
            self.db.flush()
            self._names[key] = row.idaction
        return self._names[key]

    def _columns(self, hit: Hit) -> dict[str, Any]:
        v = hit.values
        n = self.name
        if hit.kind == m.HIT_PAGEVIEW:
            extra = {k: val for k, val in v.items() if k not in ("url", "title")}
            return {"idaction_url": n(1, v["url"]), "idaction_name": n(4, v["title"]), **extra}
        if hit.kind == m.HIT_EVENT:
            return {
                "idaction_event_category": n(10, v["category"]),
                "idaction_event_action": n(11, v["action"]),
                "idaction_name": n(12, v["name"]),
                "custom_float": v["custom_float"],
            }
        if hit.kind == m.HIT_SITE_SEARCH:
            return {
                "idaction_name": n(8, v["keyword"]),
                "search_count": v["search_count"],
                "search_cat": v["search_cat"],
            }
        if hit.kind in (m.HIT_DOWNLOAD, m.HIT_OUTLINK):
            return {"idaction_url": n(3 if hit.kind == m.HIT_DOWNLOAD else 2, v["link"])}
        return {
            "idaction_content_name": n(13, v["name"]),
            "idaction_content_piece": n(14, v["piece"]),
            "idaction_content_interaction": n(16, v["interaction"]),
        }

    def visit(
        self, start: datetime, hits: list[Hit], *, visitor: str = "v1", **columns: Any
    ) -> dict[str, Any]:
        """Insert a visit starting at `start` (UTC) with `hits`; returns the visit row."""
        idvisitor = visitor.encode().ljust(8, b"\0")[:8]
        row: dict[str, Any] = {
            "idsite": self.idsite,
            "idvisitor": idvisitor,
            "config_id": idvisitor,
            "location_ip": b"\x0a\x00\x00\x00",
            "visit_first_action_time": start,
            "visit_last_action_time": start
            + timedelta(seconds=max((h.at for h in hits), default=0)),
        }
        row.update(columns)
        visit_t = cast(sa.Table, LogVisit.__table__)
        idvisit = self.db.execute(sa.insert(visit_t).values(**row)).inserted_primary_key[0]  # type: ignore[index]
        totals = self._actions(idvisit, idvisitor, start, hits)
        totals["visit_total_time"] = 0 if len(hits) < 2 else max(h.at for h in hits) + 1
        totals.update({k: v for k, v in columns.items() if k in totals})  # explicit values win
        self.db.execute(sa.update(visit_t).where(visit_t.c.idvisit == idvisit).values(**totals))
        self.db.flush()
        return {**row, **totals, "idvisit": idvisit}

    def _actions(
        self, idvisit: int, idvisitor: bytes, start: datetime, hits: list[Hit]
    ) -> dict[str, Any]:
        totals: dict[str, Any] = dict.fromkeys(
            (
                "visit_total_actions",
                "visit_total_interactions",
                "visit_total_searches",
                "visit_total_events",
            ),
            0,
        )
        totals.update(
            visit_entry_idaction_url=None,
            visit_entry_idaction_name=None,
            visit_exit_idaction_url=None,
            visit_exit_idaction_name=None,
        )
        previous = None
        rows = []
        for hit in sorted(hits, key=lambda h: h.at):
            columns = self._columns(hit)
            rows.append(
                {
                    "idsite": self.idsite,
                    "idvisitor": idvisitor,
                    "idvisit": idvisit,
                    "server_time": start + timedelta(seconds=hit.at),
                    "action_type": hit.kind,
                    "idaction_url_ref": totals["visit_exit_idaction_url"],
                    "idaction_name_ref": totals["visit_exit_idaction_name"],
                    "time_spent_ref_action": 0
                    if previous is None
                    else min(hit.at - previous, 1800),
                    **columns,
                }
            )
            previous = hit.at
            totals["visit_total_actions"] += hit.kind in COUNTED
            totals["visit_total_interactions"] += hit.kind in (m.HIT_PAGEVIEW, m.HIT_SITE_SEARCH)
            totals["visit_total_searches"] += hit.kind == m.HIT_SITE_SEARCH
            totals["visit_total_events"] += hit.kind == m.HIT_EVENT
            if hit.kind == m.HIT_PAGEVIEW:
                if totals["visit_entry_idaction_url"] is None:
                    totals["visit_entry_idaction_url"] = columns["idaction_url"]
                    totals["visit_entry_idaction_name"] = columns["idaction_name"]
                totals["visit_exit_idaction_url"] = columns["idaction_url"]
                totals["visit_exit_idaction_name"] = columns["idaction_name"]
            elif hit.kind == m.HIT_SITE_SEARCH:
                if totals["visit_entry_idaction_name"] is None:
                    totals["visit_entry_idaction_name"] = columns["idaction_name"]
                totals["visit_exit_idaction_url"] = None
                totals["visit_exit_idaction_name"] = columns["idaction_name"]
        for row in rows:
            self.db.execute(sa.insert(LogLinkVisitAction.__table__).values(**row))
        return totals

    def conversion(
        self,
        visit: dict[str, Any],
        idgoal: int,
        *,
        revenue: float = 0.0,
        buster: int = 0,
        **columns: Any,
    ) -> None:
        copied = {
            k: visit.get(k)
            for k in (
                "idvisit",
                "idsite",
                "idvisitor",
                "referer_type",
                "location_country",
                "config_device_type",
            )
            if visit.get(k) is not None
        }
        values = {
            **copied,
            "idgoal": idgoal,
            "buster": buster,
            "server_time": visit["visit_last_action_time"],
            "revenue": revenue,
            "visitor_returning": visit.get("visitor_returning", 0),
            "visitor_count_visits": visit.get("visitor_count_visits", 1),
            "visitor_seconds_since_first": visit.get("visitor_seconds_since_first"),
            **columns,
        }
        self.db.execute(sa.insert(LogConversion.__table__).values(**values))

    def item(
        self,
        visit: dict[str, Any],
        *,
        idorder: str,
        sku: str,
        name: str,
        category: str,
        price: float,
        quantity: int,
    ) -> None:
        self.db.execute(
            sa.insert(LogConversionItem.__table__).values(
                idvisit=visit["idvisit"],
                idorder=idorder,
                idaction_sku=self.name(5, sku),
                idaction_name=self.name(6, name),
                idaction_category=self.name(7, category),
                idsite=self.idsite,
                idvisitor=visit["idvisitor"],
                server_time=visit["visit_last_action_time"],
                price=price,
                quantity=quantity,
                deleted=False,
            )
        )


BASE = "https://portal.example.com"


def known_day(db: Session, idsite: int) -> dict[str, dict[str, Any]]:
    """Three visits on 2026-03-10 in Tokyo (UTC+9) plus one just before and one just after.

    A: new visitor v1 (user anna) from Google, desktop Chrome; two docs pages, an event, a
       download; converts goal 1 (10.00).
    B: returning v2, direct, Firefox on a Mac; one page (a bounce) at 23:50 local.
    C: v1 again, campaign "spring", Android phone; home, a search without results, docs start,
       an outlink, a banner seen and clicked; orders 2 x SKU1 (30.00).
    """
    t = Traffic(db, idsite)
    a = t.visit(
        datetime(2026, 3, 9, 16, 0, tzinfo=UTC),  # 01:00 local on the 10th
        [
            page(
                0,
                f"{BASE}/docs/start",
                "Docs / Start",
                time_network=10,
                time_server=100,
                custom_dimension_1="grid",
            ),
            page(
                60,
                f"{BASE}/docs/install",
                "Docs / Install",
                time_server=300,
                custom_dimension_1="list",
            ),
            event(90, "Video", "play", "intro", 5.0),
            link(120, m.HIT_DOWNLOAD, "https://files.example.com/guide.pdf"),
        ],
        visitor="v1",
        user_id="anna",
        visit_goal_converted=True,
        location_country="de",
        location_region="BE",
        location_city="Berlin",
        location_named="HQ",
        location_browser_lang="de-de,de;q=0.9",
        config_browser_name="CH",
        config_browser_version="124",
        config_browser_engine="Blink",
        config_os="WIN",
        config_os_version="10",
        config_device_type=0,
        config_resolution="1920x1080",
        referer_type=2,
        referer_name="google",
        referer_keyword="analytics",
        visitor_localtime=time(1, 0, 30),
        custom_dimension_1="Acme",
    )
    t.conversion(a, 1, revenue=10.0)
    b = t.visit(
        datetime(2026, 3, 10, 14, 50, tzinfo=UTC),  # 23:50 local
        [page(0, f"{BASE}/docs/start", "Docs / Start", time_server=200)],
        visitor="v2",
        visitor_returning=1,
        visitor_count_visits=3,
        visitor_seconds_since_last=2 * 86400 + 3600,
        location_country="fr",
        location_browser_lang="fr",
        config_browser_name="FF",
        config_browser_version="125",
        config_browser_engine="Gecko",
        config_os="MAC",
        config_os_version="14",
        config_device_type=0,
        config_resolution="1440x900",
        visitor_localtime=time(23, 50),
        custom_dimension_1="Beta",
    )
    c = t.visit(
        datetime(2026, 3, 10, 3, 0, tzinfo=UTC),  # 12:00 local
        [
            page(0, f"{BASE}/", "Home", custom_dimension_1="grid"),
            search(20, "pricing", count=0, category="docs"),
            page(50, f"{BASE}/docs/start", "Docs / Start"),
            link(70, m.HIT_OUTLINK, "https://ext.example.org/x"),
            content(80, "Banner", "spring.png"),
            content(85, "Banner", "spring.png", "click"),
        ],
        visitor="v1",
        user_id="anna",
        visitor_returning=1,
        visitor_count_visits=2,
        visitor_seconds_since_last=36000,
        visitor_seconds_since_first=3 * 86400,
        visit_goal_converted=True,
        visit_goal_buyer=1,
        location_country="de",
        location_region="BE",
        location_city="Berlin",
        location_browser_lang="de-de",
        config_browser_name="CH",
        config_browser_version="124",
        config_browser_engine="Blink",
        config_os="AND",
        config_os_version="14",
        config_device_type=1,
        config_device_brand="SA",
        config_device_model="Galaxy",
        config_resolution="390x844",
        referer_type=6,
        referer_name="spring",
        referer_keyword="mail",
        campaign_source="newsletter",
        campaign_medium="email",
        visitor_localtime=time(12, 0),
        custom_dimension_1="Acme",
    )
    t.conversion(c, 0, revenue=30.0, buster=1, idorder="o1", items=2, revenue_subtotal=30.0)
    t.item(c, idorder="o1", sku="SKU1", name="Boots", category="Shoes", price=15.0, quantity=2)
    before = t.visit(
        datetime(2026, 3, 9, 14, 30, tzinfo=UTC), [page(0, f"{BASE}/old")], visitor="v3"
    )
    after = t.visit(
        datetime(2026, 3, 10, 15, 30, tzinfo=UTC), [page(0, f"{BASE}/new")], visitor="v4"
    )
    db.commit()
    return {"a": a, "b": b, "c": c, "before": before, "after": after}


NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)  # after every day the tests archive


def make_site(db: Session, timezone: str = "Asia/Tokyo") -> SiteConfig:
    """A site with goal 1, a visit-scope dimension (Company, id 1) and an action-scope one
    (Layout, id 2), both stored in custom_dimension_1 of their table."""
    site = sites_service.create_site(
        db, name="Portal", main_url=BASE, timezone=timezone, ecommerce=True
    )
    sites_service.add_goal(db, idsite=site.idsite, name="Registration", revenue=10.0)
    sites_service.add_custom_dimension(db, idsite=site.idsite, name="Company", scope="visit")
    sites_service.add_custom_dimension(db, idsite=site.idsite, name="Layout", scope="action")
    db.commit()
    return load_site_configs(db, [site.idsite])[site.idsite]


def read(
    db: Session,
    site: SiteConfig,
    kind: str,
    first: str,
    last: str | None = None,
    *,
    segment: str = "",
    now: datetime = NOW,
) -> dict[str, Record]:
    """Every record of a period, archiving what is due first."""
    start = date.fromisoformat(first)
    period = Period(kind, start, date.fromisoformat(last)) if last else containing(kind, start)  # type: ignore[arg-type]
    return service.records_for(db, Target(site, segment), period, now=now)


def rows(record: Record | None) -> dict[str, Metrics]:
    """A table's rows by label (an absent record is an empty table)."""
    if record is None:
        return {}
    assert isinstance(record, Table)
    return {label: row.metrics for label, row in record.rows.items()}


def sub(record: Record | None, label: str) -> dict[str, Metrics]:
    assert isinstance(record, Table)
    return rows(record.rows[label].sub)
