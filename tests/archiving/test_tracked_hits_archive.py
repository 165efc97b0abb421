"""Hits sent to the tracking endpoint come out of archiving as Matomo would report them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from analytics_server.sites import service as sites_service
from analytics_server.sites.service import load_site_configs
from tests.archiving.traffic import read, rows, sub
from tests.conftest import FakeClock
from tests.tracking.helpers import js_hit, send

PORTAL = "https://portal.example.com"


def test_a_tracked_visit_in_every_report_family(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    site = sites_service.create_site(
        db, name="Portal", main_url=PORTAL, timezone="Asia/Tokyo", ecommerce=True
    )
    sites_service.add_goal(db, idsite=site.idsite, name="Signed up", revenue=10.0)
    db.commit()
    clock.now = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)

    def hit(seconds: int, **params: Any) -> None:
        clock.now = datetime(2026, 3, 10, 3, 0, seconds, tzinfo=UTC)
        assert send(client, js_hit(site.idsite, **params)).status_code == 204

    hit(0, url=f"{PORTAL}/docs/start", action_name="Docs / Start", pf_srv=120)
    hit(30, url=f"{PORTAL}/docs/install", action_name="Docs / Install")
    hit(40, e_c="Video", e_a="play", e_n="intro", e_v=5)
    hit(50, url=f"{PORTAL}/search", search="Pricing", search_count=0)
    hit(55, download="https://files.example.com/guide.pdf")
    hit(57, link="https://ext.example.org/x")
    hit(58, c_n="Banner", c_p="spring.png")
    hit(59, idgoal=1)
    items = json.dumps([["SKU1", "Boots", "Shoes", 15, 2]])
    hit(59, idgoal=0, ec_id="o1", revenue=30, ec_items=items)

    config = load_site_configs(db, [site.idsite])[site.idsite]
    day = read(db, config, "day", "2026-03-10", now=datetime(2026, 3, 11, tzinfo=UTC))
    summary = day["VisitsSummary_get"]
    assert isinstance(summary, dict)
    assert (summary["nb_visits"], summary["nb_actions"], summary["nb_visits_converted"]) == (
        1,
        6,
        1,
    )
    assert day["Actions_get"] == {
        "nb_pageviews": 2,
        "nb_uniq_pageviews": 2,
        "nb_downloads": 1,
        "nb_uniq_downloads": 1,
        "nb_outlinks": 1,
        "nb_uniq_outlinks": 1,
        "nb_searches": 1,
        "nb_keywords": 1,
    }
    start = sub(day["Actions_getPageUrls"], "docs")["/start"]
    assert (start["sum_time_spent"], start["entry_nb_visits"], start["sum_time_server"]) == (
        30,
        1,
        120,
    )
    keyword = rows(day["Actions_getSiteSearchKeywords"])["Pricing"]  # case as tracked
    assert (keyword["sum_time_spent"], keyword["exit_nb_visits"]) == (8, 1)
    assert set(rows(day["Actions_getSiteSearchNoResultKeywords"])) == {"Pricing"}
    assert set(sub(day["Actions_getDownloads"], "files.example.com")) == {
        "https://files.example.com/guide.pdf"
    }
    assert set(rows(day["Actions_getOutlinks"])) == {"ext.example.org"}
    assert rows(day["Events_getCategory"])["Video"]["sum_event_value"] == 5
    assert rows(day["Contents_getContentNames"])["Banner"]["nb_impressions"] == 1
    assert day["Goals_get"] == {"nb_conversions": 2, "nb_visits_converted": 1, "revenue": 40}
    assert rows(day["Goals_getItemsSku"]) == {
        "SKU1": {"revenue": 30, "quantity": 2, "orders": 1, "nb_visits": 1}
    }
    assert set(rows(day["DevicesDetection_getBrowsers"])) == {"CH"}
